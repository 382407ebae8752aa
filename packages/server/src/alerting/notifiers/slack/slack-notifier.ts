/**
 * Slack incoming webhooks: one message with one legacy attachment, built as Alertmanager 0.25
 * builds it (every text field templated, empty optional fields left out, `mrkdwn_in` defaulting to
 * fallback, pretext and text). With an acknowledge link, the attachment gets an "Acknowledge" URL
 * button after the configured actions.
 */
import type { SlackConfig } from '../../config/receivers.js';
import { encodeGoJsonLine, type GoJsonValue } from '../go-json.js';
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

/** Slack's limit for an attachment title, in characters (Alertmanager truncates to it). */
const MAX_TITLE_RUNES = 1024;
const DEFAULT_MRKDWN_IN = ['fallback', 'pretext', 'text'] as const;

const nonEmpty = (s: string): string | undefined => (s === '' ? undefined : s);

/** The message Alertmanager posts for `config` (without the acknowledge button); `undefined` fields are left out. */
export function slackMessage(config: SlackConfig, r: TemplateRenderer, acknowledgeURL?: string): GoJsonValue {
  const fields = config.fields.map((f) => ({
    title: nonEmpty(r.text(f.title)),
    value: nonEmpty(r.text(f.value)),
    short: f.short ?? config.short_fields,
  }));
  const actions: GoJsonValue[] = config.actions.map((a) => ({
    type: nonEmpty(r.text(a.type)),
    text: nonEmpty(r.text(a.text)),
    url: nonEmpty(r.text(a.url)),
    style: nonEmpty(r.text(a.style)),
    name: nonEmpty(r.text(a.name)),
    value: nonEmpty(r.text(a.value)),
    confirm: a.confirm && {
      text: nonEmpty(r.text(a.confirm.text)),
      title: nonEmpty(r.text(a.confirm.title)),
      ok_text: nonEmpty(r.text(a.confirm.ok_text)),
      dismiss_text: nonEmpty(r.text(a.confirm.dismiss_text)),
    },
  }));
  if (acknowledgeURL !== undefined && acknowledgeURL !== '') {
    actions.push({ type: 'button', text: 'Acknowledge', url: acknowledgeURL, style: 'primary' });
  }
  const attachment = {
    title: nonEmpty(truncateRunes(r.text(config.title), MAX_TITLE_RUNES)),
    title_link: nonEmpty(r.text(config.title_link)),
    pretext: nonEmpty(r.text(config.pretext)),
    text: r.text(config.text),
    fallback: r.text(config.fallback),
    callback_id: r.text(config.callback_id),
    fields: fields.length > 0 ? fields : undefined,
    actions: actions.length > 0 ? actions : undefined,
    image_url: nonEmpty(r.text(config.image_url)),
    thumb_url: nonEmpty(r.text(config.thumb_url)),
    footer: r.text(config.footer),
    color: nonEmpty(r.text(config.color)),
    mrkdwn_in: config.mrkdwn_in.length > 0 ? [...config.mrkdwn_in] : [...DEFAULT_MRKDWN_IN],
  };
  return {
    channel: nonEmpty(r.text(config.channel)),
    username: nonEmpty(r.text(config.username)),
    icon_emoji: nonEmpty(r.text(config.icon_emoji)),
    icon_url: nonEmpty(r.text(config.icon_url)),
    link_names: config.link_names ? true : undefined,
    attachments: [attachment],
  };
}

export class SlackNotifier implements Notifier {
  readonly kind = 'slack' as const;
  readonly sendResolved: boolean;
  private readonly masker: SecretMasker;

  /** @throws NotifierSetupError for an `http_config` the notifiers cannot honour. */
  constructor(
    private readonly config: SlackConfig,
    /** Position among the receiver's slack_configs. */
    readonly index: number,
    private readonly deps: HttpNotifierDeps,
    path = `slack_configs.${index}`,
  ) {
    assertSupportedHttpConfig(config.http_config, `${path}.http_config`);
    this.sendResolved = config.send_resolved;
    this.masker = addHttpConfigSecrets(new SecretMasker().addUrl(config.api_url), config.http_config);
  }

  notify(ctx: NotifyContext): Promise<NotifyOutcome> {
    return neverThrow(this.kind, this.masker, async () => {
      const prepared = prepareAlerts(ctx, this.sendResolved);
      if (!prepared) return OK;
      const r = new TemplateRenderer(ctx.templates, templateData(ctx, prepared.alerts));
      const message = slackMessage(this.config, r, ctx.acknowledgeURL);
      if (r.error) return templateFailed(this.kind, this.masker, 'the Slack message', r.error);

      let url = this.config.api_url ?? '';
      let masker = this.masker;
      if (url === '') {
        const r = await readSecretFile(this.deps, this.config.api_url_file);
        if (!r.ok) return failed(this.kind, masker, false, r.error);
        url = r.value;
        masker = masker.with();
        masker.addUrl(url);
      }
      return postJson(this.deps, {
        kind: this.kind,
        url,
        displayUrl: redactUrl(url),
        body: encodeGoJsonLine(message),
        httpConfig: this.config.http_config,
        signal: ctx.signal,
        masker,
      });
    });
  }
}
