/**
 * SMS through an HTTP SMS gateway (Watchkeeper's `sms_configs`): for each number of `to`, one
 * `POST url` with the JSON body `{"to": "+4712345678", "from": "Watchkeeper", "message": "..."}`
 * (`from` left out when not configured) and `http_config`'s authentication. The message is the
 * rendered `message` template with surrounding whitespace trimmed, and the acknowledge link on a
 * line of its own when there is one:
 *
 *     [FIRING:2] PartsOrderingSystemDown (parts-api critical)
 *     Ack: https://watchkeeper.example/ack/3f9c...
 *
 * Numbers are sent in order and the first failure stops the notification; a retry sends to all
 * numbers again, so a number before the failing one may get the message twice.
 */
import type { SmsConfig } from '../../config/receivers.js';
import { encodeGoJsonLine } from '../go-json.js';
import { addHttpConfigSecrets, assertSupportedHttpConfig, postJson, type HttpNotifierDeps } from '../http-client.js';
import type { Notifier, NotifyContext, NotifyOutcome } from '../notifier.js';
import { OK, TemplateRenderer, neverThrow, prepareAlerts, templateData, templateFailed } from '../render.js';
import { SecretMasker, redactUrl } from '../secrets.js';

/** The body of one gateway request. */
export interface SmsGatewayRequest {
  /** One recipient, E.164. */
  readonly to: string;
  /** Sender id or number; absent when `from` is not configured. */
  readonly from?: string;
  readonly message: string;
}

/** The SMS text for a rendered message and an optional acknowledge link. */
export function smsText(rendered: string, acknowledgeURL: string | undefined): string {
  const text = rendered.trim();
  return acknowledgeURL !== undefined && acknowledgeURL !== '' ? `${text}\nAck: ${acknowledgeURL}` : text;
}

export class SmsNotifier implements Notifier {
  readonly kind = 'sms' as const;
  readonly sendResolved: boolean;
  private readonly masker: SecretMasker;

  /** @throws NotifierSetupError for an `http_config` the notifiers cannot honour. */
  constructor(
    private readonly config: SmsConfig,
    /** Position among the receiver's sms_configs. */
    readonly index: number,
    private readonly deps: HttpNotifierDeps,
    path = `sms_configs.${index}`,
  ) {
    assertSupportedHttpConfig(config.http_config, `${path}.http_config`);
    this.sendResolved = config.send_resolved;
    this.masker = addHttpConfigSecrets(new SecretMasker().addUrl(config.url), config.http_config);
  }

  notify(ctx: NotifyContext): Promise<NotifyOutcome> {
    return neverThrow(this.kind, this.masker, async () => {
      const prepared = prepareAlerts(ctx, this.sendResolved);
      if (!prepared) return OK;
      const r = new TemplateRenderer(ctx.templates, templateData(ctx, prepared.alerts));
      const message = smsText(r.text(this.config.message), ctx.acknowledgeURL);
      const from = r.text(this.config.from);
      if (r.error) return templateFailed(this.kind, this.masker, 'the SMS message', r.error);

      const url = this.config.url ?? '';
      const numbers = this.config.to;
      for (const [i, to] of numbers.entries()) {
        const body: SmsGatewayRequest = { to, ...(from !== '' && { from }), message };
        const outcome = await postJson(this.deps, {
          kind: this.kind,
          url,
          displayUrl: redactUrl(url),
          body: encodeGoJsonLine({ ...body }),
          httpConfig: this.config.http_config,
          signal: ctx.signal,
          masker: this.masker,
        });
        if (!outcome.ok) {
          // Phone numbers are personal data: the error counts recipients instead of naming them.
          return { ...outcome, error: `${outcome.error} (recipient ${i + 1} of ${numbers.length})` };
        }
      }
      return OK;
    });
  }
}
