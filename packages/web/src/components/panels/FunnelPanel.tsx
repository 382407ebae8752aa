/** Funnel (ECharts): stages largest first, each labelled with its value and its share of the first stage. */
import { useMemo } from 'react';
import { seriesColor } from '../../lib/colors';
import { formatValue } from '../../lib/format';
import { EChart } from '../charts/EChart';
import { TOOLTIP_STYLE } from './echarts-common';
import type { PanelRendererProps } from './types';

export function FunnelPanel({ panel, data, height, onSeriesClick }: PanelRendererProps) {
  const samples = useMemo(
    () =>
      [...data.samples]
        .filter((s) => Number.isFinite(s.value))
        .sort((a, b) => b.value - a.value)
        .slice(0, panel.limit ?? 10),
    [data, panel.limit],
  );
  const option = useMemo(() => {
    const first = samples[0]?.value ?? 0;
    const fmt = (v: number) => formatValue(v, panel.unit, panel.decimals);
    // Stages of counts show their share of the first; ratios (percent units) are shares already.
    const ratios = panel.unit === 'percent' || panel.unit === 'percentunit';
    const share = (v: number) => (!ratios && first > 0 ? ` (${Math.round((v / first) * 100)}%)` : '');
    return {
      animation: false,
      color: samples.map((_, i) => seriesColor(i)),
      tooltip: {
        ...TOOLTIP_STYLE,
        trigger: 'item',
        formatter: (p: { name: string; value: number }) => `${p.name}<br/><b>${fmt(p.value)}</b>${share(p.value)}`,
      },
      series: [
        {
          type: 'funnel',
          left: '6%',
          right: '6%',
          top: 6,
          bottom: 6,
          minSize: '18%',
          sort: 'descending',
          gap: 2,
          label: {
            show: true,
            position: 'inside',
            formatter: (p: { name: string; value: number }) => `${p.name}: ${fmt(p.value)}${share(p.value)}`,
            color: '#fff',
            fontSize: 11,
            textBorderColor: 'rgba(0,0,0,0.35)',
            textBorderWidth: 2,
          },
          data: samples.map((s) => ({ name: s.name, value: s.value })),
        },
      ],
    };
  }, [samples, panel]);
  return (
    <EChart
      option={option}
      height={height}
      onClick={
        onSeriesClick &&
        ((p) => {
          const s = samples.find((x) => x.name === p.name);
          if (s) onSeriesClick(s.labels, s.name);
        })
      }
    />
  );
}
