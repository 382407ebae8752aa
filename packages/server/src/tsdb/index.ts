/**
 * The storage interface the query engine reads through, and the in-memory implementation.
 * Implementations: `memory/` (tests, benchmarks, the PromQL test DSL). Durable storage comes later.
 */
import type { FloatHistogram } from '../lib/histogram.js';
import type { Labels } from '../lib/labels.js';
import type { Matcher } from '../lib/matcher.js';

/**
 * The samples of one series inside a time window, as views over stored typed arrays (no copy).
 * `timestampsMs[i]` holds the Unix-ms time of `values[i]`, strictly increasing. Staleness markers
 * are stored as StaleNaN's exact bits in `values` (see lib/stale.ts), for histogram series too.
 *
 * Native histogram samples: `histograms[i]` is the histogram at `timestampsMs[i]` (and `values[i]`
 * is then meaningless); `undefined` where the sample is a float. `histograms` is absent when the
 * window holds no histogram sample, so float-only series cost nothing. Histograms are shared
 * values: readers must not modify them.
 *
 * The counter-reset hint of a returned histogram is what Prometheus's TSDB reports on read:
 * `gauge` for gauge histograms; for counter histograms `unknown` for the first sample of a run and
 * `not_reset` for the following ones, where a run (a TSDB chunk) ends at a counter reset (detected
 * or hinted `reset`), a change of schema, zero threshold or custom bounds, a float sample or a
 * staleness marker, a gauge histogram, and after 120 samples.
 */
export interface SeriesSamples {
  labels: Labels;
  timestampsMs: Float64Array;
  values: Float64Array;
  histograms?: readonly (FloatHistogram | undefined)[];
}

/** What a query reads: every series matching all matchers, limited to samples in [minTimeMs, maxTimeMs]. */
export interface Queryable {
  select(matchers: readonly Matcher[], minTimeMs: number, maxTimeMs: number): SeriesSamples[];
  /** Label sets of the matching series that have samples in the window (no samples decoded). */
  seriesLabels?(matchers: readonly Matcher[], minTimeMs: number, maxTimeMs: number): Labels[];
  /**
   * Label names (sorted) of the series that match every matcher (all series without matchers) and
   * have at least one sample in [minTimeMs, maxTimeMs] (default: all time, where every stored
   * series counts). Staleness markers are samples.
   */
  labelNames(matchers?: readonly Matcher[], minTimeMs?: number, maxTimeMs?: number): string[];
  /** Values (sorted, without "") of one label over the same series as `labelNames`. */
  labelValues(name: string, matchers?: readonly Matcher[], minTimeMs?: number, maxTimeMs?: number): string[];
}

/** Why a sample was not stored. */
export type AppendRejection =
  /** Older than the series' last sample by more than the out-of-order window. */
  | 'out-of-order'
  /** Same timestamp as a stored sample with a different value. */
  | 'duplicate-timestamp'
  /** Timestamp outside the accepted range (far future, before 1970, not an integer). */
  | 'bad-timestamp'
  /** Label set not acceptable (empty name, invalid UTF-8, duplicate label names). */
  | 'bad-labels';

/**
 * A batch of writes that becomes durable together: samples are staged with `append` and
 * acknowledged only when `commit()` resolves (after the write-ahead log reached the disk).
 * Rejections are values, not exceptions: ingestion counts them and reports where they came from.
 */
export interface Appender {
  /** Stages one sample; `undefined` means accepted. An exact resend of a stored sample is accepted and not stored twice. */
  append(labels: Labels, timestampMs: number, value: number): AppendRejection | undefined;
  /** Makes every staged sample durable and visible to queries. */
  commit(): Promise<void>;
  /** Drops every staged sample. */
  rollback(): void;
}

/** What ingestion writes: samples appended per series. */
export interface Appendable {
  /** Appends one sample immediately (not durable on its own); returns false when it is rejected. */
  append(labels: Labels, timestampMs: number, value: number): boolean;
  /**
   * Appends one native histogram sample (storages that hold histograms). A histogram whose sum is
   * StaleNaN is a staleness marker. A float and a histogram sample at the same timestamp: the last
   * write wins. The histogram is kept as given: callers must not modify it afterwards.
   */
  appendHistogram?(labels: Labels, timestampMs: number, h: FloatHistogram): boolean;
  /** A batch whose `commit()` resolves once it is durable. */
  appender(): Appender;
}

export type Storage = Queryable & Appendable;

export { filterQueryable, type FilteredQueryable, type SeriesFilter } from './filtered.js';
export { MemoryStorage } from './memory/memory-storage.js';
export { DiskStorage, type DiskStorageOptions, type StorageStats } from './disk/disk-storage.js';
