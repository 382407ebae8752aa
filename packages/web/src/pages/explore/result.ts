/** Query results turned into table rows and chart series. */
import type { Labels, QueryResult } from '../../api';

/** `name{a="1", b="2"}`, as Prometheus prints a series (label values escaped). */
export function seriesName(labels: Labels): string {
  const name = labels['__name__'] ?? '';
  const pairs = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  if (pairs.length === 0) return name === '' ? '{}' : name;
  return `${name}{${pairs.join(', ')}}`;
}

export interface TableRow {
  key: string;
  labels: Labels;
  /** The value as the server printed it (exact, `NaN`, `+Inf`). */
  text: string;
  /** The value as a number, for sorting. */
  value: number;
  /** Unix seconds of the sample. */
  time: number;
}

/** Rows of an instant query's result: one per series, or one for a scalar or string. */
export function tableRows(result: QueryResult): TableRow[] {
  switch (result.resultType) {
    case 'vector':
      return result.result.map((s, i) => ({
        key: `${i}:${seriesName(s.metric)}`,
        labels: s.metric,
        text: s.value[1],
        value: parseValue(s.value[1]),
        time: s.value[0],
      }));
    case 'matrix':
      // An instant query of a range selector (`up[5m]`): the last sample of each series, with the count.
      return result.result.map((s, i) => {
        const last = s.values[s.values.length - 1];
        return {
          key: `${i}:${seriesName(s.metric)}`,
          labels: s.metric,
          text: last ? `${last[1]} (${s.values.length} samples)` : '—',
          value: last ? parseValue(last[1]) : NaN,
          time: last ? last[0] : 0,
        };
      });
    case 'scalar':
    case 'string':
      return [
        {
          key: 'scalar',
          labels: {},
          text: String(result.result[1]),
          value: parseValue(String(result.result[1])),
          time: result.result[0],
        },
      ];
  }
}

export function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

export type SortKey = { by: 'series' } | { by: 'value' } | { by: 'label'; name: string };

/** Rows sorted by series name, value (NaN last) or one label; stable. */
export function sortRows(rows: readonly TableRow[], key: SortKey, dir: 'asc' | 'desc'): TableRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  const cmp = (a: TableRow, b: TableRow): number => {
    if (key.by === 'value') {
      const an = Number.isNaN(a.value);
      const bn = Number.isNaN(b.value);
      if (an || bn) return an === bn ? 0 : an ? 1 : -1; // NaN last in both directions
      return a.value === b.value ? 0 : (a.value < b.value ? -1 : 1) * sign;
    }
    const av = key.by === 'series' ? seriesName(a.labels) : (a.labels[key.name] ?? '');
    const bv = key.by === 'series' ? seriesName(b.labels) : (b.labels[key.name] ?? '');
    return av.localeCompare(bv, undefined, { numeric: true }) * sign;
  };
  return rows
    .map((r, i) => ({ r, i }))
    .sort((x, y) => cmp(x.r, y.r) || x.i - y.i)
    .map((x) => x.r);
}

/** The label names present in the rows (without `__name__`), sorted, for the table's columns. */
export function labelColumns(rows: readonly TableRow[]): string[] {
  const names = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.labels)) if (k !== '__name__') names.add(k);
  return [...names].sort();
}

export interface ChartSeries {
  name: string;
  labels: Labels;
  points: [number, number][];
}

/** A range query's matrix as chart series (a scalar result becomes one unnamed series). */
export function chartSeries(result: QueryResult): ChartSeries[] {
  if (result.resultType === 'matrix') {
    return result.result.map((s) => ({
      name: seriesName(s.metric),
      labels: s.metric,
      points: s.values.map(([t, v]): [number, number] => [t, parseValue(v)]),
    }));
  }
  if (result.resultType === 'vector') {
    return result.result.map((s) => ({
      name: seriesName(s.metric),
      labels: s.metric,
      points: [[s.value[0], parseValue(s.value[1])]],
    }));
  }
  return [{ name: 'scalar', labels: {}, points: [[result.result[0], parseValue(String(result.result[1]))]] }];
}
