/** Classic-histogram quantile and fraction over `le` buckets (Prometheus's quantile.go). */
import { almostEqual } from './kahan.js';

export interface Bucket {
  upperBound: number;
  count: number;
}

function sortAndCoalesce(buckets: Bucket[]): Bucket[] {
  buckets.sort((a, b) => a.upperBound - b.upperBound);
  const out: Bucket[] = [];
  for (const b of buckets) {
    const last = out[out.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else out.push({ upperBound: b.upperBound, count: b.count });
  }
  return out;
}

/** Returns [quantile, forcedMonotonicity]. Sorts and may modify `buckets`. */
export function bucketQuantile(q: number, input: Bucket[]): [number, boolean] {
  if (Number.isNaN(q)) return [NaN, false];
  if (q < 0) return [-Infinity, false];
  if (q > 1) return [Infinity, false];
  if (input.length === 0) return [NaN, false];
  const buckets = sortAndCoalesce(input);
  if (buckets[buckets.length - 1]!.upperBound !== Infinity) return [NaN, false];
  let forced = false;
  // Ignore numerically insignificant differences, then force monotonicity.
  let prev = buckets[0]!.count;
  for (let i = 1; i < buckets.length; i++) {
    const curr = buckets[i]!.count;
    if (curr === prev) continue;
    if (almostEqual(prev, curr, 1e-12)) {
      buckets[i]!.count = prev;
      continue;
    }
    if (curr < prev) {
      buckets[i]!.count = prev;
      forced = true;
      continue;
    }
    prev = curr;
  }
  if (buckets.length < 2) return [NaN, false];
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return [NaN, false];
  let rank = q * observations;
  // First bucket (excluding the last) whose count >= rank.
  let b = 0;
  {
    let lo = 0;
    let hi = buckets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (buckets[mid]!.count >= rank) hi = mid;
      else lo = mid + 1;
    }
    b = lo;
  }
  if (b === buckets.length - 1) return [buckets[buckets.length - 2]!.upperBound, forced];
  if (b === 0 && buckets[0]!.upperBound <= 0) return [buckets[0]!.upperBound, forced];
  let bucketStart = 0;
  const bucketEnd = buckets[b]!.upperBound;
  let count = buckets[b]!.count;
  if (b > 0) {
    bucketStart = buckets[b - 1]!.upperBound;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return [bucketStart + (bucketEnd - bucketStart) * (rank / count), forced];
}

/** Fraction of observations in [lower, upper], interpolating linearly inside buckets. */
export function bucketFraction(lower: number, upper: number, input: Bucket[]): number {
  if (input.length === 0) return NaN;
  const buckets = sortAndCoalesce(input);
  if (buckets[buckets.length - 1]!.upperBound !== Infinity) return NaN;
  const count = buckets[buckets.length - 1]!.count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    // A natural lower bound of 0 for the lowest bucket when its upper bound is positive.
    const lowerBound = i > 0 ? buckets[i - 1]!.upperBound : b.upperBound > 0 ? 0 : -Infinity;
    const upperBound = b.upperBound;
    const bucketCount = b.count - rank;
    const infiniteWidth = upperBound === Infinity || lowerBound === -Infinity;
    // Nothing is known of how observations spread in an infinitely wide bucket: a bound inside
    // one excludes the whole bucket.
    const interpolate = (v: number, isLower: boolean): number => {
      // In the +Inf bucket a lower bound keeps the bucket, an upper bound drops it; in a bucket
      // reaching down to -Inf both drop it.
      if (infiniteWidth) return upperBound === Infinity || !isLower ? rank : b.count;
      return rank + (bucketCount * (v - lowerBound)) / (upperBound - lowerBound);
    };
    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = interpolate(lower, true);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = interpolate(upper, false);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = b.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return Math.max(0, upperRank - lowerRank) / count;
}
