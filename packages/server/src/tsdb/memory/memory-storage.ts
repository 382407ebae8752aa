/**
 * An in-memory store: one growable pair of typed arrays per series, a postings index per label
 * pair. Used by the PromQL test DSL, the benchmarks and as the reference implementation of the
 * storage contract. Not durable.
 */
import { type FloatHistogram, customBoundsMatch, detectReset, hintOf, withHint } from '../../lib/histogram.js';
import { type Labels, METRIC_NAME } from '../../lib/labels.js';
import type { Matcher } from '../../lib/matcher.js';
import { STALE_NAN, isStaleNaN, writeStaleNaN } from '../../lib/stale.js';
import type { Appender, AppendRejection, SeriesSamples, Storage } from '../index.js';

interface MemSeries {
  labels: Labels;
  ts: Float64Array;
  vals: Float64Array;
  n: number;
  /** Histogram samples aligned with `ts` (undefined for floats); allocated by the first histogram. */
  hists?: (FloatHistogram | undefined)[];
  /** Histogram samples stored (0: the series is float-only). */
  histCount: number;
  /**
   * Samples in the current run of counter histograms (what one TSDB chunk would hold); 0 when the
   * last sample is not a counter histogram, so the next one starts a run.
   */
  counterRun: number;
}

/** Samples per run of counter histograms, as Prometheus's TSDB cuts chunks. */
const SAMPLES_PER_CHUNK = 120;

const EMPTY_F64 = new Float64Array(0);

export class MemoryStorage implements Storage {
  private readonly byKey = new Map<string, MemSeries>();
  private readonly all: MemSeries[] = [];
  /** label name → label value → series (in insertion order). */
  private readonly postings = new Map<string, Map<string, MemSeries[]>>();

  get seriesCount(): number {
    return this.all.length;
  }

  append(labels: Labels, timestampMs: number, value: number): boolean {
    const s = this.series(labels);
    const i = this.slot(s, timestampMs);
    if (i < 0) return false;
    if (isStaleNaN(value)) writeStaleNaN(s.vals, i);
    else s.vals[i] = value;
    if (s.hists !== undefined && s.hists[i] !== undefined) {
      s.hists[i] = undefined;
      s.histCount--;
    }
    s.counterRun = 0;
    return true;
  }

  /**
   * Appends a native histogram sample. A histogram with a StaleNaN sum is stored as a (float)
   * staleness marker. The stored counter-reset hint is the one Prometheus's TSDB reports on read
   * (see SeriesSamples).
   */
  appendHistogram(labels: Labels, timestampMs: number, h: FloatHistogram): boolean {
    if (isStaleNaN(h.sum)) return this.append(labels, timestampMs, STALE_NAN);
    const s = this.series(labels);
    const prevIndex = s.n - 1;
    const i = this.slot(s, timestampMs);
    if (i < 0) return false;
    // The sample this one follows: a replaced sample at the same time starts a new run.
    const prev = i === prevIndex || s.hists === undefined ? undefined : s.hists[prevIndex];
    let hint: FloatHistogram['counterResetHint'];
    if (hintOf(h) === 'gauge') {
      hint = 'gauge';
      s.counterRun = 0;
    } else if (prev !== undefined && s.counterRun > 0 && s.counterRun < SAMPLES_PER_CHUNK && continuesRun(prev, h)) {
      hint = 'not_reset';
      s.counterRun++;
    } else {
      hint = 'unknown';
      s.counterRun = 1;
    }
    if (s.hists === undefined) s.hists = new Array<FloatHistogram | undefined>(s.ts.length);
    if (s.hists[i] === undefined) s.histCount++;
    s.hists[i] = withHint(h, hint);
    s.vals[i] = 0;
    return true;
  }

  private series(labels: Labels): MemSeries {
    let s = this.byKey.get(labels.key);
    if (s !== undefined) return s;
    s = { labels, ts: new Float64Array(16), vals: new Float64Array(16), n: 0, histCount: 0, counterRun: 0 };
    this.byKey.set(labels.key, s);
    this.all.push(s);
    for (const [n, v] of labels) {
      let byValue = this.postings.get(n);
      if (byValue === undefined) this.postings.set(n, (byValue = new Map<string, MemSeries[]>()));
      let list = byValue.get(v);
      if (list === undefined) byValue.set(v, (list = []));
      list.push(s);
    }
    return s;
  }

