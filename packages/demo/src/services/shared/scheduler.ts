/**
 * Time for the portal: the clock and the timers that services and faults use, so that tests can
 * replace real time with a `ManualScheduler` and move it by hand.
 */

/** An opaque handle returned by `setTimeout`/`setInterval`. */
export interface TimerHandle {
  readonly id: number;
}

export interface Scheduler {
  /** Unix time in milliseconds. */
  now(): number;
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  setInterval(fn: () => void, intervalMs: number): TimerHandle;
  clear(handle: TimerHandle): void;
}

/**
 * Real timers (unref'd: a pending fault timer never keeps the process alive) with an optional
 * replacement clock.
 */
export function systemScheduler(now: () => number = Date.now): Scheduler {
  const timers = new Map<number, NodeJS.Timeout>();
  let nextId = 1;
  return {
    now,
    setTimeout(fn, delayMs) {
      const id = nextId++;
      const timer = setTimeout(() => {
        timers.delete(id);
        fn();
      }, delayMs);
      timer.unref();
      timers.set(id, timer);
      return { id };
    },
    setInterval(fn, intervalMs) {
      const id = nextId++;
      const timer = setInterval(fn, intervalMs);
      timer.unref();
      timers.set(id, timer);
      return { id };
    },
    clear(handle) {
      const timer = timers.get(handle.id);
      if (timer === undefined) return;
      clearTimeout(timer);
      timers.delete(handle.id);
    },
  };
}

interface ManualTimer {
  readonly id: number;
  dueMs: number;
  readonly intervalMs: number | undefined;
  readonly fn: () => void;
}

/** A scheduler whose time only moves when a test calls `advance`. */
export class ManualScheduler implements Scheduler {
  #nowMs: number;
  #nextId = 1;
  readonly #timers = new Map<number, ManualTimer>();

  constructor(startMs = Date.UTC(2026, 0, 5, 10, 0, 0)) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    return this.#add(fn, delayMs, undefined);
  }

  setInterval(fn: () => void, intervalMs: number): TimerHandle {
    return this.#add(fn, intervalMs, Math.max(1, intervalMs));
  }

  clear(handle: TimerHandle): void {
    this.#timers.delete(handle.id);
  }

  /** Pending timers (for assertions). */
  get pending(): number {
    return this.#timers.size;
  }

  /**
   * Moves time forward, running the timers that fall due on the way in time order. An interval
   * timer that would fire several times runs once, at its last beat before the target (as timers
   * of a busy event loop do), so that moving a month ahead stays cheap.
   */
  advance(deltaMs: number): void {
    const targetMs = this.#nowMs + deltaMs;
    for (;;) {
      let next: ManualTimer | undefined;
      let nextRunMs = Number.POSITIVE_INFINITY;
      for (const timer of this.#timers.values()) {
        if (timer.dueMs > targetMs) continue;
        const runMs =
          timer.intervalMs === undefined
            ? timer.dueMs
            : timer.dueMs + Math.floor((targetMs - timer.dueMs) / timer.intervalMs) * timer.intervalMs;
        if (runMs < nextRunMs) {
          next = timer;
          nextRunMs = runMs;
        }
      }
      if (next === undefined) break;
      this.#nowMs = Math.max(this.#nowMs, nextRunMs);
      if (next.intervalMs === undefined) this.#timers.delete(next.id);
      else next.dueMs = nextRunMs + next.intervalMs;
      next.fn();
    }
    this.#nowMs = targetMs;
  }

  #add(fn: () => void, delayMs: number, intervalMs: number | undefined): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, dueMs: this.#nowMs + Math.max(0, delayMs), intervalMs, fn });
    return { id };
  }
}
