/**
 * bars and horizontal_bars (ECharts). Instant data: one bar per series (horizontal bars ranked,
 * largest first). Range data on `bars`: bars over time, one colour per series, stacked.
 */
import { useCallback, useMemo } from 'react';
import { colorForValue, seriesColor } from '../../lib/colors';
import { formatValue } from '../../lib/format';
import { EChart } from '../charts/EChart';
import { AXIS_STYLE, TOOLTIP_STYLE, shorten, timeLabel, valueAxisLabel } from './echarts-common';
import type { PanelRendererProps } from './types';

export function BarsPanel({ panel, data, height, compact, stepSec, onSeriesClick }: PanelRendererProps) {
  const horizontal = panel.type === 'horizontal_bars';
  const overTime = !horizontal && data.series.length > 0;
  const fmt = useCallback((v: number) => formatValue(v, panel.unit, panel.decimals), [panel.unit, panel.decimals]);

  const { option, clickLabels } = useMemo(() => {
    if (overTime) {
      const series = data.series.slice(0, panel.limit ?? 20);
      const stamps = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
      const span = (stamps[stamps.length - 1] ?? 0) - (stamps[0] ?? 0);
      return {
        clickLabels: series.map((s) => s.labels),
        option: {
          animation: false,
          grid: { left: 8, right: 12, top: 10, bottom: series.length > 1 ? 28 : 4, containLabel: true },
          tooltip: { ...TOOLTIP_STYLE, trigger: 'axis', valueFormatter: fmt },
          legend: series.length > 1 ? { bottom: 0, type: 'scroll', textStyle: { fontSize: 11 } } : undefined,
          xAxis: {
            type: 'category',
            data: stamps.map((t) => timeLabel(t, span, stepSec)),
            ...AXIS_STYLE,
            splitLine: { show: false },
          },
          yAxis: { type: 'value', ...AXIS_STYLE, axisLabel: valueAxisLabel(panel.unit) },
          series: series.map((s, i) => {
            const m = new Map(s.points);
            return {
              type: 'bar',
              name: s.name,
              stack: series.length > 1 ? 'total' : undefined,
              itemStyle: { color: series.length > 1 ? seriesColor(i) : '#1f78c1' },
              data: stamps.map((t) => m.get(t) ?? null),
              barMaxWidth: 40,
            };
          }),
        },
      };
    }
    let samples = [...data.samples].filter((s) => Number.isFinite(s.value));
    if (horizontal) samples.sort((a, b) => b.value - a.value);
    samples = samples.slice(0, panel.limit ?? (horizontal ? 15 : 30));
    if (horizontal) samples.reverse(); // ECharts draws the first category at the bottom
    const names = samples.map((s) => s.name);
    const categoryAxis = {
      type: 'category',
      data: names,
      ...AXIS_STYLE,
      splitLine: { show: false },
      axisLabel: {
        ...AXIS_STYLE.axisLabel,
        formatter: (v: string) => shorten(v, compact ? 14 : 24),
        interval: 0,
        rotate: !horizontal && names.length > 6 ? 30 : 0,
      },
    };
    const valueAxis = {
      type: 'value',
      ...AXIS_STYLE,
      splitNumber: compact ? 3 : 5,
      axisLabel: valueAxisLabel(panel.unit),
    };
    return {
      clickLabels: samples.map((s) => s.labels),
      option: {
        animation: false,
        grid: { left: 8, right: horizontal ? 56 : 12, top: 10, bottom: 4, containLabel: true },
        tooltip: { ...TOOLTIP_STYLE, trigger: 'item', valueFormatter: fmt },
        xAxis: horizontal ? valueAxis : categoryAxis,
        yAxis: horizontal ? categoryAxis : valueAxis,
        series: [
          {
            type: 'bar',
            name: panel.title,
            data: samples.map((s) => ({
              value: s.value,
              itemStyle: { color: colorForValue(s.value, panel.thresholds, '#1f78c1') },
            })),
            barMaxWidth: 36,
            label: {
              show: horizontal || samples.length <= 12,
              position: horizontal ? 'right' : 'top',
              formatter: (p: { value: number }) => fmt(p.value),
              fontSize: 11,
              color: '#1d2733',
            },
          },
        ],
      },
    };
  }, [data, panel, compact, overTime, horizontal, stepSec, fmt]);

  return (
    <EChart
      option={option}
      height={height}
      onClick={
        onSeriesClick &&
        ((p) => {
          const idx = overTime ? data.series.findIndex((s) => s.name === p.seriesName) : p.dataIndex;
          const labels = idx !== undefined && idx >= 0 ? clickLabels[idx] : undefined;
          if (labels) onSeriesClick(labels, p.name ?? p.seriesName ?? '');
        })
      }
    />
  );
}
