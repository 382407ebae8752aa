/**
 * The dispatcher on a simulated clock: grouping and the three timers, resolution, garbage
 * collection, as Alertmanager 0.25 behaves (../shared/conformance/alerting/alertmanager.md §2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { harness, MIN, SEC, T0, type Harness } from './harness.js';
import { needsUpdate } from './dispatcher.js';
import type { NflogEntry } from './nflog.js';

const hook = (extra = '') => `
route:
  receiver: hook
  group_by: [alertname]
  ${extra}
receivers:
  - name: hook
    webhook_configs: [{ url: 'http://127.0.0.1:1/hook' }]
  - name: quiet
    webhook_configs: [{ url: 'http://127.0.0.1:1/quiet', send_resolved: false }]
`;

let h: Harness | undefined;
afterEach(() => h?.close());

describe('grouping and group_wait', () => {
  it('batches alerts of a new group into one notification after group_wait (30 s default)', async () => {
    h = harness(hook());
    h.post({ labels: { alertname: 'DiskFull', instance: 'i1' } });
    await h.clock.run(10 * SEC);
    h.post({ labels: { alertname: 'DiskFull', instance: 'i2' } }, { labels: { alertname: 'Other' } });
    await h.clock.run(60 * SEC);
    const calls = h.hook('hook').calls;
    expect(
      calls.map((c) => [c.atMs - T0, c.ctx.groupKey, c.ctx.alerts.map((a) => a.labels['instance'] ?? '')]),
    ).toEqual([
      [30 * SEC, '{}:{alertname="DiskFull"}', ['i1', 'i2']],
      [40 * SEC, '{}:{alertname="Other"}', ['']],
    ]);
    expect(calls[0]!.ctx.groupLabels).toEqual({ alertname: 'DiskFull' });
    expect(calls[0]!.ctx.externalURL).toBe('http://watchkeeper.test');
  });

  it('flushes at once a new group whose alert started more than group_wait ago (restart leak, #4064)', async () => {
    h = harness(hook());
    h.post({ labels: { alertname: 'Old' }, startsAt: h.at(-10 * MIN) });
    await h.clock.run(1);
    expect(h.hook('hook').timeline(T0)).toEqual(['0s Old/firing']);
  });

  it('sends alerts on every matching route: continue, group keys of child routes', async () => {
    h = harness(`
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  routes:
    - matchers: [team="portal"]
      receiver: quiet
      continue: true
    - matchers: [severity="critical"]
      group_by: ['...']
receivers:
  - name: hook
    webhook_configs: [{ url: 'http://127.0.0.1:1/hook' }]
  - name: quiet
    webhook_configs: [{ url: 'http://127.0.0.1:1/quiet' }]
`);
    h.post({ labels: { alertname: 'Down', team: 'portal', severity: 'critical' } });
    await h.clock.run(2 * SEC);
    expect(h.hook('quiet').calls.map((c) => c.ctx.groupKey)).toEqual(['{}/{team="portal"}:{alertname="Down"}']);
    expect(h.hook('hook').calls.map((c) => c.ctx.groupKey)).toEqual([
      '{}/{severity="critical"}:{alertname="Down", severity="critical", team="portal"}',
    ]);
    expect(h.am.dispatcher.receiversFor({ alertname: 'Down', team: 'portal', severity: 'critical' })).toEqual([
      'quiet',
      'hook',
    ]);
  });
});

describe('group_interval and repeat_interval', () => {
  it('sends the whole group at the next group_interval tick after a change, never in between', async () => {
    h = harness(hook('group_wait: 30s\n  group_interval: 5m'));
    h.post({ labels: { alertname: 'A', instance: 'i1' }, endsAt: h.at(60 * MIN) });
    await h.clock.run(40 * SEC);
    h.post({ labels: { alertname: 'A', instance: 'i2' }, endsAt: h.at(60 * MIN) });
    // Re-sending i1 (still firing) changes nothing.
    await h.clock.run(60 * SEC);
    h.post({ labels: { alertname: 'A', instance: 'i1' }, endsAt: h.at(60 * MIN) });
    await h.clock.run(10 * MIN);
    expect(h.hook('hook').calls.map((c) => [(c.atMs - T0) / SEC, c.ctx.alerts.length])).toEqual([
      [30, 1],
      [330, 2],
    ]);
  });

  it('repeats an unchanged group after repeat_interval, rounded up to a group_interval tick', async () => {
    // Verified live with Alertmanager 0.25: repeat 20s with interval 4s fired after ~24s.
    h = harness(hook('group_wait: 1s\n  group_interval: 4s\n  repeat_interval: 20s'));
    h.post({ labels: { alertname: 'A' }, endsAt: h.at(60 * MIN) });
    await h.clock.run(60 * SEC);
    expect(h.hook('hook').calls.map((c) => (c.atMs - T0) / SEC)).toEqual([1, 25, 49]);
  });

  it('a repeat_interval shorter than group_interval repeats every group_interval', async () => {
    h = harness(hook('group_wait: 1s\n  group_interval: 10s\n  repeat_interval: 1s'));
    h.post({ labels: { alertname: 'A' }, endsAt: h.at(60 * MIN) });
    await h.clock.run(35 * SEC);
    expect(h.hook('hook').calls.map((c) => (c.atMs - T0) / SEC)).toEqual([1, 11, 21, 31]);
  });
});

describe('resolution', () => {
  it('sends a resolved alert once with its end, then drops it from the group', async () => {
    h = harness(hook('group_wait: 10s\n  group_interval: 1m'));
    h.post({ labels: { alertname: 'A', instance: 'i1' } }, { labels: { alertname: 'A', instance: 'i2' } });
    await h.clock.run(30 * SEC);
    h.post({ labels: { alertname: 'A', instance: 'i1' }, endsAt: h.at(0) });
    await h.clock.run(3 * MIN);
    const calls = h.hook('hook').calls;
    expect(
      calls.map((c) => [(c.atMs - T0) / SEC, c.ctx.alerts.map((a) => `${a.labels['instance']}:${a.status}`)]),
    ).toEqual([
      [10, ['i1:firing', 'i2:firing']],
      [70, ['i1:resolved', 'i2:firing']],
    ]);
    expect(calls[1]!.ctx.alerts[0]!.endsAtMs).toBe(T0 + 30 * SEC);
    expect(calls[1]!.ctx.alerts[1]!.endsAtMs).toBeUndefined();
    expect(h.am.dispatcher.groups()[0]!.alerts.map((a) => a.labels['instance'])).toEqual(['i2']);
  });

  it('resolves an alert sent without endsAt after resolve_timeout', async () => {
    h = harness(`global: { resolve_timeout: 2m }\n${hook('group_wait: 10s\n  group_interval: 1m')}`);
    const changes: string[] = [];
    h.am.subscribe((c) => changes.push(`${(c.atMs - T0) / SEC}s ${c.cause} ${c.wasFiring}->${c.isFiring}`));
    h.post({ labels: { alertname: 'A' } });
    await h.clock.run(4 * MIN);
    expect(h.hook('hook').timeline(T0)).toEqual(['10s A/firing', '130s A/resolved']);
    expect(changes).toEqual(['0s put false->true', '120s expired true->false']);
  });

  it('without send_resolved: the all-resolved notification is not sent, but the log is cleared', async () => {
    h = harness(`
route:
  receiver: quiet
  group_by: [alertname]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 1h
receivers:
  - name: quiet
    webhook_configs: [{ url: 'http://127.0.0.1:1/quiet', send_resolved: false }]
`);
    h.post({ labels: { alertname: 'A' }, endsAt: h.at(30 * SEC) });
    await h.clock.run(2 * MIN);
    // Firing again: a new notification, not deduplicated against the old firing one.
    h.post({ labels: { alertname: 'A' }, endsAt: h.at(60 * MIN) });
    await h.clock.run(2 * MIN);
    expect(h.hook('quiet').timeline(T0)).toEqual(['10s A/firing', '130s A/firing']);
    const total = await h.registry.getSingleMetricAsString('alertmanager_notifications_total');
    expect(total).toContain('alertmanager_notifications_total{integration="webhook"} 3');
  });

  it('drops empty groups after the next 30 s collection; a new alert waits group_wait again', async () => {
    h = harness(hook('group_wait: 10s\n  group_interval: 1m'));
    h.post({ labels: { alertname: 'A' }, endsAt: h.at(20 * SEC) });
    await h.clock.run(2 * MIN);
    expect(h.am.dispatcher.groupCount).toBe(0);
    h.post({ labels: { alertname: 'A' }, endsAt: h.at(60 * MIN) });
    await h.clock.run(20 * SEC);
    expect(h.hook('hook').timeline(T0)).toEqual(['10s A/firing', '70s A/resolved', '130s A/firing']);
  });
});

describe('needsUpdate (DedupStage)', () => {
  const entry = (firing: string[], resolved: string[], timestampMs = 0): NflogEntry => ({
    firing: new Set(firing),
    resolved: new Set(resolved),
    outstanding: new Set(),
    timestampMs,
  });
  interface Case {
    name: string;
    entry: NflogEntry | undefined;
    firing: string[];
    resolved: string[];
    sendResolved?: boolean;
    nowMs?: number;
    want: boolean;
  }
  const CASES: Case[] = [
    { name: 'never notified, something fires', entry: undefined, firing: ['a'], resolved: [], want: true },
    { name: 'never notified, only resolved', entry: undefined, firing: [], resolved: ['a'], want: false },
    { name: 'a new firing alert', entry: entry(['a'], []), firing: ['a', 'b'], resolved: [], want: true },
    { name: 'fewer firing alerts only', entry: entry(['a', 'b'], []), firing: ['a'], resolved: [], want: false },
    { name: 'all resolved after firing', entry: entry(['a'], []), firing: [], resolved: ['a'], want: true },
    {
      name: 'all resolved, send_resolved false: still (clears the log)',
      entry: entry(['a'], []),
      firing: [],
      resolved: ['a'],
      sendResolved: false,
      want: true,
    },
    { name: 'nothing fired before or now', entry: entry([], ['a']), firing: [], resolved: ['b'], want: false },
    { name: 'a new resolved alert', entry: entry(['a', 'b'], []), firing: ['a'], resolved: ['b'], want: true },
    {
      name: 'a new resolved alert without send_resolved',
      entry: entry(['a', 'b'], []),
      firing: ['a'],
      resolved: ['b'],
      sendResolved: false,
      want: false,
    },
    {
      name: 'unchanged, before repeat',
      entry: entry(['a'], [], 0),
      firing: ['a'],
      resolved: [],
      nowMs: 100,
      want: false,
    },
    { name: 'unchanged, at repeat', entry: entry(['a'], [], 0), firing: ['a'], resolved: [], nowMs: 1000, want: false },
    {
      name: 'unchanged, after repeat',
      entry: entry(['a'], [], 0),
      firing: ['a'],
      resolved: [],
      nowMs: 1001,
      want: true,
    },
  ];
  it.each(CASES)('$name', (c) => {
    expect(
      needsUpdate(c.entry, new Set(c.firing), new Set(c.resolved), c.sendResolved ?? true, 1000, c.nowMs ?? 0),
    ).toBe(c.want);
  });
});
