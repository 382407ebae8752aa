/**
 * One integration of a receiver (`webhook_configs[0]` of receiver `team-x`) with Alertmanager's
 * retry stage around its Notifier: attempts until success, a non-retryable failure or the end of
 * the flush (the next group_interval tick), with exponential backoff on the clock; counted in the
 * notification metrics; its last attempt and last error kept for the API. Errors come from
 * notifiers, which never put secrets in them; nothing here logs alert contents or configuration.
 */
import type { Clock } from '../../lib/clock.js';
import type { IntegrationKind, Notifier, NotifyContext, NotifyOutcome } from '../notifiers/notifier.js';
import type { NotificationMetrics } from './metrics.js';
import { nflogReceiverKey } from './nflog.js';

/** The state of an integration as `GET /api/v2/receivers` shows it. */
export interface IntegrationStatus {
  readonly receiver: string;
  readonly name: IntegrationKind;
  /** Position among the receiver's integrations of the same kind. */
  readonly index: number;
  readonly sendResolved: boolean;
  /** When the last notification finished (successfully or not). */
  readonly lastNotifyAtMs?: number;
  readonly lastNotifyDurationMs?: number;
  /** When the last attempt (request) ended, and its error (undefined if it succeeded): visible during retries. */
  readonly lastAttemptAtMs?: number;
  readonly lastAttemptError?: string;
  /** Whether the last notification succeeded. */
  readonly lastNotifyOk?: boolean;
  /** The most recent failed notification's error (kept after later successes), and when it ended. */
  readonly lastError?: string;
  readonly lastErrorAtMs?: number;
  readonly notifications: number;
  readonly failedNotifications: number;
}

/**
 * Backoff as Alertmanager's (cenkalti/backoff defaults): 500 ms, ×1.5 per attempt up to 60 s,
 * each wait randomized by ±50%.
 */
export class ExponentialBackoff {
  private currentMs = 500;
  constructor(private readonly random: () => number) {}

  nextDelayMs(): number {
    const delta = 0.5 * this.currentMs;
    const min = this.currentMs - delta;
    const delay = min + this.random() * (2 * delta + 1);
    this.currentMs = this.currentMs >= 60_000 / 1.5 ? 60_000 : this.currentMs * 1.5;
    return Math.floor(delay);
  }
}

/** Waits `ms` on the clock; resolves early when the signal aborts. */
export function sleepOnClock(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const cancel = clock.setTimeout(done, ms);
    const onAbort = (): void => {
      cancel();
      done();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export type SendOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface IntegrationDeps {
  readonly clock: Clock;
  readonly metrics: NotificationMetrics | undefined;
  /** Backoff randomization. @default Math.random */
  readonly random: () => number;
}

export class Integration {
  /** The key of this integration in the notification log. */
  readonly key: string;
  private state: Omit<IntegrationStatus, 'receiver' | 'name' | 'index' | 'sendResolved'> = {
    notifications: 0,
    failedNotifications: 0,
  };

  constructor(
    readonly receiver: string,
    readonly index: number,
    readonly notifier: Notifier,
    private readonly deps: IntegrationDeps,
  ) {
    this.key = nflogReceiverKey(receiver, notifier.kind, index);
  }

  get kind(): IntegrationKind {
    return this.notifier.kind;
  }

  get sendResolved(): boolean {
    return this.notifier.sendResolved;
  }

  /** `webhook[0]`, as Alertmanager names an integration in messages. */
  get name(): string {
    return `${this.notifier.kind}[${this.index}]`;
  }

  status(): IntegrationStatus {
    return {
      receiver: this.receiver,
      name: this.notifier.kind,
      index: this.index,
      sendResolved: this.notifier.sendResolved,
      ...this.state,
    };
  }

  /**
   * One notification: attempts until success, a failure the notifier says not to retry, or
   * `signal` aborting (then the last attempt's error is the notification's). The first attempt
   * starts synchronously (before this function first awaits).
   */
  async send(ctx: Omit<NotifyContext, 'signal' | 'nowMs'>, signal: AbortSignal): Promise<SendOutcome> {
    const { clock, metrics } = this.deps;
    const integration = this.notifier.kind;
    metrics?.notifications.inc({ integration });
    const startedMs = clock.nowMs();
    const backoff = new ExponentialBackoff(this.deps.random);
    let lastError: string | undefined;
    let outcome: SendOutcome | undefined;
    for (let attempt = 1; outcome === undefined; attempt++) {
      if (signal.aborted) {
        outcome = {
          ok: false,
          error: `${this.receiver}/${this.name}: notify retry canceled after ${attempt} attempts: ${lastError ?? 'context deadline exceeded'}`,
        };
        break;
      }
      const t0 = performance.now();
      const result = await this.attempt({ ...ctx, signal, nowMs: clock.nowMs() });
      metrics?.latencySeconds.observe({ integration }, (performance.now() - t0) / 1000);
      metrics?.requests.inc({ integration });
      this.state = {
        ...this.state,
        lastAttemptAtMs: clock.nowMs(),
        lastAttemptError: result.ok ? undefined : result.error,
      };
      if (result.ok) {
        outcome = { ok: true };
        break;
      }
      metrics?.requestsFailed.inc({ integration });
      lastError = result.error;
      if (!result.retry) {
        outcome = {
          ok: false,
          error: `${this.receiver}/${this.name}: notify retry canceled due to unrecoverable error after ${attempt} attempts: ${result.error}`,
        };
        break;
      }
      await sleepOnClock(clock, backoff.nextDelayMs(), signal);
    }
    const endMs = clock.nowMs();
    this.state = {
      ...this.state,
      notifications: this.state.notifications + 1,
      lastNotifyAtMs: endMs,
      lastNotifyDurationMs: endMs - startedMs,
      lastNotifyOk: outcome.ok,
      ...(!outcome.ok && {
        lastError: outcome.error,
        lastErrorAtMs: endMs,
        failedNotifications: this.state.failedNotifications + 1,
      }),
    };
    if (!outcome.ok) metrics?.notificationsFailed.inc({ integration });
    return outcome;
  }

  private async attempt(ctx: NotifyContext): Promise<NotifyOutcome> {
    try {
      return await this.notifier.notify(ctx);
    } catch (err) {
      // The Notifier contract says never throw; a bug in one must not stop the pipeline.
      return { ok: false, retry: false, error: `notifier threw: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}
