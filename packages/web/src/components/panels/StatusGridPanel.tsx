/**
 * Status grid: a tile per target (job and instance), green when up, red when down. Values are
 * read as `up` does (1 up, 0 down) unless the panel has thresholds.
 */
import { colorForValue } from '../../lib/colors';
import { formatValue } from '../../lib/format';
import type { PanelRendererProps } from './types';

export function StatusGridPanel({ panel, data, height, onSeriesClick }: PanelRendererProps) {
  const tiles = data.samples.map((s) => {
    const up = s.value > 0;
    const binary = s.value === 0 || s.value === 1;
    const color = panel.thresholds
      ? colorForValue(s.value, panel.thresholds)
      : up
        ? 'var(--wk-ok)'
        : 'var(--wk-critical)';
    const title = (panel.queries[s.query]?.legend ? s.name : (s.labels.job ?? s.labels.service ?? s.name)) || 'series';
    const sub =
      s.labels.instance ??
      Object.entries(s.labels)
        .filter(([k]) => k !== '__name__' && k !== 'job')
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
    const state = binary ? (up ? 'UP' : 'DOWN') : formatValue(s.value, panel.unit, panel.decimals);
    return { s, up, color, title, sub, state };
  });
  tiles.sort((a, b) => Number(a.up) - Number(b.up) || a.title.localeCompare(b.title) || a.sub.localeCompare(b.sub));
  const down = tiles.filter((t) => !t.up).length;
  return (
    <div className="wk-status" style={{ minHeight: Math.min(height, 120) }}>
      <p className="wk-status-summary">
        <b style={{ color: 'var(--wk-ok)' }}>{tiles.length - down} up</b>
        {' · '}
        <b style={{ color: down ? 'var(--wk-critical)' : 'var(--wk-muted)' }}>{down} down</b>
      </p>
      <ul className="wk-status-grid">
        {tiles.map((t, i) => (
          <li
            key={i}
            style={{ borderColor: t.color, background: `color-mix(in srgb, ${t.color} 12%, white)` }}
            className={onSeriesClick ? 'wk-clickable' : undefined}
            onClick={onSeriesClick && (() => onSeriesClick(t.s.labels, t.s.name))}
            title={Object.entries(t.s.labels)
              .map(([k, v]) => `${k}=${v}`)
              .join('\n')}
          >
            <span className="wk-status-state" style={{ background: t.color }}>
              {t.state}
            </span>
            <span className="wk-status-title">{t.title}</span>
            <span className="wk-status-sub">{t.sub}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
