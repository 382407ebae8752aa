/**
 * Watchkeeper's access API under /api/wk: login and logout, who am I, users, API tokens and the
 * audit log. Which principal may call what is decided by auth.ts's table, before these handlers
 * run; they only do the work and write the audit log. Secrets (passwords, token secrets) appear
 * only in the one response that hands them out, never in the audit log.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AccessError,
  generatePassword,
  LoginRateLimiter,
  loginKeys,
  MAX_PASSWORD_LENGTH,
  permissionsOf,
  PERMISSIONS,
  type AuditRecord,
  type Principal,
  type TokenInfo,
  type UserInfo,
} from '../access/index.js';
import {
  clearSessionCookies,
  sendAuthError,
  sessionOf,
  setSessionCookies,
  type AuthMetrics,
  type AuthOptions,
} from './auth.js';
import { principalOf } from './principal.js';

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

function ok(reply: FastifyReply, data: unknown, status = 200): FastifyReply {
  return reply
    .code(status)
    .headers(JSON_HEADERS)
    .send(JSON.stringify({ status: 'success', ...(data !== undefined && { data }) }));
}

function fail(reply: FastifyReply, status: number, errorType: string, error: string): FastifyReply {
  return reply
    .code(status)
    .headers(JSON_HEADERS)
    .send(JSON.stringify({ status: 'error', errorType, error }));
}

function sendAccessError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof AccessError) {
    switch (err.code) {
      case 'invalid':
        return fail(reply, 400, 'bad_data', err.message);
      case 'not_found':
        return fail(reply, 404, 'not_found', err.message);
      case 'conflict':
      case 'last_admin':
        return fail(reply, 409, 'conflict', err.message);
    }
  }
  if (err instanceof z.ZodError) {
    const problems = err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
    return fail(reply, 400, 'bad_data', problems.join('; '));
  }
  throw err;
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

function userJson(u: UserInfo): Record<string, unknown> {
  return {
    name: u.name,
    roles: u.roles,
    disabled: u.disabled,
    createdAt: iso(u.createdAtMs),
    updatedAt: iso(u.updatedAtMs),
    passwordChangedAt: iso(u.passwordChangedAtMs),
  };
}

function tokenJson(t: TokenInfo): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    comment: t.comment,
    roles: t.roles,
    createdBy: t.createdBy,
    createdAt: iso(t.createdAtMs),
    ...(t.lastUsedAtMs !== undefined && { lastUsedAt: iso(t.lastUsedAtMs) }),
    ...(t.revokedAtMs !== undefined && { revokedAt: iso(t.revokedAtMs) }),
  };
}

function auditJson(a: AuditRecord): Record<string, unknown> {
  return {
    id: a.id,
    time: iso(a.atMs),
    action: a.action,
    decision: a.decision,
    principal: { kind: a.principal.kind, name: a.principal.name, roles: a.principal.roles },
    resource: a.resource,
    ...(a.detail !== undefined && { detail: a.detail }),
    ...(a.remoteAddress !== undefined && { remoteAddress: a.remoteAddress }),
  };
}

const password = z.string().min(1).max(MAX_PASSWORD_LENGTH);
const loginBody = z.object({ username: z.string().min(1).max(200), password });
const createUserBody = z
  .object({ name: z.string(), roles: z.array(z.string()), password: password.optional() })
  .strict();
const updateUserBody = z
  .object({ roles: z.array(z.string()).optional(), password: password.optional(), disabled: z.boolean().optional() })
  .strict();
const changePasswordBody = z.object({ currentPassword: password, newPassword: password }).strict();
const createTokenBody = z
  .object({ name: z.string(), roles: z.array(z.string()), comment: z.string().optional() })
  .strict();

function isJson(req: FastifyRequest): boolean {
  return /^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '');
}

export interface AccessApiOptions {
  auth: AuthOptions;
  metrics: AuthMetrics;
}

export function registerAccessApi(app: FastifyInstance, opts: AccessApiOptions): void {
  const { store } = opts.auth;
  const audit = (
    req: FastifyRequest,
    principal: Principal,
    action: string,
    decision: 'allowed' | 'denied',
    resource: string,
    detail?: string,
  ): void =>
    store.audit.record({
      action,
      decision,
      principal,
      resource,
      ...(detail !== undefined && { detail }),
      remoteAddress: req.ip,
    });
  const limiter = new LoginRateLimiter({ clock: opts.auth.clock, ...opts.auth.loginRateLimit });

  app.post('/api/wk/login', async (req, reply) => {
    // JSON only: a cross-site HTML form cannot send it, so no page can log a browser in as someone else.
    if (!isJson(req))
      return fail(reply, 415, 'bad_data', 'send {"username": ..., "password": ...} as application/json');
    const parsed = loginBody.safeParse(req.body);
    if (!parsed.success) return fail(reply, 400, 'bad_data', 'the body must be {"username": "...", "password": "..."}');
    const { username, password: pw } = parsed.data;
    const keys = loginKeys(username, req.ip);
    const waitMs = limiter.retryAfterMs(keys);
    if (waitMs > 0) {
      opts.metrics.logins.inc({ result: 'rate_limited' });
      audit(req, principalOf(req), 'login', 'denied', username, 'rate limited');
      reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
      return sendAuthError(reply, 429, 'too_many_requests', 'too many failed logins; try again later');
    }
    const user = await store.checkLogin(username, pw);
    if (!user) {
      limiter.recordFailure(keys);
      opts.metrics.logins.inc({ result: 'failure' });
      audit(req, principalOf(req), 'login', 'denied', username, 'wrong user name or password');
      return sendAuthError(reply, 401, 'unauthorized', 'wrong user name or password');
    }
    limiter.reset(keys[0]!);
    const session = store.createSession(user.name);
    setSessionCookies(req, reply, opts.auth, session);
    opts.metrics.logins.inc({ result: 'success' });
    const principal: Principal = { kind: 'user', name: user.name, roles: user.roles };
    audit(req, principal, 'login', 'allowed', user.name);
    return ok(reply, { name: user.name, roles: user.roles });
  });

  app.post('/api/wk/logout', async (req, reply) => {
    const session = sessionOf(req);
    if (session) {
      store.deleteSession(session.id);
      audit(req, principalOf(req), 'logout', 'allowed', session.user.name);
    }
    clearSessionCookies(req, reply, opts.auth);
    return ok(reply, undefined);
  });

  app.get('/api/wk/me', async (req, reply) => {
    const p = principalOf(req);
    return ok(reply, {
      kind: p.kind,
      name: p.name,
      roles: p.roles,
      // In PERMISSIONS order, so that the UI and tests see a stable list.
      permissions: PERMISSIONS.filter((perm) => permissionsOf(p).has(perm)),
    });
  });

  app.post('/api/wk/me/password', async (req, reply) => {
    const p = principalOf(req);
    const session = sessionOf(req);
    if (p.kind !== 'user' || !session) {
      return fail(reply, 400, 'bad_data', 'only a logged-in user has a password to change');
    }
    try {
      const body = changePasswordBody.parse(req.body);
      const keys = loginKeys(p.name, req.ip);
      const waitMs = limiter.retryAfterMs(keys);
      if (waitMs > 0) {
        reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
        return sendAuthError(reply, 429, 'too_many_requests', 'too many wrong passwords; try again later');
      }
      if (!(await store.checkLogin(p.name, body.currentPassword))) {
        limiter.recordFailure(keys);
        audit(req, p, 'password_change', 'denied', p.name, 'wrong current password');
        return sendAuthError(reply, 403, 'forbidden', 'the current password is wrong');
      }
      const user = await store.updateUser(p.name, { password: body.newPassword }, session.id);
      audit(req, p, 'password_change', 'allowed', p.name);
      return ok(reply, userJson(user));
    } catch (err) {
      return sendAccessError(reply, err);
    }
  });

  // ---- Users (admin) ----

  app.get('/api/wk/users', async (_req, reply) => ok(reply, store.listUsers().map(userJson)));

  app.post('/api/wk/users', async (req, reply) => {
    try {
      const body = createUserBody.parse(req.body);
      const generated = body.password === undefined ? generatePassword() : undefined;
      const user = await store.createUser(body.name, body.password ?? generated!, body.roles);
      audit(req, principalOf(req), 'user_create', 'allowed', user.name, `roles=${user.roles.join(',')}`);
      // A generated password is shown here once.
      return ok(reply, { ...userJson(user), ...(generated !== undefined && { password: generated }) }, 201);
    } catch (err) {
      return sendAccessError(reply, err);
    }
  });

  app.patch('/api/wk/users/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    try {
      const body = updateUserBody.parse(req.body ?? {});
      const p = principalOf(req);
      const keep = p.kind === 'user' && p.name.toLowerCase() === name.toLowerCase() ? sessionOf(req)?.id : undefined;
      const user = await store.updateUser(
        name,
        {
          ...(body.roles !== undefined && { roles: body.roles }),
          ...(body.password !== undefined && { password: body.password }),
          ...(body.disabled !== undefined && { disabled: body.disabled }),
        },
        keep,
      );
      const changed = [
        ...(body.roles !== undefined ? [`roles=${user.roles.join(',')}`] : []),
        ...(body.password !== undefined ? ['password changed'] : []),
        ...(body.disabled !== undefined ? [`disabled=${body.disabled}`] : []),
      ];
      audit(req, p, 'user_update', 'allowed', user.name, changed.join('; ') || 'nothing');
      return ok(reply, userJson(user));
    } catch (err) {
      return sendAccessError(reply, err);
    }
  });

  app.delete('/api/wk/users/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    try {
      store.deleteUser(name);
      audit(req, principalOf(req), 'user_delete', 'allowed', name);
      return ok(reply, undefined);
    } catch (err) {
      return sendAccessError(reply, err);
    }
  });

  // ---- API tokens (admin) ----

  app.get('/api/wk/tokens', async (_req, reply) => ok(reply, store.listTokens().map(tokenJson)));

  app.post('/api/wk/tokens', async (req, reply) => {
    try {
      const body = createTokenBody.parse(req.body);
      const p = principalOf(req);
      const { secret, token } = store.createToken({
        name: body.name,
        roles: body.roles,
        ...(body.comment !== undefined && { comment: body.comment }),
        createdBy: `${p.kind}:${p.name}`,
      });
      audit(req, p, 'token_create', 'allowed', token.id, `name=${token.name}; roles=${token.roles.join(',')}`);
      // The secret is in this response only; the database has its SHA-256.
      return ok(reply, { ...tokenJson(token), token: secret }, 201);
    } catch (err) {
      return sendAccessError(reply, err);
    }
  });

  app.delete('/api/wk/tokens/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    try {
      const token = store.revokeToken(id);
      audit(req, principalOf(req), 'token_revoke', 'allowed', token.id, `name=${token.name}`);
      return ok(reply, tokenJson(token));
    } catch (err) {
      return sendAccessError(reply, err);
    }
  });

  // ---- Audit log (audit:read) ----

  app.get('/api/wk/audit', async (req, reply) => {
    const q = req.query as Record<string, string | string[] | undefined>;
    const one = (k: string): string | undefined => {
      const v = q[k];
      return Array.isArray(v) ? v[0] : v;
    };
    const time = (k: string): number | undefined => {
      const v = one(k);
      if (v === undefined || v === '') return undefined;
      const ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
      if (!Number.isFinite(ms)) throw new AccessError('invalid', `${k}: not a time (RFC 3339 or Unix seconds)`);
      return ms;
    };
    const int = (k: string, min: number, max: number): number | undefined => {
      const v = one(k);
      if (v === undefined || v === '') return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max)
        throw new AccessError('invalid', `${k}: an integer from ${min} to ${max}`);
      return n;
    };
    try {
      const decision = one('decision');
      if (decision !== undefined && decision !== 'allowed' && decision !== 'denied') {
        throw new AccessError('invalid', 'decision: allowed or denied');
      }
      const principal = one('principal');
      const action = one('action');
      const sinceMs = time('since');
      const untilMs = time('until');
      const beforeId = int('before_id', 1, Number.MAX_SAFE_INTEGER);
      const limit = int('limit', 1, 1000);
      const records = store.audit.list({
        ...(decision !== undefined && { decision }),
        ...(principal !== undefined && principal !== '' && { principal }),
        ...(action !== undefined && action !== '' && { action }),
        ...(sinceMs !== undefined && { sinceMs }),
        ...(untilMs !== undefined && { untilMs }),
        ...(beforeId !== undefined && { beforeId }),
        ...(limit !== undefined && { limit }),
      });
      return ok(reply, records.map(auditJson));
    } catch (err) {
      return sendAccessError(reply, err);
    }
  });
}
