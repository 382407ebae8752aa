/**
 * A panel query as it is run: dashboard variables (`$company`, `${company}`) replaced by a regex of
 * the selected values (`.*` for all), and Grafana's built-in durations (`$__range`,
 * `$__interval`, `$__rate_interval`, and `$__range_s`, `$__range_ms`, `$__interval_ms` as
 * numbers) by those of the time range and step — as Grafana does, so the same text works in both.
 */
import { formatDurationMs, parseDurationMs } from '../config/index.js';

/** `$name`, `${name}`; built-ins start with `__`. */
const VARIABLE_RE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

export const BUILTIN_VARIABLES = [
  '__range',
  '__range_s',
  '__range_ms',
  '__interval',
  '__interval_ms',
  '__rate_interval',
] as const;

export interface QueryContext {
  /** Dashboard variables: name → the regex that stands for the selection (`a|b`, `.*`). */
  readonly variables?: Readonly<Record<string, string>>;
  /** The dashboard's time range. */
  readonly rangeMs: number;
  /** The step of a range query (Grafana's `$__interval`). */
  readonly intervalMs: number;
  /** Grafana's `$__rate_interval`: max(interval + scrape interval, 4 × scrape interval). */
  readonly rateIntervalMs: number;
}

/** Names of the dashboard variables `expr` refers to (built-ins left out), in order of first use. */
export function variableReferences(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(VARIABLE_RE)) {
    const name = m[1] ?? m[2]!;
    if (!name.startsWith('__')) names.add(name);
  }
  return [...names];
}

/** Built-in names `expr` uses that Watchkeeper does not know (`$__foo`). */
export function unknownBuiltins(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(VARIABLE_RE)) {
    const name = m[1] ?? m[2]!;
    if (name.startsWith('__') && !(BUILTIN_VARIABLES as readonly string[]).includes(name)) names.add(name);
  }
  return [...names];
}

/** A duration as PromQL takes it: whole seconds when it is (`300s` → `5m`), else milliseconds. */
function promDuration(ms: number): string {
  const rounded = Math.max(1, Math.round(ms));
  return formatDurationMs(rounded);
}

/** `expr` with variables and built-ins replaced; an unknown `$name` is left as written. */
export function expandQuery(expr: string, ctx: QueryContext): string {
  return expr.replace(VARIABLE_RE, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    switch (name) {
      case '__range':
        return promDuration(ctx.rangeMs);
      case '__range_s':
        return String(Math.round(ctx.rangeMs / 1000));
      case '__range_ms':
        return String(Math.round(ctx.rangeMs));
      case '__interval':
        return promDuration(ctx.intervalMs);
      case '__interval_ms':
        return String(Math.round(ctx.intervalMs));
      case '__rate_interval':
        return promDuration(ctx.rateIntervalMs);
      default:
        return ctx.variables?.[name] ?? whole;
    }
  });
}

/** Regex metacharacters of RE2, escaped so that a label value matches only itself. */
function escapeRegex(value: string): string {
  return value.replace(/[\\.*+?^$()[\]{}|]/g, (c) => `\\${c}`);
}

/**
 * The value of a variable in a query: `.*` for "all" (or nothing selected), else the selected
 * values as an alternation (`a|b`), each escaped. Use it inside `=~"..."`: the string is the
 * regex, so a backslash must still be doubled by whoever writes it into a PromQL string.
 */
export function variableRegex(selected: readonly string[] | 'all'): string {
  if (selected === 'all' || selected.length === 0) return '.*';
  return selected.map(escapeRegex).join('|');
}

/** Steps Grafana rounds `$__interval` to, in ms. */
const NICE_STEPS_MS = [
  1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
  7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 604_800_000,
];

export interface StepOptions {
  /** Points across the range at most (about the panel's width in pixels). @default 250 */
  readonly maxPoints?: number;
  /** The panel query's `interval` (a Prometheus duration): the smallest step. */
  readonly minInterval?: string;
  /** The scrape interval: a step shorter than it shows nothing new. @default 15 s */
  readonly scrapeIntervalMs?: number;
}

/**
 * The step of a range query over `rangeMs` and the context its query expands in, as Grafana
 * derives them: the range over the points, rounded up to a round step, at least the scrape
 * interval and the query's `interval`; `$__rate_interval` = max(step + scrape, 4 × scrape).
 */
export function queryTiming(rangeMs: number, options: StepOptions = {}): { stepMs: number; rateIntervalMs: number } {
  const scrapeMs = options.scrapeIntervalMs ?? 15_000;
  const minMs = Math.max(scrapeMs, options.minInterval === undefined ? 0 : (parseDurationMs(options.minInterval) ?? 0));
  const raw = Math.max(minMs, rangeMs / (options.maxPoints ?? 250));
  const stepMs = Math.max(minMs, NICE_STEPS_MS.find((s) => s >= raw) ?? Math.ceil(raw / 86_400_000) * 86_400_000);
  return { stepMs, rateIntervalMs: Math.max(stepMs + scrapeMs, 4 * scrapeMs) };
}

/** A dashboard time expression `now`, `now-6h`, `now-30d` → milliseconds before now; undefined when not one. */
export function relativeTimeMs(text: string): number | undefined {
  if (text === 'now') return 0;
  const m = /^now-(\S+)$/.exec(text);
  if (!m) return undefined;
  return parseDurationMs(m[1]!);
}
