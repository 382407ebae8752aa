/** Alertmanager's groups arranged for the page: by receiver, or one entry per route group. */
import type { AmAlert, AmAlertGroup, LabelSet, RuleAlert } from './types';

export type Severity = 'critical' | 'warning' | 'info' | 'none';

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2, none: 3 };

export function severityOf(labels: LabelSet): Severity {
  const s = (labels['severity'] ?? '').toLowerCase();
  if (s === 'critical' || s === 'page' || s === 'error') return 'critical';
  if (s === 'warning' || s === 'warn') return 'warning';
  if (s === 'info' || s === 'informational') return 'info';
  return 'none';
}

export function severityRank(labels: LabelSet): number {
  return SEVERITY_RANK[severityOf(labels)];
}

/** What the page says about an alert's delivery: firing, or why it is held back. */
export type AlertDisplayState = 'firing' | 'silenced' | 'inhibited' | 'muted' | 'unprocessed';

export function displayState(a: AmAlert): AlertDisplayState {
  if (a.status.silencedBy.length > 0) return 'silenced';
  if (a.status.inhibitedBy.length > 0) return 'inhibited';
  if ((a.status.mutedBy ?? []).length > 0) return 'muted';
  if (a.status.state === 'unprocessed') return 'unprocessed';
  return a.status.state === 'suppressed' ? 'muted' : 'firing';
}

export interface GroupView {
  key: string;
  /** The route group's labels (its `group_by`). */
  labels: LabelSet;
  /** The receivers this group's alerts go to. */
  receivers: string[];
  alerts: AmAlert[];
  /** The most severe alert's severity. */
  severity: Severity;
}

export interface ReceiverSection {
  receiver: string;
  groups: GroupView[];
  alertCount: number;
}

function labelKey(labels: LabelSet): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

function worst(alerts: readonly AmAlert[]): Severity {
  let best: Severity = 'none';
  for (const a of alerts) {
    const s = severityOf(a.labels);
    if (SEVERITY_RANK[s] < SEVERITY_RANK[best]) best = s;
  }
  return best;
}

function byAlertOrder(a: AmAlert, b: AmAlert): number {
  return severityRank(a.labels) - severityRank(b.labels) || Date.parse(a.startsAt) - Date.parse(b.startsAt);
}

