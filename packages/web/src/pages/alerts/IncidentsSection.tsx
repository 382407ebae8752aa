/** Incidents (escalation state, notified receivers, history) with acknowledgement. */
import { useState } from 'react';
import { acknowledgeIncident, errorText } from './alerts-api';
import { agoTime, relativeTime, shortDateTime } from './format';
import { severityOf } from './grouping';
import type { Polled } from './hooks';
import { historyText, notifiedReceivers } from './incidents';
import type { Incident, IncidentState } from './types';
import { LabelChips, SectionState, severityClass } from './ui';

export type IncidentFilter = IncidentState | 'open';

const FILTERS: { value: IncidentFilter; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'triggered', label: 'Escalating' },
  { value: 'acknowledged', label: 'Acknowledged' },
  { value: 'resolved', label: 'Resolved' },
];

export function IncidentsSection({
  incidents,
  filter,
  onFilter,
  nowMs,
  canWrite,
  currentUser,
  onChanged,
}: {
  incidents: Polled<Incident[]>;
  filter: IncidentFilter;
  onFilter: (f: IncidentFilter) => void;
  nowMs: number;
  canWrite: boolean;
  currentUser: string;
  /** An incident was acknowledged here. */
  onChanged: () => void;
}) {
  const list = incidents.data ?? [];
  return (
    <div className="wk-al-section">
      <div className="wk-al-toolbar">
        <div className="wk-al-segmented" role="group" aria-label="Incident state">
          {FILTERS.map((f) => (
            <button
              key={f.value}
              type="button"
              className={`wk-al-btn wk-al-btn-small${filter === f.value ? ' wk-al-btn-on' : ''}`}
              aria-pressed={filter === f.value}
              onClick={() => onFilter(f.value)}
            >
              {f.label}
            </button>
          ))}
        </div>
      </div>
      <SectionState
        loading={incidents.loading}
        error={incidents.error}
        hasData={incidents.data !== undefined}
        empty={list.length === 0}
        emptyText={
          filter === 'open' ? (
            <>
              <span className="wk-al-ok-mark" aria-hidden="true">
                ✓
              </span>{' '}
              No open incidents.
            </>
          ) : (
            `No ${FILTERS.find((f) => f.value === filter)?.label.toLowerCase()} incidents.`
          )
        }
        onRetry={incidents.reload}
      >
        <div className="wk-al-incidents">
          {list.map((inc) => (
            <IncidentCard
              key={inc.id}
              incident={inc}
              nowMs={nowMs}
              canWrite={canWrite}
              currentUser={currentUser}
              onChanged={onChanged}
            />
          ))}
        </div>
      </SectionState>
    </div>
  );
}

function incidentTitle(inc: Incident): string {
  const name = inc.groupLabels['alertname'] ?? inc.alerts[0]?.labels['alertname'] ?? inc.policy;
  const rest = Object.entries(inc.groupLabels)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => `${k}=${v}`);
  return rest.length > 0 ? `${name} · ${rest.join(' · ')}` : name;
}

