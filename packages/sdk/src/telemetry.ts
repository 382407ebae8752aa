/**
 * `createTelemetry`: the SDK's composition root. One Telemetry per service; several may live in
 * one process (the demo runs six services in one), each with its own registries, tracer provider
 * and logger.
 */
import { SpanStatusCode, context, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import type { CatalogLabelName } from '@watchkeeper/model';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Readiness, type ReadinessCheck } from './health.js';
import { Endpoints } from './http/endpoints.js';
import { acquireRouterChannel, expressMiddleware, expressRoutes, type ExpressMiddleware } from './http/express.js';
import { instrumentFastify, type AnyFastifyInstance } from './http/fastify.js';
import { RequestTracker, methodLabel } from './http/request-tracker.js';
import { createServiceLogger, type ServiceLogger } from './logging/logger.js';
import type { DefinableType } from './metrics/definition.js';
import { MetricRegistry } from './metrics/metric-registry.js';
import type {
  CheckedLabels,
  CounterMetric,
  CounterName,
  DefinedMetric,
  GaugeMetric,
  GaugeName,
  GaugeOptions,
  HistogramMetric,
  HistogramName,
} from './metrics/types.js';
import { resolveOptions, type ResolvedTelemetryOptions, type TelemetryOptions } from './options.js';
import { REDACTED, maskPii } from './pii.js';
import { recordError, Tracing } from './tracing/tracing.js';

/** A service's instrumentation: metrics, logs, traces, health and the HTTP hooks. */
export interface Telemetry {
  /** The resolved, frozen options (`internalMetricsToken` reads `[redacted]` when set). */
  readonly options: ResolvedTelemetryOptions;
  /** pino logger writing the plan §5.2 schema, with trace ids of the active span and PII masked. */
  readonly logger: Logger;
  /** This service's OpenTelemetry tracer (its own provider; not registered globally). */
  readonly tracer: Tracer;
  /**
   * The public prom-client registry, for collectors the SDK does not cover. Metrics registered
   * here directly bypass the label policy; `_sms_` families and labels are still cut out of
   * `/metrics`.
   */
  readonly registry: Registry;

  /** A catalog counter. Label names and the metric type come from the catalog. */
  counter<N extends CounterName>(name: N): CounterMetric<CatalogLabelName<N>>;
  /** A catalog gauge, optionally with a callback that sets it at every scrape. */
  gauge<N extends GaugeName>(name: N, options?: GaugeOptions<CatalogLabelName<N>>): GaugeMetric<CatalogLabelName<N>>;
  /** A catalog histogram, with the catalog's buckets. */
  histogram<N extends HistogramName>(name: N): HistogramMetric<CatalogLabelName<N>>;
  /**
   * A metric outside the catalog, held to the same policy: valid names, no PII label
   * (`user_id`, `email`, `ip_address`, ...), no `environment`/`service`/`version` (added to every
   * series), histograms with buckets. A name starting `_sms_` makes it restricted.
   * @throws TelemetryOptionsError naming the metric and the offending label or field.
   * @example
   * const exports = t.define({ name: 'sms_data_exports_total', type: 'counter', help: 'Bulk exports.', labels: ['format'] });
   * exports.inc({ format: 'csv' });
   */
  define<const T extends DefinableType, const L extends readonly string[]>(
    definition: {
      readonly name: string;
      readonly type: T;
      readonly help: string;
      readonly labels: L & CheckedLabels<L>;
      readonly buckets?: readonly number[];
    },
    options?: T extends 'gauge' ? GaugeOptions<L[number]> : never,
  ): DefinedMetric<T, L[number]>;

  /**
   * Runs `fn` in a child span of the active span and ends it when `fn` returns or its promise
   * settles; an exception is recorded (masked), the span marked ERROR and the exception rethrown.
   * String attributes are masked.
   * @example
   * const quotes = await t.span(JOURNEYS.partsOrdering.spans.partsGetSupplierQuotes, async () => suppliers.quote(part));
   */
  span<T>(name: string, fn: (span: Span) => T, attributes?: Attributes): T;
  /**
   * `fetch` with a client span and W3C `traceparent` propagation, for calls to other services.
   * The host's own errors (network failures) are recorded on the span and rethrown.
   */
  fetch(input: string | URL, init?: RequestInit): Promise<Response>;
  /** Adds `traceparent` (and `tracestate`) of the active span to `headers` and returns them. */
  injectTraceHeaders(headers?: Record<string, string>): Record<string, string>;

