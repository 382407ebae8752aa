/**
 * The metrics side of a Telemetry: two prom-client registries (public and restricted), the
 * policy-guarded metric handles the service records into, the SDK's self-metrics, and the two
 * expositions. Nothing here throws after setup: a sample that breaks the policy is dropped and
 * counted in `watchkeeper_sdk_dropped_samples_total`.
 */
import { findMetric } from '@watchkeeper/model';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { TelemetryOptionsError } from '../errors.js';
import {
  catalogDefinition,
  checkDefinition,
  sameDefinition,
  type CheckedDefinition,
  type DefinableType,
} from './definition.js';
import { filterRestricted } from './exposition.js';
import { SeriesGuard, type DropReason, type SeriesLimits } from './policy.js';
import { looksRestricted } from './restricted.js';
import type { CounterMetric, GaugeMetric, GaugeOptions, HistogramMetric } from './types.js';

const DROPPED_SAMPLES_METRIC = 'watchkeeper_sdk_dropped_samples_total';
const METRIC_SERIES_METRIC = 'watchkeeper_sdk_metric_series';

/** The `metric` label value under which restricted metrics are counted on the public registry. */
export const RESTRICTED_METRIC_LABEL = '(restricted)';

export interface MetricRegistryOptions {
  /** Values of the `service`, `version` and `environment` labels of every series. */
  readonly defaultLabels: { readonly service: string; readonly version: string; readonly environment: string };
  readonly limits: SeriesLimits;
  readonly defaultMetrics: boolean;
  /** Clock in milliseconds, for histogram timers. */
  readonly now: () => number;
  /** Called on the first drop of each metric and reason (the service logs a warning). */
  readonly onFirstDrop: (metric: string, reason: DropReason, error?: unknown) => void;
}

type AnyMetric = CounterMetric<string> | GaugeMetric<string> | HistogramMetric<string>;

interface Entry {
  readonly definition: CheckedDefinition;
  readonly guard: SeriesGuard;
  readonly handle: AnyMetric;
  collect?: GaugeOptions<string>['collect'];
}

type Dropper = (reason: DropReason, error?: unknown) => void;

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function labelObject(value: unknown): object {
  return typeof value === 'object' && value !== null ? value : {};
}

class GuardedCounter implements CounterMetric<string> {
  constructor(
    readonly name: string,
    private readonly prom: Counter<string>,
    private readonly guard: SeriesGuard,
    private readonly drop: Dropper,
  ) {}

  inc(labels: Record<string, string>, value: number = 1): void {
    try {
      if (!isNumber(value)) return this.drop('invalid_value');
      if (value < 0) return this.drop('negative_increment');
      const admitted = this.guard.admit(labels);
      if (!admitted.ok) return this.drop(admitted.reason);
      this.prom.inc(admitted.labels, value);
    } catch (error) {
      this.drop('internal_error', error);
    }
  }
}

class GuardedGauge implements GaugeMetric<string> {
  constructor(
    readonly name: string,
    private readonly prom: Gauge<string>,
    private readonly guard: SeriesGuard,
    private readonly drop: Dropper,
  ) {}

  set(labels: Record<string, string>, value: number): void {
    this.#apply(labels, value, (l, v) => this.prom.set(l, v));
  }

  inc(labels: Record<string, string>, value: number = 1): void {
    this.#apply(labels, value, (l, v) => this.prom.inc(l, v));
  }

  dec(labels: Record<string, string>, value: number = 1): void {
    this.#apply(labels, value, (l, v) => this.prom.dec(l, v));
  }

  remove(labels: Record<string, string>): void {
    try {
      const checked = this.guard.validate(labels);
      if (!checked.ok) return this.drop(checked.reason);
      if (this.guard.release(checked)) this.prom.remove(checked.labels);
    } catch (error) {
      this.drop('internal_error', error);
    }
  }

  #apply(labels: unknown, value: unknown, write: (labels: Record<string, string>, value: number) => void): void {
    try {
      if (!isNumber(value)) return this.drop('invalid_value');
      const admitted = this.guard.admit(labels);
      if (!admitted.ok) return this.drop(admitted.reason);
      write(admitted.labels, value);
    } catch (error) {
      this.drop('internal_error', error);
    }
  }
}

class GuardedHistogram implements HistogramMetric<string> {
  constructor(
    readonly name: string,
    private readonly prom: Histogram<string>,
    private readonly guard: SeriesGuard,
    private readonly drop: Dropper,
    private readonly now: () => number,
  ) {}

  observe(labels: Record<string, string>, value: number): void {
    try {
      if (!isNumber(value)) return this.drop('invalid_value');
      const admitted = this.guard.admit(labels);
      if (!admitted.ok) return this.drop(admitted.reason);
      this.prom.observe(admitted.labels, value);
    } catch (error) {
      this.drop('internal_error', error);
    }
  }

