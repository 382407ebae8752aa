/**
 * A panel's queries → one normalized result: time series (range queries) and samples (instant
 * queries, or the last point of each range series), each named by the query's legend.
 */
import { queryInstant, queryRange, type QueryResult } from '../api';
import type { Panel, PanelType } from '../model';
import { seriesName } from './format';

export interface PanelSeries {
  name: string;
  labels: Record<string, string>;
  points: [number, number][];
  /** Index of the panel query that produced it. */
  query: number;
}
export interface PanelSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  query: number;
}
export interface PanelData {
  /** Range results (empty for instant queries). */
  series: PanelSeries[];
  /** Instant results; for range results, each series' last value. */
  samples: PanelSample[];
  warnings: string[];
}

/** Panel types whose queries are instant unless the query says `instant: false`. */
const INSTANT_BY_DEFAULT: ReadonlySet<PanelType> = new Set([
  'gauge',
  'table',
  'pie',
  'funnel',
  'leaderboard',
  'histogram',
  'distribution',
  'status_grid',
  'horizontal_bars',
]);

export function isInstant(panel: Panel, i: number): boolean {
  return panel.queries[i]?.instant ?? INSTANT_BY_DEFAULT.has(panel.type);
}

/** Turns Prometheus's string sample values into numbers. */
export function normalizeResult(r: QueryResult, queryIndex: number, legend?: string): PanelData {
  const out: PanelData = { series: [], samples: [], warnings: [] };
  const v = (s: string) => Number(s);
  switch (r.resultType) {
    case 'matrix':
      for (const s of r.result) {
        const points = s.values.map(([t, x]) => [t, v(x)] as [number, number]);
        const name = seriesName(s.metric, legend);
        out.series.push({ name, labels: s.metric, points, query: queryIndex });
        const last = points[points.length - 1];
        if (last) out.samples.push({ name, labels: s.metric, value: last[1], query: queryIndex });
      }
      break;
    case 'vector':
      for (const s of r.result) {
        out.samples.push({
          name: seriesName(s.metric, legend),
          labels: s.metric,
          value: v(s.value[1]),
          query: queryIndex,
        });
      }
      break;
    case 'scalar':
      out.samples.push({ name: legend ?? 'scalar', labels: {}, value: v(r.result[1]), query: queryIndex });
      break;
    case 'string':
      break;
  }
  return out;
}

export interface QueryContext {
  startSec: number;
  endSec: number;
  stepSec: number;
  signal?: AbortSignal;
}

/** Runs every query of a panel (already interpolated) and merges the results. */
export async function fetchPanelData(panel: Panel, exprs: string[], ctx: QueryContext): Promise<PanelData> {
  const parts = await Promise.all(
    exprs.map(async (expr, i) => {
      const q = panel.queries[i];
      const res = isInstant(panel, i)
        ? await queryInstant(expr, ctx.endSec, ctx.signal)
        : await queryRange(expr, ctx.startSec, ctx.endSec, ctx.stepSec, ctx.signal);
      const d = normalizeResult(res.data, i, q?.legend);
      d.warnings.push(...(res.warnings ?? []));
      return d;
    }),
  );
  return {
    series: parts.flatMap((p) => p.series),
    samples: parts.flatMap((p) => p.samples),
    warnings: parts.flatMap((p) => p.warnings),
  };
}

export function isEmpty(d: PanelData): boolean {
  return d.series.every((s) => s.points.length === 0) && d.samples.length === 0;
}

/** Whether an expression is LogQL (a stream selector with a line filter or a pipeline stage) rather than PromQL. */
export function isLogQL(expr: string): boolean {
  return /^\s*\{[^}]*\}\s*(\|=|!=|\|~|!~|\|\s*[a-z_])/.test(expr);
}
