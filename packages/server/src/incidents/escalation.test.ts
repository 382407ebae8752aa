import { createHmac } from 'node:crypto';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/clock.js';
import { IncidentNotFoundError, IncidentResolvedError } from './errors.js';
import { Incidents, type IncidentsOptions } from './incidents.js';
import { incidentDedupKey } from './escalation.js';
import { CapturingReceivers, FakeRouting, firing, planConfig, resolved } from './test-support.js';

const MIN = 60_000;
/** Monday 2024-06-03 10:00 UTC. */
const T0 = Date.UTC(2024, 5, 3, 10, 0);
const PD_SECRET = 'pd-webhook-secret';

const PARTS_DOWN = {
  alertname: 'PartsOrderingSystemDown',
  severity: 'critical',
  team: 'revenue',
  service: 'parts-api',
};

function setup(options: Partial<IncidentsOptions> = {}, config = planConfig()) {
  const clock = new ManualClock(T0);
  const rx = new CapturingReceivers(() => clock.nowMs());
  const registry = new Registry();
  const incidents = Incidents.open({
    escalation: config.escalation,
    suppressionRules: config.suppressionRules,
    dir: ':memory:',
    clock,
    notifyReceiver: rx.notify,
    externalUrl: 'http://127.0.0.1:9800/',
    pagerDutyWebhookSecret: PD_SECRET,
    registry,
    ...options,
  });
  incidents.start();
  return { clock, rx, incidents, registry };
}

function pagerDutyAcknowledged(incidentKey: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      event: {
        id: '01DEN4HPBQAJUQN5SZGLY2RD2H',
        event_type: 'incident.acknowledged',
        resource_type: 'incident',
        occurred_at: '2024-06-03T10:07:00Z',
        agent: { id: 'PLH1HKV', summary: 'Kari Nordmann', type: 'user_reference' },
        data: { id: 'PGR0VU2', type: 'incident', status: 'acknowledged', incident_key: incidentKey },
      },
    }),
  );
}

