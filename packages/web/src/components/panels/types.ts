import type { PanelData } from '../../lib/panel-data';
import type { Panel } from '../../model';

/** What every panel renderer receives. */
export interface PanelRendererProps {
  panel: Panel;
  data: PanelData;
  /** Height of the panel body, CSS pixels. */
  height: number;
  /** The queried time range, Unix seconds. */
  range: { startSec: number; endSec: number };
  /** The step of range queries, seconds. */
  stepSec: number;
  /** Whether the viewport is phone-sized (≤ 600 px). */
  compact: boolean;
  /** A series (row, bar, slice, tile) was clicked: drill-down. */
  onSeriesClick?: (labels: Record<string, string>, name: string) => void;
}
