/** CSV (RFC 4180) for panel exports. */

export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s =
    typeof v === 'number' ? (Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf') : v;
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Range data in wide form: one row per timestamp (ISO time and Unix seconds), one column per series. */
export function seriesToCsv(series: { name: string; points: [number, number][] }[]): string {
  const stamps = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const maps = series.map((s) => new Map(s.points));
  return toCsv(
    ['time', 'timestamp', ...series.map((s) => s.name)],
    stamps.map((t) => [new Date(t * 1000).toISOString(), t, ...maps.map((m) => m.get(t))]),
  );
}

/** Instant data: one row per series, a column per label (in first-seen order) and the value. */
export function samplesToCsv(samples: { labels: Record<string, string>; value: number }[]): string {
  const cols: string[] = [];
  for (const s of samples) for (const k of Object.keys(s.labels)) if (!cols.includes(k)) cols.push(k);
  return toCsv(
    [...cols, 'value'],
    samples.map((s) => [...cols.map((c) => s.labels[c]), s.value]),
  );
}