const sign = (body: Buffer, secret = PD_SECRET): string =>
  `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('escalation (plan 7.2)', () => {
  it('runs level 1 at once, level 2 at 5m and level 3 at 15m while nobody acknowledges', async () => {
    const { clock, rx, incidents } = setup();
    incidents.handleAlert(firing(PARTS_DOWN, T0 - MIN));
    expect(rx.firingAt(1)).toEqual(['pagerduty_revenue', 'sms_oncall']);
    expect(rx.sent.every((s) => s.acknowledgeURL?.startsWith('http://127.0.0.1:9800/api/wk/ack/'))).toBe(true);

    clock.advance(5 * MIN - 1);
    expect(rx.firingAt(2)).toEqual([]);
    clock.advance(1);
    expect(rx.firingAt(2)).toEqual(['email_revenue_manager', 'sms_revenue_secondary']);
    expect(rx.sent.filter((s) => s.level === 2).every((s) => s.atMs === T0 + 5 * MIN)).toBe(true);

    clock.advance(10 * MIN);
    expect(rx.firingAt(3)).toEqual(['email_ceo', 'sms_cto']);
    expect(rx.sent.filter((s) => s.level === 3).every((s) => s.atMs === T0 + 15 * MIN)).toBe(true);

    const [incident] = incidents.list({ state: 'open' });
    expect(incident).toMatchObject({ policy: 'revenue_critical', state: 'triggered', level: 3, nextEscalation: null });
    expect(incident!.history.map((h) => h.kind)).toEqual(['opened', 'escalated', 'escalated', 'escalated']);

    clock.advance(60 * MIN);
    expect(rx.sent).toHaveLength(6);
    await incidents.close();
  });

  it('sends the resolved notice to every receiver that was notified, once each', async () => {
    const { clock, rx, incidents } = setup();
    const alert = firing(PARTS_DOWN, T0);
    incidents.handleAlert(alert);
    clock.advance(16 * MIN);
    incidents.handleAlert(resolved(alert, clock.nowMs()));
    expect(rx.resolvedTo()).toEqual([
      'email_ceo',
      'email_revenue_manager',
      'pagerduty_revenue',
      'sms_cto',
      'sms_oncall',
      'sms_revenue_secondary',
    ]);
    const [incident] = incidents.list({ state: 'resolved' });
    expect(incident).toMatchObject({ state: 'resolved', resolvedAt: new Date(T0 + 16 * MIN).toISOString() });
    clock.advance(60 * MIN);
    expect(rx.sent.filter((s) => s.status === 'firing')).toHaveLength(6);
    await incidents.close();
  });

  it('resolves only when every alert of the incident has resolved, and only notified receivers hear it', async () => {
    const { clock, rx, incidents } = setup();
    const a = firing({ ...PARTS_DOWN, instance: 'a' }, T0);
    const b = firing({ ...PARTS_DOWN, instance: 'b' }, T0);
    incidents.handleAlert(a);
    clock.advance(MIN);
    incidents.handleAlert(b);
    expect(incidents.list()).toHaveLength(1);
    clock.advance(MIN);
    incidents.handleAlert(resolved(a, clock.nowMs()));
    expect(incidents.list({ state: 'open' })).toHaveLength(1);
    clock.advance(MIN);
    incidents.handleAlert(resolved(b, clock.nowMs()));
    expect(incidents.list({ state: 'open' })).toHaveLength(0);
    expect(rx.resolvedTo()).toEqual(['pagerduty_revenue', 'sms_oncall']);
    await incidents.close();
  });

  it('selects the first policy whose matchers match and groups by alertname', async () => {
    const { rx, incidents } = setup();
    incidents.handleAlert(firing({ alertname: 'PaymentFailures', severity: 'critical', team: 'billing' }, T0));
    incidents.handleAlert(firing({ alertname: 'SlowSearch', severity: 'warning', team: 'revenue' }, T0));
    incidents.handleAlert(firing({ alertname: 'PaymentFailures', severity: 'critical', team: 'billing', i: '2' }, T0));
    const open = incidents.list({ state: 'open' });
    expect(open.map((i) => [i.policy, i.groupLabels])).toEqual([
      ['standard_critical', { alertname: 'PaymentFailures' }],
    ]);
    expect(open[0]!.alerts).toHaveLength(2);
    expect(rx.firingAt(1)).toEqual(['pagerduty_primary']);
    await incidents.close();
  });

  it('stops escalating when acknowledged through the API, and tells PagerDuty', async () => {
    const { clock, rx, incidents, registry } = setup();
    incidents.handleAlert(firing(PARTS_DOWN, T0));
    await incidents.flush();
    clock.advance(6 * MIN);
    const [open] = incidents.list({ state: 'open' });
    const acked = incidents.acknowledge(open!.id, 'kari', 'looking at parts-api');
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledged: { by: 'kari', via: 'api' } });
    await incidents.flush();
    const dedupKey = incidentDedupKey({ id: open!.id, key: open!.key });
    expect(rx.dedupKeyOf('pagerduty_revenue')).toBe(dedupKey);
    expect(rx.pagerDutyAcks).toEqual([{ receiver: 'pagerduty_revenue', dedupKey, atMs: T0 + 6 * MIN }]);
    // Only the receiver whose PagerDuty integration got a level hears the acknowledgement.
    expect(rx.sent.filter((s) => s.acknowledged).map((s) => s.receiver)).toEqual(['pagerduty_revenue']);
    clock.advance(60 * MIN);
    expect(rx.firingAt(3)).toEqual([]);
    expect(incidents.acknowledge(open!.id, 'ola').acknowledged?.by).toBe('kari');
    expect(await registry.getSingleMetricAsString('watchkeeper_incidents_acknowledged_total')).toContain(
      'watchkeeper_incidents_acknowledged_total{policy="revenue_critical",via="api"} 1',
    );
    expect(await registry.getSingleMetricAsString('watchkeeper_incidents_open')).toContain(
      'watchkeeper_incidents_open{policy="revenue_critical",state="acknowledged"} 1',
    );
    await incidents.close();
  });

  it('stops escalating when acknowledged through the link of a notification', async () => {
    const { clock, rx, incidents } = setup();
    incidents.handleAlert(firing(PARTS_DOWN, T0));
    const url = rx.sent[0]!.acknowledgeURL!;
    const token = url.slice(url.lastIndexOf('/') + 1);
    clock.advance(2 * MIN);
    const inspected = incidents.inspectAckLink(token);
    expect(inspected).toMatchObject({ ok: true, incident: { state: 'triggered' } });
    const outcome = incidents.acknowledgeByLink(token);
    expect(outcome).toMatchObject({ ok: true, incident: { state: 'acknowledged', acknowledged: { via: 'link' } } });
    clock.advance(30 * MIN);
    expect(rx.firingAt(2)).toEqual([]);
    expect(incidents.acknowledgeByLink(`${token.slice(0, -2)}xx`)).toEqual({ ok: false, reason: 'bad_signature' });
    await incidents.close();
  });

  it('refuses expired and tampered links, and links of resolved incidents', async () => {
    const { clock, rx, incidents } = setup();
    const alert = firing(PARTS_DOWN, T0);
    incidents.handleAlert(alert);
    const url = rx.sent[0]!.acknowledgeURL!;
    const token = url.slice(url.lastIndexOf('/') + 1);
    const [id, exp, sig] = token.split('.');
    expect(incidents.acknowledgeByLink(`${Number(id) + 1}.${exp}.${sig}`)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(incidents.acknowledgeByLink(`${id}.${Number(exp) + 3600}.${sig}`)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(incidents.acknowledgeByLink('not-a-token')).toEqual({ ok: false, reason: 'malformed' });
    incidents.handleAlert(resolved(alert, clock.nowMs()));
    expect(incidents.acknowledgeByLink(token)).toMatchObject({ ok: false, reason: 'resolved' });
    clock.advance(24 * 60 * MIN);
    expect(incidents.acknowledgeByLink(token)).toEqual({ ok: false, reason: 'expired' });
    await incidents.close();
  });

  it("stops escalating on PagerDuty's incident.acknowledged webhook, checking its signature", async () => {
    const { clock, rx, incidents } = setup();
    incidents.handleAlert(firing(PARTS_DOWN, T0));
    await incidents.flush();
    clock.advance(7 * MIN);
    const body = pagerDutyAcknowledged(rx.dedupKeyOf('pagerduty_revenue'));

    expect(incidents.handlePagerDutyWebhook(body, undefined).result).toBe('missing_signature');
    expect(incidents.handlePagerDutyWebhook(body, sign(body, 'wrong')).result).toBe('bad_signature');
    expect(incidents.handlePagerDutyWebhook(body, `${sign(body, 'old')},${sign(body)}`)).toMatchObject({
      result: 'acknowledged',
    });
    const [incident] = incidents.list();
    expect(incident).toMatchObject({
      state: 'acknowledged',
      acknowledged: { via: 'pagerduty', by: 'pagerduty:Kari Nordmann' },
    });
    await incidents.flush();
    // PagerDuty acknowledged it itself: nothing is sent back for the same dedup_key.
    expect(rx.pagerDutyAcks).toEqual([]);
    clock.advance(30 * MIN);
    expect(rx.firingAt(3)).toEqual([]);

    const other = Buffer.from(JSON.stringify({ event: { event_type: 'incident.resolved', data: {} } }));
    expect(incidents.handlePagerDutyWebhook(other, sign(other)).result).toBe('ignored');
    const unknown = pagerDutyAcknowledged('someone-else');
    expect(incidents.handlePagerDutyWebhook(unknown, sign(unknown)).result).toBe('ignored');
    const junk = Buffer.from('{not json');
    expect(incidents.handlePagerDutyWebhook(junk, sign(junk)).result).toBe('malformed');
    await incidents.close();
  });

  it('accepts unsigned webhooks when no secret is configured', async () => {
    const { rx, incidents } = setup({ pagerDutyWebhookSecret: undefined });
    incidents.handleAlert(firing(PARTS_DOWN, T0));
    await incidents.flush();
    const body = pagerDutyAcknowledged(rx.dedupKeyOf('pagerduty_revenue'));
    expect(incidents.handlePagerDutyWebhook(body, undefined).result).toBe('acknowledged');
    await incidents.close();
  });

  it('repeats the levels when configured and nobody acknowledges', async () => {
    const config = planConfig({
      escalation: {
        policies: {
          looping: {
            match: { severity: 'critical' },
            repeat: 2,
            repeat_interval: '20m',
            levels: [
              { delay: '0m', targets: ['first'] },
              { delay: '10m', targets: ['second'] },
            ],
          },
        },
      },
    });
    const { clock, rx, incidents } = setup({}, config);
    incidents.handleAlert(firing({ alertname: 'X', severity: 'critical' }, T0));
    clock.advance(120 * MIN);
    expect(rx.sent.map((s) => [(s.atMs - T0) / MIN, s.receiver])).toEqual([
      [0, 'first'],
      [10, 'second'],
      [20, 'first'],
      [30, 'second'],
      [40, 'first'],
      [50, 'second'],
    ]);
    expect(incidents.list()[0]).toMatchObject({ level: 2, cycle: 2 });
    await incidents.close();
  });

  it('skips a level whose alerts are all muted, and records why', async () => {
    const { clock, rx, incidents } = setup({
      isMutedElsewhere: (_a, nowMs) => (nowMs >= T0 + 4 * MIN ? 'silenced by 1a2b (maintenance)' : undefined),
    });
    incidents.handleAlert(firing(PARTS_DOWN, T0));
    clock.advance(5 * MIN);
    expect(rx.firingAt(2)).toEqual([]);
    const skipped = incidents.list()[0]!.history.find((h) => h.kind === 'level_skipped');
    expect(skipped).toMatchObject({ level: 2, detail: 'every firing alert is muted: silenced by 1a2b (maintenance)' });
    await incidents.close();
  });

  it('records failed notifications in the history', async () => {
    const { rx, incidents } = setup();
    rx.failing.add('sms_oncall');
    rx.unknown.add('pagerduty_revenue');
    incidents.handleAlert(firing(PARTS_DOWN, T0));
    await incidents.flush();
    const failed = incidents.list()[0]!.history.filter((h) => h.kind === 'notify_failed');
    expect(failed).toEqual([
      expect.objectContaining({
        receiver: 'pagerduty_revenue',
        level: 1,
        detail: 'unknown receiver "pagerduty_revenue"',
      }),
      expect.objectContaining({ receiver: 'sms_oncall', level: 1, detail: 'webhook[0]: HTTP 503' }),
    ]);
    await incidents.close();
  });

  it('throws typed errors for unknown and resolved incidents', async () => {
    const { incidents } = setup();
    expect(() => incidents.acknowledge(42, 'x')).toThrow(IncidentNotFoundError);
    const alert = firing(PARTS_DOWN, T0);
    incidents.handleAlert(alert);
    incidents.handleAlert(resolved(alert, T0));
    const [incident] = incidents.list();
    expect(() => incidents.acknowledge(incident!.id, 'x')).toThrow(IncidentResolvedError);
    await incidents.close();
  });
});

describe('escalation next to the routing tree (nobody is paged twice)', () => {
  // The plan's §7.1 route for revenue criticals: PagerDuty and SMS, as level 1 of revenue_critical.
  const routesToOncall = () =>
    new FakeRouting([
      { match: { severity: 'critical', team: 'revenue' }, receiver: 'pagerduty_revenue' },
      { match: { severity: 'critical', team: 'revenue' }, receiver: 'sms_oncall' },
    ]);

  it("leaves level 1's receivers to the route that pages them, and puts the incident's link into the route's notifications", async () => {
    const routing = routesToOncall();
    const { clock, rx, incidents } = setup({ routing });
    const alert = firing(PARTS_DOWN, T0);
    incidents.handleAlert(alert);
    expect(rx.sent).toEqual([]);
    const [opened] = incidents.list({ state: 'open' });
    expect(opened!.history[1]).toMatchObject({
      kind: 'escalated',
      level: 1,
      receivers: [],
      routed: ['pagerduty_revenue', 'sms_oncall'],
    });
    expect(incidents.escalation.acknowledgeUrlFor([alert.fingerprint], clock.nowMs())).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:9800/api/wk/ack/${opened!.id}\\.`),
    );
    // A notification with an alert of no incident gets no link.
    expect(incidents.escalation.acknowledgeUrlFor(['nobody'], clock.nowMs())).toBeUndefined();
    const other = firing({ alertname: 'SlowExports', severity: 'info' }, T0);
    incidents.handleAlert(other);
    expect(incidents.escalation.acknowledgeUrlFor([alert.fingerprint, other.fingerprint], clock.nowMs())).toBe(
      undefined,
    );

    routing.notify('pagerduty_revenue', PARTS_DOWN.alertname);
    routing.notify('sms_oncall', PARTS_DOWN.alertname);
    clock.advance(5 * MIN);
    expect(rx.firingAt(2)).toEqual(['email_revenue_manager', 'sms_revenue_secondary']);
    incidents.handleAlert(resolved(alert, clock.nowMs()));
    await incidents.flush();
    // The route sends its own resolved notices; the level-2 receivers hear it from the incident.
    expect(rx.resolvedTo()).not.toContain('pagerduty_revenue');
    expect(rx.resolvedTo()).toContain('sms_revenue_secondary');
    await incidents.close();
  });

  it("pages a routed receiver from the level when the route's time intervals mute it", async () => {
    const routing = routesToOncall();
    routing.timeMuted.add('sms_oncall');
    const { rx, incidents } = setup({ routing });
    incidents.handleAlert(firing(PARTS_DOWN, T0));
    expect(rx.firingAt(1)).toEqual(['sms_oncall']);
    await incidents.close();
  });

  it("reminds a receiver the route already paged under the route's group key, and leaves its resolved notice to the route", async () => {
    const routing = new FakeRouting([{ match: { severity: 'critical' }, receiver: 'slack_team_lead' }]);
    const { clock, rx, incidents } = setup({ routing });
    const down = { alertname: 'DatabaseDown', severity: 'critical', service: 'billing' };
    const alert = firing(down, T0);
    incidents.handleAlert(alert);
    routing.notify('slack_team_lead', 'DatabaseDown');
    clock.advance(10 * MIN);
    const reminder = rx.sent.find((s) => s.receiver === 'slack_team_lead');
    expect(reminder).toMatchObject({ level: 2, groupKey: FakeRouting.groupKey('slack_team_lead', 'DatabaseDown') });
    expect(reminder!.acknowledgeURL).toBeDefined();
    incidents.handleAlert(resolved(alert, clock.nowMs()));
    await incidents.flush();
    expect(rx.resolvedTo()).toEqual(['pagerduty_primary', 'sms_secondary']);
    await incidents.close();
  });

  it("acknowledges through the route's PagerDuty incident and acknowledges it there", async () => {
    const routing = routesToOncall();
    const { clock, rx, incidents } = setup({ routing });
    incidents.handleAlert(firing(PARTS_DOWN, T0));
    const routeKey = FakeRouting.dedupKey('pagerduty_revenue', PARTS_DOWN.alertname);
    // Not yet notified by the route: PagerDuty cannot know the key.
    const early = pagerDutyAcknowledged(routeKey);
    expect(incidents.handlePagerDutyWebhook(early, sign(early)).result).toBe('ignored');

    routing.notify('pagerduty_revenue', PARTS_DOWN.alertname);
    routing.notify('sms_oncall', PARTS_DOWN.alertname);
    clock.advance(2 * MIN);
    const body = pagerDutyAcknowledged(routeKey);
    const [opened] = incidents.list({ state: 'open' });
    expect(incidents.handlePagerDutyWebhook(body, sign(body))).toEqual({
      result: 'acknowledged',
      incidentId: opened!.id,
    });
    clock.advance(20 * MIN);
    expect(rx.firingAt(2)).toEqual([]);
    // PagerDuty said so itself: nothing goes back.
    expect(rx.pagerDutyAcks).toEqual([]);
    await incidents.close();

    // Acknowledged through the API instead: PagerDuty's route incident gets `acknowledge`, and
    // only the receiver's PagerDuty integrations are told.
    const r = routesToOncall();
    const second = setup({ routing: r });
    second.incidents.handleAlert(firing(PARTS_DOWN, T0));
    r.notify('pagerduty_revenue', PARTS_DOWN.alertname);
    r.notify('sms_oncall', PARTS_DOWN.alertname);
    const [inc] = second.incidents.list({ state: 'open' });
    second.incidents.acknowledge(inc!.id, 'alice');
    await second.incidents.flush();
    expect(second.rx.pagerDutyAcks).toEqual([{ receiver: 'pagerduty_revenue', dedupKey: routeKey, atMs: T0 }]);
    expect(second.rx.sent.find((s) => s.acknowledged)?.integrations).toEqual(['pagerduty']);
    await second.incidents.close();
  });
});
