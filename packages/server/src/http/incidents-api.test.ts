import { createHash, createHmac } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/index.js';
import { Incidents, type IncidentAlert, type NotifyReceiver } from '../incidents/index.js';
import { MemoryAuditLog, RestrictedSeriesPolicy } from '../access/index.js';
import { ManualClock } from '../lib/clock.js';
import { MemoryStorage } from '../tsdb/index.js';
import { registerIncidentsApi } from './incidents-api.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 5, 3, 10, 0);
const PARTS_DOWN = { alertname: 'PartsOrderingSystemDown', severity: 'critical', team: 'revenue' };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

interface Sent {
  receiver: string;
  level?: number;
  acknowledgeURL?: string;
  groupKey?: string;
}

/** Receivers that record what they get; `pagerduty*` ones have a PagerDuty integration. */
function receivers(): { sent: Sent[]; notify: NotifyReceiver; firingAt(level: number): string[] } {
  const sent: Sent[] = [];
  return {
    sent,
    notify: async (receiver, _alerts, options) => {
      sent.push({ receiver, ...options });
      const integration = receiver.startsWith('pagerduty') ? 'pagerduty' : 'webhook';
      return { ok: true, integrations: [{ integration, index: 0, outcome: 'sent' }] };
    },
    firingAt: (level) => sent.filter((s) => s.level === level).map((s) => s.receiver),
  };
}

let fingerprints = 0;
function firing(labels: Record<string, string>, startsAtMs: number): IncidentAlert {
  return { fingerprint: `fp${fingerprints++}`, labels, status: 'firing', startsAtMs };
}

/** PagerDuty's incident_key for what `receiver` was sent: the SHA-256 of the group key. */
function dedupKeyOf(sent: Sent[], receiver: string): string {
  const groupKey = sent.find((s) => s.receiver === receiver)?.groupKey ?? '';
  return createHash('sha256').update(groupKey).digest('hex');
}

async function setup() {
  const clock = new ManualClock(T0);
  const rx = receivers();
  const config = resolveConfig(
    {
      escalation: {
        policies: {
          revenue_critical: {
            matchers: ['severity="critical"', 'team="revenue"'],
            levels: [
              { delay: '0m', targets: ['pagerduty_revenue'] },
              { delay: '5m', targets: ['sms_revenue_secondary'] },
            ],
          },
        },
      },
      suppression_rules: [
        { name: 'Cascade prevention', condition: { alert: 'DatabaseDown' }, suppress: ['APIError'], duration: '30m' },
      ],
    },
    'test.yml',
  );
  const incidents = Incidents.open({
    escalation: config.escalation,
    suppressionRules: config.suppressionRules,
    dir: ':memory:',
    clock,
    notifyReceiver: rx.notify,
    externalUrl: 'http://127.0.0.1:9800',
    pagerDutyWebhookSecret: 'whsec',
  });
  incidents.start();
  const app = Fastify({ logger: false });
  await app.register(formbody);
  registerIncidentsApi(
    app,
    { incidents },
    new RestrictedSeriesPolicy({ storage: new MemoryStorage(), rules: () => [], audit: new MemoryAuditLog() }),
  );
  closers.push(async () => {
    await app.close();
    await incidents.close();
  });
  return { app, incidents, rx, clock };
}