  /**
   * Index to write a sample at `timestampMs` to: the last one when the time is the same (a new
   * value replaces it; the test DSL's load overwrites within one series definition), a new one
   * after it, or -1 when the time is older.
   */
  private slot(s: MemSeries, timestampMs: number): number {
    if (s.n > 0) {
      const last = s.ts[s.n - 1]!;
      if (timestampMs < last) return -1;
      if (timestampMs === last) return s.n - 1;
    }
    if (s.n === s.ts.length) {
      const ts = new Float64Array(s.n * 2);
      ts.set(s.ts);
      const vals = new Float64Array(s.n * 2);
      vals.set(s.vals);
      s.ts = ts;
      s.vals = vals;
      if (s.hists !== undefined) s.hists.length = s.n * 2;
    }
    s.ts[s.n] = timestampMs;
    return s.n++;
  }

  /** Out-of-order samples are accepted this far behind a series' newest sample (appender only). */
  outOfOrderWindowMs = 3_600_000;

  /**
   * The storage contract's batch interface (tsdb/storage-contract.ts): samples are validated and
   * applied as they are staged (memory is as durable as it gets; staging values in an array could
   * also canonicalise NaN payloads). `append()` above keeps the test DSL's replace semantics.
   */
  appender(): Appender {
    return {
      append: (labels, timestampMs, value): AppendRejection | undefined => {
        if (!Number.isSafeInteger(timestampMs)) return 'bad-timestamp';
        if (!validLabels(labels)) return 'bad-labels';
        const s = this.series(labels);
        if (s.n === 0 || timestampMs > s.ts[s.n - 1]!) {
          this.append(labels, timestampMs, value);
          return undefined;
        }
        const i = lowerBound(s.ts, s.n, timestampMs);
        if (i < s.n && s.ts[i] === timestampMs) return sameBits(s.vals, i, value) ? undefined : 'duplicate-timestamp';
        if (timestampMs <= s.ts[s.n - 1]! - this.outOfOrderWindowMs) return 'out-of-order';
        insertAt(s, i, timestampMs, value);
        return undefined;
      },
      commit: () => Promise.resolve(),
      rollback: () => undefined,
    };
  }

  select(matchers: readonly Matcher[], minTimeMs: number, maxTimeMs: number): SeriesSamples[] {
    const out: SeriesSamples[] = [];
    for (const s of this.candidates(matchers)) {
      if (!matchesAll(s.labels, matchers)) continue;
      const lo = lowerBound(s.ts, s.n, minTimeMs);
      let hi = lowerBound(s.ts, s.n, maxTimeMs);
      if (hi < s.n && s.ts[hi] === maxTimeMs) hi++;
      if (hi <= lo) {
        out.push({ labels: s.labels, timestampsMs: EMPTY_F64, values: EMPTY_F64 });
        continue;
      }
      const samples: SeriesSamples = {
        labels: s.labels,
        timestampsMs: s.ts.subarray(lo, hi),
        values: s.vals.subarray(lo, hi),
      };
      if (s.histCount > 0) {
        const hists = s.hists!.slice(lo, hi);
        if (hists.some((h) => h !== undefined)) samples.histograms = hists;
      }
      out.push(samples);
    }
    return out;
  }

  labelNames(matchers: readonly Matcher[] = [], minTimeMs = -Infinity, maxTimeMs = Infinity): string[] {
    if (matchers.length === 0 && isWholeRange(minTimeMs, maxTimeMs)) return [...this.postings.keys()].sort();
    const names = new Set<string>();
    for (const s of this.withSamplesIn(matchers, minTimeMs, maxTimeMs)) for (const [n] of s.labels) names.add(n);
    return [...names].sort();
  }

  labelValues(name: string, matchers: readonly Matcher[] = [], minTimeMs = -Infinity, maxTimeMs = Infinity): string[] {
    if (matchers.length === 0 && isWholeRange(minTimeMs, maxTimeMs)) {
      return [...(this.postings.get(name)?.keys() ?? [])].sort();
    }
    const values = new Set<string>();
    for (const s of this.withSamplesIn(matchers, minTimeMs, maxTimeMs)) {
      const v = s.labels.get(name);
      if (v !== '') values.add(v);
    }
    return [...values].sort();
  }

