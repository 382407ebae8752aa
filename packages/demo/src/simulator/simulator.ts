/**
 * The runner: takes the plan (planner.ts) hour by hour, schedules each action on the simulated
 * clock and performs it against the portal over HTTP — creating the population, logging in,
 * quoting and ordering, uploading technicians' records, changing subscriptions, injecting faults
 * through the control API and playing client-side attacks.
 *
 * It never throws into its host: every request's failure (refused, timed out, dropped because too
 * many wait) is an outcome counted in `stats`; an action that fails unexpectedly is counted as an
 * internal error and logged. What the portal assigns (tokens, vessel ids, equipment, quote ids) is
 * kept here; what happens and when is the plan's.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import {
  CreateVesselResponse,
  FaultRequest,
  LoginResponse,
  QuoteResponse,
  type ServiceName,
  type SyncRecord,
} from '../contract.js';
import type { SimClock } from './clock.js';
import { formatDurationMs } from './duration.js';
import type { Company, SimUser, Technician, Vessel } from './fleet.js';
import { LimitedTransport, type HttpResult, type HttpTransport, type PortalUrls } from './http.js';
import { Planner, type BurstRequest, type PlannedAction, type PlannedRecord } from './planner.js';
import { DEFAULT_SCENARIO, describeFault, type Scenario } from './scenario.js';
import { formatSimTime, Stats } from './stats.js';

/** Options of {@link Simulator}. */
export interface SimulatorOptions {
  /** Fixes the fleet and every decision of the plan. */
  readonly seed: number;
  /** Simulated seconds per wall second (fault durations and burst rates are converted with it). */
  readonly speed: number;
  /** Simulated time: `scaledClock` in production, `VirtualClock` in tests. */
  readonly clock: SimClock;
  /** How requests are sent; wrapped with bounded concurrency. */
  readonly transport: HttpTransport;
  readonly urls: PortalUrls;
  /** @default DEFAULT_SCENARIO */
  readonly scenario?: Scenario;
  /** Companies at the start. @default 12 */
  readonly companies?: number;
  /** Simulated time to run; unbounded when absent (until `stop()`). */
  readonly durationMs?: number;
  /** Simulated start. @default clock.nowMs() */
  readonly startMs?: number;
  /** Where the hourly summaries and events go. @default no output */
  readonly log?: (line: string) => void;
  /** @default 8 */
  readonly maxInFlight?: number;
  /** Wall-clock limit per request. @default 5000 */
  readonly requestTimeoutMs?: number;
}

type EquipmentTemplate = z.infer<typeof CreateVesselResponse>['equipment_templates'][number];
type SyncRecordBody = z.infer<typeof SyncRecord>;

interface OnboardedVessel {
  readonly vesselId: string;
  readonly equipment: readonly EquipmentTemplate[];
}

interface QueuedRecord {
  readonly techId: string;
  readonly record: PlannedRecord;
}

interface ActiveFault {
  readonly label: string;
  readonly startMs: number;
  readonly untilMs: number;
}

/** How long a failed setup step (company, user, vessel) waits before it is tried again. */
const RETRY_AFTER_MS = 30 * 60_000;
const HOUR_MS = 3_600_000;
const PLAN_AHEAD_MS = HOUR_MS;
/** The contract's limit of records per upload. */
const MAX_RECORDS_PER_UPLOAD = 5_000;

/** Remembers the result of a setup step per key; a failed step may be tried again later. */
class Memo<T> {
  readonly #done = new Map<string, T>();
  readonly #pending = new Map<string, Promise<T | undefined>>();
  readonly #failedAtMs = new Map<string, number>();

  get(key: string): T | undefined {
    return this.#done.get(key);
  }

  forget(key: string): void {
    this.#done.delete(key);
    this.#failedAtMs.delete(key);
  }

