/** Shared pieces of the ECharts panels' options. */
import { formatValue } from '../../lib/format';
import type { Unit } from '../../model';

export const AXIS_STYLE = {
  axisLine: { lineStyle: { color: '#b8c0cc' } },
  axisLabel: { color: '#5f6b7a', fontSize: 11 },
  splitLine: { lineStyle: { color: '#e6e9ee' } },
};

export const TOOLTIP_STYLE = {
  confine: true,
  backgroundColor: 'rgba(255,255,255,0.96)',
  borderColor: '#d9dee5',
  textStyle: { color: '#1d2733', fontSize: 12 },
};

/** Axis ticks: the unit, with the decimals the tick values need (not the panel's fixed decimals). */
export function valueAxisLabel(unit: Unit) {
  return { ...AXIS_STYLE.axisLabel, formatter: (v: number) => formatValue(v, unit) };
}

/** Truncates long category names for axes (the tooltip has them in full). */
export function shorten(s: string, max = 28): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A time axis label: dates for daily steps or long spans, times of day otherwise. */
export function timeLabel(sec: number, spanSec: number, stepSec = 0): string {
  const d = new Date(sec * 1000);
  if (stepSec >= 86400) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  if (spanSec > 2 * 86400)
    return (
      d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) +
      (spanSec > 14 * 86400 ? '' : ` ${d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`)
    );
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}
