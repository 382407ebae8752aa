/** Quick ranges (15 minutes … 30 days) and an absolute from/to in local time. */
import { useState } from 'react';
import { describeRange, QUICK_RANGES, resolveRange, type TimeRangeSpec } from '../../lib/time';
import { ClockIcon } from '../../components/icons';
import { Dropdown } from './Dropdown';

function toLocalInput(sec: number): string {
  const d = new Date(sec * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function AbsoluteForm({ value, onApply }: { value: TimeRangeSpec; onApply: (t: TimeRangeSpec) => void }) {
  // The form starts from the range as it is when the form opens.
  const [r] = useState(() => resolveRange(value, Date.now()));
  const [from, setFrom] = useState(toLocalInput(r.startSec));
  const [to, setTo] = useState(toLocalInput(r.endSec));
  const f = Date.parse(from);
  const t = Date.parse(to);
  const valid = !Number.isNaN(f) && !Number.isNaN(t) && f < t;
  return (
    <form
      className="wk-abs-range"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) onApply({ from: String(f), to: String(t) });
      }}
    >
      <p className="wk-dropdown-title">Absolute range</p>
      <label>
        From
        <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} required />
      </label>
      <label>
        To
        <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} required />
      </label>
      {!valid && <p className="wk-form-error">“From” must be before “To”.</p>}
      <button type="submit" className="wk-primary" disabled={!valid}>
        Apply
      </button>
    </form>
  );
}

export function TimeRangePicker({ value, onChange }: { value: TimeRangeSpec; onChange: (t: TimeRangeSpec) => void }) {
  // eslint-disable-next-line react-hooks/purity -- a range relative to now is described as of this render
  const description = describeRange(value, Date.now());
  return (
    <Dropdown
      label={
        <>
          <ClockIcon /> {description}
        </>
      }
      title="Time range"
      align="right"
      className="wk-time-picker"
    >
      {(close) => (
        <div className="wk-time-panel">
          <div className="wk-quick-ranges">
            <p className="wk-dropdown-title">Quick ranges</p>
            {QUICK_RANGES.map((q) => (
              <button
                key={q.from}
                type="button"
                className={value.to === 'now' && value.from === q.from ? 'wk-selected' : undefined}
                onClick={() => {
                  onChange({ from: q.from, to: 'now' });
                  close();
                }}
              >
                {q.label}
              </button>
            ))}
          </div>
          <AbsoluteForm
            value={value}
            onApply={(t) => {
              onChange(t);
              close();
            }}
          />
        </div>
      )}
    </Dropdown>
  );
}
