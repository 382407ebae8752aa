/**
 * A service's database: an in-memory SQLite database (better-sqlite3) behind a small async
 * connection pool. SQLite in memory has one real connection; the pool's N "connections" are a
 * semaphore, which is what a pool is to its callers: at most N queries at a time, the rest wait in
 * line, and a caller that waits longer than `acquireTimeoutMs` fails with `db_pool_timeout`.
 *
 * Every statement is prepared once, parameterised, and timed; its `query_type` and `table` labels
 * come from the SQL text itself.
 */
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { PortalError } from './errors.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

/** Where the pool reports what it does (the service host wires it to the SDK's metrics). */
export interface PoolObserver {
  used(used: number, size: number): void;
  query(queryType: string, table: string, durationSeconds: number): void;
  transaction(transactionType: string, durationSeconds: number): void;
}

export type SqlParam = string | number | bigint | null | Buffer;

/** The statements a pooled connection runs. */
export interface Sql {
  get<T>(sql: string, ...params: SqlParam[]): T | undefined;
  all<T>(sql: string, ...params: SqlParam[]): T[];
  run(sql: string, ...params: SqlParam[]): { changes: number };
}

export interface DbPoolOptions {
  /** The pool_name label. */
  name: string;
  /** Connections; @default 10 */
  size?: number;
  /** How long a caller waits for a connection; @default 2000 */
  acquireTimeoutMs?: number;
  /** DDL run once at creation. */
  schema: string;
  scheduler: Scheduler;
  observer?: PoolObserver;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: TimerHandle | undefined;
}

interface StatementInfo {
  statement: Database.Statement;
  queryType: string;
  table: string;
}

const NOOP_OBSERVER: PoolObserver = { used() {}, query() {}, transaction() {} };

export class DbPool {
  readonly name: string;
  readonly size: number;
  readonly #acquireTimeoutMs: number;
  readonly #db: Database.Database;
  readonly #scheduler: Scheduler;
  readonly #observer: PoolObserver;
  readonly #statements = new Map<string, StatementInfo>();
  readonly #waiters: Waiter[] = [];
  #available: number;
  #closed = false;
  readonly #sql: Sql;

