/**
 * Alertmanager's notification metrics, under Alertmanager's names so that its dashboards and
 * alerts work on Watchkeeper: notifications (one per flush and integration that had something to
 * send) and requests (one per attempt), failures of each, and the latency of each attempt.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface NotificationMetrics {
  readonly notifications: Counter<'integration'>;
  readonly notificationsFailed: Counter<'integration'>;
  readonly requests: Counter<'integration'>;
  readonly requestsFailed: Counter<'integration'>;
  readonly latencySeconds: Histogram<'integration'>;
}

/** The integrations whose series exist from the start (at 0), as Alertmanager does for its own. */
const KNOWN_INTEGRATIONS = ['email', 'pagerduty', 'slack', 'sms', 'webhook'];

/** Creates the metrics in `registry` (once per registry). */
export function createNotificationMetrics(registry: Registry): NotificationMetrics {
  const registers = [registry];
  const labelNames = ['integration'] as const;
  const m: NotificationMetrics = {
    notifications: new Counter({
      name: 'alertmanager_notifications_total',
      help: 'The total number of attempted notifications.',
      labelNames,
      registers,
    }),
    notificationsFailed: new Counter({
      name: 'alertmanager_notifications_failed_total',
      help: 'The total number of failed notifications.',
      labelNames,
      registers,
    }),
    requests: new Counter({
      name: 'alertmanager_notification_requests_total',
      help: 'The total number of attempted notification requests.',
      labelNames,
      registers,
    }),
    requestsFailed: new Counter({
      name: 'alertmanager_notification_requests_failed_total',
      help: 'The total number of failed notification requests.',
      labelNames,
      registers,
    }),
    latencySeconds: new Histogram({
      name: 'alertmanager_notification_latency_seconds',
      help: 'The latency of notifications in seconds.',
      labelNames,
      buckets: [1, 5, 10, 15, 20],
      registers,
    }),
  };
  for (const integration of KNOWN_INTEGRATIONS) {
    m.notifications.inc({ integration }, 0);
    m.notificationsFailed.inc({ integration }, 0);
    m.requests.inc({ integration }, 0);
    m.requestsFailed.inc({ integration }, 0);
    m.latencySeconds.zero({ integration });
  }
  return m;
}
