/** Firing alerts (Alertmanager's groups, by route group or by receiver) and pending alerts (rule state). */
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { humanDuration, readableValue, relativeTime, shortDateTime } from './format';
import {
  alertMatchesText,
  displayState,
  distinctAlerts,
  explorePathFor,
  groupByReceiver,
  groupByRouteGroup,
  groupPending,
  severityOf,
  type GroupView,
  type PendingGroup,
} from './grouping';
import type { Polled } from './hooks';
import { SectionState, SeverityBadge, LabelChips, severityClass } from './ui';
import type { AmAlert, AmAlertGroup, RuleAlert, Silence } from './types';

type GroupMode = 'route' | 'receiver';

export interface AlertsSectionProps {
  groups: Polled<AmAlertGroup[]>;
  ruleAlerts: Polled<RuleAlert[]>;
  holdDurations: Map<string, number> | undefined;
  silences: Silence[] | undefined;
  nowMs: number;
  canWrite: boolean;
  onSilence: (alert: AmAlert) => void;
  onShowSilence: (id: string) => void;
}

export function AlertsSection(p: AlertsSectionProps) {
  const [mode, setMode] = useState<GroupMode>('route');
  const [filter, setFilter] = useState('');
  const [hideMuted, setHideMuted] = useState(false);

  const all = useMemo(() => distinctAlerts(p.groups.data ?? []), [p.groups.data]);
  const byFingerprint = useMemo(() => new Map(all.map((a) => [a.fingerprint, a])), [all]);
  const filteredGroups = useMemo(
    () =>
      (p.groups.data ?? [])
        .map((g) => ({
          ...g,
          alerts: g.alerts.filter((a) => alertMatchesText(a, filter) && (!hideMuted || displayState(a) === 'firing')),
        }))
        .filter((g) => g.alerts.length > 0),
    [p.groups.data, filter, hideMuted],
  );
  const pending = useMemo(
    () => groupPending((p.ruleAlerts.data ?? []).filter((a) => alertMatchesText(a, filter))),
    [p.ruleAlerts.data, filter],
  );
  const pendingCount = pending.reduce((n, g) => n + g.alerts.length, 0);
  const silenceById = useMemo(() => new Map((p.silences ?? []).map((s) => [s.id, s])), [p.silences]);
  const heldBack = all.filter((a) => displayState(a) !== 'firing').length;

  const card = (g: GroupView, showReceivers: boolean) => (
    <GroupCard
      key={g.key}
      group={g}
      showReceivers={showReceivers}
      nowMs={p.nowMs}
      canWrite={p.canWrite}
      byFingerprint={byFingerprint}
      silenceById={silenceById}
      onSilence={p.onSilence}
      onShowSilence={p.onShowSilence}
    />
  );

  return (
    <div className="wk-al-section">
      <div className="wk-al-toolbar">
        <input
          type="search"
          className="wk-al-filter"
          placeholder="Filter: label, value or summary"
          aria-label="Filter alerts"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <label className="wk-al-inline">
          <span className="wk-al-muted">Group by</span>
          <select value={mode} onChange={(e) => setMode(e.target.value as GroupMode)}>
            <option value="route">alert group</option>
            <option value="receiver">receiver</option>
          </select>
        </label>
        <label className="wk-al-inline">
          <input type="checkbox" checked={hideMuted} onChange={(e) => setHideMuted(e.target.checked)} />
          <span>Hide silenced, inhibited and muted{heldBack > 0 ? ` (${heldBack})` : ''}</span>
        </label>
      </div>

      <h2 className="wk-al-h2">
        Firing {p.groups.data && <span className="wk-al-count">{all.length}</span>}
        {heldBack > 0 && (
          <span className="wk-al-h2-note">{heldBack} of them silenced, inhibited or muted: not notifying</span>
        )}
      </h2>
      <SectionState
        loading={p.groups.loading}
        error={p.groups.error}
        hasData={p.groups.data !== undefined}
        empty={filteredGroups.length === 0}
        emptyText={
          all.length === 0 ? (
            <>
              <span className="wk-al-ok-mark" aria-hidden="true">
                ✓
              </span>{' '}
              No alerts are firing.
            </>
          ) : (
            'No firing alert matches the filter.'
          )
        }
        onRetry={p.groups.reload}
      >
        {mode === 'route' ? (
          <div className="wk-al-groups">{groupByRouteGroup(filteredGroups).map((g) => card(g, true))}</div>
        ) : (
          groupByReceiver(filteredGroups).map((s) => (
            <section key={s.receiver} className="wk-al-receiver">
              <h3 className="wk-al-h3">
                <span className="wk-al-receiver-icon" aria-hidden="true">
                  →
                </span>{' '}
                {s.receiver} <span className="wk-al-count">{s.alertCount}</span>
              </h3>
              <div className="wk-al-groups">{s.groups.map((g) => card(g, false))}</div>
            </section>
          ))
        )}
      </SectionState>

      <h2 className="wk-al-h2">
        Pending {p.ruleAlerts.data && <span className="wk-al-count">{pendingCount}</span>}
        <span className="wk-al-h2-note">rules whose condition holds, waiting for their “for” duration</span>
      </h2>
      <SectionState
        loading={p.ruleAlerts.loading}
        error={p.ruleAlerts.error}
        hasData={p.ruleAlerts.data !== undefined}
        empty={pending.length === 0}
        emptyText="No alerts are pending."
        onRetry={p.ruleAlerts.reload}
      >
        <ul className="wk-al-pending">
          {pending.map((g) => (
            <PendingGroupCard key={g.alertname} group={g} holdSec={p.holdDurations?.get(g.alertname)} nowMs={p.nowMs} />
          ))}
        </ul>
      </SectionState>
    </div>
  );
}

