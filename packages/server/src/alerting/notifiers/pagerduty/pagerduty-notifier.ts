/**
 * PagerDuty: Events API v2 as Alertmanager 0.25 sends it (`routing_key`), or the v1 generic events
 * API (`service_key`). `dedup_key` (v1: `incident_key`) is the SHA-256 of the group key, so one
 * aggregation group is one PagerDuty alert; `event_action` is `trigger` while an alert fires,
 * `resolve` when all are resolved, and — Watchkeeper's addition — `acknowledge` when the context
 * says the group's escalation was acknowledged. An acknowledge link goes into v2's `links`.
 */
import { createHash } from 'node:crypto';
import type { PagerdutyConfig } from '../../config/receivers.js';
import { encodeGoJsonLine, goMap, type GoJsonValue } from '../go-json.js';
import {
  addHttpConfigSecrets,
  assertSupportedHttpConfig,
  postJson,
  readSecretFile,
  type HttpNotifierDeps,
} from '../http-client.js';
import type { Notifier, NotifyContext, NotifyOutcome } from '../notifier.js';
import {
  OK,
  TemplateRenderer,
  failed,
  neverThrow,
  prepareAlerts,
  templateData,
  templateFailed,
  truncateRunes,
} from '../render.js';
import { SecretMasker, redactUrl } from '../secrets.js';

/** PagerDuty's v1 generic events endpoint (Alertmanager's fixed `apiV1`). */
export const PAGERDUTY_V1_URL = 'https://events.pagerduty.com/generic/2010-04-15/create_event.json';
/** PagerDuty's limit for one event, in bytes; beyond it the custom details are replaced. */
const MAX_EVENT_BYTES = 512_000;
const MAX_SUMMARY_RUNES = 1024;
const DETAILS_REMOVED = 'Custom details have been removed because the original event exceeds the maximum size of 512KB';

export type PagerdutyEventAction = 'trigger' | 'acknowledge' | 'resolve';

export interface PagerdutyNotifierDeps extends HttpNotifierDeps {
  /** Where v1 events go. @default PAGERDUTY_V1_URL */
  readonly pagerdutyV1URL?: string;
}

/** Alertmanager's dedup key: the hex SHA-256 of the group key. */
export function pagerdutyDedupKey(groupKey: string): string {
  return createHash('sha256').update(groupKey, 'utf8').digest('hex');
}

/** The event action for a notification. */
export function pagerdutyEventAction(status: 'firing' | 'resolved', acknowledged: boolean): PagerdutyEventAction {
  if (status === 'resolved') return 'resolve';
  return acknowledged ? 'acknowledge' : 'trigger';
}

/** PagerDuty's 400 body as Alertmanager reports it: `message: error,error`. */
function errorDetails(status: number, body: string): string {
  if (status !== 400) return body.trim().slice(0, 512).replace(/\s+/g, ' ');
  try {
    const parsed = JSON.parse(body) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(parsed.errors) ? parsed.errors.map(String).join(',') : '';
    return `${typeof parsed.message === 'string' ? parsed.message : ''}: ${errors}`;
  } catch {
    return '';
  }
}

type Encodable = { [field: string]: GoJsonValue | undefined };

function encodeWithinLimit(msg: Encodable, replaceDetails: (m: Encodable) => void): string {
  const body = encodeGoJsonLine(msg);
  if (Buffer.byteLength(body, 'utf8') <= MAX_EVENT_BYTES) return body;
  replaceDetails(msg);
  return encodeGoJsonLine(msg);
}

export class PagerdutyNotifier implements Notifier {
  readonly kind = 'pagerduty' as const;
  readonly sendResolved: boolean;
  private readonly masker: SecretMasker;
  private readonly v1: boolean;

  /** @throws NotifierSetupError for an `http_config` the notifiers cannot honour. */
  constructor(
    private readonly config: PagerdutyConfig,
    /** Position among the receiver's pagerduty_configs. */
    readonly index: number,
    private readonly deps: PagerdutyNotifierDeps,
    path = `pagerduty_configs.${index}`,
  ) {
    assertSupportedHttpConfig(config.http_config, `${path}.http_config`);
    this.sendResolved = config.send_resolved;
    this.v1 = config.service_key !== '' || config.service_key_file !== '';
    this.masker = addHttpConfigSecrets(new SecretMasker(), config.http_config).add(
      config.routing_key,
      config.service_key,
    );
  }