describe('/api/wk/incidents', () => {
  it('lists incidents and acknowledges one through the API', async () => {
    const { app, incidents, rx, clock } = await setup();
    incidents.handleAlert(firing(PARTS_DOWN, T0));
    const list = await app.inject({ method: 'GET', url: '/api/wk/incidents?state=open' });
    expect(list.statusCode).toBe(200);
    const [incident] = list.json<{ data: { id: number; state: string; level: number }[] }>().data;
    expect(incident).toMatchObject({ state: 'triggered', level: 1 });

    const acked = await app.inject({
      method: 'POST',
      url: `/api/wk/incidents/${incident!.id}/acknowledge`,
      payload: { by: 'kari', comment: 'on it' },
    });
    expect(acked.statusCode).toBe(200);
    expect(acked.json()).toMatchObject({
      status: 'success',
      data: { state: 'acknowledged', acknowledged: { by: 'kari', via: 'api', comment: 'on it' } },
    });
    clock.advance(30 * MIN);
    expect(rx.firingAt(2)).toEqual([]);

    const one = await app.inject({ method: 'GET', url: `/api/wk/incidents/${incident!.id}` });
    expect(one.json<{ data: { history: { kind: string }[] } }>().data.history.map((h) => h.kind)).toEqual([
      'opened',
      'escalated',
      'acknowledged',
      'pagerduty_acknowledge',
    ]);
    const bare = await app.inject({ method: 'POST', url: `/api/wk/incidents/${incident!.id}/acknowledge` });
    expect(bare.statusCode).toBe(200);
  });

  it('answers 404, 409 and 400 with the error body', async () => {
    const { app, incidents, clock } = await setup();
    const missing = await app.inject({ method: 'POST', url: '/api/wk/incidents/99/acknowledge' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ status: 'error', errorType: 'not_found' });
    const alert = firing(PARTS_DOWN, T0);
    incidents.handleAlert(alert);
    incidents.handleAlert({ ...alert, status: 'resolved', endsAtMs: clock.nowMs() });
    const resolved = await app.inject({ method: 'POST', url: '/api/wk/incidents/1/acknowledge' });
    expect(resolved.statusCode).toBe(409);
    expect((await app.inject({ method: 'GET', url: '/api/wk/incidents?state=closed' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/wk/incidents/abc' })).statusCode).toBe(400);
  });

  it('shows a confirmation page for a link and acknowledges only on its button', async () => {
    const { app, incidents, rx, clock } = await setup();
    incidents.handleAlert(firing(PARTS_DOWN, T0));
    const path = new URL(rx.sent[0]!.acknowledgeURL!).pathname;

    const confirm = await app.inject({ method: 'GET', url: path });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(confirm.headers['referrer-policy']).toBe('no-referrer');
    expect(confirm.body).toContain('<form method="post">');
    expect(confirm.body).toContain('PartsOrderingSystemDown');
    expect(incidents.list()[0]!.state).toBe('triggered');

    const done = await app.inject({
      method: 'POST',
      url: path,
      payload: 'by=Kari+%3Cb%3E',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('was acknowledged by Kari &lt;b&gt; (link)');
    expect(incidents.list()[0]).toMatchObject({ state: 'acknowledged', acknowledged: { via: 'link' } });
    clock.advance(30 * MIN);
    expect(rx.firingAt(2)).toEqual([]);

    const again = await app.inject({ method: 'GET', url: path });
    expect(again.body).toContain('was acknowledged by Kari');
    const tampered = await app.inject({ method: 'GET', url: `${path.slice(0, -3)}AAA` });
    expect(tampered.statusCode).toBe(403);
    clock.advance(24 * 60 * MIN);
    expect((await app.inject({ method: 'POST', url: path })).statusCode).toBe(410);
  });

  it('takes PagerDuty webhooks with their signature over the raw body', async () => {
    const { app, incidents, rx } = await setup();
    incidents.handleAlert(firing(PARTS_DOWN, T0));
    await incidents.flush();
    // Spacing that a re-serialization would lose: the signature is over these exact bytes.
    const body = `{ "event": { "event_type": "incident.acknowledged", "agent": { "summary": "Kari" },
      "data": { "id": "P1", "incident_key": "${dedupKeyOf(rx.sent, 'pagerduty_revenue')}" } } }`;
    const signature = `v1=${createHmac('sha256', 'whsec').update(body).digest('hex')}`;
    const url = '/api/wk/integrations/pagerduty/webhook';
    const headers = { 'content-type': 'application/json; charset=utf-8' };

    const unsigned = await app.inject({ method: 'POST', url, payload: body, headers });
    expect(unsigned.statusCode).toBe(400);
    const forged = await app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { ...headers, 'x-pagerduty-signature': `v1=${'0'.repeat(64)}` },
    });
    expect(forged.statusCode).toBe(403);
    const good = await app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { ...headers, 'x-pagerduty-signature': signature },
    });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ data: { result: 'acknowledged' } });
    expect(incidents.list()[0]).toMatchObject({ state: 'acknowledged', acknowledged: { by: 'pagerduty:Kari' } });
  });

  it('shows suppression rules and decisions', async () => {
    const { app, incidents } = await setup();
    incidents.handleAlert(firing({ alertname: 'DatabaseDown', severity: 'critical' }, T0));
    incidents.suppression.isMuted(firing({ alertname: 'APIError', severity: 'critical' }, T0), T0);
    const res = await app.inject({ method: 'GET', url: '/api/wk/suppressions' });
    const data = res.json<{ data: { rules: { name: string; active: boolean }[]; decisions: { reason: string }[] } }>()
      .data;
    expect(data.rules.find((r) => r.name === 'Cascade prevention')?.active).toBe(true);
    expect(data.decisions[0]?.reason).toMatch(/^cascade prevention "Cascade prevention": DatabaseDown firing since/);
  });
});