function GroupCard({
  group,
  showReceivers,
  nowMs,
  canWrite,
  byFingerprint,
  silenceById,
  onSilence,
  onShowSilence,
}: {
  group: GroupView;
  showReceivers: boolean;
  nowMs: number;
  canWrite: boolean;
  byFingerprint: Map<string, AmAlert>;
  silenceById: Map<string, Silence>;
  onSilence: (a: AmAlert) => void;
  onShowSilence: (id: string) => void;
}) {
  const [expanded, setExpanded] = useState(false);
  const firing = group.alerts.filter((a) => displayState(a) === 'firing').length;
  const shown = expanded ? group.alerts : group.alerts.slice(0, GROUP_PREVIEW);
  const labelText = Object.entries(group.labels)
    .map(([k, v]) => (k === 'alertname' ? v : `${k}=${v}`))
    .join(' · ');
  return (
    <article className={`wk-al-group ${severityClass(group.severity)}${firing === 0 ? ' wk-al-group-quiet' : ''}`}>
      <header className="wk-al-group-head">
        {/* A group of one alert says nothing its alert does not: only its receivers are shown. */}
        {group.alerts.length > 1 && (
          <>
            <span className="wk-al-group-title">{labelText || '(all alerts)'}</span>
            <span className="wk-al-muted">
              {group.alerts.length} alerts
              {firing !== group.alerts.length && `, ${firing} notifying`}
            </span>
          </>
        )}
        {showReceivers && (
          <ul className="wk-al-receivers" aria-label="Receivers">
            {group.receivers.map((r) => (
              <li key={r}>→ {r}</li>
            ))}
          </ul>
        )}
      </header>
      <ul className="wk-al-alerts">
        {shown.map((a) => (
          <AlertRow
            key={a.fingerprint}
            alert={a}
            nowMs={nowMs}
            canWrite={canWrite}
            byFingerprint={byFingerprint}
            silenceById={silenceById}
            onSilence={onSilence}
            onShowSilence={onShowSilence}
          />
        ))}
      </ul>
      {group.alerts.length > GROUP_PREVIEW && (
        <button type="button" className="wk-al-btn wk-al-btn-small wk-al-more" onClick={() => setExpanded((e) => !e)}>
          {expanded ? 'Show fewer' : `Show all ${group.alerts.length} alerts`}
        </button>
      )}
    </article>
  );
}

