/**
 * The alerting scenarios of issue 5's "Done when", end to end on the simulated clock: the whole
 * server (main.ts's startServer) with the repository's configuration — config/rules, the routes
 * and receivers of config/alertmanager.yml, the escalation policies and suppression rules of
 * config/watchkeeper.yml — scraping real local targets, and notifying real local receivers: Slack,
 * PagerDuty Events v2, the SMS gateway and generic webhooks over HTTP, e-mail over SMTP.
 *
 * Times are simulated and exact: each notification is stamped with the clock's time when it
 * arrived (alerting-scenario-harness.ts). Where a time depends on schedules the test does not
 * choose (a target's scrape offset hashes its random port, a rule group's evaluation offset hashes
 * its file), the test reads the anchor from the system (the first failed scrape, the evaluation
 * that saw it) and asserts every later time exactly from there.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { pagerdutyDedupKey } from '../../packages/server/src/alerting/index.js';
import { incidentDedupKey, type IncidentView } from '../../packages/server/src/incidents/index.js';
import {
  type Delivery,
  ExporterTarget,
  MIN,
  Scenario,
  type ScenarioOptions,
  SEC,
} from './alerting-scenario-harness.js';

const PARTS = 'PartsOrderingSystemDown';
/** Wednesday 2026-11-25 09:00 UTC: office hours, far from the Sunday maintenance window. */
const WEDNESDAY_0900_UTC = Date.UTC(2026, 10, 25, 9, 0);
/** Sunday 2026-11-29 02:30 in Europe/Oslo (CET, UTC+1): inside the maintenance window. */
const SUNDAY_0230_OSLO = Date.UTC(2026, 10, 29, 1, 30);
/** Sunday 2026-11-29 04:00 in Europe/Oslo: the end of the maintenance window. */
const SUNDAY_0400_OSLO = Date.UTC(2026, 10, 29, 3, 0);
const PD_WEBHOOK_SECRET = 'scenario-webhook-secret';
const AMTOOL = process.env['AMTOOL_BIN'] ?? '/usr/bin/amtool';

const iso = (ms: number): string => new Date(ms).toISOString();

// ---- Lifecycle: everything a test starts is stopped after it ----

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function target(body: () => string): Promise<ExporterTarget> {
  const t = await ExporterTarget.start(body);
  cleanups.push(() => t.stop());
  return t;
}

async function scenario(options: ScenarioOptions): Promise<Scenario> {
  const s = await Scenario.start(options);
  cleanups.push(() => s.close());
  return s;
}

// ---- Reading the system ----

function targetHealth(s: Scenario, job: string): { health: string; lastScrapeMs: number } {
  const t = s.server.scrapeManager.targets().activeTargets.find((a) => a.scrapePool === job);
  if (!t) throw new Error(`no target of job ${job}`);
  return { health: t.health, lastScrapeMs: Date.parse(t.lastScrape) };
}

interface ApiAlert {
  labels: Record<string, string>;
  status: { state: string; silencedBy: string[]; inhibitedBy: string[]; mutedBy?: string[] };
  startsAt: string;
}

async function alertmanagerAlerts(s: Scenario, alertname: string): Promise<ApiAlert[]> {
  const { body } = await s.api(`/api/v2/alerts?filter=${encodeURIComponent(`alertname="${alertname}"`)}`);
  return body as ApiAlert[];
}

async function openIncidents(s: Scenario): Promise<IncidentView[]> {
  const { body } = await s.api('/api/wk/incidents?state=open');
  return (body as { data: IncidentView[] }).data;
}

async function incident(s: Scenario, id: number): Promise<IncidentView> {
  const { body } = await s.api(`/api/wk/incidents/${id}`);
  return (body as { data: IncidentView }).data;
}

/** The PagerDuty dedup_key of the dispatcher's group for `receiver` holding `alertname`. */
function routeDedupKey(s: Scenario, receiver: string, alertname: string): string {
  const group = s.server.alertmanager.dispatcher
    .groups()
    .find((g) => g.receiver === receiver && g.alerts.some((a) => a.labels['alertname'] === alertname));
  if (!group) throw new Error(`no group of ${receiver} holds ${alertname}`);
  return pagerdutyDedupKey(group.groupKey);
}

/**
 * `+Ns channel:to status` per delivery, relative to `t0`, sorted by time then text; PagerDuty's
 * dedup_key shown by its name in `keys`, `+ack` when an acknowledgement link is in it.
 */
