/**
 * The engine's internal, column-wise values. A query over N steps evaluates every node once into
 * arrays of N values: a vector is a list of series, each with a Float64Array of values and a
 * presence mask over the steps; a scalar is one Float64Array. An instant query is a range query
 * with one step, so there is a single evaluation path.
 */
import type { FloatHistogram } from '../lib/histogram.js';
import type { Labels } from '../lib/labels.js';

/** Per-step (or per-sample) native histograms; `undefined` where the value is a float. */
export type HistogramColumn = (FloatHistogram | undefined)[];

export interface StepSeries {
  labels: Labels;
  values: Float64Array;
  /** 1 where the series has a value at that step. */
  present: Uint8Array;
  /**
   * Prometheus 3's delayed `__name__` removal: the name is kept while evaluating (so that
   * `label_replace` and `by (__name__)` still see it) and removed from the final result.
   */
  dropName: boolean;
  /** Sample timestamps (ms) per step; only set by vector selectors for `timestamp()`. */
  sampleTimesMs?: Float64Array;
  /**
   * Native histogram samples: where `hists[i]` is set (and `present[i]` is 1), the value at step
   * `i` is that histogram and `values[i]` is meaningless. Absent for series without any histogram
   * sample, so float-only series take the plain typed-array paths.
   */
  hists?: HistogramColumn;
}

export type EvalValue =
  | { kind: 'scalar'; values: Float64Array }
  | { kind: 'vector'; series: StepSeries[] }
  | { kind: 'string'; value: string }
  | { kind: 'matrix'; series: RangeSeries[] };

/** A range vector's series: samples as views (storage) or compact arrays (subqueries). */
export interface RangeSeries {
  labels: Labels;
  ts: Float64Array;
  vals: Float64Array;
  /** Histogram samples aligned with `ts` (`vals[i]` is then meaningless); absent when there are none. */
  hists?: HistogramColumn;
}

/** The steps a node is evaluated at. */
export interface StepRange {
  startMs: number;
  endMs: number;
  stepMs: number;
  /** Number of steps: floor((end - start) / step) + 1. */
  n: number;
}

export function makeStepRange(startMs: number, endMs: number, stepMs: number): StepRange {
  const n = stepMs > 0 ? Math.floor((endMs - startMs) / stepMs) + 1 : 1;
  return { startMs, endMs, stepMs, n };
}

export function stepTime(r: StepRange, i: number): number {
  return r.startMs + i * r.stepMs;
}