  /** Series matching every matcher with at least one sample in [minTimeMs, maxTimeMs]. */
  private *withSamplesIn(matchers: readonly Matcher[], minTimeMs: number, maxTimeMs: number): Generator<MemSeries> {
    for (const s of this.candidates(matchers)) {
      if (!matchesAll(s.labels, matchers)) continue;
      const i = lowerBound(s.ts, s.n, minTimeMs);
      if (i < s.n && s.ts[i]! <= maxTimeMs) yield s;
    }
  }

  /** The smallest postings list among equality matchers on non-empty values, or every series. */
  private candidates(matchers: readonly Matcher[]): readonly MemSeries[] {
    let best: readonly MemSeries[] | undefined;
    for (const m of matchers) {
      if (m.type !== '=' || m.value === '') continue;
      const list = this.postings.get(m.name)?.get(m.value) ?? [];
      if (best === undefined || list.length < best.length) best = list;
    }
    if (best !== undefined) return best;
    // A regex on the metric name: union the postings of matching names.
    const nameRe = matchers.find((m) => m.name === METRIC_NAME && m.type === '=~' && !m.matchesEmpty());
    if (nameRe) {
      const out: MemSeries[] = [];
      for (const [v, list] of this.postings.get(METRIC_NAME) ?? []) if (nameRe.matches(v)) out.push(...list);
      return out;
    }
    return this.all;
  }
}

/**
 * Whether counter histogram `h` continues the TSDB chunk of `prev` (Prometheus's `appendable`):
 * no explicit or detected counter reset, and the same schema, zero threshold and custom bounds.
 */
function continuesRun(prev: FloatHistogram, h: FloatHistogram): boolean {
  if (hintOf(h) === 'reset') return false;
  if (h.schema !== prev.schema || h.zeroThreshold !== prev.zeroThreshold) return false;
  if (!customBoundsMatch(h.customValues, prev.customValues)) return false;
  return !detectReset(withHint(h, 'unknown'), prev);
}

/** Whether a time range is the default one (all time), for which every stored series counts. */
function isWholeRange(minTimeMs: number, maxTimeMs: number): boolean {
  return minTimeMs === -Infinity && maxTimeMs === Infinity;
}

function matchesAll(labels: Labels, matchers: readonly Matcher[]): boolean {
  for (const m of matchers) if (!m.matches(labels.get(m.name))) return false;
  return true;
}

/** First index in ts[0..n) with ts[i] >= t. */
function lowerBound(ts: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function validLabels(labels: Labels): boolean {
  const f = labels.flat;
  if (!labels.has(METRIC_NAME) || labels.get(METRIC_NAME) === '') return false;
  for (let i = 0; i < f.length; i += 2) {
    if (f[i] === '' || (i > 0 && f[i] === f[i - 2])) return false;
    if (!f[i]!.isWellFormed() || !f[i + 1]!.isWellFormed()) return false;
  }
  return true;
}

const bitsF64 = new Float64Array(1);
const bitsU32 = new Uint32Array(bitsF64.buffer);

/** Whether `vals[i]` has exactly the bits of `value` (NaN payloads included). */
function sameBits(vals: Float64Array, i: number, value: number): boolean {
  const stored = new Uint32Array(vals.buffer, vals.byteOffset + i * 8, 2);
  bitsF64[0] = value;
  return stored[0] === bitsU32[0] && stored[1] === bitsU32[1];
}

/** Inserts an out-of-order float sample at index `i` (shifting later samples). */
function insertAt(s: MemSeries, i: number, timestampMs: number, value: number): void {
  if (s.n === s.ts.length) {
    const ts = new Float64Array(s.n * 2);
    ts.set(s.ts);
    const vals = new Float64Array(s.n * 2);
    vals.set(s.vals);
    s.ts = ts;
    s.vals = vals;
    if (s.hists !== undefined) s.hists.length = s.n * 2;
  }
  s.ts.copyWithin(i + 1, i, s.n);
  s.vals.copyWithin(i + 1, i, s.n);
  s.hists?.splice(i, 0, undefined);
  s.ts[i] = timestampMs;
  if (isStaleNaN(value)) writeStaleNaN(s.vals, i);
  else s.vals[i] = value;
  s.n++;
}