function lines(deliveries: readonly Delivery[], t0: number, keys = new Map<string, string>()): string[] {
  return deliveries
    .map((d) => {
      const key = d.dedupKey === undefined ? '' : ` [${keys.get(d.dedupKey) ?? d.dedupKey.slice(0, 8)}]`;
      return `${(d.atMs - t0) / 1000}s ${d.channel}:${d.to} ${d.status}${key}${d.ackURL !== undefined ? ' +ack' : ''}`;
    })
    .sort((a, b) => parseFloat(a) - parseFloat(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Where each notice went (channel, recipient, PagerDuty key), one entry per notification, sorted. */
function recipients(deliveries: readonly Delivery[], status: Delivery['status']): string[] {
  return deliveries
    .filter((d) => d.status === status)
    .map((d) => `${d.channel}:${d.to}${d.dedupKey === undefined ? '' : `:${d.dedupKey}`}`)
    .sort();
}

const since = (deliveries: readonly Delivery[], atMs: number): Delivery[] => deliveries.filter((d) => d.atMs >= atMs);

/** The first tick of a group created at `createdAtMs` at or after `atMs` (group_wait, then every group_interval). */
function groupTickAtOrAfter(createdAtMs: number, groupWaitMs: number, groupIntervalMs: number, atMs: number): number {
  const first = createdAtMs + groupWaitMs;
  return atMs <= first ? first : first + Math.ceil((atMs - first) / groupIntervalMs) * groupIntervalMs;
}

// ---- Scenario 1: parts-api goes down ----

interface PartsOutage {
  s: Scenario;
  parts: ExporterTarget;
  /** The first scrape of parts-api that failed. */
  downAtMs: number;
  /** The evaluation that saw it: PartsOrderingSystemDown pending. */
  pendingAtMs: number;
  /** Firing, 1m later: the incident opens. */
  firingAtMs: number;
  incident: IncidentView;
  /** PagerDuty's dedup_keys by name: the incident's (escalation levels) and the route's. */
  keys: Map<string, string>;
}

/**
 * parts-api answers its scrapes for 2 minutes, then stops listening: `up` 0, the alert pending at
 * the next evaluation and firing 1 minute later. Returns when it fires.
 */
async function partsApiGoesDown(options: Partial<ScenarioOptions> = {}): Promise<PartsOutage> {
  const parts = await target(() => '# TYPE parts_api_build_info gauge\nparts_api_build_info{version="1.4.2"} 1\n');
  const s = await scenario({ startMs: WEDNESDAY_0900_UTC, jobs: { 'parts-api': parts.address }, ...options });
  await s.clock.run(2 * MIN);
  expect(targetHealth(s, 'parts-api').health).toBe('up');
  expect(s.ruleAlerts(PARTS)).toEqual([]);

  await parts.stop();
  await s.clock.runUntilTrue(() => targetHealth(s, 'parts-api').health === 'down', 30 * SEC, 'a failed scrape');
  const downAtMs = targetHealth(s, 'parts-api').lastScrapeMs;
  const pendingAtMs = await s.clock.runUntilTrue(() => s.ruleAlerts(PARTS).length > 0, 30 * SEC, 'pending');
  // The first evaluation (every 15 s) after the failed scrape.
  expect(pendingAtMs - downAtMs).toBeGreaterThanOrEqual(0);
  expect(pendingAtMs - downAtMs).toBeLessThan(15 * SEC);
  const { body } = await s.api('/api/v1/alerts');
  const apiAlerts = (
    body as { data: { alerts: { labels: Record<string, string>; state: string; activeAt: string }[] } }
  ).data.alerts;
  expect(apiAlerts).toMatchObject([
    { labels: { alertname: PARTS, job: 'parts-api', severity: 'critical', team: 'revenue' }, state: 'pending' },
  ]);
  expect(Date.parse(apiAlerts[0]!.activeAt)).toBe(pendingAtMs);

  // Pending for its `for: 1m`: nobody hears of it.
  await s.clock.runUntil(pendingAtMs + MIN - 1);
  expect(s.ruleAlerts(PARTS)[0]!.state).toBe('pending');
  expect(s.deliveries).toEqual([]);
  await s.clock.runUntil(pendingAtMs + MIN);
  const [alert] = s.ruleAlerts(PARTS);
  expect(alert).toMatchObject({ state: 'firing', activeAtMs: pendingAtMs, firedAtMs: pendingAtMs + MIN });
  const firingAtMs = pendingAtMs + MIN;

  const [opened, ...others] = await openIncidents(s);
  expect(others).toEqual([]);
  expect(opened).toMatchObject({ policy: 'revenue_critical', state: 'triggered', level: 1, startsAt: iso(firingAtMs) });
  const keys = new Map([
    [incidentDedupKey(opened!), 'incident'],
    [routeDedupKey(s, 'pagerduty_revenue', PARTS), 'route'],
  ]);
  return { s, parts, downAtMs, pendingAtMs, firingAtMs, incident: opened!, keys };
}

/**
 * What the revenue-critical receivers get when it fires: the route's receivers after group_wait
 * (10 s), each with the incident's acknowledgement link. Level 1 (PagerDuty + SMS at once) leaves
 * them to the route, which already pages exactly them: nobody is paged twice.
 */
const FIRING_NOTICES = [
  '10s pagerduty:revenue-placeholder-key firing [route] +ack',
  '10s slack:#revenue-critical firing +ack',
  '10s sms:+4700000000 firing +ack',
];
const LEVEL_2 = [
  '300s email:revenue-manager@sms.example firing +ack',
  '300s sms:+4700000001 firing +ack',
  '300s sms:+4700000002 firing +ack',
];
const LEVEL_3 = [
  '900s email:ceo@sms.example firing +ack',
  '900s email:cto@sms.example firing +ack',
  '900s webhook:/webhook/callout/ceo firing +ack',
  '900s webhook:/webhook/callout/cto firing +ack',
];

/**
 * parts-api answers again: the alert resolves at the next evaluation, the incident resolves and
 * its resolved notices go out at once; the route's groups send theirs at their next tick
 * (group_interval 5m from the first flush, 10 s after firing). Returns the time it resolved.
 */
async function partsApiRecovers(o: PartsOutage): Promise<{ resolvedAtMs: number; routeTickMs: number }> {
  const { s, firingAtMs } = o;
  await o.parts.start();
  const resolvedAtMs = await s.clock.runUntilTrue(() => s.ruleAlerts(PARTS).length === 0, MIN, 'resolved');
  const view = await incident(s, o.incident.id);
  expect(view).toMatchObject({ state: 'resolved', resolvedAt: iso(resolvedAtMs) });
  const routeTickMs = groupTickAtOrAfter(firingAtMs, 10 * SEC, 5 * MIN, resolvedAtMs);
  await s.clock.runUntil(routeTickMs + MIN);
  return { resolvedAtMs, routeTickMs };
}

describe('scenario 1: parts-api goes down', () => {
  it('pending, firing after 1m, to PagerDuty, Slack and SMS; level 2 at 5m, level 3 at 15m; recovery resolves everywhere', async () => {
    const o = await partsApiGoesDown();
    const { s, firingAtMs: F, keys } = o;
    await s.clock.runUntil(F + 20 * MIN);
    expect(lines(s.deliveries, F, keys)).toEqual([...FIRING_NOTICES, ...LEVEL_2, ...LEVEL_3]);
    for (const d of s.deliveries) {
      if (d.channel === 'webhook') expect(d.alerts).toEqual([`${PARTS}/firing`]);
      else expect(d.title).toMatch(/^\[FIRING:1\] PartsOrderingSystemDown \(.*parts-api critical revenue\)$/);
    }
    // Every firing notice, the route's and the levels', carries the link that acknowledges this incident.
    for (const d of s.deliveries) {
      expect(d.ackURL).toMatch(new RegExp(`^${s.server.url}/api/wk/ack/${o.incident.id}\\.`));
    }
    const view = await incident(s, o.incident.id);
    expect(view).toMatchObject({ state: 'triggered', level: 3, nextEscalation: null, acknowledged: null });
    // Level 1 ran at F and left its receivers to their routes.
    expect(view.history.find((h) => h.kind === 'escalated')).toMatchObject({
      at: iso(F),
      level: 1,
      receivers: [],
      routed: ['pagerduty_revenue', 'sms_oncall'],
    });
    expect(view.notified.map((n) => `${n.level} ${n.receiver} ${(Date.parse(n.at) - F) / 1000}s`)).toEqual([
      '2 sms_oncall_secondary 300s',
      '2 escalation_revenue_manager 300s',
      '3 escalation_cto 900s',
      '3 escalation_ceo 900s',
    ]);
    const firing = s.deliveries.length;

    const { resolvedAtMs: R, routeTickMs } = await partsApiRecovers(o);
    // Only the 10 resolved notices follow (Prometheus re-sends the alert every minute meanwhile).
    expect(s.deliveries.length).toBe(firing + 10);
    expect(lines(since(s.deliveries, R), R, keys)).toEqual([
      '0s email:ceo@sms.example resolved',
      '0s email:cto@sms.example resolved',
      '0s email:revenue-manager@sms.example resolved',
      '0s sms:+4700000001 resolved',
      '0s sms:+4700000002 resolved',
      '0s webhook:/webhook/callout/ceo resolved',
      '0s webhook:/webhook/callout/cto resolved',
      `${(routeTickMs - R) / 1000}s pagerduty:revenue-placeholder-key resolved [route]`,
      `${(routeTickMs - R) / 1000}s slack:#revenue-critical resolved`,
      `${(routeTickMs - R) / 1000}s sms:+4700000000 resolved`,
    ]);
    // Everywhere that got the firing notice, once per firing notice.
    expect(recipients(s.deliveries, 'resolved')).toEqual(recipients(s.deliveries, 'firing'));
  });

  it('acknowledged through the API after level 2: PagerDuty gets acknowledge, level 3 never comes', async () => {
    const o = await partsApiGoesDown();
    const { s, firingAtMs: F, keys } = o;
    await s.clock.runUntil(F + 7 * MIN);
    expect(lines(s.deliveries, F, keys)).toEqual([...FIRING_NOTICES, ...LEVEL_2]);

    const ack = await s.api(`/api/wk/incidents/${o.incident.id}/acknowledge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'alice', comment: 'restarting parts-api' }),
    });
    expect(ack.status).toBe(200);
    expect((ack.body as { data: IncidentView }).data).toMatchObject({
      state: 'acknowledged',
      acknowledged: { at: iso(F + 7 * MIN), by: 'alice', via: 'api', comment: 'restarting parts-api' },
      nextEscalation: null,
    });
    // The PagerDuty incident the route opened is acknowledged there too.
    expect(lines(since(s.deliveries, F + 7 * MIN), F, keys)).toEqual([
      '420s pagerduty:revenue-placeholder-key acknowledge [route]',
    ]);

    await s.clock.runUntil(F + 20 * MIN);
    expect(lines(since(s.deliveries, F + 7 * MIN + 1), F, keys)).toEqual([]);
    const view = await incident(s, o.incident.id);
    expect(view.history.filter((h) => h.kind === 'escalated').map((h) => h.level)).toEqual([1, 2]);

    const { resolvedAtMs: R } = await partsApiRecovers(o);
    expect(recipients(since(s.deliveries, R), 'resolved')).toEqual(recipients(s.deliveries, 'firing'));
    expect(s.deliveries.some((d) => /c[et]o/.test(d.to))).toBe(false);
  });

  it('acknowledged through the link in a level-2 SMS: the link shows a page, only its button acknowledges', async () => {
    const o = await partsApiGoesDown();
    const { s, firingAtMs: F, keys } = o;
    await s.clock.runUntil(F + 6 * MIN);
    const sms = s.deliveries.find((d) => d.channel === 'sms' && d.to === '+4700000001');
    expect(sms?.ackURL).toBeDefined();
    const link = sms!.ackURL!;

    // Opening the link (a chat unfurler, a mail scanner) acknowledges nothing. No login needed: the link is signed.
    const page = await s.api(new URL(link).pathname, {}, { anonymous: true });
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Acknowledge incident #${o.incident.id}`);
    expect((await incident(s, o.incident.id)).state).toBe('triggered');

    const confirmed = await s.api(
      new URL(link).pathname,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'by=bob',
      },
      { anonymous: true },
    );
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('was acknowledged by bob (link)');
    expect(await incident(s, o.incident.id)).toMatchObject({
      state: 'acknowledged',
      acknowledged: { at: iso(F + 6 * MIN), by: 'bob (link)', via: 'link' },
    });
    expect(lines(since(s.deliveries, F + 6 * MIN), F, keys)).toEqual([
      '360s pagerduty:revenue-placeholder-key acknowledge [route]',
    ]);

    // Past level 3's time: nothing more.
    await s.clock.runUntil(F + 16 * MIN);
    expect(lines(since(s.deliveries, F + 6 * MIN + 1), F, keys)).toEqual([]);
  });

  it('acknowledged in PagerDuty (signed webhook v3) after the first page: no level 2 or 3, nothing sent back', async () => {
    const o = await partsApiGoesDown({ pagerDutyWebhookSecret: PD_WEBHOOK_SECRET });
    const { s, firingAtMs: F, keys } = o;
    await s.clock.runUntil(F + 2 * MIN);
    expect(lines(s.deliveries, F, keys)).toEqual(FIRING_NOTICES);
    // The one PagerDuty incident there is: the route's.
    const pagerDutyKey = s.deliveries.find((d) => d.channel === 'pagerduty')!.dedupKey!;
    expect(keys.get(pagerDutyKey)).toBe('route');

    const forged = await s.pagerDutyAcknowledged(pagerDutyKey, 'not-the-secret');
    expect(forged.status).toBe(403);
    expect((await incident(s, o.incident.id)).state).toBe('triggered');
    const unknown = await s.pagerDutyAcknowledged('0'.repeat(64), PD_WEBHOOK_SECRET);
    expect(unknown.body).toMatchObject({ data: { result: 'ignored' } });
    expect((await incident(s, o.incident.id)).state).toBe('triggered');

    const ack = await s.pagerDutyAcknowledged(pagerDutyKey, PD_WEBHOOK_SECRET);
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ data: { result: 'acknowledged', incidentId: o.incident.id } });
    expect(await incident(s, o.incident.id)).toMatchObject({
      state: 'acknowledged',
      acknowledged: { at: iso(F + 2 * MIN), by: 'pagerduty:Tenex Engineer', via: 'pagerduty' },
    });

    await s.clock.runUntil(F + 16 * MIN);
    // No acknowledge back to PagerDuty (it said so itself), no level 2, no level 3.
    expect(lines(since(s.deliveries, F + 2 * MIN), F, keys)).toEqual([]);

    const { resolvedAtMs: R } = await partsApiRecovers(o);
    expect(recipients(since(s.deliveries, R), 'resolved')).toEqual(recipients(s.deliveries, 'firing'));
  });
});

