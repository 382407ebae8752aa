/**
 * @watchkeeper/sdk — instrumentation for the SMS portal's Node services: catalog-typed metrics
 * (prom-client) under the plan's label policy, traces (OpenTelemetry, OTLP/HTTP), logs in the
 * plan's schema (pino), health endpoints, and fastify/express instrumentation. See README.md.
 */
export { createTelemetry, type Telemetry } from './telemetry.js';
export { TelemetryOptionsError, type TelemetryErrorCode } from './errors.js';
export {
  DEFAULT_MAX_LABEL_VALUE_LENGTH,
  DEFAULT_READINESS_TIMEOUT_MS,
  DEFAULT_REVENUE_SAMPLING_RATIO,
  DEFAULT_SAMPLING_RATIO,
  LOG_LEVELS,
  MIN_INTERNAL_TOKEN_LENGTH,
  type LogLevel,
  type ResolvedTelemetryOptions,
  type TelemetryOptions,
} from './options.js';
export { JOURNEYS, type Journey, type JourneyKey, type JourneySpanName } from './journeys.js';
export { PII_MASKS, REDACTED, maskFields, maskPii } from './pii.js';
export { DROP_REASONS, type DropReason } from './metrics/policy.js';
export { DEFINABLE_TYPES, type DefinableType, type MetricDefinitionInput } from './metrics/definition.js';
export { RESTRICTED_METRIC_LABEL } from './metrics/metric-registry.js';
export type {
  CatalogLabels,
  CounterMetric,
  CounterName,
  DefinedMetric,
  GaugeMetric,
  GaugeName,
  GaugeOptions,
  HistogramMetric,
  HistogramName,
  LabelValues,
} from './metrics/types.js';
export { isRevenueOperation } from './tracing/sampler.js';
export { SDK_PATHS } from './http/endpoints.js';
export { CLIENT_CLOSED_STATUS, UNMATCHED_ENDPOINT } from './http/request-tracker.js';
export type { ExpressMiddleware } from './http/express.js';
export type { AnyFastifyInstance } from './http/fastify.js';
export type { CheckResult, ReadinessCheck, ReadinessReport } from './health.js';
