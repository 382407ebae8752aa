import { hostname } from 'node:os';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { MAX_LABEL_VALUES, MAX_SERIES_PER_METRIC } from '@watchkeeper/model';
import { z } from 'zod';
import { TelemetryOptionsError } from './errors.js';

/** Log levels the SDK's logger accepts (pino's, without `trace` and `fatal`). */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Default head-sampling ratios (plan §6.3): revenue operations and everything else. */
export const DEFAULT_REVENUE_SAMPLING_RATIO = 0.5;
export const DEFAULT_SAMPLING_RATIO = 0.1;
/** Longest label value the SDK records; longer values are dropped as `label_value_too_long`. */
export const DEFAULT_MAX_LABEL_VALUE_LENGTH = 256;
/** Shortest `internalMetricsToken` accepted: a bearer credential, not a password to remember. */
export const MIN_INTERNAL_TOKEN_LENGTH = 16;
export const DEFAULT_READINESS_TIMEOUT_MS = 2_000;

const writableStream = z.custom<NodeJS.WritableStream>(
  (value) => typeof value === 'object' && value !== null && typeof (value as { write?: unknown }).write === 'function',
  { message: 'Expected a file path or a writable stream' },
);
const spanExporter = z.custom<SpanExporter>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { export?: unknown }).export === 'function' &&
    typeof (value as { shutdown?: unknown }).shutdown === 'function',
  { message: 'Expected an OpenTelemetry SpanExporter (export and shutdown methods)' },
);
const clock = z.custom<() => number>((value) => typeof value === 'function', {
  message: 'Expected a function returning Unix time in milliseconds',
});
const ratio = z.number().min(0).max(1);