  /** The remembered value, a pending attempt, or a new attempt (unless one failed within `retryAfterMs`). */
  ensure(
    key: string,
    nowMs: number,
    retryAfterMs: number,
    attempt: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const done = this.#done.get(key);
    if (done !== undefined) return Promise.resolve(done);
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const failedAt = this.#failedAtMs.get(key);
    if (failedAt !== undefined && nowMs - failedAt < retryAfterMs) return Promise.resolve(undefined);
    const p = attempt()
      .then(
        (value) => value,
        () => undefined,
      )
      .then((value) => {
        this.#pending.delete(key);
        if (value === undefined) this.#failedAtMs.set(key, nowMs);
        else this.#done.set(key, value);
        return value;
      });
    this.#pending.set(key, p);
    return p;
  }
}

/** Drives the portal with a simulated fleet. */
export class Simulator {
  readonly planner: Planner;
  readonly stats = new Stats();
  readonly startMs: number;
  readonly #options: SimulatorOptions;
  readonly #clock: SimClock;
  readonly #transport: LimitedTransport;
  readonly #log: (line: string) => void;
  readonly #timeoutMs: number;
  readonly #endMs: number;
  readonly #abort = new AbortController();

  #queue: PlannedAction[] = [];
  #head = 0;
  #started = false;
  #stopped = false;
  #cancelTick: (() => void) | undefined;
  #cancelSummary: (() => void) | undefined;
  #cancelEnd: (() => void) | undefined;
  #hourStartMs: number;
  readonly #running = new Set<Promise<void>>();
  readonly #sleepers = new Set<{ cancel: () => void; wake: (completed: boolean) => void }>();
  readonly #done: Promise<void>;
  #resolveDone: () => void = () => {};

  readonly #companies = new Memo<true>();
  readonly #users = new Memo<true>();
  readonly #vessels = new Memo<OnboardedVessel>();
  readonly #tokens = new Memo<string>();
  /** Records queued on board, by vessel IMO. */
  readonly #outbox = new Map<string, QueuedRecord[]>();
  /** Uploads of one vessel run one after the other (one link, one on-board store). */
  readonly #vesselLocks = new Map<string, Promise<void>>();
  /** Offline vessels, with how many offline periods hold them (scenario periods may overlap). */
  readonly #offline = new Map<string, number>();
  #faults: ActiveFault[] = [];