  /**
   * Instruments a fastify instance: request tracking on every route and GET `/metrics`,
   * `/internal/metrics`, `/healthz`, `/readyz`. Call it on the root instance before `listen`.
   */
  instrumentFastify(app: AnyFastifyInstance): Promise<void>;
  /** The express tracking middleware; `app.use` it before any route. */
  expressMiddleware(): ExpressMiddleware;
  /** The express handler of `/metrics`, `/internal/metrics`, `/healthz`, `/readyz`; `app.use` it at the root. */
  expressRoutes(): ExpressMiddleware;
  /**
   * Registers a readiness check for `/readyz` (true = ready; a throw, rejection or timeout = not
   * ready). @throws TelemetryOptionsError for a bad or repeated name.
   */
  addReadinessCheck(name: string, check: ReadinessCheck): void;

  /** The public exposition, as `/metrics` serves it. */
  metrics(): Promise<string>;
  /** The restricted exposition, as `/internal/metrics` serves it. */
  internalMetrics(): Promise<string>;
  /** Exports finished spans and writes buffered logs. Never rejects. */
  flush(): Promise<void>;
  /** Marks the service not ready, exports the remaining spans, closes the log file. Idempotent; never rejects. */
  shutdown(): Promise<void>;
}

class ServiceTelemetry implements Telemetry {
  readonly options: ResolvedTelemetryOptions;
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly registry: Registry;
  readonly #log: ServiceLogger;
  readonly #metrics: MetricRegistry;
  readonly #tracing: Tracing;
  readonly #readiness: Readiness;
  readonly #endpoints: Endpoints;
  readonly #tracker: RequestTracker;
  readonly #releases: (() => void)[] = [];
  #shutdown: Promise<void> | undefined;

