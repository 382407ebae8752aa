/**
 * `for` state across a restart, on DiskStorage: ALERTS_FOR_STATE written before the restart is
 * read back after the second evaluation (Prometheus's RestoreForState: outage tolerance 1h,
 * grace period 10m).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/clock.js';
import { Engine } from '../promql/index.js';
import { DiskStorage } from '../tsdb/index.js';
import { RuleManager } from './manager.js';
import { RecordingSink, runTimeline, writeRuleFile, type FedSeries } from './test-support.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const MIN = 60_000;
const RULES = `
groups:
  - name: slow
    interval: 1m
    rules:
      - alert: QueueBacklog
        expr: queue_depth > 100
        for: 30m
        labels: {severity: warning}
`;
const QUEUE: FedSeries = { labels: { __name__: 'queue_depth', queue: 'orders' }, value: () => 500 };

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** One run of the server: storage opened from `dir`, a manager, `minutes` of timeline, then stop. */
async function run(dir: string, clock: ManualClock, file: string, minutes: number) {
  const storage = DiskStorage.open({ dir, clock });
  const sink = new RecordingSink(clock);
  const manager = new RuleManager({
    engine: new Engine(storage),
    storage,
    clock,
    sink,
    evaluationIntervalMs: MIN,
  });
  await manager.update([file]);
  manager.start();
  const activeAt: (number | undefined)[] = [];
  for (let m = 0; m < minutes; m++) {
    await runTimeline({ clock, manager, storage, series: [QUEUE] }, MIN);
    activeAt.push(manager.alertingRules()[0]!.activeAlerts()[0]?.activeAtMs);
  }
  const state = manager.alertingRules()[0]!.state;
  await manager.stop();
  await storage.close();
  const firedAt = sink.all().map((a) => Date.parse(a.startsAt))[0];
  return { activeAt, state, firedAt };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'wk-restore-'));
  dirs.push(dir);
  return { dir, clock: new ManualClock(T0), file: writeRuleFile(RULES) };
}

describe('restoring `for` state after a restart', () => {
  it('resumes a pending alert, shifted by the downtime', async () => {
    const { dir, clock, file } = setup();
    const first = await run(dir, clock, file, 20);
    const activeBefore = first.activeAt.at(-1)!;
    expect(first.state).toBe('pending');
    const downtimeMs = 10 * MIN;
    clock.advance(downtimeMs);

    const second = await run(dir, clock, file, 45);
    // After the restart the alert starts afresh, until restoration moves it back in time.
    const restored = second.activeAt[3]!;
    const shift = restored - activeBefore;
    expect(shift).toBeGreaterThanOrEqual(downtimeMs);
    expect(shift).toBeLessThan(downtimeMs + 3 * MIN);
    // 20 of its 30 minutes were spent before the restart: it fires 10 minutes after it.
    expect(second.firedAt).toBeDefined();
    expect(second.firedAt! - (T0 + 30 * MIN)).toBeGreaterThanOrEqual(10 * MIN);
    expect(second.firedAt! - (T0 + 30 * MIN)).toBeLessThan(14 * MIN);
    expect(second.firedAt! - restored).toBeGreaterThanOrEqual(30 * MIN);
  });

  it('waits the grace period when the alert would fire within it', async () => {
    const { dir, clock, file } = setup();
    await run(dir, clock, file, 27);
    clock.advance(2 * MIN);
    const restartMs = clock.nowMs();
    const second = await run(dir, clock, file, 20);
    // Three minutes were left; the grace period makes it wait 10 minutes from the restoration.
    expect(second.firedAt! - restartMs).toBeGreaterThanOrEqual(10 * MIN);
    expect(second.firedAt! - restartMs).toBeLessThan(14 * MIN);
  });

  it('does not restore after an outage longer than an hour', async () => {
    const { dir, clock, file } = setup();
    await run(dir, clock, file, 25);
    clock.advance(2 * 60 * MIN);
    const restartMs = clock.nowMs();
    const second = await run(dir, clock, file, 35);
    expect(second.firedAt! - restartMs).toBeGreaterThanOrEqual(30 * MIN);
    expect(second.activeAt.every((a) => a! >= restartMs)).toBe(true);
  });
});
