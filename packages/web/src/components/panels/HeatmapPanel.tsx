/**
 * Heatmap (ECharts). Histogram buckets over time (series with `le`): one row per bucket, the count
 * in that bucket (not cumulative) per time step. Other series: one row per series.
 */
import { useMemo } from 'react';
import { thresholdColor } from '../../lib/colors';
import { formatValue } from '../../lib/format';
import { decumulate, isBucketData, parseLe } from '../../lib/histogram';
import { EChart } from '../charts/EChart';
import { AXIS_STYLE, TOOLTIP_STYLE, shorten, timeLabel } from './echarts-common';
import type { PanelRendererProps } from './types';

export function HeatmapPanel({ panel, data, height, compact, stepSec, onSeriesClick }: PanelRendererProps) {
  const built = useMemo(() => {
    const series = data.series;
    const stamps = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
    const col = new Map(stamps.map((t, i) => [t, i]));
    const span = (stamps[stamps.length - 1] ?? 0) - (stamps[0] ?? 0);
    const cells: [number, number, number][] = [];
    let rows: string[];
    let rowLabels: (Record<string, string> | undefined)[] = [];
    let valueUnit = panel.unit;
    let buckets = false;
    if (isBucketData(series.map((s) => s.labels))) {
      const les = [...new Set(series.map((s) => s.labels.le!))].sort((a, b) => parseLe(a) - parseLe(b));
      const perStamp = new Map<number, { le: string; value: number }[]>();
      for (const s of series)
        for (const [t, v] of s.points) {
          let a = perStamp.get(t);
          if (!a) perStamp.set(t, (a = []));
          a.push({ le: s.labels.le!, value: v });
        }
      rows = les.map((le, i) => {
        const b = parseLe(le);
        const lower = i > 0 ? parseLe(les[i - 1]!) : 0;
        if (!Number.isFinite(b)) return `> ${formatValue(lower, panel.unit)}`;
        return `${formatValue(lower, panel.unit)}–${formatValue(b, panel.unit)}`;
      });
      const rowOf = new Map(les.map((le, i) => [parseLe(le), i]));
      for (const [t, bs] of perStamp) {
        for (const b of decumulate(bs)) {
          if (b.count > 0) cells.push([col.get(t)!, rowOf.get(b.upper)!, b.count]);
        }
      }
      valueUnit = 'short';
      buckets = true;
    } else {
      const top = series.slice(0, panel.limit ?? 40);
      rows = top.map((s) => s.name);
      rowLabels = top.map((s) => s.labels);
      top.forEach((s, r) => {
        for (const [t, v] of s.points) if (Number.isFinite(v)) cells.push([col.get(t)!, r, v]);
      });
    }
    const values = cells.map((c) => c[2]);
    const lo = buckets ? 0 : (panel.min ?? (values.length ? Math.min(...values) : 0));
    const hi = buckets
      ? values.length
        ? Math.max(...values)
        : 1
      : (panel.max ?? (values.length ? Math.max(...values) : 1));
    const fmt = (v: number) => formatValue(v, valueUnit, panel.decimals);
    const tick = (v: number) => formatValue(v, valueUnit);
    // Values (not bucket counts) with thresholds: coloured by the threshold steps.
    const steps =
      !buckets && panel.thresholds?.length ? [...panel.thresholds].sort((a, b) => a.value - b.value) : undefined;
    const visualMap = steps
      ? {
          type: 'piecewise',
          orient: 'horizontal',
          left: 'center',
          bottom: 0,
          itemWidth: 12,
          itemHeight: 10,
          textStyle: { fontSize: 10, color: '#5f6b7a' },
          pieces: steps.map((t, i) => {
            const next = steps[i + 1];
            return {
              ...(i > 0 && { gte: t.value }),
              ...(next && { lt: next.value }),
              color: thresholdColor(t.color),
              label: next
                ? i === 0
                  ? `< ${tick(next.value)}`
                  : `${tick(t.value)}–${tick(next.value)}`
                : `≥ ${tick(t.value)}`,
            };
          }),
        }
      : {
          min: lo,
          max: hi > lo ? hi : lo + 1,
          calculable: false,
          orient: 'horizontal',
          left: 'center',
          bottom: 0,
          itemHeight: compact ? 120 : 180,
          itemWidth: 10,
          textStyle: { fontSize: 10, color: '#5f6b7a' },
          formatter: (v: number) => tick(v),
          inRange: { color: ['#fff7d6', '#f6b73c', '#e0752d', '#c23b22', '#7a1010'] },
        };
    const option = {
      animation: false,
      grid: { left: 8, right: 12, top: 8, bottom: compact ? 44 : 40, containLabel: true },
      tooltip: {
        ...TOOLTIP_STYLE,
        formatter: (p: { value: [number, number, number] }) =>
          `${new Date(stamps[p.value[0]]! * 1000).toLocaleString()}<br/>${rows[p.value[1]]}: <b>${fmt(p.value[2])}</b>`,
      },
      xAxis: {
        type: 'category',
        data: stamps.map((t) => timeLabel(t, span, stepSec)),
        ...AXIS_STYLE,
        splitArea: { show: false },
        splitLine: { show: false },
      },
      yAxis: {
        type: 'category',
        data: rows,
        ...AXIS_STYLE,
        splitLine: { show: false },
        axisLabel: { ...AXIS_STYLE.axisLabel, formatter: (v: string) => shorten(v, compact ? 12 : 22) },
      },
      visualMap,
      series: [
        {
          type: 'heatmap',
          data: cells,
          progressive: 0,
          emphasis: { itemStyle: { borderColor: '#12263a', borderWidth: 1 } },
        },
      ],
    };
    return { option, rowLabels };
  }, [data, panel, compact, stepSec]);
  return (
    <EChart
      option={built.option}
      height={height}
      onClick={
        onSeriesClick &&
        ((p) => {
          const row = (p.data as [number, number, number] | undefined)?.[1];
          const labels = row !== undefined ? built.rowLabels[row] : undefined;
          if (labels) onSeriesClick(labels, '');
        })
      }
    />
  );
}
