/**
 * The one interface every notifier implements (webhook, Slack, PagerDuty, email, SMS), as
 * Alertmanager's `notify.Notifier`: one call per notification of an aggregation group to one
 * integration of a receiver. The dispatcher's pipeline (silences, inhibition, time intervals,
 * de-duplication, retries with backoff, counting) wraps it; a notifier only renders and sends.
 */
import type { AlertmanagerTemplates, NotificationAlert } from '../../template/index.js';

export type IntegrationKind = 'webhook' | 'slack' | 'pagerduty' | 'email' | 'sms';

export interface NotifyContext {
  /** The receiver's name (alertmanager.yml `receivers[].name`). */
  readonly receiver: string;
  /** The aggregation group's key (Alertmanager's `{}/{...}:{...}`); PagerDuty's default dedup_key hashes it. */
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  /** Firing and resolved alerts of the group (resolved only when the integration sends them). */
  readonly alerts: readonly NotificationAlert[];
  /** Where Watchkeeper is reached (links in messages). */
  readonly externalURL: string;
  /** The configured template files, for the integration's text fields. */
  readonly templates: AlertmanagerTemplates;
  /** Aborts the attempt (timeout or shutdown). */
  readonly signal: AbortSignal;
  /** Unix ms, from the dispatcher's clock. */
  readonly nowMs: number;
  /**
   * Watchkeeper extensions (issue 5): a link that acknowledges the notification's alerts, and the
   * escalation level that sends it (undefined: not escalated).
   */
  readonly acknowledgeURL?: string;
  readonly escalationLevel?: number;
  /**
   * Watchkeeper extension: the group's escalation was acknowledged and this notification says so.
   * PagerDuty sends `event_action: acknowledge` (while alerts still fire); the webhook adds
   * `"acknowledged": true`; the other integrations send their usual message.
   */
  readonly acknowledged?: boolean;
}

export type NotifyOutcome =
  | { readonly ok: true }
  /** `retry`: worth another attempt (network error, 5xx, 429); false for 4xx and rendering errors. */
  | { readonly ok: false; readonly retry: boolean; readonly error: string };

export interface Notifier {
  readonly kind: IntegrationKind;
  /** The integration's `send_resolved`. */
  readonly sendResolved: boolean;
  /** Never throws: every failure is an outcome. Must not log or return secrets (URLs with keys, passwords). */
  notify(ctx: NotifyContext): Promise<NotifyOutcome>;
}
