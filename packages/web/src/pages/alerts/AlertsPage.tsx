/**
 * Alerts: what fires and what is pending (rule state and Alertmanager's groups, receivers and
 * silenced / inhibited / muted state), incidents with their escalation and acknowledgement, and
 * silences. The tab is in the URL (`/alerts?tab=incidents`) so a notification can link to it.
 * Write actions (silence, expire, acknowledge) appear only with `alerts:write`.
 */
import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useAuth } from '../../auth';
import { fetchAlertGroups, fetchIncidents, fetchRuleAlerts, fetchRuleHoldDurations, fetchSilences } from './alerts-api';
import { AlertsSection } from './AlertsSection';
import { displayState, distinctAlerts, pendingAlerts } from './grouping';
import { useNow, usePolled } from './hooks';
import { IncidentsSection, type IncidentFilter } from './IncidentsSection';
import { matchersFromLabels } from './silence';
import { SilenceForm } from './SilenceForm';
import { SilencesSection } from './SilencesSection';
import type { AmAlert, SilenceMatcher } from './types';
import './alerts.css';

type Tab = 'alerts' | 'incidents' | 'silences';
const TABS: Tab[] = ['alerts', 'incidents', 'silences'];
const POLL_MS = 15_000;

export function AlertsPage() {
  const { me, can } = useAuth();
  const canWrite = can('alerts:write');
  const currentUser = me && me.kind !== 'anonymous' ? me.name : '';
  const [params, setParams] = useSearchParams();
  const tabParam = params.get('tab') as Tab | null;
  const tab: Tab = tabParam && TABS.includes(tabParam) ? tabParam : 'alerts';
  const incidentFilter = (params.get('incidents') as IncidentFilter | null) ?? 'open';
  const highlightSilence = params.get('silence') ?? undefined;
  // Re-render every 10 s for the relative times; each render reads the clock afresh.
  useNow(10_000);
  // eslint-disable-next-line react-hooks/purity -- deliberate: times relative to now, also right after new data
  const nowMs = Date.now();

  const groups = usePolled(fetchAlertGroups, POLL_MS);
  const ruleAlerts = usePolled(fetchRuleAlerts, POLL_MS);
  const holds = usePolled(fetchRuleHoldDurations, 60_000);
  const silences = usePolled(fetchSilences, 30_000);
  const fetchIncidentList = useCallback(
    (signal: AbortSignal) => fetchIncidents(incidentFilter, signal),
    [incidentFilter],
  );
  const incidents = usePolled(fetchIncidentList, POLL_MS, incidentFilter);
  // The tab's badge counts escalating (unacknowledged) incidents whatever the filter shows.
  const escalatingIncidents = usePolled(
    useCallback((signal: AbortSignal) => fetchIncidents('triggered', signal), []),
    POLL_MS,
  );

  const [silenceDraft, setSilenceDraft] = useState<SilenceMatcher[] | null>(null);
  const [notice, setNotice] = useState<string>();

  const all = useMemo(() => distinctAlerts(groups.data ?? []), [groups.data]);
  const notifying = all.filter((a) => displayState(a) === 'firing').length;
  const pendingCount = pendingAlerts(ruleAlerts.data ?? []).length;
  const activeSilences = (silences.data ?? []).filter((s) => s.status.state === 'active').length;
  const escalating = escalatingIncidents.data?.length ?? 0;

  const setTab = (t: Tab, extra: Record<string, string | undefined> = {}) => {
    const next = new URLSearchParams(params);
    next.delete('silence');
    if (t === 'alerts') next.delete('tab');
    else next.set('tab', t);
    for (const [k, v] of Object.entries(extra)) {
      if (v === undefined) next.delete(k);
      else next.set(k, v);
    }
    setParams(next);
  };

  const refreshAll = () => {
    groups.reload();
    ruleAlerts.reload();
    silences.reload();
    incidents.reload();
    escalatingIncidents.reload();
  };

  const updated = [groups.updatedAtMs, silences.updatedAtMs, incidents.updatedAtMs].filter(
    (x): x is number => x !== undefined,
  );
  const updatedAt = updated.length > 0 ? Math.min(...updated) : undefined;
  const loading = groups.loading || ruleAlerts.loading || silences.loading || incidents.loading;

  return (
    <div className="wk-alerts">
      <div className="wk-al-head">
        <h1 className="wk-al-title">Alerts</h1>
        <p className="wk-al-summaryline" aria-live="polite">
          {groups.data === undefined ? (
            <span>– firing</span>
          ) : (
            <span className={notifying > 0 ? 'wk-al-sum-bad' : all.length === 0 ? 'wk-al-sum-ok' : undefined}>
              {all.length} firing{all.length > notifying && ` (${all.length - notifying} silenced or muted)`}
            </span>
          )}
          <span>{known(ruleAlerts.data, pendingCount)} pending</span>
          <span className={escalating > 0 ? 'wk-al-sum-bad' : undefined}>
            {known(escalatingIncidents.data, escalating)} escalating
          </span>
          <span>
            {known(silences.data, activeSilences)} active silence{activeSilences === 1 ? '' : 's'}
          </span>
        </p>
        <div className="wk-al-refresh">
          <span className="wk-al-muted">
            {loading ? 'Refreshing…' : updatedAt ? `Updated ${new Date(updatedAt).toLocaleTimeString()}` : ''}
          </span>
          <button type="button" className="wk-al-btn wk-al-btn-small" onClick={refreshAll} disabled={loading}>
            Refresh
          </button>
        </div>
      </div>

      {escalating > 0 && tab !== 'incidents' && (
        <button type="button" className="wk-al-banner" onClick={() => setTab('incidents', { incidents: undefined })}>
          <strong>
            {escalating} incident{escalating === 1 ? ' is' : 's are'} escalating
          </strong>{' '}
          and not acknowledged. Open incidents →
        </button>
      )}
      {notice && (
        <div className="wk-al-notice" role="status">
          {notice}
          <button type="button" className="wk-al-close" aria-label="Dismiss" onClick={() => setNotice(undefined)}>
            ×
          </button>
        </div>
      )}

      <nav className="wk-al-tabs" role="tablist" aria-label="Alerts sections">
        <TabButton
          tab="alerts"
          current={tab}
          onSelect={setTab}
          label="Firing & pending"
          short="Alerts"
          count={groups.data && ruleAlerts.data ? all.length + pendingCount : undefined}
        />
        <TabButton
          tab="incidents"
          current={tab}
          onSelect={setTab}
          label="Incidents"
          count={escalatingIncidents.data ? escalating : undefined}
          alert={escalating > 0}
        />
        <TabButton
          tab="silences"
          current={tab}
          onSelect={setTab}
          label="Silences"
          count={silences.data ? activeSilences : undefined}
        />
      </nav>

      {tab === 'alerts' && (
        <AlertsSection
          groups={groups}
          ruleAlerts={ruleAlerts}
          holdDurations={holds.data}
          silences={silences.data}
          nowMs={nowMs}
          canWrite={canWrite}
          onSilence={(a: AmAlert) => setSilenceDraft(matchersFromLabels(a.labels))}
          onShowSilence={(id) => setTab('silences', { silence: id })}
        />
      )}
      {tab === 'incidents' && (
        <IncidentsSection
          incidents={incidents}
          filter={incidentFilter}
          onFilter={(f) => setTab('incidents', { incidents: f === 'open' ? undefined : f })}
          nowMs={nowMs}
          canWrite={canWrite}
          currentUser={currentUser}
          onChanged={() => {
            incidents.reload();
            escalatingIncidents.reload();
          }}
        />
      )}
      {tab === 'silences' && (
        <SilencesSection
          silences={silences}
          alerts={all}
          nowMs={nowMs}
          canWrite={canWrite}
          highlightId={highlightSilence}
          onNew={() => setSilenceDraft([])}
          onExpired={() => {
            silences.reload();
            groups.reload();
            setNotice('Silence expired.');
          }}
        />
      )}

      {silenceDraft && (
        <SilenceForm
          initialMatchers={silenceDraft}
          alerts={all}
          currentUser={currentUser}
          onClose={() => setSilenceDraft(null)}
          onCreated={(id) => {
            setSilenceDraft(null);
            setNotice(`Silence ${id.slice(0, 8)} created.`);
            silences.reload();
            groups.reload();
          }}
        />
      )}
    </div>
  );
}

/** A count, or a dash while its data is not loaded. */
function known(data: unknown, n: number): string {
  return data === undefined ? '–' : String(n);
}

function TabButton({
  tab,
  current,
  onSelect,
  label,
  short,
  count,
  alert = false,
}: {
  tab: Tab;
  current: Tab;
  onSelect: (t: Tab) => void;
  label: string;
  /** The label on phones. */
  short?: string;
  /** Undefined while unknown (loading, or the request failed). */
  count: number | undefined;
  alert?: boolean;
}) {
  return (
    <button
      type="button"
      role="tab"
      aria-selected={tab === current}
      className={`wk-al-tab${tab === current ? ' wk-al-tab-active' : ''}`}
      onClick={() => onSelect(tab)}
    >
      {short ? (
        <>
          <span className="wk-al-tab-long">{label}</span>
          <span className="wk-al-tab-short">{short}</span>
        </>
      ) : (
        label
      )}
      {count !== undefined && (
        <>
          {' '}
          <span className={`wk-al-count${alert ? ' wk-al-count-alert' : ''}`}>{count}</span>
        </>
      )}
    </button>
  );
}
