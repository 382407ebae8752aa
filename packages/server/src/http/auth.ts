/**
 * Authentication and authorization of every request (issue 6). An `onRequest` hook, registered
 * before any route, resolves who is calling — `Authorization: Bearer <token>` (an API token, or
 * the admin token of WATCHKEEPER_ADMIN_TOKEN), else the `wk_session` cookie, else nobody — sets
 * the principal (principal.ts) and checks the one permission ROUTE_PERMISSIONS names for the
 * route, before the body is read. Cookie-authenticated unsafe requests must also carry the
 * session's CSRF token in `X-CSRF-Token` (double submit: the readable `wk_csrf` cookie holds it).
 *
 * The table is matched against the route the router chose (`/api/wk/users/:name`), not the raw
 * URL, so that percent-encoding or an odd path cannot reach a route past a rule written for it.
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import {
  ANONYMOUS,
  hasPermission,
  safeEqual,
  type AccessStore,
  type Permission,
  type Principal,
  type SessionInfo,
} from '../access/index.js';
import type { Clock } from '../lib/clock.js';
import { setPrincipal } from './principal.js';

export const SESSION_COOKIE = 'wk_session';
export const CSRF_COOKIE = 'wk_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** What a route needs: nothing, any principal that is not anonymous, or a permission. */
export type RouteRequirement = 'open' | 'authenticated' | Permission;

export interface RouteRule {
  /** Methods (HEAD counts as GET), or `*` for any. */
  readonly methods: readonly string[] | '*';
  /**
   * A path pattern: `*` is one segment (a route's `:id` or any value), a trailing `**` any number
   * of segments (none included).
   */
  readonly path: string;
  readonly need: RouteRequirement;
}

const r = (methods: string, path: string, need: RouteRequirement): RouteRule => ({
  methods: methods === '*' ? '*' : methods.split('|'),
  path,
  need,
});

/**
 * THE permission table: the first rule that matches a request decides. Anything under the API
 * prefixes (`/api/`, `/v1/`, `/loki/`) not named here needs `admin`; other paths are the web UI's
 * files (open, so that the login page loads).
 */
export const ROUTE_PERMISSIONS: readonly RouteRule[] = [
  // Open: health, self-metrics, login, and the endpoints that carry their own signature.
  r('GET', '/-/healthy', 'open'),
  r('GET', '/-/ready', 'open'),
  r('GET', '/metrics', 'open'),
  r('POST', '/api/wk/login', 'open'),
  r('GET|POST', '/api/wk/ack/*', 'open'), // acknowledgement links: HMAC-signed
  r('POST', '/api/wk/integrations/pagerduty/webhook', 'open'), // PagerDuty's signature
  // Any principal: who am I, log out, change my password.
  r('GET', '/api/wk/me', 'authenticated'),
  r('POST', '/api/wk/logout', 'authenticated'),
  r('POST', '/api/wk/me/password', 'authenticated'),
  // Prometheus API.
  r('*', '/api/v1/admin/**', 'admin'),
  r('POST', '/api/v1/write', 'ingest:write'),
  r('POST', '/api/v1/query', 'metrics:read'),
  r('POST', '/api/v1/query_range', 'metrics:read'),
  r('POST', '/api/v1/query_exemplars', 'metrics:read'),
  r('POST', '/api/v1/labels', 'metrics:read'),
  r('POST', '/api/v1/series', 'metrics:read'),
  r('POST', '/api/v1/format_query', 'metrics:read'),
  r('POST', '/api/v1/parse_query', 'metrics:read'),
  r('GET', '/api/v1/**', 'metrics:read'),
  // Alertmanager API v2.
  r('POST', '/api/v2/alerts', 'ingest:write'),
  r('POST', '/api/v2/silences', 'alerts:write'),
  r('DELETE', '/api/v2/silence/*', 'alerts:write'),
  r('GET', '/api/v2/**', 'alerts:read'),
  // Watchkeeper's API.
  r('POST', '/api/wk/incidents/*/acknowledge', 'alerts:write'),
  r('GET', '/api/wk/incidents/**', 'alerts:read'),
  r('GET', '/api/wk/suppressions', 'alerts:read'),
  r('GET', '/api/wk/dashboards/**', 'metrics:read'),
  r('GET', '/api/wk/audit', 'audit:read'),
  r('*', '/api/wk/users/**', 'admin'),
  r('*', '/api/wk/tokens/**', 'admin'),
  // Ingest protocols outside /api (OTLP/HTTP, Loki push) and LogQL.
  r('POST', '/v1/metrics', 'ingest:write'),
  r('POST', '/v1/logs', 'ingest:write'),
  r('POST', '/v1/traces', 'ingest:write'),
  r('POST', '/loki/api/v1/push', 'ingest:write'),
  r('GET', '/loki/api/v1/**', 'metrics:read'),
  // Whatever else is under an API prefix: admins only, until a rule above names it.
  r('*', '/api/**', 'admin'),
  r('*', '/v1/**', 'admin'),
  r('*', '/loki/**', 'admin'),
  // The web UI's files and the landing page.
  r('GET', '/**', 'open'),
  r('*', '/**', 'admin'),
];

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function pathMatches(pattern: string, path: string): boolean {
  const p = segments(pattern);
  const s = segments(path);
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '**' && i === p.length - 1) return true;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** What `method path` needs: `path` is the route's pattern, or the URL's path when no route matched. */
export function requirementOf(method: string, path: string): RouteRequirement {
  const m = method === 'HEAD' ? 'GET' : method;
  for (const rule of ROUTE_PERMISSIONS) {
    if ((rule.methods === '*' || rule.methods.includes(m)) && pathMatches(rule.path, path)) return rule.need;
  }
  return 'admin';
}

