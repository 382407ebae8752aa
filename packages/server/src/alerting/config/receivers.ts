/**
 * The receivers of alertmanager.yml (`receivers[].<kind>_configs`) as Alertmanager 0.25 defines
 * them: fields, defaults and the checks of each config's UnmarshalYAML. Field names stay as in
 * the YAML (as the Alertmanager documentation names them) so that notifiers read the same words;
 * `sms_configs` is Watchkeeper's extension for an HTTP SMS gateway.
 */
import { goQuote } from '../go-strings.js';
import {
  bool,
  fatal,
  int,
  list,
  map,
  optional,
  parsedString,
  secret,
  str,
  struct,
  type Codec,
  type Infer,
} from './go-yaml.js';
import { parseAlertmanagerUrl, parseGoDurationMs, parseHostPort, parseSecretUrl, type HostPort } from './go-types.js';
import { httpConfigCodec, tlsConfigCodec } from './http-config.js';

/** Alertmanager's URL: http or https with a host; the decoded value is the URL as written. */
export const amUrl = optional(
  parsedString(
    (s) => parseAlertmanagerUrl(s).href,
    () => '',
  ),
);
/** Alertmanager's SecretURL (also accepts `<secret>`). */
export const secretUrl = optional(
  parsedString(
    (s) => parseSecretUrl(s).href,
    () => '',
  ),
);

export const hostPort: Codec<HostPort> = parsedString(
  (s) => (s === '' ? { host: '', port: '' } : parseHostPort(s)),
  () => ({ host: '', port: '' }),
);

/** A Go time.Duration read with time.ParseDuration (pushover's retry/expire), in milliseconds. */
const goDurationMs = parsedString(parseGoDurationMs, () => 0, 'config.duration');

const strMap = (): Codec<Record<string, string>> => map(str());
const httpConfig = optional(httpConfigCodec);

// ---------------------------------------------------------------------------------------------

export const emailConfigCodec = struct(
  'config.plain',
  {
    send_resolved: bool(),
    to: str(),
    from: str(),
    hello: str(),
    smarthost: hostPort,
    auth_username: str(),
    auth_password: secret(),
    auth_password_file: str(),
    auth_secret: secret(),
    auth_identity: str(),
    headers: strMap(),
    html: str(),
    text: str(),
    require_tls: optional(bool()),
    tls_config: tlsConfigCodec,
  },
  {
    defaults: () => ({ send_resolved: false, html: '{{ template "email.default.html" . }}' }),
    validate(c, path) {
      if (c.to === '') fatal(path, 'missing to address in email config');
      const normalized = Object.create(null) as Record<string, string>;
      for (const [h, v] of Object.entries(c.headers)) {
        const key = canonicalMimeHeaderKey(h);
        if (Object.hasOwn(normalized, key))
          fatal(`${path}.headers`, `duplicate header ${goQuote(key)} in email config`);
        normalized[key] = v;
      }
      c.headers = normalized;
    },
  },
);

/** Go's textproto.CanonicalMIMEHeaderKey (`x-foo` → `X-Foo`) for keys of token characters. */
function canonicalMimeHeaderKey(s: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s)) return s;
  return s.toLowerCase().replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

const pagerdutyImage = struct('config.PagerdutyImage', { src: str(), alt: str(), href: str() });
const pagerdutyLink = struct('config.PagerdutyLink', { href: str(), text: str() });

const PAGERDUTY_DEFAULT_DETAILS: Readonly<Record<string, string>> = {
  firing: '{{ template "pagerduty.default.instances" .Alerts.Firing }}',
  resolved: '{{ template "pagerduty.default.instances" .Alerts.Resolved }}',
  num_firing: '{{ .Alerts.Firing | len }}',
  num_resolved: '{{ .Alerts.Resolved | len }}',
};