// ---- Scenario 2: suppression ----

/** A service's pool gauges: `used` of 20 connections. */
const poolExposition = (used: number): string =>
  '# TYPE db_connection_pool_used gauge\n' +
  `db_connection_pool_used{pool_name="main"} ${used}\n` +
  '# TYPE db_connection_pool_size gauge\n' +
  'db_connection_pool_size{pool_name="main"} 20\n';

const POOL = 'DatabaseConnectionPoolExhausted';
const PAYMENT = 'PaymentProcessingDown';

describe('scenario 2: maintenance window, cascade prevention, flaky services, silences', () => {
  it('Sunday 02:30 Oslo: the maintenance window mutes warnings, not criticals', async () => {
    const payments = await target(() => 'payment_processor_ready 1\n');
    const billing = await target(() => poolExposition(19));
    await payments.stop();
    const s = await scenario({
      startMs: SUNDAY_0230_OSLO,
      jobs: { 'payment-processor': payments.address, billing: billing.address },
    });
    // Critical: PaymentProcessingDown (for 2m). Warning: the billing pool at 95% (for 5m).
    const warningAt = await s.clock.runUntilTrue(
      () => s.ruleAlerts(POOL)[0]?.state === 'firing',
      7 * MIN,
      `${POOL} firing`,
    );
    await s.clock.runUntil(warningAt + 5 * MIN);
    const criticalAt = s.ruleAlerts(PAYMENT)[0]!.firedAtMs!;
    expect(criticalAt).toBeLessThan(warningAt);

    // The critical notifies as on any other day: escalation levels 1 and 2, and its routes.
    const [paymentIncident] = await openIncidents(s);
    const keys = new Map([
      [incidentDedupKey(paymentIncident!), 'incident'],
      [routeDedupKey(s, 'pagerduty_revenue', PAYMENT), 'route'],
    ]);
    expect(lines(s.deliveries, criticalAt, keys)).toEqual([...FIRING_NOTICES, ...LEVEL_2]);
    expect(s.deliveries.every((d) => d.title.includes(PAYMENT))).toBe(true);

    // The warning: muted by the window, and only by it (the payment processor's critical alert
    // does not inhibit billing's warning).
    const [pool] = await alertmanagerAlerts(s, POOL);
    expect(pool!.status).toMatchObject({ state: 'suppressed', silencedBy: [], inhibitedBy: [] });
    expect(pool!.status.mutedBy).toEqual([
      expect.stringMatching(
        /^maintenance window "Maintenance window" \(schedule "\* 2-3 \* \* SUN", since 2026-11-29 02:00 Europe\/Oslo until 2026-11-29 04:00 Europe\/Oslo\)$/,
      ),
    ]);
    const [payment] = await alertmanagerAlerts(s, PAYMENT);
    expect(payment!.status).toMatchObject({ state: 'active', silencedBy: [], inhibitedBy: [] });
    expect(payment!.status.mutedBy).toBeUndefined();
  });

  it('Sunday 03:50 Oslo: a warning muted by the window notifies at its first flush after 04:00', async () => {
    const billing = await target(() => poolExposition(19));
    const s = await scenario({ startMs: SUNDAY_0400_OSLO - 10 * MIN, jobs: { billing: billing.address } });
    const warningAt = await s.clock.runUntilTrue(
      () => s.ruleAlerts(POOL)[0]?.state === 'firing',
      7 * MIN,
      `${POOL} firing`,
    );
    expect(warningAt).toBeLessThan(SUNDAY_0400_OSLO - 30 * SEC);
    // The warnings route: group_wait 30s (inside the window: muted), then every 5m.
    const notifyAt = groupTickAtOrAfter(warningAt, 30 * SEC, 5 * MIN, SUNDAY_0400_OSLO);
    await s.clock.runUntil(notifyAt - 1);
    expect(s.deliveries).toEqual([]);
    await s.clock.runUntil(notifyAt + MIN);
    expect(lines(s.deliveries, notifyAt)).toEqual([
      '0s email:engineering@sms.example firing',
      '0s slack:#warnings firing',
    ]);
    expect(s.deliveries.map((d) => d.title)).toEqual([
      expect.stringMatching(/^\[FIRING:1\] DatabaseConnectionPoolExhausted /),
      expect.stringMatching(/^\[FIRING:1\] DatabaseConnectionPoolExhausted /),
    ]);
  });

  it('DatabaseDown mutes APIError and SyncFailure for 30m from its start; then they notify', async () => {
    const live: { s?: Scenario; failingSinceMs?: number } = {};
    const startMs = WEDNESDAY_0900_UTC;
    /** Requests per second since the start, or since the database went down. */
    const count = (perSecond: number, fromMs: number | undefined): number =>
      fromMs === undefined || !live.s ? 0 : Math.floor(((live.s.clock.nowMs() - fromMs) / 1000) * perSecond);
    const postgres = await target(() => 'pg_up 1\n');
    // billing answers 1 request per second with a 5xx once the database is down.
    const billing = await target(
      () => `# TYPE errors_total counter\nerrors_total{type="http_5xx"} ${count(1, live.failingSinceMs)}\n`,
    );
    // sync: half an upload per second fails; reads keep the overall 5xx ratio under HighErrorRate's 1%.
    const sync = await target(
      () =>
        '# TYPE http_requests_total counter\n' +
        `http_requests_total{endpoint="/api/sync/upload",method="POST",status="200"} ${count(10, startMs)}\n` +
        `http_requests_total{endpoint="/api/sync/upload",method="POST",status="500"} ${count(0.5, live.failingSinceMs)}\n` +
        `http_requests_total{endpoint="/api/sync/records",method="GET",status="200"} ${count(200, startMs)}\n`,
    );
    const s = await scenario({
      startMs,
      jobs: { postgres: postgres.address, billing: billing.address, sync: sync.address },
    });
    live.s = s;
    await s.clock.run(3 * MIN);
    await postgres.stop();
    live.failingSinceMs = s.clock.nowMs();
    const firedAt = (name: string): number | undefined =>
      s.ruleAlerts(name).find((a) => a.state === 'firing')?.firedAtMs;
    const D = await s.clock.runUntilTrue(() => firedAt('DatabaseDown') !== undefined, 2 * MIN, 'DatabaseDown');
    await s.clock.runUntilTrue(
      () => firedAt('APIError') !== undefined && firedAt('SyncFailure') !== undefined,
      10 * MIN,
      'APIError and SyncFailure firing',
    );
    const apiErrorAt = firedAt('APIError')!;
    const syncFailureAt = firedAt('SyncFailure')!;

    // Muted by cascade prevention, and by nothing else (DatabaseDown's job is postgres).
    for (const name of ['APIError', 'SyncFailure']) {
      const [a] = await alertmanagerAlerts(s, name);
      expect(a!.status).toMatchObject({ state: 'suppressed', silencedBy: [], inhibitedBy: [] });
      expect(a!.status.mutedBy).toEqual([
        `cascade prevention "Cascade prevention": DatabaseDown firing since ${iso(D)}, muted until ${iso(D + 30 * MIN)}`,
      ]);
    }
    expect(s.ruleAlerts('HighErrorRate')).toEqual([]);

    // The warnings route (group_wait 30s, group_interval 5m): each group's first tick from D + 30m.
    const apiErrorNotice = groupTickAtOrAfter(apiErrorAt, 30 * SEC, 5 * MIN, D + 30 * MIN);
    const syncFailureNotice = groupTickAtOrAfter(syncFailureAt, 30 * SEC, 5 * MIN, D + 30 * MIN);
    await s.clock.runUntil(Math.max(apiErrorNotice, syncFailureNotice) + MIN);
    const of = (name: string): Delivery[] => s.deliveries.filter((d) => d.title.includes(` ${name} `));
    expect(lines(of('APIError'), D)).toEqual([
      `${(apiErrorNotice - D) / 1000}s email:engineering@sms.example firing`,
      `${(apiErrorNotice - D) / 1000}s slack:#warnings firing`,
    ]);
    expect(lines(of('SyncFailure'), D)).toEqual([
      `${(syncFailureNotice - D) / 1000}s email:engineering@sms.example firing`,
      `${(syncFailureNotice - D) / 1000}s slack:#warnings firing`,
    ]);

    // DatabaseDown itself (critical, platform): the standard_critical policy, levels at 0, 10m and 30m.
    const [dbIncident] = await openIncidents(s);
    expect(dbIncident).toMatchObject({ policy: 'standard_critical', startsAt: iso(D), level: 3 });
    const keys = new Map([
      [incidentDedupKey(dbIncident!), 'incident'],
      [routeDedupKey(s, 'pagerduty_primary', 'DatabaseDown'), 'route'],
    ]);
    expect(lines(of('DatabaseDown'), D, keys)).toEqual([
      '10s pagerduty:primary-placeholder-key firing [route] +ack',
      '10s slack:#incidents firing +ack',
      // Level 2 (the secondary on-call and the team lead, both #incidents here): a reminder there.
      '600s slack:#incidents firing +ack',
      '1800s email:engineering@sms.example firing +ack',
    ]);
    expect(s.deliveries.length).toBe(of('DatabaseDown').length + 4);
  });

  it('a flaky service is muted for its first 3 occurrences within 5m, however few flushes saw them; the 4th notifies', async () => {
    const live: { s?: Scenario; flapsFromMs?: number } = {};
    // Down 50 s of every 70 s, three times; the fourth time it stays down. The first occurrence
    // still fires at its group's first flush (group_wait 30s), so the group keeps it and flushes
    // next 5m later: the second and third occurrences come and go between two flushes.
    const healthy = (): boolean => {
      if (live.flapsFromMs === undefined || !live.s) return true;
      const t = live.s.clock.nowMs() - live.flapsFromMs;
      return t < 210 * SEC && t % (70 * SEC) >= 50 * SEC;
    };
    const legacy = await target(() => `legacy_integration_healthy ${healthy() ? 1 : 0}\n`);
    const s = await scenario({
      startMs: WEDNESDAY_0900_UTC,
      jobs: { 'legacy-integration': legacy.address },
      extraRuleFiles: { 'legacy-integration.yml': LEGACY_RULES },
    });
    live.s = s;
    await s.clock.run(2 * MIN);
    live.flapsFromMs = s.clock.nowMs();
    const occurrences = new Set<number>();
    await s.clock.runUntilTrue(
      () => {
        for (const a of s.ruleAlerts(LEGACY)) if (a.state === 'firing') occurrences.add(a.firedAtMs!);
        return occurrences.size === 4;
      },
      5 * MIN,
      'four occurrences',
    );
    const [first, , , fourth] = [...occurrences];
    expect(fourth! - first!).toBeLessThan(5 * MIN);
    expect(s.deliveries).toEqual([]);
    // The fourth occurrence is not muted; the rule's window counts all four.
    const [alert] = await alertmanagerAlerts(s, LEGACY);
    expect(alert).toMatchObject({
      startsAt: iso(fourth!),
      status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    });
    expect(alert!.status.mutedBy).toBeUndefined();
    const { body } = await s.api('/api/wk/suppressions');
    const flaky = (body as { data: { rules: { name: string; windows?: unknown[] }[] } }).data.rules.find(
      (r) => r.name === 'Known flaky service',
    );
    expect(flaky?.windows).toHaveLength(1);
    expect(flaky?.windows).toMatchObject([
      { start: iso(first!), end: iso(first! + 5 * MIN), suppressed: 3, notified: 1 },
    ]);

    // The group's next flush: the warnings route's group_interval (5m) after its first.
    const notifyAt = groupTickAtOrAfter(first!, 30 * SEC, 5 * MIN, fourth!);
    await s.clock.runUntil(notifyAt - 1);
    expect(s.deliveries).toEqual([]);
    await s.clock.runUntil(notifyAt + MIN);
    expect(lines(s.deliveries, notifyAt)).toEqual([
      '0s email:engineering@sms.example firing',
      '0s slack:#warnings firing',
    ]);
    expect(s.deliveries[0]!.title).toMatch(/^\[FIRING:1\] LegacyIntegrationUnhealthy legacy-integration /);
  });

  it(`an alert silenced${existsSync(AMTOOL) ? ' with amtool' : ''} while firing: the silence holds, and its resolved notice still comes`, async () => {
    const first = await target(() => 'payment_processor_ready 1\n');
    const second = await target(() => 'payment_processor_ready 1\n');
    const s = await scenario({
      startMs: WEDNESDAY_0900_UTC,
      jobs: { 'payment-processor': [first.address, second.address] },
    });
    await s.clock.run(2 * MIN);
    await first.stop();
    const F = await s.clock.runUntilTrue(
      () => s.ruleAlerts(PAYMENT)[0]?.state === 'firing',
      4 * MIN,
      `${PAYMENT} firing`,
    );
    await s.clock.runUntil(F + MIN);
    const [opened] = await openIncidents(s);
    const keys = new Map([
      [incidentDedupKey(opened!), 'incident'],
      [routeDedupKey(s, 'pagerduty_revenue', PAYMENT), 'route'],
    ]);
    expect(lines(s.deliveries, F, keys)).toEqual(FIRING_NOTICES);

    const silenceId = await silence(s, `alertname=${PAYMENT}`, s.clock.nowMs(), s.clock.nowMs() + 2 * 60 * MIN);
    const [silenced] = await alertmanagerAlerts(s, PAYMENT);
    expect(silenced!.status).toMatchObject({ state: 'suppressed', silencedBy: [silenceId] });

    // The silence holds: the second instance's alert joins the route's group and the incident,
    // and nobody hears of it; level 2 (5m) is skipped.
    await second.stop();
    await s.clock.runUntilTrue(
      () => s.ruleAlerts(PAYMENT).filter((a) => a.state === 'firing').length === 2,
      4 * MIN,
      'the second alert',
    );
    await s.clock.runUntil(F + 8 * MIN);
    expect(lines(since(s.deliveries, F + MIN), F, keys)).toEqual([]);
    const skipped = (await incident(s, opened!.id)).history.filter((h) => h.kind === 'level_skipped');
    expect(skipped).toMatchObject([{ level: 2, at: iso(F + 5 * MIN) }]);
    expect(skipped[0]!.detail).toContain(`silenced by ${silenceId}`);

    // Both answer again and resolve, still silenced. Everyone that was told the first one fires
    // hears it resolved at the route group's next tick (Alertmanager would drop these). The second
    // one, never notified, is not revealed.
    await first.start();
    await second.start();
    const R = await s.clock.runUntilTrue(() => s.ruleAlerts(PAYMENT).length === 0, MIN, 'resolved');
    const routeTick = groupTickAtOrAfter(F, 10 * SEC, 5 * MIN, R);
    await s.clock.runUntil(routeTick + MIN);
    expect(lines(since(s.deliveries, R), F, keys)).toEqual([
      `${(routeTick - F) / 1000}s pagerduty:revenue-placeholder-key resolved [route]`,
      `${(routeTick - F) / 1000}s slack:#revenue-critical resolved`,
      `${(routeTick - F) / 1000}s sms:+4700000000 resolved`,
    ]);
    const routeResolved = since(s.deliveries, routeTick);
    for (const d of routeResolved) {
      expect(d.title).toContain(first.address);
      expect(d.title).not.toContain(second.address);
    }
    const pd = routeResolved.find((d) => d.channel === 'pagerduty')!.body as {
      payload: { custom_details: Record<string, string> };
    };
    expect(pd.payload.custom_details).toMatchObject({ num_firing: '0', num_resolved: '1' });
    expect(recipients(since(s.deliveries, R), 'resolved')).toEqual(recipients(s.deliveries, 'firing'));
  });
});

