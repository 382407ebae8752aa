/**
 * State across a restart: silences and the notification log live in `alerting.db` under the
 * storage path, so a restarted Watchkeeper neither forgets silences nor notifies again what it
 * already notified (alerts themselves are re-sent by Prometheus, as with Alertmanager).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAlertmanagerConfig } from '../config/load.js';
import { Alertmanager } from './alertmanager.js';
import { MIN, SEC, T0 } from './harness.js';
import { RecordingNotifier, SteppingClock } from './test-support.js';

const CONFIG = parseAlertmanagerConfig(`
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 4h
receivers:
  - name: hook
    webhook_configs: [{ url: 'http://127.0.0.1:1/hook' }]
`);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(dir: string, clock: SteppingClock, notifier: RecordingNotifier): Alertmanager {
  return Alertmanager.open({
    config: CONFIG,
    clock,
    externalURL: 'http://wk',
    storagePath: dir,
    notifiers: () => [notifier],
    random: () => 0.5,
  });
}

describe('restart', () => {
  it('does not notify again what was notified before the restart; repeats on schedule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-am-restart-'));
    dirs.push(dir);
    const clock = new SteppingClock(T0);
    const before = new RecordingNotifier();
    const am1 = open(dir, clock, before);
    const alert = {
      labels: { alertname: 'A' },
      startsAt: new Date(T0).toISOString(),
      endsAt: new Date(T0 + 24 * 60 * MIN).toISOString(),
    };
    am1.send([alert]);
    await clock.run(20 * SEC);
    expect(before.calls).toHaveLength(1);
    am1.close();

    await clock.run(10 * MIN);
    const after = new RecordingNotifier();
    const am2 = open(dir, clock, after);
    am2.send([alert]);
    await clock.run(60 * MIN);
    expect(after.calls).toEqual([]);
    // The repeat is due 4 h after the first notification, on the restarted group's ticks.
    await clock.run(4 * 60 * MIN);
    expect(after.calls).toHaveLength(1);
    expect(after.calls[0]!.atMs - T0).toBeGreaterThanOrEqual(4 * 60 * MIN + 10 * SEC);
    am2.close();
  });

  it('keeps silences', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-am-restart-'));
    dirs.push(dir);
    const clock = new SteppingClock(T0);
    const am1 = open(dir, clock, new RecordingNotifier());
    const id = am1.silences.set({
      matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }],
      startsAtMs: T0,
      endsAtMs: T0 + 60 * MIN,
      createdBy: 'ops',
      comment: 'kept',
    });
    am1.close();
    const am2 = open(dir, clock, new RecordingNotifier());
    expect(am2.silences.get(id)).toMatchObject({ comment: 'kept', endsAtMs: T0 + 60 * MIN });
    am2.close();
  });
});
