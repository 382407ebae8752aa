/**
 * The durable state of access/: users, sessions, API tokens and the audit log, in SQLite
 * (`<storage.path>/access.db`, WAL, `synchronous = FULL`, migrations by `user_version`).
 *
 * Only hashes of secrets are stored: scrypt for passwords (secrets.ts), SHA-256 for session ids
 * and token secrets. Sessions and tokens are looked up in the database on every request, not
 * cached, so that `watchkeeper token create|revoke` in another process (SQLite WAL lets both
 * open the file) takes effect at once, and a revoked token or a disabled user is refused at
 * the next request. Every time comes from the injected Clock.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../lib/clock.js';
import type { AuditEntry, AuditFilter, AuditLog, AuditRecord } from './audit.js';
import { isRole, type Principal, type Role } from './roles.js';
import {
  DEFAULT_SCRYPT,
  generatePassword,
  generateTokenId,
  generateTokenSecret,
  hashPassword,
  randomSecret,
  sha256Hex,
  TOKEN_PREFIX,
  verifyNothing,
  verifyPassword,
  type ScryptParams,
} from './secrets.js';

export const ACCESS_DB_FILE = 'access.db';
/** Where the first start leaves the first admin's one-time password (mode 0600) for a launcher. */
export const INITIAL_ADMIN_PASSWORD_FILE = 'initial-admin-password';
/** The user the first start creates. */
export const FIRST_ADMIN = 'admin';

