/**
 * Functions over range vectors (`rate(x[5m])`, `*_over_time`, ...). Each works on one series'
 * window: samples `[lo, hi)` of the typed arrays `ts`/`vals` (no copy, no object per sample).
 * Returning `undefined` means "no output at this step".
 */
import { kahanSumInc, quantile } from './kahan.js';

export interface RangeWindow {
  ts: Float64Array;
  vals: Float64Array;
  lo: number;
  hi: number;
  /** Evaluation time of the step, Unix ms. */
  evalTimeMs: number;
  /** The window is (rangeStartMs, rangeEndMs]. */
  rangeStartMs: number;
  rangeEndMs: number;
  rangeMs: number;
  /** Values of scalar arguments at this step, in argument order (excluding the range vector). */
  params: number[];
}

export type RangeFunction = (w: RangeWindow) => number | undefined;

function extrapolatedRate(w: RangeWindow, isCounter: boolean, isRate: boolean): number | undefined {
  const { ts, vals, lo, hi } = w;
  const n = hi - lo;
  if (n < 2) return undefined;
  const firstT = ts[lo]!;
  const lastT = ts[hi - 1]!;
  const first = vals[lo]!;
  let result = vals[hi - 1]! - first;
  if (isCounter) {
    let prev = first;
    for (let i = lo + 1; i < hi; i++) {
      const cur = vals[i]!;
      if (cur < prev) result += prev;
      prev = cur;
    }
  }
  let durationToStart = (firstT - w.rangeStartMs) / 1000;
  let durationToEnd = (w.rangeEndMs - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (n - 1);
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  if (durationToStart >= extrapolationThreshold) durationToStart = averageDurationBetweenSamples / 2;
  if (isCounter && result > 0 && first >= 0) {
    // A counter can't go below zero: don't extrapolate past the point where it would be zero.
    const durationToZero = sampledInterval * (first / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= extrapolationThreshold) durationToEnd = averageDurationBetweenSamples / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= w.rangeMs / 1000;
  return result * factor;
}

function instantValue(w: RangeWindow, isRate: boolean): number | undefined {
  const { ts, vals, lo, hi } = w;
  if (hi - lo < 2) return undefined;
  const last = vals[hi - 1]!;
  const prev = vals[hi - 2]!;
  let result = isRate && last < prev ? last : last - prev;
  const sampledIntervalMs = ts[hi - 1]! - ts[hi - 2]!;
  if (sampledIntervalMs === 0) return undefined;
  if (isRate) result /= sampledIntervalMs / 1000;
  return result;
}

/** Least-squares fit with x in seconds relative to `interceptTimeMs`: [slope, intercept]. */
export function linearRegression(w: RangeWindow, interceptTimeMs: number): [number, number] {
  const { ts, vals, lo, hi } = w;
  let n = 0;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  const initY = vals[lo]!;
  let constY = true;
  for (let i = lo; i < hi; i++) {
    const y = vals[i]!;
    if (constY && i > lo && y !== initY) constY = false;
    n += 1;
    const x = (ts[i]! - interceptTimeMs) / 1000;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(y, sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

function avgOverTime(w: RangeWindow): number {
  const { vals, lo, hi } = w;
  let sum = vals[lo]!;
  let count = 1;
  let mean = 0;
  let c = 0;
  let incremental = false;
  for (let i = lo + 1; i < hi; i++) {
    const f = vals[i]!;
    count = i - lo + 1;
    if (!incremental) {
      const [ns, nc] = kahanSumInc(f, sum, c);
      if (ns !== Infinity && ns !== -Infinity) {
        sum = ns;
        c = nc;
        continue;
      }
      // The sum would overflow: continue with an incremental mean.
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    [mean, c] = kahanSumInc(f / count, q * mean, q * c);
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
}

function varianceOverTime(w: RangeWindow): number {
  const { vals, lo, hi } = w;
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (let i = lo; i < hi; i++) {
    const f = vals[i]!;
    count++;
    const delta = f - (mean + cMean);
    [mean, cMean] = kahanSumInc(delta / count, mean, cMean);
    [aux, cAux] = kahanSumInc(delta * (f - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

function windowValues(w: RangeWindow): number[] {
  const out: number[] = [];
  for (let i = w.lo; i < w.hi; i++) out.push(w.vals[i]!);
  return out;
}

function doubleExponentialSmoothing(w: RangeWindow): number | undefined {
  const { vals, lo, hi } = w;
  const sf = w.params[0]!;
  const tf = w.params[1]!;
  if (!(sf > 0 && sf < 1)) throw new RangeError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf}`);
  if (!(tf > 0 && tf < 1)) throw new RangeError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf}`);
  const n = hi - lo;
  if (n < 2) return undefined;
  let s0 = 0;
  let s1 = vals[lo]!;
  let b = vals[lo + 1]! - vals[lo]!;
  for (let i = 1; i < n; i++) {
    const x = sf * vals[lo + i]!;
    if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;
    s0 = s1;
    s1 = x + (1 - sf) * (s0 + b);
  }
  return s1;
}

export const RANGE_FUNCTIONS: Record<string, RangeFunction> = {
  rate: (w) => extrapolatedRate(w, true, true),
  increase: (w) => extrapolatedRate(w, true, false),
  delta: (w) => extrapolatedRate(w, false, false),
  irate: (w) => instantValue(w, true),
  idelta: (w) => instantValue(w, false),
  deriv: (w) => (w.hi - w.lo < 2 ? undefined : linearRegression(w, w.ts[w.lo]!)[0]),
  predict_linear: (w) => {
    if (w.hi - w.lo < 2) return undefined;
    const [slope, intercept] = linearRegression(w, w.evalTimeMs);
    return slope * w.params[0]! + intercept;
  },
  avg_over_time: avgOverTime,
  sum_over_time: (w) => {
    let sum = 0;
    let c = 0;
    for (let i = w.lo; i < w.hi; i++) [sum, c] = kahanSumInc(w.vals[i]!, sum, c);
    if (sum === Infinity || sum === -Infinity) return sum;
    return sum + c;
  },
  count_over_time: (w) => w.hi - w.lo,
  min_over_time: (w) => {
    let m = w.vals[w.lo]!;
    for (let i = w.lo; i < w.hi; i++) {
      const f = w.vals[i]!;
      if (f < m || Number.isNaN(m)) m = f;
    }
    return m;
  },
  max_over_time: (w) => {
    let m = w.vals[w.lo]!;
    for (let i = w.lo; i < w.hi; i++) {
      const f = w.vals[i]!;
      if (f > m || Number.isNaN(m)) m = f;
    }
    return m;
  },
  last_over_time: (w) => w.vals[w.hi - 1]!,
  first_over_time: (w) => w.vals[w.lo]!,
  ts_of_last_over_time: (w) => w.ts[w.hi - 1]! / 1000,
  ts_of_first_over_time: (w) => w.ts[w.lo]! / 1000,
  ts_of_max_over_time: (w) => {
    let m = w.vals[w.lo]!;
    let t = w.ts[w.lo]!;
    for (let i = w.lo; i < w.hi; i++) {
      const f = w.vals[i]!;
      if (f >= m || Number.isNaN(m)) {
        m = f;
        t = w.ts[i]!;
      }
    }
    return t / 1000;
  },
  ts_of_min_over_time: (w) => {
    let m = w.vals[w.lo]!;
    let t = w.ts[w.lo]!;
    for (let i = w.lo; i < w.hi; i++) {
      const f = w.vals[i]!;
      if (f <= m || Number.isNaN(m)) {
        m = f;
        t = w.ts[i]!;
      }
    }
    return t / 1000;
  },
  stddev_over_time: (w) => Math.sqrt(varianceOverTime(w)),
  stdvar_over_time: varianceOverTime,
  quantile_over_time: (w) => quantile(w.params[0]!, windowValues(w)),
  mad_over_time: (w) => {
    const values = windowValues(w);
    if (values.some(Number.isNaN)) return NaN;
    const median = quantile(0.5, values);
    return quantile(
      0.5,
      values.map((v) => Math.abs(v - median)),
    );
  },
  changes: (w) => {
    let changes = 0;
    let prev = w.vals[w.lo]!;
    for (let i = w.lo + 1; i < w.hi; i++) {
      const cur = w.vals[i]!;
      if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) changes++;
      prev = cur;
    }
    return changes;
  },
  resets: (w) => {
    let resets = 0;
    let prev = w.vals[w.lo]!;
    for (let i = w.lo + 1; i < w.hi; i++) {
      const cur = w.vals[i]!;
      if (cur < prev) resets++;
      prev = cur;
    }
    return resets;
  },
  present_over_time: () => 1,
  double_exponential_smoothing: doubleExponentialSmoothing,
};
