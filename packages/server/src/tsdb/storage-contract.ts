/**
 * The behaviour every storage implementation must show, as a shared Vitest suite (Hono's router
 * contract style): each implementation's test file calls `describeStorageContract` with a factory.
 */
import { describe, expect, it } from 'vitest';
import { Labels } from '../lib/labels.js';
import { Matcher } from '../lib/matcher.js';
import { isStaleAt, STALE_NAN } from '../lib/stale.js';
import type { Storage } from './index.js';

export interface StorageUnderTest {
  storage: Storage;
  /** Out-of-order window the storage was created with. */
  outOfOrderWindowMs: number;
  close(): Promise<void>;
}

const T0 = 1_700_000_000_000;
const l = (name: string, extra: Record<string, string> = {}): Labels => Labels.from({ __name__: name, ...extra });
const eq = (name: string, value: string): Matcher => new Matcher('=', name, value);

async function write(s: Storage, labels: Labels, points: [number, number][]): Promise<(string | undefined)[]> {
  const app = s.appender();
  const res = points.map(([t, v]) => app.append(labels, t, v));
  await app.commit();
  return res;
}

function read(s: Storage, labels: Labels, minT = -Infinity, maxT = Infinity): [number, number][] {
  const matchers = [...labels].map(([n, v]) => eq(n, v));
  const found = s.select(matchers, minT, maxT).find((x) => x.labels.equals(labels));
  if (!found) return [];
  return Array.from(found.timestampsMs, (t, i) => [t, found.values[i]!]);
}

