import { afterEach, describe, expect, it } from 'vitest';
import { DbPool, describeStatement, type PoolObserver } from './db-pool.js';
import { PortalError } from './errors.js';
import { ManualScheduler } from './scheduler.js';

const SCHEMA = 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)';

function recordingObserver() {
  const seen = { used: [] as number[], queries: [] as string[], transactions: [] as string[] };
  const observer: PoolObserver = {
    used: (used) => seen.used.push(used),
    query: (type, table) => seen.queries.push(`${type} ${table}`),
    transaction: (type) => seen.transactions.push(type),
  };
  return { seen, observer };
}

const pools: DbPool[] = [];
afterEach(() => {
  for (const pool of pools.splice(0)) pool.close();
});

function makePool(size: number, scheduler = new ManualScheduler(), observer?: PoolObserver): DbPool {
  const pool = new DbPool({ name: 'test', size, acquireTimeoutMs: 1_000, schema: SCHEMA, scheduler, observer });
  pools.push(pool);
  return pool;
}

describe('DbPool', () => {
  it('runs parameterised statements and labels them from their SQL', async () => {
    const { seen, observer } = recordingObserver();
    const pool = makePool(2, undefined, observer);
    await pool.query((sql) => sql.run('INSERT INTO items (name) VALUES (?)', "x'); DROP TABLE items; --"));
    const rows = await pool.query((sql) => sql.all<{ name: string }>('SELECT name FROM items'));
    expect(rows).toEqual([{ name: "x'); DROP TABLE items; --" }]);
    expect(seen.queries).toEqual(['insert items', 'select items']);
    expect(seen.used).toEqual([0, 1, 0, 1, 0]);
  });

  it('rolls a failed transaction back and reports its duration', async () => {
    const { seen, observer } = recordingObserver();
    const pool = makePool(1, undefined, observer);
    await expect(
      pool.transaction('two_inserts', (sql) => {
        sql.run('INSERT INTO items (name) VALUES (?)', 'a');
        sql.run('INSERT INTO items (name) VALUES (?)', 'a');
      }),
    ).rejects.toThrow(/UNIQUE/);
    expect(await pool.query((sql) => sql.get<{ n: number }>('SELECT count(*) AS n FROM items'))).toEqual({ n: 0 });
    expect(seen.transactions).toEqual(['two_inserts']);
    expect(pool.used).toBe(0);
  });

  it('makes callers wait while a fault holds every connection, and times them out', async () => {
    const scheduler = new ManualScheduler();
    const pool = makePool(3, scheduler);
    const release = pool.hold();
    expect(pool.used).toBe(3);
    expect(pool.tryQuery(() => 1)).toBeUndefined();
    const waiting = pool.query(() => 'done');
    expect(pool.waiting).toBe(1);
    scheduler.advance(1_000);
    const err = await waiting.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortalError);
    expect((err as PortalError).code).toBe('db_pool_timeout');

    const queued = pool.query(() => 'after release');
    release();
    await expect(queued).resolves.toBe('after release');
    expect(pool.used).toBe(0);
  });

  it('takes connections for a hold as they become free', async () => {
    const pool = makePool(2);
    let releaseHold: () => void = () => {};
    await pool.query(() => {
      releaseHold = pool.hold();
      expect(pool.used).toBe(2);
      expect(pool.waiting).toBe(1);
    });
    expect(pool.used).toBe(2);
    expect(pool.waiting).toBe(0);
    releaseHold();
    expect(pool.used).toBe(0);
  });

  it.each([
    ['SELECT a FROM vessels WHERE id = ?', 'select', 'vessels'],
    ['  insert into quotes (a) values (?)', 'insert', 'quotes'],
    ['INSERT INTO records (a) VALUES (?) ON CONFLICT (a) DO UPDATE SET a = excluded.a', 'upsert', 'records'],
    ['UPDATE orders SET status = ? WHERE id = ?', 'update', 'orders'],
    ['DELETE FROM sessions WHERE expires_at < ?', 'delete', 'sessions'],
    ['SELECT count(*) FROM users u JOIN sessions s ON s.user_id = u.id', 'select', 'users'],
  ])('labels %s', (sql, queryType, table) => {
    expect(describeStatement(sql)).toEqual({ queryType, table });
  });
});
