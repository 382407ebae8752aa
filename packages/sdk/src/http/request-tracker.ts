/**
 * What every instrumented HTTP request records, whichever framework serves it: a server span
 * (`HTTP <METHOD> <route template>`, child of the caller's `traceparent`), the four HTTP metrics
 * of the catalog labelled by method, route template and status, `errors_total` for thrown errors
 * and 5xx responses, and optionally one log line. The adapters tell the tracker the route
 * template and any thrown error; the tracker hears the end of the response from Node itself
 * (`close` on the ServerResponse), so that aborted requests are counted too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanStatusCode, context, trace, type Context, type Span } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import { journeyOfHttpSpan } from '../journeys.js';
import type { CounterMetric, HistogramMetric } from '../metrics/types.js';
import { recordError, type Tracing } from '../tracing/tracing.js';

/** The endpoint label of requests no route matched: never the raw URL. */
export const UNMATCHED_ENDPOINT = 'unmatched';
/** The status label of a request whose client went away before the response finished (as nginx). */
export const CLIENT_CLOSED_STATUS = '499';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT']);

/** The method label: one of the standard methods, or `_OTHER` (bounded cardinality, as OpenTelemetry does). */
export function methodLabel(method: string | undefined): string {
  const upper = (method ?? '').toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

export interface HttpInstruments {
  readonly duration: HistogramMetric<'method' | 'endpoint' | 'status'>;
  readonly requests: CounterMetric<'method' | 'endpoint' | 'status'>;
  readonly requestSize: HistogramMetric<'method' | 'endpoint'>;
  readonly responseSize: HistogramMetric<'method' | 'endpoint'>;
  readonly errors: CounterMetric<'type'>;
}

export interface RequestTrackerOptions {
  readonly instruments: HttpInstruments;
  readonly tracing: Tracing;
  readonly logger: Logger;
  readonly now: () => number;
  readonly logRequests: boolean;
}

/** One request in flight. */
export interface TrackedRequest {
  /** The route template, once known. */
  route: string | undefined;
  readonly span: Span;
  /** The context handlers run in: the server span is active in it. */
  readonly context: Context;
  /** Records an error the framework saw (thrown by a handler or hook). */
  fail(error: unknown): void;
}

/** `errors_total{type}` for a thrown error: client errors (4xx status on the error) are rejected input. */
function errorType(error: unknown): string {
  const status =
    typeof error === 'object' && error !== null
      ? ((error as { statusCode?: unknown }).statusCode ?? (error as { status?: unknown }).status)
      : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 ? 'rejected_input' : 'unhandled_exception';
}

function byteLength(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string')
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

/**
 * Counts the body bytes written to `res` by wrapping this response's own `write` and `end`
 * (frameworks do not set Content-Length for streamed bodies).
 */
function countBodyBytes(res: ServerResponse): () => number {
  let bytes = 0;
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = function countedWrite(this: ServerResponse, ...args: unknown[]): boolean {
    try {
      bytes += byteLength(args[0], args[1]);
    } catch {
      // Counting must not break the response.
    }
    return Reflect.apply(write, this, args) as boolean;
  } as ServerResponse['write'];
  res.end = function countedEnd(this: ServerResponse, ...args: unknown[]): ServerResponse {
    try {
      if (typeof args[0] !== 'function') bytes += byteLength(args[0], args[1]);
    } catch {
      // Counting must not break the response.
    }
    return Reflect.apply(end, this, args) as ServerResponse;
  } as ServerResponse['end'];
  return () => bytes;
}

function contentLength(req: IncomingMessage): number {
  const header = req.headers['content-length'];
  const value = typeof header === 'string' ? Number.parseInt(header, 10) : Number.NaN;
  return Number.isFinite(value) && value >= 0 ? value : 0;
}

function rawPath(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

export class RequestTracker {
  readonly #options: RequestTrackerOptions;

  constructor(options: RequestTrackerOptions) {
    this.#options = options;
  }

  /**
   * Starts tracking `req`: extracts the caller's trace context, starts the server span (named
   * with `route` when the framework knows it already) and records everything when `res` closes.
   * Never throws: on an internal failure the request runs untracked.
   */
  start(req: IncomingMessage, res: ServerResponse, route: string | undefined): TrackedRequest | undefined {
    try {
      return this.#start(req, res, route);
    } catch {
      return undefined;
    }
  }

  #start(req: IncomingMessage, res: ServerResponse, initialRoute: string | undefined): TrackedRequest {
    const { tracing, now } = this.#options;
    const startMs = now();
    const method = methodLabel(req.method);
    const parent = tracing.extract(req.headers);
    const span = tracing.startServerSpan(
      initialRoute === undefined ? `HTTP ${method}` : `HTTP ${method} ${initialRoute}`,
      parent,
      {
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_URL_PATH]: rawPath(req),
        ...(initialRoute === undefined ? {} : { [ATTR_HTTP_ROUTE]: initialRoute }),
      },
    );
    const requestBytes = contentLength(req);
    const responseBytes = countBodyBytes(res);
    const failures = new Set<unknown>();
    const tracked: TrackedRequest = {
      route: initialRoute,
      span,
      context: trace.setSpan(parent, span),
      fail: (error) => {
        if (failures.has(error)) return;
        failures.add(error);
        try {
          this.#options.instruments.errors.inc({ type: errorType(error) });
          recordError(span, error);
        } catch {
          // Never into the host.
        }
      },
    };
    res.once('close', () => {
      try {
        this.#finish(tracked, res, method, startMs, requestBytes, responseBytes());
      } catch {
        // Never into the host.
      }
    });
    return tracked;
  }

  #finish(
    tracked: TrackedRequest,
    res: ServerResponse,
    method: string,
    startMs: number,
    requestBytes: number,
    responseBytes: number,
  ): void {
    const { instruments, now, logger, logRequests } = this.#options;
    const durationMs = Math.max(0, now() - startMs);
    const statusCode = res.writableFinished ? res.statusCode : Number(CLIENT_CLOSED_STATUS);
    const status = String(statusCode);
    const endpoint = tracked.route ?? UNMATCHED_ENDPOINT;
    instruments.duration.observe({ method, endpoint, status }, durationMs / 1000);
    instruments.requests.inc({ method, endpoint, status });
    instruments.requestSize.observe({ method, endpoint }, requestBytes);
    instruments.responseSize.observe({ method, endpoint }, responseBytes);
    if (statusCode >= 500) instruments.errors.inc({ type: 'http_5xx' });

    const span = tracked.span;
    const spanName = `HTTP ${method} ${endpoint}`;
    span.updateName(spanName);
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
    if (tracked.route !== undefined) span.setAttribute(ATTR_HTTP_ROUTE, tracked.route);
    if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    const journey = journeyOfHttpSpan(spanName);
    if (journey !== undefined) {
      span.setAttribute('sms.journey', journey.name);
      span.setAttribute('sms.journey.sla_ms', journey.slaMs);
      if (durationMs > journey.slaMs) span.setAttribute('sms.journey.sla_exceeded', true);
    }
    if (logRequests) {
      context.with(tracked.context, () => {
        const fields = { context: { endpoint, method, duration_ms: Math.round(durationMs), status_code: statusCode } };
        if (statusCode >= 500) logger.error(fields, 'HTTP request failed');
        else logger.info(fields, 'HTTP request completed');
      });
    }
    span.end();
  }
}
