/** The table of an instant query: each series with its labels and value, sortable. */
import { useMemo, useState } from 'react';
import { labelColumns, sortRows, type SortKey, type TableRow } from './result';

const MAX_ROWS = 1000;

function keyId(k: SortKey): string {
  return k.by === 'label' ? `label:${k.name}` : k.by;
}

export function ResultTable({ rows }: { rows: TableRow[] }) {
  const [sort, setSort] = useState<{ key: SortKey; dir: 'asc' | 'desc' }>({ key: { by: 'series' }, dir: 'asc' });
  const columns = useMemo(() => labelColumns(rows), [rows]);
  const sorted = useMemo(() => sortRows(rows, sort.key, sort.dir), [rows, sort]);
  const shown = sorted.slice(0, MAX_ROWS);

  const toggle = (key: SortKey) =>
    setSort((s) =>
      keyId(s.key) === keyId(key)
        ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' }
        : { key, dir: key.by === 'value' ? 'desc' : 'asc' },
    );
  const arrow = (key: SortKey) => (keyId(sort.key) === keyId(key) ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : '');
  const ariaSort = (key: SortKey) =>
    keyId(sort.key) === keyId(key) ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none';

  return (
    <div className="wk-explore-table-wrap">
      {columns.length > 0 && (
        <label className="wk-explore-sortby">
          <span className="wk-explore-label">Sort by</span>
          <select
            value={keyId(sort.key)}
            onChange={(e) => {
              const v = e.target.value;
              const key: SortKey =
                v === 'series' || v === 'value' ? { by: v } : { by: 'label', name: v.slice('label:'.length) };
              setSort({ key, dir: key.by === 'value' ? 'desc' : 'asc' });
            }}
          >
            <option value="series">series</option>
            <option value="value">value</option>
            {columns.map((c) => (
              <option key={c} value={`label:${c}`}>
                label {c}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="wk-btn wk-btn-small"
            onClick={() => setSort((s) => ({ ...s, dir: s.dir === 'asc' ? 'desc' : 'asc' }))}
            aria-label={sort.dir === 'asc' ? 'Ascending; switch to descending' : 'Descending; switch to ascending'}
          >
            {sort.dir === 'asc' ? '▲' : '▼'}
          </button>
        </label>
      )}
      <table className="wk-explore-table">
        <thead>
          <tr>
            <th aria-sort={ariaSort({ by: 'series' })}>
              <button type="button" className="wk-th-btn" onClick={() => toggle({ by: 'series' })}>
                Series{arrow({ by: 'series' })}
              </button>
            </th>
            <th className="wk-num" aria-sort={ariaSort({ by: 'value' })}>
              <button type="button" className="wk-th-btn" onClick={() => toggle({ by: 'value' })}>
                Value{arrow({ by: 'value' })}
              </button>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.key}>
              <td className="wk-explore-series">
                {r.labels['__name__'] !== undefined && (
                  <span className="wk-explore-metric">{r.labels['__name__']}</span>
                )}
                {Object.keys(r.labels)
                  .filter((k) => k !== '__name__')
                  .sort()
                  .map((k) => (
                    <button
                      key={k}
                      type="button"
                      className={`wk-explore-label-chip${sort.key.by === 'label' && sort.key.name === k ? ' wk-explore-label-chip-on' : ''}`}
                      title={`Sort by ${k}`}
                      onClick={() => toggle({ by: 'label', name: k })}
                    >
                      {k}=<span className="wk-explore-label-value">{JSON.stringify(r.labels[k])}</span>
                    </button>
                  ))}
                {Object.keys(r.labels).length === 0 && <span className="wk-explore-muted">{'{}'}</span>}
              </td>
              <td className="wk-num wk-explore-value">{r.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {sorted.length > MAX_ROWS && (
        <p className="wk-explore-muted">
          Showing {MAX_ROWS} of {sorted.length} rows.
        </p>
      )}
    </div>
  );
}
