/**
 * incidents/ wired to alerting/'s real Alertmanager (store, dispatcher, real PagerDuty and webhook
 * notifiers) with local receivers capturing the HTTP requests, on a manual clock.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Alertmanager, parseAlertmanagerConfig } from '../alerting/index.js';
import { resolveConfig } from '../config/index.js';
import { ManualClock } from '../lib/clock.js';
import { alertmanagerPorts, alertStoreSubscription } from './alertmanager-ports.js';
import { IncidentsConfigError } from './errors.js';
import { Incidents } from './incidents.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 5, 3, 10, 0);

interface Captured {
  path: string;
  body: Record<string, unknown>;
}

async function captureServer(): Promise<{ server: Server; base: string; requests: Captured[] }> {
  const requests: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        path: req.url ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      res.writeHead(req.url?.startsWith('/pd') ? 202 : 200, { 'content-type': 'application/json' });
      res.end('{"status":"success"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function setup() {
  const { server, base, requests } = await captureServer();
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const hook = (name: string) => `  - name: ${name}\n    webhook_configs: [{ url: '${base}/hook/${name}' }]\n`;
  const yaml =
    `route:\n  receiver: default\n  group_wait: 1h\nreceivers:\n` +
    hook('default') +
    `  - name: pagerduty_revenue\n    pagerduty_configs: [{ routing_key: '0123456789abcdef0123456789abcdef', url: '${base}/pd/enqueue' }]\n` +
    hook('sms_oncall') +
    hook('email_revenue_manager') +
    hook('sms_cto');
  const clock = new ManualClock(T0);
  const am = Alertmanager.open({ config: parseAlertmanagerConfig(yaml), clock, externalURL: 'http://127.0.0.1:9800' });
  closers.push(() => am.close());
  const config = resolveConfig(
    {
      escalation: {
        targets: { oncall_revenue_primary: ['pagerduty_revenue', 'sms_oncall'] },
        policies: {
          revenue_critical: {
            matchers: ['severity="critical"', 'team="revenue"'],
            levels: [
              { delay: '0m', targets: ['oncall_revenue_primary'] },
              { delay: '5m', targets: ['email_revenue_manager'] },
              { delay: '15m', targets: ['sms_cto'] },
            ],
          },
        },
      },
    },
    'test.yml',
  );
  const incidents = Incidents.open({
    escalation: config.escalation,
    suppressionRules: config.suppressionRules,
    ...alertmanagerPorts(am, clock),
    dir: ':memory:',
    clock,
    externalUrl: 'http://127.0.0.1:9800',
    pagerDutyWebhookSecret: 'whsec',
  });
  closers.push(() => incidents.close());
  am.dispatcher.addMuteStage(incidents.suppression);
  incidents.start(alertStoreSubscription(am.store));
  return { clock, am, incidents, requests };
}

describe('incidents/ with the real Alertmanager', () => {
  it('escalates, acknowledges through PagerDuty and resolves with one dedup_key', async () => {
    const { clock, am, incidents, requests } = await setup();
    const labels = { alertname: 'PartsOrderingSystemDown', severity: 'critical', team: 'revenue' };
    // As Prometheus sends it: an end well ahead, moved on by re-sends.
    am.send([{ labels, startsAt: new Date(T0 - MIN).toISOString(), endsAt: new Date(T0 + 60 * MIN).toISOString() }]);
    await incidents.flush();
    const pd = () => requests.filter((r) => r.path === '/pd/enqueue').map((r) => r.body);
    expect(pd()).toHaveLength(1);
    const trigger = pd()[0]!;
    expect(trigger).toMatchObject({ event_action: 'trigger' });
    const links = trigger.links as { href: string; text: string }[];
    expect(links.some((l) => l.href.startsWith('http://127.0.0.1:9800/api/wk/ack/'))).toBe(true);
    expect(requests.map((r) => r.path).sort()).toEqual(['/hook/sms_oncall', '/pd/enqueue']);

    clock.advance(5 * MIN);
    await incidents.flush();
    expect(requests.map((r) => r.path)).toContain('/hook/email_revenue_manager');

    const body = Buffer.from(
      JSON.stringify({
        event: {
          event_type: 'incident.acknowledged',
          agent: { summary: 'Kari' },
          data: { id: 'P1', incident_key: trigger.dedup_key },
        },
      }),
    );
    const signature = `v1=${createHmac('sha256', 'whsec').update(body).digest('hex')}`;
    expect(incidents.handlePagerDutyWebhook(body, signature).result).toBe('acknowledged');
    clock.advance(20 * MIN);
    await incidents.flush();
    expect(requests.map((r) => r.path)).not.toContain('/hook/sms_cto');

    am.send([{ labels, startsAt: new Date(T0 - MIN).toISOString(), endsAt: new Date(clock.nowMs()).toISOString() }]);
    await incidents.flush();
    expect(pd().map((b) => [b.event_action, b.dedup_key])).toEqual([
      ['trigger', trigger.dedup_key],
      ['resolve', trigger.dedup_key],
    ]);
    const webhookResolved = requests.filter((r) => r.path === '/hook/sms_oncall').map((r) => r.body.status);
    expect(webhookResolved).toEqual(['firing', 'resolved']);
    expect(incidents.list()[0]).toMatchObject({ state: 'resolved' });
  });

  it('sends PagerDuty acknowledge when acknowledged here', async () => {
    const { am, incidents, requests } = await setup();
    am.send([{ labels: { alertname: 'PaymentProcessingDown', severity: 'critical', team: 'revenue' } }]);
    await incidents.flush();
    const [incident] = incidents.list();
    incidents.acknowledge(incident!.id, 'kari');
    await incidents.flush();
    const pd = requests.filter((r) => r.path === '/pd/enqueue').map((r) => r.body);
    expect(pd.map((b) => b.event_action)).toEqual(['trigger', 'acknowledge']);
    expect(pd[1]!.dedup_key).toBe(pd[0]!.dedup_key);
  });

  it('refuses targets that are not receivers of alertmanager.yml', async () => {
    const clock = new ManualClock(T0);
    const am = Alertmanager.open({
      config: parseAlertmanagerConfig('route:\n  receiver: a\nreceivers:\n  - name: a\n'),
      clock,
      externalURL: 'http://127.0.0.1:9800',
    });
    closers.push(() => am.close());
    const config = resolveConfig({ escalation: { policies: { p: { levels: [{ targets: ['b'] }] } } } }, 'test.yml');
    expect(() =>
      Incidents.open({
        escalation: config.escalation,
        suppressionRules: [],
        ...alertmanagerPorts(am, clock),
        dir: ':memory:',
        clock,
        externalUrl: 'http://127.0.0.1:9800',
      }),
    ).toThrow(IncidentsConfigError);
  });
});
