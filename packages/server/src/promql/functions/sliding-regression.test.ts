import { describe, expect, it } from 'vitest';
import { almostEqual } from './kahan.js';
import { linearRegression, type RangeWindow } from './range-functions.js';
import { SlidingRegression } from './sliding-regression.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function series(n: number, seed: number, shape: (i: number, r: () => number) => number) {
  const r = rng(seed);
  const ts = new Float64Array(n);
  const vals = new Float64Array(n);
  let t = 1_700_000_000_000;
  for (let i = 0; i < n; i++) {
    t += 15_000 + Math.floor(r() * 100);
    ts[i] = t;
    vals[i] = shape(i, r);
  }
  return { ts, vals };
}

const SHAPES: [string, (i: number, r: () => number) => number][] = [
  ['counter', (i, r) => i * 10 + r() * 5],
  ['noisy gauge', (_i, r) => 1000 + r() * 200 - 100],
  ['constant', () => 42],
  ['large values', (i, r) => 1e12 + i * 1e3 + r()],
];

describe('SlidingRegression', () => {
  it.each(SHAPES)('matches the exact regression on a %s over sliding windows', (_name, shape) => {
    const { ts, vals } = series(3000, 7, shape);
    const sliding = new SlidingRegression(ts, vals);
    const windowLen = 500;
    for (let lo = 0; lo + windowLen <= ts.length; lo += 37) {
      const hi = lo + windowLen;
      sliding.moveTo(lo, hi);
      const at = ts[hi - 1]! + 30_000;
      const w: RangeWindow = {
        ts,
        vals,
        lo,
        hi,
        evalTimeMs: at,
        rangeStartMs: 0,
        rangeEndMs: 0,
        rangeMs: 0,
        params: [],
      };
      const [es, ei] = linearRegression(w, at);
      const [ss, si] = sliding.fit(at);
      expect(almostEqual(es, ss, 1e-6), `slope ${es} vs ${ss} at ${lo}`).toBe(true);
      expect(almostEqual(ei, si, 1e-6), `intercept ${ei} vs ${si} at ${lo}`).toBe(true);
    }
  });

  it('refuses series with NaN or Inf', () => {
    expect(SlidingRegression.applicable(Float64Array.of(1, NaN))).toBe(false);
    expect(SlidingRegression.applicable(Float64Array.of(1, Infinity))).toBe(false);
    expect(SlidingRegression.applicable(Float64Array.of(1, 2))).toBe(true);
  });
});
