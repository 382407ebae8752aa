/**
 * The SDK's own HTTP endpoints, independent of the framework: each returns a status, a content
 * type and a body, and never throws. The fastify and express adapters only route to them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Readiness } from '../health.js';
import type { MetricRegistry } from '../metrics/metric-registry.js';

/** The paths the SDK serves on every instrumented server. */
export const SDK_PATHS = {
  /** Public Prometheus exposition; never any `_sms_` series. */
  metrics: '/metrics',
  /** Restricted (`_sms_`) series only, with `Authorization: Bearer <internalMetricsToken>`. */
  internalMetrics: '/internal/metrics',
  /** Liveness: 200 while the process answers. */
  healthz: '/healthz',
  /** Readiness: 200 when every readiness check passes, 503 otherwise. */
  readyz: '/readyz',
} as const;

export type SdkPath = (typeof SDK_PATHS)[keyof typeof SDK_PATHS];
const PATHS: ReadonlySet<string> = new Set(Object.values(SDK_PATHS));

export function isSdkPath(path: string): path is SdkPath {
  return PATHS.has(path);
}

export interface EndpointResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

function json(status: number, body: unknown, headers: Record<string, string> = {}): EndpointResponse {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class Endpoints {
  readonly #metrics: MetricRegistry;
  readonly #readiness: Readiness;
  /** Digest of the token: comparing fixed-length digests keeps the comparison time independent of the token. */
  readonly #tokenDigest: Buffer | undefined;

  constructor(metrics: MetricRegistry, readiness: Readiness, internalMetricsToken: string | undefined) {
    this.#metrics = metrics;
    this.#readiness = readiness;
    this.#tokenDigest = internalMetricsToken === undefined ? undefined : sha256(internalMetricsToken);
  }

  /** Serves `path` (one of {@link SDK_PATHS}); `authorization` is the request's Authorization header. */
  async handle(path: SdkPath, authorization: string | undefined): Promise<EndpointResponse> {
    try {
      switch (path) {
        case SDK_PATHS.metrics:
          return this.#exposition(await this.#metrics.publicExposition());
        case SDK_PATHS.internalMetrics:
          return await this.#internalMetrics(authorization);
        case SDK_PATHS.healthz:
          return json(200, { status: 'ok' });
        case SDK_PATHS.readyz: {
          const report = await this.#readiness.evaluate();
          return json(report.status === 'ready' ? 200 : 503, report);
        }
      }
    } catch {
      return { status: 500, headers: { 'content-type': TEXT_TYPE }, body: 'internal error\n' };
    }
  }

  #exposition(text: string): EndpointResponse {
    return {
      status: 200,
      headers: { 'content-type': this.#metrics.contentType, 'cache-control': 'no-store' },
      body: text,
    };
  }

  async #internalMetrics(authorization: string | undefined): Promise<EndpointResponse> {
    if (this.#tokenDigest === undefined) return json(404, { error: 'not found' });
    if (!this.#authorized(authorization)) {
      return json(401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer realm="internal-metrics"' });
    }
    return this.#exposition(await this.#metrics.restrictedExposition());
  }

  #authorized(authorization: string | undefined): boolean {
    const expected = this.#tokenDigest;
    if (expected === undefined || typeof authorization !== 'string') return false;
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (match === null) return false;
    return timingSafeEqual(sha256(match[1]!), expected);
  }
}
