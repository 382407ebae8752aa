/** Leaderboard: ranked rows, largest first, each with a bar proportional to the leader's value. */
import { formatValue } from '../../lib/format';
import type { PanelRendererProps } from './types';

export function LeaderboardPanel({ panel, data, height, onSeriesClick }: PanelRendererProps) {
  const rows = [...data.samples]
    .filter((s) => Number.isFinite(s.value))
    .sort((a, b) => b.value - a.value)
    .slice(0, panel.limit ?? 10);
  const top = Math.max(...rows.map((r) => Math.abs(r.value)), 0) || 1;
  return (
    <ol className="wk-leaderboard" style={{ maxHeight: Math.max(height, 36 * rows.length) }}>
      {rows.map((r, i) => (
        <li
          key={i}
          className={onSeriesClick ? 'wk-clickable' : undefined}
          onClick={onSeriesClick && (() => onSeriesClick(r.labels, r.name))}
        >
          <span className={`wk-lb-rank wk-lb-rank-${i + 1}`}>{i + 1}</span>
          <span className="wk-lb-main">
            <span className="wk-lb-name" title={r.name}>
              {r.name}
            </span>
            <span className="wk-lb-bar">
              <span style={{ width: `${(Math.abs(r.value) / top) * 100}%` }} />
            </span>
          </span>
          <span className="wk-lb-value">{formatValue(r.value, panel.unit, panel.decimals)}</span>
        </li>
      ))}
    </ol>
  );
}
