/**
 * Express adapter: a middleware that tracks every request, and a handler for the SDK's endpoints.
 *
 * The route template. Express knows the route only while routing, and `req.baseUrl` is the
 * *matched* prefix (`/api/vessels/vsl_1`), not the mount pattern (`/api/vessels/:vesselId`), so
 * `req.baseUrl + req.route.path` could put raw ids into the `endpoint` label. Express 5.1+'s router
 * (router 2.3+) publishes every handler invocation on the `express.router.request` diagnostics
 * tracing channel with the pattern that matched; the adapter listens to it and builds the
 * template from the mount patterns on the way down. With an older router (no channel events) it
 * falls back to `req.baseUrl + req.route.path`, bounded by the cardinality limits.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { isSdkPath, type Endpoints } from './endpoints.js';
import type { RequestTracker, TrackedRequest } from './request-tracker.js';

/** A connect-style middleware: what `app.use` takes. */
export type ExpressMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const START_CHANNEL = 'tracing:express.router.request:start';
const ERROR_CHANNEL = 'tracing:express.router.request:error';

/** Express's additions to the request that the adapter reads. */
interface ExpressRequestFields {
  baseUrl?: unknown;
  route?: { path?: unknown; stack?: unknown };
}

/** Per request: the templates of the mounts entered so far (by matched prefix) and the route found. */
interface RouteCapture {
  readonly tracked: TrackedRequest;
  readonly mounts: Map<string, string>;
}

const captures = new WeakMap<IncomingMessage, RouteCapture>();
let subscribers = 0;

function patternString(pattern: unknown): string | undefined {
  if (typeof pattern === 'string') return pattern;
  if (pattern instanceof RegExp) return String(pattern);
  return undefined;
}

function joinPath(base: string, pattern: string): string {
  const trimmed = base.endsWith('/') ? base.slice(0, -1) : base;
  if (pattern === '' || pattern === '/') return trimmed === '' ? '/' : trimmed;
  return `${trimmed}${pattern.startsWith('/') ? '' : '/'}${pattern}`;
}

/** The template of the mount whose matched prefix is `concrete` ('' for the application itself). */
function templateOf(capture: RouteCapture, concrete: string): string | undefined {
  if (concrete === '') return '';
  return capture.mounts.get(concrete);
}

/** Path segments a mount pattern consumes, when that is fixed (no wildcard, optional part or regex). */
function fixedSegments(pattern: string): number | undefined {
  if (/[*{}()?+\\]/.test(pattern) || pattern.startsWith('/^')) return undefined;
  return pattern.split('/').filter((segment) => segment !== '').length;
}

/**
 * The matched prefix of the router a mount belongs to: `concrete` without the segments the mount's
 * pattern consumed; for a pattern of varying length, the longest recorded mount inside `concrete`.
 */
function parentMount(capture: RouteCapture, concrete: string, pattern: string): string {
  const segments = fixedSegments(pattern);
  if (segments !== undefined) {
    const parts = concrete.split('/');
    return parts.slice(0, Math.max(1, parts.length - segments)).join('/');
  }
  let best = '';
  for (const key of capture.mounts.keys()) {
    if (
      key.length > best.length &&
      key.length < concrete.length &&
      concrete.startsWith(key) &&
      concrete[key.length] === '/'
    ) {
      best = key;
    }
  }
  return best;
}

function onHandlerStart(message: unknown): void {
  try {
    const m = message as { req?: IncomingMessage; layer?: unknown; route?: unknown };
    if (m.req === undefined) return;
    const capture = captures.get(m.req);
    if (capture === undefined) return;
    const pattern = patternString(m.route);
    if (pattern === undefined) return;
    const req = m.req as IncomingMessage & ExpressRequestFields;
    const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
    const stack = req.route?.stack;
    if (Array.isArray(stack) && stack.includes(m.layer)) {
      // A route handler: the template is its mount's template plus the route's path.
      const mount = templateOf(capture, base);
      if (mount !== undefined) capture.tracked.route = joinPath(mount, pattern);
      return;
    }
    if (base !== '') {
      // A middleware or router mounted on a path; the router has already moved baseUrl past it.
      // The latest mount entered at a prefix wins: a router entered earlier at the same prefix
      // (one that matched the prefix but had no route for the request) has been left.
      const parent = templateOf(capture, parentMount(capture, base, pattern)) ?? '';
      capture.mounts.set(base, joinPath(parent, pattern));
    }
  } catch {
    // Never into the host.
  }
}

function onHandlerError(message: unknown): void {
  try {
    const m = message as { req?: IncomingMessage; error?: unknown };
    if (m.req === undefined) return;
    captures.get(m.req)?.tracked.fail(m.error);
  } catch {
    // Never into the host.
  }
}

/** Subscribes to the router's channel while at least one express middleware is alive. */
export function acquireRouterChannel(): () => void {
  if (subscribers++ === 0) {
    subscribe(START_CHANNEL, onHandlerStart);
    subscribe(ERROR_CHANNEL, onHandlerError);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--subscribers === 0) {
      unsubscribe(START_CHANNEL, onHandlerStart);
      unsubscribe(ERROR_CHANNEL, onHandlerError);
    }
  };
}

function withoutQuery(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/** The request's path from the application's root (express keeps it in `originalUrl`). */
function originalPath(req: IncomingMessage): string {
  const url = (req as { originalUrl?: unknown }).originalUrl;
  return withoutQuery(typeof url === 'string' ? url : (req.url ?? '/'));
}

/** The route template when no channel event named it: `req.baseUrl + req.route.path`. */
function fallbackRoute(req: IncomingMessage): string | undefined {
  const fields = req as IncomingMessage & ExpressRequestFields;
  const path = patternString(fields.route?.path);
  if (path === undefined) return undefined;
  return joinPath(typeof fields.baseUrl === 'string' ? fields.baseUrl : '', path);
}

/** The tracking middleware; mount it first (`app.use(t.expressMiddleware())`). */
export function expressMiddleware(tracker: RequestTracker): ExpressMiddleware {
  return (req, res, next) => {
    if (isSdkPath(originalPath(req))) {
      next();
      return;
    }
    const tracked = tracker.start(req, res, undefined);
    if (tracked === undefined) {
      next();
      return;
    }
    captures.set(req, { tracked, mounts: new Map() });
    // Runs before the tracker's own 'close' listener records the request.
    res.prependOnceListener('close', () => {
      tracked.route ??= fallbackRoute(req);
    });
    context.with(tracked.context, next);
  };
}

/** Serves the SDK's endpoints (GET and HEAD); other requests pass through. */
export function expressRoutes(endpoints: Endpoints): ExpressMiddleware {
  return (req, res, next) => {
    // Relative to where the handler is mounted.
    const path = withoutQuery(req.url ?? '/');
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isSdkPath(path)) {
      next();
      return;
    }
    const authorization = req.headers.authorization;
    endpoints
      .handle(path, authorization)
      .then((response) => {
        if (res.headersSent) return;
        res.writeHead(response.status, response.headers);
        res.end(req.method === 'HEAD' ? undefined : response.body);
      })
      .catch(() => {
        // The client went away; nothing to answer.
      });
  };
}
