/**
 * The simulator's HTTP layer: an injectable `HttpTransport` (fetch in production, a recording fake
 * in tests), results as values (a refused connection or a timeout is an outcome to count, never an
 * exception), and a bounded-concurrency wrapper so that a slow portal cannot pile up requests.
 */
import { DEFAULT_PORTS, SERVICE_NAMES, type ServiceName } from '../contract.js';

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Wall-clock limit for the whole exchange, body included. */
  readonly timeoutMs: number;
  /** Count the response body's bytes but keep no text (bulk exports). */
  readonly discardBody?: boolean;
  /** Aborts the request when the simulator stops. */
  readonly signal?: AbortSignal;
}

/** What came back: a response, or why none did. */
export type HttpResult =
  | { readonly kind: 'response'; readonly status: number; readonly body: string; readonly sizeBytes: number }
  | { readonly kind: 'timeout' | 'unreachable' | 'aborted' | 'dropped' | 'error'; readonly message: string };

/** Sends one request; never rejects. */
export interface HttpTransport {
  request(request: HttpRequest): Promise<HttpResult>;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
]);

/** The transport over Node's fetch, each request limited by `AbortSignal.timeout`. */
export const fetchTransport: HttpTransport = {
  async request(req) {
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
    try {
      const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal });
      if (req.discardBody) {
        let sizeBytes = 0;
        if (res.body) for await (const chunk of res.body) sizeBytes += (chunk as Uint8Array).byteLength;
        return { kind: 'response', status: res.status, body: '', sizeBytes };
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      return {
        kind: 'response',
        status: res.status,
        body: new TextDecoder().decode(bytes),
        sizeBytes: bytes.byteLength,
      };
    } catch (err) {
      return classifyFetchError(err, timeout.aborted);
    }
  },
};

function classifyFetchError(err: unknown, timedOut: boolean): HttpResult {
  const message = err instanceof Error ? err.message : String(err);
  if (timedOut || (err instanceof Error && err.name === 'TimeoutError')) return { kind: 'timeout', message };
  if (err instanceof Error && err.name === 'AbortError') return { kind: 'aborted', message };
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  if (UNREACHABLE_CODES.has(code) || code.startsWith('UND_ERR_CONNECT'))
    return { kind: 'unreachable', message: `${code}` };
  return { kind: 'error', message: code ? `${code}: ${message}` : message };
}

/** Options of {@link LimitedTransport}. */
export interface LimitedTransportOptions {
  /** @default 8 */
  readonly maxInFlight?: number;
  /** Requests to one origin (service) at once, so that one slow service leaves room for the others. @default 4 */
  readonly maxInFlightPerOrigin?: number;
  /** Requests waiting for a slot; beyond it a request is dropped (an outcome). @default 2000 */
  readonly maxQueued?: number;
}

interface Waiting {
  readonly origin: string;
  readonly start: () => void;
  readonly drop: () => void;
}

/** Wraps a transport with bounded concurrency: at most `maxInFlight` requests, the rest queue in order. */
export class LimitedTransport implements HttpTransport {
  readonly #inner: HttpTransport;
  readonly #max: number;
  readonly #maxPerOrigin: number;
  readonly #maxQueued: number;
  readonly #perOrigin = new Map<string, number>();
  #queue: Waiting[] = [];
  #active = 0;

  constructor(inner: HttpTransport, options: LimitedTransportOptions = {}) {
    this.#inner = inner;
    this.#max = options.maxInFlight ?? 8;
    this.#maxPerOrigin = Math.min(this.#max, options.maxInFlightPerOrigin ?? Math.max(1, Math.ceil(this.#max / 2)));
    this.#maxQueued = options.maxQueued ?? 2_000;
  }

  /** Requests in flight now. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  request(req: HttpRequest): Promise<HttpResult> {
    const origin = originOf(req.url);
    return new Promise<HttpResult>((resolve) => {
      const start = (): void => {
        this.#active++;
        this.#perOrigin.set(origin, (this.#perOrigin.get(origin) ?? 0) + 1);
        // A transport must not reject; if one does, the rejection becomes an outcome here.
        void this.#inner
          .request(req)
          .catch((err: unknown): HttpResult => ({ kind: 'error', message: String(err) }))
          .then((result) => {
            this.#active--;
            this.#perOrigin.set(origin, (this.#perOrigin.get(origin) ?? 1) - 1);
            resolve(result);
            this.#pump();
          });
      };
      const drop = (): void => resolve({ kind: 'dropped', message: 'the simulator stopped or its queue was full' });
      if (req.signal?.aborted) return drop();
      if (this.#canStart(origin)) return start();
      if (this.#queue.length >= this.#maxQueued) return drop();
      this.#queue.push({ origin, start, drop });
    });
  }

  /** Drops every queued request (when the simulator stops). */
  dropQueued(): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const w of queue) w.drop();
  }

  #canStart(origin: string): boolean {
    return this.#active < this.#max && (this.#perOrigin.get(origin) ?? 0) < this.#maxPerOrigin;
  }

  #pump(): void {
    for (let i = 0; i < this.#queue.length && this.#active < this.#max;) {
      const w = this.#queue[i];
      if (w !== undefined && this.#canStart(w.origin)) {
        this.#queue.splice(i, 1);
        w.start();
      } else {
        i++;
      }
    }
  }
}

function originOf(url: string): string {
  const match = /^[a-z]+:\/\/[^/?#]+/i.exec(url);
  return match ? match[0] : url;
}

/** Where the simulator finds each service and the control API. */
export type PortalUrls = Readonly<Record<ServiceName | 'control', string>>;

/**
 * The URLs of a portal whose control API listens at `controlUrl` (`http://127.0.0.1:9200`), the
 * services on the following ports as in contract.ts's DEFAULT_PORTS (`--base-port` shifts them all).
 */
export function portalUrls(controlUrl = `http://127.0.0.1:${DEFAULT_PORTS.control}`): PortalUrls {
  const url = new URL(controlUrl);
  const basePort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const at = (name: ServiceName | 'control'): string => {
    const u = new URL(url.origin);
    u.port = String(basePort + DEFAULT_PORTS[name] - DEFAULT_PORTS.control);
    return u.origin;
  };
  const urls: Partial<Record<ServiceName | 'control', string>> = { control: at('control') };
  for (const name of SERVICE_NAMES) urls[name] = at(name);
  return urls as PortalUrls;
}
