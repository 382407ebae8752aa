/**
 * Readiness: named checks the service registers (database reachable, cache warm); `/readyz`
 * answers 200 when all pass and 503 with the failing ones otherwise. A check that throws, rejects
 * or takes longer than the timeout fails. Liveness (`/healthz`) needs no checks: if the process
 * answers, it is alive.
 */
import { TelemetryOptionsError } from './errors.js';
import { maskPii } from './pii.js';

/** A readiness check: true when the service can serve. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface CheckResult {
  readonly ok: boolean;
  /** Why it failed: the exception's message (masked), `timeout`, or `returned false`. */
  readonly error?: string;
}

export interface ReadinessReport {
  readonly status: 'ready' | 'not_ready' | 'shutting_down';
  readonly failing: readonly string[];
  readonly checks: Readonly<Record<string, CheckResult>>;
}

const CHECK_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;

export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();
  readonly #timeoutMs: number;
  #shuttingDown = false;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** @throws TelemetryOptionsError for a bad name, a name used twice, or a check that is no function. */
  add(name: string, check: ReadinessCheck): void {
    if (typeof name !== 'string' || !CHECK_NAME.test(name)) {
      throw new TelemetryOptionsError(
        'WK_SDK_INVALID_OPTIONS',
        'readinessCheck.name',
        `Readiness check name ${JSON.stringify(name)} must be a letter followed by up to 62 letters, digits, _ . -.`,
      );
    }
    if (typeof check !== 'function') {
      throw new TelemetryOptionsError(
        'WK_SDK_INVALID_OPTIONS',
        `readinessCheck.${name}`,
        `Readiness check ${name} must be a function.`,
      );
    }
    if (this.#checks.has(name)) {
      throw new TelemetryOptionsError(
        'WK_SDK_INVALID_OPTIONS',
        `readinessCheck.${name}`,
        `Readiness check ${name} is already registered.`,
      );
    }
    this.#checks.set(name, check);
  }

  /** From now on the service reports not ready (it is shutting down). */
  markShuttingDown(): void {
    this.#shuttingDown = true;
  }

  /** Runs every check in parallel, each bounded by the timeout. Never rejects. */
  async evaluate(): Promise<ReadinessReport> {
    const entries = [...this.#checks];
    const results = await Promise.all(entries.map(([, check]) => this.#run(check)));
    const checks: Record<string, CheckResult> = {};
    const failing: string[] = [];
    entries.forEach(([name], i) => {
      const result = results[i]!;
      checks[name] = result;
      if (!result.ok) failing.push(name);
    });
    const status = this.#shuttingDown ? 'shutting_down' : failing.length === 0 ? 'ready' : 'not_ready';
    return { status, failing, checks };
  }

  async #run(check: ReadinessCheck): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, error: 'timeout' }), this.#timeoutMs);
    });
    const run = (async (): Promise<CheckResult> => {
      try {
        return (await check()) === true ? { ok: true } : { ok: false, error: 'returned false' };
      } catch (error) {
        return { ok: false, error: maskPii(error instanceof Error ? error.message : String(error)) };
      }
    })();
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
