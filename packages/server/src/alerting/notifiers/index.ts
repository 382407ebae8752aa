/**
 * Notifiers: one implementation of `Notifier` per integration (webhook/, slack/, pagerduty/,
 * email/, sms/), `createNotifiers` to build a receiver's, and the default notification templates.
 * See README.md.
 */
import { readFile } from 'node:fs/promises';
import type { ReceiverConfig } from '../config/receivers.js';
import { EmailNotifier } from './email/email-notifier.js';
import type { Notifier } from './notifier.js';
import { PagerdutyNotifier } from './pagerduty/pagerduty-notifier.js';
import { SlackNotifier } from './slack/slack-notifier.js';
import { SmsNotifier } from './sms/sms-notifier.js';
import { WebhookNotifier } from './webhook/webhook-notifier.js';

export type { IntegrationKind, Notifier, NotifyContext, NotifyOutcome } from './notifier.js';
export {
  DEFAULT_NOTIFICATION_TEMPLATES,
  DEFAULT_TEMPLATES_FILE,
  createNotificationTemplates,
  type TemplateFile,
} from './default-templates.js';
export { NotifierSetupError } from './errors.js';
export { EmailNotifier } from './email/email-notifier.js';
export { PAGERDUTY_V1_URL, PagerdutyNotifier, pagerdutyDedupKey } from './pagerduty/pagerduty-notifier.js';
export { SlackNotifier } from './slack/slack-notifier.js';
export { SmsNotifier, type SmsGatewayRequest } from './sms/sms-notifier.js';
export { WebhookNotifier } from './webhook/webhook-notifier.js';

/** What the notifiers take from the composition root; every member has a default. */
export interface NotifierDeps {
  /** HTTP client. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** Reads `*_file` settings (URLs, keys, passwords) at each notification. @default fs.promises.readFile (UTF-8) */
  readonly readFile?: (path: string) => Promise<string>;
  /** The User-Agent of HTTP requests. @default "Watchkeeper" */
  readonly userAgent?: string;
  /** Where PagerDuty v1 (`service_key`) events go; tests point it at a local server. @default PAGERDUTY_V1_URL */
  readonly pagerdutyV1URL?: string;
}

/** A notifier of a receiver, with its position among the receiver's configs of its kind. */
export type IntegrationNotifier = Notifier & { readonly index: number };

/** The `*_configs` of alertmanager.yml Watchkeeper delivers. */
const SUPPORTED = new Set(['webhook_configs', 'email_configs', 'pagerduty_configs', 'slack_configs', 'sms_configs']);

/**
 * One notifier per configured integration of `receiver`, in Alertmanager's order (webhook, email,
 * PagerDuty, Slack; then SMS). Integrations Watchkeeper does not deliver (OpsGenie, WeChat, ...)
 * are not included: `unsupportedIntegrations` names them, for a warning at startup.
 * @throws NotifierSetupError for settings the notifiers cannot honour (`http_config.oauth2`, `proxy_url`).
 * @example
 * const notifiers = createNotifiers(config.receiversByName.get('revenue-critical')!, { userAgent: 'Watchkeeper/0.1.0' });
 * const outcome = await notifiers[0].notify({ receiver, groupKey, groupLabels, alerts, externalURL, templates, signal, nowMs });
 */
export function createNotifiers(receiver: ReceiverConfig, deps: NotifierDeps = {}): IntegrationNotifier[] {
  const http = {
    fetch: deps.fetch ?? globalThis.fetch,
    readFile: deps.readFile ?? ((path: string) => readFile(path, 'utf8')),
    userAgent: deps.userAgent ?? 'Watchkeeper',
    ...(deps.pagerdutyV1URL !== undefined && { pagerdutyV1URL: deps.pagerdutyV1URL }),
  };
  const at = (field: string, i: number) => `receiver ${JSON.stringify(receiver.name)} ${field}.${i}`;
  return [
    ...receiver.webhook_configs.map((c, i) => new WebhookNotifier(c, i, http, at('webhook_configs', i))),
    ...receiver.email_configs.map((c, i) => new EmailNotifier(c, i, http)),
    ...receiver.pagerduty_configs.map((c, i) => new PagerdutyNotifier(c, i, http, at('pagerduty_configs', i))),
    ...receiver.slack_configs.map((c, i) => new SlackNotifier(c, i, http, at('slack_configs', i))),
    ...receiver.sms_configs.map((c, i) => new SmsNotifier(c, i, http, at('sms_configs', i))),
  ];
}

/** The configured integrations of `receiver` that Watchkeeper does not deliver (`opsgenie_configs`, ...). */
export function unsupportedIntegrations(receiver: ReceiverConfig): string[] {
  return Object.entries(receiver)
    .filter(([k, v]) => k.endsWith('_configs') && !SUPPORTED.has(k) && Array.isArray(v) && v.length > 0)
    .map(([k]) => k);
}
