/** timeseries, line, area: uPlot. */
import { TimeSeriesChart } from '../charts/TimeSeriesChart';
import type { PanelRendererProps } from './types';

export function TimeSeriesPanel({ panel, data, height, range, onSeriesClick }: PanelRendererProps) {
  const series = data.series.slice(0, panel.limit ?? 200);
  const legendRows = series.length > 1 ? Math.min(3, Math.ceil(series.length / 4)) : 0;
  return (
    <TimeSeriesChart
      series={series}
      unit={panel.unit}
      decimals={panel.decimals}
      height={Math.max(120, height - legendRows * 18)}
      area={panel.type === 'area'}
      xRange={[range.startSec, range.endSec]}
      onClickSeries={
        onSeriesClick && ((labels) => onSeriesClick(labels, series.find((s) => s.labels === labels)?.name ?? ''))
      }
    />
  );
}