  constructor(options: SimulatorOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.startMs = options.startMs ?? options.clock.nowMs();
    this.#hourStartMs = this.startMs;
    this.#endMs = options.durationMs === undefined ? Number.POSITIVE_INFINITY : this.startMs + options.durationMs;
    this.#log = options.log ?? (() => {});
    this.#timeoutMs = options.requestTimeoutMs ?? 5_000;
    this.#transport = new LimitedTransport(options.transport, { maxInFlight: options.maxInFlight ?? 8 });
    this.planner = new Planner({
      seed: options.seed,
      startMs: this.startMs,
      companies: options.companies,
      speed: options.speed,
      scenario: options.scenario ?? DEFAULT_SCENARIO,
    });
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  /** Resolves when the simulation has stopped (its duration ran out, or `stop()`). */
  get done(): Promise<void> {
    return this.#done;
  }

  /** Offline vessels now (IMO numbers). */
  get offlineVessels(): string[] {
    return [...this.#offline.keys()];
  }

  /** Starts scheduling; returns at once. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const fleet = this.planner.fleet;
    const vessels = fleet.companies.reduce((n, c) => n + c.vessels.length, 0);
    this.#log(
      `simulating ${fleet.companies.length} companies, ${vessels} vessels from ${formatSimTime(this.startMs)} at speed ${this.#options.speed}` +
        (Number.isFinite(this.#endMs) ? ` for ${formatDurationMs(this.#endMs - this.startMs)}` : ''),
    );
    if (Number.isFinite(this.#endMs)) {
      this.#cancelEnd = this.#clock.setTimeout(() => void this.stop(), this.#endMs - this.startMs);
    }
    this.#scheduleSummary();
    this.#tick();
  }

  /** Stops: cancels what is scheduled, aborts requests in flight, waits for the actions to end. */
  async stop(): Promise<void> {
    if (this.#stopped) return this.#done;
    this.#stopped = true;
    this.#cancelTick?.();
    this.#cancelSummary?.();
    this.#cancelEnd?.();
    for (const sleeper of [...this.#sleepers]) {
      sleeper.cancel();
      sleeper.wake(false);
    }
    this.#abort.abort();
    this.#transport.dropQueued();
    await Promise.allSettled([...this.#running]);
    // The hour in progress, unless it has only just begun.
    if (this.stats.hourRequests > 0) {
      this.#log(this.stats.takeHourLine(this.#hourStartMs, this.#faultLabels(this.#hourStartMs)));
    }
    this.#log(this.stats.totalLine('total'));
    this.#resolveDone();
  }

  /**
   * Resolves once no request is in flight or queued (tests: lets the work a timer started finish
   * before a virtual clock moves on).
   */
  async settled(): Promise<void> {
    for (let quiet = 0; quiet < 3;) {
      if (this.#transport.active > 0) {
        quiet = 0;
        await new Promise((resolve) => setTimeout(resolve, 1));
      } else {
        await new Promise((resolve) => setImmediate(resolve));
        quiet = this.#transport.active === 0 && this.#transport.queued === 0 ? quiet + 1 : 0;
      }
    }
  }

  // ── scheduling ─────────────────────────────────────────────────────────────────────────────

  #tick(): void {
    if (this.#stopped) return;
    const nowMs = this.#clock.nowMs();
    while (this.planner.plannedUntilMs < Math.min(nowMs + PLAN_AHEAD_MS, this.#endMs)) {
      const untilMs = Math.min(this.planner.plannedUntilMs + PLAN_AHEAD_MS, this.#endMs);
      for (const action of this.planner.planUntil(untilMs)) this.#queue.push(action);
    }
    for (let next = this.#queue[this.#head]; next !== undefined && next.atMs <= nowMs; next = this.#queue[this.#head]) {
      this.#head++;
      this.#run(next);
    }
    if (this.#head > 1_000) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    const nextMs = Math.min(this.#queue[this.#head]?.atMs ?? Number.POSITIVE_INFINITY, this.planner.plannedUntilMs);
    if (nextMs >= this.#endMs) return;
    this.#cancelTick = this.#clock.setTimeout(() => this.#tick(), Math.max(0, nextMs - nowMs));
  }

  /** The summary of each simulated hour, at the next hour boundary (boundaries computed, not read back from the clock). */
  #scheduleSummary(atMs = (Math.floor(this.startMs / HOUR_MS) + 1) * HOUR_MS): void {
    this.#cancelSummary = this.#clock.setTimeout(
      () => {
        this.#log(this.stats.takeHourLine(this.#hourStartMs, this.#faultLabels(this.#hourStartMs)));
        this.#hourStartMs = atMs;
        this.#scheduleSummary(atMs + HOUR_MS);
      },
      Math.max(0, atMs - this.#clock.nowMs()),
    );
  }

  #run(action: PlannedAction): void {
    const p = this.#execute(action).catch((err: unknown) => {
      this.stats.recordInternalError();
      this.#log(`internal error in ${action.kind}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    });
    this.#running.add(p);
    void p.finally(() => this.#running.delete(p));
  }

  /** Waits `ms` of simulated time; false when the simulator stopped meanwhile. */
  #sleep(ms: number): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const sleeper = {
        cancel: () => {},
        wake: (completed: boolean) => {
          this.#sleepers.delete(sleeper);
          resolve(completed);
        },
      };
      sleeper.cancel = this.#clock.setTimeout(() => sleeper.wake(true), ms);
      this.#sleepers.add(sleeper);
    });
  }

  /** Faults in force at some time during the hour that started at `hourStartMs`. */
  #faultLabels(hourStartMs: number): string[] {
    this.#faults = this.#faults.filter((f) => f.untilMs > hourStartMs);
    return [...new Set(this.#faults.filter((f) => f.startMs < hourStartMs + HOUR_MS).map((f) => f.label))];
  }

  #addFault(label: string, startMs: number, untilMs: number): void {
    if (!this.#faults.some((f) => f.label === label && f.untilMs === untilMs))
      this.#faults.push({ label, startMs, untilMs });
  }

  // ── HTTP ───────────────────────────────────────────────────────────────────────────────────

  async #send(
    service: ServiceName | 'control',
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { token?: string; json?: unknown; body?: string; discardBody?: boolean } = {},
  ): Promise<HttpResult> {
    if (this.#stopped) return { kind: 'aborted', message: 'the simulator stopped' };
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'watchkeeper-fleet-simulator' };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    const body = options.body ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
    if (body !== undefined) headers['content-type'] = 'application/json';
    const result = await this.#transport.request({
      method,
      url: `${this.#options.urls[service]}${path}`,
      headers,
      body,
      timeoutMs: this.#timeoutMs,
      discardBody: options.discardBody,
      signal: this.#abort.signal,
    });
    if (!this.#stopped || (result.kind !== 'aborted' && result.kind !== 'dropped')) this.stats.record(result);
    return result;
  }

  /** A request with the user's session; logs in first if needed, and once more if the session expired. */
  async #sendAs(
    user: SimUser,
    service: ServiceName,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { json?: unknown; discardBody?: boolean } = {},
  ): Promise<HttpResult | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.#token(user);
      if (token === undefined) return undefined;
      const result = await this.#send(service, method, path, { ...options, token });
      if (!isStatus(result, 401)) return result;
      this.#tokens.forget(user.username);
    }
    return undefined;
  }

  // ── setup: companies, users, vessels, sessions ─────────────────────────────────────────────

  #ensureCompany(company: Company): Promise<true | undefined> {
    return this.#companies.ensure(company.id, this.#clock.nowMs(), RETRY_AFTER_MS, async () => {
      const result = await this.#send('billing', 'POST', '/api/companies', {
        json: { company_id: company.id, name: company.name, tier: company.tier },
      });
      return isOk(result) || isStatus(result, 409) ? true : undefined;
    });
  }

  async #ensureUser(user: SimUser): Promise<boolean> {
    const company = this.planner.fleet.company(user.companyId);
    if (company === undefined || (await this.#ensureCompany(company)) === undefined) return false;
    const created = await this.#users.ensure(user.username, this.#clock.nowMs(), RETRY_AFTER_MS, async () => {
      const result = await this.#send('auth', 'POST', '/api/auth/users', {
        json: {
          username: user.username,
          password: user.password,
          role: user.role,
          company_id: user.companyId,
          company: company.name,
        },
      });
      return isOk(result) || isStatus(result, 409) ? true : undefined;
    });
    return created === true;
  }

  #token(user: SimUser): Promise<string | undefined> {
    return this.#tokens.ensure(user.username, this.#clock.nowMs(), 0, () => this.#login(user, false));
  }

  /** Logs in (after a mistyped password first, if asked); the session token, or undefined. */
  async #login(user: SimUser, wrongPasswordFirst: boolean): Promise<string | undefined> {
    if (!(await this.#ensureUser(user))) return undefined;
    if (wrongPasswordFirst) {
      await this.#send('auth', 'POST', '/api/auth/login', {
        json: { username: user.username, password: `${user.password.slice(0, -1)}x`, platform: user.platform },
      });
      if (!(await this.#sleep(30_000))) return undefined;
    }
    const result = await this.#send('auth', 'POST', '/api/auth/login', {
      json: { username: user.username, password: user.password, platform: user.platform },
    });
    const parsed = parseJson(result, LoginResponse);
    return parsed?.token;
  }

  /** A new session: replaces the remembered token. */
  async #newSession(user: SimUser, wrongPasswordFirst: boolean): Promise<string | undefined> {
    this.#tokens.forget(user.username);
    return this.#tokens.ensure(user.username, this.#clock.nowMs(), 0, () => this.#login(user, wrongPasswordFirst));
  }

  #ensureVessel(vessel: Vessel): Promise<OnboardedVessel | undefined> {
    const company = this.planner.fleet.company(vessel.companyId);
    const onboarder = company?.users.find((u) => u.role === 'customer_admin') ?? company?.users[0];
    if (onboarder === undefined || vessel.onboardAtMs > this.#clock.nowMs()) return Promise.resolve(undefined);
    return this.#vessels.ensure(vessel.imo, this.#clock.nowMs(), RETRY_AFTER_MS, async () => {
      const result = await this.#sendAs(onboarder, 'vessels', 'POST', '/api/vessels/create', {
        json: { company_id: vessel.companyId, imo: vessel.imo, name: vessel.name, vessel_type: vessel.vesselType },
      });
      const created = parseJson(result, CreateVesselResponse);
      if (created) return { vesselId: created.vessel_id, equipment: created.equipment_templates };
      if (result !== undefined && isStatus(result, 409)) return this.#findVessel(onboarder, vessel);
      return undefined;
    });
  }

  /** The portal already knows the vessel (a second run against kept data): look it up. */
  async #findVessel(user: SimUser, vessel: Vessel): Promise<OnboardedVessel | undefined> {
    const result = await this.#sendAs(user, 'vessels', 'GET', `/api/vessels?company_id=${vessel.companyId}`);
    if (result?.kind !== 'response' || result.status >= 300) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(result.body);
    } catch {
      return undefined;
    }
    const list = (data as { vessels?: unknown }).vessels;
    if (!Array.isArray(list)) return undefined;
    for (const item of list as Record<string, unknown>[]) {
      if (item['imo'] !== vessel.imo || typeof item['vessel_id'] !== 'string') continue;
      const templates = CreateVesselResponse.shape.equipment_templates.safeParse(item['equipment_templates']);
      return { vesselId: item['vessel_id'], equipment: templates.success ? templates.data : [] };
    }
    return undefined;
  }

  // ── actions ────────────────────────────────────────────────────────────────────────────────

  async #execute(action: PlannedAction): Promise<void> {
    const fleet = this.planner.fleet;
    switch (action.kind) {
      case 'signup': {
        const company = fleet.company(action.companyId);
        if (company === undefined) return;
        if (!company.initial) this.#log(`${formatSimTime(action.atMs)} ${company.name} (${company.tier}) signs up`);
        if ((await this.#ensureCompany(company)) === undefined) return;
        const users = [...company.users, ...company.vessels.flatMap((v) => v.technicians)];
        await Promise.all(users.map((u) => this.#ensureUser(u)));
        return;
      }
      case 'onboard_vessel': {
        const vessel = fleet.vessel(action.imo);
        const company = fleet.company(action.companyId);
        const admin = company?.users.find((u) => u.role === 'customer_admin');
        if (vessel === undefined || admin === undefined) return;
        if (action.mistypedImo !== null) {
          await this.#sendAs(admin, 'vessels', 'POST', '/api/vessels/create', {
            json: {
              company_id: vessel.companyId,
              imo: action.mistypedImo,
              name: vessel.name,
              vessel_type: vessel.vesselType,
            },
          });
          if (!(await this.#sleep(120_000))) return;
        }
        await this.#ensureVessel(vessel);
        return;
      }
      case 'login': {
        const user = fleet.user(action.username);
        if (user) await this.#newSession(user, action.wrongPasswordFirst);
        return;
      }
      case 'logout': {
        const token = this.#tokens.get(action.username);
        if (token === undefined) return;
        this.#tokens.forget(action.username);
        await this.#send('auth', 'POST', '/api/auth/logout', { token });
        return;
      }
      case 'browse':
        return this.#browse(action);
      case 'purchase':
        return this.#purchase(action);
      case 'sync':
        return this.#sync(action);
      case 'change_tier': {
        const user = fleet.user(action.username);
        if (user === undefined) return;
        this.#log(
          `${formatSimTime(action.atMs)} ${fleet.company(action.companyId)?.name ?? action.companyId} moves to ${action.tier}`,
        );
        const result = await this.#sendAs(user, 'billing', 'PUT', `/api/companies/${action.companyId}/subscription`, {
          json: { tier: action.tier },
        });
        const company = fleet.company(action.companyId);
        if (company !== undefined && result !== undefined && isOk(result)) company.tier = action.tier;
        return;
      }
      case 'cancel': {
        const user = fleet.user(action.username);
        if (user === undefined) return;
        this.#log(
          `${formatSimTime(action.atMs)} ${fleet.company(action.companyId)?.name ?? action.companyId} cancels (${action.reason})`,
        );
        await this.#sendAs(user, 'billing', 'DELETE', `/api/companies/${action.companyId}/subscription`, {
          json: { reason: action.reason },
        });
        return;
      }
      case 'fault': {
        const fault = FaultRequest.parse(action.fault);
        const label = describeFault(fault);
        this.#addFault(label, action.atMs, action.atMs + action.simDurationMs);
        const result = await this.#send('control', 'POST', '/faults', { json: fault });
        this.#log(
          `${formatSimTime(action.atMs)} fault: ${label} for ${formatDurationMs(action.simDurationMs)} ` +
            `(${formatDurationMs(fault.duration_ms)} wall) → ${describeResult(result)}`,
        );
        return;
      }
      case 'vessel_offline': {
        this.#offline.set(action.imo, (this.#offline.get(action.imo) ?? 0) + 1);
        this.#addFault(`vessel ${action.imo} offline`, action.atMs, action.untilMs);
        this.#log(
          `${formatSimTime(action.atMs)} vessel ${action.imo} loses its link until ${formatSimTime(action.untilMs)}`,
        );
        return;
      }
      case 'vessel_online': {
        const holds = (this.#offline.get(action.imo) ?? 1) - 1;
        if (holds > 0) {
          this.#offline.set(action.imo, holds);
          return;
        }
        this.#offline.delete(action.imo);
        const queued = this.#outbox.get(action.imo)?.length ?? 0;
        this.#log(
          `${formatSimTime(action.atMs)} vessel ${action.imo} is back online; syncing ${queued} queued records`,
        );
        await this.#withVesselLock(action.imo, () => this.#uploadBacklog(action.imo));
        return;
      }
      case 'burst':
        this.#addFault(action.burst, action.atMs, action.untilMs);
        await Promise.all(action.requests.map((r) => this.#burstRequest(r)));
        return;
    }
  }

  async #browse(action: Extract<PlannedAction, { kind: 'browse' }>): Promise<void> {
    const fleet = this.planner.fleet;
    const user = fleet.user(action.username);
    if (user === undefined) return;
    let vesselId = '';
    if (action.vesselImo !== null) {
      const vessel = fleet.vessel(action.vesselImo);
      // A technician on board without a link cannot browse the portal.
      if (vessel === undefined || (user.role === 'technician' && this.#offline.has(vessel.imo))) return;
      const onboarded = await this.#ensureVessel(vessel);
      if (onboarded === undefined) return;
      vesselId = onboarded.vesselId;
    }
    const company = user.companyId;
    const [service, path]: [ServiceName, string] = {
      fleet: ['vessels', `/api/vessels?company_id=${company}`],
      equipment: ['vessels', `/api/vessels/${vesselId}/equipment`],
      records: ['sync', `/api/sync/records?vessel_id=${vesselId}`],
      quotes: ['parts-api', `/api/parts/quotes?company_id=${company}`],
      company: ['billing', `/api/companies/${company}`],
      export_fleet: ['vessels', '/api/vessels/export'],
      export_orders: ['parts-api', `/api/parts/orders/export?company_id=${company}`],
      export_invoices: ['billing', '/api/companies/export?format=csv'],
    }[action.view] as [ServiceName, string];
    await this.#sendAs(user, service, 'GET', path, { discardBody: action.view.startsWith('export_') });
  }

  async #purchase(action: Extract<PlannedAction, { kind: 'purchase' }>): Promise<void> {
    const fleet = this.planner.fleet;
    const user = fleet.user(action.username);
    const vessel = fleet.vessel(action.vesselImo);
    if (user === undefined || vessel === undefined) return;
    const onboarded = await this.#ensureVessel(vessel);
    if (onboarded === undefined) return;
    const result = await this.#sendAs(user, 'parts-api', 'POST', '/api/parts/quote', {
      json: {
        company_id: user.companyId,
        vessel_id: onboarded.vesselId,
        part_number: action.partNumber,
        quantity: action.quantity,
        urgency: action.urgency,
      },
    });
    const quote = parseJson(result, QuoteResponse);
    if (quote === undefined || action.order === null) return;
    if (!(await this.#sleep(action.order.afterMs))) return;
    await this.#sendAs(user, 'parts-api', 'POST', '/api/parts/order', {
      json: { quote_id: quote.quote_id, card_token: action.order.cardToken, order_type: action.order.orderType },
    });
  }

  async #sync(action: Extract<PlannedAction, { kind: 'sync' }>): Promise<void> {
    const tech = this.planner.fleet.user(action.techId) as Technician | undefined;
    if (tech === undefined) return;
    const outbox = this.#outbox.get(tech.vesselImo) ?? [];
    this.#outbox.set(tech.vesselImo, outbox);
    for (const record of action.records) outbox.push({ techId: tech.techId, record });
    if (this.#offline.has(tech.vesselImo)) return; // No link: the records wait on board.
    await this.#withVesselLock(tech.vesselImo, async () => {
      if (this.#offline.has(tech.vesselImo)) return;
      if (action.login && (await this.#newSession(tech, action.wrongPasswordFirst)) === undefined) return;
      await this.#upload(tech, (q) => q.techId === tech.techId, action.corruptFirst);
    });
  }

  /** After an outage: everything queued on board goes as one upload, by the technician with the most records. */
  async #uploadBacklog(imo: string): Promise<void> {
    const queued = this.#outbox.get(imo) ?? [];
    const vessel = this.planner.fleet.vessel(imo);
    if (queued.length === 0 || vessel === undefined) return;
    const counts = new Map<string, number>();
    for (const q of queued) counts.set(q.techId, (counts.get(q.techId) ?? 0) + 1);
    const techId = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    const tech = vessel.technicians.find((t) => t.techId === techId);
    if (tech === undefined) return;
    await this.#upload(tech, () => true, false);
  }

  /** Uploads the queued records of the tech's vessel that `select` picks; keeps them queued on a transient failure. */
  async #upload(tech: Technician, select: (q: QueuedRecord) => boolean, corruptFirst: boolean): Promise<void> {
    const vessel = this.planner.fleet.vessel(tech.vesselImo);
    const outbox = this.#outbox.get(tech.vesselImo);
    if (vessel === undefined || outbox === undefined) return;
    const onboarded = await this.#ensureVessel(vessel);
    if (onboarded === undefined) return;
    const batch = outbox.filter(select).slice(0, MAX_RECORDS_PER_UPLOAD);
    if (batch.length === 0) return;
    const records = batch.map((q) => toSyncRecord(q.record, onboarded.equipment));
    const recordsJson = JSON.stringify(records);
    const checksum = sha256Hex(recordsJson);
    const bodyFor = (sum: string): string =>
      `{"vessel_id":${JSON.stringify(onboarded.vesselId)},"tech_id":${JSON.stringify(tech.techId)},"records":${recordsJson},"checksum":"${sum}"}`;
    const send = (sum: string): Promise<HttpResult | undefined> =>
      this.#sendAsBody(tech, 'sync', '/api/sync/upload', bodyFor(sum));
    let result = await send(corruptFirst ? sha256Hex(`${recordsJson} `) : checksum);
    if (corruptFirst && result !== undefined && isStatus(result, 422)) result = await send(checksum);
    if (result === undefined || result.kind !== 'response') return; // Unreachable, timed out: retry at the next sync.
    const status = result.status;
    if (status < 300 || (status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429)) {
      // Sent, or refused for good (a 4xx other than auth/throttling): either way, off the queue.
      const sent = new Set(batch);
      const remaining = outbox.filter((q) => !sent.has(q));
      this.#outbox.set(tech.vesselImo, remaining);
    }
  }

  /** Like #sendAs with a body already serialised (the upload's checksum is over its exact bytes). */
  async #sendAsBody(user: SimUser, service: ServiceName, path: string, body: string): Promise<HttpResult | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.#token(user);
      if (token === undefined) return undefined;
      const result = await this.#send(service, 'POST', path, { token, body });
      if (!isStatus(result, 401)) return result;
      this.#tokens.forget(user.username);
    }
    return undefined;
  }

  async #withVesselLock(imo: string, fn: () => Promise<void>): Promise<void> {
    const previous = this.#vesselLocks.get(imo) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => {});
    this.#vesselLocks.set(imo, settled);
    await next;
    if (this.#vesselLocks.get(imo) === settled) this.#vesselLocks.delete(imo);
  }

  async #burstRequest(request: BurstRequest): Promise<void> {
    const fleet = this.planner.fleet;
    switch (request.type) {
      case 'login':
        await this.#send('auth', 'POST', '/api/auth/login', {
          json: { username: request.username, password: request.password, platform: request.platform },
        });
        return;
      case 'quote': {
        const user = fleet.user(request.as);
        if (user === undefined) return;
        const vesselId = this.#vessels.get(request.vesselImo)?.vesselId ?? 'vsl_unknown';
        await this.#sendAs(user, 'parts-api', 'POST', '/api/parts/quote', {
          json: {
            company_id: user.companyId,
            vessel_id: vesselId,
            part_number: request.partNumber,
            quantity: request.quantity,
            urgency: request.urgency,
          },
        });
        return;
      }
      case 'get': {
        const user = fleet.user(request.as);
        if (user === undefined) return;
        await this.#sendAs(user, request.service, 'GET', request.path, {
          discardBody: request.path.includes('/export'),
        });
        return;
      }
    }
  }
}

function isOk(result: HttpResult): boolean {
  return result.kind === 'response' && result.status >= 200 && result.status < 300;
}

function isStatus(result: HttpResult, status: number): boolean {
  return result.kind === 'response' && result.status === status;
}

function parseJson<T>(result: HttpResult | undefined, schema: z.ZodType<T, z.ZodTypeDef, unknown>): T | undefined {
  if (result === undefined || !isOk(result) || result.kind !== 'response') return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(result.body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function describeResult(result: HttpResult): string {
  return result.kind === 'response' ? String(result.status) : result.kind;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The contract's record, keys in the schema's order (the checksum is over JSON.stringify). */
function toSyncRecord(record: PlannedRecord, equipment: readonly EquipmentTemplate[]): SyncRecordBody {
  const template = equipment.length > 0 ? equipment[record.equipmentSlot % equipment.length] : undefined;
  return {
    equipment_id: template?.equipment_id ?? `eq_${record.equipmentSlot}`,
    equipment_type: template?.equipment_type ?? 'general',
    fields: record.fields,
    photos: record.photos,
    updated_at: new Date(record.documentedAtMs).toISOString(),
    started_at: new Date(record.startedAtMs).toISOString(),
  };
}
