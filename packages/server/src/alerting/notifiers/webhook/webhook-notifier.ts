/**
 * The generic webhook: Alertmanager's payload version 4, byte for byte as Alertmanager 0.25 POSTs
 * it, plus Watchkeeper's optional top-level `acknowledgeURL` and `acknowledged` (after
 * `truncatedAlerts`, only when set: consumers of version 4 ignore members they do not know).
 */
import type { AmData, NotificationAlert } from '../../../template/index.js';
import type { WebhookConfig } from '../../config/receivers.js';
import { encodeGoJsonLine, formatRfc3339Nano, goMap, type GoJsonValue } from '../go-json.js';
import {
  addHttpConfigSecrets,
  assertSupportedHttpConfig,
  postJson,
  readSecretFile,
  type HttpNotifierDeps,
} from '../http-client.js';
import type { Notifier, NotifyContext, NotifyOutcome } from '../notifier.js';
import { OK, failed, neverThrow, prepareAlerts, templateData } from '../render.js';
import { SecretMasker, redactUrl } from '../secrets.js';

/**
 * A webhook configuration. `url_file` (Alertmanager 0.26's spelling: the URL read from a file at
 * each notification) is honoured when the configuration carries it.
 */
export type WebhookSettings = WebhookConfig & { readonly url_file?: string };

/** Alertmanager's webhook message: template.Data, then version, groupKey and truncatedAlerts. */
export function webhookPayload(
  ctx: NotifyContext,
  data: AmData,
  alerts: readonly NotificationAlert[],
  truncatedAlerts: number,
): GoJsonValue {
  return {
    receiver: data.Receiver,
    status: data.Status,
    alerts: data.Alerts.map((a, i) => ({
      status: a.Status,
      labels: goMap(a.Labels.entries),
      annotations: goMap(a.Annotations.entries),
      startsAt: formatRfc3339Nano(alerts[i]!.startsAtMs),
      endsAt: formatRfc3339Nano(alerts[i]!.endsAtMs),
      generatorURL: a.GeneratorURL,
      fingerprint: a.Fingerprint,
    })),
    groupLabels: goMap(data.GroupLabels.entries),
    commonLabels: goMap(data.CommonLabels.entries),
    commonAnnotations: goMap(data.CommonAnnotations.entries),
    externalURL: data.ExternalURL,
    version: '4',
    groupKey: ctx.groupKey,
    truncatedAlerts,
    acknowledgeURL: ctx.acknowledgeURL,
    acknowledged: ctx.acknowledged === true ? true : undefined,
  };
}

export class WebhookNotifier implements Notifier {
  readonly kind = 'webhook' as const;
  readonly sendResolved: boolean;
  private readonly masker: SecretMasker;

  /** @throws NotifierSetupError for an `http_config` the notifiers cannot honour. */
  constructor(
    private readonly config: WebhookSettings,
    /** Position among the receiver's webhook_configs. */
    readonly index: number,
    private readonly deps: HttpNotifierDeps,
    path = `webhook_configs.${index}`,
  ) {
    assertSupportedHttpConfig(config.http_config, `${path}.http_config`);
    this.sendResolved = config.send_resolved;
    this.masker = addHttpConfigSecrets(new SecretMasker().addUrl(config.url), config.http_config);
  }

  notify(ctx: NotifyContext): Promise<NotifyOutcome> {
    return neverThrow(this.kind, this.masker, async () => {
      const prepared = prepareAlerts(ctx, this.sendResolved);
      if (!prepared) return OK;

      let url = this.config.url ?? '';
      let masker = this.masker;
      if (url === '' && this.config.url_file !== undefined && this.config.url_file !== '') {
        const r = await readSecretFile(this.deps, this.config.url_file);
        if (!r.ok) return failed(this.kind, masker, false, r.error);
        url = r.value;
        masker = masker.with();
        masker.addUrl(url);
      }

      // max_alerts cuts before the template data is built, so common labels describe what is sent.
      const max = this.config.max_alerts;
      const alerts = max > 0 ? prepared.alerts.slice(0, max) : prepared.alerts;
      const payload = webhookPayload(ctx, templateData(ctx, alerts), alerts, prepared.alerts.length - alerts.length);
      return postJson(this.deps, {
        kind: this.kind,
        url,
        displayUrl: redactUrl(url),
        body: encodeGoJsonLine(payload),
        httpConfig: this.config.http_config,
        signal: ctx.signal,
        masker,
      });
    });
  }
}
