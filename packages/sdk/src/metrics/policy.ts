/**
 * The label policy of plan §10.1 at sample time: exact label sets, string values, and the
 * cardinality limits (series per metric, distinct values per label). Checked before a sample
 * reaches prom-client, which would otherwise throw into the host.
 */
import { looksRestricted } from './restricted.js';

/**
 * Why a sample (or a whole series in an exposition) was dropped instead of recorded. The values
 * of the `reason` label of `watchkeeper_sdk_dropped_samples_total`.
 */
export const DROP_REASONS = [
  /** The labels argument is not a plain object. */
  'invalid_labels',
  /** A label of the metric is absent. */
  'missing_label',
  /** A label the metric does not define is present. */
  'unknown_label',
  /** A label value is not a string. */
  'invalid_label_value',
  /** A label value is longer than `limits.maxLabelValueLength`. */
  'label_value_too_long',
  /** A public metric's label value starts with `_sms_` (any case). */
  'restricted_label_value',
  /** The value is not a finite number. */
  'invalid_value',
  /** A counter increment is negative. */
  'negative_increment',
  /** The metric already has `limits.maxSeriesPerMetric` series. */
  'series_limit',
  /** A label of the metric already has `limits.maxLabelValues` distinct values. */
  'label_values_limit',
  /** A family or series with an `_sms_` name or label reached the public exposition and was cut out. */
  'restricted_in_public',
  /** A gauge's collect callback threw, or a metric failed to render. */
  'collect_error',
  /** prom-client refused a sample the policy accepted (should not happen). */
  'internal_error',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export interface SeriesLimits {
  readonly maxSeriesPerMetric: number;
  readonly maxLabelValues: number;
  readonly maxLabelValueLength: number;
}

export type Admission =
  | { readonly ok: true; readonly labels: Record<string, string>; readonly key: string }
  | { readonly ok: false; readonly reason: DropReason };

/**
 * The series of one metric: which label sets it has, how many distinct values each label has
 * (reference-counted, so that removing a gauge series frees its values), and the checks a new
 * label set must pass.
 */
export class SeriesGuard {
  readonly #labelNames: readonly string[];
  readonly #labelSet: ReadonlySet<string>;
  readonly #limits: SeriesLimits;
  readonly #allowRestrictedValues: boolean;
  readonly #series = new Set<string>();
  /** Per label (index as in labelNames): value → number of series using it. */
  readonly #valueRefs: Map<string, number>[];

  constructor(labelNames: readonly string[], limits: SeriesLimits, allowRestrictedValues: boolean) {
    this.#labelNames = labelNames;
    this.#labelSet = new Set(labelNames);
    this.#limits = limits;
    this.#allowRestrictedValues = allowRestrictedValues;
    this.#valueRefs = labelNames.map(() => new Map<string, number>());
  }

  get seriesCount(): number {
    return this.#series.size;
  }

  /** Checks a label argument without creating a series. */
  validate(labels: unknown): Admission {
    try {
      return this.#validate(labels);
    } catch {
      // A hostile object (a Proxy, a throwing getter) is no label set.
      return drop('invalid_labels');
    }
  }

  #validate(labels: unknown): Admission {
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return drop('invalid_labels');
    for (const key of Object.keys(labels)) {
      if (!this.#labelSet.has(key)) return drop('unknown_label');
    }
    const values: string[] = [];
    const clean: Record<string, string> = {};
    for (const name of this.#labelNames) {
      if (!Object.hasOwn(labels, name)) return drop('missing_label');
      const value: unknown = (labels as Record<string, unknown>)[name];
      if (value === undefined) return drop('missing_label');
      if (typeof value !== 'string') return drop('invalid_label_value');
      if (value.length > this.#limits.maxLabelValueLength) return drop('label_value_too_long');
      if (!this.#allowRestrictedValues && looksRestricted(value)) return drop('restricted_label_value');
      values.push(value);
      clean[name] = value;
    }
    return { ok: true, labels: clean, key: JSON.stringify(values) };
  }

  /** Checks a label argument and, if it names a new series within the limits, adds that series. */
  admit(labels: unknown): Admission {
    const checked = this.validate(labels);
    if (!checked.ok || this.#series.has(checked.key)) return checked;
    if (this.#series.size >= this.#limits.maxSeriesPerMetric) return drop('series_limit');
    for (let i = 0; i < this.#labelNames.length; i++) {
      const refs = this.#valueRefs[i]!;
      const value = checked.labels[this.#labelNames[i]!]!;
      if (!refs.has(value) && refs.size >= this.#limits.maxLabelValues) return drop('label_values_limit');
    }
    this.#series.add(checked.key);
    for (let i = 0; i < this.#labelNames.length; i++) {
      const refs = this.#valueRefs[i]!;
      const value = checked.labels[this.#labelNames[i]!]!;
      refs.set(value, (refs.get(value) ?? 0) + 1);
    }
    return checked;
  }

  /** Forgets a series (a removed gauge series); true when it existed. */
  release(admitted: { readonly labels: Record<string, string>; readonly key: string }): boolean {
    if (!this.#series.delete(admitted.key)) return false;
    for (let i = 0; i < this.#labelNames.length; i++) {
      const refs = this.#valueRefs[i]!;
      const value = admitted.labels[this.#labelNames[i]!]!;
      const count = (refs.get(value) ?? 1) - 1;
      if (count <= 0) refs.delete(value);
      else refs.set(value, count);
    }
    return true;
  }
}

function drop(reason: DropReason): Admission {
  return { ok: false, reason };
}