function IncidentCard({
  incident: inc,
  nowMs,
  canWrite,
  currentUser,
  onChanged,
}: {
  incident: Incident;
  nowMs: number;
  canWrite: boolean;
  currentUser: string;
  onChanged: () => void;
}) {
  const [acking, setAcking] = useState(false);
  const [comment, setComment] = useState('');
  const [by, setBy] = useState(currentUser);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string>();
  const firing = inc.alerts.filter((a) => a.status === 'firing');
  const notified = notifiedReceivers(inc);
  const severity = firing.reduce<ReturnType<typeof severityOf>>((worst, a) => {
    const s = severityOf(a.labels);
    const rank = { critical: 0, warning: 1, info: 2, none: 3 };
    return rank[s] < rank[worst] ? s : worst;
  }, 'none');

  const acknowledge = async () => {
    setSending(true);
    setError(undefined);
    try {
      await acknowledgeIncident(inc.id, by.trim() === '' ? 'web' : by.trim(), comment);
      setAcking(false);
      onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <article className={`wk-al-incident ${severityClass(severity)}`}>
      <header className="wk-al-incident-head">
        <span className="wk-al-incident-id">#{inc.id}</span>
        <span className="wk-al-group-title">{incidentTitle(inc)}</span>
        <span className={`wk-al-istate wk-al-istate-${inc.state}`}>
          {inc.state === 'triggered' ? 'escalating' : inc.state}
        </span>
      </header>

      <dl className="wk-al-facts">
        <div>
          <dt>Level</dt>
          <dd>
            {inc.level === 0 ? 'none yet' : inc.level}
            {inc.cycle > 0 && ` (repeat ${inc.cycle})`}
          </dd>
        </div>
        <div>
          <dt>Next escalation</dt>
          <dd>
            {inc.nextEscalation ? (
              <span title={shortDateTime(inc.nextEscalation.at)}>
                <strong>level {inc.nextEscalation.level}</strong>{' '}
                {Date.parse(inc.nextEscalation.at) <= nowMs ? 'due now' : relativeTime(inc.nextEscalation.at, nowMs)}
                {inc.nextEscalation.cycle > 0 && ` (repeat ${inc.nextEscalation.cycle})`}
              </span>
            ) : inc.state === 'acknowledged' ? (
              'stopped (acknowledged)'
            ) : inc.state === 'resolved' ? (
              '—'
            ) : (
              'none: last level reached'
            )}
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd title={shortDateTime(inc.startsAt)}>{agoTime(inc.startsAt, nowMs)}</dd>
        </div>
        <div>
          <dt>Policy</dt>
          <dd>{inc.policy}</dd>
        </div>
        {inc.resolvedAt && (
          <div>
            <dt>Resolved</dt>
            <dd title={shortDateTime(inc.resolvedAt)}>{agoTime(inc.resolvedAt, nowMs)}</dd>
          </div>
        )}
      </dl>

      {inc.acknowledged && (
        <p className="wk-al-acked">
          Acknowledged by <strong>{inc.acknowledged.by}</strong> ({inc.acknowledged.via}){' '}
          <span title={shortDateTime(inc.acknowledged.at)}>{agoTime(inc.acknowledged.at, nowMs)}</span>
          {inc.acknowledged.comment && <>: “{inc.acknowledged.comment}”</>}
        </p>
      )}

      <div className="wk-al-incident-block">
        <h4>
          Alerts{' '}
          <span className="wk-al-muted">
            {firing.length} firing
            {inc.alerts.length > firing.length ? `, ${inc.alerts.length - firing.length} resolved` : ''}
          </span>
        </h4>
        <ul className="wk-al-incident-alerts">
          {inc.alerts.map((a) => (
            <li key={a.fingerprint} className={a.status === 'resolved' ? 'wk-al-resolved' : undefined}>
              <span className={`wk-al-dot wk-al-dot-${severityOf(a.labels)}`} aria-hidden="true" />
              <strong>{a.labels['alertname']}</strong> {a.annotations['summary'] ?? ''}{' '}
              <span className="wk-al-muted">
                {a.status === 'resolved' ? 'resolved' : `since ${agoTime(a.startsAt, nowMs).replace(' ago', '')}`}
              </span>
              <LabelChips labels={a.labels} hide={['alertname', 'severity']} />
            </li>
          ))}
        </ul>
      </div>

      <div className="wk-al-incident-block">
        <h4>Notified</h4>
        {notified.length === 0 ? (
          <p className="wk-al-muted">Nobody yet.</p>
        ) : (
          <ul className="wk-al-notified">
            {notified.map((n, i) => (
              <li key={i}>
                <span className="wk-al-level">L{n.level}</span> {n.receiver}
                {n.routed && <span className="wk-al-muted"> (by its route)</span>}{' '}
                <span className="wk-al-muted" title={shortDateTime(n.at)}>
                  {agoTime(n.at, nowMs)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>

      <details className="wk-al-history">
        <summary>History ({inc.history.length})</summary>
        <ol>
          {inc.history.map((h, i) => (
            <li key={i}>
              <span className="wk-al-muted wk-al-history-time" title={shortDateTime(h.at)}>
                {new Date(h.at).toLocaleTimeString(undefined, {
                  hour: '2-digit',
                  minute: '2-digit',
                  second: '2-digit',
                })}
              </span>{' '}
              {historyText(h)}
            </li>
          ))}
        </ol>
      </details>

      {canWrite && inc.state === 'triggered' && (
        <div className="wk-al-ack">
          {!acking ? (
            <button type="button" className="wk-al-btn wk-al-btn-primary wk-al-btn-ack" onClick={() => setAcking(true)}>
              Acknowledge
            </button>
          ) : (
            <form
              className="wk-al-ack-form"
              onSubmit={(e) => {
                e.preventDefault();
                void acknowledge();
              }}
            >
              <label className="wk-al-field">
                <span>Comment (optional)</span>
                <input
                  autoFocus
                  value={comment}
                  onChange={(e) => setComment(e.target.value)}
                  maxLength={2000}
                  placeholder="Looking into it"
                />
              </label>
              {currentUser === '' && (
                <label className="wk-al-field">
                  <span>Your name</span>
                  <input value={by} onChange={(e) => setBy(e.target.value)} maxLength={200} />
                </label>
              )}
              <p className="wk-al-hint">
                Acknowledging stops the escalation; the incident stays open until its alerts resolve.
              </p>
              {error && (
                <div className="wk-al-error" role="alert">
                  Not acknowledged: {error}
                </div>
              )}
              <div className="wk-al-dialog-actions">
                <button type="button" className="wk-al-btn" onClick={() => setAcking(false)}>
                  Cancel
                </button>
                <button type="submit" className="wk-al-btn wk-al-btn-primary" disabled={sending}>
                  {sending ? 'Acknowledging…' : `Acknowledge as ${by.trim() || 'web'}`}
                </button>
              </div>
            </form>
          )}
        </div>
      )}
    </article>
  );
}
