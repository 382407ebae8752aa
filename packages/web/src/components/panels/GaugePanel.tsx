/** Gauge (ECharts): the value as an arc against min–max, coloured by thresholds, with the target marked. */
import { useMemo } from 'react';
import { colorForValue, thresholdColor } from '../../lib/colors';
import { formatValue } from '../../lib/format';
import { EChart } from '../charts/EChart';
import type { PanelRendererProps } from './types';

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function GaugePanel({ panel, data, height }: PanelRendererProps) {
  const sample = data.samples[0];
  const value = sample?.value ?? NaN;
  const option = useMemo(() => {
    const percent = panel.unit === 'percent';
    const min = panel.min ?? 0;
    const max =
      panel.max ??
      (percent
        ? 100
        : panel.unit === 'percentunit'
          ? 1
          : niceMax(Math.max(value, panel.target ?? 0, min + 1e-9) * 1.25));
    const fmt = (v: number) => formatValue(v, panel.unit, panel.decimals);
    const color = colorForValue(value, panel.thresholds, '#1f78c1');
    const frac = (v: number) => Math.min(1, Math.max(0, (v - min) / (max - min || 1)));
    // Threshold bands as the arc's background, faint; the progress arc on top shows the value.
    const bands: [number, string][] = [];
    const steps = [...(panel.thresholds ?? [])].sort((a, b) => a.value - b.value);
    for (let i = 0; i < steps.length; i++) {
      const next = steps[i + 1];
      bands.push([next ? frac(next.value) : 1, thresholdColor(steps[i]!.color)]);
    }
    if (steps.length && frac(steps[0]!.value) > 0) bands.unshift([frac(steps[0]!.value), '#c7ced8']);
    const common = {
      type: 'gauge',
      min,
      max,
      startAngle: 205,
      endAngle: -25,
      radius: '92%',
      center: ['50%', '62%'],
    };
    const series: object[] = [
      {
        ...common,
        progress: { show: true, width: 16, itemStyle: { color } },
        axisLine: { lineStyle: { width: 16, color: [[1, '#e6e9ee']] } },
        pointer: { show: false },
        axisTick: { show: false },
        splitNumber: 4,
        splitLine: { length: 6, distance: 2, lineStyle: { color: '#b8c0cc', width: 1 } },
        axisLabel: {
          distance: 10,
          fontSize: 10,
          color: '#5f6b7a',
          formatter: (v: number) => formatValue(v, panel.unit),
        },
        anchor: { show: false },
        title: { show: panel.target !== undefined, offsetCenter: [0, '42%'], fontSize: 12, color: '#5f6b7a' },
        detail: {
          valueAnimation: false,
          offsetCenter: [0, '8%'],
          fontSize: Math.max(18, Math.min(34, height / 7)),
          fontWeight: 600,
          color,
          formatter: () => (Number.isFinite(value) ? fmt(value) : '–'),
        },
        data: [
          {
            value: Number.isFinite(value) ? value : min,
            name: panel.target !== undefined ? `target ${fmt(panel.target)}` : '',
          },
        ],
      },
    ];
    if (bands.length) {
      series.push({
        ...common,
        radius: '99%',
        axisLine: { lineStyle: { width: 4, color: bands } },
        progress: { show: false },
        pointer: { show: false },
        axisTick: { show: false },
        splitLine: { show: false },
        axisLabel: { show: false },
        detail: { show: false },
        title: { show: false },
        data: [{ value: min }],
        silent: true,
      });
    }
    if (panel.target !== undefined) {
      series.push({
        ...common,
        radius: '100%',
        axisLine: { show: false },
        progress: { show: false },
        axisTick: { show: false },
        splitLine: { show: false },
        axisLabel: { show: false },
        anchor: { show: false },
        pointer: {
          show: true,
          icon: 'rect',
          length: '22%',
          width: 4,
          offsetCenter: [0, '-72%'],
          itemStyle: { color: '#12263a' },
        },
        detail: { show: false },
        title: { show: false },
        data: [{ value: panel.target }],
        tooltip: { show: false },
      });
    }
    return { animation: false, series };
  }, [panel, value, height]);
  return <EChart option={option} height={height} />;
}
