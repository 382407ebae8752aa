/** Silences by state (active, pending, expired), with expiry and a new-silence button. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { errorText, expireSilence } from './alerts-api';
import { agoTime, humanDuration, relativeTime, shortDateTime } from './format';
import type { Polled } from './hooks';
import { countSilences, formatMatcher, silenceMatches, sortSilences } from './silence';
import type { AmAlert, Silence, SilenceState } from './types';
import { SectionState } from './ui';

const STATES: SilenceState[] = ['active', 'pending', 'expired'];

export function SilencesSection({
  silences,
  alerts,
  nowMs,
  canWrite,
  highlightId,
  onNew,
  onExpired,
}: {
  silences: Polled<Silence[]>;
  alerts: readonly AmAlert[];
  nowMs: number;
  canWrite: boolean;
  /** A silence to show (linked from an alert): its state is selected and it is scrolled to. */
  highlightId: string | undefined;
  onNew: () => void;
  onExpired: () => void;
}) {
  const list = useMemo(() => sortSilences(silences.data ?? []), [silences.data]);
  const counts = countSilences(list);
  const highlighted = list.find((s) => s.id === highlightId);
  const [state, setState] = useState<SilenceState>(highlighted?.status.state ?? 'active');
  // Select the highlighted silence's state whenever it arrives (each refresh of the list brings a new object).
  const [selectedFor, setSelectedFor] = useState(highlighted);
  if (selectedFor !== highlighted) {
    setSelectedFor(highlighted);
    if (highlighted) setState(highlighted.status.state);
  }
  const shown = list.filter((s) => s.status.state === state);

  return (
    <div className="wk-al-section">
      <div className="wk-al-toolbar">
        <div className="wk-al-segmented" role="group" aria-label="Silence state">
          {STATES.map((s) => (
            <button
              key={s}
              type="button"
              className={`wk-al-btn wk-al-btn-small${state === s ? ' wk-al-btn-on' : ''}`}
              aria-pressed={state === s}
              onClick={() => setState(s)}
            >
              {s[0]!.toUpperCase() + s.slice(1)} <span className="wk-al-count">{counts[s]}</span>
            </button>
          ))}
        </div>
        {canWrite && (
          <button type="button" className="wk-al-btn wk-al-btn-primary" onClick={onNew}>
            New silence
          </button>
        )}
      </div>
      <SectionState
        loading={silences.loading}
        error={silences.error}
        hasData={silences.data !== undefined}
        empty={shown.length === 0}
        emptyText={`No ${state} silences.`}
        onRetry={silences.reload}
      >
        <ul className="wk-al-silences">
          {shown.map((s) => (
            <SilenceRow
              key={s.id}
              silence={s}
              alerts={alerts}
              nowMs={nowMs}
              canWrite={canWrite}
              highlight={s.id === highlightId}
              onExpired={onExpired}
            />
          ))}
        </ul>
      </SectionState>
    </div>
  );
}

function SilenceRow({
  silence: s,
  alerts,
  nowMs,
  canWrite,
  highlight,
  onExpired,
}: {
  silence: Silence;
  alerts: readonly AmAlert[];
  nowMs: number;
  canWrite: boolean;
  highlight: boolean;
  onExpired: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string>();
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (highlight) ref.current?.scrollIntoView({ block: 'center' });
  }, [highlight]);
  const matching = s.status.state === 'expired' ? [] : alerts.filter((a) => silenceMatches(s.matchers, a.labels));
  const state = s.status.state;

  const expire = async () => {
    setSending(true);
    setError(undefined);
    try {
      await expireSilence(s.id);
      setConfirming(false);
      onExpired();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <li ref={ref} className={`wk-al-silence wk-al-silence-${state}${highlight ? ' wk-al-highlight' : ''}`}>
      <div className="wk-al-silence-main">
        <ul className="wk-al-labels" aria-label="Matchers">
          {s.matchers.map((m, i) => (
            <li key={i} className="wk-al-label wk-al-matcher">
              {formatMatcher(m)}
            </li>
          ))}
        </ul>
        <p className="wk-al-summary">{s.comment}</p>
        <p className="wk-al-meta">
          by <strong>{s.createdBy}</strong> ·{' '}
          {state === 'active' && (
            <span title={shortDateTime(s.endsAt)}>
              ends {relativeTime(s.endsAt, nowMs)} ({shortDateTime(s.endsAt)})
            </span>
          )}
          {state === 'pending' && (
            <span title={shortDateTime(s.startsAt)}>
              starts {relativeTime(s.startsAt, nowMs)}, lasts{' '}
              {humanDuration(Date.parse(s.endsAt) - Date.parse(s.startsAt))}
            </span>
          )}
          {state === 'expired' && <span title={shortDateTime(s.endsAt)}>expired {agoTime(s.endsAt, nowMs)}</span>}
          {state !== 'expired' && (
            <>
              {' · '}
              {matching.length === 0
                ? 'matches no current alert'
                : `matches ${matching.length} current alert${matching.length === 1 ? '' : 's'}`}
            </>
          )}
          {' · '}
          <code className="wk-al-muted" title={s.id}>
            {s.id.slice(0, 8)}
          </code>
        </p>
        {error && (
          <div className="wk-al-error" role="alert">
            Not expired: {error}
          </div>
        )}
      </div>
      {canWrite && state !== 'expired' && (
        <div className="wk-al-alert-actions">
          {confirming ? (
            <>
              <button
                type="button"
                className="wk-al-btn wk-al-btn-small wk-al-btn-danger"
                disabled={sending}
                onClick={() => void expire()}
              >
                {sending ? 'Expiring…' : 'Expire now'}
              </button>
              <button type="button" className="wk-al-btn wk-al-btn-small" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" className="wk-al-btn wk-al-btn-small" onClick={() => setConfirming(true)}>
              Expire…
            </button>
          )}
        </div>
      )}
    </li>
  );
}
