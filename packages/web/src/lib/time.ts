/**
 * Time ranges as dashboards and URLs write them (`now-6h` … `now`, or Unix milliseconds for an
 * absolute range, as Grafana's links do), the query step for a panel, and the `$__interval` family.
 */

export interface TimeRangeSpec {
  /** `now-6h`, `now`, or Unix milliseconds as a string. */
  from: string;
  to: string;
}

export interface ResolvedRange {
  startSec: number;
  endSec: number;
}

const UNIT_SEC: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** `90s`, `5m`, `1h30m`, `7d` → seconds; undefined when it is not a duration. */
export function parseDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|[smhdwy])/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    if (m.index !== consumed) return undefined;
    consumed += m[0].length;
    total += m[2] === 'ms' ? Number(m[1]) / 1000 : Number(m[1]) * UNIT_SEC[m[2]!]!;
  }
  return consumed === s.length && consumed > 0 ? total : undefined;
}

/** Seconds → the largest-unit Prometheus duration that is exact (`3600` → `1h`, `90` → `90s`). */
export function formatDuration(sec: number): string {
  const s = Math.max(1, Math.round(sec));
  for (const [u, n] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (s % n === 0) return `${s / n}${u}`;
  }
  return `${s}s`;
}

/** One end of a range at `nowMs`: `now`, `now-15m`, `now+1h`, Unix ms, or an ISO date. */
export function parseTimePoint(s: string, nowMs: number): number | undefined {
  const t = s.trim();
  if (t === 'now') return nowMs;
  const rel = /^now([+-])(.+)$/.exec(t);
  if (rel) {
    const d = parseDuration(rel[2]!);
    if (d === undefined) return undefined;
    return nowMs + (rel[1] === '-' ? -1 : 1) * d * 1000;
  }
  if (/^\d{9,}$/.test(t)) return Number(t);
  const iso = Date.parse(t);
  return Number.isNaN(iso) ? undefined : iso;
}

/** The range in Unix seconds; an unreadable spec falls back to the last 6 hours. */
export function resolveRange(spec: TimeRangeSpec, nowMs: number): ResolvedRange {
  const to = parseTimePoint(spec.to, nowMs) ?? nowMs;
  let from = parseTimePoint(spec.from, nowMs) ?? to - 6 * 3600_000;
  if (from >= to) from = to - 60_000;
  return { startSec: Math.floor(from / 1000), endSec: Math.floor(to / 1000) };
}

export const QUICK_RANGES: { label: string; from: string }[] = [
  { label: 'Last 15 minutes', from: 'now-15m' },
  { label: 'Last 1 hour', from: 'now-1h' },
  { label: 'Last 3 hours', from: 'now-3h' },
  { label: 'Last 6 hours', from: 'now-6h' },
  { label: 'Last 12 hours', from: 'now-12h' },
  { label: 'Last 24 hours', from: 'now-24h' },
  { label: 'Last 2 days', from: 'now-2d' },
  { label: 'Last 7 days', from: 'now-7d' },
  { label: 'Last 30 days', from: 'now-30d' },
];

/** A human description of the range: the quick range's label, or `from – to` in local time. */
export function describeRange(spec: TimeRangeSpec, nowMs: number): string {
  if (spec.to === 'now') {
    const q = QUICK_RANGES.find((r) => r.from === spec.from);
    if (q) return q.label;
    if (spec.from.startsWith('now-')) return `Last ${spec.from.slice(4)}`;
  }
  const r = resolveRange(spec, nowMs);
  const f = (sec: number) =>
    new Date(sec * 1000).toLocaleString(undefined, {
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
  return `${f(r.startSec)} – ${f(r.endSec)}`;
}

const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/**
 * The step of a range query: the range over the points the panel can show (about one per 1.5 CSS
 * pixels of a 1,800-pixel-wide 12-column grid), rounded up to a round interval, at least the
 * scrape interval, and never more than Prometheus's 11,000 points.
 */
export function stepFor(range: ResolvedRange, panelWidthCols = 12, minStepSec = 10): number {
  const seconds = range.endSec - range.startSec;
  const maxPoints = Math.max(100, Math.round((panelWidthCols / 12) * 1200));
  const raw = Math.max(minStepSec, seconds / maxPoints, seconds / 11000);
  return NICE_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 86400) * 86400;
}

/** The built-in variables: `$__range`, `$__interval`, `$__rate_interval` (and `_s` / `_ms` forms). */
export function builtinVariables(
  range: ResolvedRange,
  stepSec: number,
  scrapeIntervalSec = 10,
): Record<string, string> {
  const rangeSec = range.endSec - range.startSec;
  const rateInterval = Math.max(stepSec + scrapeIntervalSec, 4 * scrapeIntervalSec);
  return {
    __range: formatDuration(rangeSec),
    __range_s: String(Math.round(rangeSec)),
    __range_ms: String(Math.round(rangeSec * 1000)),
    __interval: formatDuration(stepSec),
    __interval_ms: String(Math.round(stepSec * 1000)),
    __rate_interval: formatDuration(rateInterval),
  };
}
