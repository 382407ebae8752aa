/**
 * Where alerts go after each evaluation: an AlertSink receives Alertmanager API v2 postable
 * alerts, built as Prometheus's sendAlerts builds them (`startsAt` when the alert fired, `endsAt`
 * its resolution or `now + 4 × max(interval, resend delay)`, `generatorURL` a graph link to the
 * rule's expression, external labels added where the alert does not set them).
 */
import type { Alert } from './alerting-rule.js';
import { formatRfc3339 } from './go-format.js';
import { pairsToRecord } from './rule.js';

/** Alertmanager API v2's postable alert (`POST /api/v2/alerts` body items). Times are RFC 3339. */
export interface PostableAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
}

/**
 * Receives the alerts the rule manager sends after each evaluation of an alerting rule (never an
 * empty list). The in-process dispatcher implements it; `AlertmanagerSink` posts to external
 * Alertmanagers. A rejection is logged and does not stop evaluation; a sink that may be slow
 * should queue and return.
 */
export interface AlertSink {
  send(alerts: readonly PostableAlert[]): void | Promise<void>;
}

/** Go's url.QueryEscape: spaces as `+`, everything but `A-Za-z0-9-_.~` percent-encoded. */
export function goQueryEscape(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Prometheus's generator URL for a rule: `<external URL>/graph?g0.expr=<expr>&g0.tab=1`. */
export function generatorURL(externalURL: string, expr: string): string {
  return `${externalURL.replace(/\/$/, '')}/graph?g0.expr=${goQueryEscape(expr)}&g0.tab=1`;
}

/** Converts a rule's alerts into postable alerts (Prometheus's sendAlerts and the notifier's external labels). */
export function toPostableAlerts(
  alerts: readonly Alert[],
  expr: string,
  externalURL: string,
  externalLabels: Readonly<Record<string, string>>,
): PostableAlert[] {
  return alerts.map((a) => {
    const labels = a.labels.toRecord();
    for (const [k, v] of Object.entries(externalLabels)) if (labels[k] === undefined && v !== '') labels[k] = v;
    const endsAtMs = a.resolvedAtMs ?? a.validUntilMs ?? a.firedAtMs ?? a.activeAtMs;
    return {
      labels,
      annotations: pairsToRecord(a.annotations),
      startsAt: formatRfc3339(a.firedAtMs ?? a.activeAtMs),
      endsAt: formatRfc3339(endsAtMs),
      generatorURL: generatorURL(externalURL, expr),
    };
  });
}
