/**
 * The alert store (Alertmanager's mem provider): alerts by fingerprint, re-sent alerts merged as
 * Alertmanager merges them, resolution when `endsAt` passes, garbage collection of resolved
 * alerts, and a subscription that tells the dispatcher, the inhibitor and incidents/ what changed.
 */
import type { Clock } from '../../lib/clock.js';
import {
  isResolvedAt,
  mergeAlerts,
  normalizePostableAlerts,
  overlaps,
  type Alert,
  type AlertSink,
  type PostableAlert,
  type SendResult,
} from './alert.js';

/**
 * One change of the store. `put`: an alert was received (after merging with the stored one);
 * `expired`: a firing alert's `endsAt` passed without a re-send (resolve_timeout, or a sender that
 * stopped); `deleted`: a resolved alert was garbage-collected.
 */
export interface AlertChange {
  readonly cause: 'put' | 'expired' | 'deleted';
  /** The alert as stored after the change (for `deleted`, as it was). */
  readonly alert: Alert;
  /** The stored alert before the change; undefined for a new fingerprint. */
  readonly previous: Alert | undefined;
  /** Firing before the change, at the change's time (false for a new fingerprint). */
  readonly wasFiring: boolean;
  /** Firing after the change (false for `expired` and `deleted`). */
  readonly isFiring: boolean;
  /** The clock's time of the change, Unix ms. */
  readonly atMs: number;
}

export type AlertListener = (change: AlertChange) => void;

export interface AlertStoreOptions {
  clock: Clock;
  /** Alertmanager's `global.resolve_timeout`: the end given to alerts sent without one. @default 5 m */
  resolveTimeoutMs?: number;
  /** How often resolved alerts are dropped (Alertmanager's `--alerts.gc-interval`). @default 30 m */
  gcIntervalMs?: number;
  /** Called when a listener throws; the store carries on. */
  onListenerError?: (err: unknown) => void;
}

/** A min-heap of (time, fingerprint) for the next `endsAt` to pass; stale entries are skipped when popped. */
class DeadlineHeap {
  private readonly items: { atMs: number; fp: string }[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): { atMs: number; fp: string } | undefined {
    return this.items[0];
  }

  push(atMs: number, fp: string): void {
    const a = this.items;
    a.push({ atMs, fp });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.atMs <= a[i]!.atMs) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }

  pop(): { atMs: number; fp: string } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.atMs < a[m]!.atMs) m = l;
        if (r < a.length && a[r]!.atMs < a[m]!.atMs) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Alerts by fingerprint. `send` is what `POST /api/v2/alerts` and rule evaluation call.
 *
 * @example
 * const store = new AlertStore({ clock });
 * const stop = store.subscribe((c) => { if (c.wasFiring && !c.isFiring) console.log('resolved', c.alert.labels); });
 * store.send([{ labels: { alertname: 'DiskFull' } }]);
 */
export class AlertStore implements AlertSink {
  private readonly alerts = new Map<string, Alert>();
  private readonly listeners = new Set<AlertListener>();
  private readonly deadlines = new DeadlineHeap();
  /** Alerts already announced as `expired` (a re-send with the same end leaves two heap entries). */
  private readonly expiredAnnounced = new WeakSet<Alert>();
  private readonly clock: Clock;
  private readonly gcIntervalMs: number;
  private readonly onListenerError: (err: unknown) => void;
  private resolveTimeoutMsValue: number;
  private deadlineTimer: { atMs: number; cancel: () => void } | undefined;
  private cancelGc: (() => void) | undefined;
  private closed = false;

  constructor(options: AlertStoreOptions) {
    this.clock = options.clock;
    this.resolveTimeoutMsValue = options.resolveTimeoutMs ?? 5 * 60_000;
    this.gcIntervalMs = options.gcIntervalMs ?? 30 * 60_000;
    this.onListenerError = options.onListenerError ?? (() => undefined);
    this.scheduleGc();
  }

  /** The end given to alerts sent without one. */
  get resolveTimeoutMs(): number {
    return this.resolveTimeoutMsValue;
  }

  /** Changes resolve_timeout (a configuration reload); alerts already stored keep their end. */
  setResolveTimeout(ms: number): void {
    this.resolveTimeoutMsValue = ms;
  }

