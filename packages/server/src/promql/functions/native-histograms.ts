/**
 * PromQL functions over native histograms (Prometheus 3.x semantics): quantile, fraction and
 * variance of one histogram, and the range functions over windows of histogram samples (`rate`,
 * `increase`, `delta`, `irate`, `idelta`, `sum_over_time`, `avg_over_time`, `changes`,
 * `resets`). The engine calls these only for series holding histograms; float-only series keep
 * the typed-array paths of range-functions.ts.
 */
import {
  type FloatHistogram,
  HistogramSum,
  IncompatibleSchemaError,
  addHistograms,
  allBuckets,
  compact,
  copyHistogram,
  detectReset,
  divideHistogram,
  emptyHistogram,
  histogramEquals,
  hintOf,
  reduceToSchema,
  scaleHistogram,
  subHistograms,
  usesCustomBuckets,
} from '../../lib/histogram.js';
import type { HistogramColumn } from '../eval-types.js';
import { kahanSumInc } from './kahan.js';

/** Reports an annotation about the current series (position and metric name are the caller's). */
export type Annotate = (kind: 'warning' | 'info', message: string) => void;

export const msg = {
  mixedFloatsHistograms: (metric: string): string =>
    `encountered a mix of histograms and floats for metric name "${metric}"`,
  ignoredInMixedRange: (metric: string): string =>
    `ignored histograms in a range containing both floats and histograms for metric name "${metric}"`,
  notCounter: (metric: string): string => `this native histogram metric is not a counter: "${metric}"`,
  notGauge: (metric: string): string => `this native histogram metric is not a gauge: "${metric}"`,
  mixedExponentialCustom: (metric: string): string =>
    `vector contains a mix of histograms with exponential and custom buckets schemas for metric name "${metric}"`,
  reconciled: (op: 'addition' | 'subtraction' | 'aggregation'): string =>
    `mismatched custom buckets were reconciled during ${op}`,
  counterResetCollision: (op: 'addition' | 'subtraction' | 'aggregation'): string =>
    `conflicting counter resets during histogram ${op}`,
  mixedClassicNative: (metric: string): string =>
    `vector contains a mix of classic and native histograms for metric name "${metric}"`,
};

// ---------------------------------------------------------------------------------------------
// One histogram

/** ` for metric name "x"` when there is a name (Prometheus's maybeAddMetricName). */
function forMetric(metric: string): string {
  return metric === '' ? '' : ` for metric name "${metric}"`;
}

/**
 * Prometheus's HistogramQuantile: the q-quantile of the observations, interpolating linearly in
 * custom buckets and the zero bucket and exponentially in exponential buckets. NaN observations
 * (a NaN sum with buckets short of the count) make high quantiles NaN and skew the others.
 */
export function histogramQuantile(q: number, h: FloatHistogram, metric: string, annotate: Annotate): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (h.count === 0 || Number.isNaN(q)) return NaN;
  const custom = usesCustomBuckets(h);
  const nanSum = Number.isNaN(h.sum);
  const forward = nanSum || q < 0.5;
  const buckets = allBuckets(h);
  if (!forward) buckets.reverse();
  let rank = forward ? q * h.count : (1 - q) * h.count;
  let count = 0;
  let k = 0;
  let bucket = { lower: 0, upper: 0, count: 0 };
  for (; k < buckets.length; k++) {
    const b = buckets[k]!;
    bucket = { lower: b.lower, upper: b.upper, count: b.count };
    if (b.count === 0) continue;
    count += b.count;
    if (count >= rank) break;
  }
  if (!custom && bucket.lower < 0 && bucket.upper > 0) {
    if (h.negativeBuckets.length === 0 && h.positiveBuckets.length > 0) bucket.lower = 0;
    else if (h.positiveBuckets.length === 0 && h.negativeBuckets.length > 0) bucket.upper = 0;
  } else if (custom) {
    if (bucket.lower === -Infinity) {
      if (bucket.upper <= 0) return bucket.upper;
      bucket.lower = 0;
    } else if (bucket.upper === Infinity) {
      return bucket.lower;
    }
  }
  if (count > h.count) count = h.count;
  if (count < rank) {
    if (nanSum) {
      annotate('info', `input to histogram_quantile has NaN observations, result is NaN${forMetric(metric)}`);
      return NaN;
    }
    return bucket.upper;
  }
  if (forward) rank -= count - bucket.count;
  else rank = count - rank;
  if (nanSum) {
    for (k++; k < buckets.length; k++) count += buckets[k]!.count;
    if (count < h.count) {
      annotate('info', `input to histogram_quantile has NaN observations, result is skewed higher${forMetric(metric)}`);
    }
  }
  const fraction = rank / bucket.count;
  if (custom || (bucket.lower <= 0 && bucket.upper >= 0)) {
    return bucket.lower + (bucket.upper - bucket.lower) * fraction;
  }
  const logLower = Math.log2(Math.abs(bucket.lower));
  const logUpper = Math.log2(Math.abs(bucket.upper));
  if (bucket.lower > 0) return Math.pow(2, logLower + (logUpper - logLower) * fraction);
  return -Math.pow(2, logUpper + (logLower - logUpper) * (1 - fraction));
}

