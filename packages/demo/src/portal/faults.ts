/**
 * Fault injection for the simulator (contract.ts FaultRequest): keeps the active faults, ends each
 * after its duration on the portal's scheduler, and makes the services feel the union of what is
 * active — a service is down while any `down` fault for it is active, its pool is held while any
 * `db_pool_exhaustion` fault is, the largest active latency and failure ratio apply.
 */
import { randomBytes } from 'node:crypto';
import type { FaultRequest, ServiceName } from '../contract.js';
import type { Scheduler, TimerHandle } from '../services/shared/scheduler.js';
import type { FaultView } from '../services/shared/service-host.js';

/** What the controller acts on: the portal's services. */
export interface FaultTargets {
  /** Closes (true) or reopens (false) the service's listener. */
  setDown(service: ServiceName, down: boolean): Promise<void>;
  /** Takes every connection of the service's database pool; the function gives them back. */
  holdPool(service: ServiceName): () => void;
}

export interface ActiveFault {
  readonly id: string;
  readonly request: FaultRequest;
  readonly startedAtMs: number;
  readonly endsAtMs: number;
}

/** GET /faults's shape of one fault: the request's fields, its id and its end. */
export function faultView(fault: ActiveFault): Record<string, unknown> {
  return { id: fault.id, ...fault.request, ends_at: new Date(fault.endsAtMs).toISOString() };
}

export class FaultController implements FaultView {
  readonly #targets: FaultTargets;
  readonly #scheduler: Scheduler;
  readonly #onChange: (message: string) => void;
  readonly #active = new Map<string, { fault: ActiveFault; timer: TimerHandle }>();
  readonly #down = new Set<ServiceName>();
  readonly #held = new Map<ServiceName, () => void>();
  #reconciling: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(targets: FaultTargets, scheduler: Scheduler, onChange: (message: string) => void = () => {}) {
    this.#targets = targets;
    this.#scheduler = scheduler;
    this.#onChange = onChange;
  }

  /** Starts a fault; resolves once the services feel it (a `down` service refuses connections). */
  async inject(request: FaultRequest): Promise<ActiveFault> {
    if (this.#stopped) throw new Error('The fault controller has stopped');
    const now = this.#scheduler.now();
    const fault: ActiveFault = {
      id: `flt_${randomBytes(6).toString('hex')}`,
      request,
      startedAtMs: now,
      endsAtMs: now + request.duration_ms,
    };
    const timer = this.#scheduler.setTimeout(() => void this.clear(fault.id), request.duration_ms);
    this.#active.set(fault.id, { fault, timer });
    this.#onChange(`fault ${fault.id} started: ${describe(request)}`);
    await this.#reconcile();
    return fault;
  }

  /** Ends a fault early; false if no such fault is active. */
  async clear(id: string): Promise<boolean> {
    const entry = this.#active.get(id);
    if (entry === undefined) return false;
    this.#scheduler.clear(entry.timer);
    this.#active.delete(id);
    this.#onChange(`fault ${id} ended: ${describe(entry.fault.request)}`);
    await this.#reconcile();
    return true;
  }

  list(): ActiveFault[] {
    return [...this.#active.values()].map((e) => e.fault);
  }

  /** Resolves when the services feel the current set of faults. */
  settled(): Promise<void> {
    return this.#reconciling;
  }

  extraLatencyMs(service: ServiceName): number {
    let ms = 0;
    for (const { fault } of this.#active.values()) {
      if (fault.request.kind === 'slow' && fault.request.service === service)
        ms = Math.max(ms, fault.request.extra_latency_ms);
    }
    return ms;
  }

  paymentFailureRatio(): number | undefined {
    let ratio: number | undefined;
    for (const { fault } of this.#active.values()) {
      if (fault.request.kind === 'payment_failures') ratio = Math.max(ratio ?? 0, fault.request.failure_ratio);
    }
    return ratio;
  }

  /** Ends every fault and restores the services. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const { timer } of this.#active.values()) this.#scheduler.clear(timer);
    this.#active.clear();
    await this.#reconcile();
  }

  #reconcile(): Promise<void> {
    this.#reconciling = this.#reconciling
      .then(() => this.#apply())
      .catch((err: unknown) => {
        this.#onChange(`applying faults failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    return this.#reconciling;
  }

  async #apply(): Promise<void> {
    const wantDown = new Set<ServiceName>();
    const wantHeld = new Set<ServiceName>();
    for (const { fault } of this.#active.values()) {
      if (fault.request.kind === 'down') wantDown.add(fault.request.service);
      if (fault.request.kind === 'db_pool_exhaustion') wantHeld.add(fault.request.service);
    }
    for (const [service, release] of this.#held) {
      if (wantHeld.has(service)) continue;
      release();
      this.#held.delete(service);
    }
    for (const service of wantHeld)
      if (!this.#held.has(service)) this.#held.set(service, this.#targets.holdPool(service));
    for (const service of [...this.#down]) {
      if (wantDown.has(service)) continue;
      await this.#targets.setDown(service, false);
      this.#down.delete(service);
    }
    for (const service of wantDown) {
      if (this.#down.has(service)) continue;
      await this.#targets.setDown(service, true);
      this.#down.add(service);
    }
  }
}

function describe(request: FaultRequest): string {
  switch (request.kind) {
    case 'down':
      return `${request.service} down for ${request.duration_ms} ms`;
    case 'slow':
      return `${request.service} +${request.extra_latency_ms} ms latency for ${request.duration_ms} ms`;
    case 'payment_failures':
      return `${Math.round(request.failure_ratio * 100)}% payment failures for ${request.duration_ms} ms`;
    case 'db_pool_exhaustion':
      return `${request.service} database pool held for ${request.duration_ms} ms`;
  }
}
