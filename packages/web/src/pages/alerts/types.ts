/** The JSON shapes the alerts page reads (Prometheus, Alertmanager API v2, Watchkeeper incidents). */

export type LabelSet = Record<string, string>;

/** `GET /api/v1/alerts`: alerts of the alerting rules, pending or firing. */
export interface RuleAlert {
  labels: LabelSet;
  annotations: LabelSet;
  state: 'pending' | 'firing' | 'inactive';
  activeAt: string;
  keepFiringSince?: string;
  value: string;
}

/** `GET /api/v1/rules?type=alert`: enough of each alerting rule for the pending alerts' hold time. */
export interface AlertingRuleSummary {
  name: string;
  /** The rule's `for`, in seconds. */
  duration: number;
  type: 'alerting' | 'recording';
}

/** Alertmanager API v2's GettableAlert (plus Watchkeeper's `status.mutedBy`). */
export interface AmAlert {
  annotations: LabelSet;
  labels: LabelSet;
  fingerprint: string;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  generatorURL?: string;
  receivers: { name: string }[];
  status: {
    state: 'active' | 'suppressed' | 'unprocessed';
    silencedBy: string[];
    inhibitedBy: string[];
    mutedBy?: string[];
  };
}

/** `GET /api/v2/alerts/groups`. */
export interface AmAlertGroup {
  labels: LabelSet;
  receiver: { name: string };
  alerts: AmAlert[];
}

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export type SilenceState = 'active' | 'pending' | 'expired';

/** `GET /api/v2/silences`. */
export interface Silence {
  id: string;
  status: { state: SilenceState };
  updatedAt: string;
  comment: string;
  createdBy: string;
  startsAt: string;
  endsAt: string;
  matchers: SilenceMatcher[];
}

export interface PostableSilence {
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export type IncidentState = 'triggered' | 'acknowledged' | 'resolved';

export interface IncidentHistoryEntry {
  at: string;
  kind: string;
  level?: number;
  cycle?: number;
  targets?: string[];
  receivers?: string[];
  routed?: string[];
  receiver?: string;
  fingerprint?: string;
  by?: string;
  via?: string;
  detail?: string;
}

/** `GET /api/wk/incidents`: incidents/'s IncidentView. */
export interface Incident {
  id: number;
  key: string;
  policy: string;
  groupLabels: LabelSet;
  state: IncidentState;
  level: number;
  cycle: number;
  startsAt: string;
  nextEscalation: { level: number; cycle: number; at: string } | null;
  acknowledged: { at: string; by: string; via: string; comment?: string } | null;
  resolvedAt: string | null;
  alerts: {
    fingerprint: string;
    status: 'firing' | 'resolved';
    labels: LabelSet;
    annotations: LabelSet;
    startsAt: string;
    endsAt?: string;
    generatorURL?: string;
  }[];
  notified: { receiver: string; level: number; at: string }[];
  history: IncidentHistoryEntry[];
}
