/** Pie (ECharts): a donut of the current values, legend beside it (below on phones). */
import { useMemo } from 'react';
import { seriesColor } from '../../lib/colors';
import { formatValue } from '../../lib/format';
import { EChart } from '../charts/EChart';
import { TOOLTIP_STYLE, shorten } from './echarts-common';
import type { PanelRendererProps } from './types';

export function PiePanel({ panel, data, height, compact, onSeriesClick }: PanelRendererProps) {
  const samples = useMemo(
    () =>
      [...data.samples]
        .filter((s) => Number.isFinite(s.value) && s.value > 0)
        .sort((a, b) => b.value - a.value)
        .slice(0, panel.limit ?? 12),
    [data, panel.limit],
  );
  const option = useMemo(() => {
    const total = samples.reduce((a, s) => a + s.value, 0);
    const fmt = (v: number) => formatValue(v, panel.unit, panel.decimals);
    return {
      animation: false,
      color: samples.map((_, i) => seriesColor(i)),
      tooltip: {
        ...TOOLTIP_STYLE,
        trigger: 'item',
        formatter: (p: { name: string; value: number; percent: number }) =>
          `${p.name}<br/><b>${fmt(p.value)}</b> (${p.percent.toFixed(1)}%)`,
      },
      legend: compact
        ? { bottom: 0, type: 'scroll', textStyle: { fontSize: 11 }, data: samples.map((s) => s.name) }
        : {
            data: samples.map((s) => s.name),
            orient: 'vertical',
            right: 4,
            top: 'middle',
            type: 'scroll',
            textStyle: { fontSize: 11 },
            formatter: (name: string) => {
              const s = samples.find((x) => x.name === name);
              return `${shorten(name, 18)}  ${s ? fmt(s.value) : ''}`;
            },
          },
      series: [
        {
          type: 'pie',
          radius: ['42%', '72%'],
          center: compact ? ['50%', '44%'] : ['34%', '50%'],
          avoidLabelOverlap: true,
          label: {
            show: samples.length <= 8,
            formatter: (p: { percent: number }) => `${Math.round(p.percent)}%`,
            fontSize: 11,
          },
          labelLine: { length: 6, length2: 6 },
          data: samples.map((s) => ({ name: s.name, value: s.value })),
        },
        {
          type: 'pie',
          radius: ['0%', '40%'],
          center: compact ? ['50%', '44%'] : ['34%', '50%'],
          silent: true,
          label: {
            show: true,
            position: 'center',
            formatter: `${fmt(total)}\ntotal`,
            fontSize: 13,
            fontWeight: 600,
            color: '#1d2733',
            lineHeight: 18,
          },
          itemStyle: { color: 'transparent' },
          data: [{ value: 1, name: '' }],
          tooltip: { show: false },
        },
      ],
    };
  }, [samples, panel, compact]);
  return (
    <EChart
      option={option}
      height={height}
      onClick={
        onSeriesClick &&
        ((p) => {
          const s = p.dataIndex !== undefined && p.seriesName !== undefined ? samples[p.dataIndex] : undefined;
          if (s && p.name) onSeriesClick(s.labels, s.name);
        })
      }
    />
  );
}
