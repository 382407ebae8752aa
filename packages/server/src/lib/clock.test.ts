import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';

describe('ManualClock', () => {
  it('fires timers in time order, including ones scheduled by timers', () => {
    const clock = new ManualClock(1000);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.nowMs()), 500);
    clock.setTimeout(() => {
      fired.push(clock.nowMs());
      clock.setTimeout(() => fired.push(clock.nowMs()), 100);
    }, 200);
    const cancel = clock.setTimeout(() => fired.push(-1), 300);
    cancel();
    clock.advance(1000);
    expect(fired).toEqual([1200, 1300, 1500]);
    expect(clock.nowMs()).toBe(2000);
  });

  it('tells when the next pending timer fires', () => {
    const clock = new ManualClock(0);
    expect(clock.nextDueMs()).toBeUndefined();
    const cancel = clock.setTimeout(() => {}, 50);
    clock.setTimeout(() => {}, 200);
    expect(clock.nextDueMs()).toBe(50);
    cancel();
    expect(clock.nextDueMs()).toBe(200);
    clock.advance(200);
    expect(clock.nextDueMs()).toBeUndefined();
  });
});
