/**
 * The notification log (Alertmanager's nflog): per receiver integration and aggregation group,
 * what was last sent (fingerprints of the firing and resolved alerts) and when. The de-duplication
 * stage reads it to decide whether a flush must notify; entries expire after the retention.
 * Watchkeeper adds `outstanding`: alerts the integration was told are firing and not yet told
 * are resolved (for resolved notices after a mute, see pipeline.ts).
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../../lib/clock.js';

export interface NflogEntry {
  /** Fingerprints of the firing alerts of the last notification. */
  readonly firing: ReadonlySet<string>;
  /** Fingerprints of the resolved alerts of the last notification. */
  readonly resolved: ReadonlySet<string>;
  /** Fingerprints sent as firing and not yet sent as resolved (Watchkeeper). */
  readonly outstanding: ReadonlySet<string>;
  /** When the last notification was sent. */
  readonly timestampMs: number;
}

export interface StoredNflogEntry {
  readonly receiver: string;
  readonly groupKey: string;
  readonly entry: NflogEntry;
  readonly expiresAtMs: number;
}

/** Where the log is kept across restarts (so that a restart does not notify again). */
export interface NflogStore {
  loadAll(): StoredNflogEntry[];
  save(e: StoredNflogEntry): void;
  deleteExpired(nowMs: number): void;
}

/** A receiver integration's key in the log: `receiver/integration/index` (`team-x/webhook/0`). */
export function nflogReceiverKey(receiver: string, integration: string, index: number): string {
  return `${receiver}/${integration}/${index}`;
}

export interface NotificationLogOptions {
  clock: Clock;
  store?: NflogStore;
  /** How long an entry is kept after its notification (Alertmanager's `--data.retention`). @default 120 h */
  retentionMs?: number;
  /** @default 15 m */
  gcIntervalMs?: number;
}

export class NotificationLog {
  private readonly entries = new Map<string, StoredNflogEntry>();
  private readonly clock: Clock;
  private readonly store: NflogStore | undefined;
  private readonly retentionMs: number;
  private readonly gcIntervalMs: number;
  private cancelGc: (() => void) | undefined;

  constructor(options: NotificationLogOptions) {
    this.clock = options.clock;
    this.store = options.store;
    this.retentionMs = options.retentionMs ?? 120 * 3_600_000;
    this.gcIntervalMs = options.gcIntervalMs ?? 15 * 60_000;
    for (const e of this.store?.loadAll() ?? []) this.entries.set(key(e.receiver, e.groupKey), e);
    this.gc();
    this.scheduleGc();
  }

  query(receiver: string, groupKey: string): NflogEntry | undefined {
    const e = this.entries.get(key(receiver, groupKey));
    return e && e.expiresAtMs > this.clock.nowMs() ? e.entry : undefined;
  }

  log(receiver: string, groupKey: string, entry: NflogEntry): void {
    const stored: StoredNflogEntry = { receiver, groupKey, entry, expiresAtMs: entry.timestampMs + this.retentionMs };
    this.store?.save(stored);
    this.entries.set(key(receiver, groupKey), stored);
  }

  get size(): number {
    return this.entries.size;
  }

  gc(): void {
    const nowMs = this.clock.nowMs();
    for (const [k, e] of this.entries) if (e.expiresAtMs <= nowMs) this.entries.delete(k);
    this.store?.deleteExpired(nowMs);
  }

  close(): void {
    this.cancelGc?.();
    this.cancelGc = undefined;
  }

  private scheduleGc(): void {
    this.cancelGc = this.clock.setTimeout(() => {
      this.gc();
      this.scheduleGc();
    }, this.gcIntervalMs);
  }
}

function key(receiver: string, groupKey: string): string {
  return `${receiver}\u0000${groupKey}`;
}

interface NflogRow {
  receiver: string;
  group_key: string;
  firing: string;
  resolved: string;
  outstanding: string;
  timestamp_ms: number;
  expires_at_ms: number;
}

/** The log in the alerting database (`state-db.ts`). */
export class SqliteNflogStore implements NflogStore {
  private readonly upsert: Database.Statement;
  private readonly expire: Database.Statement;
  private readonly all: Database.Statement<[], NflogRow>;

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO nflog (receiver, group_key, firing, resolved, outstanding, timestamp_ms, expires_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (receiver, group_key) DO UPDATE SET firing = excluded.firing, resolved = excluded.resolved,
         outstanding = excluded.outstanding, timestamp_ms = excluded.timestamp_ms, expires_at_ms = excluded.expires_at_ms`,
    );
    this.expire = db.prepare('DELETE FROM nflog WHERE expires_at_ms <= ?');
    this.all = db.prepare<[], NflogRow>('SELECT * FROM nflog');
  }

  loadAll(): StoredNflogEntry[] {
    const set = (json: string): ReadonlySet<string> => new Set(JSON.parse(json) as string[]);
    return this.all.all().map((r) => ({
      receiver: r.receiver,
      groupKey: r.group_key,
      entry: {
        firing: set(r.firing),
        resolved: set(r.resolved),
        outstanding: set(r.outstanding),
        timestampMs: r.timestamp_ms,
      },
      expiresAtMs: r.expires_at_ms,
    }));
  }

  save(e: StoredNflogEntry): void {
    this.upsert.run(
      e.receiver,
      e.groupKey,
      JSON.stringify([...e.entry.firing]),
      JSON.stringify([...e.entry.resolved]),
      JSON.stringify([...e.entry.outstanding]),
      e.entry.timestampMs,
      e.expiresAtMs,
    );
  }

  deleteExpired(nowMs: number): void {
    this.expire.run(nowMs);
  }
}