export function describeStorageContract(name: string, create: () => Promise<StorageUnderTest>): void {
  describe(`storage contract: ${name}`, () => {
    const withStorage = (fn: (u: StorageUnderTest) => Promise<void>) => async () => {
      const u = await create();
      try {
        await fn(u);
      } finally {
        await u.close();
      }
    };

    it(
      'returns appended samples in time order, within inclusive bounds',
      withStorage(async ({ storage }) => {
        const a = l('a_total', { job: 'x' });
        await write(storage, a, [
          [T0, 1],
          [T0 + 15_000, 2],
          [T0 + 30_000, 3],
        ]);
        expect(read(storage, a)).toEqual([
          [T0, 1],
          [T0 + 15_000, 2],
          [T0 + 30_000, 3],
        ]);
        expect(read(storage, a, T0 + 15_000, T0 + 30_000)).toEqual([
          [T0 + 15_000, 2],
          [T0 + 30_000, 3],
        ]);
        expect(read(storage, a, T0 + 1, T0 + 14_999)).toEqual([]);
      }),
    );

    it(
      'selects by =, !=, =~ and !~ and lists label names and values',
      withStorage(async ({ storage }) => {
        for (const [job, status] of [
          ['parts-api', '200'],
          ['parts-api', '500'],
          ['sync', '200'],
        ] as const) {
          await write(storage, l('http_requests_total', { job, status }), [[T0, 1]]);
        }
        const sel = (...m: Matcher[]): string[] =>
          storage
            .select(m, -Infinity, Infinity)
            .map((s) => `${s.labels.get('job')}/${s.labels.get('status')}`)
            .sort();
        expect(sel(eq('__name__', 'http_requests_total'), eq('job', 'parts-api'))).toEqual([
          'parts-api/200',
          'parts-api/500',
        ]);
        expect(sel(eq('__name__', 'http_requests_total'), new Matcher('!=', 'job', 'sync'))).toEqual([
          'parts-api/200',
          'parts-api/500',
        ]);
        expect(sel(new Matcher('=~', 'status', '5..'))).toEqual(['parts-api/500']);
        expect(sel(eq('__name__', 'http_requests_total'), new Matcher('!~', 'job', 'parts.*'))).toEqual(['sync/200']);
        expect(storage.labelNames()).toEqual(['__name__', 'job', 'status']);
        expect(storage.labelValues('job')).toEqual(['parts-api', 'sync']);
        expect(storage.labelValues('status', [eq('job', 'sync')])).toEqual(['200']);
      }),
    );

    it(
      'lists label names and values only of series with samples in the time range',
      withStorage(async ({ storage }) => {
        const M = 60_000;
        await write(storage, l('early_total', { job: 'a', zone: 'x' }), [
          [T0, 1],
          [T0 + 15_000, 2],
          [T0 + 30_000, 3],
        ]);
        await write(storage, l('late_total', { job: 'b', region: 'eu' }), [
          [T0 + 10 * M, 1],
          [T0 + 10 * M + 15_000, 2],
        ]);
        // Two samples 5 minutes apart: a window between them holds none.
        await write(storage, l('gappy', { job: 'c', shard: '1' }), [
          [T0, 1],
          [T0 + 5 * M, 2],
        ]);
        // A late sample written out of order fills such a window.
        await write(storage, l('backfilled', { job: 'd' }), [[T0 + 15 * M, 1]]);
        expect(await write(storage, l('backfilled', { job: 'd' }), [[T0 + 2 * M, 0]])).toEqual([undefined]);
        const all = ['__name__', 'job', 'region', 'shard', 'zone'];

        // No range, or one covering everything: every series.
        expect(storage.labelNames()).toEqual(all);
        expect(storage.labelNames([], -Infinity, Infinity)).toEqual(all);
        expect(storage.labelNames([], T0, T0 + 15 * M)).toEqual(all);
        expect(storage.labelValues('job', [], T0, T0 + 15 * M)).toEqual(['a', 'b', 'c', 'd']);
        // Before and after all data: nothing.
        expect(storage.labelNames([], T0 - 60 * M, T0 - 1)).toEqual([]);
        expect(storage.labelValues('job', [], T0 - 60 * M, T0 - 1)).toEqual([]);
        expect(storage.labelValues('__name__', [], T0 + 15 * M + 1, T0 + 60 * M)).toEqual([]);
        // Only the late series.
        expect(storage.labelNames([], T0 + 10 * M, T0 + 11 * M)).toEqual(['__name__', 'job', 'region']);
        expect(storage.labelValues('__name__', [], T0 + 10 * M, T0 + 11 * M)).toEqual(['late_total']);
        // Between gappy's two samples: only the out-of-order sample of backfilled.
        expect(storage.labelNames([], T0 + M, T0 + 4 * M)).toEqual(['__name__', 'job']);
        expect(storage.labelValues('job', [], T0 + M, T0 + 4 * M)).toEqual(['d']);
        // Inclusive bounds.
        expect(storage.labelValues('job', [], T0 + 30_000, T0 + 30_000)).toEqual(['a']);
        expect(storage.labelValues('job', [], T0 + 5 * M, T0 + 5 * M)).toEqual(['c']);
        expect(storage.labelValues('job', [], T0 + 30_001, T0 + 2 * M - 1)).toEqual([]);
        // Matchers and a range together.
        expect(storage.labelValues('job', [new Matcher('=~', 'job', 'a|b')], T0 + 10 * M, Infinity)).toEqual(['b']);
        expect(storage.labelValues('job', [new Matcher('=~', 'job', 'a|b')])).toEqual(['a', 'b']);
        expect(storage.labelNames([eq('job', 'a')], T0 + 10 * M, Infinity)).toEqual([]);
        expect(storage.labelNames([eq('job', 'a')], -Infinity, T0)).toEqual(['__name__', 'job', 'zone']);
        expect(storage.labelValues('shard', [eq('__name__', 'gappy')], T0 + 4 * M, T0 + 6 * M)).toEqual(['1']);
      }),
    );

    it(
      'accepts an exact resend without storing it twice, and rejects a different value at the same time',
      withStorage(async ({ storage }) => {
        const a = l('a_total');
        await write(storage, a, [
          [T0, 1],
          [T0 + 15_000, 2],
        ]);
        expect(await write(storage, a, [[T0 + 15_000, 2]])).toEqual([undefined]);
        expect(await write(storage, a, [[T0 + 15_000, 3]])).toEqual(['duplicate-timestamp']);
        expect(read(storage, a)).toEqual([
          [T0, 1],
          [T0 + 15_000, 2],
        ]);
      }),
    );

    it(
      'accepts late samples in order at any age, and out-of-order ones within the window',
      withStorage(async ({ storage, outOfOrderWindowMs }) => {
        const a = l('vessel_temp', { vessel: 'imo9321483' });
        // A vessel uploads three days of backlog, in order: all accepted.
        const backlog: [number, number][] = [];
        for (let i = 0; i < 100; i++) backlog.push([T0 - 3 * 86_400_000 + i * 60_000, i]);
        expect((await write(storage, a, backlog)).every((r) => r === undefined)).toBe(true);
        await write(storage, a, [[T0, 500]]);
        // Late by less than the window: accepted and merged in time order.
        expect(await write(storage, a, [[T0 - outOfOrderWindowMs / 2, 250]])).toEqual([undefined]);
        // Older than the window: rejected.
        expect(await write(storage, a, [[T0 - outOfOrderWindowMs - 60_000, 1]])).toEqual(['out-of-order']);
        const got = read(storage, a);
        expect(got).toHaveLength(102);
        expect(got.slice(-2)).toEqual([
          [T0 - outOfOrderWindowMs / 2, 250],
          [T0, 500],
        ]);
        for (let i = 1; i < got.length; i++) expect(got[i]![0]).toBeGreaterThan(got[i - 1]![0]);
      }),
    );

    it(
      'keeps staleness markers bit-exact and special values exact',
      withStorage(async ({ storage }) => {
        const a = l('g');
        // Values go straight to append(): a JS array literal may canonicalise NaN payloads.
        const app = storage.appender();
        app.append(a, T0, -0);
        app.append(a, T0 + 1, Infinity);
        app.append(a, T0 + 2, -Infinity);
        app.append(a, T0 + 3, NaN);
        app.append(a, T0 + 4, STALE_NAN);
        app.append(a, T0 + 5, 5e-324);
        app.append(a, T0 + 6, 1.7976931348623157e308);
        await app.commit();
        const s = storage.select([eq('__name__', 'g')], -Infinity, Infinity)[0]!;
        expect(Object.is(s.values[0], -0)).toBe(true);
        expect(Array.from(s.values.subarray(1, 3))).toEqual([Infinity, -Infinity]);
        expect(Number.isNaN(s.values[3])).toBe(true);
        expect(isStaleAt(s.values, 3)).toBe(false);
        expect(isStaleAt(s.values, 4)).toBe(true);
        expect(Array.from(s.values.subarray(5))).toEqual([5e-324, 1.7976931348623157e308]);
      }),
    );

    it(
      'rejects absurd timestamps and broken label sets',
      withStorage(async ({ storage }) => {
        const app = storage.appender();
        expect(app.append(l('a'), 1.5, 1)).toBe('bad-timestamp');
        expect(app.append(l('a'), Number.MAX_SAFE_INTEGER * 2, 1)).toBe('bad-timestamp');
        expect(app.append(Labels.from({ job: 'no-name' }), T0, 1)).toBe('bad-labels');
        await app.commit();
        expect(storage.select([eq('job', 'no-name')], -Infinity, Infinity)).toEqual([]);
      }),
    );
  });
}
