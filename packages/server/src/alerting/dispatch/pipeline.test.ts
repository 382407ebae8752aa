/**
 * The notification pipeline on a simulated clock: inhibition, silences, time intervals, extra
 * mute stages, retries with backoff, counting, Watchkeeper's resolved-after-mute extension and
 * ad-hoc notifications.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { harness, MIN, SEC, T0, type Harness } from './harness.js';
import { UnknownReceiverError } from './dispatcher.js';
import type { MuteStage } from './mute.js';

let h: Harness | undefined;
afterEach(() => h?.close());

const ROUTE = `
route:
  receiver: hook
  group_by: [alertname, cluster]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 4h
`;
const RECEIVERS = `
receivers:
  - name: hook
    webhook_configs: [{ url: 'http://127.0.0.1:1/hook' }]
  - name: oncall
    webhook_configs: [{ url: 'http://127.0.0.1:1/a' }, { url: 'http://127.0.0.1:1/b', send_resolved: false }]
`;
const LONG = 10 * 60 * MIN;

async function metric(hh: Harness, name: string): Promise<string> {
  return (await hh.registry.getSingleMetricAsString(name))
    .split('\n')
    .filter((l) => l.includes('integration="webhook"') && !l.includes('_bucket'))
    .join('\n');
}

describe('inhibition', () => {
  const INHIBIT = `${ROUTE}${RECEIVERS}
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [cluster]
`;

  it('mutes targets with equal labels while a source fires, and sends them on the tick after it resolves', async () => {
    h = harness(INHIBIT);
    h.post(
      { labels: { alertname: 'NodeDown', cluster: 'c1', severity: 'critical' }, endsAt: h.at(2 * MIN) },
      { labels: { alertname: 'DiskFull', cluster: 'c1', severity: 'warning' }, endsAt: h.at(LONG) },
      { labels: { alertname: 'DiskFull', cluster: 'c2', severity: 'warning' }, endsAt: h.at(LONG) },
    );
    await h.clock.run(20 * SEC);
    const inhibited = h.am.store
      .list()
      .find((a) => a.labels['cluster'] === 'c1' && a.labels['severity'] === 'warning')!;
    const source = h.am.store.list().find((a) => a.labels['severity'] === 'critical')!;
    expect(h.am.dispatcher.alertStatus(inhibited)).toEqual({
      state: 'suppressed',
      silencedBy: [],
      inhibitedBy: [source.fingerprint],
      mutedBy: [],
    });
    await h.clock.run(3 * MIN);
    const lines = h.hook('hook').calls.map((c) => `${(c.atMs - T0) / SEC}s ${c.ctx.groupKey} ${c.summary.join(',')}`);
    expect(lines.sort()).toEqual([
      '10s {}:{alertname="DiskFull", cluster="c2"} DiskFull/firing',
      '10s {}:{alertname="NodeDown", cluster="c1"} NodeDown/firing',
      '130s {}:{alertname="DiskFull", cluster="c1"} DiskFull/firing',
      '130s {}:{alertname="NodeDown", cluster="c1"} NodeDown/resolved',
    ]);
  });

  it('an alert matching both sides is not inhibited by alerts that also match both sides', async () => {
    h = harness(`${ROUTE}${RECEIVERS}
inhibit_rules:
  - source_matchers: [alertname=~"A|B"]
    target_matchers: [alertname=~"A|B"]
    equal: [cluster]
`);
    h.post({ labels: { alertname: 'A', cluster: 'c1' } }, { labels: { alertname: 'B', cluster: 'c1' } });
    for (const a of h.am.store.list()) expect(h.am.dispatcher.alertStatus(a).state).toBe('active');
  });

  it('a missing label is equal to a missing label', async () => {
    h = harness(INHIBIT);
    h.post(
      { labels: { alertname: 'NodeDown', severity: 'critical' } },
      { labels: { alertname: 'DiskFull', severity: 'warning' } },
      { labels: { alertname: 'DiskFull', severity: 'warning', cluster: 'c9' } },
    );
    const states = h.am.store
      .list()
      .map((a) => `${a.labels['cluster'] ?? '-'} ${h!.am.dispatcher.alertStatus(a).state}`);
    expect(states.sort()).toEqual(['- active', '- suppressed', 'c9 active']);
  });
});

describe('silences in the pipeline', () => {
  it('a silenced alert is grouped but not sent; after expiry it is sent on the next tick', async () => {
    h = harness(`${ROUTE}${RECEIVERS}`);
    const id = h.am.silences.set({
      matchers: [{ name: 'instance', value: 'i1', isRegex: false, isEqual: true }],
      startsAtMs: T0,
      endsAtMs: T0 + 10 * MIN,
      createdBy: 'test',
      comment: 'maintenance',
    });
    h.post(
      { labels: { alertname: 'A', instance: 'i1' }, endsAt: h.at(LONG) },
      { labels: { alertname: 'A', instance: 'i2' }, endsAt: h.at(LONG) },
    );
    await h.clock.run(2 * MIN);
    const i1 = h.am.store.list().find((a) => a.labels['instance'] === 'i1')!;
    expect(h.am.dispatcher.alertStatus(i1)).toMatchObject({ state: 'suppressed', silencedBy: [id] });
    h.am.silences.expire(id);
    await h.clock.run(1 * MIN);
    expect(
      h
        .hook('hook')
        .calls.map((c) => `${(c.atMs - T0) / SEC}s ${c.ctx.alerts.map((a) => a.labels['instance']).join(',')}`),
    ).toEqual(['10s i2', '130s i1,i2']);
    expect(h.am.dispatcher.groups()[0]!.alerts).toHaveLength(2);
  });
});

describe('time intervals', () => {
  // T0 is Friday 2026-11-27 12:00 UTC.
  const CONFIG = `${ROUTE}
  routes:
    - matchers: [team="night"]
      active_time_intervals: [office]
    - matchers: [team="day"]
      mute_time_intervals: [lunch]
${RECEIVERS}
time_intervals:
  - name: office
    time_intervals: [{ weekdays: ['monday:friday'], times: [{ start_time: '08:00', end_time: '12:05' }] }]
  - name: lunch
    time_intervals: [{ times: [{ start_time: '11:30', end_time: '12:03' }] }]
`;
  it('mute_time_intervals mute while inside; active_time_intervals mute while outside', async () => {
    h = harness(CONFIG);
    h.post(
      { labels: { alertname: 'Night', team: 'night' }, endsAt: h.at(LONG) },
      { labels: { alertname: 'Day', team: 'day' }, endsAt: h.at(LONG) },
    );
    await h.clock.run(10 * MIN);
    // Day: muted at 12:00:10, 12:01:10, 12:02:10, sent at 12:03:10. Night: sent at once, then nothing
    // changes (repeats would be muted after 12:05 anyway).
    expect(h.hook('hook').timeline(T0)).toEqual(['10s Night/firing', '190s Day/firing']);
  });
});

describe('extra mute stages (MuteStage)', () => {
  it('mutes alerts and shows the reason in the status', async () => {
    h = harness(`${ROUTE}${RECEIVERS}`);
    const stage: MuteStage = {
      name: 'maintenance',
      isMuted: (a) => (a.labels['severity'] === 'warning' ? 'maintenance:sunday-night' : undefined),
    };
    const remove = h.am.addMuteStage(stage);
    h.am.addMuteStage({
      name: 'broken',
      isMuted: () => {
        throw new Error('bug');
      },
    });
    h.post(
      { labels: { alertname: 'W', severity: 'warning' }, endsAt: h.at(LONG) },
      { labels: { alertname: 'C', severity: 'critical' }, endsAt: h.at(LONG) },
    );
    await h.clock.run(30 * SEC);
    const w = h.am.store.list().find((a) => a.labels['alertname'] === 'W')!;
    expect(h.am.dispatcher.alertStatus(w)).toMatchObject({
      state: 'suppressed',
      mutedBy: ['maintenance:sunday-night'],
    });
    remove();
    await h.clock.run(1 * MIN);
    expect(h.hook('hook').timeline(T0)).toEqual(['10s C/firing', '70s W/firing']);
  });
});

describe('retries with backoff', () => {
  it('retries a retryable failure with exponential backoff until it succeeds; counts requests', async () => {
    h = harness(`${ROUTE}${RECEIVERS}`);
    h.hook('hook').script.push(
      { ok: false, retry: true, error: 'HTTP 503' },
      { ok: false, retry: true, error: 'HTTP 503' },
      { ok: false, retry: true, error: 'HTTP 503' },
    );
    h.post({ labels: { alertname: 'A' }, endsAt: h.at(LONG) });
    await h.clock.run(30 * SEC);
    // 500 ms, then ×1.5 (randomization fixed at its middle).
    expect(h.hook('hook').calls.map((c) => c.atMs - T0)).toEqual([10_000, 10_500, 11_250, 12_375]);
    expect(await metric(h, 'alertmanager_notification_requests_total')).toContain('} 4');
    expect(await metric(h, 'alertmanager_notification_requests_failed_total')).toContain('} 3');
    expect(await metric(h, 'alertmanager_notifications_total')).toContain('} 1');
    expect(await metric(h, 'alertmanager_notifications_failed_total')).toContain('} 0');
    expect(h.am.dispatcher.integrationStatuses('hook')[0]).toMatchObject({
      name: 'webhook',
      index: 0,
      lastAttemptAtMs: T0 + 12_375,
      lastAttemptError: undefined,
      notifications: 1,
      failedNotifications: 0,
      lastNotifyAtMs: T0 + 12_375,
    });
  });

  it('gives up at the end of the flush (group_interval), fails the notification and retries the group at the next tick', async () => {
    h = harness(`${ROUTE}${RECEIVERS}`);
    const n = h.hook('hook');
    n.behaviour = async (ctx) =>
      ctx.nowMs < T0 + 130 * SEC ? { ok: false, retry: true, error: 'HTTP 502' } : { ok: true };
    h.post({ labels: { alertname: 'A' }, endsAt: h.at(LONG) });
    await h.clock.run(11 * SEC);
    // While retrying, the status already shows the attempts' error.
    expect(h.am.dispatcher.integrationStatuses('hook')[0]).toMatchObject({
      lastAttemptAtMs: T0 + 10_500,
      lastAttemptError: 'HTTP 502',
      notifications: 0,
    });
    await h.clock.run(3 * MIN - 11 * SEC);
    const first = n.calls.filter((c) => c.atMs < T0 + 70 * SEC);
    // Attempts from 10 s until the flush's deadline at 70 s (the next tick), the waits growing by 1.5.
    expect(first.map((c) => c.atMs - T0)).toEqual([
      10_000, 10_500, 11_250, 12_375, 14_063, 16_594, 20_391, 26_086, 34_629, 47_443, 66_665,
    ]);
    const status = h.am.dispatcher.integrationStatuses('hook')[0]!;
    expect(status).toMatchObject({ notifications: 3, failedNotifications: 2, lastErrorAtMs: T0 + 130 * SEC });
    expect(status.lastError).toBe('hook/webhook[0]: notify retry canceled after 12 attempts: HTTP 502');
    // The tick that came during the failing flush ran as soon as it ended; the third flush succeeded.
    expect(n.calls.filter((c) => c.atMs >= T0 + 70 * SEC)[0]!.atMs).toBe(T0 + 70 * SEC);
    expect(n.calls.at(-1)).toMatchObject({ atMs: T0 + 130 * SEC, summary: ['A/firing'] });
    expect(await metric(h, 'alertmanager_notifications_failed_total')).toContain('} 2');
    expect(await metric(h, 'alertmanager_notifications_total')).toContain('} 3');
  });

  it('a group that was never notified and resolves during failures is dropped (Alertmanager sends nothing)', async () => {
    h = harness(`${ROUTE}${RECEIVERS}`);
    h.hook('hook').behaviour = async () => ({ ok: false, retry: true, error: 'HTTP 502' });
    h.post({ labels: { alertname: 'A' }, endsAt: h.at(30 * SEC) });
    await h.clock.run(3 * MIN);
    expect(h.hook('hook').calls.every((c) => c.atMs < T0 + 70 * SEC)).toBe(true);
    expect(h.am.dispatcher.groups()).toEqual([]);
  });

  it('does not retry a non-retryable failure', async () => {
    h = harness(`${ROUTE}${RECEIVERS}`);
    h.hook('hook').script.push({ ok: false, retry: false, error: 'HTTP 400: bad payload' });
    h.post({ labels: { alertname: 'A' }, endsAt: h.at(LONG) });
    await h.clock.run(80 * SEC);
    expect(h.hook('hook').calls.map((c) => (c.atMs - T0) / SEC)).toEqual([10, 70]);
    expect(h.am.dispatcher.integrationStatuses('hook')[0]).toMatchObject({
      lastNotifyOk: true,
      lastErrorAtMs: T0 + 10 * SEC,
      lastError:
        'hook/webhook[0]: notify retry canceled due to unrecoverable error after 1 attempts: HTTP 400: bad payload',
    });
    expect(await metric(h, 'alertmanager_notifications_failed_total')).toContain('} 1');
  });

  it('a slow integration delays only itself; the receiver counts as failed until all succeed', async () => {
    h = harness(`${ROUTE.replace('receiver: hook', 'receiver: oncall')}${RECEIVERS}`);
    h.hook('oncall', 1).script.push({ ok: false, retry: true, error: 'timeout' });
    h.post({ labels: { alertname: 'A' }, endsAt: h.at(LONG) });
    await h.clock.run(15 * SEC);
    expect(h.hook('oncall', 0).calls.map((c) => c.atMs - T0)).toEqual([10_000]);
    expect(h.hook('oncall', 1).calls.map((c) => c.atMs - T0)).toEqual([10_000, 10_500]);
  });
});

describe("resolved notices after a mute (Watchkeeper's extension)", () => {
  const mutedThenResolved = async (hh: Harness, mute: 'silence' | 'inhibit' | 'stage'): Promise<void> => {
    hh.post({ labels: { alertname: 'A', severity: 'warning' }, endsAt: hh.at(LONG) });
    await hh.clock.run(30 * SEC); // notified firing at 10 s
    if (mute === 'silence') {
      hh.am.silences.set({
        matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }],
        startsAtMs: hh.clock.nowMs(),
        endsAtMs: hh.clock.nowMs() + 60 * MIN,
        createdBy: 't',
        comment: '',
      });
    } else if (mute === 'inhibit') {
      hh.post({ labels: { alertname: 'Root', severity: 'critical' }, endsAt: hh.at(LONG) });
    } else {
      hh.am.addMuteStage({ name: 'window', isMuted: (a) => (a.labels['alertname'] === 'A' ? 'window' : undefined) });
    }
    await hh.clock.run(2 * MIN);
    hh.post({ labels: { alertname: 'A', severity: 'warning' }, endsAt: hh.at(0) });
    await hh.clock.run(2 * MIN);
  };
  const CONFIG = `${ROUTE}${RECEIVERS}
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
`;

  it.each(['silence', 'inhibit', 'stage'] as const)(
    '%s: the resolution reaches the integration that saw it fire',
    async (mute) => {
      h = harness(CONFIG);
      await mutedThenResolved(h, mute);
      const a = h.hook('hook').calls.filter((c) => c.ctx.groupLabels['alertname'] === 'A');
      expect(a.map((c) => `${(c.atMs - T0) / SEC}s ${c.summary.join(',')}`)).toEqual([
        '10s A/firing',
        '190s A/resolved',
      ]);
      expect(h.am.dispatcher.groups().filter((g) => g.labels['alertname'] === 'A')).toEqual([]);
    },
  );

  it.each(['silence', 'inhibit', 'stage'] as const)('%s: off, Alertmanager drops the resolution', async (mute) => {
    h = harness(CONFIG, { resolvedAfterMute: { enabled: false } });
    await mutedThenResolved(h, mute);
    const a = h.hook('hook').calls.filter((c) => c.ctx.groupLabels['alertname'] === 'A');
    expect(a.map((c) => `${(c.atMs - T0) / SEC}s ${c.summary.join(',')}`)).toEqual(['10s A/firing']);
  });

  it('per route: a route setting overrides the global one for the route and its children', async () => {
    h = harness(
      `${ROUTE}
  routes:
    - matchers: [team="x"]
      routes: [{ matchers: [alertname="A"] }]
${RECEIVERS}`,
      { resolvedAfterMute: { enabled: true, routes: [{ route: '{}/{team="x"}', enabled: false }] } },
    );
    h.post({ labels: { alertname: 'A', team: 'x' }, endsAt: h.at(LONG) });
    await h.clock.run(30 * SEC);
    h.am.addMuteStage({ name: 'all', isMuted: () => 'all' });
    h.post({ labels: { alertname: 'A', team: 'x' }, endsAt: h.at(0) });
    await h.clock.run(2 * MIN);
    expect(h.hook('hook').timeline(T0)).toEqual(['10s A/firing']);
  });

  it('an unknown route in the settings is a setup error', () => {
    expect(() =>
      harness(`${ROUTE}${RECEIVERS}`, { resolvedAfterMute: { routes: [{ route: '9', enabled: false }] } }),
    ).toThrow(/no route has the path or key "9"/);
  });

  it('also after other alerts of the group were notified and resolved meanwhile', async () => {
    h = harness(CONFIG.replace('group_by: [alertname, cluster]', 'group_by: [cluster]'));
    h.post({ labels: { alertname: 'A', severity: 'warning' }, endsAt: h.at(LONG) });
    await h.clock.run(30 * SEC);
    h.am.addMuteStage({ name: 'mute-a', isMuted: (a) => (a.labels['alertname'] === 'A' ? 'mute-a' : undefined) });
    h.post({ labels: { alertname: 'B', severity: 'warning' }, endsAt: h.at(2 * MIN) });
    await h.clock.run(3 * MIN);
    h.post({ labels: { alertname: 'A', severity: 'warning' }, endsAt: h.at(0) });
    await h.clock.run(2 * MIN);
    // B's notifications carry A no more (muted); A's resolution is still owed and goes out.
    expect(h.hook('hook').timeline(T0)).toEqual(['10s A/firing', '70s B/firing', '190s B/resolved', '250s A/resolved']);
  });

  it('keeps the group firing: the owed resolution travels with the muted alerts still firing; un-muting sends nothing new', async () => {
    h = harness(CONFIG);
    h.post(
      { labels: { alertname: 'A', i: '1', severity: 'warning' }, endsAt: h.at(LONG) },
      { labels: { alertname: 'A', i: '2', severity: 'warning' }, endsAt: h.at(LONG) },
    );
    await h.clock.run(30 * SEC);
    h.post({ labels: { alertname: 'Root', severity: 'critical' }, endsAt: h.at(3 * MIN) });
    await h.clock.run(1 * MIN);
    h.post({ labels: { alertname: 'A', i: '2', severity: 'warning' }, endsAt: h.at(0) });
    await h.clock.run(4 * MIN);
    const a = h.hook('hook').calls.filter((c) => c.ctx.groupLabels['alertname'] === 'A');
    expect(
      a.map((c) => `${(c.atMs - T0) / SEC}s ${c.ctx.alerts.map((x) => `${x.labels['i']}:${x.status}`).join(',')}`),
    ).toEqual(['10s 1:firing,2:firing', '130s 1:firing,2:resolved']);
  });

  it('an alert muted from the start and resolved while muted sends nothing', async () => {
    h = harness(CONFIG);
    h.am.addMuteStage({ name: 'all', isMuted: () => 'all' });
    h.post({ labels: { alertname: 'A' }, endsAt: h.at(20 * SEC) });
    await h.clock.run(3 * MIN);
    expect(h.hook('hook').calls).toEqual([]);
  });

  it('a mute time interval: the owed resolution goes out with the muted alerts the integration knows fire', async () => {
    h = harness(
      `${ROUTE}
  mute_time_intervals: [later]
${RECEIVERS}
time_intervals:
  - name: later
    time_intervals: [{ times: [{ start_time: '12:01', end_time: '13:00' }] }]
`.replace('  mute_time_intervals', '  routes:\n    - matchers: [x="1"]\n      mute_time_intervals'),
    );
    h.post(
      { labels: { alertname: 'A', x: '1', i: '1' }, endsAt: h.at(LONG) },
      { labels: { alertname: 'A', x: '1', i: '2' }, endsAt: h.at(LONG) },
    );
    await h.clock.run(2 * MIN);
    h.post({ labels: { alertname: 'A', x: '1', i: '1' }, endsAt: h.at(0) });
    h.post({ labels: { alertname: 'A', x: '1', i: '3' }, endsAt: h.at(LONG) });
    await h.clock.run(1 * MIN);
    expect(
      h
        .hook('hook')
        .calls.map(
          (c) => `${(c.atMs - T0) / SEC}s ${c.ctx.alerts.map((a) => `${a.labels['i']}:${a.status}`).join(',')}`,
        ),
    ).toEqual([
      '10s 1:firing,2:firing',
      // i2 still fires (muted, known to the receiver): the group stays firing; i3 is new and muted.
      '130s 1:resolved,2:firing',
    ]);
  });
});

describe('notifyReceiver (ad-hoc, for escalation)', () => {
  it('sends to every integration of the receiver with the escalation fields; counts them', async () => {
    h = harness(`${ROUTE}${RECEIVERS}`);
    h.post(
      { labels: { alertname: 'Down', job: 'parts-api' }, endsAt: h.at(LONG) },
      { labels: { alertname: 'Down', job: 'api' }, endsAt: h.at(-1), startsAt: h.at(-MIN) },
    );
    const alerts = h.am.store.list();
    const result = await h.am.notifyReceiver('oncall', alerts, {
      escalationLevel: 2,
      acknowledgeURL: 'http://watchkeeper.test/ack/1',
      groupKey: '{}:{alertname="Down"}',
    });
    expect(result).toEqual({
      receiver: 'oncall',
      ok: true,
      integrations: [
        { integration: 'webhook', index: 0, outcome: 'sent' },
        { integration: 'webhook', index: 1, outcome: 'sent' },
      ],
    });
    const [a, b] = [h.hook('oncall', 0).calls[0]!, h.hook('oncall', 1).calls[0]!];
    expect(a.ctx).toMatchObject({
      escalationLevel: 2,
      acknowledgeURL: 'http://watchkeeper.test/ack/1',
      groupKey: '{}:{alertname="Down"}',
    });
    expect(a.summary).toEqual(['Down/resolved', 'Down/firing']);
    expect(b.summary).toEqual(['Down/firing']);
    expect(a.ctx.groupLabels).toEqual({ alertname: 'Down' });
  });

  it('reports failures as values and rejects unknown receivers', async () => {
    h = harness(`${ROUTE}${RECEIVERS}`);
    h.hook('hook').script.push({ ok: false, retry: false, error: 'HTTP 401' });
    h.post({ labels: { alertname: 'X' }, endsAt: h.at(LONG) });
    const result = await h.am.notifyReceiver('hook', h.am.store.list());
    expect(result.ok).toBe(false);
    expect(result.integrations[0]!.error).toMatch(/unrecoverable error after 1 attempts: HTTP 401/);
    await expect(h.am.notifyReceiver('nobody', [])).rejects.toBeInstanceOf(UnknownReceiverError);
  });
});

describe('what escalation asks of the routing tree', () => {
  const TREE = `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 4h
  routes:
    - matchers: [severity="critical"]
      receiver: oncall
      continue: true
      mute_time_intervals: [weekends]
    - matchers: [severity="critical"]
      receiver: hook
time_intervals:
  - name: weekends
    time_intervals: [{ weekdays: [saturday, sunday] }]
${RECEIVERS}`;

  it("names the route groups of an alert's labels, with time-muted routes marked", () => {
    h = harness(TREE);
    const labels = { alertname: 'Down', severity: 'critical', job: 'x' };
    // T0 is a Friday; the next day a Saturday.
    expect(h.am.dispatcher.routeGroupsFor(labels, T0)).toEqual([
      { receiver: 'oncall', groupKey: '{}/{severity="critical"}:{alertname="Down"}', timeMuted: false },
      { receiver: 'hook', groupKey: '{}/{severity="critical"}:{alertname="Down"}', timeMuted: false },
    ]);
    expect(h.am.dispatcher.routeGroupsFor(labels, T0 + 24 * 60 * MIN).map((g) => g.timeMuted)).toEqual([true, false]);
    expect(h.am.dispatcher.routeGroupsFor({ alertname: 'Slow' }, T0)).toEqual([
      { receiver: 'hook', groupKey: '{}:{alertname="Slow"}', timeMuted: false },
    ]);
  });

  it('tells which integrations a group notified, and puts the acknowledgement link the provider gives into firing notifications', async () => {
    h = harness(TREE);
    const seen: string[][] = [];
    h.am.dispatcher.setAcknowledgeURLProvider((firing) => {
      seen.push(firing.map((a) => a.labels['alertname']!));
      return 'http://watchkeeper.test/api/wk/ack/7.x.y';
    });
    const key = '{}/{severity="critical"}:{alertname="Down"}';
    h.post({ labels: { alertname: 'Down', severity: 'critical' }, endsAt: h.at(2 * MIN) });
    expect(h.am.dispatcher.notifiedIntegrations('oncall', key)).toEqual([]);
    await h.clock.run(20 * SEC);
    expect(h.am.dispatcher.notifiedIntegrations('oncall', key)).toEqual(['webhook', 'webhook']);
    expect(h.am.dispatcher.notifiedIntegrations('hook', '{}:{alertname="Down"}')).toEqual([]);
    expect(h.hook('oncall').calls[0]!.ctx.acknowledgeURL).toBe('http://watchkeeper.test/api/wk/ack/7.x.y');
    // The resolved notice has no firing alert: no link, the provider is not asked.
    const asked = seen.length;
    await h.clock.run(3 * MIN);
    const last = h.hook('oncall').calls.at(-1)!;
    expect(last.summary).toEqual(['Down/resolved']);
    expect(last.ctx.acknowledgeURL).toBeUndefined();
    expect(seen.length).toBe(asked);
    expect(h.am.dispatcher.notifiedIntegrations('oncall', key)).toEqual([]);
  });

  it('sends an ad-hoc notification only to the integration kinds asked for', async () => {
    h = harness(`${ROUTE}${RECEIVERS}`);
    h.post({ labels: { alertname: 'Down' }, endsAt: h.at(LONG) });
    const result = await h.am.notifyReceiver('oncall', h.am.store.list(), {
      acknowledged: true,
      integrations: ['pagerduty'],
    });
    expect(result.integrations.map((i) => i.outcome)).toEqual(['skipped', 'skipped']);
    expect(h.hook('oncall').calls).toEqual([]);
  });
});
