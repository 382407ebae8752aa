/**
 * histogram and distribution (ECharts bars): Prometheus buckets (`le` labels, cumulative) as
 * per-bucket counts; other results as the distribution of their values across series. Results
 * without `le` next to buckets (an average, a median from another query) are shown as figures
 * above the bars.
 */
import { useCallback, useMemo } from 'react';
import { formatValue } from '../../lib/format';
import { decumulate, distribution, type Bucket } from '../../lib/histogram';
import { EChart } from '../charts/EChart';
import { AXIS_STYLE, TOOLTIP_STYLE } from './echarts-common';
import type { PanelRendererProps } from './types';

export function HistogramPanel({ panel, data, height, compact }: PanelRendererProps) {
  const { buckets, fromLe, figures } = useMemo(() => {
    const withLe = data.samples.filter((s) => s.labels.le !== undefined);
    if (withLe.length > 0) {
      return {
        buckets: decumulate(withLe.map((s) => ({ le: s.labels.le!, value: s.value }))),
        fromLe: true,
        figures: data.samples.filter((s) => s.labels.le === undefined),
      };
    }
    return {
      buckets: distribution(
        data.samples.map((s) => s.value),
        compact ? 8 : 12,
      ),
      fromLe: false,
      figures: [],
    };
  }, [data, compact]);

  const fmt = useCallback((v: number) => formatValue(v, panel.unit, panel.decimals), [panel.unit, panel.decimals]);
  const option = useMemo(() => {
    const label = (x: Bucket, i: number) =>
      !Number.isFinite(x.upper)
        ? `> ${fmt(x.lower)}`
        : fromLe && i === 0
          ? `≤ ${fmt(x.upper)}`
          : `${fmt(x.lower)}–${fmt(x.upper)}`;
    const total = buckets.reduce((a, x) => a + x.count, 0);
    return {
      animation: false,
      grid: { left: 8, right: 12, top: 22, bottom: 4, containLabel: true },
      tooltip: {
        ...TOOLTIP_STYLE,
        trigger: 'item',
        formatter: (p: { name: string; value: number }) =>
          `${p.name}<br/><b>${formatValue(p.value, 'short')}</b> ${fromLe ? 'observations' : 'series'}` +
          (total > 0 ? ` (${((p.value / total) * 100).toFixed(1)}%)` : ''),
      },
      xAxis: {
        type: 'category',
        data: buckets.map(label),
        ...AXIS_STYLE,
        splitLine: { show: false },
        axisLabel: { ...AXIS_STYLE.axisLabel, rotate: buckets.length > 6 ? 30 : 0, interval: 0 },
      },
      yAxis: {
        type: 'value',
        ...AXIS_STYLE,
        name: fromLe ? 'count' : 'series',
        nameTextStyle: { color: '#5f6b7a', fontSize: 10, align: 'left' },
        axisLabel: { ...AXIS_STYLE.axisLabel, formatter: (v: number) => formatValue(v, 'short') },
      },
      series: [
        {
          type: 'bar',
          data: buckets.map((x) => x.count),
          barCategoryGap: '8%',
          itemStyle: { color: '#3aa655' },
          label: {
            show: buckets.length <= 12,
            position: 'top',
            fontSize: 10,
            formatter: (p: { value: number }) => (p.value > 0 ? formatValue(p.value, 'short') : ''),
          },
        },
      ],
    };
  }, [buckets, fromLe, fmt]);
  return (
    <div className="wk-histogram">
      {figures.length > 0 && (
        <p className="wk-figures">
          {figures.map((f, i) => (
            <span key={i}>
              {f.name}: <b>{Number.isNaN(f.value) ? 'no observations' : fmt(f.value)}</b>
            </span>
          ))}
        </p>
      )}
      <EChart option={option} height={figures.length > 0 ? height - 22 : height} />
    </div>
  );
}