  notify(ctx: NotifyContext): Promise<NotifyOutcome> {
    return neverThrow(this.kind, this.masker, async () => {
      const prepared = prepareAlerts(ctx, this.sendResolved);
      if (!prepared) return OK;
      const r = new TemplateRenderer(ctx.templates, templateData(ctx, prepared.alerts));
      const action = pagerdutyEventAction(prepared.status, ctx.acknowledged === true);
      const c = this.config;

      const details = new Map<string, string>();
      for (const [k, v] of goMap(c.details)) {
        const rendered = ctx.templates.executeText(v, r.data);
        if (!rendered.ok) return templateFailed(this.kind, this.masker, `details ${JSON.stringify(k)}`, rendered.error);
        details.set(k, rendered.text);
      }

      const keyField = this.v1 ? c.service_key : c.routing_key;
      const keyFile = this.v1 ? c.service_key_file : c.routing_key_file;
      let key = r.text(keyField);
      let masker = this.masker;
      if (keyField === '' && keyFile !== '') {
        const read = await readSecretFile(this.deps, keyFile);
        if (!read.ok) return failed(this.kind, masker, false, read.error);
        key = read.value;
        masker = masker.with(key);
      }
      const dedupKey = pagerdutyDedupKey(ctx.groupKey);
      const summary = truncateRunes(r.text(c.description), MAX_SUMMARY_RUNES);

      let msg: Encodable;
      let replaceDetails: (m: Encodable) => void;
      if (this.v1) {
        msg = {
          service_key: key,
          incident_key: dedupKey,
          event_type: action,
          description: summary === '' ? undefined : summary,
          // Alertmanager's shared v1/v2 struct writes these two without omitempty.
          event_action: '',
          payload: null,
          client: action === 'trigger' ? nonEmpty(r.text(c.client)) : undefined,
          client_url: action === 'trigger' ? nonEmpty(r.text(c.client_url)) : undefined,
          details: details.size > 0 ? details : undefined,
        };
        replaceDetails = (m) => (m['details'] = new Map([['error', DETAILS_REMOVED]]));
      } else {
        const payload: Encodable = {
          summary,
          source: r.text(c.source !== '' ? c.source : c.client),
          severity: r.text(c.severity !== '' ? c.severity : 'error'),
          class: nonEmpty(r.text(c.class)),
          component: nonEmpty(r.text(c.component)),
          group: nonEmpty(r.text(c.group)),
          custom_details: details.size > 0 ? details : undefined,
        };
        const images = c.images
          .map((i) => ({ src: r.text(i.src), alt: r.text(i.alt), href: r.text(i.href) }))
          .filter((i) => i.src !== '');
        const links = c.links.map((l) => ({ href: r.text(l.href), text: r.text(l.text) })).filter((l) => l.href !== '');
        if (ctx.acknowledgeURL !== undefined && ctx.acknowledgeURL !== '') {
          links.push({ href: ctx.acknowledgeURL, text: 'Acknowledge in Watchkeeper' });
        }
        msg = {
          routing_key: nonEmpty(key),
          dedup_key: dedupKey,
          event_action: action,
          payload,
          client: nonEmpty(r.text(c.client)),
          client_url: nonEmpty(r.text(c.client_url)),
          images: images.length > 0 ? images : undefined,
          links: links.length > 0 ? links : undefined,
        };
        replaceDetails = () => (payload['custom_details'] = new Map([['error', DETAILS_REMOVED]]));
      }
      if (r.error) return templateFailed(this.kind, masker, `the PagerDuty ${this.v1 ? 'v1' : 'v2'} message`, r.error);
      if (key === '') return failed(this.kind, masker, false, `${this.v1 ? 'service' : 'routing'} key cannot be empty`);

      const url = this.v1 ? (this.deps.pagerdutyV1URL ?? PAGERDUTY_V1_URL) : (c.url ?? '');
      return postJson(this.deps, {
        kind: this.kind,
        url,
        displayUrl: displayUrl(url),
        body: encodeWithinLimit(msg, replaceDetails),
        httpConfig: c.http_config,
        signal: ctx.signal,
        masker,
        errorDetails,
        retryStatuses: this.v1 ? [403] : [],
      });
    });
  }
}

const nonEmpty = (s: string): string | undefined => (s === '' ? undefined : s);

/** PagerDuty's endpoint is not secret (the key is in the body); other URLs show their host only. */
function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.username === '' && u.password === '' && u.search === '' ? u.href : redactUrl(url);
  } catch {
    return redactUrl(url);
  }
}
