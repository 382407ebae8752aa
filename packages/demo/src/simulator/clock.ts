/**
 * Simulated time. The simulator plans and schedules in simulated Unix milliseconds through a
 * `SimClock`; `scaledClock` maps it onto wall time with a speed factor (the CLI), `VirtualClock`
 * moves only when a test tells it to, so a simulated day runs in milliseconds.
 */

/** The simulator's source of (simulated) time. */
export interface SimClock {
  /** Simulated Unix time in milliseconds. */
  nowMs(): number;
  /** Calls `fn` once `delayMs` of simulated time has passed; returns a function that cancels it. */
  setTimeout(fn: () => void, delayMs: number): () => void;
}

/** Options of {@link scaledClock}. */
export interface ScaledClockOptions {
  /** Simulated seconds per wall second: 60 runs one simulated hour per real minute. */
  speed: number;
  /** Simulated time at the start. @default the wall time at the start */
  startMs?: number;
  /** Wall time source. @default Date.now */
  wallNowMs?: () => number;
}

/** A clock whose simulated time runs `speed` times faster than the wall clock. */
export function scaledClock(options: ScaledClockOptions): SimClock {
  const { speed } = options;
  if (!(speed > 0) || !Number.isFinite(speed))
    throw new RangeError(`scaledClock: speed must be positive, got ${speed}`);
  const wallNowMs = options.wallNowMs ?? Date.now;
  const wallStartMs = wallNowMs();
  const simStartMs = options.startMs ?? wallStartMs;
  return {
    nowMs: () => simStartMs + (wallNowMs() - wallStartMs) * speed,
    setTimeout(fn, delayMs) {
      // Node clamps delays above 2^31-1 ms to 1 ms; a simulated week at speed 1 must not fire at once.
      const wallDelayMs = Math.min(Math.max(0, delayMs) / speed, 2_147_483_647);
      const timer = setTimeout(fn, wallDelayMs);
      return () => clearTimeout(timer);
    },
  };
}

interface VirtualTimer {
  atMs: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock for tests: time moves only in {@link VirtualClock.runFor}, which fires due timers in
 * order and lets the work they start settle before it moves on.
 */
export class VirtualClock implements SimClock {
  #nowMs: number;
  #timers: VirtualTimer[] = [];
  #seq = 0;

  constructor(startMs: number) {
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  setTimeout(fn: () => void, delayMs: number): () => void {
    const timer: VirtualTimer = { atMs: this.#nowMs + Math.max(0, delayMs), seq: this.#seq++, fn };
    this.#timers.push(timer);
    return () => {
      const i = this.#timers.indexOf(timer);
      if (i >= 0) this.#timers.splice(i, 1);
    };
  }

  /** Timers not fired yet. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `ms`, firing due timers (including those they schedule) in time order;
   * after each one, awaits `settle` so that the promises it started (HTTP requests to a fake or a
   * local server) finish at that simulated instant.
   */
  async runFor(ms: number, settle: () => Promise<void> = nextMacrotask): Promise<void> {
    const targetMs = this.#nowMs + ms;
    await settle();
    for (;;) {
      let next: VirtualTimer | undefined;
      for (const t of this.#timers) {
        if (next === undefined || t.atMs < next.atMs || (t.atMs === next.atMs && t.seq < next.seq)) next = t;
      }
      if (next === undefined || next.atMs > targetMs) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.#nowMs = next.atMs;
      next.fn();
      await settle();
    }
    this.#nowMs = targetMs;
  }
}

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
