/**
 * The label policy of plan §10.1 at definition time: which metric definitions the SDK accepts.
 * A violation is a programming error in the service and throws `TelemetryOptionsError` while the
 * service sets up, naming the metric and the offending part.
 */
import {
  PII_LABELS,
  REQUIRED_LABELS,
  RUNTIME_METRIC_PREFIXES,
  findMetricForSeriesName,
  isRestrictedMetricName,
  type MetricDefinition,
} from '@watchkeeper/model';
import { TelemetryOptionsError } from '../errors.js';
import { looksRestricted } from './restricted.js';

/** Metric types the SDK instruments (summaries cannot be aggregated across instances: use histograms). */
export const DEFINABLE_TYPES = ['counter', 'gauge', 'histogram'] as const;
export type DefinableType = (typeof DEFINABLE_TYPES)[number];

/** A metric a service defines outside the catalog with `t.define`. */
export interface MetricDefinitionInput {
  readonly name: string;
  readonly type: DefinableType;
  readonly help: string;
  /** The labels the service sets; `environment`, `service`, `version` are added and may not be listed. */
  readonly labels: readonly string[];
  /** Histogram bucket upper bounds, increasing, without +Inf; required for histograms only. */
  readonly buckets?: readonly number[];
}

/** A checked definition: what the registry builds a metric from. */
export interface CheckedDefinition {
  readonly name: string;
  readonly type: DefinableType;
  readonly help: string;
  readonly labels: readonly string[];
  readonly buckets: readonly number[] | undefined;
  readonly restricted: boolean;
}

const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Labels Prometheus gives a meaning: histogram and summary series, scrape target labels. */
const RESERVED_LABELS = ['le', 'quantile', 'job', 'instance'];
/** Prefix of the SDK's own metrics. */
export const SDK_METRIC_PREFIX = 'watchkeeper_sdk_';
const MAX_LABELS = 10;
const MAX_HELP_LENGTH = 500;
const MAX_BUCKETS = 50;

/**
 * Why a label name would carry personal data (plan §10.1 `avoid`): the plan's names in any case,
 * and names that obviously hold e-mail or IP addresses (`customer_email`, `client_ip`).
 */
export function piiLabelReason(label: string): string | undefined {
  const lower = label.toLowerCase();
  if ((PII_LABELS as readonly string[]).includes(lower)) return `"${label}" is a PII label (plan §10.1)`;
  if (lower.includes('email')) return `"${label}" would hold e-mail addresses (PII)`;
  if (/(?:^|_)ip(?:_|$)|ip_?addr/.test(lower)) return `"${label}" would hold IP addresses (PII)`;
  return undefined;
}

function fail(path: string, message: string): never {
  throw new TelemetryOptionsError('WK_SDK_INVALID_METRIC', path, message);
}

function checkLabels(name: string, labels: unknown): readonly string[] {
  if (!Array.isArray(labels)) fail(`${name}.labels`, `Metric ${name}: labels must be an array of label names.`);
  if (labels.length > MAX_LABELS) fail(`${name}.labels`, `Metric ${name}: at most ${MAX_LABELS} labels.`);
  const seen = new Set<string>();
  for (const label of labels as unknown[]) {
    if (typeof label !== 'string' || !LABEL_NAME.test(label) || label.startsWith('__')) {
      fail(`${name}.labels`, `Metric ${name}: label ${JSON.stringify(label)} is not a valid label name.`);
    }
    const pii = piiLabelReason(label);
    if (pii !== undefined) {
      fail(`${name}.labels.${label}`, `Metric ${name}: label ${pii}; metrics may not carry personal data.`);
    }
    if ((REQUIRED_LABELS as readonly string[]).includes(label)) {
      fail(
        `${name}.labels.${label}`,
        `Metric ${name}: label "${label}" is added by the SDK to every series; do not list it.`,
      );
    }
    if (RESERVED_LABELS.includes(label)) {
      fail(`${name}.labels.${label}`, `Metric ${name}: label "${label}" is reserved by Prometheus.`);
    }
    if (seen.has(label)) fail(`${name}.labels.${label}`, `Metric ${name}: label "${label}" is listed twice.`);
    seen.add(label);
  }
  return Object.freeze([...(labels as string[])]);
}

