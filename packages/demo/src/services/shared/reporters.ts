/**
 * Batched reports every service sends to the two services that own the numbers: the users it saw
 * (auth owns sms_user_active) and what companies did (billing owns churn risk and onboarding).
 */
import type { USAGE_KINDS } from '../../contract.js';
import type { PeerClient } from './peers.js';

export type UsageKind = (typeof USAGE_KINDS)[number];

export interface ActivityEntry {
  readonly userId: string;
  readonly seenAtMs: number;
}

/** Users seen since the last flush, latest time each. */
export class ActivityRecorder {
  readonly #seen = new Map<string, number>();
  #sink: (entries: ActivityEntry[]) => void | Promise<void>;

  constructor(peers: PeerClient) {
    this.#sink = (entries) =>
      peers.deliver('auth', '/api/auth/activity', {
        users: entries.map((e) => ({ user_id: e.userId, seen_at_ms: e.seenAtMs })),
      });
  }

  /** Auth keeps activity itself instead of reporting it to itself. */
  redirect(sink: (entries: ActivityEntry[]) => void | Promise<void>): void {
    this.#sink = sink;
  }

  record(userId: string, atMs: number): void {
    this.#seen.set(userId, Math.max(atMs, this.#seen.get(userId) ?? 0));
  }

  async flush(): Promise<void> {
    if (this.#seen.size === 0) return;
    const entries = [...this.#seen].map(([userId, seenAtMs]) => ({ userId, seenAtMs }));
    this.#seen.clear();
    await this.#sink(entries);
  }
}

/** Usage counts per company and kind since the last flush, for billing. */
export class UsageRecorder {
  readonly #counts = new Map<string, { companyId: string; kind: UsageKind; count: number }>();
  readonly #peers: PeerClient;

  constructor(peers: PeerClient) {
    this.#peers = peers;
  }

  add(companyId: string, kind: UsageKind, count = 1): void {
    if (count <= 0) return;
    const key = `${companyId}\u0000${kind}`;
    const entry = this.#counts.get(key) ?? { companyId, kind, count: 0 };
    entry.count += count;
    this.#counts.set(key, entry);
  }

  flush(): void {
    if (this.#counts.size === 0) return;
    const reports = [...this.#counts.values()].map((e) => ({ company_id: e.companyId, kind: e.kind, count: e.count }));
    this.#counts.clear();
    this.#peers.deliver('billing', '/api/billing/usage', { reports });
  }
}
