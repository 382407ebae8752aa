import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/clock.js';
import { LoginRateLimiter, loginKeys } from './rate-limit.js';
import { hashPassword, safeEqual, verifyPassword } from './secrets.js';
import { AccessError, AccessStore } from './store.js';

/** Cheap scrypt for tests that create many users; the parameters are stored with each hash. */
const FAST = { N: 1024, r: 8, p: 1 };
const T0 = Date.UTC(2026, 10, 27, 12);

let dir = '';
let clock: ManualClock;
let store: AccessStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wk-access-'));
  clock = new ManualClock(T0);
  store = AccessStore.open({
    dir,
    clock,
    scrypt: FAST,
    sessionTtlMs: 8 * 3600_000,
    sessionIdleTimeoutMs: 30 * 60_000,
    auditRetentionMs: 7 * 86_400_000,
  });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('passwords', () => {
  it('hashes with scrypt, a salt per hash and the parameters in the hash', async () => {
    const a = await hashPassword('correct horse battery', FAST);
    const b = await hashPassword('correct horse battery', FAST);
    expect(a).toMatch(/^\$scrypt\$N=1024,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('x', 'not a hash')).toBe(false);
    expect(await verifyPassword('x', '$scrypt$N=3,r=8,p=1$AAAA$AAAA')).toBe(false);
  });

  it('compares strings of any length in constant time', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});

describe('users', () => {
  it('creates, verifies, changes and deletes users; names are unique without case', async () => {
    await store.createUser('alice', 'alice-password-1', ['ops', 'viewer', 'ops']);
    expect(store.getUser('ALICE')).toMatchObject({ name: 'alice', roles: ['ops', 'viewer'], disabled: false });
    await expect(store.createUser('Alice', 'another-password', ['viewer'])).rejects.toMatchObject({ code: 'conflict' });
    await expect(store.createUser('bob', 'short', ['viewer'])).rejects.toMatchObject({ code: 'invalid' });
    await expect(store.createUser('bob', 'long enough password', ['root'])).rejects.toMatchObject({ code: 'invalid' });
    await expect(store.createUser('-bob', 'long enough password', ['viewer'])).rejects.toBeInstanceOf(AccessError);

    expect(await store.checkLogin('alice', 'alice-password-1')).toMatchObject({ name: 'alice' });
    expect(await store.checkLogin('alice', 'wrong-password-1')).toBeUndefined();
    expect(await store.checkLogin('nobody', 'alice-password-1')).toBeUndefined();

    await store.updateUser('alice', { password: 'alice-password-2', roles: ['exec'] });
    expect(await store.checkLogin('alice', 'alice-password-1')).toBeUndefined();
    expect(await store.checkLogin('alice', 'alice-password-2')).toMatchObject({ roles: ['exec'] });
    await store.updateUser('alice', { disabled: true });
    expect(await store.checkLogin('alice', 'alice-password-2')).toBeUndefined();
    store.deleteUser('alice');
    expect(store.getUser('alice')).toBeUndefined();
    expect(() => store.deleteUser('alice')).toThrow(AccessError);
  });

  it('never leaves no enabled admin', async () => {
    await store.createUser('root1', 'root-password-1', ['admin']);
    await expect(store.updateUser('root1', { roles: ['viewer'] })).rejects.toMatchObject({ code: 'last_admin' });
    await expect(store.updateUser('root1', { disabled: true })).rejects.toMatchObject({ code: 'last_admin' });
    expect(() => store.deleteUser('root1')).toThrow(/last enabled admin/);
    await store.createUser('root2', 'root-password-2', ['admin']);
    await store.updateUser('root1', { disabled: true });
    expect(() => store.deleteUser('root2')).toThrow(/last enabled admin/);
  });

  it('first start: creates admin once, with the password in a 0600 file that goes when it changes', async () => {
    const first = await store.ensureFirstAdmin();
    expect(first).toMatchObject({ user: 'admin' });
    const file = join(dir, 'initial-admin-password');
    expect(readFileSync(file, 'utf8')).toBe(`${first!.password}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.checkLogin('admin', first!.password)).toMatchObject({ roles: ['admin'] });
    expect(await store.ensureFirstAdmin()).toBeUndefined();
    await store.updateUser('admin', { password: 'a new admin password' });
    expect(() => statSync(file)).toThrow();
  });
});

describe('sessions', () => {
  it('end at the absolute lifetime and after the idle timeout; activity keeps them alive', async () => {
    await store.createUser('carol', 'carol-password-1', ['viewer']);
    const s = store.createSession('carol');
    expect(store.resolveSession(s.sessionId)).toMatchObject({ user: { name: 'carol' }, csrfToken: s.csrfToken });
    // Idle timeout 30 min: a request every 20 minutes keeps it...
    for (let i = 0; i < 10; i++) {
      clock.advance(20 * 60_000);
      if (clock.nowMs() - T0 < 8 * 3600_000) expect(store.resolveSession(s.sessionId), `at ${i}`).toBeDefined();
    }
    // ...until the 8 h lifetime (200 min so far; carry on to 8 h).
    clock.advance(8 * 3600_000 - 200 * 60_000 - 60_000);
    expect(store.resolveSession(s.sessionId)).toBeUndefined();

    const idle = store.createSession('carol');
    clock.advance(30 * 60_000 - 1);
    expect(store.resolveSession(idle.sessionId)).toBeDefined();
    clock.advance(30 * 60_000);
    expect(store.resolveSession(idle.sessionId)).toBeUndefined();
  });

  it('end when the user is disabled or their password changes, except the session that changed it', async () => {
    await store.createUser('dave', 'dave-password-1', ['viewer']);
    const a = store.createSession('dave');
    const b = store.createSession('dave');
    await store.updateUser('dave', { password: 'dave-password-2' }, a.sessionId);
    expect(store.resolveSession(a.sessionId)).toBeDefined();
    expect(store.resolveSession(b.sessionId)).toBeUndefined();
    await store.updateUser('dave', { disabled: true });
    expect(store.resolveSession(a.sessionId)).toBeUndefined();
  });

  it('store only a hash of the session id', async () => {
    await store.createUser('erin', 'erin-password-1', ['viewer']);
    const s = store.createSession('erin');
    store.close();
    const raw = readFileSync(join(dir, 'access.db')).toString('latin1') + readWal();
    expect(raw).not.toContain(s.sessionId);
    expect(statSync(join(dir, 'access.db')).mode & 0o777).toBe(0o600);
    store = AccessStore.open({ dir, clock, scrypt: FAST });
    expect(store.resolveSession(s.sessionId)).toBeDefined();
  });
});

function readWal(): string {
  try {
    return readFileSync(join(dir, 'access.db-wal')).toString('latin1');
  } catch {
    return '';
  }
}

describe('tokens', () => {
  it('are wk_ secrets stored as SHA-256 only, usable until revoked', () => {
    const { secret, token } = store.createToken({ name: 'grafana', roles: ['viewer'], createdBy: 'test' });
    expect(secret).toMatch(/^wk_[A-Za-z0-9_-]{43}$/);
    expect(token.id).toMatch(/^tok_[0-9a-f]{16}$/);
    expect(store.resolveToken(secret)).toMatchObject({ id: token.id, roles: ['viewer'], lastUsedAtMs: T0 });
    expect(store.resolveToken(`${secret}x`)).toBeUndefined();
    expect(store.resolveToken('not-a-token')).toBeUndefined();
    const db = new Database(join(dir, 'access.db'), { readonly: true });
    const rows = db.prepare('SELECT * FROM tokens').all();
    db.close();
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(rows)).not.toContain(secret.slice(3));
    store.revokeToken(token.id);
    expect(store.resolveToken(secret)).toBeUndefined();
    expect(store.listTokens()[0]).toMatchObject({ id: token.id, revokedAtMs: T0 });
    expect(store.listTokens(true)).toEqual([]);
    expect(() => store.createToken({ name: 'x', roles: [], createdBy: 't' })).toThrow(/at least one role/);
  });
});

describe('audit log', () => {
  it('records entries in one batch, lists newest first with filters, and drops them after retention', () => {
    const principal = { kind: 'user' as const, name: 'frank', roles: ['viewer' as const] };
    store.audit.record({
      action: 'query',
      decision: 'denied',
      principal,
      resource: '_sms_markup',
      remoteAddress: '10.0.0.1',
    });
    clock.advance(1000);
    store.audit.record({ action: 'login', decision: 'allowed', principal, resource: 'frank' });
    const all = store.audit.list();
    expect(all.map((a) => a.action)).toEqual(['login', 'query']);
    expect(all[1]).toMatchObject({ atMs: T0, decision: 'denied', principal, remoteAddress: '10.0.0.1' });
    expect(store.audit.list({ decision: 'denied' }).map((a) => a.action)).toEqual(['query']);
    expect(store.audit.list({ action: 'login', principal: 'frank' })).toHaveLength(1);
    expect(store.audit.list({ sinceMs: T0 + 1 })).toHaveLength(1);
    expect(store.audit.list({ beforeId: all[0]!.id })).toHaveLength(1);
    clock.advance(7 * 86_400_000 + 1);
    store.audit.record({ action: 'later', decision: 'allowed', principal, resource: '' });
    store.prune();
    expect(store.audit.list().map((a) => a.action)).toEqual(['later']);
  });
});

describe('login rate limit', () => {
  it('refuses after 5 failures in 15 minutes per key, until the oldest is 15 minutes old', () => {
    const limiter = new LoginRateLimiter({ clock, maxFailures: 5, windowMs: 15 * 60_000 });
    const keys = loginKeys('Alice', '10.0.0.1');
    for (let i = 0; i < 5; i++) {
      expect(limiter.retryAfterMs(keys)).toBe(0);
      limiter.recordFailure(keys);
      clock.advance(60_000);
    }
    // First failure at T0, now T0+5min: locked for 10 more minutes.
    expect(limiter.retryAfterMs(keys)).toBe(10 * 60_000);
    // Another address, same user: locked; same address, another user: locked.
    expect(limiter.retryAfterMs(loginKeys('alice', '10.0.0.2'))).toBe(10 * 60_000);
    expect(limiter.retryAfterMs(loginKeys('bob', '10.0.0.1'))).toBe(10 * 60_000);
    expect(limiter.retryAfterMs(loginKeys('bob', '10.0.0.2'))).toBe(0);
    clock.advance(10 * 60_000);
    expect(limiter.retryAfterMs(keys)).toBe(0);
    limiter.recordFailure(keys);
    expect(limiter.retryAfterMs(keys)).toBe(60_000);
  });
});
