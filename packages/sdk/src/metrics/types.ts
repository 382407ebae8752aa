/**
 * The public, catalog-typed shapes of the SDK's metrics. Names and label names come from the
 * catalog (`@watchkeeper/model`) as types, so a wrong name, a wrong label or a counter asked for as
 * a gauge does not compile; at run time the same checks drop the sample instead of throwing.
 */
import type {
  CatalogLabelName,
  CatalogMetric,
  CatalogMetricName,
  PII_LABELS,
  REQUIRED_LABELS,
} from '@watchkeeper/model';
import type { DefinableType } from './definition.js';

/** Catalog metrics a service instruments (not host-exporter, scraper or SDK series). */
type InstrumentedMetric = Extract<CatalogMetric, { source: 'application' }>;

/** Catalog counters a service may increment. */
export type CounterName = Extract<InstrumentedMetric, { type: 'counter' }>['name'];
/** Catalog gauges a service may set. */
export type GaugeName = Extract<InstrumentedMetric, { type: 'gauge' }>['name'];
/** Catalog histograms a service may observe. */
export type HistogramName = Extract<InstrumentedMetric, { type: 'histogram' }>['name'];

/** Label values of a metric with labels `L`: every label, string values, nothing else. */
export type LabelValues<L extends string> = { readonly [K in L]: string };
/** Label values of a catalog metric. */
export type CatalogLabels<N extends CatalogMetricName> = LabelValues<CatalogLabelName<N>>;

export interface CounterMetric<L extends string> {
  readonly name: string;
  /**
   * Adds `value` (default 1) to the series `labels`. Never throws: a bad label set, a negative or
   * non-finite value, or a new series past the cardinality limits is dropped and counted.
   */
  inc(labels: LabelValues<L>, value?: number): void;
}

export interface GaugeMetric<L extends string> {
  readonly name: string;
  /** Sets the series to `value`. Never throws (see {@link CounterMetric.inc}). */
  set(labels: LabelValues<L>, value: number): void;
  /** Adds `value` (default 1). */
  inc(labels: LabelValues<L>, value?: number): void;
  /** Subtracts `value` (default 1). */
  dec(labels: LabelValues<L>, value?: number): void;
  /** Removes the series, freeing its place under the cardinality limits. */
  remove(labels: LabelValues<L>): void;
}

export interface HistogramMetric<L extends string> {
  readonly name: string;
  /** Observes `value` (in the metric's unit). Never throws (see {@link CounterMetric.inc}). */
  observe(labels: LabelValues<L>, value: number): void;
  /**
   * Starts a timer on the SDK's clock; the returned function observes the elapsed seconds with
   * `labels` merged with `moreLabels` and returns them (also when the sample is dropped).
   * @example
   * const end = t.histogram('db_query_duration_seconds').startTimer({ query_type: 'select' });
   * await query();
   * end({ table: 'quotes' });
   */
  startTimer(labels?: Partial<LabelValues<L>>): (moreLabels?: Partial<LabelValues<L>>) => number;
}

/** Options of a gauge. */
export interface GaugeOptions<L extends string> {
  /**
   * Called at every scrape of the endpoint that exposes the gauge, to set its series from current
   * state (pool sizes, active companies). May be async; an exception is caught, logged and counted.
   */
  readonly collect?: (gauge: GaugeMetric<L>) => void | Promise<void>;
}

type PiiLabel = (typeof PII_LABELS)[number];
type RequiredLabel = (typeof REQUIRED_LABELS)[number];
/** Label names `t.define` refuses, as far as types can tell (the run-time check knows more). */
export type ForbiddenLabel = PiiLabel | RequiredLabel | 'le' | 'quantile' | 'job' | 'instance';

/** The `labels` of a definition, with forbidden names turned into `never` so that they do not compile. */
export type CheckedLabels<L extends readonly string[]> = {
  readonly [I in keyof L]: L[I] extends ForbiddenLabel ? never : L[I];
};

/** The metric handle `t.define` returns for a type and labels. */
export type DefinedMetric<T extends DefinableType, L extends string> = T extends 'counter'
  ? CounterMetric<L>
  : T extends 'gauge'
    ? GaugeMetric<L>
    : HistogramMetric<L>;
