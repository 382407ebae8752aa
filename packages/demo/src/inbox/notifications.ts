/**
 * What each integration sends, checked (zod, lenient: unknown members are kept) and turned into
 * the inbox's one shape: Slack incoming-webhook messages, PagerDuty Events API v2, the SMS
 * gateway's `{to, from, message}`, Alertmanager webhook payloads (version 4) and mail.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { NewNotification, NotificationStatus } from './inbox.js';
import type { ParsedMail } from './mail.js';

/** Longest summary kept (characters). */
const SUMMARY_CHARS = 2_000;
/** A body larger than this (as JSON) is kept as a note of its size, not as itself. */
const MAX_KEPT_PAYLOAD_CHARS = 64 * 1024;

export type Normalized<T = NewNotification> = { ok: true; value: T } | { ok: false; errors: string[] };

function failure(error: z.ZodError): { ok: false; errors: string[] } {
  return { ok: false, errors: error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) };
}

const text = z.string().max(100_000);

// ── Slack incoming webhooks ──────────────────────────────────────────────────────────────────
const SlackAction = z.object({ text: text.optional(), url: text.optional() }).passthrough();
const SlackAttachment = z
  .object({
    title: text.optional(),
    title_link: text.optional(),
    pretext: text.optional(),
    text: text.optional(),
    fallback: text.optional(),
    color: text.optional(),
    actions: z.array(SlackAction).max(100).optional(),
  })
  .passthrough();
const SlackMessage = z
  .object({
    channel: text.optional(),
    username: text.optional(),
    text: text.optional(),
    attachments: z.array(SlackAttachment).max(100).optional(),
  })
  .passthrough();

/** `channel`: the last segment of the webhook URL (`/slack/incidents`). */
export function fromSlack(channel: string, body: unknown): Normalized {
  const parsed = SlackMessage.safeParse(body);
  if (!parsed.success) return failure(parsed.error);
  const message = parsed.data;
  const attachment = message.attachments?.[0];
  const title = attachment?.title || firstLine(message.text) || attachment?.fallback || '';
  if (title === '' && !attachment?.text) return { ok: false, errors: ['no_text'] };
  const ack = attachment?.actions?.find((a) => /acknowledge/i.test(a.text ?? ''))?.url;
  return {
    ok: true,
    value: {
      kind: 'slack',
      channel: message.channel || `#${channel}`,
      title,
      summary: shorten([attachment?.pretext, attachment?.text, message.text === title ? undefined : message.text]),
      status: statusOfSubject(title),
      ...acknowledge(ack),
      payload: keepable(body),
    },
  };
}

// ── PagerDuty Events API v2 ──────────────────────────────────────────────────────────────────
const PagerdutyEvent = z
  .object({
    routing_key: z.string().min(1).max(256),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
    dedup_key: z.string().min(1).max(255).optional(),
    payload: z
      .object({
        summary: z.string().min(1).max(1024),
        source: z.string().min(1).max(1024),
        severity: z.enum(['critical', 'error', 'warning', 'info']),
        component: text.optional(),
        group: text.optional(),
        class: text.optional(),
        custom_details: z.unknown().optional(),
      })
      .passthrough()
      .optional(),
    links: z
      .array(z.object({ href: text, text: text.optional() }).passthrough())
      .max(100)
      .optional(),
    client: text.optional(),
    client_url: text.optional(),
  })
  .passthrough()
  .superRefine((event, ctx) => {
    if (event.event_action === 'trigger' && event.payload === undefined)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['payload'], message: 'Required for trigger events' });
    if (event.event_action !== 'trigger' && event.dedup_key === undefined)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['dedup_key'], message: 'Required for this event_action' });
  });

/** The notification and the dedup key to answer with (the event's, or a new one as PagerDuty makes). */
export function fromPagerduty(body: unknown): Normalized<{ notification: NewNotification; dedupKey: string }> {
  const parsed = PagerdutyEvent.safeParse(body);
  if (!parsed.success) return failure(parsed.error);
  const event = parsed.data;
  const dedupKey = event.dedup_key ?? randomBytes(16).toString('hex');
  const status: NotificationStatus =
    event.event_action === 'trigger' ? 'firing' : event.event_action === 'resolve' ? 'resolved' : 'acknowledged';
  const details = event.payload?.custom_details;
  const firing =
    typeof details === 'object' && details !== null ? (details as Record<string, unknown>).firing : undefined;
  const ack = event.links?.find((l) => /acknowledge/i.test(l.text ?? ''))?.href;
  return {
    ok: true,
    value: {
      dedupKey,
      notification: {
        kind: 'pagerduty',
        channel: event.routing_key,
        title: event.payload?.summary ?? `${event.event_action} ${dedupKey}`,
        summary: shorten([
          event.payload === undefined
            ? undefined
            : `severity ${event.payload.severity}, source ${event.payload.source}`,
          typeof firing === 'string' ? firing : undefined,
        ]),
        status,
        ...acknowledge(ack),
        payload: keepable(body),
      },
    },
  };
}

// ── SMS gateway ──────────────────────────────────────────────────────────────────────────────
const SmsMessage = z
  .object({
    to: z.string().min(1).max(64),
    from: z.string().max(64).optional(),
    message: z.string().min(1).max(10_000),
  })
  .passthrough();