  constructor(options: DbPoolOptions) {
    this.name = options.name;
    this.size = options.size ?? 10;
    if (!Number.isInteger(this.size) || this.size < 1) throw new Error(`DbPool ${this.name}: size must be >= 1`);
    this.#acquireTimeoutMs = options.acquireTimeoutMs ?? 2_000;
    this.#available = this.size;
    this.#scheduler = options.scheduler;
    this.#observer = options.observer ?? NOOP_OBSERVER;
    this.#db = new Database(':memory:');
    this.#db.pragma('foreign_keys = ON');
    this.#db.exec(options.schema);
    this.#sql = {
      get: <T>(sql: string, ...params: SqlParam[]) => this.#timed(sql, (s) => s.get(...params) as T | undefined),
      all: <T>(sql: string, ...params: SqlParam[]) => this.#timed(sql, (s) => s.all(...params) as T[]),
      run: (sql: string, ...params: SqlParam[]) => this.#timed(sql, (s) => ({ changes: s.run(...params).changes })),
    };
    this.#observer.used(0, this.size);
  }

  /** Connections in use (including those a fault holds). */
  get used(): number {
    return this.size - this.#available;
  }

  /** Callers waiting for a connection. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Runs `fn` on a pooled connection. */
  async query<T>(fn: (sql: Sql) => T): Promise<T> {
    await this.#acquire(this.#acquireTimeoutMs);
    try {
      return fn(this.#sql);
    } finally {
      this.#release();
    }
  }

  /** Runs `fn` in one transaction on a pooled connection; a throw rolls it back. */
  async transaction<T>(transactionType: string, fn: (sql: Sql) => T): Promise<T> {
    await this.#acquire(this.#acquireTimeoutMs);
    const start = performance.now();
    try {
      return this.#db.transaction(() => fn(this.#sql))();
    } finally {
      this.#observer.transaction(transactionType, (performance.now() - start) / 1000);
      this.#release();
    }
  }

  /**
   * Runs `fn` only if a connection is free right now (gauge refreshes at scrape time use it, so a
   * scrape never waits on a busy pool); undefined otherwise.
   */
  tryQuery<T>(fn: (sql: Sql) => T): T | undefined {
    if (this.#closed || this.#available === 0 || this.#waiters.length > 0) return undefined;
    this.#take();
    try {
      return fn(this.#sql);
    } finally {
      this.#release();
    }
  }

  /**
   * Takes every connection of the pool, as they become free, and keeps them until the returned
   * function is called (the `db_pool_exhaustion` fault).
   */
  hold(): () => void {
    let held = 0;
    let released = false;
    const pending: Waiter[] = [];
    for (let i = 0; i < this.size; i++) {
      if (this.#available > 0 && this.#waiters.length === 0) {
        this.#take();
        held++;
        continue;
      }
      const waiter: Waiter = {
        resolve: () => {
          pending.splice(pending.indexOf(waiter), 1);
          if (released) this.#release();
          else held++;
        },
        reject: () => {},
        timer: undefined,
      };
      pending.push(waiter);
      this.#waiters.push(waiter);
    }
    return () => {
      if (released) return;
      released = true;
      for (const waiter of pending) {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
      }
      pending.length = 0;
      for (; held > 0; held--) this.#release();
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) {
      if (waiter.timer !== undefined) this.#scheduler.clear(waiter.timer);
      waiter.reject(new PortalError('db_pool_timeout', `Database pool ${this.name} is closed`));
    }
    this.#db.close();
  }

  #take(): void {
    this.#available--;
    this.#observer.used(this.used, this.size);
  }

  #acquire(timeoutMs: number): Promise<void> {
    if (this.#closed) return Promise.reject(new PortalError('db_pool_timeout', `Database pool ${this.name} is closed`));
    if (this.#available > 0 && this.#waiters.length === 0) {
      this.#take();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      waiter.timer = this.#scheduler.setTimeout(() => {
        const index = this.#waiters.indexOf(waiter);
        if (index < 0) return;
        this.#waiters.splice(index, 1);
        reject(
          new PortalError(
            'db_pool_timeout',
            `No connection of database pool ${this.name} became free within ${timeoutMs} ms (${this.used}/${this.size} in use)`,
          ),
        );
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  #release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) {
      // The connection passes straight to the next caller: `used` does not change.
      if (next.timer !== undefined) this.#scheduler.clear(next.timer);
      next.resolve();
      return;
    }
    this.#available++;
    this.#observer.used(this.used, this.size);
  }

  #timed<T>(sql: string, run: (statement: Database.Statement) => T): T {
    const info = this.#statement(sql);
    const start = performance.now();
    try {
      return run(info.statement);
    } finally {
      this.#observer.query(info.queryType, info.table, (performance.now() - start) / 1000);
    }
  }

  #statement(sql: string): StatementInfo {
    let info = this.#statements.get(sql);
    if (info === undefined) {
      info = { statement: this.#db.prepare(sql), ...describeStatement(sql) };
      this.#statements.set(sql, info);
    }
    return info;
  }
}

/** The `query_type` and `table` labels of a statement, read from its SQL. */
export function describeStatement(sql: string): { queryType: string; table: string } {
  const text = sql.replace(/\s+/g, ' ').trim();
  const verb = /^(\w+)/.exec(text)?.[1]?.toLowerCase() ?? 'other';
  let queryType = ['select', 'insert', 'update', 'delete'].includes(verb) ? verb : 'other';
  if (queryType === 'insert' && /\bon conflict\b.*\bdo update\b/i.test(text)) queryType = 'upsert';
  const table =
    (queryType === 'select'
      ? /\bfrom\s+(\w+)/i.exec(text)
      : queryType === 'update'
        ? /^update\s+(\w+)/i.exec(text)
        : queryType === 'delete'
          ? /^delete\s+from\s+(\w+)/i.exec(text)
          : /^insert\s+(?:or\s+\w+\s+)?into\s+(\w+)/i.exec(text))?.[1] ?? 'unknown';
  return { queryType, table: table.toLowerCase() };
}