/**
 * Creates a silence from `startMs` to `endMs` (simulated time) with amtool 0.25 when it is
 * installed (Debian's prometheus-alertmanager), else through API v2; returns its id.
 */
async function silence(s: Scenario, matcher: string, startMs: number, endMs: number): Promise<string> {
  if (!existsSync(AMTOOL)) {
    const [name, value] = matcher.split('=');
    const { status, body } = await s.api('/api/v2/silences', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name, value, isRegex: false, isEqual: true }],
        startsAt: iso(startMs),
        endsAt: iso(endMs),
        createdBy: 'carol',
        comment: 'payment processor failover',
      }),
    });
    expect(status).toBe(200);
    return (body as { silenceID: string }).silenceID;
  }
  const args = [
    `--alertmanager.url=${s.server.url}`,
    `--http.config.file=${s.amtoolHttpConfigFile}`,
    '--no-version-check',
    'silence',
    'add',
    matcher,
    '--author=carol',
    '--comment=payment processor failover',
    `--start=${iso(startMs)}`,
    `--end=${iso(endMs)}`,
  ];
  const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(AMTOOL, args, { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
  expect(out).toMatchObject({ code: 0, stderr: '' });
  await s.idle();
  return out.stdout.trim();
}

const LEGACY = 'LegacyIntegrationUnhealthy';
/** The flaky service of the plan's suppression rule (service legacy-integration, severity warning). */
const LEGACY_RULES = `groups:
  - name: legacy-integration
    rules:
      - alert: ${LEGACY}
        expr: legacy_integration_healthy == 0
        labels:
          severity: warning
          service: legacy-integration
          team: platform
        annotations:
          summary: The legacy integration is unhealthy
`;
