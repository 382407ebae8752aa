/**
 * Native histograms (Prometheus's `FloatHistogram`) and the operations PromQL and the storage need
 * on them: bucket bounds, iteration, compaction, schema reduction, addition and subtraction
 * (including zero-bucket and custom-bound reconciliation), Kahan-compensated sums, scaling, counter
 * reset detection, equality and trimming.
 *
 * Histograms are treated as immutable values: every operation returns a new object and never
 * modifies its arguments, so a histogram read from storage can be shared by any number of query
 * results.
 *
 * Layout: buckets are described by spans as in Prometheus. The first span's offset is the index of
 * its first bucket, later offsets are the gaps between spans. Exponential schemas (-4..8) put
 * bucket `i` of the positive side at `(2^((i-1)/2^schema), 2^(i/2^schema)]` (mirrored for the
 * negative side) around a zero bucket `[-zeroThreshold, zeroThreshold]`. Schema -53 (custom
 * buckets, "NHCB") has positive buckets only: bucket `i` is `(customValues[i-1], customValues[i]]`,
 * the first one starting at -Inf and the last one (index `customValues.length`) ending at +Inf.
 */
import { formatFloatG } from './format-number.js';

export type CounterResetHint = 'unknown' | 'reset' | 'not_reset' | 'gauge';

export interface HistogramSpan {
  offset: number;
  length: number;
}

export interface FloatHistogram {
  schema: number;
  /** Observations, including those in the zero bucket and NaN observations. */
  count: number;
  /** Sum of observations; StaleNaN makes the histogram a staleness marker. */
  sum: number;
  zeroThreshold: number;
  zeroCount: number;
  positiveSpans: HistogramSpan[];
  /** Absolute counts (not deltas), one per bucket the spans describe. */
  positiveBuckets: number[];
  negativeSpans: HistogramSpan[];
  negativeBuckets: number[];
  /** Upper bounds of the custom buckets (schema -53), strictly increasing, without +Inf. */
  customValues?: number[];
  /** Absent means 'unknown'. */
  counterResetHint?: CounterResetHint;
}

export const CUSTOM_BUCKETS_SCHEMA = -53;

/** Adding or comparing an exponential histogram with a custom-buckets one. */
export class IncompatibleSchemaError extends Error {
  constructor() {
    super('cannot apply this operation to histograms with a mix of exponential and custom bucket schemas');
    this.name = 'IncompatibleSchemaError';
  }
}

export function usesCustomBuckets(h: FloatHistogram): boolean {
  return h.schema === CUSTOM_BUCKETS_SCHEMA;
}

export function hintOf(h: FloatHistogram): CounterResetHint {
  return h.counterResetHint ?? 'unknown';
}

/** A histogram with no observations in the given schema. */
export function emptyHistogram(schema = 0, customValues?: number[]): FloatHistogram {
  const h: FloatHistogram = {
    schema,
    count: 0,
    sum: 0,
    zeroThreshold: 0,
    zeroCount: 0,
    positiveSpans: [],
    positiveBuckets: [],
    negativeSpans: [],
    negativeBuckets: [],
  };
  if (customValues !== undefined) h.customValues = customValues;
  return h;
}

/** A deep copy (custom values are shared: they are never modified). */
export function copyHistogram(h: FloatHistogram): FloatHistogram {
  const c: FloatHistogram = {
    schema: h.schema,
    count: h.count,
    sum: h.sum,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    positiveSpans: h.positiveSpans.map((s) => ({ offset: s.offset, length: s.length })),
    positiveBuckets: h.positiveBuckets.slice(),
    negativeSpans: h.negativeSpans.map((s) => ({ offset: s.offset, length: s.length })),
    negativeBuckets: h.negativeBuckets.slice(),
  };
  if (h.customValues !== undefined) c.customValues = h.customValues;
  if (h.counterResetHint !== undefined) c.counterResetHint = h.counterResetHint;
  return c;
}

/** The same histogram with another counter-reset hint. */
export function withHint(h: FloatHistogram, hint: CounterResetHint): FloatHistogram {
  if (hintOf(h) === hint) return h;
  return { ...h, counterResetHint: hint };
}

// ---------------------------------------------------------------------------------------------
// Bucket bounds

/** fracTables[schema][i] = 2^(i/2^schema) / 2, correctly rounded (Prometheus's exponentialBounds). */
const fracTables: (Float64Array | undefined)[] = [];

function fracTable(schema: number): Float64Array {
  const cached = fracTables[schema];
  if (cached !== undefined) return cached;
  const n = 1 << schema;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = correctlyRoundedPow2(i, n);
  fracTables[schema] = t;
  return t;
}

/**
 * 2^(i/n - 1) for 0 <= i < n (a power of two), rounded to nearest: starts from Math.pow and
 * checks the candidate against the exact value with integer arithmetic, since Math.pow is not
 * guaranteed to round correctly.
 */
function correctlyRoundedPow2(i: number, n: number): number {
  if (i === 0) return 0.5;
  // Values in [0.5, 1) are m / 2^53 with 2^52 <= m < 2^53. The exact x satisfies x^n = 2^(i-n),
  // and m is right iff (2m-1)^n < 2^(i - n + 54n) < (2m+1)^n.
  let m = BigInt(Math.round(Math.pow(2, i / n - 1) * 2 ** 53));
  const N = BigInt(n);
  const target = 1n << BigInt(i - n + 54 * n);
  for (let guard = 0; guard < 8; guard++) {
    if ((2n * m + 1n) ** N <= target) m++;
    else if ((2n * m - 1n) ** N >= target) m--;
    else break;
  }
  return Number(m) / 2 ** 53;
}

/** `frac * 2^exp` without overflowing in the intermediate power of two. */
function ldexp(frac: number, exp: number): number {
  if (exp > 1000) return frac * 2 ** (exp - 100) * 2 ** 100;
  if (exp < -1000) return frac * 2 ** (exp + 100) * 2 ** -100;
  return frac * 2 ** exp;
}

