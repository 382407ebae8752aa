import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/clock.js';
import { Labels } from '../../lib/labels.js';
import { Matcher } from '../../lib/matcher.js';
import { DiskStorage } from './disk-storage.js';

const T0 = 1_700_000_000_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fresh(clock = new ManualClock(T0 + 86_400_000), opts: Partial<Parameters<typeof DiskStorage.open>[0]> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wk-disk-unit-'));
  dirs.push(dir);
  return { dir, clock, open: () => DiskStorage.open({ dir, clock, checkpointIntervalMs: 3_600_000, ...opts }) };
}

const series = (i: number): Labels => Labels.from({ __name__: 'm_total', i: String(i) });

async function fill(s: DiskStorage, n: number, samples: number, fromMs = T0): Promise<void> {
  for (let k = 0; k < samples; k++) {
    const app = s.appender();
    for (let i = 0; i < n; i++) app.append(series(i), fromMs + k * 15_000, i * 1000 + k);
    await app.commit();
  }
}

function values(s: DiskStorage, i: number): number[] {
  const found = s.select([new Matcher('=', 'i', String(i))], -Infinity, Infinity)[0];
  return found ? Array.from(found.values) : [];
}

describe('DiskStorage', () => {
  it('keeps data across checkpoints and restarts (database + log)', async () => {
    const f = fresh();
    let s = f.open();
    await fill(s, 10, 300); // 300 samples: two sealed chunks and an open one per series
    s.checkpoint();
    await fill(s, 10, 50, T0 + 300 * 15_000); // only in the log
    await s.close();
    s = f.open();
    expect(values(s, 3)).toHaveLength(350);
    expect(values(s, 3).slice(0, 3)).toEqual([3000, 3001, 3002]);
    expect(values(s, 3).at(-1)).toBe(3049); // the second fill restarts k at 0
    expect(s.stats().dbChunks).toBeGreaterThan(0);
    await s.close();
  });

  it('does not bring deleted series back after a restart', async () => {
    const f = fresh();
    let s = f.open();
    await fill(s, 3, 10);
    expect(await s.deleteSeries([new Matcher('=', 'i', '1')])).toBe(1);
    expect(values(s, 1)).toEqual([]);
    await s.close();
    s = f.open();
    expect(values(s, 1)).toEqual([]);
    expect(values(s, 2)).toHaveLength(10);
    expect(s.labelValues('i')).toEqual(['0', '2']);
    await s.close();
  });

  it('drops chunks past the retention time', async () => {
    const clock = new ManualClock(T0);
    const f = fresh(clock, { retentionTimeMs: 86_400_000 });
    const s = f.open();
    await fill(s, 2, 300, T0 - 3 * 86_400_000); // three days old
    await fill(s, 2, 10, T0 - 60_000);
    s.checkpoint();
    s.applyRetention();
    const left = s.select([new Matcher('=', '__name__', 'm_total')], -Infinity, Infinity)[0]!;
    expect(left.timestampsMs[0]).toBeGreaterThanOrEqual(T0 - 3 * 86_400_000 + 120 * 15_000);
    expect(Array.from(left.timestampsMs).filter((t) => t < T0 - 86_400_000).length).toBeLessThan(300);
    expect(Array.from(left.timestampsMs).filter((t) => t >= T0 - 60_000)).toHaveLength(10);
    await s.close();
  });

  it('lists label names and values by time range from database chunks, before and after a restart', async () => {
    const f = fresh();
    let s = f.open();
    const gap = Labels.from({ __name__: 'gap_total', vessel: 'v1' });
    const steady = Labels.from({ __name__: 'steady_total', site: 'hq' });
    const app = s.appender();
    // gap_total: 60 samples, a 45-minute gap, 60 samples (one chunk of 120), then one more that
    // seals it. steady_total: 6 samples at the start, sealed by a sample 3 h later.
    for (let k = 0; k < 60; k++) app.append(gap, T0 + k * 15_000, k);
    for (let k = 0; k < 60; k++) app.append(gap, T0 + 3_600_000 + k * 15_000, 60 + k);
    app.append(gap, T0 + 7_200_000, 120);
    for (let k = 0; k < 6; k++) app.append(steady, T0 + k * 15_000, k);
    app.append(steady, T0 + 3 * 3_600_000, 6);
    await app.commit();
    s.checkpoint();
    const check = (): void => {
      expect(s.stats().dbChunks).toBe(2);
      // Inside the gap of gap_total's chunk: none of its samples (the chunk is decoded).
      expect(s.labelNames([], T0 + 900_000, T0 + 3_500_000)).toEqual([]);
      expect(s.labelValues('vessel', [], T0 + 900_000, T0 + 3_500_000)).toEqual([]);
      // The chunk's last sample before the gap, and its first and last samples.
      expect(s.labelValues('vessel', [], T0 + 885_000, T0 + 3_500_000)).toEqual(['v1']);
      expect(s.labelNames([], T0 - 60_000, T0)).toEqual(['__name__', 'site', 'vessel']);
      expect(s.labelValues('__name__', [], T0 + 4_485_000, T0 + 4_485_000)).toEqual(['gap_total']);
      // steady_total's sealed chunk ends at T0 + 75 s; its open one starts 3 h later.
      expect(s.labelValues('site', [], T0 + 76_000, T0 + 3 * 3_600_000 - 1)).toEqual([]);
      expect(s.labelValues('site', [], T0 + 76_000, T0 + 3 * 3_600_000)).toEqual(['hq']);
      expect(s.labelValues('__name__', [], T0 + 7_000_000, T0 + 7_300_000)).toEqual(['gap_total']);
      expect(s.labelValues('__name__', [new Matcher('=', 'site', 'hq')], T0 - 1, T0 + 60_000)).toEqual([
        'steady_total',
      ]);
    };
    check();
    await s.close();
    s = f.open();
    check();
    await s.close();
  });

  it('merges out-of-order samples persisted at a checkpoint', async () => {
    const f = fresh();
    let s = f.open();
    const a = Labels.from({ __name__: 'late' });
    let app = s.appender();
    for (let k = 0; k < 10; k++) app.append(a, T0 + k * 60_000, k);
    await app.commit();
    app = s.appender();
    expect(app.append(a, T0 + 4 * 60_000 + 30_000, 4.5)).toBeUndefined();
    expect(app.append(a, T0 + 4 * 60_000 + 30_000, 4.5)).toBeUndefined();
    await app.commit();
    s.checkpoint();
    await s.close();
    s = f.open();
    const got = s.select([new Matcher('=', '__name__', 'late')], -Infinity, Infinity)[0]!;
    expect(Array.from(got.values)).toEqual([0, 1, 2, 3, 4, 4.5, 5, 6, 7, 8, 9]);
    await s.close();
  });
});
