/**
 * One aggregation group (Alertmanager's aggrGroup): the alerts of one route node with the same
 * group labels, and the group's timer on the clock. The first flush comes `group_wait` after the
 * group is created (at once if an alert inserted before it already started more than `group_wait`
 * ago), then one every `group_interval`, forever. A tick that comes while a flush is still running
 * runs as soon as that flush ends, as the Go goroutine reads its timer only between flushes.
 */
import type { Clock } from '../../lib/clock.js';
import type { Route } from '../route.js';
import type { Alert } from './alert.js';

export class AggregationGroup {
  /** The group's alerts by fingerprint; resolved ones leave after a successful flush. */
  readonly alerts = new Map<string, Alert>();
  private hasFlushed = false;
  private flushing = false;
  private tickPending = false;
  private stopped = false;
  private cancelTimer: (() => void) | undefined;
  private nextFlushAtMsValue = 0;

  constructor(
    readonly route: Route,
    /** The alert's values of the route's `group_by` labels. */
    readonly labels: Readonly<Record<string, string>>,
    /** Alertmanager's group key, `{}/{...}:{...}`. */
    readonly key: string,
    private readonly clock: Clock,
    private readonly flush: (group: AggregationGroup) => Promise<void>,
  ) {
    this.arm(route.opts.groupWaitMs);
  }

  /** When the timer fires next (Unix ms). */
  get nextFlushAtMs(): number {
    return this.nextFlushAtMsValue;
  }

  get isFlushing(): boolean {
    return this.flushing;
  }

  /** Adds or replaces an alert; before the first flush, an alert that waited long enough flushes at once. */
  insert(alert: Alert): void {
    this.alerts.set(alert.fingerprint, alert);
    const nowMs = this.clock.nowMs();
    if (!this.hasFlushed && alert.startsAtMs + this.route.opts.groupWaitMs < nowMs && !this.stopped) this.arm(0);
  }

  isEmpty(): boolean {
    return this.alerts.size === 0;
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private arm(delayMs: number): void {
    this.cancelTimer?.();
    this.nextFlushAtMsValue = this.clock.nowMs() + delayMs;
    this.cancelTimer = this.clock.setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    this.cancelTimer = undefined;
    if (this.stopped) return;
    if (this.flushing) {
      this.tickPending = true;
      return;
    }
    this.arm(this.route.opts.groupIntervalMs);
    this.hasFlushed = true;
    this.flushing = true;
    void this.flush(this).finally(() => {
      this.flushing = false;
      if (this.tickPending && !this.stopped) {
        this.tickPending = false;
        this.tick();
      }
    });
  }
}
