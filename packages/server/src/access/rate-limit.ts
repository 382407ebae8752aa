/**
 * Login rate limiting: after `maxFailures` failed logins within `windowMs` for a key (a user name,
 * a client address), further logins for that key are refused — without checking the password —
 * until the oldest of those failures is `windowMs` old. Refused attempts do not count, so the
 * lock ends on time however often the attacker retries. In memory: a restart forgets, which
 * costs an attacker a restart they cannot cause.
 */
import type { Clock } from '../lib/clock.js';

export interface LoginRateLimitOptions {
  clock: Clock;
  /** @default 5 */
  maxFailures?: number;
  /** @default 15 min */
  windowMs?: number;
  /** Keys remembered at most (the oldest go first): bounds memory under a flood of names. @default 10000 */
  maxKeys?: number;
}

export class LoginRateLimiter {
  private readonly clock: Clock;
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  /** Per key, the times of its newest failures (at most maxFailures), oldest first. */
  private readonly failures = new Map<string, number[]>();

  constructor(opts: LoginRateLimitOptions) {
    this.clock = opts.clock;
    this.maxFailures = opts.maxFailures ?? 5;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
    this.maxKeys = opts.maxKeys ?? 10_000;
  }

  /** Milliseconds until a login for all of `keys` may be tried; 0 when it may now. */
  retryAfterMs(keys: readonly string[]): number {
    const now = this.clock.nowMs();
    let wait = 0;
    for (const key of keys) {
      const times = this.live(key, now);
      if (times && times.length >= this.maxFailures) wait = Math.max(wait, times[0]! + this.windowMs - now);
    }
    return wait;
  }

  recordFailure(keys: readonly string[]): void {
    const now = this.clock.nowMs();
    for (const key of keys) {
      const times = this.live(key, now) ?? [];
      times.push(now);
      if (times.length > this.maxFailures) times.splice(0, times.length - this.maxFailures);
      this.failures.delete(key); // re-insert: the Map's order is the order of last failure
      this.failures.set(key, times);
      if (this.failures.size > this.maxKeys) {
        const oldest = this.failures.keys().next();
        if (!oldest.done) this.failures.delete(oldest.value);
      }
    }
  }

  /** Forgets a key's failures (a successful login of that user). */
  reset(key: string): void {
    this.failures.delete(key);
  }

  /** The key's failures within the window; drops the key when none are. */
  private live(key: string, now: number): number[] | undefined {
    const times = this.failures.get(key);
    if (!times) return undefined;
    while (times.length > 0 && now - times[0]! >= this.windowMs) times.shift();
    if (times.length === 0) {
      this.failures.delete(key);
      return undefined;
    }
    return times;
  }
}

/** The rate-limit keys of a login: the user name (without case) and the client address. */
export function loginKeys(userName: string, remoteAddress: string): string[] {
  return [`user:${userName.toLowerCase()}`, `addr:${remoteAddress}`];
}
