/**
 * Access control over real HTTP (issue 6): a server from main.ts on 127.0.0.1 with a ManualClock,
 * its first-start admin, logins with cookies and CSRF, the login rate limit, session expiry, each
 * role's permissions, API tokens (hash only on disk), the admin token, open endpoints, the
 * `token create` command, and random bytes in the credential headers. The kill -9 restart runs
 * the built `watchkeeper serve` as a process.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLE_PERMISSIONS, ROLES, type Permission } from '../../packages/server/src/access/index.js';
import { runToken, runUser } from '../../packages/server/src/cli/access.js';
import { resolveConfig } from '../../packages/server/src/config/index.js';
import { ManualClock } from '../../packages/server/src/lib/clock.js';
import { startServer, type RunningServer } from '../../packages/server/src/main.js';
import { freePort, startServe, TEST_ADMIN_TOKEN } from './helpers.js';

const T0 = Date.UTC(2026, 10, 27, 9);
const MIN = 60_000;

interface Res {
  status: number;
  body: { status?: string; data?: unknown; errorType?: string; error?: string } & Record<string, unknown>;
  headers: Headers;
}

/** A browser-ish client: keeps cookies, sends the CSRF header when told to. */
class Client {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async send(
    method: string,
    path: string,
    opts: {
      body?: unknown;
      bearer?: string;
      csrf?: string | false;
      form?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Res> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (opts.bearer !== undefined) headers.authorization = `Bearer ${opts.bearer}`;
    const csrf = opts.csrf === undefined ? this.cookies.get('wk_csrf') : opts.csrf;
    if (csrf !== false && csrf !== undefined && method !== 'GET') headers['x-csrf-token'] = csrf;
    let body: string | undefined;
    if (opts.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = opts.form;
    } else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const res = await fetch(this.base + path, { method, headers, ...(body !== undefined && { body }) });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const [k, v] = [pair!.slice(0, i), pair!.slice(i + 1)];
      if (v === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    const text = await res.text();
    let parsed: Res['body'] = {};
    try {
      parsed = JSON.parse(text) as Res['body'];
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  login(username: string, password: string): Promise<Res> {
    return this.send('POST', '/api/wk/login', { body: { username, password } });
  }
}

let dir = '';
let clock: ManualClock;
let server: RunningServer;
let adminPassword = '';
const admin = (): Client => new Client(server.url);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wk-auth-'));
  clock = new ManualClock(T0);
  const config = resolveConfig(
    {
      web: { listen_address: '127.0.0.1:0', enable_admin_api: true },
      storage: { path: dir },
      // No self-scrape: nothing runs on the clock but what the test does.
      scrape_configs: [{ job_name: 'watchkeeper', static_configs: [] }],
      auth: {
        session_ttl: '8h',
        session_idle_timeout: '30m',
        login_rate_limit: { max_failures: 5, window: '15m' },
      },
    },
    'auth test',
    { adminToken: TEST_ADMIN_TOKEN },
    dir,
  );
  server = await startServer({ config, clock });
  adminPassword = readFileSync(join(dir, 'initial-admin-password'), 'utf8').trim();
});

afterAll(async () => {
  await server?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** Moves the clock past the login rate limit window (other tests log in from the same address). */
function pastRateLimit(): void {
  clock.advance(16 * MIN);
}

describe('first start', () => {
  it('creates admin with a one-time password in a 0600 file, and it logs in', async () => {
    expect(adminPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(statSync(join(dir, 'initial-admin-password')).mode & 0o777).toBe(0o600);
    const c = admin();
    const res = await c.login('admin', adminPassword);
    expect(res).toMatchObject({ status: 200, body: { status: 'success', data: { name: 'admin', roles: ['admin'] } } });
    expect(server.access.listUsers().map((u) => u.name)).toEqual(['admin']);
  });
});

describe('open endpoints', () => {
  it('health, readiness, self-metrics, the UI and the signed endpoints need no credential', async () => {
    const c = admin();
    for (const path of ['/-/healthy', '/-/ready', '/metrics']) {
      expect((await c.send('GET', path)).status, path).toBe(200);
    }
    // The web UI's files (503: a page saying the UI is not built).
    for (const path of ['/', '/login', '/dashboards/executive']) {
      expect([200, 503], path).toContain((await c.send('GET', path)).status);
    }
    // Signed endpoints: their own checks answer, not access control.
    const ack = await c.send('GET', '/api/wk/ack/not-a-valid-link');
    expect([401, 403]).not.toContain(ack.status);
    const webhook = await c.send('POST', '/api/wk/integrations/pagerduty/webhook', { body: {} });
    expect(webhook.status).toBe(400);
  });

  it('everything else under the API answers 401 with Prometheus-style JSON', async () => {
    const c = admin();
    for (const [method, path] of [
      ['GET', '/api/v1/query?query=up'],
      ['POST', '/api/v1/query'],
      ['GET', '/api/v1/labels'],
      ['GET', '/api/v2/alerts'],
      ['POST', '/api/v1/write'],
      ['GET', '/api/wk/me'],
      ['GET', '/api/wk/users'],
      ['GET', '/api/wk/audit'],
      ['GET', '/api/wk/no-such-thing'],
      ['DELETE', '/api/v2/silence/abc'],
      ['POST', '/v1/metrics'],
    ]) {
      const res = await c.send(method!, path!);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toMatchObject({ status: 'error', errorType: 'unauthorized' });
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });
});

describe('login, sessions, logout', () => {
  it('sets an HttpOnly SameSite=Strict session cookie and a readable CSRF cookie; logout ends the session', async () => {
    pastRateLimit();
    const c = admin();
    const res = await fetch(`${server.url}/api/wk/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: adminPassword }),
    });
    expect(res.status).toBe(200);
    const setCookies = res.headers.getSetCookie();
    const session = setCookies.find((s) => s.startsWith('wk_session='))!;
    const csrf = setCookies.find((s) => s.startsWith('wk_csrf='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Strict/i);
    expect(session).toMatch(/Path=\//);
    expect(session).not.toMatch(/Secure/); // plain HTTP and cookie_secure false
    expect(csrf).not.toMatch(/HttpOnly/i);
    expect(csrf).toMatch(/SameSite=Strict/i);

    await c.login('admin', adminPassword);
    const me = await c.send('GET', '/api/wk/me');
    expect(me.body.data).toEqual({ kind: 'user', name: 'admin', roles: ['admin'], permissions: [...PERMISSIONS] });
    expect((await c.send('GET', '/api/v1/query?query=1')).status).toBe(200);
    const sessionCookie = c.cookies.get('wk_session')!;
    expect((await c.send('POST', '/api/wk/logout', { body: {} })).status).toBe(200);
    expect(c.cookies.has('wk_session')).toBe(false);
    // The old cookie no longer works either.
    c.cookies.set('wk_session', sessionCookie);
    expect((await c.send('GET', '/api/wk/me')).status).toBe(401);
  });

  it('refuses a wrong password and an unknown user with the same answer, and form-encoded logins', async () => {
    pastRateLimit();
    const c = admin();
    const wrong = await c.login('admin', 'not the password');
    const unknown = await c.login('nobody', 'not the password');
    expect(wrong).toMatchObject({
      status: 401,
      body: { errorType: 'unauthorized', error: 'wrong user name or password' },
    });
    expect(unknown.body).toEqual(wrong.body);
    expect(c.cookies.size).toBe(0);
    const form = await c.send('POST', '/api/wk/login', { form: `username=admin&password=${adminPassword}` });
    expect(form.status).toBe(415);
    expect((await c.send('POST', '/api/wk/login', { body: { username: 'admin' } })).status).toBe(400);
  });

  it('rate-limits logins: 5 failures in 15 minutes, then 429 with Retry-After, even for the right password, until the window passes', async () => {
    pastRateLimit();
    const metric = async (): Promise<number> => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return Number(/^watchkeeper_login_attempts_total\{result="rate_limited"\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const before = await metric();
    const c = admin();
    for (let i = 0; i < 5; i++) {
      expect((await c.login('admin', `wrong-${i}`)).status).toBe(401);
      clock.advance(MIN);
    }
    const limited = await c.login('admin', adminPassword);
    expect(limited.status).toBe(429);
    expect(limited.body.errorType).toBe('too_many_requests');
    // The first failure was 5 minutes ago: 10 minutes to go.
    expect(Number(limited.headers.get('retry-after'))).toBe(600);
    expect(await metric()).toBe(before + 1);
    clock.advance(10 * MIN - 1000);
    expect((await c.login('admin', adminPassword)).status).toBe(429);
    clock.advance(1000);
    expect((await c.login('admin', adminPassword)).status).toBe(200);

    const audit = await admin().send('GET', '/api/wk/audit?action=login&decision=denied&limit=10', {
      bearer: TEST_ADMIN_TOKEN,
    });
    const details = (audit.body.data as { detail: string; resource: string }[]).map((a) => a.detail);
    expect(details).toContain('rate limited');
    expect(details).toContain('wrong user name or password');
  });

  it('ends a session after the idle timeout, and at the absolute lifetime however active', async () => {
    pastRateLimit();
    const c = admin();
    await c.login('admin', adminPassword);
    clock.advance(29 * MIN);
    expect((await c.send('GET', '/api/wk/me')).status).toBe(200);
    clock.advance(29 * MIN);
    expect((await c.send('GET', '/api/wk/me')).status).toBe(200);
    clock.advance(30 * MIN);
    const idle = await c.send('GET', '/api/wk/me');
    expect(idle.status).toBe(401);
    expect(idle.body.error).toMatch(/expired/);

    const active = admin();
    await active.login('admin', adminPassword);
    for (let t = 0; t < 8 * 60 - 20; t += 20) {
      clock.advance(20 * MIN);
      expect((await active.send('GET', '/api/wk/me')).status, `after ${t + 20} min`).toBe(200);
    }
    clock.advance(20 * MIN); // 8 h after login
    expect((await active.send('GET', '/api/wk/me')).status).toBe(401);
  });
});

describe('CSRF', () => {
  it('a cookie-authenticated unsafe request needs the session CSRF token; GET and bearer requests do not', async () => {
    pastRateLimit();
    const c = admin();
    await c.login('admin', adminPassword);
    const query = { form: 'query=1+%2B+1' };
    const missing = await c.send('POST', '/api/v1/query', { ...query, csrf: false });
    expect(missing).toMatchObject({ status: 403, body: { errorType: 'forbidden' } });
    expect(missing.body.error).toMatch(/x-csrf-token/i);
    expect((await c.send('POST', '/api/v1/query', { ...query, csrf: 'wrong' })).status).toBe(403);
    // Another session's token is wrong too.
    const other = admin();
    await other.login('admin', adminPassword);
    expect((await c.send('POST', '/api/v1/query', { ...query, csrf: other.cookies.get('wk_csrf')! })).status).toBe(403);
    expect((await c.send('POST', '/api/v1/query', query)).status).toBe(200);
    expect((await c.send('GET', '/api/v1/query?query=1')).status).toBe(200);
    // Logout is protected too (no forced logout from another site).
    expect((await c.send('POST', '/api/wk/logout', { body: {}, csrf: false })).status).toBe(403);
    // Bearer requests carry no ambient credential: no CSRF token needed.
    const bearer = new Client(server.url);
    expect((await bearer.send('POST', '/api/v1/query', { ...query, bearer: TEST_ADMIN_TOKEN })).status).toBe(200);
  });
});

/** Representative endpoints and the permission each needs; `ok` are the statuses of an allowed call. */
const ENDPOINTS: { method: string; path: string; need: Permission; body?: unknown; form?: string }[] = [
  { method: 'GET', path: '/api/v1/query?query=1', need: 'metrics:read' },
  { method: 'POST', path: '/api/v1/query_range', need: 'metrics:read', form: 'query=1&start=0&end=60&step=15' },
  { method: 'GET', path: '/api/v1/labels', need: 'metrics:read' },
  { method: 'GET', path: '/api/v1/status/buildinfo', need: 'metrics:read' },
  { method: 'GET', path: '/api/v1/rules', need: 'metrics:read' },
  { method: 'GET', path: '/api/v2/alerts', need: 'alerts:read' },
  { method: 'GET', path: '/api/v2/silences', need: 'alerts:read' },
  { method: 'GET', path: '/api/wk/incidents', need: 'alerts:read' },
  {
    method: 'POST',
    path: '/api/v2/silences',
    need: 'alerts:write',
    body: {
      matchers: [{ name: 'alertname', value: 'Test', isRegex: false, isEqual: true }],
      startsAt: new Date(T0).toISOString(),
      endsAt: new Date(T0 + 365 * 86_400_000).toISOString(),
      createdBy: 'test',
      comment: 'auth test',
    },
  },
  { method: 'POST', path: '/api/wk/incidents/999999/acknowledge', need: 'alerts:write', body: {} },
  { method: 'POST', path: '/api/v2/alerts', need: 'ingest:write', body: [] },
  { method: 'POST', path: '/api/v1/write', need: 'ingest:write', body: {} },
  { method: 'GET', path: '/api/wk/audit', need: 'audit:read' },
  { method: 'GET', path: '/api/wk/users', need: 'admin' },
  { method: 'GET', path: '/api/wk/tokens', need: 'admin' },
  { method: 'POST', path: '/api/v1/admin/tsdb/delete_series', need: 'admin', form: 'match[]=nothing_here' },
];

describe('roles', () => {
  it.each(ROLES)('%s reaches exactly the endpoints its permissions allow', async (role) => {
    const { secret } = server.access.createToken({ name: `role ${role}`, roles: [role], createdBy: 'test' });
    const c = new Client(server.url);
    const me = await c.send('GET', '/api/wk/me', { bearer: secret });
    expect(me.body.data).toMatchObject({ kind: 'token', roles: [role], permissions: [...ROLE_PERMISSIONS[role]] });
    for (const e of ENDPOINTS) {
      const res = await c.send(e.method, e.path, {
        bearer: secret,
        ...(e.body !== undefined && { body: e.body }),
        ...(e.form !== undefined && { form: e.form }),
      });
      const allowed = ROLE_PERMISSIONS[role].includes(e.need);
      const what = `${role}: ${e.method} ${e.path} (${e.need}) → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
      if (allowed) {
        expect([401, 403, 500], what).not.toContain(res.status);
      } else {
        expect(res.status, what).toBe(403);
        expect(res.body.errorType, what).toBe('forbidden');
      }
    }
  });

  it('a denied request is in the audit log', async () => {
    const { token } = server.access.createToken({ name: 'audit check', roles: ['viewer'], createdBy: 'test' });
    const res = await admin().send('GET', `/api/wk/audit?principal=${token.id}`, { bearer: TEST_ADMIN_TOKEN });
    expect(res.body.data).toEqual([]); // nothing yet
    const { secret, token: t2 } = server.access.createToken({ name: 'denied', roles: ['viewer'], createdBy: 'test' });
    expect((await new Client(server.url).send('GET', '/api/wk/users', { bearer: secret })).status).toBe(403);
    const after = await admin().send('GET', `/api/wk/audit?principal=${t2.id}`, { bearer: TEST_ADMIN_TOKEN });
    expect(after.body.data).toEqual([
      expect.objectContaining({
        action: 'http',
        decision: 'denied',
        resource: 'GET /api/wk/users',
        detail: 'needs admin',
        principal: { kind: 'token', name: t2.id, roles: ['viewer'] },
      }),
    ]);
  });
});

describe('API tokens', () => {
  it('are created once with their secret, work as Bearer, are stored as a hash only, and stop at revocation', async () => {
    const c = new Client(server.url);
    const created = await c.send('POST', '/api/wk/tokens', {
      bearer: TEST_ADMIN_TOKEN,
      body: { name: 'grafana', roles: ['viewer'], comment: 'data source' },
    });
    expect(created.status).toBe(201);
    const data = created.body.data as { id: string; token: string; roles: string[]; createdBy: string };
    expect(data).toMatchObject({ roles: ['viewer'], createdBy: 'admin-token:admin-token' });
    const secret = data.token;
    expect(secret).toMatch(/^wk_/);

    expect((await c.send('GET', '/api/v1/query?query=1', { bearer: secret })).status).toBe(200);
    expect((await c.send('GET', '/api/wk/users', { bearer: secret })).status).toBe(403);
    // Lists never show the secret.
    const list = await c.send('GET', '/api/wk/tokens', { bearer: TEST_ADMIN_TOKEN });
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect((list.body.data as { id: string; lastUsedAt?: string }[]).find((t) => t.id === data.id)).toMatchObject({
      lastUsedAt: new Date(clock.nowMs()).toISOString(),
    });
    // Nor does the database (tables, WAL, audit log).
    const db = new Database(join(dir, 'access.db'), { readonly: true });
    const dump = JSON.stringify(
      ['users', 'sessions', 'tokens', 'audit'].map((t) => db.prepare(`SELECT * FROM ${t}`).all()),
    );
    db.close();
    expect(dump).toContain(data.id);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(secret.slice(3));
    for (const f of ['access.db', 'access.db-wal']) {
      if (existsSync(join(dir, f))) expect(readFileSync(join(dir, f)).includes(secret.slice(3)), f).toBe(false);
    }

    const revoked = await c.send('DELETE', `/api/wk/tokens/${data.id}`, { bearer: TEST_ADMIN_TOKEN });
    expect(revoked.status).toBe(200);
    const after = await c.send('GET', '/api/v1/query?query=1', { bearer: secret });
    expect(after).toMatchObject({
      status: 401,
      body: { errorType: 'unauthorized', error: 'invalid or revoked token' },
    });
    expect((await c.send('DELETE', '/api/wk/tokens/tok_nope', { bearer: TEST_ADMIN_TOKEN })).status).toBe(404);
    expect(
      (await c.send('POST', '/api/wk/tokens', { bearer: TEST_ADMIN_TOKEN, body: { name: 'x', roles: ['god'] } }))
        .status,
    ).toBe(400);
  });

  it('the admin token from the environment is an admin everywhere; a wrong one is refused', async () => {
    const c = new Client(server.url);
    const me = await c.send('GET', '/api/wk/me', { bearer: TEST_ADMIN_TOKEN });
    expect(me.body.data).toMatchObject({ kind: 'admin-token', name: 'admin-token', roles: ['admin'] });
    for (const e of ENDPOINTS) {
      const res = await c.send(e.method, e.path, {
        bearer: TEST_ADMIN_TOKEN,
        ...(e.body !== undefined && { body: e.body }),
        ...(e.form !== undefined && { form: e.form }),
      });
      expect([401, 403, 500], `${e.method} ${e.path}`).not.toContain(res.status);
    }
    expect((await c.send('GET', '/api/wk/me', { bearer: `${TEST_ADMIN_TOKEN}x` })).status).toBe(401);
    expect(
      (await c.send('GET', '/api/wk/me', { headers: { authorization: `Basic ${TEST_ADMIN_TOKEN}` } })).status,
    ).toBe(401);
  });

  it('`watchkeeper token create|list|revoke` work on the running server’s database', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
    const code = await runToken(['create', '--role', 'ops', '--name', 'script', '--storage.path', dir], io);
    expect(code, err.join('')).toBe(0);
    const secret = out.join('').trim();
    expect(secret).toMatch(/^wk_[A-Za-z0-9_-]{43}$/);
    expect(err.join('')).toMatch(/Created token tok_[0-9a-f]{16} \(script; roles ops\)/);
    const c = new Client(server.url);
    expect((await c.send('GET', '/api/wk/me', { bearer: secret })).body.data).toMatchObject({
      kind: 'token',
      roles: ['ops'],
    });
    const id = /tok_[0-9a-f]{16}/.exec(err.join(''))![0];

    out.length = 0;
    expect(await runToken(['list', '--storage.path', dir], io)).toBe(0);
    expect(out.join('')).toMatch(new RegExp(`^${id}\\s+script\\s+ops\\s`, 'm'));
    expect(out.join('')).not.toContain(secret);
    expect(await runToken(['revoke', id, '--storage.path', dir], io)).toBe(0);
    expect((await c.send('GET', '/api/wk/me', { bearer: secret })).status).toBe(401);

    err.length = 0;
    expect(await runToken(['create', '--storage.path', dir], io)).toBe(2);
    expect(err.join('')).toMatch(/--role is required/);
    expect(await runToken(['create', '--role', 'root', '--storage.path', dir], io)).toBe(1);
    expect(await runToken(['revoke', 'tok_nope', '--storage.path', dir], io)).toBe(1);

    out.length = 0;
    expect(await runUser(['create', 'cli-user', '--role', 'exec', '--storage.path', dir], io)).toBe(0);
    const password = out.join('').trim();
    pastRateLimit();
    expect((await new Client(server.url).login('cli-user', password)).body.data).toEqual({
      name: 'cli-user',
      roles: ['exec'],
    });
  });
});

describe('users API', () => {
  it('creates users (a generated password shown once), changes roles and passwords, disables and deletes', async () => {
    pastRateLimit();
    const root = new Client(server.url);
    const create = await root.send('POST', '/api/wk/users', {
      bearer: TEST_ADMIN_TOKEN,
      body: { name: 'vera', roles: ['viewer'] },
    });
    expect(create.status).toBe(201);
    const pw = (create.body.data as { password: string }).password;
    expect(pw).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(
      (
        await root.send('POST', '/api/wk/users', {
          bearer: TEST_ADMIN_TOKEN,
          body: { name: 'VERA', roles: ['viewer'] },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await root.send('POST', '/api/wk/users', {
          bearer: TEST_ADMIN_TOKEN,
          body: { name: 'w', roles: ['viewer'], password: 'short' },
        })
      ).status,
    ).toBe(400);
    const list = await root.send('GET', '/api/wk/users', { bearer: TEST_ADMIN_TOKEN });
    expect(JSON.stringify(list.body)).not.toContain('scrypt');

    const vera = new Client(server.url);
    expect((await vera.login('vera', pw)).status).toBe(200);
    expect((await vera.send('GET', '/api/v2/alerts')).status).toBe(403);
    // Roles change at once, for the running session too.
    await root.send('PATCH', '/api/wk/users/vera', { bearer: TEST_ADMIN_TOKEN, body: { roles: ['ops'] } });
    expect((await vera.send('GET', '/api/v2/alerts')).status).toBe(200);
    // Her own password: needs the current one; her session stays.
    expect(
      (
        await vera.send('POST', '/api/wk/me/password', {
          body: { currentPassword: 'wrong', newPassword: 'vera-new-password' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await vera.send('POST', '/api/wk/me/password', {
          body: { currentPassword: pw, newPassword: 'vera-new-password' },
        })
      ).status,
    ).toBe(200);
    expect((await vera.send('GET', '/api/wk/me')).status).toBe(200);
    expect((await new Client(server.url).login('vera', pw)).status).toBe(401);
    // Disabled: her session ends and she cannot log in.
    await root.send('PATCH', '/api/wk/users/vera', { bearer: TEST_ADMIN_TOKEN, body: { disabled: true } });
    expect((await vera.send('GET', '/api/wk/me')).status).toBe(401);
    expect((await new Client(server.url).login('vera', 'vera-new-password')).status).toBe(401);
    expect((await root.send('DELETE', '/api/wk/users/vera', { bearer: TEST_ADMIN_TOKEN })).status).toBe(200);
    expect((await root.send('DELETE', '/api/wk/users/vera', { bearer: TEST_ADMIN_TOKEN })).status).toBe(404);
    // The last admin stays.
    const last = await root.send('PATCH', '/api/wk/users/admin', {
      bearer: TEST_ADMIN_TOKEN,
      body: { roles: ['viewer'] },
    });
    expect(last).toMatchObject({ status: 409, body: { errorType: 'conflict' } });

    const audit = await root.send('GET', '/api/wk/audit?principal=admin-token&limit=50', { bearer: TEST_ADMIN_TOKEN });
    const actions = (audit.body.data as { action: string; resource: string }[]).map((a) => `${a.action} ${a.resource}`);
    expect(actions).toEqual(expect.arrayContaining(['user_create vera', 'user_update vera', 'user_delete vera']));
    expect(JSON.stringify(audit.body)).not.toContain(pw);
  });

  it('changing the first admin password removes the one-time password file', async () => {
    pastRateLimit();
    const c = new Client(server.url);
    await c.login('admin', adminPassword);
    const res = await c.send('PATCH', '/api/wk/users/admin', { body: { password: 'the admin password now' } });
    expect(res.status).toBe(200);
    expect(existsSync(join(dir, 'initial-admin-password'))).toBe(false);
    // The admin's own session stays; logging in takes the new password.
    expect((await c.send('GET', '/api/wk/me')).status).toBe(200);
    adminPassword = 'the admin password now';
    expect((await new Client(server.url).login('admin', adminPassword)).status).toBe(200);
  });
});

/** Sends raw bytes as a header over a socket (fetch refuses them) and returns the status code. */
function rawStatus(port: number, path: string, header: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'));
      resolve(m ? Number(m[1]) : 0);
    });
    socket.write(
      Buffer.concat([
        Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`, 'latin1'),
        header,
        Buffer.from('\r\n\r\n', 'latin1'),
      ]),
    );
  });
}

describe('fuzzing the credential headers', () => {
  it('random cookies and Authorization headers never give a 500, nor access', async () => {
    const port = Number(new URL(server.url).port);
    const alphabet = Buffer.from(
      'wk_session=wk_csrf=;, "%\\\t=Bearer Basic wk_abc%ZZ%E0%A4%A%00\u00e9\u00ff',
      'latin1',
    );
    const seen = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const len = 1 + Math.floor(Math.random() * 200);
      // Half fully random bytes (no CR/LF, which would end the header), half from a cookie-ish alphabet.
      const value =
        i % 2 === 0
          ? Buffer.from([...randomBytes(len)].map((b) => (b === 13 || b === 10 ? 32 : b)))
          : Buffer.from(Array.from({ length: len }, () => alphabet[Math.floor(Math.random() * alphabet.length)]!));
      const name = i % 3 === 0 ? 'Authorization: ' : 'Cookie: ';
      const prefix = i % 3 === 2 ? 'wk_session=' : i % 3 === 0 && i % 2 === 1 ? 'Bearer ' : '';
      const header = Buffer.concat([Buffer.from(name + prefix, 'latin1'), value]);
      const status = await rawStatus(port, '/api/v1/query?query=1', header);
      seen.set(status, (seen.get(status) ?? 0) + 1);
      expect([400, 401], `header ${header.toString('hex')}`).toContain(status);
      const open = await rawStatus(port, '/-/healthy', header);
      expect([200, 400], `header ${header.toString('hex')}`).toContain(open);
    }
    expect(seen.get(401)).toBeGreaterThan(50);
  });
});

describe('restart after kill -9', () => {
  it('keeps users, sessions and tokens', async () => {
    const storage = mkdtempSync(join(tmpdir(), 'wk-auth-kill9-'));
    const port = await freePort();
    let proc = await startServe(['--storage.path', storage], port);
    try {
      expect(proc.output()).toMatch(
        /level=warn component=access msg="created the first admin user" user=admin password=\S+/,
      );
      const password = readFileSync(join(storage, 'initial-admin-password'), 'utf8').trim();
      expect(proc.output()).toContain(`password=${password}`);
      const c = new Client(proc.url);
      const created = await c.send('POST', '/api/wk/tokens', {
        bearer: TEST_ADMIN_TOKEN,
        body: { name: 'survivor', roles: ['exec'] },
      });
      const secret = (created.body.data as { token: string }).token;
      const browser = new Client(proc.url);
      expect((await browser.login('admin', password)).status).toBe(200);
      expect(await proc.stop('SIGKILL')).toBeNull();

      proc = await startServe(['--storage.path', storage], port);
      expect(proc.output()).not.toMatch(/created the first admin user/);
      expect((await c.send('GET', '/api/wk/me', { bearer: secret })).body.data).toMatchObject({
        kind: 'token',
        roles: ['exec'],
      });
      expect((await browser.send('GET', '/api/wk/me')).body.data).toMatchObject({ kind: 'user', name: 'admin' });
      expect((await new Client(proc.url).login('admin', password)).status).toBe(200);
    } finally {
      await proc.stop();
      rmSync(storage, { recursive: true, force: true });
    }
  }, 60_000);
});