/** Upper bound of bucket `idx` of an exponential schema (Prometheus's getBoundExponential). */
export function getBoundExponential(idx: number, schema: number): number {
  if (schema < 0) {
    const exp = idx * 2 ** -schema;
    // The last bucket before the one for ±Inf observations ends at MaxFloat64.
    if (exp === 1024) return Number.MAX_VALUE;
    return ldexp(1, exp);
  }
  const fracIdx = idx & ((1 << schema) - 1);
  const frac = fracTable(schema)[fracIdx]!;
  const exp = (idx >> schema) + 1;
  if (frac === 0.5 && exp === 1025) return Number.MAX_VALUE;
  return ldexp(frac, exp);
}

/** [lower, upper] of a bucket (absolute for the negative side: lower <= upper < 0). */
function bucketRange(h: FloatHistogram, positive: boolean, idx: number): [number, number] {
  if (h.schema === CUSTOM_BUCKETS_SCHEMA) {
    const cv = h.customValues ?? [];
    const lower = idx <= 0 ? -Infinity : idx - 1 < cv.length ? cv[idx - 1]! : Infinity;
    const upper = idx < cv.length ? (idx < 0 ? -Infinity : cv[idx]!) : Infinity;
    return [lower, upper];
  }
  const lo = getBoundExponential(idx - 1, h.schema);
  const hi = getBoundExponential(idx, h.schema);
  return positive ? [lo, hi] : [-hi, -lo];
}

// ---------------------------------------------------------------------------------------------
// Bucket lists: the expanded form the operations below work on

/** Buckets as parallel arrays of indexes (strictly increasing) and counts. */
export interface BucketList {
  idx: number[];
  cnt: number[];
}

/** Expands spans and buckets into a bucket list (zero counts kept). */
export function expandBuckets(spans: readonly HistogramSpan[], buckets: readonly number[]): BucketList {
  const idx: number[] = [];
  const cnt: number[] = [];
  let i = 0;
  let b = 0;
  for (let s = 0; s < spans.length; s++) {
    const sp = spans[s]!;
    i += sp.offset;
    for (let j = 0; j < sp.length; j++) {
      if (b >= buckets.length) return { idx, cnt };
      idx.push(i);
      cnt.push(buckets[b]!);
      i++;
      b++;
    }
  }
  return { idx, cnt };
}

/** Spans and buckets for a bucket list: one span per run of consecutive indexes. */
export function collapseBuckets(list: BucketList): { spans: HistogramSpan[]; buckets: number[] } {
  const spans: HistogramSpan[] = [];
  let next = 0;
  for (let k = 0; k < list.idx.length; k++) {
    const i = list.idx[k]!;
    const last = spans[spans.length - 1];
    if (last !== undefined && i === next) last.length++;
    else spans.push({ offset: spans.length === 0 ? i : i - next, length: 1 });
    next = i + 1;
  }
  return { spans, buckets: list.cnt.slice() };
}

function dropZeros(list: BucketList): BucketList {
  const idx: number[] = [];
  const cnt: number[] = [];
  for (let k = 0; k < list.idx.length; k++) {
    if (list.cnt[k] === 0) continue;
    idx.push(list.idx[k]!);
    cnt.push(list.cnt[k]!);
  }
  return { idx, cnt };
}

/** Merges the buckets of an exponential schema into a coarser one (`to <= from`). */
function reduceList(list: BucketList, from: number, to: number): BucketList {
  if (from === to) return list;
  const shift = from - to;
  const idx: number[] = [];
  const cnt: number[] = [];
  for (let k = 0; k < list.idx.length; k++) {
    const t = ((list.idx[k]! - 1) >> shift) + 1;
    const last = idx.length - 1;
    if (last >= 0 && idx[last] === t) cnt[last] = cnt[last]! + list.cnt[k]!;
    else {
      idx.push(t);
      cnt.push(list.cnt[k]!);
    }
  }
  return { idx, cnt };
}

function positiveList(h: FloatHistogram): BucketList {
  return expandBuckets(h.positiveSpans, h.positiveBuckets);
}

function negativeList(h: FloatHistogram): BucketList {
  return expandBuckets(h.negativeSpans, h.negativeBuckets);
}

