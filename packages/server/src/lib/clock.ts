/**
 * Time source for everything that schedules (scrapes, rule evaluation, timers). Production uses
 * `systemClock`; tests use `ManualClock` to run hours of timeline in milliseconds.
 */
export interface Clock {
  nowMs(): number;
  /** Calls `fn` after `delayMs`; returns a function that cancels it. */
  setTimeout(fn: () => void, delayMs: number): () => void;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  setTimeout(fn, delayMs) {
    const t = setTimeout(fn, delayMs);
    t.unref?.();
    return () => clearTimeout(t);
  },
};

/** A clock that only moves when told to; due timers fire in time order during `advance`. */
export class ManualClock implements Clock {
  private timers: { atMs: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(private currentMs = 0) {}

  nowMs(): number {
    return this.currentMs;
  }

  setTimeout(fn: () => void, delayMs: number): () => void {
    const timer = { atMs: this.currentMs + Math.max(0, delayMs), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /**
   * When the next pending timer fires; undefined when none is set. Test harnesses step to it and
   * let the work it starts settle before time moves on.
   */
  nextDueMs(): number | undefined {
    let next: number | undefined;
    for (const t of this.timers) if (next === undefined || t.atMs < next) next = t.atMs;
    return next;
  }

  /** Moves time forward by `ms`, firing due timers (including ones they schedule) in order. */
  advance(ms: number): void {
    const target = this.currentMs + ms;
    for (;;) {
      this.timers.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.atMs > target) break;
      this.timers.shift();
      this.currentMs = next.atMs;
      next.fn();
    }
    this.currentMs = target;
  }
}