export const pagerdutyConfigCodec = struct(
  'config.plain',
  {
    send_resolved: bool(),
    http_config: httpConfig,
    service_key: secret(),
    service_key_file: str(),
    routing_key: secret(),
    routing_key_file: str(),
    url: amUrl,
    client: str(),
    client_url: str(),
    description: str(),
    details: strMap(),
    images: list(pagerdutyImage, '[]config.PagerdutyImage'),
    links: list(pagerdutyLink, '[]config.PagerdutyLink'),
    source: str(),
    severity: str(),
    class: str(),
    component: str(),
    group: str(),
  },
  {
    defaults: () => ({
      send_resolved: true,
      description: '{{ template "pagerduty.default.description" .}}',
      client: '{{ template "pagerduty.default.client" . }}',
      client_url: '{{ template "pagerduty.default.clientURL" . }}',
    }),
    validate(c, path) {
      if (c.routing_key === '' && c.service_key === '' && c.routing_key_file === '' && c.service_key_file === '') {
        fatal(path, 'missing service or routing key in PagerDuty config');
      }
      if (c.routing_key !== '' && c.routing_key_file !== '') {
        fatal(path, 'at most one of routing_key & routing_key_file must be configured');
      }
      if (c.service_key !== '' && c.service_key_file !== '') {
        fatal(path, 'at most one of service_key & service_key_file must be configured');
      }
      if (c.source === '') c.source = c.client;
      for (const [k, v] of Object.entries(PAGERDUTY_DEFAULT_DETAILS))
        if (!Object.hasOwn(c.details, k)) c.details[k] = v;
    },
  },
);

const slackConfirm = struct(
  'config.plain',
  { text: str(), title: str(), ok_text: str(), dismiss_text: str() },
  {
    validate(c, path) {
      if (c.text === '') fatal(path, 'missing text in Slack confirmation configuration');
    },
  },
);

const slackAction = struct(
  'config.plain',
  {
    type: str(),
    text: str(),
    url: str(),
    style: str(),
    name: str(),
    value: str(),
    confirm: optional(slackConfirm),
  },
  {
    validate(c, path) {
      if (c.type === '') fatal(path, 'missing type in Slack action configuration');
      if (c.text === '') fatal(path, 'missing text in Slack action configuration');
      if (c.url !== '') {
        c.name = '';
        c.value = '';
        c.confirm = undefined;
      } else if (c.name === '') {
        fatal(path, 'missing name or url in Slack action configuration');
      }
    },
  },
);

const slackField = struct(
  'config.plain',
  { title: str(), value: str(), short: optional(bool()) },
  {
    validate(c, path) {
      if (c.title === '') fatal(path, 'missing title in Slack field configuration');
      if (c.value === '') fatal(path, 'missing value in Slack field configuration');
    },
  },
);

export const slackConfigCodec = struct(
  'config.plain',
  {
    send_resolved: bool(),
    http_config: httpConfig,
    api_url: secretUrl,
    api_url_file: str(),
    channel: str(),
    username: str(),
    color: str(),
    title: str(),
    title_link: str(),
    pretext: str(),
    text: str(),
    fields: list(slackField, '[]*config.SlackField'),
    short_fields: bool(),
    footer: str(),
    fallback: str(),
    callback_id: str(),
    icon_emoji: str(),
    icon_url: str(),
    image_url: str(),
    thumb_url: str(),
    link_names: bool(),
    mrkdwn_in: list(str(), '[]string'),
    actions: list(slackAction, '[]*config.SlackAction'),
  },
  {
    defaults: () => ({
      send_resolved: false,
      color: '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}',
      username: '{{ template "slack.default.username" . }}',
      title: '{{ template "slack.default.title" . }}',
      title_link: '{{ template "slack.default.titlelink" . }}',
      icon_emoji: '{{ template "slack.default.iconemoji" . }}',
      icon_url: '{{ template "slack.default.iconurl" . }}',
      pretext: '{{ template "slack.default.pretext" . }}',
      text: '{{ template "slack.default.text" . }}',
      fallback: '{{ template "slack.default.fallback" . }}',
      callback_id: '{{ template "slack.default.callbackid" . }}',
      footer: '{{ template "slack.default.footer" . }}',
    }),
    validate(c, path) {
      if (c.api_url !== undefined && c.api_url_file !== '') {
        fatal(path, 'at most one of api_url & api_url_file must be configured');
      }
    },
  },
);

