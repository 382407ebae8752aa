/** A dashboard variable: its values (label values of a metric), multi-select with All. */
import { useMemo, useState } from 'react';
import type { VariableSelection } from '../../lib/variables';
import type { Variable } from '../../model';
import { Dropdown } from './Dropdown';

export function describeSelection(sel: VariableSelection): string {
  if (sel.all) return 'All';
  if (sel.values.length === 0) return 'All';
  if (sel.values.length <= 2) return sel.values.join(', ');
  return `${sel.values[0]} +${sel.values.length - 1}`;
}

export function VariablePicker({
  variable,
  values,
  error,
  selection,
  onChange,
}: {
  variable: Variable;
  values: string[] | undefined;
  error?: string;
  selection: VariableSelection;
  onChange: (s: VariableSelection) => void;
}) {
  const [filter, setFilter] = useState('');
  const shown = useMemo(
    () => (values ?? []).filter((v) => v.toLowerCase().includes(filter.toLowerCase())),
    [values, filter],
  );
  const chosen = new Set(selection.all ? [] : selection.values);
  const toggle = (v: string) => {
    if (!variable.multi) return onChange({ all: false, values: [v] });
    const next = new Set(chosen);
    if (next.has(v)) next.delete(v);
    else next.add(v);
    onChange(next.size === 0 && variable.include_all ? { all: true } : { all: false, values: [...next] });
  };
  return (
    <Dropdown
      className="wk-variable"
      title={variable.label}
      label={
        <>
          <span className="wk-var-label">{variable.label}</span> <b>{describeSelection(selection)}</b>
        </>
      }
    >
      {(close) => (
        <div className="wk-var-panel">
          {values === undefined && !error && <p className="wk-muted">Loading values…</p>}
          {error && <p className="wk-form-error">Values could not be loaded: {error}</p>}
          {values && values.length > 8 && (
            <input
              type="search"
              placeholder={`Filter ${values.length} values`}
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              autoFocus
            />
          )}
          <div className="wk-var-options" role="listbox" aria-multiselectable={variable.multi}>
            {variable.include_all && (
              <label className="wk-var-option">
                <input
                  type={variable.multi ? 'checkbox' : 'radio'}
                  checked={selection.all || (!selection.all && selection.values.length === 0)}
                  onChange={() => {
                    onChange({ all: true });
                    if (!variable.multi) close();
                  }}
                />
                All
              </label>
            )}
            {shown.map((v) => (
              <label key={v} className="wk-var-option">
                <input
                  type={variable.multi ? 'checkbox' : 'radio'}
                  checked={chosen.has(v)}
                  onChange={() => {
                    toggle(v);
                    if (!variable.multi) close();
                  }}
                />
                {v}
              </label>
            ))}
            {values && values.length === 0 && <p className="wk-muted">No values in the data.</p>}
          </div>
        </div>
      )}
    </Dropdown>
  );
}
