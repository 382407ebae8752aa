/**
 * What every notifier does before it sends: keep the alerts the integration wants, build
 * Alertmanager's template data, render the configuration's template strings (the first error
 * fails the notification, as Alertmanager's TmplText does), and shape outcomes.
 */
import {
  notificationData,
  type AlertmanagerTemplates,
  type AmData,
  type NotificationAlert,
  type TemplateError,
} from '../../template/index.js';
import type { IntegrationKind, NotifyContext, NotifyOutcome } from './notifier.js';
import type { SecretMasker } from './secrets.js';

export interface PreparedNotification {
  /** The alerts to send: resolved ones dropped when the integration does not send them; firing ones without `endsAt`. */
  readonly alerts: readonly NotificationAlert[];
  /** `resolved` only when every alert is resolved (Alertmanager's `types.Alerts(...).Status()`). */
  readonly status: 'firing' | 'resolved';
}

/**
 * The alerts of `ctx` this integration sends, or `undefined` when there is nothing to send
 * (only resolved alerts and `send_resolved: false`). Firing alerts carry Go's zero `endsAt`, as
 * Alertmanager blanks the future end time of an active alert.
 */
export function prepareAlerts(ctx: NotifyContext, sendResolved: boolean): PreparedNotification | undefined {
  const alerts: NotificationAlert[] = [];
  for (const a of ctx.alerts) {
    if (a.status === 'resolved') {
      if (sendResolved) alerts.push(a);
    } else if (a.endsAtMs === undefined) {
      alerts.push(a);
    } else {
      alerts.push({ ...a, endsAtMs: undefined });
    }
  }
  if (alerts.length === 0) return undefined;
  return { alerts, status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved' };
}

/** Alertmanager's template data for the prepared alerts of `ctx`. */
export function templateData(ctx: NotifyContext, alerts: readonly NotificationAlert[]): AmData {
  return notificationData({
    receiver: ctx.receiver,
    groupLabels: ctx.groupLabels,
    alerts,
    externalURL: ctx.externalURL,
  });
}

/** Renders template strings against one notification's data, remembering the first error. */
export class TemplateRenderer {
  private firstError: TemplateError | undefined;

  constructor(
    private readonly templates: AlertmanagerTemplates,
    readonly data: AmData,
  ) {}

  /** ExecuteTextString; `''` once an error happened. */
  text(template: string): string {
    if (this.firstError) return '';
    const r = this.templates.executeText(template, this.data);
    if (r.ok) return r.text;
    this.firstError = r.error;
    return '';
  }

  /** ExecuteHTMLString (email bodies). */
  html(template: string): string {
    if (this.firstError) return '';
    const r = this.templates.executeHtml(template, this.data);
    if (r.ok) return r.text;
    this.firstError = r.error;
    return '';
  }

  get error(): TemplateError | undefined {
    return this.firstError;
  }
}

export const OK: NotifyOutcome = Object.freeze({ ok: true });

/** A failed outcome, its error prefixed with the integration and masked. */
export function failed(kind: IntegrationKind, masker: SecretMasker, retry: boolean, error: string): NotifyOutcome {
  return { ok: false, retry, error: masker.mask(`${kind}: ${error}`) };
}

/** A rendering failure: not worth a retry (the same templates fail the same way). */
export function templateFailed(
  kind: IntegrationKind,
  masker: SecretMasker,
  what: string,
  error: TemplateError,
): NotifyOutcome {
  return failed(kind, masker, false, `failed to render ${what}: ${error.message}`);
}

/** Runs a notifier's body so that it never throws: anything unexpected becomes a non-retried outcome. */
export async function neverThrow(
  kind: IntegrationKind,
  masker: SecretMasker,
  body: () => Promise<NotifyOutcome>,
): Promise<NotifyOutcome> {
  try {
    return await body();
  } catch (err) {
    return failed(kind, masker, false, `internal error: ${describeError(err)}`);
  }
}

/** An error's message with its causes (`fetch failed: connect ECONNREFUSED 127.0.0.1:1`). */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    const msg = e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e);
    if (msg !== '' && !parts.includes(msg)) parts.push(msg);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ') || 'unknown error';
}

/**
 * Alertmanager's notify.Truncate: at most `n` characters (runes), the last one replaced by `…`
 * when cut.
 */
export function truncateRunes(s: string, n: number): string {
  const runes = Array.from(s);
  if (runes.length <= n) return s;
  if (n <= 3) return runes.slice(0, n).join('');
  return `${runes.slice(0, n - 1).join('')}…`;
}
