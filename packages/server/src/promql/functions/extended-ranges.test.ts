import { describe, expect, it } from 'vitest';
import {
  EXTENDED_RANGE_FUNCTIONS,
  extendWindow,
  firstAfter,
  modifierExtension,
  smoothedValueAt,
  type RangeModifier,
} from './extended-ranges.js';
import type { RangeWindow } from './range-functions.js';

const LOOKBACK = 300_000;

/** Samples given as [seconds, value] pairs. */
function samples(points: [number, number][]): { ts: Float64Array; vals: Float64Array } {
  return { ts: Float64Array.from(points, (p) => p[0] * 1000), vals: Float64Array.from(points, (p) => p[1]) };
}

/** `fn(x[range] modifier)` at `evalS`, with the window the evaluator would hand over. */
function evalAt(
  modifier: RangeModifier,
  fn: string,
  points: [number, number][],
  evalS: number,
  rangeS: number,
): number | undefined {
  const { ts, vals } = samples(points);
  const end = evalS * 1000;
  const start = end - rangeS * 1000;
  const ext = modifierExtension(modifier, LOOKBACK);
  const lo = firstAfter(ts, 0, ts.length, start - ext.beforeMs);
  const hi = firstAfter(ts, lo, ts.length, end + ext.afterMs);
  const w: RangeWindow = {
    ts,
    vals,
    lo,
    hi,
    evalTimeMs: end,
    rangeStartMs: start,
    rangeEndMs: end,
    rangeMs: rangeS * 1000,
    params: [],
  };
  return EXTENDED_RANGE_FUNCTIONS[modifier][fn]!(w);
}

// metric 1+1x4 1+1x4 every 60s: a counter that resets after 4m.
const RESETTING: [number, number][] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => [i * 60, (i % 5) + 1]);

describe('anchored and smoothed range functions', () => {
  const cases: [string, RangeModifier, string, [number, number][], number, number, number | undefined][] = [
    // name, modifier, function, samples, eval time (s), range (s), expected
    [
      'anchored increase uses the sample before the range as the left value',
      'anchored',
      'increase',
      RESETTING,
      90,
      60,
      1,
    ],
    ['anchored increase adds a reset inside the range', 'anchored', 'increase', RESETTING, 300, 300, 5],
    ['anchored increase of a single sample is 0', 'anchored', 'increase', [[0, 1]], 5, 60, 0],
    [
      'anchored increase without a sample inside the range is empty',
      'anchored',
      'increase',
      RESETTING,
      900,
      300,
      undefined,
    ],
    [
      'anchored window is left-open',
      'anchored',
      'increase',
      [
        [0, 1],
        [60, 2],
        [180, 4],
      ],
      120,
      60,
      undefined,
    ],
    ['anchored rate divides by the range', 'anchored', 'rate', RESETTING, 90, 60, 1 / 60],
    [
      'anchored delta does not treat decreases as resets',
      'anchored',
      'delta',
      [
        [0, 3],
        [60, 2],
        [120, 4],
      ],
      90,
      60,
      -1,
    ],
    ['smoothed increase interpolates both boundaries', 'smoothed', 'increase', RESETTING, 375, 300, 5],
    [
      'smoothed increase across resets at both boundaries',
      'smoothed',
      'increase',
      [
        [0, 9],
        [60, 8],
        [120, 5],
        [180, 4],
      ],
      135,
      120,
      12,
    ],
    [
      'smoothed rate with the counter restarting from zero',
      'smoothed',
      'rate',
      [
        [0, 100],
        [15, 10],
      ],
      12,
      10,
      2 / 3,
    ],
    [
      'smoothed window is left-open',
      'smoothed',
      'increase',
      [
        [0, 1],
        [60, 2],
        [180, 4],
        [240, 5],
      ],
      120,
      60,
      1,
    ],
    [
      'smoothed is empty when all data is after the range',
      'smoothed',
      'rate',
      [
        [10, 5],
        [20, 6],
      ],
      5,
      5,
      undefined,
    ],
    [
      'smoothed is empty when all data is before the range',
      'smoothed',
      'increase',
      [
        [10, 5],
        [20, 6],
      ],
      60,
      5,
      undefined,
    ],
    [
      'smoothed delta interpolates as a gauge',
      'smoothed',
      'delta',
      [
        [0, 11],
        [60, -1],
        [120, 100],
        [180, 0],
      ],
      330,
      300,
      -5,
    ],
    [
      'anchored changes counts from the anchor sample',
      'anchored',
      'changes',
      [
        [0, 1],
        [60, 2],
        [120, 3],
      ],
      120,
      60,
      1,
    ],
    [
      'anchored changes without an anchor in the lookback',
      'anchored',
      'changes',
      [
        [0, 2],
        [120, 1],
        [480, 0],
      ],
      480,
      60,
      0,
    ],
    [
      'anchored changes is empty without a sample inside the range',
      'anchored',
      'changes',
      [
        [0, 2],
        [120, 1],
      ],
      180,
      60,
      undefined,
    ],
    [
      'anchored resets counts a reset at the range start',
      'anchored',
      'resets',
      [
        [0, 2],
        [120, 1],
      ],
      120,
      60,
      1,
    ],
  ];
  it.each(cases)('%s', (_name, modifier, fn, points, evalS, rangeS, want) => {
    const got = evalAt(modifier, fn, points, evalS, rangeS);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(want, 12);
  });
});

