/**
 * Differential test against Debian's Alertmanager 0.25 (`/usr/bin/prometheus-alertmanager`;
 * ALERTMANAGER_BIN overrides; skipped when absent): the same alertmanager.yml (webhook receivers
 * pointing at a local capture server, short group_wait/group_interval) and the same alerts and
 * silences, at the same moments, to Alertmanager and to `watchkeeper serve`; the webhook payloads
 * each sends are compared per receiver and group, in order, and so are the API's alerts and groups.
 * Timing fields are compared as instants (Go prints nanoseconds, Watchkeeper milliseconds; the
 * test sends millisecond times); `externalURL` names each server and is left out.
 *
 * A second Watchkeeper runs with the resolved-after-mute extension on: it must send exactly what
 * Alertmanager sends, plus the resolved notice Alertmanager drops for an alert that resolved while
 * inhibited after it had been notified.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertmanagerAvailable,
  ALERTMANAGER_BIN,
  CaptureServer,
  postJson,
  startAlertmanager,
  startWatchkeeperAlerting,
  type Captured,
} from './alertmanager-process.js';
import { adminFetch, freePort, type ReadyProcess } from './helpers.js';

/** Enough for one group_interval tick (2 s) after any change, with margin for a loaded machine. */
const STEP_MS = 4500;

const config = (hook: (path: string) => string): string => `
global:
  resolve_timeout: 5m
route:
  receiver: hook
  group_by: [alertname, cluster]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - matchers: [team="portal"]
      receiver: hook-portal
      group_by: ['...']
      continue: true
    - matchers: [severity="info"]
      receiver: quiet
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [cluster]
receivers:
  - name: hook
    webhook_configs: [{ url: '${hook('/hook')}' }]
  - name: hook-portal
    webhook_configs: [{ url: '${hook('/portal')}' }, { url: '${hook('/portal-max')}', max_alerts: 1 }]
  - name: quiet
    webhook_configs: [{ url: '${hook('/quiet')}', send_resolved: false }]
`;

interface Side {
  name: 'am' | 'wk' | 'wkx';
  proc: ReadyProcess;
}

const skip = !alertmanagerAvailable();
if (skip)
  console.log(`alertmanager-diff: ${ALERTMANAGER_BIN} not found, skipped (Debian package prometheus-alertmanager)`);