export function fromSms(body: unknown): Normalized {
  const parsed = SmsMessage.safeParse(body);
  if (!parsed.success) return failure(parsed.error);
  const sms = parsed.data;
  const lines = sms.message.split('\n');
  const ackLine = lines.findIndex((l) => /^Ack: \S+\s*$/.test(l));
  const ack = ackLine >= 0 ? lines[ackLine]!.slice(5).trim() : undefined;
  const rest = lines.slice(1).filter((_, i) => i + 1 !== ackLine);
  return {
    ok: true,
    value: {
      kind: 'sms',
      channel: sms.to,
      title: lines[0]!,
      summary: shorten([sms.from === undefined ? undefined : `from ${sms.from}`, rest.join('\n')]),
      status: statusOfSubject(lines[0]!),
      ...acknowledge(ack),
      payload: keepable(body),
    },
  };
}

// ── Alertmanager webhook, version 4 ──────────────────────────────────────────────────────────
const LabelSet = z.record(z.string(), z.string());
const WebhookAlert = z
  .object({
    status: z.enum(['firing', 'resolved']),
    labels: LabelSet,
    annotations: LabelSet.default({}),
    startsAt: z.string().optional(),
    endsAt: z.string().optional(),
  })
  .passthrough();
const WebhookPayload = z
  .object({
    version: z.string(),
    status: z.enum(['firing', 'resolved']),
    receiver: z.string().optional(),
    alerts: z.array(WebhookAlert).max(10_000),
    groupLabels: LabelSet.default({}),
    commonLabels: LabelSet.default({}),
    commonAnnotations: LabelSet.default({}),
    externalURL: z.string().optional(),
    groupKey: z.string().optional(),
    truncatedAlerts: z.number().optional(),
    acknowledgeURL: z.string().optional(),
    acknowledged: z.boolean().optional(),
  })
  .passthrough();

/** `name`: the last segment of the webhook URL (`/webhook/escalations`). */
export function fromWebhook(name: string, body: unknown): Normalized {
  const parsed = WebhookPayload.safeParse(body);
  if (!parsed.success) return failure(parsed.error);
  const p = parsed.data;
  const firing = p.alerts.filter((a) => a.status === 'firing').length;
  const groupValues = Object.keys(p.groupLabels)
    .sort()
    .map((k) => p.groupLabels[k]!);
  const otherCommon = Object.keys(p.commonLabels)
    .filter((k) => !(k in p.groupLabels))
    .sort()
    .map((k) => p.commonLabels[k]!);
  const title =
    `[${p.status.toUpperCase()}${p.status === 'firing' ? `:${firing}` : ''}] ${groupValues.join(' ')}` +
    (otherCommon.length > 0 ? ` (${otherCommon.join(' ')})` : '');
  const summaries = [
    ...new Set(p.alerts.map((a) => a.annotations.summary ?? a.annotations.description ?? '').filter((s) => s !== '')),
  ];
  return {
    ok: true,
    value: {
      kind: 'webhook',
      channel: name,
      title: title.trim(),
      summary: shorten([p.receiver === undefined ? undefined : `receiver ${p.receiver}`, summaries.join('\n')]),
      status: p.acknowledged === true ? 'acknowledged' : p.status,
      ...acknowledge(p.acknowledgeURL),
      payload: keepable(body),
    },
  };
}

// ── Mail ─────────────────────────────────────────────────────────────────────────────────────
export interface MailEnvelope {
  mailFrom?: string;
  rcptTo: readonly string[];
}

export function fromMail(mail: ParsedMail, envelope: MailEnvelope): NewNotification {
  const ackMatch = /^Acknowledge: (\S+)\s*$/m.exec(mail.text);
  const htmlAck =
    mail.html === undefined ? null : /<a\b[^>]*href="([^"]+)"[^>]*>\s*Acknowledge\s*<\/a>/i.exec(mail.html);
  const ack = ackMatch?.[1] ?? htmlAck?.[1]?.replace(/&amp;/g, '&');
  const body = ackMatch === null ? mail.text : mail.text.replace(ackMatch[0], '');
  const subject = mail.subject || '(no subject)';
  return {
    kind: 'email',
    channel: mail.to || envelope.rcptTo.join(', '),
    title: subject,
    summary: shorten([mail.from === '' ? undefined : `from ${mail.from}`, body]),
    status: statusOfSubject(subject),
    ...acknowledge(ack),
    payload: keepable({
      envelope: { from: envelope.mailFrom ?? '', to: envelope.rcptTo },
      headers: Object.fromEntries(mail.headers),
      text: mail.text,
    }),
  };
}

// ── Shared ───────────────────────────────────────────────────────────────────────────────────
/** `[FIRING:2] ...` / `[RESOLVED] ...`, as Alertmanager's subjects and titles begin. */
export function statusOfSubject(subject: string): NotificationStatus {
  const m = /^\s*\[(FIRING|RESOLVED)\b/i.exec(subject);
  if (m === null) return 'unknown';
  return m[1]!.toUpperCase() === 'FIRING' ? 'firing' : 'resolved';
}

function acknowledge(url: string | undefined): { acknowledgeURL?: string } {
  return url === undefined || url === '' ? {} : { acknowledgeURL: url };
}

function firstLine(s: string | undefined): string {
  return (s ?? '').trim().split('\n')[0]!.trim();
}

function shorten(parts: readonly (string | undefined)[]): string {
  const joined = parts
    .map((p) => (p ?? '').trim())
    .filter((p) => p !== '')
    .join('\n');
  return joined.length > SUMMARY_CHARS ? `${joined.slice(0, SUMMARY_CHARS - 1)}…` : joined;
}

function keepable(payload: unknown): unknown {
  const size = JSON.stringify(payload)?.length ?? 0;
  return size > MAX_KEPT_PAYLOAD_CHARS ? { omitted: `${size} characters of JSON, more than the inbox keeps` } : payload;
}
