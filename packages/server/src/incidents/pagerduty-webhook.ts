/**
 * PagerDuty webhooks v3: the `X-PagerDuty-Signature` check (one or more `v1=<hex HMAC-SHA256 of
 * the raw body>`, comma separated while secrets rotate) and the fields of an incident event that
 * acknowledging needs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Whether one of the header's v1 signatures is the body's HMAC-SHA256 under `secret`. */
export function verifyPagerDutySignature(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (header === undefined) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  for (const part of header.split(',')) {
    const m = /^\s*v1=([0-9a-fA-F]{64})\s*$/.exec(part);
    if (!m) continue;
    const given = Buffer.from(m[1]!, 'hex');
    if (timingSafeEqual(given, expected)) return true;
  }
  return false;
}

export interface PagerDutyIncidentEvent {
  /** `incident.acknowledged`, `incident.resolved`, ... */
  eventType: string;
  /** The incident's `incident_key`: the Events API v2 dedup_key that opened it. */
  incidentKey?: string;
  /** PagerDuty's incident id (`PGR0VU2`). */
  pagerDutyIncidentId?: string;
  /** Who acted (`event.agent.summary`), when PagerDuty says. */
  agent?: string;
}

/** The event of a webhook body, or a problem with the body. */
export function parsePagerDutyWebhook(rawBody: Buffer): PagerDutyIncidentEvent | { error: string } {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { error: 'the body is not JSON' };
  }
  const event = field(body, 'event');
  const eventType = field(event, 'event_type');
  if (typeof eventType !== 'string') return { error: 'no event.event_type: not a PagerDuty v3 webhook' };
  const data = field(event, 'data');
  const incidentKey = field(data, 'incident_key');
  const id = field(data, 'id');
  const agent = field(field(event, 'agent'), 'summary');
  return {
    eventType,
    ...(typeof incidentKey === 'string' && { incidentKey }),
    ...(typeof id === 'string' && { pagerDutyIncidentId: id }),
    ...(typeof agent === 'string' && { agent }),
  };
}

function field(o: unknown, name: string): unknown {
  return o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[name] : undefined;
}
