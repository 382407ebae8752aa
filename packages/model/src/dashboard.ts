/**
 * Dashboards as files (config/dashboards/*.yml), validated by this schema on the server and typed
 * for the web UI. One schema for both sides: the server checks a file at start (`watchkeeper check
 * dashboards`, errors with paths), serves it as JSON, and the UI renders exactly these fields.
 *
 * Queries may use variables as `$name` (replaced by a regex alternation of the selected values,
 * `.*` for all) and `$__range` / `$__interval` / `$__rate_interval` (durations derived from the
 * time range and the panel width), as Grafana does.
 */
import { z } from 'zod';

export const PANEL_TYPES = [
  'stat',
  'timeseries',
  'area',
  'line',
  'bars',
  'horizontal_bars',
  'gauge',
  'heatmap',
  'table',
  'pie',
  'funnel',
  'leaderboard',
  'histogram',
  'distribution',
  'status_grid',
  'logs',
] as const;
export type PanelType = (typeof PANEL_TYPES)[number];

export const UNITS = ['none', 'short', 'dollars', 'percent', 'percentunit', 'seconds', 'bytes', 'reqps'] as const;
export type Unit = (typeof UNITS)[number];

const id = z.string().regex(/^[a-z][a-z0-9-]*$/, 'lowercase letters, digits and "-", starting with a letter');

export const panelQuerySchema = z
  .object({
    /** PromQL (LogQL for `logs` panels). */
    expr: z.string().min(1),
    /** Series name in legends and tables: Go-template-like `{{label}}` references. */
    legend: z.string().optional(),
    /** An instant query at the end of the range (stat, gauge, table, pie, bars, ...) rather than a range query. */
    instant: z.boolean().optional(),
    /**
     * Smallest step of a range query, a Prometheus duration (`1d`: one bar per day), like
     * Grafana's per-query "min interval"; without it the step follows the time range and the width.
     */
    interval: z
      .string()
      .regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, 'a Prometheus duration such as 30s, 5m, 1h or 1d')
      .optional(),
  })
  .strict();
export type PanelQuery = z.infer<typeof panelQuerySchema>;

export const panelSchema = z
  .object({
    id,
    title: z.string().min(1),
    type: z.enum(PANEL_TYPES),
    queries: z.array(panelQuerySchema).min(1),
    /** What the panel shows and how to read it; where the plan's query was not valid PromQL as written, what we did. */
    help: z.string().min(1),
    /** The plan's query as written, when `queries` differ from it. */
    plan_query: z.string().optional(),
    unit: z.enum(UNITS).default('short'),
    decimals: z.number().int().min(0).max(6).optional(),
    /** Gauge: the target the needle is compared with (plan: markup target 20). */
    target: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    /** Colour steps: at or above `value`, `color` (ok / warning / critical or a CSS colour). */
    thresholds: z.array(z.object({ value: z.number(), color: z.string() }).strict()).optional(),
    /** Width in a 12-column grid on wide screens (phones stack panels). */
    width: z.number().int().min(1).max(12).default(4),
    /** Leaderboard, table, bars: how many rows at most. */
    limit: z.number().int().min(1).max(1000).optional(),
    /** Drill-down: a dashboard (with its variables taken from the clicked series' labels) or Explore. */
    links: z
      .array(
        z
          .object({
            title: z.string(),
            /**
             * `dashboard:<id>`, optionally with variables (`dashboard:user-behaviour?company=${company_id}`;
             * without them, the target's variables whose `source_label` the clicked series carries are
             * taken from it), `explore` (the panel's query) or a URL; `${label}` is replaced from the series.
             */
            target: z.string(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();
export type Panel = z.infer<typeof panelSchema>;

export const variableSchema = z
  .object({
    name: z.string().regex(/^[a-z_][a-z0-9_]*$/),
    label: z.string(),
    /** Values: the values of `label` on series of `metric` (like Grafana's label_values(metric, label)). */
    metric: z.string(),
    source_label: z.string(),
    multi: z.boolean().default(true),
    include_all: z.boolean().default(true),
  })
  .strict();
export type Variable = z.infer<typeof variableSchema>;

export const dashboardSchema = z
  .object({
    id,
    title: z.string().min(1),
    description: z.string().min(1),
    /** `restricted_internal`: only principals who may read restricted series see it at all (plan §4.3). */
    access: z.enum(['public', 'restricted_internal']).default('public'),
    /** Default time range (`now-6h` to now) and auto refresh. */
    time: z
      .object({ from: z.string().default('now-6h'), to: z.string().default('now') })
      .strict()
      .default({}),
    refresh: z.string().default('30s'),
    variables: z.array(variableSchema).default([]),
    rows: z
      .array(
        z
          .object({
            title: z.string(),
            panels: z.array(panelSchema).min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type Dashboard = z.infer<typeof dashboardSchema>;
/** A dashboard as written in a file (defaults not yet applied). */
export type DashboardInput = z.input<typeof dashboardSchema>;

/** A dashboard in the list (`GET /api/wk/dashboards`). */
export interface DashboardSummary {
  id: string;
  title: string;
  description: string;
  access: Dashboard['access'];
}
