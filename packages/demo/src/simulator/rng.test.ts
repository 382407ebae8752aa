import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

const draws = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.nextUint32());

describe('Rng', () => {
  it('gives the same sequence for the same seed and stream name', () => {
    expect(draws(Rng.derive(7, 'fleet'), 100)).toEqual(draws(Rng.derive(7, 'fleet'), 100));
  });

  it('gives different sequences for different seeds or stream names', () => {
    const base = draws(Rng.derive(7, 'fleet'), 20);
    expect(draws(Rng.derive(8, 'fleet'), 20)).not.toEqual(base);
    expect(draws(Rng.derive(7, 'fleet2'), 20)).not.toEqual(base);
    // Parts are separated, so ('a', 'bc') is not ('ab', 'c').
    expect(draws(Rng.derive(7, 'a', 'bc'), 20)).not.toEqual(draws(Rng.derive(7, 'ab', 'c'), 20));
  });

  it('keeps draws within their bounds', () => {
    const rng = Rng.derive(1, 'bounds');
    for (let i = 0; i < 10_000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      const n = rng.int(-3, 3);
      expect(n >= -3 && n <= 3 && Number.isInteger(n)).toBe(true);
    }
    expect(rng.id(12)).toMatch(/^[a-z0-9]{12}$/);
  });

  it('is roughly uniform and its Poisson draws have the asked mean', () => {
    const rng = Rng.derive(3, 'stats');
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[Math.floor(rng.next() * 10)]! += 1;
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += rng.poisson(3.5);
    expect(sum / 20_000).toBeCloseTo(3.5, 1);
  });

  it('picks by weight', () => {
    const rng = Rng.derive(4, 'weights');
    let heavy = 0;
    for (let i = 0; i < 10_000; i++)
      if (
        rng.weighted([
          ['a', 9],
          ['b', 1],
        ] as const) === 'a'
      )
        heavy++;
    expect(heavy / 10_000).toBeCloseTo(0.9, 1);
  });
});