const telemetryOptionsSchema = z
  .object({
    service: z
      .string()
      .max(63)
      .regex(/^[a-z][a-z0-9-]*$/, 'Expected lower-case letters, digits and dashes, starting with a letter'),
    version: z
      .string()
      .max(64)
      .regex(/^[0-9A-Za-z][0-9A-Za-z.+_-]*$/, 'Expected a version such as 1.2.3 (letters, digits, . + _ -)'),
    environment: z
      .string()
      .max(32)
      .regex(/^[a-z][a-z0-9-]*$/, 'Expected lower-case letters, digits and dashes, starting with a letter'),
    internalMetricsToken: z
      .string()
      .min(MIN_INTERNAL_TOKEN_LENGTH, `Expected at least ${MIN_INTERNAL_TOKEN_LENGTH} characters`)
      .regex(/^[\x21-\x7e]+$/, 'Expected printable ASCII without spaces')
      .optional(),
    region: z.string().min(1).max(64).optional(),
    pod: z.string().min(1).max(253).optional(),
    log: z
      .object({
        level: z.enum(LOG_LEVELS).default('info'),
        destination: z.union([z.string().min(1), writableStream]).optional(),
        requests: z.boolean().default(false),
      })
      .strict()
      .default({}),
    tracing: z
      .object({
        otlpEndpoint: z
          .string()
          .url()
          .refine((url) => /^https?:\/\//.test(url), 'Expected an http:// or https:// URL')
          .optional(),
        exporter: spanExporter.optional(),
        revenueSamplingRatio: ratio.default(DEFAULT_REVENUE_SAMPLING_RATIO),
        samplingRatio: ratio.default(DEFAULT_SAMPLING_RATIO),
      })
      .strict()
      .refine((t) => t.otlpEndpoint === undefined || t.exporter === undefined, {
        message: 'Set otlpEndpoint or exporter, not both',
        path: ['exporter'],
      })
      .default({}),
    limits: z
      .object({
        maxSeriesPerMetric: z.number().int().min(1).max(MAX_SERIES_PER_METRIC).default(MAX_SERIES_PER_METRIC),
        maxLabelValues: z.number().int().min(1).max(MAX_LABEL_VALUES).default(MAX_LABEL_VALUES),
        maxLabelValueLength: z.number().int().min(1).max(4_096).default(DEFAULT_MAX_LABEL_VALUE_LENGTH),
      })
      .strict()
      .default({}),
    readinessTimeoutMs: z.number().int().min(1).max(60_000).default(DEFAULT_READINESS_TIMEOUT_MS),
    now: clock.optional(),
    defaultMetrics: z.boolean().default(true),
  })
  .strict();

/** Options of {@link createTelemetry}, as the service writes them. */
export interface TelemetryOptions {
  /** The service name: the `service` label, the log field and the trace resource. `/^[a-z][a-z0-9-]*$/`. */
  readonly service: string;
  /** The service's version (`version` label, `metadata.version` in logs). */
  readonly version: string;
  /** The deployment environment (`environment` label), e.g. `production`, `demo`. */
  readonly environment: string;
  /**
   * Bearer credential for `GET /internal/metrics` (restricted `_sms_` series), at least 16
   * printable characters. Absent: that endpoint answers 404.
   */
  readonly internalMetricsToken?: string;
  /** `metadata.region` of every log line. */
  readonly region?: string;
  /** `metadata.pod` of every log line. @default os.hostname() */
  readonly pod?: string;
  readonly log?: {
    /** @default 'info' */
    readonly level?: LogLevel;
    /** A file path (created, appended to) or a stream. @default standard output */
    readonly destination?: string | NodeJS.WritableStream;
    /** Log one line per instrumented HTTP request at info level. @default false */
    readonly requests?: boolean;
  };
  readonly tracing?: {
    /** OTLP/HTTP traces URL, e.g. `http://127.0.0.1:4318/v1/traces`. Absent: spans are not exported. */
    readonly otlpEndpoint?: string;
    /** Export to this exporter instead (tests, other backends). Not together with `otlpEndpoint`. */
    readonly exporter?: SpanExporter;
    /** Head-sampling ratio of root spans of revenue operations (`parts.*|payment.*`, plan §6.3). @default 0.5 */
    readonly revenueSamplingRatio?: number;
    /** Head-sampling ratio of all other root spans (plan §6.3). @default 0.1 */
    readonly samplingRatio?: number;
  };
  readonly limits?: {
    /** Series per metric; new series beyond it are dropped. At most the plan's 10,000. @default 10000 */
    readonly maxSeriesPerMetric?: number;
    /** Distinct values per label of a metric; new values beyond it are dropped. At most 100. @default 100 */
    readonly maxLabelValues?: number;
    /** Longest label value in characters; longer ones are dropped. @default 256 */
    readonly maxLabelValueLength?: number;
  };
  /** Time a readiness check may take before it counts as failed. @default 2000 */
  readonly readinessTimeoutMs?: number;
  /**
   * Clock in Unix milliseconds, for log timestamps and durations (tests inject one).
   * @default `Date.now` for timestamps and a monotonic `performance`-based clock for durations
   */
  readonly now?: () => number;
  /** Register prom-client's `process_*` and `nodejs_*` runtime metrics. @default true */
  readonly defaultMetrics?: boolean;
}

/** Options after validation, with defaults resolved; frozen. */
export interface ResolvedTelemetryOptions {
  readonly service: string;
  readonly version: string;
  readonly environment: string;
  readonly internalMetricsToken: string | undefined;
  readonly region: string | undefined;
  readonly pod: string;
  readonly log: {
    readonly level: LogLevel;
    readonly destination: string | NodeJS.WritableStream | undefined;
    readonly requests: boolean;
  };
  readonly tracing: {
    readonly otlpEndpoint: string | undefined;
    readonly exporter: SpanExporter | undefined;
    readonly revenueSamplingRatio: number;
    readonly samplingRatio: number;
  };
  readonly limits: {
    readonly maxSeriesPerMetric: number;
    readonly maxLabelValues: number;
    readonly maxLabelValueLength: number;
  };
  readonly readinessTimeoutMs: number;
  /** The clock for durations: `now` if given, else a monotonic performance-based clock. */
  readonly now: () => number;
  /** The clock for log timestamps: `now` if given, else `Date.now` (follows the system clock). */
  readonly wallClock: () => number;
  readonly defaultMetrics: boolean;
}

/** Milliseconds with sub-millisecond resolution, monotonic within the process (for durations). */
function performanceClock(): number {
  return performance.timeOrigin + performance.now();
}

function issuePath(issue: z.ZodIssue): string {
  const path: (string | number)[] = [...issue.path];
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  return path.length > 0 ? path.join('.') : '(options)';
}

function issueMessage(issue: z.ZodIssue): string {
  return issue.code === 'unrecognized_keys' ? 'Unknown option' : issue.message;
}

/**
 * Validates `createTelemetry`'s options once, resolves defaults and freezes the result.
 * @throws TelemetryOptionsError naming the first bad option (`path`), with all problems in the message.
 */
export function resolveOptions(input: unknown): ResolvedTelemetryOptions {
  const parsed = telemetryOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const first = issues[0];
    const path = first === undefined ? '(options)' : issuePath(first);
    const details = issues.map((issue) => `${issuePath(issue)}: ${issueMessage(issue)}`).join('; ');
    throw new TelemetryOptionsError('WK_SDK_INVALID_OPTIONS', path, `Invalid telemetry options — ${details}.`, {
      cause: parsed.error,
    });
  }
  const o = parsed.data;
  return Object.freeze({
    service: o.service,
    version: o.version,
    environment: o.environment,
    internalMetricsToken: o.internalMetricsToken,
    region: o.region,
    pod: o.pod ?? hostname(),
    log: Object.freeze({ level: o.log.level, destination: o.log.destination, requests: o.log.requests }),
    tracing: Object.freeze({
      otlpEndpoint: o.tracing.otlpEndpoint,
      exporter: o.tracing.exporter,
      revenueSamplingRatio: o.tracing.revenueSamplingRatio,
      samplingRatio: o.tracing.samplingRatio,
    }),
    limits: Object.freeze({ ...o.limits }),
    readinessTimeoutMs: o.readinessTimeoutMs,
    now: o.now ?? performanceClock,
    wallClock: o.now ?? Date.now,
    defaultMetrics: o.defaultMetrics,
  });
}
