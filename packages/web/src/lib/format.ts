/**
 * Value formatting by the schema's units (dollars, percent, seconds, bytes, short with SI
 * suffixes, ...). Pure functions: the panels, the chart axes, tooltips and CSV share them.
 */
import type { Unit } from '../model';

const SI = [
  { v: 1e12, s: 'T' },
  { v: 1e9, s: 'G' },
  { v: 1e6, s: 'M' },
  { v: 1e3, s: 'k' },
];

/** A number with `decimals` fixed, or about three significant digits with trailing zeros removed. */
export function formatNumber(v: number, decimals?: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  if (decimals !== undefined) {
    return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }
  const a = Math.abs(v);
  let d: number;
  if (a === 0 || a >= 100) d = 0;
  else if (a >= 10) d = 1;
  else if (a >= 1) d = 2;
  else d = Math.min(6, 2 - Math.floor(Math.log10(a)));
  return v.toLocaleString('en-US', { maximumFractionDigits: d });
}

/** 1234 → "1.23k", 5600000 → "5.6M". */
export function formatShort(v: number, decimals?: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  const a = Math.abs(v);
  for (const { v: base, s } of SI) {
    if (a >= base) return formatNumber(v / base, decimals) + s;
  }
  return formatNumber(v, decimals);
}

function formatSeconds(v: number, decimals?: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0 s';
  if (a < 1e-3) return `${formatNumber(v * 1e6, decimals)} µs`;
  if (a < 1) return `${formatNumber(v * 1e3, decimals)} ms`;
  if (a < 60) return `${formatNumber(v, decimals)} s`;
  if (a < 3600) return `${formatNumber(v / 60, decimals)} min`;
  if (a < 86400) return `${formatNumber(v / 3600, decimals)} h`;
  return `${formatNumber(v / 86400, decimals)} d`;
}

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
function formatBytes(v: number, decimals?: number): string {
  let a = Math.abs(v);
  let i = 0;
  while (a >= 1024 && i < IEC.length - 1) {
    a /= 1024;
    i++;
  }
  return `${formatNumber(Math.sign(v) * a, decimals ?? (i === 0 ? 0 : undefined))} ${IEC[i]}`;
}

function formatDollars(v: number, decimals?: number): string {
  const sign = v < 0 ? '-' : '';
  const a = Math.abs(v);
  if (a >= 1e6) return `${sign}$${formatShort(a, decimals)}`;
  // Cents below $1,000 unless the amount is whole (axis ticks: $0, $500).
  const d = decimals ?? (a >= 1000 || Number.isInteger(a) ? 0 : 2);
  return `${sign}$${a.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })}`;
}

/** Formats a value in a unit; `null`/`undefined` (no sample) as an en dash. */
export function formatValue(v: number | null | undefined, unit: Unit = 'short', decimals?: number): string {
  if (v === null || v === undefined) return '–';
  if (!Number.isFinite(v)) return formatNumber(v);
  switch (unit) {
    case 'none':
      return formatNumber(v, decimals);
    case 'short':
      return formatShort(v, decimals);
    case 'dollars':
      return formatDollars(v, decimals);
    case 'percent':
      return `${formatNumber(v, decimals)}%`;
    case 'percentunit':
      return `${formatNumber(v * 100, decimals)}%`;
    case 'seconds':
      return formatSeconds(v, decimals);
    case 'bytes':
      return formatBytes(v, decimals);
    case 'reqps':
      return `${formatShort(v, decimals)} req/s`;
  }
}

/** A Go-template-like legend (`{{vessel}} on {{company}}`) or the series' labels in PromQL form. */
export function seriesName(labels: Record<string, string>, legend?: string): string {
  if (legend) {
    return legend.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, l: string) => labels[l] ?? '');
  }
  const { __name__: name, ...rest } = labels;
  const inner = Object.entries(rest)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
  if (!name) return inner ? `{${inner}}` : '{}';
  return inner ? `${name}{${inner}}` : name;
}

/** Decimals a step between axis ticks needs (0.025 → 3, 2.5 → 1, 500 → 0). */
export function decimalsOf(step: number): number {
  if (!Number.isFinite(step) || step === 0) return 0;
  const frac = String(+Math.abs(step).toPrecision(6)).split('.')[1];
  return Math.min(6, frac?.length ?? 0);
}

/**
 * Axis tick labels: as formatValue, but with the decimals the tick step needs, so that ticks 1,
 * 1.025, 1.05 do not read 1, 1.03, 1.05. Units that rescale (seconds, bytes, large SI values)
 * keep their own rounding.
 */
export function formatTicks(ticks: number[], unit: Unit, step: number): string[] {
  const max = Math.max(0, ...ticks.map((t) => Math.abs(t)));
  const fixed =
    unit === 'percentunit'
      ? decimalsOf(step * 100)
      : unit === 'percent' ||
          unit === 'none' ||
          ((unit === 'short' || unit === 'reqps' || unit === 'dollars') && max < 1000)
        ? decimalsOf(step)
        : undefined;
  return ticks.map((t) => formatValue(t, unit, fixed));
}
