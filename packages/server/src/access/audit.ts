/**
 * The audit log's interface (issue 6): every allowed and every denied access to restricted data,
 * logins, token and user changes. The SQLite implementation lives next to it; http/ and the query
 * paths only see this interface.
 */
import type { Principal } from './roles.js';

export interface AuditEntry {
  /** What was attempted: `query`, `query_range`, `series`, `labels`, `label_values`, `metadata`, `rules`, `alerts`, `dashboard`, `login`, `token_create`, ... */
  readonly action: string;
  /** `allowed` or `denied`. */
  readonly decision: 'allowed' | 'denied';
  readonly principal: Principal;
  /** What it concerned: the query text, the restricted metric names touched, the dashboard id, the user name. */
  readonly resource: string;
  /** Why (denied) or what was returned (allowed), short. */
  readonly detail?: string;
  /** Client address, when known. */
  readonly remoteAddress?: string;
}

export interface AuditRecord extends AuditEntry {
  readonly id: number;
  readonly atMs: number;
}

export interface AuditLog {
  /** Appends an entry; never throws (a failure is counted and logged by the implementation). */
  record(entry: AuditEntry): void;
  /** Newest first. */
  list(filter?: AuditFilter): AuditRecord[];
}

export interface AuditFilter {
  decision?: 'allowed' | 'denied';
  /** The principal's name (user name, token id, `admin-token`, `anonymous`). */
  principal?: string;
  action?: string;
  /** Entries at or after this time. */
  sinceMs?: number;
  /** Entries before this time. */
  untilMs?: number;
  /** Entries with a smaller id: the next page after the last id of the previous one. */
  beforeId?: number;
  /** At most this many (default 100, at most 1000). */
  limit?: number;
}
