/**
 * Test support for the dispatcher (used by tests only): a clock that runs timers and the promises
 * they start in order, and a notifier that records its calls.
 */
import { ManualClock, type Clock } from '../../lib/clock.js';
import type { IntegrationKind, Notifier, NotifyContext, NotifyOutcome } from '../notifiers/notifier.js';

/** Lets every pending promise continuation run (they all run before a macrotask). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A ManualClock that knows when its next timer is due, so that `run` can stop at each one and let
 * the promises that timer started (notifications, retries) continue at that exact time before
 * moving on: hours of alerting timeline, exact to the millisecond, in milliseconds of real time.
 */
export class SteppingClock implements Clock {
  readonly manual: ManualClock;

  constructor(startMs = 0) {
    this.manual = new ManualClock(startMs);
  }

  nowMs(): number {
    return this.manual.nowMs();
  }

  setTimeout(fn: () => void, delayMs: number): () => void {
    return this.manual.setTimeout(fn, delayMs);
  }

  /** Moves time forward by `ms`, stopping at every due timer to let promises settle. */
  async run(ms: number): Promise<void> {
    const end = this.manual.nowMs() + ms;
    await settle();
    for (;;) {
      const next = this.manual.nextDueMs() ?? Infinity;
      if (next > end) break;
      this.manual.advance(next - this.manual.nowMs());
      await settle();
    }
    this.manual.advance(end - this.manual.nowMs());
    await settle();
  }

  /** Runs until the given Unix ms. */
  async runUntil(atMs: number): Promise<void> {
    await this.run(Math.max(0, atMs - this.nowMs()));
  }
}

/** What a RecordingNotifier saw: the time of the call and the notification. */
export interface RecordedCall {
  readonly atMs: number;
  readonly ctx: NotifyContext;
  /** `alertname/status` (or the fingerprint when there is no alertname) of each alert, in order. */
  readonly summary: string[];
}

/** A notifier that records every call and answers from a script (default: success). */
export class RecordingNotifier implements Notifier {
  readonly calls: RecordedCall[] = [];
  /** Outcomes for the next calls, in order; when empty, `ok`. */
  readonly script: NotifyOutcome[] = [];
  /** Called at every attempt (e.g. to hang until the signal aborts). */
  behaviour: ((ctx: NotifyContext) => Promise<NotifyOutcome>) | undefined;

  constructor(
    readonly kind: IntegrationKind = 'webhook',
    readonly sendResolved = true,
  ) {}

  async notify(ctx: NotifyContext): Promise<NotifyOutcome> {
    this.calls.push({
      atMs: ctx.nowMs,
      ctx,
      summary: ctx.alerts.map((a) => `${a.labels['alertname'] ?? a.fingerprint ?? '?'}/${a.status}`),
    });
    if (this.behaviour) return this.behaviour(ctx);
    return this.script.shift() ?? { ok: true };
  }

  /** `atMs summary` lines, relative to `t0`, for compact assertions. */
  timeline(t0 = 0): string[] {
    return this.calls.map((c) => `${(c.atMs - t0) / 1000}s ${c.summary.join(',')}`);
  }
}