/** Groups that notify before those whose alerts are all held back, then the most severe, then the most alerts. */
function byGroupOrder(a: GroupView, b: GroupView): number {
  const firingA = a.alerts.filter((x) => displayState(x) === 'firing').length;
  const firingB = b.alerts.filter((x) => displayState(x) === 'firing').length;
  if (firingA > 0 !== firingB > 0) return firingA > 0 ? -1 : 1;
  const s = SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
  if (s !== 0) return s;
  if (firingA !== firingB) return firingB - firingA;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * One entry per route group: Alertmanager gives a group per (route, receiver), so an alert routed
 * to PagerDuty, Slack and SMS comes three times with the same group labels; here it comes once,
 * with the three receivers.
 */
export function groupByRouteGroup(groups: readonly AmAlertGroup[]): GroupView[] {
  const byKey = new Map<string, { labels: LabelSet; receivers: Set<string>; alerts: Map<string, AmAlert> }>();
  for (const g of groups) {
    const key = labelKey(g.labels);
    let entry = byKey.get(key);
    if (!entry) {
      entry = { labels: g.labels, receivers: new Set(), alerts: new Map() };
      byKey.set(key, entry);
    }
    entry.receivers.add(g.receiver.name);
    for (const a of g.alerts) if (!entry.alerts.has(a.fingerprint)) entry.alerts.set(a.fingerprint, a);
  }
  return [...byKey.entries()]
    .map(([key, e]): GroupView => {
      const alerts = [...e.alerts.values()].sort(byAlertOrder);
      return { key, labels: e.labels, receivers: [...e.receivers].sort(), alerts, severity: worst(alerts) };
    })
    .sort(byGroupOrder);
}

/** Sections per receiver, each with its groups, the receivers with the most severe alerts first. */
export function groupByReceiver(groups: readonly AmAlertGroup[]): ReceiverSection[] {
  const sections = new Map<string, GroupView[]>();
  for (const g of groups) {
    const alerts = [...g.alerts].sort(byAlertOrder);
    const view: GroupView = {
      key: `${g.receiver.name}/${labelKey(g.labels)}`,
      labels: g.labels,
      receivers: [g.receiver.name],
      alerts,
      severity: worst(alerts),
    };
    sections.set(g.receiver.name, [...(sections.get(g.receiver.name) ?? []), view]);
  }
  return [...sections.entries()]
    .map(([receiver, gs]) => ({
      receiver,
      groups: gs.sort(byGroupOrder),
      alertCount: gs.reduce((n, g) => n + g.alerts.length, 0),
    }))
    .sort((a, b) => {
      const sa = SEVERITY_RANK[a.groups[0]?.severity ?? 'none'];
      const sb = SEVERITY_RANK[b.groups[0]?.severity ?? 'none'];
      return sa - sb || (a.receiver < b.receiver ? -1 : 1);
    });
}

/** Distinct alerts over all groups (an alert appears once per receiver in the API). */
export function distinctAlerts(groups: readonly AmAlertGroup[]): AmAlert[] {
  const seen = new Map<string, AmAlert>();
  for (const g of groups) for (const a of g.alerts) if (!seen.has(a.fingerprint)) seen.set(a.fingerprint, a);
  return [...seen.values()];
}

/** Whether any label name or value, or the summary, contains `text` (case-insensitive); empty matches all. */
export function alertMatchesText(a: { labels: LabelSet; annotations: LabelSet }, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === '') return true;
  for (const [k, v] of Object.entries(a.labels)) {
    if (`${k}=${v}`.toLowerCase().includes(t) || `${k}="${v}"`.toLowerCase().includes(t)) return true;
  }
  return (a.annotations['summary'] ?? '').toLowerCase().includes(t);
}

/** Pending rule alerts, most severe and oldest first. */
export function pendingAlerts(alerts: readonly RuleAlert[]): RuleAlert[] {
  return alerts
    .filter((a) => a.state === 'pending')
    .sort((a, b) => severityRank(a.labels) - severityRank(b.labels) || Date.parse(a.activeAt) - Date.parse(b.activeAt));
}

export interface PendingGroup {
  alertname: string;
  alerts: RuleAlert[];
  severity: Severity;
  /** The labels every alert of the group has with the same value (shown once). */
  common: LabelSet;
}

/** Pending alerts by alert name (one rule can have dozens), most severe first, then the largest. */
export function groupPending(alerts: readonly RuleAlert[]): PendingGroup[] {
  const by = new Map<string, RuleAlert[]>();
  for (const a of pendingAlerts(alerts)) {
    const name = a.labels['alertname'] ?? '';
    by.set(name, [...(by.get(name) ?? []), a]);
  }
  return [...by.entries()]
    .map(([alertname, list]): PendingGroup => {
      const common: LabelSet = { ...list[0]!.labels };
      for (const a of list.slice(1))
        for (const k of Object.keys(common)) if (a.labels[k] !== common[k]) delete common[k];
      let severity: Severity = 'none';
      for (const a of list)
        if (SEVERITY_RANK[severityOf(a.labels)] < SEVERITY_RANK[severity]) severity = severityOf(a.labels);
      return { alertname, alerts: list, severity, common };
    })
    .sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        b.alerts.length - a.alerts.length ||
        (a.alertname < b.alertname ? -1 : 1),
    );
}

/**
 * Our Explore page for an alert's `generatorURL` (Prometheus's `/graph?g0.expr=...`), so the
 * expression opens here rather than in a Prometheus UI that does not exist; undefined otherwise.
 */
export function explorePathFor(generatorURL: string | undefined): string | undefined {
  if (!generatorURL) return undefined;
  try {
    const u = new URL(generatorURL, 'http://localhost');
    const expr = u.searchParams.get('g0.expr');
    if (!u.pathname.endsWith('/graph') || !expr) return undefined;
    return `/explore?${new URLSearchParams({ query: expr, range: '1h' })}`;
  } catch {
    return undefined;
  }
}