/**
 * Prometheus's HistogramFraction: the share of observations in [lower, upper], interpolating as
 * histogramQuantile does. NaN observations count towards the total but never into a fraction.
 */
export function histogramFraction(
  lower: number,
  upper: number,
  h: FloatHistogram,
  metric: string,
  annotate: Annotate,
): number {
  if (h.count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  const custom = usesCustomBuckets(h);
  const buckets = allBuckets(h);
  let count = 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  let k = 0;
  for (; k < buckets.length; k++) {
    const b = { ...buckets[k]! };
    count += b.count;
    let zeroBucket = false;
    if (b.lower <= 0 && b.upper >= 0) {
      zeroBucket = true;
      if (h.negativeBuckets.length === 0 && h.positiveBuckets.length > 0) b.lower = 0;
      else if (h.positiveBuckets.length === 0 && h.negativeBuckets.length > 0) b.upper = 0;
    }
    const linear = (v: number): number =>
      b.lower === -Infinity ? b.count : rank + (b.count * (v - b.lower)) / (b.upper - b.lower);
    const exponential = (v: number): number => {
      const logLower = Math.log2(Math.abs(b.lower));
      const logUpper = Math.log2(Math.abs(b.upper));
      const logV = Math.log2(Math.abs(v));
      const fraction =
        v > 0 ? (logV - logLower) / (logUpper - logLower) : 1 - (logV - logUpper) / (logLower - logUpper);
      return rank + b.count * fraction;
    };
    const interpolate = (v: number): number => (custom || zeroBucket ? linear(v) : exponential(v));
    if (!lowerSet && b.lower >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && b.lower >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && b.lower < lower && b.upper > lower) {
      lowerRank = interpolate(lower);
      lowerSet = true;
    }
    if (!upperSet && b.lower < upper && b.upper > upper) {
      upperRank = interpolate(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank += b.count;
  }
  if (Number.isNaN(h.sum)) {
    for (k++; k < buckets.length; k++) count += buckets[k]!.count;
    if (count < h.count) {
      annotate(
        'info',
        `input to histogram_fraction has NaN observations, which are excluded from all fractions${forMetric(metric)}`,
      );
    }
  } else count = h.count;
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / h.count;
}

/**
 * Estimated variance of the observations (histogram_stdvar): every bucket's observations are put
 * at its arithmetic (custom buckets) or geometric (exponential buckets) mean, the zero bucket's
 * at 0.
 */
export function histogramVariance(h: FloatHistogram): number {
  const mean = h.sum / h.count;
  const custom = usesCustomBuckets(h);
  let variance = 0;
  let c = 0;
  for (const b of allBuckets(h)) {
    if (b.count === 0) continue;
    let val: number;
    if (custom) val = (b.upper + b.lower) / 2;
    else if (b.lower <= 0 && b.upper >= 0) val = 0;
    else {
      val = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) val = -val;
    }
    const delta = val - mean;
    [variance, c] = kahanSumInc(b.count * delta * delta, variance, c);
  }
  return (variance + c) / h.count;
}

// ---------------------------------------------------------------------------------------------
// Windows of histogram samples

/** A window of one series: samples [lo, hi) of `ts` (and `hists`, undefined for floats). */
export interface HistogramWindow {
  ts: Float64Array;
  vals: Float64Array;
  hists: HistogramColumn;
  lo: number;
  hi: number;
  rangeStartMs: number;
  rangeEndMs: number;
  rangeMs: number;
}

/**
 * `last - first` over a window of histograms with every counter reset's pre-reset histogram
 * added back (Prometheus's histogramRate), or undefined when the layouts are incompatible.
 */
function histogramRate(
  points: FloatHistogram[],
  isCounter: boolean,
  metric: string,
  annotate: Annotate,
): FloatHistogram | undefined {
  let prev = points[0]!;
  let custom = usesCustomBuckets(prev);
  const last = points[points.length - 1]!;
  const pending: [kind: 'warning' | 'info', message: string][] = [];
  if (isCounter && (hintOf(prev) === 'gauge' || hintOf(last) === 'gauge')) {
    pending.push(['warning', msg.notCounter(metric)]);
  }
  // A reset between the 1st and 2nd sample makes the 1st irrelevant (whatever its layout).
  if (isCounter && points.length > 1) {
    const second = points[1]!;
    if (detectReset(second, prev)) {
      prev = emptyHistogram(second.schema, second.customValues);
      custom = usesCustomBuckets(second);
    }
  }
  const onlyMixedSchemas = (): undefined => {
    annotate('warning', msg.mixedExponentialCustom(metric));
    return undefined;
  };
  if (usesCustomBuckets(last) !== custom) {
    for (const [k, m] of pending) annotate(k, m);
    return onlyMixedSchemas();
  }
  let minSchema = Math.min(last.schema, prev.schema);
  for (let i = 1; i < points.length - 1; i++) {
    if (!isCounter) continue;
    const curr = points[i]!;
    if (hintOf(curr) === 'gauge') pending.push(['warning', msg.notCounter(metric)]);
    if (curr.schema < minSchema) minSchema = curr.schema;
    if (usesCustomBuckets(curr) !== custom) return onlyMixedSchemas();
  }
  let h: FloatHistogram;
  try {
    const r = subHistograms(custom ? last : reduceToSchema(last, minSchema), prev);
    h = r.h;
    if (r.nhcbBoundsReconciled) pending.push(['info', msg.reconciled('subtraction')]);
    if (isCounter) {
      for (let i = 1; i < points.length; i++) {
        const curr = points[i]!;
        if (detectReset(curr, prev)) {
          const a = addHistograms(h, prev);
          h = a.h;
          if (a.nhcbBoundsReconciled) pending.push(['info', msg.reconciled('addition')]);
        }
        prev = curr;
      }
    } else if (hintOf(points[0]!) !== 'gauge' || hintOf(last) !== 'gauge') {
      pending.push(['warning', msg.notGauge(metric)]);
    }
  } catch (err) {
    if (!(err instanceof IncompatibleSchemaError)) throw err;
    return onlyMixedSchemas();
  }
  for (const [k, m] of pending) annotate(k, m);
  return compact({ ...h, counterResetHint: 'gauge' });
}

/**
 * rate / increase / delta over a window holding only histograms (at least two): the histogram
 * difference with resets, extrapolated to the range boundaries as for floats.
 */
export function histogramExtrapolatedRate(
  w: HistogramWindow,
  isCounter: boolean,
  isRate: boolean,
  metric: string,
  annotate: Annotate,
): FloatHistogram | undefined {
  const { ts, lo, hi } = w;
  const n = hi - lo;
  if (n < 2) return undefined;
  const points = w.hists.slice(lo, hi) as FloatHistogram[];
  const h = histogramRate(points, isCounter, metric, annotate);
  if (h === undefined) return undefined;
  const firstT = ts[lo]!;
  const lastT = ts[hi - 1]!;
  let durationToStart = (firstT - w.rangeStartMs) / 1000;
  let durationToEnd = (w.rangeEndMs - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (n - 1);
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  if (durationToStart >= extrapolationThreshold) durationToStart = averageDurationBetweenSamples / 2;
  if (isCounter && h.count > 0 && points[0]!.count >= 0) {
    const durationToZero = sampledInterval * (points[0]!.count / h.count);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= extrapolationThreshold) durationToEnd = averageDurationBetweenSamples / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= w.rangeMs / 1000;
  return scaleHistogram(h, factor);
}

/** irate / idelta when the last two samples are histograms. */
export function histogramInstantValue(
  prevT: number,
  prev: FloatHistogram,
  lastT: number,
  last: FloatHistogram,
  isRate: boolean,
  metric: string,
  annotate: Annotate,
): FloatHistogram | undefined {
  const interval = lastT - prevT;
  if (interval === 0) return undefined;
  if (isRate && (hintOf(last) === 'gauge' || hintOf(prev) === 'gauge')) annotate('warning', msg.notCounter(metric));
  if (!isRate && (hintOf(last) !== 'gauge' || hintOf(prev) !== 'gauge')) annotate('warning', msg.notGauge(metric));
  let h = copyHistogram(last);
  if (!isRate || !detectReset(last, prev)) {
    try {
      const r = subHistograms(last, prev);
      h = r.h;
      if (r.nhcbBoundsReconciled) annotate('info', msg.reconciled('subtraction'));
    } catch (err) {
      if (!(err instanceof IncompatibleSchemaError)) throw err;
      annotate('warning', msg.mixedExponentialCustom(metric));
      return undefined;
    }
  }
  h = compact({ ...h, counterResetHint: 'gauge' });
  if (isRate) h = divideHistogram(h, interval / 1000);
  return h;
}

/**
 * sum_over_time (`avg` false) or avg_over_time of a window holding only histograms: a
 * Kahan-compensated sum; the average switches to an incremental mean if the sum overflows.
 */
export function histogramSumOverTime(
  w: HistogramWindow,
  avg: boolean,
  metric: string,
  annotate: Annotate,
): FloatHistogram | undefined {
  let counterResetSeen = false;
  let notCounterResetSeen = false;
  let reconciled = false;
  const track = (h: FloatHistogram): void => {
    const hint = hintOf(h);
    if (hint === 'reset') counterResetSeen = true;
    else if (hint === 'not_reset') notCounterResetSeen = true;
  };
  const first = w.hists[w.lo]!;
  track(first);
  let acc = new HistogramSum(first);
  let incremental = false;
  let count = 1;
  try {
    for (let i = w.lo + 1; i < w.hi; i++) {
      const h = w.hists[i]!;
      track(h);
      count++;
      if (!avg) {
        if (acc.add(h).nhcbBoundsReconciled) reconciled = true;
        continue;
      }
      if (!incremental) {
        const next = acc.clone();
        if (next.add(h).nhcbBoundsReconciled) reconciled = true;
        if (!next.overflowed) {
          acc = next;
          continue;
        }
        incremental = true;
        acc.divide(count - 1);
      }
      acc.scale((count - 1) / count);
      if (acc.add(divideHistogram(h, count)).nhcbBoundsReconciled) reconciled = true;
    }
  } catch (err) {
    if (!(err instanceof IncompatibleSchemaError)) throw err;
    annotate('warning', msg.mixedExponentialCustom(metric));
    return undefined;
  }
  if (counterResetSeen && notCounterResetSeen) annotate('warning', msg.counterResetCollision('aggregation'));
  if (reconciled) annotate('info', msg.reconciled('aggregation'));
  return compact(acc.result(avg && !incremental ? count : 1));
}

/** changes() or resets() over a window that may mix floats and histograms. */
export function mixedChangesOrResets(w: HistogramWindow, resets: boolean): number {
  let n = 0;
  for (let i = w.lo + 1; i < w.hi; i++) {
    const ph = w.hists[i - 1];
    const ch = w.hists[i];
    if (ph === undefined && ch === undefined) {
      const p = w.vals[i - 1]!;
      const c = w.vals[i]!;
      if (resets ? c < p : c !== p && !(Number.isNaN(c) && Number.isNaN(p))) n++;
    } else if (ph === undefined || ch === undefined) n++;
    else if (resets ? detectReset(ch, ph) : !histogramEquals(ch, ph)) n++;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// anchored / smoothed

/**
 * The histogram at `t` between (t1, h1) and (t2, h2), linearly. For a counter that reset between
 * them the counter is taken to restart from zero (`h2` scaled). Throws IncompatibleSchemaError
 * for a mix of exponential and custom buckets.
 */
export function interpolateHistograms(
  h1: FloatHistogram,
  t1: number,
  h2: FloatHistogram,
  t2: number,
  t: number,
  isCounter: boolean,
  annotate: Annotate,
): FloatHistogram {
  if (t === t1) return h1;
  if (t === t2) return h2;
  const fraction = (t - t1) / (t2 - t1);
  if (isCounter && detectReset(h2, h1)) return scaleHistogram(h2, fraction);
  const d = subHistograms(h2, h1);
  if (d.nhcbBoundsReconciled) annotate('info', msg.reconciled('subtraction'));
  const s = addHistograms(scaleHistogram(d.h, fraction), h1);
  if (s.nhcbBoundsReconciled) annotate('info', msg.reconciled('addition'));
  return s.h;
}

/** First index in [0, n) with pred(i), or n (Go's sort.Search). */
function search(n: number, pred: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * rate / increase / delta over an anchored or smoothed window holding only histograms
 * (Prometheus's extendedHistogramRate): boundary histograms picked (anchored) or interpolated
 * (smoothed), counter resets inside the range added back, no extrapolation.
 */
export function extendedHistogramRate(
  w: HistogramWindow,
  isCounter: boolean,
  isRate: boolean,
  smoothed: boolean,
  metric: string,
  annotate: Annotate,
): FloatHistogram | undefined {
  const ts = w.ts.subarray(w.lo, w.hi);
  const h = w.hists.slice(w.lo, w.hi) as FloatHistogram[];
  const { rangeStartMs: rangeStart, rangeEndMs: rangeEnd } = w;
  let last = h.length - 1;
  const first = Math.max(0, search(last, (i) => ts[i]! > rangeStart) - 1);
  if (smoothed) last = search(last, (i) => ts[i]! >= rangeEnd);
  if (ts[last]! <= rangeStart) return undefined;
  if (smoothed && ts[first]! > rangeEnd) return undefined;
  const custom = usesCustomBuckets(h[first]!);
  for (let i = first; i <= last; i++) {
    if (usesCustomBuckets(h[i]!) !== custom) {
      annotate('warning', msg.mixedExponentialCustom(metric));
      return undefined;
    }
    if (isCounter && hintOf(h[i]!) === 'gauge') annotate('warning', msg.notCounter(metric));
  }
  try {
    const left =
      smoothed && ts[first]! < rangeStart
        ? interpolateHistograms(h[first]!, ts[first]!, h[first + 1]!, ts[first + 1]!, rangeStart, isCounter, annotate)
        : h[first]!;
    const right =
      smoothed && last > 0 && ts[last]! > rangeEnd
        ? interpolateHistograms(h[last - 1]!, ts[last - 1]!, h[last]!, ts[last]!, rangeEnd, isCounter, annotate)
        : h[last]!;
    if (!isCounter && (hintOf(left) !== 'gauge' || hintOf(right) !== 'gauge')) {
      annotate('warning', msg.notGauge(metric));
    }
    const d = subHistograms(right, left);
    if (d.nhcbBoundsReconciled) annotate('info', msg.reconciled('subtraction'));
    let result = d.h;
    if (isCounter) {
      // Resets inside the range: the boundary values already account for those across them.
      let from = first + 1;
      let prev = left;
      if (smoothed && ts[first]! < rangeStart && detectReset(h[first + 1]!, h[first]!)) {
        prev = h[first + 1]!;
        from++;
      }
      const to = last - 1;
      let correction: FloatHistogram | undefined;
      const addCorrection = (x: FloatHistogram): void => {
        if (correction === undefined) {
          correction = x;
          return;
        }
        const a = addHistograms(correction, x);
        if (a.nhcbBoundsReconciled) annotate('info', msg.reconciled('addition'));
        correction = a.h;
      };
      if (from <= to + 1) {
        for (let i = from; i <= to; i++) {
          if (detectReset(h[i]!, prev)) addCorrection(prev);
          prev = h[i]!;
        }
        if (detectReset(right, prev)) addCorrection(prev);
      }
      if (correction !== undefined) {
        const a = addHistograms(result, correction);
        if (a.nhcbBoundsReconciled) annotate('info', msg.reconciled('addition'));
        result = a.h;
      }
    }
    if (isRate) result = divideHistogram(result, w.rangeMs / 1000);
    return compact({ ...result, counterResetHint: 'gauge' });
  } catch (err) {
    if (!(err instanceof IncompatibleSchemaError)) throw err;
    annotate('warning', msg.mixedExponentialCustom(metric));
    return undefined;
  }
}