/** Alerts shown per group before "Show all". */
const GROUP_PREVIEW = 5;

const STATE_TEXT = {
  firing: 'firing',
  silenced: 'silenced',
  inhibited: 'inhibited',
  muted: 'muted',
  unprocessed: 'new',
} as const;

function AlertRow({
  alert,
  nowMs,
  canWrite,
  byFingerprint,
  silenceById,
  onSilence,
  onShowSilence,
}: {
  alert: AmAlert;
  nowMs: number;
  canWrite: boolean;
  byFingerprint: Map<string, AmAlert>;
  silenceById: Map<string, Silence>;
  onSilence: (a: AmAlert) => void;
  onShowSilence: (id: string) => void;
}) {
  const state = displayState(alert);
  const summary = alert.annotations['summary'] ?? '';
  const description = alert.annotations['description'];
  const runbook = alert.annotations['runbook_url'];
  const started = Date.parse(alert.startsAt);
  const explore = explorePathFor(alert.generatorURL);
  return (
    <li className={`wk-al-alert wk-al-alert-${state}`}>
      <div className="wk-al-alert-main">
        <div className="wk-al-alert-title">
          <span className={`wk-al-dot wk-al-dot-${severityOf(alert.labels)}`} aria-hidden="true" />
          <strong>{alert.labels['alertname'] ?? '(no alertname)'}</strong>
          <SeverityBadge labels={alert.labels} />
          <span className={`wk-al-state wk-al-state-${state}`}>{STATE_TEXT[state]}</span>
        </div>
        {summary && <p className="wk-al-summary">{summary}</p>}
        <p className="wk-al-meta">
          <span title={shortDateTime(alert.startsAt)}>
            firing for {Number.isNaN(started) ? '?' : humanDuration(Math.max(0, nowMs - started))} (since{' '}
            {shortDateTime(alert.startsAt)})
          </span>
          {runbook && (
            <>
              {' · '}
              <a href={runbook} target="_blank" rel="noreferrer">
                runbook
              </a>
            </>
          )}
          {explore ? (
            <>
              {' · '}
              <Link to={explore} title="Graph the alert's expression in Explore">
                graph
              </Link>
            </>
          ) : (
            alert.generatorURL && (
              <>
                {' · '}
                <a href={alert.generatorURL} target="_blank" rel="noreferrer">
                  source
                </a>
              </>
            )
          )}
        </p>
        <LabelChips labels={alert.labels} hide={['alertname', 'severity']} />
        {description && description !== summary && (
          <details className="wk-al-details">
            <summary>Description</summary>
            <p>{description}</p>
          </details>
        )}
        <Reasons
          alert={alert}
          nowMs={nowMs}
          byFingerprint={byFingerprint}
          silenceById={silenceById}
          onShowSilence={onShowSilence}
        />
      </div>
      {canWrite && (
        <div className="wk-al-alert-actions">
          <button type="button" className="wk-al-btn wk-al-btn-small" onClick={() => onSilence(alert)}>
            Silence…
          </button>
        </div>
      )}
    </li>
  );
}

