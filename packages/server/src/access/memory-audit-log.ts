/**
 * An AuditLog kept in memory, for tests of the routes and the restricted-series policy (the
 * server's is AccessStore's, in SQLite). Keeps the newest `capacity` records.
 */
import type { AuditEntry, AuditFilter, AuditLog, AuditRecord } from './audit.js';

export class MemoryAuditLog implements AuditLog {
  private readonly records: AuditRecord[] = [];
  private nextId = 1;

  constructor(
    private readonly nowMs: () => number = Date.now,
    private readonly capacity = 10_000,
  ) {}

  record(entry: AuditEntry): void {
    this.records.push({ ...entry, id: this.nextId++, atMs: this.nowMs() });
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
  }

  list(filter: AuditFilter = {}): AuditRecord[] {
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
    const out: AuditRecord[] = [];
    for (let i = this.records.length - 1; i >= 0 && out.length < limit; i--) {
      const r = this.records[i]!;
      if (filter.decision !== undefined && r.decision !== filter.decision) continue;
      if (filter.principal !== undefined && r.principal.name !== filter.principal) continue;
      if (filter.action !== undefined && r.action !== filter.action) continue;
      if (filter.sinceMs !== undefined && r.atMs < filter.sinceMs) continue;
      if (filter.untilMs !== undefined && r.atMs >= filter.untilMs) continue;
      if (filter.beforeId !== undefined && r.id >= filter.beforeId) continue;
      out.push(r);
    }
    return out;
  }
}
