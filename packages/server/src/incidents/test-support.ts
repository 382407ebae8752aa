/**
 * For the tests of incidents/ and http/: receivers that record what they are sent (an in-memory
 * implementation of the NotifyReceiver and AcknowledgePagerDuty ports) and the plan's escalation
 * configuration.
 */
import { createHash } from 'node:crypto';
import { resolveConfig, type ResolvedConfig } from '../config/index.js';
import type { IncidentAlert, NotifyReceiver, NotifyReceiverResult, RouteGroup, RoutingPort } from './ports.js';

export interface ReceivedNotification {
  receiver: string;
  atMs: number;
  status: 'firing' | 'resolved';
  alertnames: string[];
  level?: number;
  acknowledgeURL?: string;
  acknowledged?: boolean;
  groupKey?: string;
  integrations?: readonly string[];
}

/**
 * Records notifications. Receivers named `pagerduty*` have a PagerDuty integration, the others a
 * webhook; a receiver in `failing` fails, one in `unknown` does not exist (the dispatcher throws).
 */
export class CapturingReceivers {
  readonly sent: ReceivedNotification[] = [];
  readonly failing = new Set<string>();
  readonly unknown = new Set<string>();

  constructor(private readonly nowMs: () => number) {}

  readonly notify: NotifyReceiver = async (receiver, alerts, options): Promise<NotifyReceiverResult> => {
    if (this.unknown.has(receiver)) throw new Error(`unknown receiver "${receiver}"`);
    const firing = alerts.some((a) => a.status === 'firing');
    this.sent.push({
      receiver,
      atMs: this.nowMs(),
      status: firing ? 'firing' : 'resolved',
      alertnames: alerts.map((a) => a.labels.alertname ?? ''),
      ...(options.escalationLevel !== undefined && { level: options.escalationLevel }),
      ...(options.acknowledgeURL !== undefined && { acknowledgeURL: options.acknowledgeURL }),
      ...(options.acknowledged !== undefined && { acknowledged: options.acknowledged }),
      ...(options.groupKey !== undefined && { groupKey: options.groupKey }),
      ...(options.integrations !== undefined && { integrations: options.integrations }),
    });
    const integration = receiver.startsWith('pagerduty') ? 'pagerduty' : 'webhook';
    if (this.failing.has(receiver)) {
      return { ok: false, integrations: [{ integration, index: 0, outcome: 'failed', error: 'HTTP 503' }] };
    }
    return { ok: true, integrations: [{ integration, index: 0, outcome: 'sent' }] };
  };

  /** Acknowledgement announcements (PagerDuty `acknowledge`): receiver and dedup_key. */
  get pagerDutyAcks(): { receiver: string; dedupKey: string; atMs: number }[] {
    return this.sent
      .filter((s) => s.acknowledged === true)
      .map((s) => ({ receiver: s.receiver, dedupKey: sha256(s.groupKey ?? ''), atMs: s.atMs }));
  }

  /** Receivers sent a firing notification at `level` (not acknowledgements), sorted. */
  firingAt(level: number): string[] {
    return this.sent
      .filter((s) => s.status === 'firing' && s.level === level && s.acknowledged !== true)
      .map((s) => s.receiver)
      .sort();
  }

  resolvedTo(): string[] {
    return this.sent
      .filter((s) => s.status === 'resolved')
      .map((s) => s.receiver)
      .sort();
  }

