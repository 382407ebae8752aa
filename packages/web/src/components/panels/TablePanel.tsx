/**
 * Table: one row per series (label columns, then a value column per query, joined on the labels),
 * sortable by any column; the value column is sorted largest first to begin with.
 */
import { useMemo, useState } from 'react';
import { colorForValue } from '../../lib/colors';
import { formatValue } from '../../lib/format';
import type { PanelSample } from '../../lib/panel-data';
import type { Panel } from '../../model';
import type { PanelRendererProps } from './types';

export interface TableModel {
  labelCols: string[];
  valueCols: string[];
  rows: { labels: Record<string, string>; values: (number | undefined)[] }[];
}

function valueColumnName(panel: Panel, i: number): string {
  const legend = panel.queries[i]?.legend;
  if (legend && !legend.includes('{{')) return legend;
  return panel.queries.length > 1 ? `Value #${String.fromCharCode(65 + i)}` : 'Value';
}

/** Samples → rows joined on their labels (without `__name__`), with a value column per query. */
export function tableModel(panel: Panel, samples: PanelSample[]): TableModel {
  const labelCols: string[] = [];
  const rows = new Map<string, TableModel['rows'][number]>();
  const names = new Set(samples.map((s) => s.labels.__name__));
  for (const s of samples) {
    const labels = { ...s.labels };
    if (names.size <= 1) delete labels.__name__;
    for (const k of Object.keys(labels)) if (!labelCols.includes(k)) labelCols.push(k);
    const key = JSON.stringify(Object.entries(labels).sort());
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { labels, values: [] }));
    row.values[s.query] = s.value;
  }
  return {
    labelCols,
    valueCols: panel.queries.map((_, i) => valueColumnName(panel, i)),
    rows: [...rows.values()],
  };
}

export function TablePanel({ panel, data, height, onSeriesClick }: PanelRendererProps) {
  const model = useMemo(() => tableModel(panel, data.samples), [panel, data]);
  const [sort, setSort] = useState<{ col: string; desc: boolean }>({ col: '#0', desc: true });
  const rows = useMemo(() => {
    const r = [...model.rows];
    const vi = sort.col.startsWith('#') ? Number(sort.col.slice(1)) : -1;
    r.sort((a, b) => {
      let c: number;
      if (vi >= 0) c = (a.values[vi] ?? -Infinity) - (b.values[vi] ?? -Infinity);
      else c = (a.labels[sort.col] ?? '').localeCompare(b.labels[sort.col] ?? '', undefined, { numeric: true });
      return sort.desc ? -c : c;
    });
    return r.slice(0, panel.limit ?? 100);
  }, [model, sort, panel.limit]);

  const header = (id: string, title: string, numeric: boolean) => (
    <th
      key={id}
      className={numeric ? 'wk-num' : undefined}
      aria-sort={sort.col === id ? (sort.desc ? 'descending' : 'ascending') : 'none'}
    >
      <button type="button" onClick={() => setSort((s) => ({ col: id, desc: s.col === id ? !s.desc : numeric }))}>
        {title}
        <span className="wk-sort">{sort.col === id ? (sort.desc ? '▼' : '▲') : ''}</span>
      </button>
    </th>
  );

  return (
    <div className="wk-table-wrap" style={{ maxHeight: height }}>
      <table className="wk-table">
        <thead>
          <tr>
            <th className="wk-rank">#</th>
            {model.labelCols.map((c) => header(c, c, false))}
            {model.valueCols.map((c, i) => header(`#${i}`, c, true))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr
              key={i}
              className={onSeriesClick ? 'wk-clickable' : undefined}
              onClick={onSeriesClick && (() => onSeriesClick(r.labels, Object.values(r.labels).join(' ')))}
            >
              <td className="wk-rank">{i + 1}</td>
              {model.labelCols.map((c) => (
                <td key={c}>{r.labels[c] ?? ''}</td>
              ))}
              {model.valueCols.map((_, vi) => (
                <td
                  key={vi}
                  className="wk-num"
                  style={{ color: panel.thresholds ? colorForValue(r.values[vi], panel.thresholds) : undefined }}
                >
                  {formatValue(r.values[vi], panel.unit, panel.decimals)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
