/** Self-metrics of escalation and suppression (prom-client), registered on the server's registry. */
import { Counter, type Registry } from 'prom-client';

export interface IncidentsMetrics {
  opened: Counter<'policy'>;
  /** One per level run that notified (not per receiver). */
  escalations: Counter<'policy' | 'level'>;
  /** Levels that were due while every firing alert of the incident was muted. */
  skippedLevels: Counter<'policy' | 'level'>;
  acknowledged: Counter<'policy' | 'via'>;
  resolved: Counter<'policy'>;
  notifications: Counter<'receiver' | 'kind' | 'result'>;
  /** Decisions of suppression rules, once per rule, alert occurrence and outcome: muted or notified. */
  suppressionDecisions: Counter<'rule' | 'kind' | 'decision'>;
  pagerDutyWebhooks: Counter<'result'>;
  acknowledgeLinks: Counter<'result'>;
}

/** Creates the counters; without a registry they count but are not exposed (tests). */
export function createIncidentsMetrics(registry?: Registry): IncidentsMetrics {
  const registers = registry ? [registry] : [];
  return {
    opened: new Counter({
      name: 'watchkeeper_incidents_opened_total',
      help: 'Incidents opened, by escalation policy.',
      labelNames: ['policy'],
      registers,
    }),
    escalations: new Counter({
      name: 'watchkeeper_incidents_escalations_total',
      help: 'Escalation levels that notified their targets, by policy and level.',
      labelNames: ['policy', 'level'],
      registers,
    }),
    skippedLevels: new Counter({
      name: 'watchkeeper_incidents_skipped_levels_total',
      help: 'Escalation levels not sent because every firing alert of the incident was muted.',
      labelNames: ['policy', 'level'],
      registers,
    }),
    acknowledged: new Counter({
      name: 'watchkeeper_incidents_acknowledged_total',
      help: 'Incidents acknowledged, by policy and channel (api, link, pagerduty).',
      labelNames: ['policy', 'via'],
      registers,
    }),
    resolved: new Counter({
      name: 'watchkeeper_incidents_resolved_total',
      help: 'Incidents resolved, by policy.',
      labelNames: ['policy'],
      registers,
    }),
    notifications: new Counter({
      name: 'watchkeeper_incidents_notifications_total',
      help: 'Notifications sent by escalation (kind: firing, resolved, pagerduty_acknowledge), by result.',
      labelNames: ['receiver', 'kind', 'result'],
      registers,
    }),
    suppressionDecisions: new Counter({
      name: 'watchkeeper_suppression_decisions_total',
      help: 'Decisions of suppression rules, once per rule, alert occurrence and outcome (muted or notified).',
      labelNames: ['rule', 'kind', 'decision'],
      registers,
    }),
    pagerDutyWebhooks: new Counter({
      name: 'watchkeeper_pagerduty_webhooks_total',
      help: 'PagerDuty webhook deliveries, by result.',
      labelNames: ['result'],
      registers,
    }),
    acknowledgeLinks: new Counter({
      name: 'watchkeeper_incidents_acknowledge_links_total',
      help: 'Uses of acknowledgement links, by result.',
      labelNames: ['result'],
      registers,
    }),
  };
}