  constructor(options: ResolvedTelemetryOptions) {
    // The credential stays in the Endpoints; what the service can read (and might log) does not hold it.
    this.options = Object.freeze({
      ...options,
      internalMetricsToken: options.internalMetricsToken === undefined ? undefined : REDACTED,
    });
    this.#log = createServiceLogger({
      service: options.service,
      version: options.version,
      environment: options.environment,
      region: options.region,
      pod: options.pod,
      level: options.log.level,
      destination: options.log.destination,
      now: options.wallClock,
    });
    this.logger = this.#log.logger;
    this.#metrics = new MetricRegistry({
      defaultLabels: { environment: options.environment, service: options.service, version: options.version },
      limits: options.limits,
      defaultMetrics: options.defaultMetrics,
      now: options.now,
      onFirstDrop: (metric, reason, error) => {
        const detail = error instanceof Error ? { error: error.message } : {};
        this.logger.warn(
          { context: { metric, reason, ...detail } },
          `Dropped a sample of ${metric} (${reason}); further drops of this kind are only counted in watchkeeper_sdk_dropped_samples_total`,
        );
      },
    });
    this.registry = this.#metrics.publicRegistry;
    this.#tracing = new Tracing({
      service: options.service,
      version: options.version,
      environment: options.environment,
      ...options.tracing,
    });
    this.tracer = this.#tracing.tracer;
    this.#readiness = new Readiness(options.readinessTimeoutMs);
    this.#endpoints = new Endpoints(this.#metrics, this.#readiness, options.internalMetricsToken);
    this.#tracker = new RequestTracker({
      instruments: {
        duration: this.histogram('http_request_duration_seconds'),
        requests: this.counter('http_requests_total'),
        requestSize: this.histogram('http_request_size_bytes'),
        responseSize: this.histogram('http_response_size_bytes'),
        errors: this.counter('errors_total'),
      },
      tracing: this.#tracing,
      logger: this.logger,
      now: options.now,
      logRequests: options.log.requests,
    });
  }

  counter<N extends CounterName>(name: N): CounterMetric<CatalogLabelName<N>> {
    return this.#metrics.counter(name);
  }

  gauge<N extends GaugeName>(name: N, options?: GaugeOptions<CatalogLabelName<N>>): GaugeMetric<CatalogLabelName<N>> {
    return this.#metrics.gauge(name, options);
  }

  histogram<N extends HistogramName>(name: N): HistogramMetric<CatalogLabelName<N>> {
    return this.#metrics.histogram(name);
  }

  define<const T extends DefinableType, const L extends readonly string[]>(
    definition: {
      readonly name: string;
      readonly type: T;
      readonly help: string;
      readonly labels: L & CheckedLabels<L>;
      readonly buckets?: readonly number[];
    },
    options?: T extends 'gauge' ? GaugeOptions<L[number]> : never,
  ): DefinedMetric<T, L[number]> {
    return this.#metrics.define(definition, options) as DefinedMetric<T, L[number]>;
  }

  span<T>(name: string, fn: (span: Span) => T, attributes?: Attributes): T {
    return this.#tracing.span(name, fn, attributes);
  }

  async fetch(input: string | URL, init?: RequestInit): Promise<Response> {
    const method = methodLabel(init?.method ?? 'GET');
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      // Let fetch report the bad URL the way it always does.
      return fetch(input, init);
    }
    const span = this.#tracing.startClientSpan(`HTTP ${method}`, {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      // The dependency's address as is; the path masked; no query string (personal data, secrets).
      [ATTR_URL_FULL]: `${url.origin}${maskPii(url.pathname)}`,
      [ATTR_SERVER_ADDRESS]: url.hostname,
      ...(url.port === '' ? {} : { [ATTR_SERVER_PORT]: Number(url.port) }),
    });
    const ctx = trace.setSpan(context.active(), span);
    const headers = new Headers(init?.headers);
    for (const [key, value] of Object.entries(this.#tracing.inject({}, ctx))) headers.set(key, value);
    try {
      const response = await context.with(ctx, () => fetch(url, { ...init, headers }));
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      return response;
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  injectTraceHeaders(headers: Record<string, string> = {}): Record<string, string> {
    return this.#tracing.inject(headers);
  }

  async instrumentFastify(app: AnyFastifyInstance): Promise<void> {
    instrumentFastify(app, this.#tracker, this.#endpoints);
  }

  expressMiddleware(): ExpressMiddleware {
    if (this.#shutdown === undefined) this.#releases.push(acquireRouterChannel());
    return expressMiddleware(this.#tracker);
  }

  expressRoutes(): ExpressMiddleware {
    return expressRoutes(this.#endpoints);
  }

  addReadinessCheck(name: string, check: ReadinessCheck): void {
    this.#readiness.add(name, check);
  }

  metrics(): Promise<string> {
    return this.#metrics.publicExposition();
  }

  internalMetrics(): Promise<string> {
    return this.#metrics.restrictedExposition();
  }

  async flush(): Promise<void> {
    await Promise.allSettled([this.#tracing.flush(), this.#log.flush()]);
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= this.#doShutdown();
    return this.#shutdown;
  }

  async #doShutdown(): Promise<void> {
    this.#readiness.markShuttingDown();
    for (const release of this.#releases.splice(0)) release();
    await Promise.allSettled([this.#tracing.shutdown()]);
    await Promise.allSettled([this.#log.close()]);
  }
}

/**
 * Sets up a service's telemetry.
 * @throws TelemetryOptionsError naming the first bad option.
 * @example
 * const t = createTelemetry({ service: 'parts-api', version: '1.2.3', environment: 'demo' });
 * const app = Fastify();
 * await t.instrumentFastify(app);
 * t.counter('sms_parts_quotes_requested_total').inc({ vessel_id, company_id, urgency: 'routine' });
 */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  return new ServiceTelemetry(resolveOptions(options));
}