export const webhookConfigCodec = struct(
  'config.plain',
  {
    send_resolved: bool(),
    http_config: httpConfig,
    url: secretUrl,
    max_alerts: int('uint64'),
  },
  {
    defaults: () => ({ send_resolved: true }),
    validate(c, path) {
      if (c.url === undefined) fatal(path, 'missing URL in webhook config');
    },
  },
);

const opsgenieResponder = struct('config.OpsGenieConfigResponder', {
  id: str(),
  name: str(),
  username: str(),
  type: str(),
});

const OPSGENIE_TYPES = '^(team|teams|user|escalation|schedule)$';

export const opsgenieConfigCodec = struct(
  'config.plain',
  {
    send_resolved: bool(),
    http_config: httpConfig,
    api_key: secret(),
    api_key_file: str(),
    api_url: amUrl,
    message: str(),
    description: str(),
    source: str(),
    details: strMap(),
    entity: str(),
    responders: list(opsgenieResponder, '[]config.OpsGenieConfigResponder'),
    actions: str(),
    tags: str(),
    note: str(),
    priority: str(),
    update_alerts: bool(),
  },
  {
    defaults: () => ({
      send_resolved: true,
      message: '{{ template "opsgenie.default.message" . }}',
      description: '{{ template "opsgenie.default.description" . }}',
      source: '{{ template "opsgenie.default.source" . }}',
    }),
    validate(c, path) {
      if (c.api_key !== '' && c.api_key_file !== '')
        fatal(path, 'at most one of api_key & api_key_file must be configured');
      c.responders.forEach((r, i) => {
        const p = `${path}.responders.${i}`;
        if (r.id === '' && r.username === '' && r.name === '') {
          fatal(
            p,
            `opsGenieConfig responder ${goStruct(r)} has to have at least one of id, username or name specified`,
          );
        }
        // A templated type is checked when rendered (Watchkeeper does not parse Go templates here).
        if (r.type.includes('{{')) return;
        r.type = r.type.toLowerCase();
        if (!new RegExp(OPSGENIE_TYPES).test(r.type)) {
          fatal(p, `opsGenieConfig responder ${goStruct(r)} type does not match valid options ${OPSGENIE_TYPES}`);
        }
      });
    },
  },
);

/** Go's `%v` of a struct of strings: `{id name username type}`. */
function goStruct(r: { id: string; name: string; username: string; type: string }): string {
  return `{${[r.id, r.name, r.username, r.type].join(' ')}}`;
}

const VICTOROPS_RESERVED = [
  'routing_key',
  'message_type',
  'state_message',
  'entity_display_name',
  'monitoring_tool',
  'entity_id',
  'entity_state',
];

export const victoropsConfigCodec = struct(
  'config.plain',
  {
    send_resolved: bool(),
    http_config: httpConfig,
    api_key: secret(),
    api_key_file: str(),
    api_url: amUrl,
    routing_key: str(),
    message_type: str(),
    state_message: str(),
    entity_display_name: str(),
    monitoring_tool: str(),
    custom_fields: strMap(),
  },
  {
    defaults: () => ({
      send_resolved: true,
      message_type: 'CRITICAL',
      state_message: '{{ template "victorops.default.state_message" . }}',
      entity_display_name: '{{ template "victorops.default.entity_display_name" . }}',
      monitoring_tool: '{{ template "victorops.default.monitoring_tool" . }}',
    }),
    validate(c, path) {
      if (c.routing_key === '') fatal(path, 'missing Routing key in VictorOps config');
      if (c.api_key !== '' && c.api_key_file !== '')
        fatal(path, 'at most one of api_key & api_key_file must be configured');
      for (const f of VICTOROPS_RESERVED) {
        if (Object.hasOwn(c.custom_fields, f)) {
          fatal(
            `${path}.custom_fields`,
            `victorOps config contains custom field ${f} which cannot be used as it conflicts with the fixed/static fields`,
          );
        }
      }
    },
  },
);

const WECHAT_TYPES = '^(text|markdown)$';

