import { describe, expect, it } from 'vitest';
import { Labels } from '../lib/labels.js';
import { parseDurationParam, parseTime, valueJson } from './prometheus-api.js';

describe('Prometheus API encoding', () => {
  it('writes native histograms with count, sum and non-empty buckets and their boundary rules', () => {
    const h = {
      schema: 0,
      count: 5,
      sum: 12.5,
      zeroThreshold: 0.001,
      zeroCount: 1,
      positiveSpans: [{ offset: 1, length: 2 }],
      positiveBuckets: [3, 0],
      negativeSpans: [{ offset: 0, length: 1 }],
      negativeBuckets: [1],
    };
    const json = JSON.parse(
      valueJson({ type: 'vector', samples: [{ labels: Labels.from({ __name__: 'h' }), timestampMs: 1500, v: 0, h }] }),
    ) as { result: unknown[] };
    expect(json.result).toEqual([
      {
        metric: { __name__: 'h' },
        histogram: [
          1.5,
          {
            count: '5',
            sum: '12.5',
            buckets: [
              [1, '-1', '-0.5', '1'],
              [3, '-0.001', '0.001', '1'],
              [0, '1', '2', '3'],
            ],
          },
        ],
      },
    ]);
  });

  it('parses times and durations as Prometheus does', () => {
    expect(parseTime('1700000000.5', 'time')).toBe(1_700_000_000_500);
    expect(parseTime('2023-11-14T22:13:20Z', 'time')).toBe(1_700_000_000_000);
    expect(() => parseTime('yesterday', 'time')).toThrow(/invalid parameter "time"/);
    expect(parseDurationParam('1m30s', 'step')).toBe(90_000);
    expect(parseDurationParam('15', 'step')).toBe(15_000);
    expect(() => parseDurationParam('15x', 'step')).toThrow(/invalid parameter "step"/);
  });
});
