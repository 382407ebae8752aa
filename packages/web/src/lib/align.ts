/** Series → uPlot's column format. */

/** Aligns series on the union of their timestamps (uPlot's column format); gaps are `null`. */
export function alignSeries(series: { points: [number, number][] }[]): { xs: number[]; ys: (number | null)[][] } {
  const stamps = new Set<number>();
  for (const s of series) for (const [t] of s.points) stamps.add(t);
  const xs = [...stamps].sort((a, b) => a - b);
  const index = new Map<number, number>();
  xs.forEach((t, i) => index.set(t, i));
  const ys = series.map((s) => {
    const col: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    for (const [t, v] of s.points) col[index.get(t)!] = Number.isFinite(v) ? v : null;
    return col;
  });
  return { xs, ys };
}

/** Cumulative sums for a stacked chart (a gap counts as 0 for the series above it). */
export function stackColumns(ys: (number | null)[][]): (number | null)[][] {
  const out: (number | null)[][] = [];
  let acc: number[] | undefined;
  for (const col of ys) {
    const next = col.map((v, i) => (acc ? acc[i]! : 0) + (v ?? 0));
    out.push(col.map((v, i) => (v === null ? null : next[i]!)));
    acc = next;
  }
  return out;
}
