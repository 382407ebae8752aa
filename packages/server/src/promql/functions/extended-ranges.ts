/**
 * The experimental `anchored` and `smoothed` range-selector modifiers (Prometheus 3.x semantics).
 *
 * Both widen what a window sees beyond `(rangeStart, rangeEnd]`:
 * - `anchored`: the window also holds the samples of the lookback delta before `rangeStart`, so the
 *   last sample at or before `rangeStart` can serve as the left boundary value.
 * - `smoothed`: the window is widened by the lookback delta on both sides, and the values at
 *   `rangeStart` and `rangeEnd` are linearly interpolated from the neighbouring samples.
 *
 * The functions here read one series' extended window `[lo, hi)` of the typed arrays (the caller
 * moves the pointers), like the plain range functions do; `w.rangeStartMs` / `w.rangeEndMs` stay
 * the real range boundaries.
 */
import { RANGE_FUNCTIONS, type RangeFunction, type RangeWindow } from './range-functions.js';

export type RangeModifier = 'anchored' | 'smoothed';

/** Functions each modifier may be used with (Prometheus's AnchoredSafeFunctions / SmoothedSafeFunctions). */
export const MODIFIER_SAFE_FUNCTIONS: Readonly<Record<RangeModifier, readonly string[]>> = {
  anchored: ['changes', 'delta', 'increase', 'rate', 'resets'],
  smoothed: ['delta', 'increase', 'rate'],
};

/** How far the selection reaches before the range start and after the range end. */
export function modifierExtension(
  modifier: RangeModifier | undefined,
  lookbackMs: number,
): { beforeMs: number; afterMs: number } {
  if (modifier === undefined) return { beforeMs: 0, afterMs: 0 };
  return { beforeMs: lookbackMs, afterMs: modifier === 'smoothed' ? lookbackMs : 0 };
}

