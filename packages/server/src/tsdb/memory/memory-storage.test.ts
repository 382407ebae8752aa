import { describe, expect, it } from 'vitest';
import type { CounterResetHint, FloatHistogram } from '../../lib/histogram.js';
import { Labels } from '../../lib/labels.js';
import { Matcher } from '../../lib/matcher.js';
import { STALE_NAN, isStaleAt } from '../../lib/stale.js';
import { MemoryStorage } from './memory-storage.js';

const L = Labels.from({ __name__: 'h' });
const sel = [new Matcher('=', '__name__', 'h')];

function hist(count: number, buckets: number[], hint?: CounterResetHint, schema = 0): FloatHistogram {
  const h: FloatHistogram = {
    schema,
    count,
    sum: count,
    zeroThreshold: 0,
    zeroCount: 0,
    positiveSpans: buckets.length > 0 ? [{ offset: 0, length: buckets.length }] : [],
    positiveBuckets: buckets,
    negativeSpans: [],
    negativeBuckets: [],
  };
  if (hint !== undefined) h.counterResetHint = hint;
  return h;
}

describe('MemoryStorage histograms', () => {
  it('returns histograms aligned with the timestamps, and none for float-only windows', () => {
    const s = new MemoryStorage();
    s.append(L, 0, 1);
    s.appendHistogram(L, 1000, hist(1, [1]));
    s.append(L, 2000, 3);
    const [all] = s.select(sel, 0, 2000);
    expect([...all!.timestampsMs]).toEqual([0, 1000, 2000]);
    expect(all!.histograms?.map((h) => h?.count)).toEqual([undefined, 1, undefined]);
    expect(all!.values[0]).toBe(1);
    const [floats] = s.select(sel, 2000, 2000);
    expect(floats!.histograms).toBeUndefined();
  });

  it('lets the last write win at one timestamp, float or histogram', () => {
    const s = new MemoryStorage();
    s.append(L, 0, 1);
    s.appendHistogram(L, 0, hist(2, [2]));
    expect(s.select(sel, 0, 0)[0]!.histograms?.[0]?.count).toBe(2);
    s.append(L, 0, 5);
    const [x] = s.select(sel, 0, 0);
    expect(x!.histograms).toBeUndefined();
    expect(x!.values[0]).toBe(5);
    expect(s.appendHistogram(L, -1, hist(1, [1]))).toBe(false);
  });

  it('stores a histogram with a StaleNaN sum as a staleness marker', () => {
    const s = new MemoryStorage();
    s.appendHistogram(L, 0, hist(1, [1]));
    s.appendHistogram(L, 1000, { ...hist(0, []), sum: STALE_NAN });
    const [x] = s.select(sel, 0, 1000);
    expect(x!.histograms?.[1]).toBeUndefined();
    expect(isStaleAt(x!.values, 1)).toBe(true);
  });

  it.each<[string, (FloatHistogram | number)[], CounterResetHint[]]>([
    [
      'a counter run: unknown, then not_reset',
      [hist(1, [1]), hist(2, [2]), hist(3, [3])],
      ['unknown', 'not_reset', 'not_reset'],
    ],
    [
      'a detected reset starts a new run',
      [hist(2, [2]), hist(1, [1]), hist(3, [3])],
      ['unknown', 'unknown', 'not_reset'],
    ],
    ['an explicit reset starts a new run', [hist(1, [1]), hist(2, [2], 'reset')], ['unknown', 'unknown']],
    ['explicit not_reset first is still unknown', [hist(1, [1], 'not_reset'), hist(2, [2])], ['unknown', 'not_reset']],
    [
      'gauges stay gauges and break runs',
      [hist(1, [1]), hist(2, [2], 'gauge'), hist(3, [3])],
      ['unknown', 'gauge', 'unknown'],
    ],
    ['a schema change starts a new run', [hist(1, [1]), hist(2, [2], undefined, 1)], ['unknown', 'unknown']],
    ['a float in between starts a new run', [hist(1, [1]), 5, hist(2, [2])], ['unknown', 'unknown']],
  ])('reset hints as the TSDB reports them: %s', (_name, samples, want) => {
    const s = new MemoryStorage();
    samples.forEach((v, i) => (typeof v === 'number' ? s.append(L, i * 1000, v) : s.appendHistogram(L, i * 1000, v)));
    const [x] = s.select(sel, 0, samples.length * 1000);
    const hints = x!.histograms!.filter((h) => h !== undefined).map((h) => h.counterResetHint ?? 'unknown');
    expect(hints).toEqual(want);
  });
});
