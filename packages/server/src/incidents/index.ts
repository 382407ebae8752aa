/**
 * Incidents: escalation policies with acknowledgement (API, signed links, PagerDuty) and
 * suppression rules (maintenance windows, flaky services, cascade prevention) as a mute stage of
 * the dispatcher. See README.md.
 */
export {
  Incidents,
  INCIDENTS_DB_FILE,
  type AckLinkOutcome,
  type IncidentsOptions,
  type PagerDutyWebhookOutcome,
} from './incidents.js';
export { IncidentNotFoundError, IncidentResolvedError, IncidentsConfigError } from './errors.js';
export { incidentDedupKey, incidentGroupKey, type IncidentView } from './escalation.js';
export type { IncidentState, AcknowledgeVia } from './store.js';
export type {
  AlertSubscription,
  IncidentAlert,
  MuteCandidate,
  MuteStage,
  NotifyReceiver,
  NotifyReceiverOptions,
  NotifyReceiverResult,
} from './ports.js';
export type { SuppressionDecision } from './suppression/engine.js';
export type { RuleStatus, SuppressionKind } from './suppression/rule.js';
export { verifyPagerDutySignature } from './pagerduty-webhook.js';
export { ACK_LINK_KEY_FILE } from './ack-links.js';
export {
  alertmanagerPorts,
  alertStoreSubscription,
  toDispatcherAlert,
  toIncidentAlert,
  type AlertmanagerParts,
} from './alertmanager-ports.js';
