/**
 * The time series chart of dashboards and Explore: uPlot (chosen by measurement, see
 * bench/RESULTS.md and packages/web/README.md), sized to its container, with a tooltip listing the
 * values under the cursor, a compact legend (click isolates a series, Ctrl/⌘-click toggles it),
 * drag to zoom (double-click resets) and a click on a series reported with its labels (drill-down).
 *
 * The props are a stable interface: Explore imports this component too.
 */
import { useEffect, useEffectEvent, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { alignSeries, stackColumns } from '../../lib/align';
import { seriesColor, withAlpha } from '../../lib/colors';
import { formatTicks, formatValue } from '../../lib/format';
import type { Unit } from '../../model';
import './charts.css';

export { alignSeries, stackColumns };

export interface TimeSeries {
  name: string;
  labels: Record<string, string>;
  /** [unix seconds, value] pairs, ascending in time. */
  points: [number, number][];
}

export interface TimeSeriesChartProps {
  series: TimeSeries[];
  unit?: Unit;
  /** Height of the plot in CSS pixels (the legend comes below it). */
  height?: number;
  stacked?: boolean;
  area?: boolean;
  /** Decimals of values in the tooltip (axis ticks choose their own). */
  decimals?: number;
  /** The x range in Unix seconds (the query's range); without it, the data's extent. */
  xRange?: [number, number];
  onClickSeries?: (labels: Record<string, string>) => void;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

const TOOLTIP_ROWS = 12;

export function TimeSeriesChart({
  series,
  unit = 'short',
  height = 240,
  stacked = false,
  area = false,
  decimals,
  xRange,
  onClickSeries,
}: TimeSeriesChartProps) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<HTMLDivElement>(null);
  const tipRef = useRef<HTMLDivElement>(null);
  const uRef = useRef<uPlot | null>(null);
  const focusedRef = useRef<number | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set());

  const aligned = useMemo(() => alignSeries(series), [series]);
  const shapeKey = `${series.map((s) => s.name).join('\u0000')}|${unit}|${stacked}|${area}|${decimals}|${height}`;
  // The plot keeps the callbacks it was created with (once per shape): these read the latest props.
  const currentXRange = useEffectEvent(() => xRange);
  const currentSeries = useEffectEvent(() => series);
  const currentRaw = useEffectEvent(() => aligned.ys);
  const clickSeries = useEffectEvent((labels: Record<string, string>) => onClickSeries?.(labels));

  // Reset legend selections when the set of series changes.
  const namesKey = series.map((s) => s.name).join('\u0000');
  const [hiddenFor, setHiddenFor] = useState(namesKey);
  if (hiddenFor !== namesKey) {
    setHiddenFor(namesKey);
    setHidden(new Set());
  }

  const data = useMemo<uPlot.AlignedData>(
    () => [aligned.xs, ...(stacked ? stackColumns(aligned.ys) : aligned.ys)] as uPlot.AlignedData,
    [aligned, stacked],
  );

  // Create the plot when the shape changes; otherwise only swap its data.
  useEffect(() => {
    const el = plotRef.current;
    if (!el) return;
    const fmt = (v: number | null | undefined) => formatValue(v, unit, decimals);
    const width = Math.max(100, Math.floor(el.clientWidth || 300));
    const n = series.length;
    const opts: uPlot.Options = {
      width,
      height,
      legend: { show: false },
      focus: { alpha: 0.3 },
      cursor: {
        focus: { prox: 24 },
        drag: { x: true, y: false, setScale: true },
        points: { size: 6 },
      },
      scales: {
        x: {
          time: true,
          // The query's range, so that sparse data sits where it belongs in time.
          range: (u, min, max) => {
            const r = currentXRange();
            if (r) return [r[0], r[1]];
            // uPlot widens a lone timestamp by 86,400,000 s (a day in ms, taken as seconds).
            const xs = u.data[0];
            if (xs.length === 1) return [xs[0]! - 300, xs[0]! + 300];
            return [min, max];
          },
        },
        y: stacked || area ? { range: (_u, min, max) => [Math.min(0, min), max || 1] } : {},
      },
      series: [
        {},
        ...series.map((s, i): uPlot.Series => {
          const c = seriesColor(i);
          return {
            label: s.name,
            stroke: c,
            width: n > 20 ? 1 : 1.5,
            fill: area || stacked ? withAlpha(c, stacked ? 0.45 : n > 5 ? 0.08 : 0.18) : undefined,
            // Points only where data is sparse (uPlot's default test), so a lone sample is visible.
            points: { size: 5 },
            spanGaps: false,
            value: (_u, v) => fmt(v),
          };
        }),
      ],
      bands: stacked ? series.slice(1).map((_, i) => ({ series: [i + 2, i + 1] as [number, number] })) : [],
      axes: [
        { stroke: '#5f6b7a', grid: { stroke: '#e6e9ee', width: 1 }, ticks: { stroke: '#d9dee5', width: 1 } },
        {
          stroke: '#5f6b7a',
          grid: { stroke: '#e6e9ee', width: 1 },
          ticks: { show: false },
          values: (_u, vals, _axis, _space, incr) => formatTicks(vals, unit, incr),
          size: (u, values) => {
            if (!values) return 40;
            const longest = Math.max(...values.map((v) => v.length));
            return Math.max(32, Math.ceil(longest * 6.6) + 14);
          },
        },
      ],
      hooks: {
        setSeries: [
          (_u, idx, o) => {
            if ((o as { focus?: boolean }).focus !== undefined) focusedRef.current = idx;
          },
        ],
        setCursor: [(u) => updateTooltip(u)],
      },
    };
    if (stacked) {
      // Fill between a series and the one below it, not down to zero.
      opts.series.forEach((s, i) => {
        if (i > 1) s.fill = withAlpha(seriesColor(i - 1), 0.45);
      });
    }

    function updateTooltip(u: uPlot) {
      const tip = tipRef.current;
      if (!tip) return;
      const idx = u.cursor.idx;
      const left = u.cursor.left ?? -1;
      if (idx === null || idx === undefined || left < 0) {
        tip.style.display = 'none';
        return;
      }
      const t = u.data[0][idx]!;
      const rows: { i: number; v: number }[] = [];
      const rawYs = currentRaw();
      for (let i = 0; i < rawYs.length; i++) {
        const v = rawYs[i]![idx];
        if (v !== null && v !== undefined && u.series[i + 1]?.show !== false) rows.push({ i, v });
      }
      rows.sort((a, b) => b.v - a.v);
      const focused = focusedRef.current;
      const shown = rows.slice(0, TOOLTIP_ROWS);
      if (focused !== null && focused > 0 && !shown.some((r) => r.i === focused - 1)) {
        const r = rows.find((x) => x.i === focused - 1);
        if (r) shown[shown.length - 1] = r;
      }
      const names = currentSeries();
      tip.innerHTML =
        `<div class="wk-tip-time">${escapeHtml(new Date(t * 1000).toLocaleString())}</div>` +
        shown
          .map(
            (r) =>
              `<div class="wk-tip-row${focused === r.i + 1 ? ' wk-tip-focus' : ''}"><span class="wk-swatch" style="background:${seriesColor(r.i)}"></span><span class="wk-tip-name">${escapeHtml(names[r.i]?.name ?? '')}</span><b>${escapeHtml(fmt(r.v))}</b></div>`,
          )
          .join('') +
        (rows.length > shown.length ? `<div class="wk-tip-more">+${rows.length - shown.length} more</div>` : '');
      tip.style.display = 'block';
      const plotW = u.over.clientWidth;
      const tw = tip.offsetWidth;
      const x = u.over.offsetLeft + left;
      tip.style.left = `${Math.max(0, left > plotW / 2 ? x - tw - 12 : x + 12)}px`;
      tip.style.top = `${u.over.offsetTop + Math.max(0, Math.min((u.cursor.top ?? 0) - 10, u.over.clientHeight - tip.offsetHeight))}px`;
    }

    const u = new uPlot(opts, data, el);
    uRef.current = u;

    // A click (not the end of a drag-to-zoom) on a focused series reports its labels.
    let downX = 0;
    let downY = 0;
    const onDown = (e: MouseEvent) => {
      downX = e.clientX;
      downY = e.clientY;
    };
    const onClick = (e: MouseEvent) => {
      if (Math.abs(e.clientX - downX) > 3 || Math.abs(e.clientY - downY) > 3) return;
      const current = currentSeries();
      let idx = focusedRef.current;
      if ((idx === null || idx < 1) && current.length === 1) idx = 1;
      if (idx === null || idx < 1) return;
      const s = current[idx - 1];
      if (s) clickSeries(s.labels);
    };
    const onLeave = () => {
      if (tipRef.current) tipRef.current.style.display = 'none';
    };
    u.over.addEventListener('mousedown', onDown);
    u.over.addEventListener('click', onClick);
    u.over.addEventListener('mouseleave', onLeave);

    const ro = new ResizeObserver(() => {
      const w = Math.floor(el.clientWidth);
      if (w > 0 && w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      uRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- recreated only when the shape changes (shapeKey); new data goes through setData below
  }, [shapeKey]);

  // New data with the same shape: keep zoom-free state, just redraw.
  useEffect(() => {
    const u = uRef.current;
    if (u && u.data !== data) u.setData(data);
  }, [data]);

  useEffect(() => {
    const u = uRef.current;
    if (!u) return;
    for (let i = 0; i < series.length; i++) {
      const show = !hidden.has(i);
      if (u.series[i + 1] && u.series[i + 1]!.show !== show) u.setSeries(i + 1, { show });
    }
  }, [hidden, shapeKey, series.length]);

  const onLegend = (i: number, e: React.MouseEvent) => {
    setHidden((prev) => {
      if (e.ctrlKey || e.metaKey || e.shiftKey) {
        const next = new Set(prev);
        if (next.has(i)) next.delete(i);
        else next.add(i);
        return next;
      }
      const onlyThis = prev.size === series.length - 1 && !prev.has(i);
      if (onlyThis) return new Set();
      return new Set(series.map((_, j) => j).filter((j) => j !== i));
    });
  };

  return (
    <div className="wk-chart wk-ts" ref={wrapRef}>
      <div className="wk-ts-plot" ref={plotRef} style={{ height }} />
      <div className="wk-tip" ref={tipRef} />
      {series.length > 0 && (
        <ul className="wk-legend" aria-label="Series">
          {series.map((s, i) => (
            <li key={i} className={hidden.has(i) ? 'wk-legend-off' : undefined}>
              <button
                type="button"
                title={`${s.name}\nClick: show only this series · Ctrl/⌘-click: toggle`}
                onClick={(e) => onLegend(i, e)}
              >
                <span className="wk-swatch" style={{ background: seriesColor(i) }} />
                {s.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export default TimeSeriesChart;
