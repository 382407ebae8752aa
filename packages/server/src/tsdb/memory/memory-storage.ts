/**
 * An in-memory store: one growable pair of typed arrays per series, a postings index per label
 * pair. Used by the PromQL test DSL, the benchmarks and as the reference implementation of the
 * storage contract. Not durable.
 */
import { type Labels, METRIC_NAME } from '../../lib/labels.js';
import type { Matcher } from '../../lib/matcher.js';
import type { Appender, AppendRejection, SeriesSamples, Storage } from '../index.js';

interface MemSeries {
  labels: Labels;
  ts: Float64Array;
  vals: Float64Array;
  n: number;
}

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
    let s = this.byKey.get(labels.key);
    if (s === undefined) {
      s = { labels, ts: new Float64Array(16), vals: new Float64Array(16), n: 0 };
      this.byKey.set(labels.key, s);
      this.all.push(s);
      for (const [n, v] of labels) {
        let byValue = this.postings.get(n);
        if (byValue === undefined) this.postings.set(n, (byValue = new Map<string, MemSeries[]>()));
        let list = byValue.get(v);
        if (list === undefined) byValue.set(v, (list = []));
        list.push(s);
      }
    }
    if (s.n > 0) {
      const last = s.ts[s.n - 1]!;
      if (timestampMs < last) return false;
      if (timestampMs === last) {
        // Same timestamp: an exact resend is accepted without a second sample; a new value wins
        // (the test DSL's load overwrites within one series definition).
        s.vals[s.n - 1] = value;
        return true;
      }
    }
    if (s.n === s.ts.length) {
      const ts = new Float64Array(s.n * 2);
      ts.set(s.ts);
      const vals = new Float64Array(s.n * 2);
      vals.set(s.vals);
      s.ts = ts;
      s.vals = vals;
    }
    s.ts[s.n] = timestampMs;
    s.vals[s.n] = value;
    s.n++;
    return true;
  }

  /** Batches are applied at commit; memory is as durable as it gets. */
  appender(): Appender {
    const staged: [Labels, number, number][] = [];
    return {
      append: (labels, timestampMs, value): AppendRejection | undefined => {
        if (!Number.isSafeInteger(timestampMs)) return 'bad-timestamp';
        staged.push([labels, timestampMs, value]);
        return undefined;
      },
      commit: () => {
        for (const [l, t, v] of staged) this.append(l, t, v);
        staged.length = 0;
        return Promise.resolve();
      },
      rollback: () => {
        staged.length = 0;
      },
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
      out.push({ labels: s.labels, timestampsMs: s.ts.subarray(lo, hi), values: s.vals.subarray(lo, hi) });
    }
    return out;
  }

  labelNames(matchers?: readonly Matcher[]): string[] {
    if (!matchers || matchers.length === 0) return [...this.postings.keys()].sort();
    const names = new Set<string>();
    for (const s of this.candidates(matchers)) {
      if (!matchesAll(s.labels, matchers)) continue;
      for (const [n] of s.labels) names.add(n);
    }
    return [...names].sort();
  }

  labelValues(name: string, matchers?: readonly Matcher[]): string[] {
    if (!matchers || matchers.length === 0) return [...(this.postings.get(name)?.keys() ?? [])].sort();
    const values = new Set<string>();
    for (const s of this.candidates(matchers)) {
      if (!matchesAll(s.labels, matchers)) continue;
      const v = s.labels.get(name);
      if (v !== '') values.add(v);
    }
    return [...values].sort();
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