export const wechatConfigCodec = struct(
  'config.plain',
  {
    send_resolved: bool(),
    http_config: httpConfig,
    api_secret: secret(),
    corp_id: str(),
    message: str(),
    api_url: amUrl,
    to_user: str(),
    to_party: str(),
    to_tag: str(),
    agent_id: str(),
    message_type: str(),
  },
  {
    defaults: () => ({
      send_resolved: false,
      message: '{{ template "wechat.default.message" . }}',
      to_user: '{{ template "wechat.default.to_user" . }}',
      to_party: '{{ template "wechat.default.to_party" . }}',
      to_tag: '{{ template "wechat.default.to_tag" . }}',
      agent_id: '{{ template "wechat.default.agent_id" . }}',
    }),
    validate(c, path) {
      if (c.message_type === '') c.message_type = 'text';
      if (!new RegExp(WECHAT_TYPES).test(c.message_type)) {
        fatal(path, `weChat message type ${goQuote(c.message_type)} does not match valid options ${WECHAT_TYPES}`);
      }
    },
  },
);

export const pushoverConfigCodec = struct(
  'config.plain',
  {
    send_resolved: bool(),
    http_config: httpConfig,
    user_key: secret(),
    token: secret(),
    title: str(),
    message: str(),
    url: str(),
    url_title: str(),
    sound: str(),
    priority: str(),
    /** Milliseconds. */
    retry: goDurationMs,
    /** Milliseconds. */
    expire: goDurationMs,
    html: bool(),
  },
  {
    defaults: () => ({
      send_resolved: true,
      title: '{{ template "pushover.default.title" . }}',
      message: '{{ template "pushover.default.message" . }}',
      url: '{{ template "pushover.default.url" . }}',
      priority: '{{ if eq .Status "firing" }}2{{ else }}0{{ end }}',
      retry: 60_000,
      expire: 3_600_000,
    }),
    validate(c, path) {
      if (c.user_key === '') fatal(path, 'missing user key in Pushover config');
      if (c.token === '') fatal(path, 'missing token in Pushover config');
    },
  },
);

const sigv4Codec = struct(
  'sigv4.plain',
  { region: str(), access_key: str(), secret_key: secret(), profile: str(), role_arn: str() },
  {
    validate(c, path) {
      if ((c.access_key === '') !== (c.secret_key === '')) {
        fatal(
          path,
          'must provide a AWS SigV4 Access key and Secret Key if credentials are specified in the SigV4 config',
        );
      }
    },
  },
);

export const snsConfigCodec = struct(
  'config.plain',
  {
    send_resolved: bool(),
    http_config: httpConfig,
    api_url: str(),
    sigv4: sigv4Codec,
    topic_arn: str(),
    phone_number: str(),
    target_arn: str(),
    subject: str(),
    message: str(),
    attributes: strMap(),
  },
  {
    defaults: () => ({
      send_resolved: true,
      subject: '{{ template "sns.default.subject" . }}',
      message: '{{ template "sns.default.message" . }}',
    }),
    validate(c, path) {
      if (((c.target_arn === '') !== (c.topic_arn === '')) !== (c.phone_number === '')) {
        fatal(path, 'must provide either a Target ARN, Topic ARN, or Phone Number for SNS config');
      }
    },
  },
);

const TELEGRAM_PARSE_MODES = new Set(['', 'Markdown', 'MarkdownV2', 'HTML']);

export const telegramConfigCodec = struct(
  'config.plain',
  {
    send_resolved: bool(),
    http_config: httpConfig,
    api_url: amUrl,
    bot_token: secret(),
    chat_id: int('int64'),
    message: str(),
    disable_notifications: bool(),
    parse_mode: str(),
  },
  {
    defaults: () => ({
      send_resolved: true,
      message: '{{ template "telegram.default.message" . }}',
      parse_mode: 'HTML',
    }),
    validate(c, path) {
      if (c.bot_token === '') fatal(path, 'missing bot_token on telegram_config');
      if (c.chat_id === 0) fatal(path, 'missing chat_id on telegram_config');
      if (!TELEGRAM_PARSE_MODES.has(c.parse_mode)) {
        fatal(path, 'unknown parse_mode on telegram_config, must be Markdown, MarkdownV2, HTML or empty string');
      }
    },
  },
);