/** The principal of WATCHKEEPER_ADMIN_TOKEN. */
export const ADMIN_TOKEN_PRINCIPAL: Principal = Object.freeze({
  kind: 'admin-token',
  name: 'admin-token',
  roles: Object.freeze(['admin'] as const),
});

/** Everyone, when `auth.enabled` is false: an admin without a name. */
export const AUTH_DISABLED_PRINCIPAL: Principal = Object.freeze({
  kind: 'anonymous',
  name: 'anonymous',
  roles: Object.freeze(['admin'] as const),
});

export interface AuthOptions {
  /** false (`auth.enabled: false`): nothing is enforced and whoever sends no credential is an admin. */
  enabled: boolean;
  store: AccessStore;
  /** The login rate limit's time. */
  clock: Clock;
  /** WATCHKEEPER_ADMIN_TOKEN. */
  adminToken?: string;
  /** Secure cookies also on plain HTTP (behind a TLS proxy); HTTPS requests always get them. */
  cookieSecure: boolean;
  /** Session lifetime: the cookies' Max-Age. */
  sessionTtlMs: number;
  /** Failed logins per user name and per client address within `windowMs`. */
  loginRateLimit: { maxFailures: number; windowMs: number };
}

export interface AuthMetrics {
  logins: Counter<'result'>;
  denied: Counter<'reason'>;
}

function authMetrics(registry: Registry, store: AccessStore): AuthMetrics {
  new Gauge({
    name: 'watchkeeper_audit_write_errors',
    help: 'Audit log entries that could not be written since start.',
    registers: [registry],
    collect() {
      this.set(store.auditWriteErrors);
    },
  });
  const logins = new Counter({
    name: 'watchkeeper_login_attempts_total',
    help: 'Logins, by result: success, failure (wrong user name or password), rate_limited (refused without checking).',
    labelNames: ['result'],
    registers: [registry],
  });
  const denied = new Counter({
    name: 'watchkeeper_http_requests_denied_total',
    help: 'Requests refused by access control, by reason: unauthenticated (401), forbidden (403), csrf (403).',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const result of ['success', 'failure', 'rate_limited']) logins.inc({ result }, 0);
  for (const reason of ['unauthenticated', 'forbidden', 'csrf']) denied.inc({ reason }, 0);
  return { logins, denied };
}

interface Resolved {
  principal: Principal;
  /** Set for a cookie session: its id (for logout) and CSRF token. */
  session?: SessionInfo & { id: string };
  /** A credential was sent and is not valid. */
  problem?: string;
}

const SESSION = Symbol('watchkeeper.session');
type WithSession = FastifyRequest & { [SESSION]?: SessionInfo & { id: string } };

/** The cookie session of this request, when it was authenticated by one. */
export function sessionOf(req: FastifyRequest): (SessionInfo & { id: string }) | undefined {
  return (req as WithSession)[SESSION];
}

const BEARER_RE = /^Bearer +([!-~]+) *$/i;

function resolvePrincipal(req: FastifyRequest, opts: AuthOptions): Resolved {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const m = BEARER_RE.exec(authorization);
    if (!m) return { principal: ANONYMOUS, problem: 'unsupported Authorization header: send "Bearer <token>"' };
    const secret = m[1]!;
    if (opts.adminToken !== undefined && safeEqual(secret, opts.adminToken))
      return { principal: ADMIN_TOKEN_PRINCIPAL };
    const token = opts.store.resolveToken(secret);
    if (!token) return { principal: ANONYMOUS, problem: 'invalid or revoked token' };
    return { principal: Object.freeze({ kind: 'token', name: token.id, roles: Object.freeze(token.roles) }) };
  }
  const sessionId = req.cookies[SESSION_COOKIE];
  if (sessionId !== undefined && sessionId !== '') {
    const session = opts.store.resolveSession(sessionId);
    if (!session) return { principal: ANONYMOUS, problem: 'the session has expired or is not valid; log in again' };
    return {
      principal: Object.freeze({ kind: 'user', name: session.user.name, roles: Object.freeze(session.user.roles) }),
      session: { ...session, id: sessionId },
    };
  }
  return { principal: ANONYMOUS };
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function sendAuthError(
  reply: FastifyReply,
  status: 401 | 403 | 429,
  errorType: 'unauthorized' | 'forbidden' | 'too_many_requests',
  error: string,
): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="watchkeeper"');
  return reply
    .code(status)
    .header('content-type', 'application/json')
    .header('cache-control', 'no-store')
    .send(JSON.stringify({ status: 'error', errorType, error }));
}

