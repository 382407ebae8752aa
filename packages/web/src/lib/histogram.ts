/**
 * Prometheus histogram buckets (`le` labels, cumulative counts) → per-bucket counts, for the
 * histogram and heatmap panels; and a value distribution for samples that are not buckets.
 */

export function parseLe(le: string): number {
  if (le === '+Inf' || le === 'Inf' || le === '+inf') return Infinity;
  return Number(le);
}

export interface Bucket {
  /** Exclusive lower bound (the previous bucket's `le`; -Infinity for the first... shown as 0). */
  lower: number;
  upper: number;
  count: number;
}

/**
 * Cumulative `le` buckets (summed across other labels) → the count in each bucket. Counts that go
 * down between buckets (a scrape caught mid-update) are clamped at 0.
 */
export function decumulate(cumulative: { le: string; value: number }[]): Bucket[] {
  const byLe = new Map<number, number>();
  for (const b of cumulative) {
    const le = parseLe(b.le);
    if (Number.isNaN(le) || !Number.isFinite(b.value)) continue;
    byLe.set(le, (byLe.get(le) ?? 0) + b.value);
  }
  const sorted = [...byLe.entries()].sort((a, b) => a[0] - b[0]);
  const out: Bucket[] = [];
  let prevLe = 0;
  let prevCum = 0;
  for (const [le, cum] of sorted) {
    out.push({ lower: Math.min(prevLe, le), upper: le, count: Math.max(0, cum - prevCum) });
    prevLe = le;
    prevCum = Math.max(prevCum, cum);
  }
  return out;
}

/** Whether every labelled result has an `le` label. */
export function isBucketData(labelSets: Record<string, string>[]): boolean {
  return labelSets.length > 0 && labelSets.every((l) => l.le !== undefined);
}

/**
 * Values → `bins` equal-width bins between their min and max (one bin when they are all equal).
 */
export function distribution(values: number[], bins = 10): Bucket[] {
  const xs = values.filter((v) => Number.isFinite(v));
  if (xs.length === 0) return [];
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  if (min === max) return [{ lower: min, upper: max, count: xs.length }];
  const n = Math.max(1, Math.min(bins, xs.length));
  const w = (max - min) / n;
  const out: Bucket[] = Array.from({ length: n }, (_, i) => ({
    lower: min + i * w,
    upper: min + (i + 1) * w,
    count: 0,
  }));
  for (const x of xs) out[Math.min(n - 1, Math.floor((x - min) / w))]!.count++;
  return out;
}
