/**
 * The storage interface the query engine reads through, and the in-memory implementation.
 * Implementations: `memory/` (tests, benchmarks, the PromQL test DSL). Durable storage comes later.
 */
import type { Labels } from '../lib/labels.js';
import type { Matcher } from '../lib/matcher.js';

/**
 * The samples of one series inside a time window, as views over stored typed arrays (no copy).
 * `timestampsMs[i]` holds the Unix-ms time of `values[i]`, strictly increasing. Staleness markers
 * are stored as StaleNaN's exact bits in `values` (see lib/stale.ts).
 */
export interface SeriesSamples {
  labels: Labels;
  timestampsMs: Float64Array;
  values: Float64Array;
}

/** What a query reads: every series matching all matchers, limited to samples in [minTimeMs, maxTimeMs]. */
export interface Queryable {
  select(matchers: readonly Matcher[], minTimeMs: number, maxTimeMs: number): SeriesSamples[];
  /** Label names over all series (sorted). */
  labelNames(matchers?: readonly Matcher[]): string[];
  /** Values of one label over all series (sorted). */
  labelValues(name: string, matchers?: readonly Matcher[]): string[];
}

/** What ingestion writes: samples appended per series. */
export interface Appendable {
  /** Appends one sample; returns false when it is out of order or a duplicate with a different value. */
  append(labels: Labels, timestampMs: number, value: number): boolean;
}

export type Storage = Queryable & Appendable;

export { MemoryStorage } from './memory/memory-storage.js';
