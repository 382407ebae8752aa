/** Stat: the current value, large, coloured by thresholds, with a sparkline when the query is a range. */
import { colorForValue } from '../../lib/colors';
import { formatValue } from '../../lib/format';
import type { PanelSeries } from '../../lib/panel-data';
import type { PanelRendererProps } from './types';

function Sparkline({ s, color }: { s: PanelSeries; color: string }) {
  const pts = s.points.filter((p) => Number.isFinite(p[1]));
  if (pts.length < 2) return null;
  const t0 = pts[0]![0];
  const t1 = pts[pts.length - 1]![0];
  let lo = Infinity;
  let hi = -Infinity;
  for (const [, v] of pts) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  const d = pts
    .map(
      ([t, v], i) =>
        `${i ? 'L' : 'M'}${(((t - t0) / (t1 - t0 || 1)) * 100).toFixed(2)},${(28 - ((v - lo) / span) * 26).toFixed(2)}`,
    )
    .join('');
  return (
    <svg className="wk-sparkline" viewBox="0 0 100 30" preserveAspectRatio="none" aria-hidden="true">
      <path d={`${d}L100,30L0,30Z`} fill={color} opacity="0.12" />
      <path d={d} fill="none" stroke={color} strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

export function StatPanel({ panel, data, onSeriesClick }: PanelRendererProps) {
  const items = data.samples.slice(0, panel.limit ?? 8);
  return (
    <div className={`wk-stat-grid${items.length > 1 ? ' wk-stat-multi' : ''}`}>
      {items.map((s, i) => {
        const color = colorForValue(s.value, panel.thresholds, 'var(--wk-text)');
        const series = data.series.find((x) => x.name === s.name && x.query === s.query);
        return (
          <div
            key={i}
            className="wk-stat"
            onClick={onSeriesClick && (() => onSeriesClick(s.labels, s.name))}
            role={onSeriesClick ? 'button' : undefined}
          >
            {series && <Sparkline s={series} color={colorForValue(s.value, panel.thresholds, '#1f78c1')} />}
            <span className="wk-stat-value" style={{ color }}>
              {formatValue(s.value, panel.unit, panel.decimals)}
            </span>
            {items.length > 1 && <span className="wk-stat-name">{s.name}</span>}
          </div>
        );
      })}
    </div>
  );
}