export const webexConfigCodec = struct(
  'config.plain',
  {
    send_resolved: bool(),
    http_config: httpConfig,
    api_url: amUrl,
    message: str(),
    room_id: str(),
  },
  {
    defaults: () => ({ send_resolved: true, message: '{{ template "webex.default.message" . }}' }),
    validate(c, path) {
      if (c.room_id === '') fatal(path, 'missing room_id on webex_config');
      if (!c.http_config?.authorization) fatal(path, 'missing webex_configs.http_config.authorization');
    },
  },
);

export const discordConfigCodec = struct(
  'config.plain',
  {
    send_resolved: bool(),
    http_config: httpConfig,
    webhook_url: secretUrl,
    title: str(),
    message: str(),
  },
  {
    defaults: () => ({
      send_resolved: true,
      title: '{{ template "discord.default.title" . }}',
      message: '{{ template "discord.default.message" . }}',
    }),
  },
);

/**
 * Watchkeeper's extension: SMS through an HTTP SMS gateway. The notifier POSTs the rendered
 * `message` for each number of `to` to `url` (the gateway's API), with `http_config`'s
 * authentication. Not known to Alertmanager: amtool rejects a file that uses it.
 */
export const smsConfigCodec = struct(
  'config.plain',
  {
    send_resolved: bool(),
    http_config: httpConfig,
    /** The gateway's send endpoint. */
    url: secretUrl,
    /** Recipients, E.164 (`+4712345678`). */
    to: list(str(), '[]string'),
    /** Sender id or number, when the gateway wants one. */
    from: str(),
    message: str(),
  },
  {
    defaults: () => ({ send_resolved: true, message: '{{ template "sms.default.message" . }}' }),
    validate(c, path) {
      if (c.url === undefined) fatal(path, 'missing url in SMS config');
      if (c.to.length === 0 || c.to.some((n) => n.trim() === ''))
        fatal(`${path}.to`, 'missing to numbers in SMS config');
    },
  },
);

export const receiverCodec = struct(
  'config.plain',
  {
    name: str(),
    email_configs: list(emailConfigCodec, '[]*config.EmailConfig'),
    pagerduty_configs: list(pagerdutyConfigCodec, '[]*config.PagerdutyConfig'),
    slack_configs: list(slackConfigCodec, '[]*config.SlackConfig'),
    webhook_configs: list(webhookConfigCodec, '[]*config.WebhookConfig'),
    opsgenie_configs: list(opsgenieConfigCodec, '[]*config.OpsGenieConfig'),
    wechat_configs: list(wechatConfigCodec, '[]*config.WechatConfig'),
    pushover_configs: list(pushoverConfigCodec, '[]*config.PushoverConfig'),
    victorops_configs: list(victoropsConfigCodec, '[]*config.VictorOpsConfig'),
    sns_configs: list(snsConfigCodec, '[]*config.SNSConfig'),
    telegram_configs: list(telegramConfigCodec, '[]*config.TelegramConfig'),
    webex_configs: list(webexConfigCodec, '[]*config.WebexConfig'),
    discord_configs: list(discordConfigCodec, '[]*config.DiscordConfig'),
    sms_configs: list(smsConfigCodec, '[]*config.SMSConfig'),
  },
  {
    validate(c, path) {
      if (c.name === '') fatal(path, 'missing name in receiver');
    },
  },
);

export type EmailConfig = Infer<typeof emailConfigCodec>;
export type PagerdutyConfig = Infer<typeof pagerdutyConfigCodec>;
export type SlackConfig = Infer<typeof slackConfigCodec>;
export type WebhookConfig = Infer<typeof webhookConfigCodec>;
export type OpsgenieConfig = Infer<typeof opsgenieConfigCodec>;
export type WechatConfig = Infer<typeof wechatConfigCodec>;
export type PushoverConfig = Infer<typeof pushoverConfigCodec>;
export type VictoropsConfig = Infer<typeof victoropsConfigCodec>;
export type SnsConfig = Infer<typeof snsConfigCodec>;
export type TelegramConfig = Infer<typeof telegramConfigCodec>;
export type WebexConfig = Infer<typeof webexConfigCodec>;
export type DiscordConfig = Infer<typeof discordConfigCodec>;
export type SmsConfig = Infer<typeof smsConfigCodec>;
/** One receiver: a name and its notifier configurations, with the global defaults applied. */
export type ReceiverConfig = Infer<typeof receiverCodec>;
