/**
 * The new-silence dialog: matchers (pre-filled from an alert's labels), duration, comment,
 * created by the current user; shows which current alerts it would silence; POST /api/v2/silences.
 */
import { useEffect, useRef, useState } from 'react';
import { formatDuration, parseDuration } from '../explore/time-range';
import { createSilence, errorText } from './alerts-api';
import { humanDuration } from './format';
import {
  buildSilence,
  formatMatcher,
  matcherOp,
  opFlags,
  silenceMatches,
  validateSilence,
  type MatcherOp,
} from './silence';
import type { AmAlert, SilenceMatcher } from './types';

const DURATION_PRESETS = ['1h', '2h', '4h', '8h', '1d', '1w'];
const OPS: MatcherOp[] = ['=', '!=', '=~', '!~'];

interface Row extends SilenceMatcher {
  id: number;
}

export function SilenceForm({
  initialMatchers,
  alerts,
  currentUser,
  onClose,
  onCreated,
}: {
  initialMatchers: SilenceMatcher[];
  /** The alerts known now, to show what the silence would match. */
  alerts: readonly AmAlert[];
  /** The logged-in user's name; empty when unknown (then the form asks). */
  currentUser: string;
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  const [rows, setRows] = useState<Row[]>(() =>
    (initialMatchers.length > 0 ? initialMatchers : [{ name: '', value: '', isRegex: false, isEqual: true }]).map(
      (m, id) => ({ ...m, id }),
    ),
  );
  const nextId = useRef(rows.length);
  const [duration, setDuration] = useState('2h');
  const [comment, setComment] = useState('');
  const [createdBy, setCreatedBy] = useState(currentUser);
  const [tried, setTried] = useState(false);
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<string>();
  const dialogRef = useRef<HTMLDivElement>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    commentRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  const matchers: SilenceMatcher[] = rows.map(({ name, value, isRegex, isEqual }) => ({
    name,
    value,
    isRegex,
    isEqual,
  }));
  const durationSec = parseDuration(duration);
  const draft = { matchers, durationSec, comment, createdBy };
  const problems = validateSilence(draft);
  const matched = alerts.filter((a) => silenceMatches(matchers, a.labels));
  // eslint-disable-next-line react-hooks/purity -- the preview's end is "from now", read as the form renders
  const endsAt = durationSec !== undefined ? new Date(Date.now() + durationSec * 1000) : undefined;

  const setRow = (id: number, patch: Partial<SilenceMatcher>) =>
    setRows((rs) => rs.map((r) => (r.id === id ? { ...r, ...patch } : r)));

  const submit = async () => {
    setTried(true);
    if (problems.length > 0) return;
    setSending(true);
    setSendError(undefined);
    try {
      // eslint-disable-next-line react-hooks/purity -- on submit, not in render (for the compiler, buildSilence might keep the time in draft)
      const id = await createSilence(buildSilence(draft, Date.now()));
      onCreated(id);
    } catch (err) {
      setSendError(errorText(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="wk-al-overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="wk-al-dialog" role="dialog" aria-modal="true" aria-labelledby="wk-silence-title" ref={dialogRef}>
        <div className="wk-al-dialog-head">
          <h2 id="wk-silence-title">New silence</h2>
          <button type="button" className="wk-al-close" onClick={onClose} aria-label="Close">
            ×
          </button>
        </div>
        <form
          className="wk-al-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <fieldset>
            <legend>Matchers</legend>
            <p className="wk-al-hint">
              Alerts whose labels match all of these are silenced. Remove labels to widen it.
            </p>
            <ul className="wk-al-matchers">
              {rows.map((r) => (
                <li key={r.id} className="wk-al-matcher-row">
                  <input
                    aria-label="Label name"
                    className="wk-al-matcher-name"
                    value={r.name}
                    placeholder="label"
                    onChange={(e) => setRow(r.id, { name: e.target.value.trim() })}
                  />
                  <select
                    aria-label="Operator"
                    value={matcherOp(r)}
                    onChange={(e) => setRow(r.id, opFlags(e.target.value as MatcherOp))}
                  >
                    {OPS.map((op) => (
                      <option key={op} value={op}>
                        {op}
                      </option>
                    ))}
                  </select>
                  <input
                    aria-label="Value"
                    className="wk-al-matcher-value"
                    value={r.value}
                    placeholder="value"
                    onChange={(e) => setRow(r.id, { value: e.target.value })}
                  />
                  <button
                    type="button"
                    className="wk-al-btn wk-al-btn-small"
                    aria-label={`Remove ${formatMatcher(r)}`}
                    onClick={() => setRows((rs) => rs.filter((x) => x.id !== r.id))}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
            <button
              type="button"
              className="wk-al-btn wk-al-btn-small"
              onClick={() =>
                setRows((rs) => [...rs, { id: nextId.current++, name: '', value: '', isRegex: false, isEqual: true }])
              }
            >
              + Add matcher
            </button>
          </fieldset>

          <fieldset>
            <legend>Duration</legend>
            <div className="wk-al-durations">
              {DURATION_PRESETS.map((d) => (
                <button
                  key={d}
                  type="button"
                  className={`wk-al-btn wk-al-btn-small${duration === d ? ' wk-al-btn-on' : ''}`}
                  aria-pressed={duration === d}
                  onClick={() => setDuration(d)}
                >
                  {d}
                </button>
              ))}
              <input
                aria-label="Duration"
                className="wk-al-duration-input"
                value={duration}
                onChange={(e) => setDuration(e.target.value.trim())}
                placeholder="e.g. 90m"
              />
            </div>
            <p className="wk-al-hint">
              {endsAt
                ? `From now until ${endsAt.toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })} (${humanDuration((durationSec ?? 0) * 1000)}${formatDuration(durationSec ?? 0) !== duration ? `, ${formatDuration(durationSec ?? 0)}` : ''})`
                : 'A duration such as 30m, 2h, 1d.'}
            </p>
          </fieldset>

          <label className="wk-al-field">
            <span>Comment</span>
            <textarea
              ref={commentRef}
              rows={2}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              placeholder="Why, and a ticket if there is one"
            />
          </label>
          <label className="wk-al-field">
            <span>Created by</span>
            {currentUser !== '' ? (
              <input value={createdBy} readOnly aria-readonly="true" className="wk-al-readonly" />
            ) : (
              <input value={createdBy} onChange={(e) => setCreatedBy(e.target.value)} placeholder="Your name" />
            )}
          </label>

          <div className="wk-al-preview">
            <strong>
              Silences {matched.length} current alert{matched.length === 1 ? '' : 's'}
            </strong>
            {matched.length > 0 && (
              <ul>
                {matched.slice(0, 8).map((a) => (
                  <li key={a.fingerprint}>
                    {a.labels['alertname'] ?? '(no alertname)'}{' '}
                    <span className="wk-al-muted">
                      {Object.entries(a.labels)
                        .filter(([k]) => k !== 'alertname')
                        .map(([k, v]) => `${k}=${v}`)
                        .join(' ')}
                    </span>
                  </li>
                ))}
                {matched.length > 8 && <li className="wk-al-muted">and {matched.length - 8} more</li>}
              </ul>
            )}
          </div>

          {tried && problems.length > 0 && (
            <ul className="wk-al-problems" role="alert">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          {sendError && (
            <div className="wk-al-error" role="alert">
              Not created: {sendError}
            </div>
          )}
          <div className="wk-al-dialog-actions">
            <button type="button" className="wk-al-btn" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="wk-al-btn wk-al-btn-primary" disabled={sending}>
              {sending ? 'Creating…' : 'Create silence'}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
