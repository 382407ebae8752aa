/**
 * Traces for one Telemetry: its own NodeTracerProvider (never registered globally, so several
 * services can share a process), the sampler, W3C trace-context propagation in and out, and the
 * `span` helper.
 */
import {
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  createContextKey,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Attributes,
  type AttributeValue,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { maskPii } from '../pii.js';
import { createSampler } from './sampler.js';

/** `deployment.environment.name` (an incubating attribute in the semantic conventions). */
const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';

export interface TracingOptions {
  readonly service: string;
  readonly version: string;
  readonly environment: string;
  readonly otlpEndpoint: string | undefined;
  readonly exporter: SpanExporter | undefined;
  readonly revenueSamplingRatio: number;
  readonly samplingRatio: number;
}

const PROBE = createContextKey('watchkeeper.sdk.context-probe');

/**
 * Makes sure a context manager propagates the active span through async code. OpenTelemetry's
 * context manager is process-wide by design; the SDK installs the AsyncLocalStorage one only when
 * none works yet (the host's own, if any, is kept) and never removes it.
 */
function ensureContextManager(): void {
  const probe = ROOT_CONTEXT.setValue(PROBE, true);
  const works = context.with(probe, () => context.active().getValue(PROBE) === true);
  if (works) return;
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Masks personal data in string attribute values (and string arrays). */
export function maskAttributes(attributes: Attributes | undefined): Attributes | undefined {
  if (attributes === undefined) return undefined;
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    out[key] = maskAttributeValue(value);
  }
  return out;
}

function maskAttributeValue(value: AttributeValue | undefined): AttributeValue | undefined {
  if (typeof value === 'string') return maskPii(value);
  if (Array.isArray(value)) {
    return value.map((item: unknown) => (typeof item === 'string' ? maskPii(item) : item)) as AttributeValue;
  }
  return value;
}

/** Records `error` on `span` (masked) and marks the span failed. */
export function recordError(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const message = maskPii(err.message);
  span.recordException({
    name: err.name,
    message,
    ...(err.stack === undefined ? {} : { stack: maskPii(err.stack) }),
  });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

export class Tracing {
  readonly provider: NodeTracerProvider;
  readonly tracer: Tracer;
  readonly #propagator = new W3CTraceContextPropagator();

  constructor(options: TracingOptions) {
    ensureContextManager();
    const exporter =
      options.exporter ??
      (options.otlpEndpoint === undefined ? undefined : new OTLPTraceExporter({ url: options.otlpEndpoint }));
    const spanProcessors: SpanProcessor[] = exporter === undefined ? [] : [new BatchSpanProcessor(exporter)];
    this.provider = new NodeTracerProvider({
      resource: resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.service,
        [ATTR_SERVICE_VERSION]: options.version,
        [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: options.environment,
      }),
      sampler: createSampler(options.revenueSamplingRatio, options.samplingRatio),
      spanProcessors,
    });
    this.tracer = this.provider.getTracer('@watchkeeper/sdk', options.version);
  }

  /**
   * Runs `fn` in a new span, a child of the active span; ends it when `fn` returns or its promise
   * settles. An exception is recorded (masked), the span's status set to ERROR, and the exception
   * rethrown unchanged.
   */
  span<T>(name: string, fn: (span: Span) => T, attributes?: Attributes): T {
    let span: Span;
    let ctx: Context;
    try {
      span = this.tracer.startSpan(name, { attributes: maskAttributes(attributes) });
      ctx = trace.setSpan(context.active(), span);
    } catch {
      // Tracing must not stop the host's work: run without a span.
      return fn(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
    }
    let result: T;
    try {
      result = context.with(ctx, fn, undefined, span);
    } catch (error) {
      recordError(span, error);
      span.end();
      throw error;
    }
    if (!isThenable(result)) {
      span.end();
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        recordError(span, error);
        span.end();
        throw error;
      },
    ) as T;
  }

  /** The context a request's `traceparent`/`tracestate` headers carry (root context if none or invalid). */
  extract(headers: Record<string, string | string[] | undefined>): Context {
    try {
      return this.#propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    } catch {
      return ROOT_CONTEXT;
    }
  }

  /** Writes `traceparent` (and `tracestate`) of `ctx`'s span into `carrier`; nothing without a valid span. */
  inject(carrier: Record<string, string>, ctx: Context = context.active()): Record<string, string> {
    try {
      this.#propagator.inject(ctx, carrier, defaultTextMapSetter);
    } catch {
      // Propagation is best effort.
    }
    return carrier;
  }

  /** Starts a server span for an incoming request, a child of the remote parent in `parent`. */
  startServerSpan(name: string, parent: Context, attributes: Attributes): Span {
    return this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: maskAttributes(attributes) }, parent);
  }

  /**
   * Starts a client span for an outgoing request, a child of the active span. The attributes are
   * not masked: they name the service's own dependency (mask anything personal before).
   */
  startClientSpan(name: string, attributes: Attributes): Span {
    return this.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes });
  }

  async flush(): Promise<void> {
    await this.provider.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