function withLists(
  h: FloatHistogram,
  pos: BucketList,
  neg: BucketList,
  extra: Partial<FloatHistogram>,
): FloatHistogram {
  const p = collapseBuckets(pos);
  const n = collapseBuckets(neg);
  const out: FloatHistogram = {
    schema: h.schema,
    count: h.count,
    sum: h.sum,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    positiveSpans: p.spans,
    positiveBuckets: p.buckets,
    negativeSpans: n.spans,
    negativeBuckets: n.buckets,
    customValues: h.customValues,
    counterResetHint: h.counterResetHint,
    ...extra,
  };
  if (out.customValues === undefined) delete out.customValues;
  if (out.counterResetHint === undefined) delete out.counterResetHint;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Iteration

/** One bucket with its bounds, as Prometheus's bucket iterators yield them. */
export interface Bucket {
  lower: number;
  upper: number;
  lowerInclusive: boolean;
  upperInclusive: boolean;
  count: number;
  /** Bucket index; unused for the zero bucket. */
  index: number;
}

/** Positive buckets in ascending order (empty buckets included). */
export function positiveBucketsOf(h: FloatHistogram): Bucket[] {
  const list = positiveList(h);
  const out: Bucket[] = [];
  for (let k = 0; k < list.idx.length; k++) {
    const i = list.idx[k]!;
    const [lower, upper] = bucketRange(h, true, i);
    out.push({ lower, upper, lowerInclusive: false, upperInclusive: true, count: list.cnt[k]!, index: i });
  }
  return out;
}

/** Negative buckets from the zero bucket outwards, i.e. in descending order of value. */
export function negativeBucketsOf(h: FloatHistogram): Bucket[] {
  if (h.schema === CUSTOM_BUCKETS_SCHEMA) return [];
  const list = negativeList(h);
  const out: Bucket[] = [];
  for (let k = 0; k < list.idx.length; k++) {
    const i = list.idx[k]!;
    const [lower, upper] = bucketRange(h, false, i);
    out.push({ lower, upper, lowerInclusive: true, upperInclusive: false, count: list.cnt[k]!, index: i });
  }
  return out;
}

function zeroBucket(h: FloatHistogram): Bucket {
  return {
    lower: -h.zeroThreshold,
    upper: h.zeroThreshold,
    lowerInclusive: true,
    upperInclusive: true,
    count: h.zeroCount,
    index: 0,
  };
}

function clampToZeroBucket(b: Bucket, zt: number): Bucket {
  if (b.upper < 0 && b.upper > -zt) return { ...b, upper: -zt };
  if (b.lower > 0 && b.lower < zt) return { ...b, lower: zt };
  return b;
}

/**
 * Every bucket in ascending order of value: negative buckets, the zero bucket (when populated),
 * positive buckets. Buckets overlapping the zero bucket are cut at the zero threshold.
 */
export function allBuckets(h: FloatHistogram): Bucket[] {
  const out: Bucket[] = [];
  const neg = negativeBucketsOf(h);
  for (let k = neg.length - 1; k >= 0; k--) out.push(clampToZeroBucket(neg[k]!, h.zeroThreshold));
  if (h.zeroCount > 0 && h.schema !== CUSTOM_BUCKETS_SCHEMA) out.push(zeroBucket(h));
  for (const b of positiveBucketsOf(h)) out.push(clampToZeroBucket(b, h.zeroThreshold));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Layout operations

/** Removes empty buckets and merges adjacent spans (Prometheus's Compact(0)). */
export function compact(h: FloatHistogram): FloatHistogram {
  if (isCompact(h.positiveSpans, h.positiveBuckets) && isCompact(h.negativeSpans, h.negativeBuckets)) return h;
  return withLists(h, dropZeros(positiveList(h)), dropZeros(negativeList(h)), {
    customValues: h.customValues,
    counterResetHint: h.counterResetHint,
  });
}

function isCompact(spans: readonly HistogramSpan[], buckets: readonly number[]): boolean {
  for (let s = 0; s < spans.length; s++) {
    const sp = spans[s]!;
    if (sp.length === 0 || (s > 0 && sp.offset === 0)) return false;
  }
  for (const b of buckets) if (b === 0) return false;
  return true;
}

/** A copy in a coarser exponential schema (`target <= h.schema`); custom buckets cannot change. */
export function reduceToSchema(h: FloatHistogram, target: number): FloatHistogram {
  if (target === h.schema) return h;
  if (h.schema === CUSTOM_BUCKETS_SCHEMA || target === CUSTOM_BUCKETS_SCHEMA || target > h.schema) {
    throw new Error(`cannot reduce histogram schema from ${h.schema} to ${target}`);
  }
  return withLists(h, reduceList(positiveList(h), h.schema, target), reduceList(negativeList(h), h.schema, target), {
    schema: target,
    counterResetHint: h.counterResetHint,
  });
}

/**
 * The zero count `h` would have with the larger (or equal) threshold `larger`, and the threshold
 * actually needed: a threshold inside a populated bucket is moved to that bucket's upper bound.
 */
function zeroCountForLargerThreshold(h: FloatHistogram, larger: number): [number, number] {
  if (larger === h.zeroThreshold) return [h.zeroCount, larger];
  const pos = positiveBucketsOf(h);
  const neg = negativeBucketsOf(h);
  for (;;) {
    let count = h.zeroCount;
    let restart = false;
    for (const b of pos) {
      if (b.lower >= larger) break;
      count += b.count;
      if (b.upper > larger) {
        if (b.count !== 0) larger = b.upper;
        break;
      }
    }
    for (const b of neg) {
      if (b.upper <= -larger) break;
      count += b.count;
      if (b.lower < -larger) {
        if (b.count !== 0) {
          larger = -b.lower;
          restart = true;
        }
        break;
      }
    }
    if (!restart) return [count, larger];
  }
}

/** Buckets of `list` whose upper bound (absolute) is above `threshold` (exponential schemas). */
function aboveThreshold(list: BucketList, schema: number, threshold: number): BucketList {
  if (threshold === 0 || schema === CUSTOM_BUCKETS_SCHEMA) return list;
  let k = 0;
  while (k < list.idx.length && getBoundExponential(list.idx[k]!, schema) <= threshold) k++;
  return k === 0 ? list : { idx: list.idx.slice(k), cnt: list.cnt.slice(k) };
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

/** Prometheus's counter-reset hint of `a + b` / `a - b`; `collision` for reset vs. not_reset. */
export function combineHints(a: CounterResetHint, b: CounterResetHint): { hint: CounterResetHint; collision: boolean } {
  if (a === b) return { hint: a, collision: false };
  if (a === 'gauge' || b === 'gauge') return { hint: 'gauge', collision: false };
  if (a === 'unknown' || b === 'unknown') return { hint: 'unknown', collision: false };
  return { hint: 'unknown', collision: true };
}

export interface CombineResult {
  h: FloatHistogram;
  /** One operand was hinted `reset`, the other `not_reset`. */
  counterResetCollision: boolean;
  /** Custom-bucket histograms with different bounds were mapped onto their common bounds. */
  nhcbBoundsReconciled: boolean;
}

/** `a + b` (Prometheus's Add); throws IncompatibleSchemaError for exponential + custom buckets. */
export function addHistograms(a: FloatHistogram, b: FloatHistogram): CombineResult {
  return combine(a, b, 1);
}

/**
 * `a - b` (Prometheus's Sub). The hint is combined as for addition; PromQL's `-` operator sets
 * the result to a gauge itself.
 */
export function subHistograms(a: FloatHistogram, b: FloatHistogram): CombineResult {
  return combine(a, b, -1);
}

function mergeLists(x: BucketList, y: BucketList, sign: number): BucketList {
  const idx: number[] = [];
  const cnt: number[] = [];
  let i = 0;
  let j = 0;
  while (i < x.idx.length || j < y.idx.length) {
    const xi = i < x.idx.length ? x.idx[i]! : Infinity;
    const yj = j < y.idx.length ? y.idx[j]! : Infinity;
    if (xi < yj) {
      idx.push(xi);
      cnt.push(x.cnt[i++]!);
    } else if (yj < xi) {
      idx.push(yj);
      cnt.push(sign * y.cnt[j++]!);
    } else {
      idx.push(xi);
      cnt.push(x.cnt[i++]! + sign * y.cnt[j++]!);
    }
  }
  return { idx, cnt };
}

export function customBoundsMatch(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x === y) return true;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Bounds present in both (sorted) lists. */
export function intersectCustomBounds(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(a[i]!);
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return out;
}

/**
 * Maps custom buckets onto coarser bounds (a subset of theirs): every bucket goes to the first
 * target bucket whose upper bound is at or above its own. Returns a dense array, one count per
 * target bucket (the last one is the +Inf bucket).
 */
function mapCustomBuckets(list: BucketList, bounds: readonly number[], target: readonly number[]): number[] {
  const out = new Array<number>(target.length + 1).fill(0);
  let t = 0;
  for (let k = 0; k < list.idx.length; k++) {
    const i = list.idx[k]!;
    let dest = target.length;
    if (i < bounds.length) {
      const bound = bounds[i]!;
      while (t < target.length && target[t]! < bound) t++;
      dest = t;
    }
    out[dest] = out[dest]! + list.cnt[k]!;
  }
  return out;
}

function denseToList(dense: readonly number[]): BucketList {
  const idx: number[] = [];
  const cnt: number[] = [];
  for (let i = 0; i < dense.length; i++) {
    if (dense[i] === 0) continue;
    idx.push(i);
    cnt.push(dense[i]!);
  }
  return { idx, cnt };
}

/**
 * Reconciles the zero buckets of `a` and `b`: the result threshold is the larger one, moved up to
 * a bucket boundary if it falls inside a populated bucket of either. Returns `a` with the new
 * threshold (its buckets inside the zero bucket folded into the zero count) and the zero count
 * `b` has with that threshold.
 */
function reconcileZeroBuckets(a: FloatHistogram, b: FloatHistogram): { a: FloatHistogram; bZeroCount: number } {
  let bZeroCount = b.zeroCount;
  let bThreshold = b.zeroThreshold;
  let cur = a;
  while (bThreshold !== cur.zeroThreshold) {
    if (cur.zeroThreshold > bThreshold) [bZeroCount, bThreshold] = zeroCountForLargerThreshold(b, cur.zeroThreshold);
    if (bThreshold > cur.zeroThreshold) {
      const [zc, zt] = zeroCountForLargerThreshold(cur, bThreshold);
      cur = trimBucketsInZeroBucket({ ...cur, zeroCount: zc, zeroThreshold: zt });
    }
  }
  return { a: cur, bZeroCount };
}

/** Drops the buckets inside the zero bucket (their counts are already in the zero count). */
function trimBucketsInZeroBucket(h: FloatHistogram): FloatHistogram {
  const zt = h.zeroThreshold;
  const pos = positiveList(h);
  const neg = negativeList(h);
  const keepPos: BucketList = { idx: [], cnt: [] };
  for (let k = 0; k < pos.idx.length; k++) {
    if (getBoundExponential(pos.idx[k]! - 1, h.schema) < zt) continue;
    keepPos.idx.push(pos.idx[k]!);
    keepPos.cnt.push(pos.cnt[k]!);
  }
  const keepNeg: BucketList = { idx: [], cnt: [] };
  for (let k = 0; k < neg.idx.length; k++) {
    if (-getBoundExponential(neg.idx[k]! - 1, h.schema) > -zt) continue;
    keepNeg.idx.push(neg.idx[k]!);
    keepNeg.cnt.push(neg.cnt[k]!);
  }
  return withLists(h, dropZeros(keepPos), dropZeros(keepNeg), {
    counterResetHint: h.counterResetHint,
  });
}

function combine(a: FloatHistogram, b: FloatHistogram, sign: 1 | -1): CombineResult {
  const aCustom = a.schema === CUSTOM_BUCKETS_SCHEMA;
  if (aCustom !== (b.schema === CUSTOM_BUCKETS_SCHEMA)) throw new IncompatibleSchemaError();
  const { hint, collision } = combineHints(hintOf(a), hintOf(b));
  const count = a.count + sign * b.count;
  const sum = a.sum + sign * b.sum;
  if (aCustom) {
    const ap = positiveList(a);
    const bp = positiveList(b);
    if (customBoundsMatch(a.customValues, b.customValues)) {
      const h = withLists(a, mergeLists(ap, bp, sign), { idx: [], cnt: [] }, { count, sum, counterResetHint: hint });
      return { h, counterResetCollision: collision, nhcbBoundsReconciled: false };
    }
    const bounds = intersectCustomBounds(a.customValues ?? [], b.customValues ?? []);
    const x = mapCustomBuckets(ap, a.customValues ?? [], bounds);
    const y = mapCustomBuckets(bp, b.customValues ?? [], bounds);
    for (let i = 0; i < x.length; i++) x[i] = x[i]! + sign * y[i]!;
    const h = withLists(
      a,
      denseToList(x),
      { idx: [], cnt: [] },
      {
        count,
        sum,
        customValues: bounds,
        counterResetHint: hint,
      },
    );
    return { h, counterResetCollision: collision, nhcbBoundsReconciled: true };
  }
  const r = reconcileZeroBuckets(a, b);
  const base = r.a;
  const schema = Math.min(base.schema, b.schema);
  const ap = reduceList(positiveList(base), base.schema, schema);
  const an = reduceList(negativeList(base), base.schema, schema);
  const bp = aboveThreshold(reduceList(positiveList(b), b.schema, schema), schema, base.zeroThreshold);
  const bn = aboveThreshold(reduceList(negativeList(b), b.schema, schema), schema, base.zeroThreshold);
  const h = withLists(base, mergeLists(ap, bp, sign), mergeLists(an, bn, sign), {
    schema,
    count,
    sum,
    zeroCount: base.zeroCount + sign * r.bZeroCount,
    counterResetHint: hint,
  });
  return { h, counterResetCollision: collision, nhcbBoundsReconciled: false };
}

/** Every count and the sum multiplied by `factor` (Prometheus's Mul); a negative factor makes a gauge. */
export function scaleHistogram(h: FloatHistogram, factor: number): FloatHistogram {
  const out: FloatHistogram = {
    ...h,
    count: h.count * factor,
    sum: h.sum * factor,
    zeroCount: h.zeroCount * factor,
    positiveBuckets: h.positiveBuckets.map((b) => b * factor),
    negativeBuckets: h.negativeBuckets.map((b) => b * factor),
  };
  if (factor < 0) out.counterResetHint = 'gauge';
  return out;
}

/**
 * Every count and the sum divided by `divisor` (Prometheus's Div). Dividing by zero drops all
 * buckets; a negative divisor makes a gauge.
 */
export function divideHistogram(h: FloatHistogram, divisor: number): FloatHistogram {
  const out: FloatHistogram = {
    ...h,
    count: h.count / divisor,
    sum: h.sum / divisor,
    zeroCount: h.zeroCount / divisor,
    positiveBuckets: h.positiveBuckets.map((b) => b / divisor),
    negativeBuckets: h.negativeBuckets.map((b) => b / divisor),
  };
  if (divisor === 0) {
    out.positiveSpans = [];
    out.positiveBuckets = [];
    out.negativeSpans = [];
    out.negativeBuckets = [];
    return out;
  }
  if (divisor < 0) out.counterResetHint = 'gauge';
  return out;
}

/** True if any count, the sum or any bucket is infinite (a running sum overflowed). */
export function hasOverflow(h: FloatHistogram): boolean {
  const inf = (v: number): boolean => v === Infinity || v === -Infinity;
  if (inf(h.count) || inf(h.sum) || inf(h.zeroCount)) return true;
  for (const b of h.positiveBuckets) if (inf(b)) return true;
  for (const b of h.negativeBuckets) if (inf(b)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Kahan-compensated sums (sum, avg, sum_over_time, avg_over_time)

/** Neumaier-compensated addition, as Prometheus's kahansum.Inc: returns [sum, compensation]. */
function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) return [t, c + (sum - t + inc)];
  return [t, c + (inc - t + sum)];
}

/** Buckets with a running value and its compensation term. */
interface KahanBuckets {
  idx: number[];
  val: number[];
  comp: number[];
}

function kahanReduce(k: KahanBuckets, from: number, to: number): KahanBuckets {
  if (from === to) return k;
  const shift = from - to;
  const out: KahanBuckets = { idx: [], val: [], comp: [] };
  for (let j = 0; j < k.idx.length; j++) {
    const t = ((k.idx[j]! - 1) >> shift) + 1;
    const last = out.idx.length - 1;
    if (last >= 0 && out.idx[last] === t) {
      let v = out.val[last]!;
      let c = out.comp[last]!;
      [v, c] = kahanInc(k.val[j]!, v, c);
      [v, c] = kahanInc(k.comp[j]!, v, c);
      out.val[last] = v;
      out.comp[last] = c;
    } else {
      out.idx.push(t);
      out.val.push(k.val[j]!);
      out.comp.push(k.comp[j]!);
    }
  }
  return out;
}

function kahanFromList(list: BucketList): KahanBuckets {
  return { idx: list.idx.slice(), val: list.cnt.slice(), comp: list.cnt.map(() => 0) };
}

/** Adds `list` (value and optional compensation) into `k`. */
function kahanAddList(k: KahanBuckets, list: KahanBuckets): KahanBuckets {
  const out: KahanBuckets = { idx: [], val: [], comp: [] };
  let i = 0;
  let j = 0;
  while (i < k.idx.length || j < list.idx.length) {
    const ki = i < k.idx.length ? k.idx[i]! : Infinity;
    const lj = j < list.idx.length ? list.idx[j]! : Infinity;
    if (ki < lj) {
      out.idx.push(ki);
      out.val.push(k.val[i]!);
      out.comp.push(k.comp[i]!);
      i++;
    } else if (lj < ki) {
      out.idx.push(lj);
      out.val.push(list.val[j]!);
      out.comp.push(list.comp[j]!);
      j++;
    } else {
      let [v, c] = kahanInc(list.val[j]!, k.val[i]!, k.comp[i]!);
      if (list.comp[j] !== 0) [v, c] = kahanInc(list.comp[j]!, v, c);
      out.idx.push(ki);
      out.val.push(v);
      out.comp.push(c);
      i++;
      j++;
    }
  }
  return out;
}

/**
 * A Kahan-compensated running sum of histograms (Prometheus's KahanAdd): every count, the sum
 * and every bucket keep a compensation term, so that adding values of very different magnitudes
 * loses as little as the float sum does.
 */
export class HistogramSum {
  private schema: number;
  private zeroThreshold: number;
  private customValues: number[] | undefined;
  private hint: CounterResetHint;
  private count: number;
  private countC = 0;
  private sum: number;
  private sumC = 0;
  private zeroCount: number;
  private zeroCountC = 0;
  private pos: KahanBuckets;
  private neg: KahanBuckets;

  constructor(first: FloatHistogram) {
    this.schema = first.schema;
    this.zeroThreshold = first.zeroThreshold;
    this.customValues = first.customValues;
    this.hint = hintOf(first);
    this.count = first.count;
    this.sum = first.sum;
    this.zeroCount = first.zeroCount;
    this.pos = kahanFromList(positiveList(first));
    this.neg = kahanFromList(negativeList(first));
  }

  get usesCustomBuckets(): boolean {
    return this.schema === CUSTOM_BUCKETS_SCHEMA;
  }

  /** Adds `h`; throws IncompatibleSchemaError for a mix of exponential and custom buckets. */
  add(h: FloatHistogram): { counterResetCollision: boolean; nhcbBoundsReconciled: boolean } {
    const custom = this.schema === CUSTOM_BUCKETS_SCHEMA;
    if (custom !== (h.schema === CUSTOM_BUCKETS_SCHEMA)) throw new IncompatibleSchemaError();
    const { hint, collision } = combineHints(this.hint, hintOf(h));
    this.hint = hint;
    [this.count, this.countC] = kahanInc(h.count, this.count, this.countC);
    [this.sum, this.sumC] = kahanInc(h.sum, this.sum, this.sumC);
    if (custom) {
      if (customBoundsMatch(this.customValues, h.customValues)) {
        this.pos = kahanAddList(this.pos, kahanFromList(positiveList(h)));
        return { counterResetCollision: collision, nhcbBoundsReconciled: false };
      }
      const bounds = intersectCustomBounds(this.customValues ?? [], h.customValues ?? []);
      const own = this.customValues ?? [];
      const vals = mapCustomBuckets({ idx: this.pos.idx, cnt: this.pos.val }, own, bounds);
      const comps = mapCustomBuckets({ idx: this.pos.idx, cnt: this.pos.comp }, own, bounds);
      const other = mapCustomBuckets(positiveList(h), h.customValues ?? [], bounds);
      const next: KahanBuckets = { idx: [], val: [], comp: [] };
      for (let i = 0; i < vals.length; i++) {
        const [v, c] = kahanInc(other[i]!, vals[i]!, comps[i]!);
        if (v === 0 && c === 0) continue;
        next.idx.push(i);
        next.val.push(v);
        next.comp.push(c);
      }
      this.pos = next;
      this.customValues = bounds;
      return { counterResetCollision: collision, nhcbBoundsReconciled: true };
    }
    // Zero buckets: widen ours (folding our buckets into it) or count `h`'s buckets into its own.
    let hZeroCount = h.zeroCount;
    let hThreshold = h.zeroThreshold;
    while (hThreshold !== this.zeroThreshold) {
      if (this.zeroThreshold > hThreshold)
        [hZeroCount, hThreshold] = zeroCountForLargerThreshold(h, this.zeroThreshold);
      if (hThreshold > this.zeroThreshold) this.widenZeroBucket(hThreshold);
    }
    [this.zeroCount, this.zeroCountC] = kahanInc(hZeroCount, this.zeroCount, this.zeroCountC);
    let hp = kahanFromList(positiveList(h));
    let hn = kahanFromList(negativeList(h));
    if (h.schema < this.schema) {
      this.pos = kahanReduce(this.pos, this.schema, h.schema);
      this.neg = kahanReduce(this.neg, this.schema, h.schema);
      this.schema = h.schema;
    } else if (h.schema > this.schema) {
      hp = kahanReduce(hp, h.schema, this.schema);
      hn = kahanReduce(hn, h.schema, this.schema);
    }
    this.pos = kahanAddList(this.pos, this.skipBelowThreshold(hp));
    this.neg = kahanAddList(this.neg, this.skipBelowThreshold(hn));
    return { counterResetCollision: collision, nhcbBoundsReconciled: false };
  }

  private skipBelowThreshold(k: KahanBuckets): KahanBuckets {
    if (this.zeroThreshold === 0) return k;
    let j = 0;
    while (j < k.idx.length && getBoundExponential(k.idx[j]!, this.schema) <= this.zeroThreshold) j++;
    if (j === 0) return k;
    return { idx: k.idx.slice(j), val: k.val.slice(j), comp: k.comp.slice(j) };
  }

  /** Moves the zero threshold up to `larger` (or the bucket boundary above it). */
  private widenZeroBucket(larger: number): void {
    const probe = this.current();
    const [, threshold] = zeroCountForLargerThreshold(probe, larger);
    let zc = this.zeroCount;
    let zcc = this.zeroCountC;
    const fold = (k: KahanBuckets): KahanBuckets => {
      const out: KahanBuckets = { idx: [], val: [], comp: [] };
      for (let j = 0; j < k.idx.length; j++) {
        const i = k.idx[j]!;
        const lowerAbs = getBoundExponential(i - 1, this.schema);
        if (lowerAbs < threshold) {
          [zc, zcc] = kahanInc(k.val[j]!, zc, zcc);
          [zc, zcc] = kahanInc(k.comp[j]!, zc, zcc);
          continue;
        }
        out.idx.push(i);
        out.val.push(k.val[j]!);
        out.comp.push(k.comp[j]!);
      }
      return out;
    };
    this.pos = fold(this.pos);
    this.neg = fold(this.neg);
    this.zeroCount = zc;
    this.zeroCountC = zcc;
    this.zeroThreshold = threshold;
  }

  /** An independent copy of the running state. */
  clone(): HistogramSum {
    const c = Object.create(HistogramSum.prototype) as HistogramSum;
    Object.assign(c, this);
    c.pos = { idx: this.pos.idx.slice(), val: this.pos.val.slice(), comp: this.pos.comp.slice() };
    c.neg = { idx: this.neg.idx.slice(), val: this.neg.val.slice(), comp: this.neg.comp.slice() };
    return c;
  }

  /** Divides the running sum and its compensation (turning a sum into a mean). */
  divide(divisor: number): void {
    this.count /= divisor;
    this.countC /= divisor;
    this.sum /= divisor;
    this.sumC /= divisor;
    this.zeroCount /= divisor;
    this.zeroCountC /= divisor;
    for (const k of [this.pos, this.neg]) {
      for (let j = 0; j < k.idx.length; j++) {
        k.val[j] = k.val[j]! / divisor;
        k.comp[j] = k.comp[j]! / divisor;
      }
    }
    if (divisor < 0) this.hint = 'gauge';
  }

  /** Scales the running sum and its compensation (for an incremental mean). */
  scale(factor: number): void {
    this.count *= factor;
    this.countC *= factor;
    this.sum *= factor;
    this.sumC *= factor;
    this.zeroCount *= factor;
    this.zeroCountC *= factor;
    for (const k of [this.pos, this.neg]) {
      for (let j = 0; j < k.idx.length; j++) {
        k.val[j] = k.val[j]! * factor;
        k.comp[j] = k.comp[j]! * factor;
      }
    }
    if (factor < 0) this.hint = 'gauge';
  }

  /** True if the running sum (not counting compensation) overflowed somewhere. */
  get overflowed(): boolean {
    const inf = (v: number): boolean => v === Infinity || v === -Infinity;
    if (inf(this.count) || inf(this.sum) || inf(this.zeroCount)) return true;
    return this.pos.val.some(inf) || this.neg.val.some(inf);
  }

  get counterResetHint(): CounterResetHint {
    return this.hint;
  }

  /** The histogram so far, compensation applied, divided by `divisor` (1 for the plain sum). */
  result(divisor = 1): FloatHistogram {
    const d = (v: number, c: number): number => v / divisor + c / divisor;
    const finish = (k: KahanBuckets): BucketList => ({
      idx: k.idx.slice(),
      cnt: k.val.map((v, j) => d(v, k.comp[j]!)),
    });
    const base: FloatHistogram = {
      schema: this.schema,
      count: d(this.count, this.countC),
      sum: d(this.sum, this.sumC),
      zeroThreshold: this.zeroThreshold,
      zeroCount: d(this.zeroCount, this.zeroCountC),
      positiveSpans: [],
      positiveBuckets: [],
      negativeSpans: [],
      negativeBuckets: [],
    };
    return withLists(base, finish(this.pos), finish(this.neg), {
      customValues: this.customValues,
      counterResetHint: this.hint,
    });
  }

  /** The running sum without compensation (what overflow checks and scaling act on). */
  private current(): FloatHistogram {
    const base: FloatHistogram = {
      schema: this.schema,
      count: this.count,
      sum: this.sum,
      zeroThreshold: this.zeroThreshold,
      zeroCount: this.zeroCount,
      positiveSpans: [],
      positiveBuckets: [],
      negativeSpans: [],
      negativeBuckets: [],
    };
    return withLists(
      base,
      { idx: this.pos.idx, cnt: this.pos.val },
      { idx: this.neg.idx, cnt: this.neg.val },
      {
        customValues: this.customValues,
      },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison and counter resets

function sameNumber(a: number, b: number): boolean {
  return a === b ? a !== 0 || 1 / a === 1 / b : a !== a && b !== b;
}

/**
 * Exact equality (Prometheus's Equals): same schema, zero threshold, custom bounds, counts, sum
 * and bucket layout, compared value by value (NaN equals NaN, 0 differs from -0). Spans describing
 * the same buckets in different ways are equal; empty buckets are part of the layout.
 */
export function histogramEquals(a: FloatHistogram, b: FloatHistogram): boolean {
  if (a.schema !== b.schema || !sameNumber(a.count, b.count) || !sameNumber(a.sum, b.sum)) return false;
  if (a.schema === CUSTOM_BUCKETS_SCHEMA && !customBoundsMatch(a.customValues, b.customValues)) return false;
  if (a.zeroThreshold !== b.zeroThreshold || !sameNumber(a.zeroCount, b.zeroCount)) return false;
  return listsEqual(negativeList(a), negativeList(b)) && listsEqual(positiveList(a), positiveList(b));
}

function listsEqual(x: BucketList, y: BucketList): boolean {
  if (x.idx.length !== y.idx.length) return false;
  for (let k = 0; k < x.idx.length; k++) {
    if (x.idx[k] !== y.idx[k] || !sameNumber(x.cnt[k]!, y.cnt[k]!)) return false;
  }
  return true;
}

/**
 * Whether `curr` follows `prev` only after a counter reset (Prometheus's DetectReset): an explicit
 * hint decides; otherwise any count (total, zero bucket, any bucket, not the sum) that went down,
 * a populated bucket that disappeared, a higher resolution or a smaller zero bucket is a reset.
 */
export function detectReset(curr: FloatHistogram, prev: FloatHistogram): boolean {
  const hint = hintOf(curr);
  if (hint === 'reset') return true;
  if (hint === 'not_reset') return false;
  if (curr.count < prev.count) return true;
  if (curr.schema === CUSTOM_BUCKETS_SCHEMA) {
    if (prev.schema !== CUSTOM_BUCKETS_SCHEMA) return true;
    if (!customBoundsMatch(curr.customValues, prev.customValues)) {
      const bounds = intersectCustomBounds(curr.customValues ?? [], prev.customValues ?? []);
      const c = mapCustomBuckets(positiveList(curr), curr.customValues ?? [], bounds);
      const p = mapCustomBuckets(positiveList(prev), prev.customValues ?? [], bounds);
      for (let i = 0; i < c.length; i++) if (c[i]! < p[i]!) return true;
      return false;
    }
  } else if (prev.schema === CUSTOM_BUCKETS_SCHEMA) {
    // An exponential histogram after a custom-buckets one: nothing comparable.
    return true;
  }
  if (curr.schema > prev.schema) return true;
  if (curr.zeroThreshold < prev.zeroThreshold) return true;
  const [prevZeroCount, threshold] = zeroCountForLargerThreshold(prev, curr.zeroThreshold);
  if (threshold !== curr.zeroThreshold) return true;
  if (curr.zeroCount < prevZeroCount) return true;
  const schema = curr.schema;
  const side = (c: BucketList, p: BucketList): boolean => {
    const cl = aboveThreshold(c, schema, curr.zeroThreshold);
    const pl = aboveThreshold(reduceList(p, prev.schema, schema), schema, curr.zeroThreshold);
    let i = 0;
    for (let k = 0; k < pl.idx.length; k++) {
      const pi = pl.idx[k]!;
      while (i < cl.idx.length && cl.idx[i]! < pi) i++;
      if (i < cl.idx.length && cl.idx[i] === pi) {
        if (cl.cnt[i]! < pl.cnt[k]!) return true;
      } else if (pl.cnt[k] !== 0) return true;
    }
    return false;
  };
  return side(positiveList(curr), positiveList(prev)) || side(negativeList(curr), negativeList(prev));
}

// ---------------------------------------------------------------------------------------------
// Trimming (the `</` and `>/` operators)

function midpoint(lower: number, upper: number, positive: boolean, linear: boolean): number {
  if (!Number.isFinite(lower)) {
    if (!Number.isFinite(upper)) return 0;
    return upper > 0 ? upper / 2 : upper;
  }
  if (!Number.isFinite(upper)) return lower;
  if (linear) return (lower + upper) / 2;
  const g = Math.sqrt(Math.abs(lower * upper));
  return positive ? g : -g;
}

/** Portion of the bucket's count at or below `rhs`. */
function splitCount(b: Bucket, rhs: number, positive: boolean, linear: boolean): number {
  if (rhs <= b.lower) return 0;
  if (rhs >= b.upper) return b.count;
  let fraction: number;
  if (linear) fraction = (rhs - b.lower) / (b.upper - b.lower);
  else {
    const logLower = Math.log2(Math.abs(b.lower));
    const logUpper = Math.log2(Math.abs(b.upper));
    const logV = Math.log2(Math.abs(rhs));
    fraction = positive ? (logV - logLower) / (logUpper - logLower) : 1 - (logV - logUpper) / (logLower - logUpper);
  }
  return b.count * fraction;
}

/** [kept count, midpoint] for a bucket with an infinite bound, treated conservatively. */
function trimInfiniteBucket(upperTrim: boolean, b: Bucket, rhs: number): [number, number] {
  const finiteOr0 = (x: number): number => (Number.isFinite(x) ? x : 0);
  if (b.lower === -Infinity) {
    if (upperTrim) {
      if (rhs >= b.upper) return [b.count, 0];
      if (rhs > 0 && b.upper > 0 && b.upper !== Infinity) return [(b.count * rhs) / b.upper, rhs / 2];
      if (b.upper <= 0) return [b.count, rhs];
      return [0, finiteOr0(b.upper)];
    }
    if (rhs <= b.lower) return [b.count, 0];
    if (rhs >= 0 && b.upper > rhs && b.upper !== Infinity) return [b.count * (1 - rhs / b.upper), (rhs + b.upper) / 2];
    return [0, finiteOr0(b.upper)];
  }
  // Upper bound +Inf.
  if (upperTrim) return [0, finiteOr0(b.lower)];
  if (rhs >= b.lower) return [b.count, rhs];
  return [0, finiteOr0(b.lower)];
}

function trimBucket(b: Bucket, rhs: number, upperTrim: boolean, positive: boolean, linear: boolean): [number, number] {
  if (b.lower === -Infinity || b.upper === Infinity) return trimInfiniteBucket(upperTrim, b, rhs);
  const under = splitCount(b, rhs, positive, linear);
  if (upperTrim) return [under, midpoint(b.lower, rhs, positive, linear)];
  return [b.count - under, midpoint(rhs, b.upper, positive, linear)];
}

function trimZeroBucket(
  zb: Bucket,
  rhs: number,
  hasNegative: boolean,
  hasPositive: boolean,
  upperTrim: boolean,
): [number, number] {
  let lower = zb.lower;
  let upper = zb.upper;
  if (hasNegative && !hasPositive) upper = 0;
  if (hasPositive && !hasNegative) lower = 0;
  if (upperTrim) {
    if (rhs <= lower) return [0, 0];
    if (rhs >= upper) return [zb.count, (lower + upper) / 2];
    return [(zb.count * (rhs - lower)) / (upper - lower), (lower + rhs) / 2];
  }
  if (rhs <= lower) return [zb.count, (lower + upper) / 2];
  if (rhs >= upper) return [0, 0];
  return [(zb.count * (upper - rhs)) / (upper - lower), (rhs + upper) / 2];
}

/**
 * Keeps only the observations below `rhs` (`upperTrim`, PromQL's `</`) or above it (`>/`):
 * buckets entirely on the kept side stay, the bucket containing `rhs` is interpolated (linearly
 * for custom buckets, exponentially otherwise), the others are emptied. When anything was cut,
 * count and sum are re-estimated from the kept buckets' midpoints.
 */
export function trimBuckets(h: FloatHistogram, rhs: number, upperTrim: boolean): FloatHistogram {
  const linear = h.schema === CUSTOM_BUCKETS_SCHEMA;
  let count = 0;
  let sum = 0;
  let trimmed = false;
  let hasPositive = false;
  let hasNegative = false;
  const side = (buckets: Bucket[], counts: number[], positive: boolean): void => {
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i]!;
      if (b.count === 0) continue;
      if (positive) hasPositive = true;
      else hasNegative = true;
      const whollyKept = upperTrim ? b.upper <= rhs : b.lower >= rhs;
      const partly = upperTrim ? b.lower < rhs : b.upper > rhs;
      if (whollyKept) {
        count += b.count;
        sum += midpoint(b.lower, b.upper, positive, linear) * b.count;
      } else if (partly) {
        const [keep, mid] = trimBucket(b, rhs, upperTrim, positive, linear);
        count += keep;
        sum += mid * keep;
        if (counts[i] !== keep) {
          counts[i] = keep;
          trimmed = true;
        }
      } else {
        counts[i] = 0;
        trimmed = true;
      }
    }
  };
  const pos = h.positiveBuckets.slice();
  const neg = h.negativeBuckets.slice();
  side(positiveBucketsOf(h), pos, true);
  side(negativeBucketsOf(h), neg, false);
  let zeroCount = h.zeroCount;
  if (h.zeroCount > 0) {
    const [keep, mid] = trimZeroBucket(zeroBucket(h), rhs, hasNegative, hasPositive, upperTrim);
    if (zeroCount !== keep) {
      zeroCount = keep;
      trimmed = true;
    }
    sum += mid * keep;
    count += keep;
  }
  const out: FloatHistogram = { ...h, positiveBuckets: pos, negativeBuckets: neg, zeroCount };
  if (!trimmed) return out;
  out.count = count;
  out.sum = sum;
  return compact(out);
}

// ---------------------------------------------------------------------------------------------
// Printing

/** Prometheus's FloatHistogram.String(): `{count:…, sum:…, [lower,upper):count, …}`. */
export function histogramString(h: FloatHistogram): string {
  const parts = [`{count:${formatFloatG(h.count)}, sum:${formatFloatG(h.sum)}`];
  const bucketString = (b: Bucket): string =>
    `${b.lowerInclusive ? '[' : '('}${formatFloatG(b.lower)},${formatFloatG(b.upper)}${b.upperInclusive ? ']' : ')'}:${formatFloatG(b.count)}`;
  const neg = negativeBucketsOf(h).filter((b) => b.count !== 0);
  for (let k = neg.length - 1; k >= 0; k--) parts.push(bucketString(neg[k]!));
  if (h.zeroCount !== 0 && h.schema !== CUSTOM_BUCKETS_SCHEMA) parts.push(bucketString(zeroBucket(h)));
  for (const b of positiveBucketsOf(h)) if (b.count !== 0) parts.push(bucketString(b));
  return parts.join(', ') + '}';
}