describe('extendWindow', () => {
  const cases: [string, boolean, [number, number][], number, number, [number, number][] | undefined][] = [
    // name, smoothed, samples, range start (s), range end (s), expected points
    [
      'anchored replaces the anchor by a point at the range start',
      false,
      [
        [0, 1],
        [60, 2],
        [120, 3],
      ],
      30,
      120,
      [
        [30, 1],
        [60, 2],
        [120, 3],
      ],
    ],
    [
      'anchored repeats the last sample at the range end',
      false,
      [
        [0, 1],
        [60, 2],
      ],
      30,
      90,
      [
        [30, 1],
        [60, 2],
        [90, 2],
      ],
    ],
    [
      'smoothed interpolates both boundaries',
      true,
      [
        [0, 0],
        [60, 6],
        [120, 12],
      ],
      30,
      90,
      [
        [30, 3],
        [60, 6],
        [90, 9],
      ],
    ],
    ['nothing after the range start', false, [[0, 1]], 30, 90, undefined],
  ];
  it.each(cases)('%s', (_name, smoothed, points, startS, endS, want) => {
    const { ts, vals } = samples(points);
    const got = extendWindow(ts, vals, 0, ts.length, startS * 1000, endS * 1000, smoothed);
    if (want === undefined) return expect(got).toBeUndefined();
    expect(got).toBeDefined();
    expect(Array.from(got!.ts, (t, i) => [t / 1000, got!.vals[i]])).toEqual(want);
  });
});

describe('smoothedValueAt', () => {
  const points: [number, number][] = [
    [0, 1],
    [10, 2],
    [20, 3],
    [40, 5],
    [50, 1],
  ];
  const cases: [string, number, number | undefined][] = [
    ['an exact sample', 10, 2],
    ['between two samples', 15, 2.5],
    ['a decrease interpolates as a gauge', 45, 3],
    ['after the last sample carries it forward', 70, 1],
    ['before the first sample has no value', -5, undefined],
  ];
  it.each(cases)('%s', (_name, tS, want) => {
    const { ts, vals } = samples(points);
    const t = tS * 1000;
    const lo = firstAfter(ts, 0, ts.length, t - LOOKBACK);
    const hi = firstAfter(ts, lo, ts.length, t + LOOKBACK);
    expect(smoothedValueAt(ts, vals, lo, hi, t)).toBe(want);
  });
});