function checkBuckets(name: string, type: DefinableType, buckets: unknown): readonly number[] | undefined {
  if (type !== 'histogram') {
    if (buckets !== undefined) fail(`${name}.buckets`, `Metric ${name}: only histograms have buckets.`);
    return undefined;
  }
  if (!Array.isArray(buckets) || buckets.length === 0 || buckets.length > MAX_BUCKETS) {
    fail(`${name}.buckets`, `Metric ${name}: a histogram needs 1 to ${MAX_BUCKETS} bucket upper bounds.`);
  }
  const values = buckets as unknown[];
  for (let i = 0; i < values.length; i++) {
    const bound = values[i];
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      fail(`${name}.buckets.${i}`, `Metric ${name}: bucket bounds must be finite numbers (+Inf is implied).`);
    }
    if (i > 0 && bound <= (values[i - 1] as number)) {
      fail(`${name}.buckets.${i}`, `Metric ${name}: bucket bounds must increase.`);
    }
  }
  return Object.freeze([...(values as number[])]);
}

/**
 * Checks a `t.define` definition against the policy: a valid name outside the catalog and the
 * SDK's and prom-client's own prefixes; valid label names, none of them PII, required or reserved;
 * increasing buckets for histograms. Names starting `_sms_` are restricted.
 * @throws TelemetryOptionsError (`WK_SDK_INVALID_METRIC`) naming the metric and what is wrong.
 */
export function checkDefinition(input: unknown): CheckedDefinition {
  if (typeof input !== 'object' || input === null) fail('(definition)', 'A metric definition must be an object.');
  const def = input as Partial<Record<keyof MetricDefinitionInput, unknown>>;
  const name = def.name;
  if (typeof name !== 'string' || !METRIC_NAME.test(name) || name.startsWith('__')) {
    fail('(definition).name', `Metric name ${JSON.stringify(name)} is not a valid Prometheus metric name.`);
  }
  if (findMetricForSeriesName(name) !== undefined) {
    fail(
      name,
      `Metric ${name} is in the catalog (or collides with a catalog histogram's series): use t.counter/t.gauge/t.histogram.`,
    );
  }
  if (name.startsWith(SDK_METRIC_PREFIX) || RUNTIME_METRIC_PREFIXES.some((prefix) => name.startsWith(prefix))) {
    fail(
      name,
      `Metric ${name}: the prefixes ${SDK_METRIC_PREFIX}, ${RUNTIME_METRIC_PREFIXES.join(', ')} belong to the SDK.`,
    );
  }
  if (looksRestricted(name) && !isRestrictedMetricName(name)) {
    fail(name, `Metric ${name}: restricted metrics start with the lower-case prefix _sms_.`);
  }
  const type = def.type;
  if (typeof type !== 'string' || !(DEFINABLE_TYPES as readonly string[]).includes(type)) {
    fail(`${name}.type`, `Metric ${name}: type must be one of ${DEFINABLE_TYPES.join(', ')}.`);
  }
  const help = def.help;
  if (typeof help !== 'string' || help.trim() === '' || help.length > MAX_HELP_LENGTH) {
    fail(
      `${name}.help`,
      `Metric ${name}: help must be a non-empty description of at most ${MAX_HELP_LENGTH} characters.`,
    );
  }
  const definableType = type as DefinableType;
  return Object.freeze({
    name,
    type: definableType,
    help,
    labels: checkLabels(name, def.labels),
    buckets: checkBuckets(name, definableType, def.buckets),
    restricted: isRestrictedMetricName(name),
  });
}

/** The definition of a catalog metric, as the registry builds it. */
export function catalogDefinition(entry: MetricDefinition): CheckedDefinition {
  return Object.freeze({
    name: entry.name,
    type: entry.type as DefinableType,
    help: entry.help,
    labels: entry.labels,
    buckets: entry.buckets,
    restricted: entry.restricted,
  });
}

/** True when two checked definitions describe the same metric (a repeated `t.define`). */
export function sameDefinition(a: CheckedDefinition, b: CheckedDefinition): boolean {
  return (
    a.name === b.name &&
    a.type === b.type &&
    a.help === b.help &&
    a.labels.join('\0') === b.labels.join('\0') &&
    (a.buckets ?? []).join(',') === (b.buckets ?? []).join(',')
  );
}