  /** The dedup_key PagerDuty got from `receiver` (SHA-256 of the group key). */
  dedupKeyOf(receiver: string): string {
    const s = this.sent.find((n) => n.receiver === receiver && n.groupKey !== undefined);
    if (!s) throw new Error(`nothing was sent to ${receiver}`);
    return sha256(s.groupKey!);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The plan's section 7.2 policies, with named targets mapped to receivers. */
export const PLAN_ESCALATION = {
  targets: {
    oncall_revenue_primary: ['pagerduty_revenue', 'sms_oncall'],
    oncall_revenue_secondary: 'sms_revenue_secondary',
    revenue_manager: 'email_revenue_manager',
    cto: 'sms_cto',
    ceo: 'email_ceo',
    oncall_primary: 'pagerduty_primary',
    oncall_secondary: 'sms_secondary',
    team_lead: 'slack_team_lead',
    engineering_manager: 'email_engineering_manager',
  },
  policies: {
    revenue_critical: {
      matchers: ['severity="critical"', 'team="revenue"'],
      levels: [
        { level: 1, delay: '0m', targets: ['oncall_revenue_primary'] },
        { level: 2, delay: '5m', targets: ['oncall_revenue_secondary', 'revenue_manager'] },
        { level: 3, delay: '15m', targets: ['cto', 'ceo'] },
      ],
    },
    standard_critical: {
      match: { severity: 'critical' },
      levels: [
        { level: 1, delay: '0m', targets: ['oncall_primary'] },
        { level: 2, delay: '10m', targets: ['oncall_secondary', 'team_lead'] },
        { level: 3, delay: '30m', targets: ['engineering_manager'] },
      ],
    },
  },
};

/** The plan's section 7.3 rules, with the maintenance window written as 02:00–03:59. */
export function planSuppressionRules(timezone: string): unknown[] {
  return [
    { name: 'Maintenance window', schedule: '* 2-3 * * SUN', timezone, suppress: ['non-critical'] },
    {
      name: 'Known flaky service',
      condition: { service: 'legacy-integration', severity: 'warning' },
      suppress_duration: '5m',
      max_suppressions: 3,
    },
    {
      name: 'Cascade prevention',
      condition: { alert: 'DatabaseDown' },
      suppress: ['APIError', 'SyncFailure'],
      duration: '30m',
    },
  ];
}

export function planConfig(extra: Record<string, unknown> = {}, timezone = 'UTC'): ResolvedConfig {
  return resolveConfig(
    { escalation: PLAN_ESCALATION, suppression_rules: planSuppressionRules(timezone), ...extra },
    'test.yml',
  );
}

let nextFingerprint = 1;

/** A firing alert with a fresh fingerprint (or the given one). */
export function firing(
  labels: Record<string, string>,
  startsAtMs: number,
  fingerprint = `fp${nextFingerprint++}`,
): IncidentAlert {
  return { fingerprint, labels, annotations: { summary: `${labels.alertname} fires` }, status: 'firing', startsAtMs };
}

export function resolved(alert: IncidentAlert, endsAtMs: number): IncidentAlert {
  return { ...alert, status: 'resolved', endsAtMs };
}

/**
 * A routing tree for tests: each route sends the alerts whose labels include `match` to its
 * receiver, grouped by alertname; `notify` records what the dispatcher would have notified.
 */
export class FakeRouting implements RoutingPort {
  private readonly notified = new Map<string, string[]>();
  /** Receivers whose route is in a mute time interval. */
  readonly timeMuted = new Set<string>();

  constructor(private readonly routes: readonly { match: Record<string, string>; receiver: string }[]) {}

  groupsFor(labels: Readonly<Record<string, string>>): RouteGroup[] {
    return this.routes
      .filter((r) => Object.entries(r.match).every(([k, v]) => labels[k] === v))
      .map((r) => ({
        receiver: r.receiver,
        groupKey: FakeRouting.groupKey(r.receiver, labels['alertname'] ?? ''),
        timeMuted: this.timeMuted.has(r.receiver),
      }));
  }

  notifiedIntegrations(receiver: string, groupKey: string): string[] {
    return this.notified.get(`${receiver}\u0000${groupKey}`) ?? [];
  }

  /** The route's group of `alertname` notified `receiver` (PagerDuty integration for `pagerduty*`). */
  notify(receiver: string, alertname: string): void {
    const kind = receiver.startsWith('pagerduty') ? 'pagerduty' : 'webhook';
    this.notified.set(`${receiver}\u0000${FakeRouting.groupKey(receiver, alertname)}`, [kind]);
  }

  static groupKey(receiver: string, alertname: string): string {
    return `{}/route-${receiver}:{alertname="${alertname}"}`;
  }

  static dedupKey(receiver: string, alertname: string): string {
    return sha256(FakeRouting.groupKey(receiver, alertname));
  }
}
