/**
 * Notification contexts for notifier tests: the plan's PartsOrderingSystemDown group
 * (revenue-critical receiver), with the default templates.
 */
import type { NotificationAlert } from '../../../template/index.js';
import { createNotificationTemplates } from '../default-templates.js';
import type { NotifyContext } from '../notifier.js';

/** 2026-11-29T02:30:00Z, a Sunday inside the maintenance window of the plan. */
export const T0 = Date.UTC(2026, 10, 29, 2, 30, 0);
export const ALERTNAME = 'PartsOrderingSystemDown';
export const ACK_URL = 'http://watchkeeper.test:9800/api/wk/acknowledge/7f3c2a91e0b4';

/** A PartsOrderingSystemDown alert of `instance`. */
export function partsAlert(
  instance: string,
  status: 'firing' | 'resolved' = 'firing',
  extra: Partial<NotificationAlert> = {},
): NotificationAlert {
  return {
    status,
    labels: { alertname: ALERTNAME, service: 'parts-api', severity: 'critical', instance },
    annotations: { summary: `Parts ordering is down on ${instance}` },
    startsAtMs: T0 - 120_000,
    ...(status === 'resolved' && { endsAtMs: T0 - 1_000 }),
    generatorURL: 'http://prometheus.test:9090/graph?g0.expr=up%7Bjob%3D%22parts-api%22%7D+%3D%3D+0',
    ...extra,
  };
}

export const defaultTemplates = createNotificationTemplates();

/** A context for the group `{alertname="PartsOrderingSystemDown"}` of receiver revenue-critical. */
export function notifyContext(alerts: readonly NotificationAlert[], extra: Partial<NotifyContext> = {}): NotifyContext {
  return {
    receiver: 'revenue-critical',
    groupKey: `{}/{severity="critical"}:{alertname="${ALERTNAME}"}`,
    groupLabels: { alertname: ALERTNAME },
    alerts,
    externalURL: 'http://watchkeeper.test:9800',
    templates: defaultTemplates,
    signal: AbortSignal.timeout(10_000),
    nowMs: T0,
    ...extra,
  };
}