/** A problem with a request to change users or tokens; http/ maps `code` to a status. */
export class AccessError extends Error {
  constructor(
    readonly code: 'invalid' | 'not_found' | 'conflict' | 'last_admin',
    message: string,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}

export interface UserInfo {
  name: string;
  roles: Role[];
  createdAtMs: number;
  updatedAtMs: number;
  passwordChangedAtMs: number;
  disabled: boolean;
}

export interface TokenInfo {
  /** `tok_...`: public, what lists, revocation and the audit log use. */
  id: string;
  name: string;
  comment: string;
  roles: Role[];
  createdBy: string;
  createdAtMs: number;
  lastUsedAtMs?: number;
  revokedAtMs?: number;
}

export interface SessionInfo {
  user: UserInfo;
  /** The session's CSRF token (double-submit: also in the readable `wk_csrf` cookie). */
  csrfToken: string;
  createdAtMs: number;
  expiresAtMs: number;
}

export interface AccessStoreOptions {
  /** The storage path: access.db and the first admin's password file live here. */
  dir: string;
  clock: Clock;
  /** A session ends this long after login. @default 12 h */
  sessionTtlMs?: number;
  /** A session ends after this long without a request. @default 1 h */
  sessionIdleTimeoutMs?: number;
  /** @default 90 days */
  auditRetentionMs?: number;
  /** Password hashing cost of new hashes. @default DEFAULT_SCRYPT */
  scrypt?: ScryptParams;
  /** A failed audit write (the entry is lost; it is counted). Never given a secret. */
  onError?: (err: unknown) => void;
}

/** User names: letters, digits and `._@-`, starting with a letter or digit; compared without case. */
export const USER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
     password_hash TEXT NOT NULL,
     roles TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL,
     updated_at_ms INTEGER NOT NULL,
     password_changed_at_ms INTEGER NOT NULL,
     disabled_at_ms INTEGER
   );
   CREATE TABLE sessions (
     id_hash TEXT NOT NULL PRIMARY KEY,
     user_name TEXT NOT NULL COLLATE NOCASE REFERENCES users (name) ON DELETE CASCADE ON UPDATE CASCADE,
     csrf_token TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL,
     last_seen_at_ms INTEGER NOT NULL,
     expires_at_ms INTEGER NOT NULL
   );
   CREATE INDEX sessions_user ON sessions (user_name);
   CREATE INDEX sessions_expires ON sessions (expires_at_ms);
   CREATE TABLE tokens (
     id TEXT NOT NULL PRIMARY KEY,
     secret_hash TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     comment TEXT NOT NULL DEFAULT '',
     roles TEXT NOT NULL,
     created_by TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL,
     last_used_at_ms INTEGER,
     revoked_at_ms INTEGER
   );
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at_ms INTEGER NOT NULL,
     action TEXT NOT NULL,
     decision TEXT NOT NULL,
     principal_kind TEXT NOT NULL,
     principal_name TEXT NOT NULL,
     principal_roles TEXT NOT NULL,
     resource TEXT NOT NULL,
     detail TEXT,
     remote_address TEXT
   );
   CREATE INDEX audit_at ON audit (at_ms);
   CREATE INDEX audit_principal ON audit (principal_name, id);`,
];

interface UserRow {
  name: string;
  password_hash: string;
  roles: string;
  created_at_ms: number;
  updated_at_ms: number;
  password_changed_at_ms: number;
  disabled_at_ms: number | null;
}

interface SessionRow {
  id_hash: string;
  user_name: string;
  csrf_token: string;
  created_at_ms: number;
  last_seen_at_ms: number;
  expires_at_ms: number;
}

interface TokenRow {
  id: string;
  secret_hash: string;
  name: string;
  comment: string;
  roles: string;
  created_by: string;
  created_at_ms: number;
  last_used_at_ms: number | null;
  revoked_at_ms: number | null;
}

interface AuditRow {
  id: number;
  at_ms: number;
  action: string;
  decision: string;
  principal_kind: string;
  principal_name: string;
  principal_roles: string;
  resource: string;
  detail: string | null;
  remote_address: string | null;
}

/** Writes of last-seen and last-used times at most this often per session or token (each is an fsync). */
const TOUCH_INTERVAL_MS = 60_000;
/** Expired sessions and old audit entries are deleted at most this often (lazily, no timer). */
const PRUNE_INTERVAL_MS = 60 * 60_000;
/** Longest text kept in an audit entry's resource or detail. */
const MAX_AUDIT_TEXT = 4000;

function parseRoles(json: string): Role[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((r): r is Role => typeof r === 'string' && isRole(r)) : [];
  } catch {
    return [];
  }
}

/** Checks and de-duplicates roles (in ROLES order of appearance); throws AccessError for an unknown one. */
export function checkRoles(roles: readonly string[]): Role[] {
  const out: Role[] = [];
  for (const r of roles) {
    if (!isRole(r)) throw new AccessError('invalid', `unknown role "${r}"`);
    if (!out.includes(r)) out.push(r);
  }
  return out;
}

function checkUserName(name: string): void {
  if (!USER_NAME_RE.test(name)) {
    throw new AccessError(
      'invalid',
      'a user name is 1-64 letters, digits and . _ @ -, starting with a letter or digit',
    );
  }
}

/** Throws AccessError for a password that is too short or too long (never echoing it). */
export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AccessError('invalid', `a password has at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AccessError('invalid', `a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  }
}

function clip(text: string): string {
  return text.length > MAX_AUDIT_TEXT ? `${text.slice(0, MAX_AUDIT_TEXT)}…` : text;
}

export class AccessStore {
  readonly audit: AuditLog;
  private readonly db: Database.Database;
  private readonly clock: Clock;
  private readonly sessionTtlMs: number;
  private readonly sessionIdleTimeoutMs: number;
  private readonly auditRetentionMs: number;
  private readonly scryptParams: ScryptParams;
  private readonly onError: (err: unknown) => void;
  private readonly initialPasswordFile: string;
  private pendingAudit: (AuditEntry & { atMs: number })[] = [];
  private flushScheduled: NodeJS.Immediate | undefined;
  private lastPruneMs = -Infinity;
  private auditErrors = 0;

  private constructor(opts: AccessStoreOptions) {
    this.clock = opts.clock;
    this.sessionTtlMs = opts.sessionTtlMs ?? 12 * 3600_000;
    this.sessionIdleTimeoutMs = opts.sessionIdleTimeoutMs ?? 3600_000;
    this.auditRetentionMs = opts.auditRetentionMs ?? 90 * 86_400_000;
    this.scryptParams = opts.scrypt ?? DEFAULT_SCRYPT;
    this.onError = opts.onError ?? (() => {});
    this.initialPasswordFile = join(opts.dir, INITIAL_ADMIN_PASSWORD_FILE);
    mkdirSync(opts.dir, { recursive: true });
    const file = join(opts.dir, ACCESS_DB_FILE);
    // Password hashes and the audit log: readable by the owner only (SQLite gives its -wal and
    // -shm files the database file's permissions).
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    this.db = new Database(file);
    // The CLI may write while the server runs: wait for the other's lock rather than fail.
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    // A created token or a revocation is on disk when the call returns.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.audit = {
      record: (entry) => this.recordAudit(entry),
      list: (filter) => this.listAudit(filter),
    };
  }

  /** Opens (creating and migrating) `<dir>/access.db`. */
  static open(opts: AccessStoreOptions): AccessStore {
    return new AccessStore(opts);
  }

  private migrate(): void {
    // IMMEDIATE: a CLI and the server opening a new file at once do not both migrate.
    this.db
      .transaction(() => {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        for (let v = version; v < MIGRATIONS.length; v++) {
          this.db.exec(MIGRATIONS[v]!);
          this.db.pragma(`user_version = ${v + 1}`);
        }
      })
      .immediate();
  }

  /** Audit entries that could not be written (a metric). */
  get auditWriteErrors(): number {
    return this.auditErrors;
  }

  // ---- Users ----

  userCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  private userRow(name: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
  }

  private static userInfo(row: UserRow): UserInfo {
    return {
      name: row.name,
      roles: parseRoles(row.roles),
      createdAtMs: row.created_at_ms,
      updatedAtMs: row.updated_at_ms,
      passwordChangedAtMs: row.password_changed_at_ms,
      disabled: row.disabled_at_ms !== null,
    };
  }

  getUser(name: string): UserInfo | undefined {
    const row = this.userRow(name);
    return row && AccessStore.userInfo(row);
  }

  listUsers(): UserInfo[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[]).map((r) =>
      AccessStore.userInfo(r),
    );
  }

  /** Creates a user; throws AccessError (`invalid`, `conflict`). */
  async createUser(name: string, password: string, roles: readonly string[]): Promise<UserInfo> {
    checkUserName(name);
    checkPassword(password);
    const checked = checkRoles(roles);
    if (this.userRow(name)) throw new AccessError('conflict', `user "${name}" exists`);
    const hash = await hashPassword(password, this.scryptParams);
    const now = this.clock.nowMs();
    try {
      this.db
        .prepare(
          'INSERT INTO users (name, password_hash, roles, created_at_ms, updated_at_ms, password_changed_at_ms) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(name, hash, JSON.stringify(checked), now, now, now);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new AccessError('conflict', `user "${name}" exists`);
      }
      throw err;
    }
    return this.getUser(name)!;
  }

  private enabledAdminsOtherThan(name: string): number {
    return (this.db.prepare('SELECT name, roles FROM users WHERE disabled_at_ms IS NULL').all() as UserRow[]).filter(
      (r) => r.name.toLowerCase() !== name.toLowerCase() && parseRoles(r.roles).includes('admin'),
    ).length;
  }

  /**
   * Changes roles, password or disabled. A new password or disabling ends the user's sessions,
   * except `keepSessionId` (the admin changing their own password stays logged in). Refuses to
   * leave no enabled admin (`last_admin`).
   */
  async updateUser(
    name: string,
    change: { roles?: readonly string[]; password?: string; disabled?: boolean },
    keepSessionId?: string,
  ): Promise<UserInfo> {
    const roles = change.roles && checkRoles(change.roles);
    if (change.password !== undefined) checkPassword(change.password);
    const hash = change.password !== undefined ? await hashPassword(change.password, this.scryptParams) : undefined;
    const row = this.userRow(name);
    if (!row) throw new AccessError('not_found', `no user "${name}"`);
    const losesAdmin =
      parseRoles(row.roles).includes('admin') &&
      row.disabled_at_ms === null &&
      ((roles !== undefined && !roles.includes('admin')) || change.disabled === true);
    if (losesAdmin && this.enabledAdminsOtherThan(row.name) === 0) {
      throw new AccessError('last_admin', `"${row.name}" is the last enabled admin`);
    }
    const now = this.clock.nowMs();
    this.db.transaction(() => {
      if (roles) this.db.prepare('UPDATE users SET roles = ? WHERE name = ?').run(JSON.stringify(roles), row.name);
      if (hash !== undefined) {
        this.db
          .prepare('UPDATE users SET password_hash = ?, password_changed_at_ms = ? WHERE name = ?')
          .run(hash, now, row.name);
      }
      if (change.disabled !== undefined) {
        this.db
          .prepare('UPDATE users SET disabled_at_ms = ? WHERE name = ?')
          .run(change.disabled ? now : null, row.name);
      }
      this.db.prepare('UPDATE users SET updated_at_ms = ? WHERE name = ?').run(now, row.name);
      if (hash !== undefined || change.disabled === true) {
        this.db
          .prepare('DELETE FROM sessions WHERE user_name = ? AND id_hash != ?')
          .run(row.name, keepSessionId === undefined ? '' : sha256Hex(keepSessionId));
      }
    })();
    // The one-time password of the first start is no longer the password.
    if (hash !== undefined) rmSync(this.initialPasswordFile, { force: true });
    return this.getUser(row.name)!;
  }

  /**
   * The first start: when there are no users, creates `admin` (role admin) with a random
   * one-time password, writes it to `<dir>/initial-admin-password` (mode 0600, for a launcher to
   * read) and returns it for the caller to print once. The file goes when the password changes.
   */
  async ensureFirstAdmin(): Promise<{ user: string; password: string; file: string } | undefined> {
    if (this.userCount() > 0) return undefined;
    const password = generatePassword();
    await this.createUser(FIRST_ADMIN, password, ['admin']);
    rmSync(this.initialPasswordFile, { force: true });
    writeFileSync(this.initialPasswordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
    return { user: FIRST_ADMIN, password, file: this.initialPasswordFile };
  }

  /** Deletes a user and their sessions; refuses the last enabled admin. */
  deleteUser(name: string): void {
    const row = this.userRow(name);
    if (!row) throw new AccessError('not_found', `no user "${name}"`);
    if (
      parseRoles(row.roles).includes('admin') &&
      row.disabled_at_ms === null &&
      this.enabledAdminsOtherThan(row.name) === 0
    ) {
      throw new AccessError('last_admin', `"${row.name}" is the last enabled admin`);
    }
    this.db.prepare('DELETE FROM users WHERE name = ?').run(row.name);
  }

  /**
   * The user when `password` is theirs and they are not disabled. Takes the time of one scrypt
   * verification whether or not the user exists.
   */
  async checkLogin(name: string, password: string): Promise<UserInfo | undefined> {
    const row = USER_NAME_RE.test(name) && password.length <= MAX_PASSWORD_LENGTH ? this.userRow(name) : undefined;
    if (!row || row.disabled_at_ms !== null)
      return verifyNothing(password.slice(0, MAX_PASSWORD_LENGTH)).then(() => undefined);
    return (await verifyPassword(password, row.password_hash)) ? AccessStore.userInfo(row) : undefined;
  }

  // ---- Sessions ----

  /** A new session for `userName`; the returned id goes into the cookie and is never stored. */
  createSession(userName: string): { sessionId: string } & SessionInfo {
    const row = this.userRow(userName);
    if (!row) throw new AccessError('not_found', `no user "${userName}"`);
    this.pruneIfDue();
    const sessionId = randomSecret();
    const csrfToken = randomSecret();
    const now = this.clock.nowMs();
    const expiresAtMs = now + this.sessionTtlMs;
    this.db
      .prepare(
        'INSERT INTO sessions (id_hash, user_name, csrf_token, created_at_ms, last_seen_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(sha256Hex(sessionId), row.name, csrfToken, now, now, expiresAtMs);
    return { sessionId, user: AccessStore.userInfo(row), csrfToken, createdAtMs: now, expiresAtMs };
  }

  /**
   * The session of a cookie value: undefined when unknown, expired (absolute or idle), or its user
   * is disabled or gone. Records the activity (at most once a minute).
   */
  resolveSession(sessionId: string): SessionInfo | undefined {
    if (sessionId.length === 0 || sessionId.length > 200) return undefined;
    const idHash = sha256Hex(sessionId);
    const row = this.db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as SessionRow | undefined;
    if (!row) return undefined;
    const now = this.clock.nowMs();
    if (now >= row.expires_at_ms || now - row.last_seen_at_ms >= this.sessionIdleTimeoutMs) {
      this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
      return undefined;
    }
    const user = this.userRow(row.user_name);
    if (!user || user.disabled_at_ms !== null) return undefined;
    if (now - row.last_seen_at_ms >= Math.min(TOUCH_INTERVAL_MS, this.sessionIdleTimeoutMs / 10)) {
      this.db.prepare('UPDATE sessions SET last_seen_at_ms = ? WHERE id_hash = ?').run(now, idHash);
    }
    return {
      user: AccessStore.userInfo(user),
      csrfToken: row.csrf_token,
      createdAtMs: row.created_at_ms,
      expiresAtMs: row.expires_at_ms,
    };
  }

  /** Ends a session (logout). */
  deleteSession(sessionId: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(sha256Hex(sessionId));
  }

  // ---- API tokens ----

  private static tokenInfo(row: TokenRow): TokenInfo {
    return {
      id: row.id,
      name: row.name,
      comment: row.comment,
      roles: parseRoles(row.roles),
      createdBy: row.created_by,
      createdAtMs: row.created_at_ms,
      ...(row.last_used_at_ms !== null && { lastUsedAtMs: row.last_used_at_ms }),
      ...(row.revoked_at_ms !== null && { revokedAtMs: row.revoked_at_ms }),
    };
  }

  /** Creates a token; the secret is returned here once and only its SHA-256 is stored. */
  createToken(opts: { name: string; roles: readonly string[]; comment?: string; createdBy: string }): {
    secret: string;
    token: TokenInfo;
  } {
    const roles = checkRoles(opts.roles);
    if (roles.length === 0) throw new AccessError('invalid', 'a token needs at least one role');
    const name = opts.name.trim();
    if (name.length === 0 || name.length > 200) throw new AccessError('invalid', 'a token name has 1-200 characters');
    const comment = opts.comment ?? '';
    if (comment.length > 2000) throw new AccessError('invalid', 'a token comment has at most 2000 characters');
    const secret = generateTokenSecret();
    const id = generateTokenId();
    this.db
      .prepare(
        'INSERT INTO tokens (id, secret_hash, name, comment, roles, created_by, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, sha256Hex(secret), name, comment, JSON.stringify(roles), opts.createdBy, this.clock.nowMs());
    return { secret, token: this.getToken(id)! };
  }

  getToken(id: string): TokenInfo | undefined {
    const row = this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as TokenRow | undefined;
    return row && AccessStore.tokenInfo(row);
  }

  /** Newest first; revoked tokens too (with `revokedAtMs`) unless `activeOnly`. */
  listTokens(activeOnly = false): TokenInfo[] {
    const sql = activeOnly
      ? 'SELECT * FROM tokens WHERE revoked_at_ms IS NULL ORDER BY created_at_ms DESC, id'
      : 'SELECT * FROM tokens ORDER BY created_at_ms DESC, id';
    return (this.db.prepare(sql).all() as TokenRow[]).map((r) => AccessStore.tokenInfo(r));
  }

  /** Revokes a token: refused from the next request on. Revoking twice is not an error. */
  revokeToken(id: string): TokenInfo {
    const row = this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as TokenRow | undefined;
    if (!row) throw new AccessError('not_found', `no token "${id}"`);
    if (row.revoked_at_ms === null) {
      this.db.prepare('UPDATE tokens SET revoked_at_ms = ? WHERE id = ?').run(this.clock.nowMs(), id);
    }
    return this.getToken(id)!;
  }

  /** The token of a bearer secret, when it exists and is not revoked. Records the use (at most once a minute). */
  resolveToken(secret: string): TokenInfo | undefined {
    if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return undefined;
    const row = this.db
      .prepare('SELECT * FROM tokens WHERE secret_hash = ? AND revoked_at_ms IS NULL')
      .get(sha256Hex(secret)) as TokenRow | undefined;
    if (!row) return undefined;
    const now = this.clock.nowMs();
    if (row.last_used_at_ms === null || now - row.last_used_at_ms >= TOUCH_INTERVAL_MS) {
      this.db.prepare('UPDATE tokens SET last_used_at_ms = ? WHERE id = ?').run(now, row.id);
      row.last_used_at_ms = now;
    }
    return AccessStore.tokenInfo(row);
  }

  // ---- Audit log ----

  /**
   * Queues an entry and writes the queue at the end of this turn of the event loop, in one
   * transaction: a dashboard's twenty queries cost one fsync, not twenty. `list` and `close`
   * write the queue first. Never throws.
   */
  private recordAudit(entry: AuditEntry): void {
    try {
      this.pendingAudit.push({ ...entry, atMs: this.clock.nowMs() });
      if (this.flushScheduled === undefined && this.db.open) {
        this.flushScheduled = setImmediate(() => this.flushAudit());
        this.flushScheduled.unref();
      }
    } catch (err) {
      this.auditErrors++;
      this.onError(err);
    }
  }

  /** Writes queued audit entries. */
  flushAudit(): void {
    if (this.flushScheduled !== undefined) clearImmediate(this.flushScheduled);
    this.flushScheduled = undefined;
    const batch = this.pendingAudit;
    if (batch.length === 0 || !this.db.open) return;
    this.pendingAudit = [];
    try {
      const insert = this.db.prepare(
        'INSERT INTO audit (at_ms, action, decision, principal_kind, principal_name, principal_roles, resource, detail, remote_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      this.db.transaction(() => {
        for (const e of batch) {
          insert.run(
            e.atMs,
            clip(e.action),
            e.decision,
            e.principal.kind,
            e.principal.name,
            JSON.stringify(e.principal.roles),
            clip(e.resource),
            e.detail === undefined ? null : clip(e.detail),
            e.remoteAddress ?? null,
          );
        }
      })();
      this.pruneIfDue();
    } catch (err) {
      this.auditErrors += batch.length;
      this.onError(err);
    }
  }

  private listAudit(filter: AuditFilter = {}): AuditRecord[] {
    this.flushAudit();
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.decision !== undefined) {
      where.push('decision = ?');
      args.push(filter.decision);
    }
    if (filter.principal !== undefined) {
      where.push('principal_name = ?');
      args.push(filter.principal);
    }
    if (filter.action !== undefined) {
      where.push('action = ?');
      args.push(filter.action);
    }
    if (filter.sinceMs !== undefined) {
      where.push('at_ms >= ?');
      args.push(filter.sinceMs);
    }
    if (filter.untilMs !== undefined) {
      where.push('at_ms < ?');
      args.push(filter.untilMs);
    }
    if (filter.beforeId !== undefined) {
      where.push('id < ?');
      args.push(filter.beforeId);
    }
    const limit = Math.max(1, Math.min(1000, Math.floor(filter.limit ?? 100)));
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, limit) as AuditRow[]).map((r) => ({
      id: r.id,
      atMs: r.at_ms,
      action: r.action,
      decision: r.decision === 'allowed' ? 'allowed' : 'denied',
      principal: {
        kind:
          (['user', 'token', 'admin-token', 'anonymous'] as const).find((k) => k === r.principal_kind) ?? 'anonymous',
        name: r.principal_name,
        roles: parseRoles(r.principal_roles),
      } satisfies Principal,
      resource: r.resource,
      ...(r.detail !== null && { detail: r.detail }),
      ...(r.remote_address !== null && { remoteAddress: r.remote_address }),
    }));
  }

  // ---- Housekeeping ----

  /** Deletes expired sessions and audit entries past retention; returns how many of each. */
  prune(): { sessions: number; audit: number } {
    const now = this.clock.nowMs();
    this.lastPruneMs = now;
    const sessions = this.db
      .prepare('DELETE FROM sessions WHERE expires_at_ms <= ? OR last_seen_at_ms <= ?')
      .run(now, now - this.sessionIdleTimeoutMs).changes;
    const audit = this.db.prepare('DELETE FROM audit WHERE at_ms < ?').run(now - this.auditRetentionMs).changes;
    return { sessions, audit };
  }

  private pruneIfDue(): void {
    if (this.clock.nowMs() - this.lastPruneMs >= PRUNE_INTERVAL_MS) this.prune();
  }

  /** Writes queued audit entries and closes the database. */
  close(): void {
    if (!this.db.open) return;
    this.flushAudit();
    this.db.close();
  }
}