  /**
   * Validates, normalizes and stores API v2 postable alerts; invalid ones are counted in `errors`
   * with Alertmanager's messages, the valid ones are stored (a best effort, as Alertmanager does).
   */
  send(alerts: readonly PostableAlert[]): SendResult {
    const { alerts: valid, errors } = normalizePostableAlerts(alerts, this.clock.nowMs(), this.resolveTimeoutMsValue);
    this.put(valid);
    return { accepted: valid.length, errors };
  }

  /** Stores normalized alerts, merging each with the stored alert of its fingerprint when their activity overlaps. */
  put(alerts: readonly Alert[]): void {
    if (this.closed) return;
    const nowMs = this.clock.nowMs();
    for (const received of alerts) {
      const old = this.alerts.get(received.fingerprint);
      const alert = old && overlaps(old, received) ? mergeAlerts(old, received, nowMs) : received;
      this.alerts.set(alert.fingerprint, alert);
      const isFiring = !isResolvedAt(alert, nowMs);
      if (isFiring) this.watchDeadline(alert);
      this.emit({
        cause: 'put',
        alert,
        previous: old,
        wasFiring: old !== undefined && !isResolvedAt(old, nowMs),
        isFiring,
        atMs: nowMs,
      });
    }
  }

  get(fingerprint: string): Alert | undefined {
    return this.alerts.get(fingerprint);
  }

  /** Every stored alert, resolved ones included until garbage collection. */
  list(): Alert[] {
    return [...this.alerts.values()];
  }

  get size(): number {
    return this.alerts.size;
  }

  /**
   * Calls `listener` for every change from now on; with `replay`, first with a `put` for every
   * stored alert (as Alertmanager's Subscribe). Returns the function that unsubscribes.
   */
  subscribe(listener: AlertListener, options: { replay?: boolean } = {}): () => void {
    if (options.replay) {
      const nowMs = this.clock.nowMs();
      for (const alert of this.alerts.values()) {
        const isFiring = !isResolvedAt(alert, nowMs);
        this.call(listener, { cause: 'put', alert, previous: undefined, wasFiring: false, isFiring, atMs: nowMs });
      }
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drops resolved alerts now (also runs every `gcIntervalMs`). */
  gc(): void {
    const nowMs = this.clock.nowMs();
    for (const [fp, alert] of this.alerts) {
      if (!isResolvedAt(alert, nowMs)) continue;
      this.alerts.delete(fp);
      this.emit({ cause: 'deleted', alert, previous: alert, wasFiring: false, isFiring: false, atMs: nowMs });
    }
  }

  /** Stops the timers; later sends are ignored. */
  close(): void {
    this.closed = true;
    this.cancelGc?.();
    this.deadlineTimer?.cancel();
    this.deadlineTimer = undefined;
    this.listeners.clear();
  }

  private scheduleGc(): void {
    this.cancelGc = this.clock.setTimeout(() => {
      if (this.closed) return;
      this.gc();
      this.scheduleGc();
    }, this.gcIntervalMs);
  }

  private watchDeadline(alert: Alert): void {
    this.deadlines.push(alert.endsAtMs, alert.fingerprint);
    this.armDeadlineTimer();
  }

  private armDeadlineTimer(): void {
    const next = this.deadlines.peek();
    if (!next) return;
    if (this.deadlineTimer && this.deadlineTimer.atMs <= next.atMs) return;
    this.deadlineTimer?.cancel();
    const atMs = next.atMs;
    const cancel = this.clock.setTimeout(() => this.onDeadline(), Math.max(0, atMs - this.clock.nowMs()));
    this.deadlineTimer = { atMs, cancel };
  }

  private onDeadline(): void {
    this.deadlineTimer = undefined;
    if (this.closed) return;
    const nowMs = this.clock.nowMs();
    for (let top = this.deadlines.peek(); top && top.atMs <= nowMs; top = this.deadlines.peek()) {
      this.deadlines.pop();
      const alert = this.alerts.get(top.fp);
      // Stale entry: the alert was re-sent with another end since.
      if (!alert || alert.endsAtMs !== top.atMs || this.expiredAnnounced.has(alert)) continue;
      this.expiredAnnounced.add(alert);
      this.emit({ cause: 'expired', alert, previous: alert, wasFiring: true, isFiring: false, atMs: nowMs });
    }
    this.armDeadlineTimer();
  }

  private emit(change: AlertChange): void {
    for (const l of [...this.listeners]) this.call(l, change);
  }

  private call(listener: AlertListener, change: AlertChange): void {
    try {
      listener(change);
    } catch (err) {
      this.onListenerError(err);
    }
  }
}
