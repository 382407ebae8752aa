/**
 * Durable state of incidents/: incidents (one JSON document per incident, with indexed columns for
 * lookups) and the flaky-service windows of suppression rules, in SQLite (better-sqlite3) under
 * the storage path.
 *
 * Why SQLite and not an fsynced file of our own: an incident changes one small row at a time
 * (a level sent, an acknowledgement), and a transaction per change in WAL mode with
 * `synchronous = FULL` is durable at the commit without rewriting the whole state, while a single
 * file would be rewritten (and fsynced, and renamed) on every change. better-sqlite3 is already the
 * server's embedded database (tsdb/). It is a file of its own, not tsdb's database: the module
 * order does not let incidents/ reach tsdb/, and the two have unrelated write patterns.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type IncidentState = 'triggered' | 'acknowledged' | 'resolved';
export type AcknowledgeVia = 'api' | 'link' | 'pagerduty';

export interface StoredAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: 'firing' | 'resolved';
  startsAtMs: number;
  endsAtMs?: number;
  generatorURL?: string;
}

export type HistoryKind =
  | 'opened'
  | 'alert_firing'
  | 'alert_resolved'
  | 'escalated'
  | 'level_skipped'
  | 'notify_failed'
  | 'acknowledged'
  | 'pagerduty_acknowledge'
  | 'pagerduty_acknowledge_failed'
  | 'resolved'
  | 'resolved_notice_failed'
  | 'policy_missing';

export interface HistoryEntry {
  atMs: number;
  kind: HistoryKind;
  level?: number;
  /** 0-based run of the levels (repeat). */
  cycle?: number;
  targets?: string[];
  receivers?: string[];
  /** Receivers of the level that the routing tree already notifies of these alerts: left to their routes. */
  routed?: string[];
  receiver?: string;
  fingerprint?: string;
  by?: string;
  via?: AcknowledgeVia;
  detail?: string;
}

export interface IncidentRecord {
  id: number;
  /** Policy name + group labels: at most one open incident per key. */
  key: string;
  policy: string;
  groupLabels: Record<string, string>;
  state: IncidentState;
  startedAtMs: number;
  /** The last level that was due (notified or skipped); 0 before level 1. */
  level: number;
  /** 0-based run of the levels. */
  cycle: number;
  /** The next level to run (index into the policy's levels) and when; none once acknowledged, resolved or done. */
  next?: { cycle: number; index: number; atMs: number };
  acknowledged?: { atMs: number; by: string; via: AcknowledgeVia; comment?: string };
  resolvedAtMs?: number;
  alerts: StoredAlert[];
  /**
   * Receivers that were sent a level (the resolved notice goes to each once, unless the level went
   * under its route's group key: the route sends that receiver's resolved notice).
   */
  notified: { receiver: string; level: number; atMs: number; routeGroupKey?: string }[];
  /** PagerDuty dedup_keys per receiver that got a level: acknowledgements go there. */
  pagerDuty: { receiver: string; dedupKey: string }[];
  history: HistoryEntry[];
}

