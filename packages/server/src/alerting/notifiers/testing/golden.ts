/**
 * Replaying captured Alertmanager notifications through our notifiers (tests only): the context
 * of a captured webhook body, and the byte comparison of a body we sent with the captured one.
 */
import { expect } from 'vitest';
import type { AlertmanagerTemplates } from '../../../template/index.js';
import { encodeGoJsonLine, formatRfc3339Nano, type GoJsonValue } from '../go-json.js';
import type { NotifyContext } from '../notifier.js';
import { alertsOf, parseGoTimeMs, type CapturedPost, type WebhookBody } from './fixtures.js';

/** The notification context that produced a captured webhook body. */
export function contextOf(body: WebhookBody, templates: AlertmanagerTemplates): NotifyContext {
  return {
    // The captured receiver names have no regexp metacharacters, so Alertmanager's QuoteMeta left them as they are.
    receiver: body.receiver,
    groupKey: body.groupKey,
    groupLabels: body.groupLabels,
    alerts: alertsOf(body),
    externalURL: body.externalURL,
    templates,
    signal: AbortSignal.timeout(10_000),
    nowMs: Date.parse('2026-11-27T12:40:45Z'),
  };
}

export function isWebhookBody(body: unknown): body is WebhookBody {
  return typeof body === 'object' && body !== null && (body as { version?: unknown }).version === '4';
}

/**
 * Expects `sent` (the body we POSTed) to be the captured body byte for byte — Go's member order,
 * escaping and trailing newline, and the captured Content-Length — once each alert's `startsAt`
 * and `endsAt` are replaced by the captured ones (ours have millisecond precision, Alertmanager's
 * nanoseconds).
 */
export function expectSameBody(sent: string, captured: CapturedPost): void {
  let adjusted = sent;
  if (isWebhookBody(captured.body)) {
    let cursor = 0;
    for (const a of captured.body.alerts) {
      for (const [field, time] of [
        ['startsAt', a.startsAt],
        ['endsAt', a.endsAt],
      ] as const) {
        const ours = `"${field}":"${formatRfc3339Nano(parseGoTimeMs(time))}"`;
        const at = adjusted.indexOf(ours, cursor);
        expect(at, `${field} ${ours} in ${sent}`).toBeGreaterThanOrEqual(0);
        const theirs = `"${field}":"${time}"`;
        adjusted = adjusted.slice(0, at) + theirs + adjusted.slice(at + ours.length);
        cursor = at + theirs.length;
      }
    }
  }
  expect(adjusted).toBe(encodeGoJsonLine(captured.body as GoJsonValue));
  expect(Buffer.byteLength(adjusted, 'utf8')).toBe(Number(captured.headers['content-length']));
}
