import { describe, expect, it } from 'vitest';
import { decumulate, distribution, isBucketData } from './histogram';

describe('histogram buckets', () => {
  it('turns cumulative le buckets into per-bucket counts, summing other labels', () => {
    expect(
      decumulate([
        { le: '+Inf', value: 10 },
        { le: '0.5', value: 4 },
        { le: '1', value: 7 },
        { le: '0.5', value: 1 }, // another series of the same bucket
      ]),
    ).toEqual([
      { lower: 0, upper: 0.5, count: 5 },
      { lower: 0.5, upper: 1, count: 2 },
      { lower: 1, upper: Infinity, count: 3 },
    ]);
  });

  it('clamps counts that go down between buckets', () => {
    expect(
      decumulate([
        { le: '1', value: 5 },
        { le: '2', value: 4 },
      ]).map((b) => b.count),
    ).toEqual([5, 0]);
  });

  it('recognises bucket data', () => {
    expect(isBucketData([{ le: '1' }, { le: '+Inf' }])).toBe(true);
    expect(isBucketData([{ le: '1' }, { job: 'x' }])).toBe(false);
    expect(isBucketData([])).toBe(false);
  });

  it('bins values into equal-width bins', () => {
    const d = distribution([0, 1, 2, 3, 4, 5, 6, 7, 8, 10], 5);
    expect(d.map((b) => b.count)).toEqual([2, 2, 2, 2, 2]);
    expect(d[0]).toEqual({ lower: 0, upper: 2, count: 2 });
    expect(distribution([3, 3, 3])).toEqual([{ lower: 3, upper: 3, count: 3 }]);
    expect(distribution([NaN])).toEqual([]);
  });
});