/**
 * The route's pattern when the router found one; the URL's path when none did or the route is a
 * wildcard (the web UI's `/*`), so that an unknown `/api/...` path is still an API path.
 */
function routePath(req: FastifyRequest): string {
  const pattern = req.routeOptions.url;
  return pattern === undefined || pattern.endsWith('*') ? req.url.split('?', 1)[0]! : pattern;
}

/**
 * Registers cookie parsing and the access hook. Call before registering any route (fastify gives
 * a route the hooks that exist when it is added).
 */
export async function registerAuth(app: FastifyInstance, opts: AuthOptions, registry: Registry): Promise<AuthMetrics> {
  await app.register(cookie, { hook: 'onRequest' });
  const metrics = authMetrics(registry, opts.store);
  app.addHook('onRequest', async (req, reply) => {
    const resolved = resolvePrincipal(req, opts);
    const need = requirementOf(req.method, routePath(req));
    if (!opts.enabled) {
      setPrincipal(req, resolved.principal === ANONYMOUS ? AUTH_DISABLED_PRINCIPAL : resolved.principal);
      if (resolved.session) (req as WithSession)[SESSION] = resolved.session;
      return;
    }
    setPrincipal(req, resolved.principal);
    if (resolved.session) (req as WithSession)[SESSION] = resolved.session;
    if (need === 'open') return;
    if (resolved.principal.kind === 'anonymous') {
      metrics.denied.inc({ reason: 'unauthenticated' });
      return sendAuthError(reply, 401, 'unauthorized', resolved.problem ?? 'authentication required');
    }
    if (need !== 'authenticated' && !hasPermission(resolved.principal, need)) {
      metrics.denied.inc({ reason: 'forbidden' });
      opts.store.audit.record({
        action: 'http',
        decision: 'denied',
        principal: resolved.principal,
        resource: `${req.method} ${routePath(req)}`,
        detail: `needs ${need}`,
        remoteAddress: req.ip,
      });
      return sendAuthError(reply, 403, 'forbidden', `permission "${need}" is required`);
    }
    if (resolved.session && UNSAFE_METHODS.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !safeEqual(sent, resolved.session.csrfToken)) {
        metrics.denied.inc({ reason: 'csrf' });
        return sendAuthError(
          reply,
          403,
          'forbidden',
          `missing or wrong ${CSRF_HEADER} header (the ${CSRF_COOKIE} cookie)`,
        );
      }
    }
  });
  return metrics;
}

function secure(req: FastifyRequest, opts: AuthOptions): boolean {
  return opts.cookieSecure || req.protocol === 'https';
}

/** Sets the session cookie (HttpOnly) and the CSRF cookie (readable by the page's script). */
export function setSessionCookies(
  req: FastifyRequest,
  reply: FastifyReply,
  opts: AuthOptions,
  session: { sessionId: string; csrfToken: string },
): void {
  const common = {
    path: '/',
    sameSite: 'strict' as const,
    secure: secure(req, opts),
    maxAge: Math.floor(opts.sessionTtlMs / 1000),
  };
  reply.setCookie(SESSION_COOKIE, session.sessionId, { ...common, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, session.csrfToken, { ...common, httpOnly: false });
}

export function clearSessionCookies(req: FastifyRequest, reply: FastifyReply, opts: AuthOptions): void {
  const common = { path: '/', sameSite: 'strict' as const, secure: secure(req, opts) };
  reply.clearCookie(SESSION_COOKIE, { ...common, httpOnly: true });
  reply.clearCookie(CSRF_COOKIE, common);
}