/** A flaky-service window as the rule persists it. */
export interface FlakyWindowRow {
  rule: string;
  key: string;
  doc: unknown;
}

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE incidents (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     key TEXT NOT NULL,
     state TEXT NOT NULL,
     started_at_ms INTEGER NOT NULL,
     resolved_at_ms INTEGER,
     doc TEXT NOT NULL
   );
   CREATE INDEX incidents_state ON incidents (state);
   CREATE INDEX incidents_resolved ON incidents (resolved_at_ms);
   CREATE TABLE flaky_windows (
     rule TEXT NOT NULL,
     key TEXT NOT NULL,
     doc TEXT NOT NULL,
     PRIMARY KEY (rule, key)
   );`,
];

type Doc = Omit<IncidentRecord, 'id'>;

export class IncidentStore {
  private readonly db: Database.Database;
  private readonly stmts: {
    insert: Database.Statement<[string, string, number, string]>;
    update: Database.Statement<[string, string, number | null, string, number]>;
    get: Database.Statement<[number], { id: number; doc: string }>;
    open: Database.Statement<[], { id: number; doc: string }>;
    listAll: Database.Statement<[number], { id: number; doc: string }>;
    listState: Database.Statement<[string, number], { id: number; doc: string }>;
    prune: Database.Statement<[number]>;
    flakyAll: Database.Statement<[], { rule: string; key: string; doc: string }>;
    flakyPut: Database.Statement<[string, string, string]>;
    flakyDelete: Database.Statement<[string, string]>;
  };

  private constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Every commit is on disk before the call returns: an acknowledgement is never lost.
    this.db.pragma('synchronous = FULL');
    this.migrate();
    this.stmts = {
      insert: this.db.prepare('INSERT INTO incidents (key, state, started_at_ms, doc) VALUES (?, ?, ?, ?)'),
      update: this.db.prepare('UPDATE incidents SET key = ?, state = ?, resolved_at_ms = ?, doc = ? WHERE id = ?'),
      get: this.db.prepare('SELECT id, doc FROM incidents WHERE id = ?'),
      open: this.db.prepare("SELECT id, doc FROM incidents WHERE state != 'resolved' ORDER BY id"),
      listAll: this.db.prepare('SELECT id, doc FROM incidents ORDER BY id DESC LIMIT ?'),
      listState: this.db.prepare('SELECT id, doc FROM incidents WHERE state = ? ORDER BY id DESC LIMIT ?'),
      prune: this.db.prepare("DELETE FROM incidents WHERE state = 'resolved' AND resolved_at_ms < ?"),
      flakyAll: this.db.prepare('SELECT rule, key, doc FROM flaky_windows'),
      flakyPut: this.db.prepare('INSERT OR REPLACE INTO flaky_windows (rule, key, doc) VALUES (?, ?, ?)'),
      flakyDelete: this.db.prepare('DELETE FROM flaky_windows WHERE rule = ? AND key = ?'),
    };
  }

  /** Opens (creating and migrating) the database; `':memory:'` for tests. */
  static open(file: string): IncidentStore {
    return new IncidentStore(file);
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /** Inserts a new incident and returns it with its id. */
  create(doc: Doc): IncidentRecord {
    const info = this.stmts.insert.run(doc.key, doc.state, doc.startedAtMs, JSON.stringify(doc));
    return { id: Number(info.lastInsertRowid), ...doc };
  }

  /** Writes an incident; after `close()` (shutdown) nothing is written. */
  save(rec: IncidentRecord): void {
    if (!this.db.open) return;
    const { id, ...doc } = rec;
    this.stmts.update.run(rec.key, rec.state, rec.resolvedAtMs ?? null, JSON.stringify(doc), id);
  }

  get(id: number): IncidentRecord | undefined {
    const row = this.stmts.get.get(id);
    return row && parseRow(row);
  }

  /** Incidents not resolved, oldest first. */
  openIncidents(): IncidentRecord[] {
    return this.stmts.open.all().map(parseRow);
  }

  /** Newest first. */
  list(state: IncidentState | undefined, limit: number): IncidentRecord[] {
    const rows = state === undefined ? this.stmts.listAll.all(limit) : this.stmts.listState.all(state, limit);
    return rows.map(parseRow);
  }

  /** Deletes incidents resolved before `beforeMs`; returns how many. */
  pruneResolved(beforeMs: number): number {
    return this.stmts.prune.run(beforeMs).changes;
  }

  flakyWindows(): FlakyWindowRow[] {
    return this.stmts.flakyAll.all().map((r) => ({ rule: r.rule, key: r.key, doc: JSON.parse(r.doc) as unknown }));
  }

  /** Stores a window, or deletes it when `doc` is undefined; after `close()` nothing is written. */
  putFlakyWindow(rule: string, key: string, doc: unknown): void {
    if (!this.db.open) return;
    if (doc === undefined) this.stmts.flakyDelete.run(rule, key);
    else this.stmts.flakyPut.run(rule, key, JSON.stringify(doc));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function parseRow(row: { id: number; doc: string }): IncidentRecord {
  return { id: row.id, ...(JSON.parse(row.doc) as Doc) };
}
