import { describe, expect, it } from 'vitest';
import { ManualScheduler } from './scheduler.js';

describe('ManualScheduler', () => {
  it('runs due timers in time order with the clock at their due time', () => {
    const s = new ManualScheduler(0);
    const seen: string[] = [];
    s.setTimeout(() => seen.push(`b@${s.now()}`), 200);
    s.setTimeout(() => seen.push(`a@${s.now()}`), 100);
    const cancelled = s.setTimeout(() => seen.push('never'), 150);
    s.clear(cancelled);
    s.advance(150);
    expect(seen).toEqual(['a@100']);
    expect(s.now()).toBe(150);
    s.advance(100);
    expect(seen).toEqual(['a@100', 'b@200']);
    expect(s.pending).toBe(0);
  });

  it('runs an interval once per advance, at its last beat', () => {
    const s = new ManualScheduler(0);
    const runs: number[] = [];
    s.setInterval(() => runs.push(s.now()), 10);
    s.advance(35);
    expect(runs).toEqual([30]);
    s.advance(5);
    expect(runs).toEqual([30, 40]);
    s.advance(1_000_000);
    expect(runs).toEqual([30, 40, 1_000_040]);
  });
});