/** Why an alert is held back: its silences, the alerts that inhibit it, the mute stages' reasons. */
function Reasons({
  alert,
  nowMs,
  byFingerprint,
  silenceById,
  onShowSilence,
}: {
  alert: AmAlert;
  nowMs: number;
  byFingerprint: Map<string, AmAlert>;
  silenceById: Map<string, Silence>;
  onShowSilence: (id: string) => void;
}) {
  const { silencedBy, inhibitedBy } = alert.status;
  const mutedBy = alert.status.mutedBy ?? [];
  if (silencedBy.length + inhibitedBy.length + mutedBy.length === 0) return null;
  return (
    <ul className="wk-al-reasons">
      {silencedBy.map((id) => {
        const s = silenceById.get(id);
        return (
          <li key={`s${id}`}>
            <span className="wk-al-reason-kind">Silenced</span>{' '}
            {s ? (
              <>
                by {s.createdBy}: “{s.comment}”, ends {relativeTime(s.endsAt, nowMs)}{' '}
              </>
            ) : null}
            <button type="button" className="wk-al-linklike" onClick={() => onShowSilence(id)}>
              silence {id.slice(0, 8)}
            </button>
          </li>
        );
      })}
      {inhibitedBy.map((fp) => {
        const src = byFingerprint.get(fp);
        return (
          <li key={`i${fp}`}>
            <span className="wk-al-reason-kind">Inhibited</span> by{' '}
            {src ? (
              <>
                <strong>{src.labels['alertname']}</strong>{' '}
                <span className="wk-al-muted">
                  {Object.entries(src.labels)
                    .filter(([k]) => k !== 'alertname')
                    .map(([k, v]) => `${k}=${v}`)
                    .join(' ')}
                </span>
              </>
            ) : (
              <code>{fp}</code>
            )}
          </li>
        );
      })}
      {mutedBy.map((reason, i) => (
        <li key={`m${i}`}>
          <span className="wk-al-reason-kind">Muted</span> {reason}
        </li>
      ))}
    </ul>
  );
}

function PendingGroupCard({
  group,
  holdSec,
  nowMs,
}: {
  group: PendingGroup;
  holdSec: number | undefined;
  nowMs: number;
}) {
  const first = group.alerts[0]!;
  const active = Date.parse(first.activeAt);
  const firesAt = holdSec !== undefined && !Number.isNaN(active) ? active + holdSec * 1000 : undefined;
  const summaries = new Set(group.alerts.map((a) => a.annotations['summary'] ?? ''));
  const summary = summaries.size === 1 ? [...summaries][0] : undefined;
  const single = group.alerts.length === 1;
  return (
    <li className={`wk-al-pending-row ${severityClass(group.severity)}`}>
      <div className="wk-al-alert-title">
        <span className={`wk-al-dot wk-al-dot-${group.severity}`} aria-hidden="true" />
        <strong>{group.alertname}</strong>
        <SeverityBadge labels={first.labels} />
        <span className="wk-al-state wk-al-state-pending">pending</span>
        {!single && <span className="wk-al-count">×{group.alerts.length}</span>}
      </div>
      {summary && <p className="wk-al-summary">{summary}</p>}
      <p className="wk-al-meta">
        {single ? 'active' : 'oldest active'} {Number.isNaN(active) ? first.activeAt : humanDuration(nowMs - active)}
        {holdSec !== undefined && ` of ${humanDuration(holdSec * 1000)}`}
        {firesAt !== undefined &&
          (firesAt > nowMs
            ? ` · fires in ${humanDuration(firesAt - nowMs)} if it holds`
            : ' · fires at the next evaluation')}
        {single && (
          <>
            {' · value '}
            <code title={first.value}>{readableValue(first.value)}</code>
          </>
        )}
      </p>
      <LabelChips labels={single ? first.labels : group.common} hide={['alertname', 'severity']} />
      {!single && (
        <details className="wk-al-details">
          <summary>{group.alerts.length} alerts</summary>
          <ul className="wk-al-instances">
            {group.alerts.map((a, i) => {
              const own = Object.fromEntries(Object.entries(a.labels).filter(([k]) => !(k in group.common)));
              const t = Date.parse(a.activeAt);
              return (
                <li key={i}>
                  <LabelChips labels={own} />
                  <span className="wk-al-muted">
                    active {Number.isNaN(t) ? a.activeAt : humanDuration(nowMs - t)} · value{' '}
                    <code title={a.value}>{readableValue(a.value)}</code>
                  </span>
                </li>
              );
            })}
          </ul>
        </details>
      )}
    </li>
  );
}
