/**
 * An ECharts chart sized to its container. ECharts is loaded on first use (a separate chunk), so
 * dashboards without gauges, heatmaps, pies or bars never download it.
 */
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { EChartsCoreOption, ECharts } from 'echarts/core';
import type * as EChartsSetup from './echarts-setup';
import './charts.css';

type EChartsModule = typeof EChartsSetup;
let loading: Promise<EChartsModule> | undefined;
function loadECharts(): Promise<EChartsModule> {
  loading ??= import('./echarts-setup');
  return loading;
}

export interface EChartClick {
  /** The `name` of the clicked data item or series. */
  name?: string;
  seriesName?: string;
  dataIndex?: number;
  data?: unknown;
}

export function EChart({
  option,
  height = 240,
  onClick,
}: {
  option: EChartsCoreOption;
  height?: number;
  onClick?: (p: EChartClick) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<ECharts | null>(null);
  // The chart keeps the click listener it was created with; this calls the latest onClick.
  const click = useEffectEvent((p: EChartClick) => onClick?.(p));
  const [mod, setMod] = useState<EChartsModule | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    loadECharts().then(
      (m) => live && setMod(m),
      (e: unknown) => live && setFailed(String(e)),
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    const el = ref.current;
    if (!mod || !el) return;
    const chart = mod.echarts.init(el, undefined, { renderer: 'canvas' });
    chartRef.current = chart;
    chart.on('click', (p) => click(p as EChartClick));
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, [mod]);

  useEffect(() => {
    chartRef.current?.setOption(option, { notMerge: true });
  }, [option, mod]);

  if (failed) return <p className="wk-panel-error">Could not load the chart library: {failed}</p>;
  return (
    <div className="wk-chart wk-echart" ref={ref} style={{ height, cursor: onClick ? 'pointer' : undefined }}>
      {!mod && <span className="wk-muted">Loading chart…</span>}
    </div>
  );
}