/** First index in [lo, hi) with ts[i] > t, or hi. */
export function firstAfter(ts: Float64Array, lo: number, hi: number, t: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** First index in [lo, hi) with ts[i] >= t, or hi. */
export function firstAtOrAfter(ts: Float64Array, lo: number, hi: number, t: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! >= t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Linear interpolation at `t` between samples `a` and `b`. For a counter that reset between them,
 * the counter is taken to restart from zero.
 */
export function interpolate(
  ts: Float64Array,
  vals: Float64Array,
  a: number,
  b: number,
  t: number,
  isCounter: boolean,
): number {
  let y1 = vals[a]!;
  const y2 = vals[b]!;
  if (isCounter && y2 < y1) y1 = 0;
  return y1 + ((y2 - y1) * (t - ts[a]!)) / (ts[b]! - ts[a]!);
}

/**
 * The boundary samples of an extended window: `first` is the last sample at or before `rangeStart`
 * (or the first sample when there is none), `last` the last sample (smoothed: the first one at or
 * after `rangeEnd`). Undefined when no sample lies after `rangeStart`.
 */
function boundaries(
  ts: Float64Array,
  lo: number,
  hi: number,
  rangeStart: number,
  rangeEnd: number,
  smoothed: boolean,
): { first: number; last: number } | undefined {
  if (hi <= lo) return undefined;
  let last = hi - 1;
  // Both searches exclude the last sample, so `first < last` whenever a sample exists after rangeStart.
  const first = Math.max(lo, firstAfter(ts, lo, last, rangeStart) - 1);
  if (smoothed) last = firstAtOrAfter(ts, lo, last, rangeEnd);
  if (ts[last]! <= rangeStart) return undefined;
  return { first, last };
}

function leftValue(
  ts: Float64Array,
  vals: Float64Array,
  first: number,
  rangeStart: number,
  smoothed: boolean,
  isCounter: boolean,
): number {
  if (smoothed && ts[first]! < rangeStart) return interpolate(ts, vals, first, first + 1, rangeStart, isCounter);
  return vals[first]!;
}

function rightValue(
  ts: Float64Array,
  vals: Float64Array,
  lo: number,
  last: number,
  rangeEnd: number,
  smoothed: boolean,
  isCounter: boolean,
): number {
  if (smoothed && last > lo && ts[last]! > rangeEnd) return interpolate(ts, vals, last - 1, last, rangeEnd, isCounter);
  return vals[last]!;
}

/** rate / increase / delta over an anchored or smoothed window (no extrapolation). */
export function extendedRate(
  w: RangeWindow,
  isCounter: boolean,
  isRate: boolean,
  smoothed: boolean,
): number | undefined {
  const { ts, vals, lo, hi, rangeStartMs: rangeStart, rangeEndMs: rangeEnd } = w;
  const b = boundaries(ts, lo, hi, rangeStart, rangeEnd, smoothed);
  if (b === undefined) return undefined;
  let { first, last } = b;
  if (smoothed && ts[first]! > rangeEnd) return undefined;
  const left = leftValue(ts, vals, first, rangeStart, smoothed, isCounter);
  const right = rightValue(ts, vals, lo, last, rangeEnd, smoothed, isCounter);
  let result = right - left;
  if (isCounter) {
    // Resets across the boundaries are already handled by the (interpolated) boundary values;
    // only samples strictly inside the range are checked.
    if (ts[first]! <= rangeStart) first++;
    if (ts[last]! >= rangeEnd) last--;
    let prev = left;
    for (let i = first; i <= last; i++) {
      const cur = vals[i]!;
      if (cur < prev) result += prev;
      prev = cur;
    }
    if (right < prev) result += prev;
  }
  if (isRate) result /= w.rangeMs / 1000;
  return result;
}

/**
 * Start of an anchored window for changes()/resets(): the last sample at or before `rangeStart`,
 * else the first sample. Undefined when no sample lies after `rangeStart` (nothing to measure).
 */
export function anchoredStart(w: RangeWindow): number | undefined {
  const idx = firstAfter(w.ts, w.lo, w.hi, w.rangeStartMs);
  if (idx >= w.hi) return undefined;
  return idx > w.lo ? idx - 1 : w.lo;
}

function anchored(fn: RangeFunction): RangeFunction {
  return (w) => {
    const start = anchoredStart(w);
    if (start === undefined) return undefined;
    const lo = w.lo;
    w.lo = start;
    try {
      return fn(w);
    } finally {
      w.lo = lo;
    }
  };
}

/** The range functions that accept each modifier, over extended windows. */
export const EXTENDED_RANGE_FUNCTIONS: Readonly<Record<RangeModifier, Readonly<Record<string, RangeFunction>>>> = {
  anchored: {
    rate: (w) => extendedRate(w, true, true, false),
    increase: (w) => extendedRate(w, true, false, false),
    delta: (w) => extendedRate(w, false, false, false),
    changes: anchored(RANGE_FUNCTIONS.changes!),
    resets: anchored(RANGE_FUNCTIONS.resets!),
  },
  smoothed: {
    rate: (w) => extendedRate(w, true, true, true),
    increase: (w) => extendedRate(w, true, false, true),
    delta: (w) => extendedRate(w, false, false, true),
  },
};

/**
 * The range vector `foo[r] anchored|smoothed` at one time: the samples inside the range with
 * synthetic boundary points at `rangeStart` and `rangeEnd` (interpolated when smoothed). Values
 * are not treated as counters here (Prometheus does not know the metric type at this point).
 */
export function extendWindow(
  ts: Float64Array,
  vals: Float64Array,
  lo: number,
  hi: number,
  rangeStart: number,
  rangeEnd: number,
  smoothed: boolean,
): { ts: Float64Array; vals: Float64Array } | undefined {
  const b = boundaries(ts, lo, hi, rangeStart, rangeEnd, smoothed);
  if (b === undefined) return undefined;
  let { first, last } = b;
  const left = leftValue(ts, vals, first, rangeStart, smoothed, false);
  const right = rightValue(ts, vals, lo, last, rangeEnd, smoothed, false);
  if (ts[first]! <= rangeStart) first++;
  if (ts[last]! >= rangeEnd) last--;
  const inner = Math.max(last - first + 1, 0);
  const outTs = new Float64Array(inner + 2);
  const outVals = new Float64Array(inner + 2);
  outTs[0] = rangeStart;
  outVals[0] = left;
  if (inner > 0) {
    outTs.set(ts.subarray(first, last + 1), 1);
    outVals.set(vals.subarray(first, last + 1), 1);
  }
  outTs[inner + 1] = rangeEnd;
  outVals[inner + 1] = right;
  return { ts: outTs, vals: outVals };
}

/**
 * `metric smoothed` at reference time `t`, from the samples `[lo, hi)` in `(t - lookback, t + lookback]`:
 * the sample at `t`, else the interpolation between its neighbours, else the previous sample's
 * value (nothing newer yet); undefined when there is no sample at or before `t`. Gauge
 * interpolation: a decrease is not taken as a counter reset.
 */
export function smoothedValueAt(
  ts: Float64Array,
  vals: Float64Array,
  lo: number,
  hi: number,
  t: number,
): number | undefined {
  const i = firstAtOrAfter(ts, lo, hi, t);
  if (i < hi && ts[i]! === t) return vals[i]!;
  if (i === lo) return undefined;
  if (i < hi) return interpolate(ts, vals, i - 1, i, t, false);
  return vals[i - 1]!;
}
