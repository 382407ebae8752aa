/** Helpers over the engine's column-wise series shared by the node implementations. */
import { execError } from './errors.js';
import type { StepSeries } from './eval-types.js';

/** First index with ts[i] > t. */
export function upperBound(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Merges series that have identical label sets (after label changes or name removal) into one,
 * as Prometheus does across the steps of a range query. Two of them present at the same step is
 * the "same labelset" error.
 */
export function mergeSameLabels(series: StepSeries[]): StepSeries[] {
  if (series.length < 2) return series;
  const byKey = new Map<string, StepSeries>();
  let merged = false;
  const out: StepSeries[] = [];
  for (const s of series) {
    const key = s.labels.key + (s.dropName ? '\x00d' : '');
    const prev = byKey.get(key);
    if (prev === undefined) {
      byKey.set(key, s);
      out.push(s);
      continue;
    }
    if (!merged) {
      merged = true;
    }
    // Copy-on-merge so inputs shared with other nodes are not modified.
    const values = new Float64Array(prev.values);
    const present = new Uint8Array(prev.present);
    const hists =
      prev.hists !== undefined || s.hists !== undefined
        ? (prev.hists?.slice() ?? new Array(present.length))
        : undefined;
    for (let i = 0; i < present.length; i++) {
      if (!s.present[i]) continue;
      if (present[i]) throw execError('vector cannot contain metrics with the same labelset');
      present[i] = 1;
      values[i] = s.values[i]!;
      if (hists !== undefined) hists[i] = s.hists?.[i];
    }
    const m: StepSeries = { labels: prev.labels, values, present, dropName: prev.dropName };
    if (hists !== undefined) m.hists = hists;
    byKey.set(key, m);
    out[out.indexOf(prev)] = m;
  }
  return out;
}