  startTimer(labels?: Partial<Record<string, string>>): (moreLabels?: Partial<Record<string, string>>) => number {
    let startMs = Number.NaN;
    try {
      startMs = this.now();
    } catch (error) {
      this.drop('internal_error', error);
    }
    return (moreLabels) => {
      let seconds = Number.NaN;
      try {
        seconds = Math.max(0, (this.now() - startMs) / 1000);
      } catch (error) {
        this.drop('internal_error', error);
      }
      let merged: object;
      try {
        merged = { ...labelObject(labels), ...labelObject(moreLabels) };
      } catch {
        // A hostile object (a Proxy, a throwing getter) is no label set.
        this.drop('invalid_labels');
        return seconds;
      }
      this.observe(merged as Record<string, string>, seconds);
      return seconds;
    };
  }
}

export class MetricRegistry {
  /** What `GET /metrics` exposes (after filtering). */
  readonly publicRegistry = new Registry();
  /** What only `GET /internal/metrics` exposes: the `_sms_` metrics. */
  readonly restrictedRegistry = new Registry();
  readonly #options: MetricRegistryOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #dropped: Counter<'metric' | 'reason'>;
  readonly #warned = new Set<string>();

  constructor(options: MetricRegistryOptions) {
    this.#options = options;
    const labels = { ...options.defaultLabels };
    this.publicRegistry.setDefaultLabels(labels);
    this.restrictedRegistry.setDefaultLabels(labels);
    this.#dropped = this.#selfCounter();
    this.#selfSeriesGauge();
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.publicRegistry });
  }

  /** A catalog counter (created on first use). @throws TelemetryOptionsError if `name` is no catalog counter. */
  counter(name: string): CounterMetric<string> {
    return this.#catalogMetric(name, 'counter') as CounterMetric<string>;
  }

  /** A catalog gauge, optionally with a collect callback. @throws TelemetryOptionsError */
  gauge(name: string, options?: GaugeOptions<string>): GaugeMetric<string> {
    const handle = this.#catalogMetric(name, 'gauge') as GaugeMetric<string>;
    if (options?.collect !== undefined) this.#setCollect(name, options.collect);
    return handle;
  }

  /** A catalog histogram. @throws TelemetryOptionsError */
  histogram(name: string): HistogramMetric<string> {
    return this.#catalogMetric(name, 'histogram') as HistogramMetric<string>;
  }

  /**
   * A metric outside the catalog, after the policy checks; `_sms_` names go to the restricted
   * registry. Defining the same metric again returns the first handle.
   * @throws TelemetryOptionsError on a policy violation or a conflicting earlier definition.
   */
  define(input: unknown, options?: GaugeOptions<string>): AnyMetric {
    const definition = checkDefinition(input);
    const existing = this.#entries.get(definition.name);
    if (existing !== undefined) {
      if (!sameDefinition(existing.definition, definition)) {
        throw new TelemetryOptionsError(
          'WK_SDK_INVALID_METRIC',
          definition.name,
          `Metric ${definition.name} is already defined differently.`,
        );
      }
    }
    const handle = existing?.handle ?? this.#create(definition);
    if (options?.collect !== undefined) {
      if (definition.type !== 'gauge') {
        throw new TelemetryOptionsError(
          'WK_SDK_INVALID_METRIC',
          definition.name,
          'Only gauges take a collect callback.',
        );
      }
      this.#setCollect(definition.name, options.collect);
    }
    return handle;
  }

  /** Counts `count` dropped samples (and warns once per metric and reason). Never throws. */
  countDrop(metric: string, restricted: boolean, reason: DropReason, error?: unknown, count = 1): void {
    try {
      this.#dropped.inc({ metric: restricted ? RESTRICTED_METRIC_LABEL : metric, reason }, count);
      const key = `${metric}\0${reason}`;
      if (!this.#warned.has(key)) {
        this.#warned.add(key);
        this.#options.onFirstDrop(metric, reason, error);
      }
    } catch {
      // The self-metric is the last resort: nothing is left to report a failure to.
    }
  }

  get contentType(): string {
    return this.publicRegistry.contentType;
  }

  /**
   * The public exposition: every metric of the public registry rendered on its own (one that
   * fails is left out and counted), then cut by {@link filterRestricted}.
   */
  async publicExposition(): Promise<string> {
    const text = await this.#render(this.publicRegistry, true);
    const filtered = filterRestricted(text);
    const cut = filtered.droppedFamilies.size;
    if (cut > 0) {
      // The warning (logs only, never an endpoint) names what was cut, for whoever must fix it.
      const detail = new Error(`cut from the public exposition: ${[...filtered.droppedFamilies].join(', ')}`);
      this.countDrop(RESTRICTED_METRIC_LABEL, true, 'restricted_in_public', detail, cut);
    }
    return filtered.text;
  }

  /** The restricted exposition (`_sms_` metrics only). */
  async restrictedExposition(): Promise<string> {
    return this.#render(this.restrictedRegistry, false);
  }

  async #render(registry: Registry, isPublic: boolean): Promise<string> {
    const parts: string[] = [];
    // The drop counter goes last, so that drops during this collection (a collect callback that
    // throws) are in this exposition already.
    const dropped = DROPPED_SAMPLES_METRIC;
    const names = registry.getMetricsAsArray().map((metric) => String(metric.name));
    const ordered = [...names.filter((n) => n !== dropped), ...names.filter((n) => n === dropped)];
    for (const name of ordered) {
      if (isPublic && looksRestricted(name)) {
        // Never even render it; the text filter would cut it out anyway.
        this.countDrop(
          RESTRICTED_METRIC_LABEL,
          true,
          'restricted_in_public',
          new Error(`registered publicly: ${name}`),
        );
        continue;
      }
      try {
        parts.push(await registry.getSingleMetricAsString(name));
      } catch (error) {
        this.countDrop(name, !isPublic, 'collect_error', error);
      }
    }
    return parts.length === 0 ? '\n' : `${parts.join('\n\n')}\n`;
  }

  #catalogMetric(name: string, type: DefinableType): AnyMetric {
    const existing = this.#entries.get(name);
    if (existing !== undefined && existing.definition.type === type) return existing.handle;
    const entry = findMetric(name);
    if (entry === undefined || entry.source !== 'application' || entry.type !== type) {
      const what = entry === undefined ? 'not in the catalog' : `a ${entry.source} ${entry.type} in the catalog`;
      throw new TelemetryOptionsError(
        'WK_SDK_INVALID_METRIC',
        name,
        `Metric ${JSON.stringify(name)} is ${what}, not an application ${type}: add it to packages/model/src/catalog.ts or use t.define.`,
      );
    }
    return this.#create(catalogDefinition(entry));
  }

  #setCollect(name: string, collect: NonNullable<GaugeOptions<string>['collect']>): void {
    const entry = this.#entries.get(name);
    if (entry === undefined || entry.collect === collect) return;
    if (entry.collect !== undefined) {
      throw new TelemetryOptionsError('WK_SDK_INVALID_METRIC', name, `Gauge ${name} already has a collect callback.`);
    }
    entry.collect = collect;
  }

  #create(definition: CheckedDefinition): AnyMetric {
    const { name, help, restricted } = definition;
    const registers = [restricted ? this.restrictedRegistry : this.publicRegistry];
    const labelNames = [...definition.labels];
    const guard = new SeriesGuard(definition.labels, this.#options.limits, restricted);
    const drop: Dropper = (reason, error) => this.countDrop(name, restricted, reason, error);
    let handle: AnyMetric;
    try {
      switch (definition.type) {
        case 'counter':
          handle = new GuardedCounter(name, new Counter({ name, help, labelNames, registers }), guard, drop);
          break;
        case 'histogram': {
          const buckets = [...(definition.buckets ?? [])];
          const prom = new Histogram({ name, help, labelNames, buckets, registers });
          handle = new GuardedHistogram(name, prom, guard, drop, this.#options.now);
          break;
        }
        case 'gauge': {
          // The collect hook is installed now and looks up the callback at scrape time, so that a
          // callback can be given on a later t.gauge(name, { collect }).
          const collect = async (): Promise<void> => {
            const callback = this.#entries.get(name)?.collect;
            if (callback === undefined) return;
            try {
              await callback(handle as GaugeMetric<string>);
            } catch (error) {
              drop('collect_error', error);
            }
          };
          handle = new GuardedGauge(name, new Gauge({ name, help, labelNames, registers, collect }), guard, drop);
          break;
        }
      }
    } catch (error) {
      throw new TelemetryOptionsError(
        'WK_SDK_INVALID_METRIC',
        name,
        `Metric ${name} could not be registered: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    this.#entries.set(name, { definition, guard, handle });
    return handle;
  }

  #selfCounter(): Counter<'metric' | 'reason'> {
    const entry = findMetric(DROPPED_SAMPLES_METRIC);
    return new Counter({
      name: DROPPED_SAMPLES_METRIC,
      help: entry?.help ?? 'Samples the SDK dropped.',
      labelNames: ['metric', 'reason'],
      registers: [this.publicRegistry],
    });
  }

  #selfSeriesGauge(): void {
    const entry = findMetric(METRIC_SERIES_METRIC);
    const entries = this.#entries;
    new Gauge({
      name: METRIC_SERIES_METRIC,
      help: entry?.help ?? 'Series the SDK holds per metric.',
      labelNames: ['metric'],
      registers: [this.publicRegistry],
      collect(this: Gauge<'metric'>) {
        this.reset();
        let restricted = 0;
        for (const [name, e] of entries) {
          if (e.definition.restricted) restricted += e.guard.seriesCount;
          else this.set({ metric: name }, e.guard.seriesCount);
        }
        if (restricted > 0) this.set({ metric: RESTRICTED_METRIC_LABEL }, restricted);
      },
    });
  }
}