describe.skipIf(skip)('differential: Watchkeeper vs Alertmanager 0.25', () => {
  const capture = new CaptureServer();
  const sides: Side[] = [];
  let dir = '';
  const apiSnapshots: Record<string, Record<string, unknown>> = {};
  const silenceIds: Record<string, string> = {};

  const base = Date.now() - 60_000;
  const iso = (offsetMs: number): string => new Date(base + offsetMs).toISOString();
  const FAR = iso(3 * 3_600_000);
  const alert = (labels: Record<string, string>, endsAt = FAR, annotations: Record<string, string> = {}) => ({
    labels,
    annotations,
    startsAt: iso(0),
    endsAt,
    generatorURL: 'http://prometheus.test/graph?g0.expr=up',
  });
  const A1 = { alertname: 'DiskFull', cluster: 'c1', instance: 'i1', severity: 'warning' };
  const A2 = { alertname: 'DiskFull', cluster: 'c1', instance: 'i2', severity: 'warning' };
  const D3 = { alertname: 'DiskFull', cluster: 'c2', instance: 'i3', severity: 'warning', job: 'node' };
  const N = { alertname: 'NodeDown', cluster: 'c1', instance: 'i1', severity: 'critical' };
  const P = { alertname: 'PortalLatency', endpoint: '/api/vessels', severity: 'warning', team: 'portal' };
  const P2 = { alertname: 'PortalLatency', endpoint: '/api/parts', severity: 'warning', team: 'portal' };
  const Q = { alertname: 'LowEngagement', severity: 'info' };

  async function postAll(alerts: unknown[]): Promise<void> {
    const results = await Promise.all(sides.map((s) => postJson(`${s.proc.url}/api/v2/alerts`, alerts)));
    for (const r of results) expect(r.status).toBe(200);
  }
  const step = (): Promise<void> => new Promise((r) => setTimeout(r, STEP_MS));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wk-am-diff-'));
    await capture.start();
    const [amPort, wkPort, wkxPort] = [await freePort(), await freePort(), await freePort()];
    const hook = (side: string) => (path: string) => capture.url(`/${side}${path}`);
    const [am, wk, wkx] = await Promise.all([
      startAlertmanager(join(dir, 'am'), amPort, config(hook('am'))),
      startWatchkeeperAlerting(
        join(dir, 'wk'),
        wkPort,
        config(hook('wk')),
        '  resolved_after_mute: { enabled: false }\n',
      ),
      startWatchkeeperAlerting(join(dir, 'wkx'), wkxPort, config(hook('wkx'))),
    ]);
    sides.push({ name: 'am', proc: am }, { name: 'wk', proc: wk }, { name: 'wkx', proc: wkx });

    // 1. Five alerts in four groups of three routes.
    await postAll([alert(A1), alert(A2), alert(D3), alert(P), alert(Q)]);
    await step();
    // 2. A critical NodeDown in c1 inhibits the c1 warnings.
    await postAll([alert(N)]);
    await step();
    for (const s of sides) {
      apiSnapshots[s.name] = {
        alerts: await (await adminFetch(`${s.proc.url}/api/v2/alerts`)).json(),
        groups: await (await adminFetch(`${s.proc.url}/api/v2/alerts/groups`)).json(),
        inhibitedOnly: await (
          await adminFetch(`${s.proc.url}/api/v2/alerts?active=false&filter=cluster%3D%22c1%22`)
        ).json(),
      };
    }
    // 3. A2 resolves while inhibited: Alertmanager never tells anyone.
    await postAll([alert(A2, new Date().toISOString())]);
    await step();
    // 4. NodeDown resolves: the c1 warnings come back on the next tick.
    await postAll([alert(N, new Date().toISOString())]);
    await step();
    // 5. A silence, then a new portal alert it covers.
    for (const s of sides) {
      const r = await postJson(`${s.proc.url}/api/v2/silences`, {
        matchers: [{ name: 'endpoint', value: '/api/parts', isRegex: false, isEqual: true }],
        startsAt: iso(0),
        endsAt: FAR,
        createdBy: 'diff',
        comment: 'silenced portal endpoint',
      });
      expect(r.status).toBe(200);
      silenceIds[s.name] = (JSON.parse(r.text) as { silenceID: string }).silenceID;
    }
    await postAll([alert(P2)]);
    await step();
    // 6. The silence is expired: P2 goes out.
    for (const s of sides) {
      expect(
        (await adminFetch(`${s.proc.url}/api/v2/silence/${silenceIds[s.name]}`, { method: 'DELETE' })).status,
      ).toBe(200);
    }
    await step();
    // 7. Everything resolves.
    const end = new Date().toISOString();
    await postAll([alert(A1, end), alert(D3, end), alert(P, end), alert(P2, end), alert(Q, end)]);
    await step();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(sides.map((s) => s.proc.stop()));
    await capture.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A webhook body with times as instants and without the server-specific externalURL. */
  function normalize(c: Captured): unknown {
    const body = JSON.parse(c.body) as Record<string, unknown> & { alerts: Record<string, unknown>[] };
    delete body['externalURL'];
    for (const a of body.alerts) {
      for (const f of ['startsAt', 'endsAt']) a[f] = Date.parse(a[f] as string);
    }
    return body;
  }

  /** `path groupKey` → the normalized payloads in the order sent. */
  function sequences(side: string): Record<string, unknown[]> {
    const out: Record<string, unknown[]> = {};
    for (const c of capture.on(`/${side}/`)) {
      const body = normalize(c) as { groupKey: string };
      const key = `${c.path.slice(side.length + 1)} ${body.groupKey}`;
      (out[key] ??= []).push(body);
    }
    return out;
  }

  it('sends the same webhook payloads, per receiver and group, in the same order', () => {
    const am = sequences('am');
    const wk = sequences('wk');
    expect(Object.keys(am).length).toBeGreaterThanOrEqual(6);
    expect(Object.keys(wk).sort()).toEqual(Object.keys(am).sort());
    for (const key of Object.keys(am)) expect({ key, payloads: wk[key] }).toEqual({ key, payloads: am[key] });
    const n = Object.values(am).reduce((acc, p) => acc + p.length, 0);
    console.log(`alertmanager-diff: ${n} webhook payloads in ${Object.keys(am).length} receiver/group sequences equal`);
  });

  it('sends the headers Alertmanager sends (but its own User-Agent)', () => {
    const am = capture.on('/am/')[0]!;
    const wk = capture.on('/wk/')[0]!;
    expect(wk.headers['content-type']).toBe(am.headers['content-type']);
    expect(am.headers['user-agent']).toBe('Alertmanager/0.25.0');
    expect(wk.headers['user-agent']).toMatch(/^Watchkeeper\//);
  });

  it('records what Alertmanager does, so that the comparison means something', () => {
    const am = sequences('am');
    const c1 = am['/hook {}:{alertname="DiskFull", cluster="c1"}']!.map((p) =>
      (p as { alerts: { labels: { instance: string }; status: string }[] }).alerts.map(
        (a) => `${a.labels.instance}:${a.status}`,
      ),
    );
    // Notified; muted while NodeDown fired (A2's resolution is lost); nothing new when un-muted
    // (i1 was in the last notification); resolved.
    expect(c1).toEqual([['i1:firing', 'i2:firing'], ['i1:resolved']]);
    // send_resolved: false — the info alert's resolution is not sent.
    expect(am['/quiet {}/{severity="info"}:{alertname="LowEngagement"}']).toHaveLength(1);
    // max_alerts: 1 truncates.
    const max =
      am[
        '/portal-max {}/{team="portal"}:{alertname="PortalLatency", endpoint="/api/vessels", severity="warning", team="portal"}'
      ]!;
    expect((max[0] as { truncatedAlerts: number }).truncatedAlerts).toBe(0);
  });

  it('answers GET /api/v2/alerts and /alerts/groups the same (but for receipt times and silence ids)', () => {
    const strip = (v: unknown): unknown =>
      JSON.parse(JSON.stringify(v), (k, x: unknown) => (k === 'updatedAt' ? undefined : x)) as unknown;
    expect(strip(apiSnapshots['wk'])).toEqual(strip(apiSnapshots['am']));
    const inhibited = apiSnapshots['am']!['inhibitedOnly'] as { status: { inhibitedBy: string[] } }[];
    expect(inhibited.map((a) => a.status.inhibitedBy.length)).toEqual([1, 1]);
  });

  it('with resolved-after-mute on: the same, plus the resolution Alertmanager dropped', () => {
    const am = sequences('am');
    const wkx = sequences('wkx');
    const c1 = '/hook {}:{alertname="DiskFull", cluster="c1"}';
    for (const key of Object.keys(am))
      if (key !== c1) expect({ key, payloads: wkx[key] }).toEqual({ key, payloads: am[key] });
    const summary = (payloads: unknown[] | undefined) =>
      (payloads ?? []).map((p) =>
        (p as { alerts: { labels: { instance: string }; status: string }[] }).alerts.map(
          (a) => `${a.labels.instance}:${a.status}`,
        ),
      );
    // The owed resolution travels with i1, muted but known to be firing: the group stays firing.
    expect(summary(wkx[c1])).toEqual([['i1:firing', 'i2:firing'], ['i1:firing', 'i2:resolved'], ['i1:resolved']]);
  });
});
