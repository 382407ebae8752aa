/**
 * The plan: what every actor of the fleet does and when, in simulated time, as a pure function of
 * the seed, the start time, the speed and the scenario. Nothing here performs I/O or reads a
 * response: decisions (order or not, which card, which part) are made in advance, and the runner
 * (simulator.ts) only fills in what the portal assigns (tokens, vessel ids, quote ids).
 *
 * Daily rhythms, by each actor's local time: office users work weekdays in office hours of their
 * company's city (weekends quiet); technicians document equipment during the ship's working day
 * and sync in the ship's evening, weekends included but fewer. Company-level events (engagement
 * drifting, tier changes, churn, new sign-ups) are decided one simulated day ahead, in day order.
 */
import type { FaultRequest, ServiceName, URGENCIES } from '../contract.js';
import {
  Fleet,
  generateCompany,
  usersWithRole,
  type ChurnReason,
  type Company,
  type Platform,
  type SimUser,
  type Tier,
  type Vessel,
} from './fleet.js';
import { mistypeImo } from './imo.js';
import { Rng } from './rng.js';
import { isServerFault, type BurstKind, type Scenario, type ScenarioFault } from './scenario.js';

export type Urgency = (typeof URGENCIES)[number];

/**
 * What a user looks at: `fleet` (GET /api/vessels), `equipment` (a vessel's equipment), `records`
 * (a vessel's synced records), `quotes` (recent quotes), `company` (the subscription), and the
 * user's own exports (`export_fleet`, `export_orders`, `export_invoices`).
 */
export type BrowseView =
  'fleet' | 'equipment' | 'records' | 'quotes' | 'company' | 'export_fleet' | 'export_orders' | 'export_invoices';
export type OrderType = 'standard' | 'express' | 'emergency';

/** An equipment record a technician documents on board; the equipment comes from the vessel's templates. */
export interface PlannedRecord {
  /** Index into the vessel's equipment templates (modulo their number). */
  readonly equipmentSlot: number;
  readonly fields: Readonly<Record<string, string>>;
  readonly photos: number;
  /** When the technician started on the item (`started_at`). */
  readonly startedAtMs: number;
  readonly documentedAtMs: number;
}

/** One request of a client-side fault burst. */
export type BurstRequest =
  | { readonly type: 'login'; readonly username: string; readonly password: string; readonly platform: Platform }
  | {
      readonly type: 'quote';
      /** The user whose session sends it. */
      readonly as: string;
      readonly vesselImo: string;
      readonly partNumber: string;
      readonly quantity: number;
      readonly urgency: Urgency;
    }
  | { readonly type: 'get'; readonly as: string; readonly service: ServiceName; readonly path: string };

/** What the plan says happens at `atMs` (simulated Unix milliseconds). */
export type PlannedAction = { readonly atMs: number } & (
  | { readonly kind: 'signup'; readonly companyId: string }
  | {
      readonly kind: 'onboard_vessel';
      readonly companyId: string;
      readonly imo: string;
      /** A first attempt with a mistyped IMO number (a 400) before the right one. */
      readonly mistypedImo: string | null;
    }
  | { readonly kind: 'login'; readonly username: string; readonly wrongPasswordFirst: boolean }
  | { readonly kind: 'logout'; readonly username: string }
  | {
      /** A read: feature usage of the portal (lists, details, the user's own exports). */
      readonly kind: 'browse';
      readonly username: string;
      readonly view: BrowseView;
      /** The vessel of a per-vessel view. */
      readonly vesselImo: string | null;
    }
  | {
      readonly kind: 'purchase';
      readonly username: string;
      readonly vesselImo: string;
      readonly partNumber: string;
      readonly quantity: number;
      readonly urgency: Urgency;
      /** Set when the purchaser orders after the quote. */
      readonly order: {
        readonly afterMs: number;
        readonly orderType: OrderType;
        readonly cardToken: string;
      } | null;
    }
  | {
      readonly kind: 'sync';
      readonly techId: string;
      /** Records documented since the last sync; the runner queues them on board, then uploads the queue. */
      readonly records: readonly PlannedRecord[];
      /** Log in before uploading (the first sync of the technician's day). */
      readonly login: boolean;
      readonly wrongPasswordFirst: boolean;
      /** The first attempt arrives corrupted (a checksum mismatch, 422) and is sent again. */
      readonly corruptFirst: boolean;
    }
  | { readonly kind: 'change_tier'; readonly username: string; readonly companyId: string; readonly tier: Tier }
  | { readonly kind: 'cancel'; readonly username: string; readonly companyId: string; readonly reason: ChurnReason }
  | {
      readonly kind: 'fault';
      /** The control API request, durations already in wall time. */
      readonly fault: FaultRequest;
      readonly simDurationMs: number;
    }
  | { readonly kind: 'vessel_offline'; readonly imo: string; readonly untilMs: number }
  | { readonly kind: 'vessel_online'; readonly imo: string }
  | {
      readonly kind: 'burst';
      readonly burst: BurstKind;
      /** Simulated end of the burst this batch belongs to. */
      readonly untilMs: number;
      readonly requests: readonly BurstRequest[];
    }
);

export type ActionKind = PlannedAction['kind'];

/** Options of {@link Planner}. */
export interface PlannerOptions {
  readonly seed: number;
  /** Simulated Unix time of the start. */
  readonly startMs: number;
  /** Companies at the start. @default 12 */
  readonly companies?: number;
  /** Simulated seconds per wall second; converts fault durations and burst rates. */
  readonly speed: number;
  readonly scenario: Scenario;
}

/** Card tokens the simulator pays with when a card is declined (the processor's test tokens). */
export const DECLINED_CARD_TOKENS = ['tok_chargeDeclined', 'tok_insufficientFunds', 'tok_expiredCard'] as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MINUTE_MS = 60_000;

const PURCHASES_PER_DAY: Readonly<Record<Tier, number>> = { basic: 3, professional: 5, enterprise: 8 };
const CHURN_PER_DAY: Readonly<Record<Tier, number>> = { basic: 0.04, professional: 0.025, enterprise: 0.012 };
const TIERS_IN_ORDER: readonly Tier[] = ['basic', 'professional', 'enterprise'];
const ORDER_TYPE: Readonly<Record<Urgency, OrderType>> = { routine: 'standard', urgent: 'express', aog: 'emergency' };
const ORDER_CHANCE: Readonly<Record<Urgency, number>> = { routine: 0.4, urgent: 0.6, aog: 0.9 };

const PART_FAMILIES = ['FLT', 'GSK', 'INJ', 'PMP', 'VLV', 'BRG', 'SEL', 'IMP', 'PST', 'TRB', 'ELC', 'HYD'];
const MANUFACTURERS = ['MAN Energy Solutions', 'Wartsila', 'Alfa Laval', 'Kongsberg', 'Furuno', 'Hyundai', 'ABB'];
const CONDITIONS = ['good', 'fair', 'worn', 'needs_service', 'out_of_order'];
const NOTE_PHRASES = [
  'Inspected during port stay.',
  'Minor oil leak at flange, tightened.',
  'Vibration within limits.',
  'Nameplate partly corroded, serial read from manual.',
  'Replaced filter element.',
  'Spare parts onboard: 2 sets.',
  'Running hours taken from the engine log.',
  'Photo of the nameplate attached.',
  'Recommend overhaul at next dry dock.',
  'Insulation resistance measured, acceptable.',
];
const CHECKLIST_ITEMS = [
  'Visual inspection',
  'Foundation bolts',
  'Lubrication',
  'Leakage',
  'Alarms tested',
  'Guards in place',
  'Insulation',
  'Vibration',
  'Temperatures',
  'Labelling',
  'Manuals on board',
  'Spares on board',
];
const CHECK_RESULTS = ['ok', 'ok', 'ok', 'ok', 'remark', 'defect'];
const MEASUREMENTS = [
  'bearing_temp_de_c',
  'bearing_temp_nde_c',
  'vibration_mm_s',
  'pressure_bar',
  'current_a',
  'oil_temp_c',
];
const JOBS = [
  'Overhaul',
  'Filter change',
  'Bearing replacement',
  'Calibration',
  'Seal replacement',
  'Inspection',
  'Oil change',
];
const DONE_BY = ['ship staff', 'maker service engineer', 'shore workshop', 'class surveyor attending'];
const SPARE_DESCRIPTIONS = [
  'gasket set',
  'mechanical seal',
  'filter element',
  'ball bearing',
  'o-ring kit',
  'impeller',
  'fuse',
];
const PHOTO_CAPTIONS = [
  'nameplate',
  'general view',
  'leak at flange',
  'foundation',
  'control panel',
  'defect close-up',
];
const SQL_INJECTIONS = [
  "' OR 1=1 --",
  "FLT-1001'; DROP TABLE orders; --",
  "1' UNION SELECT card_token FROM payments --",
  '"; DELETE FROM quotes WHERE "1"="1',
  "' OR 'a'='a",
  "admin'--",
  "VLV-2040' AND SLEEP(5) --",
  "1; EXEC xp_cmdshell('dir') --",
];
const GUESSED_USERNAMES = ['admin', 'root', 'captain', 'test', 'operator', 'superintendent', 'support'];
const GUESSED_PASSWORDS = ['password1', 'Summer2024!', 'letmein123', 'qwerty123', 'Welcome1', 'Passw0rd', '12345678'];

/** The plan of a simulation, produced window by window in time order. */
export class Planner {
  readonly fleet = new Fleet();
  readonly #seed: number;
  readonly #startMs: number;
  readonly #speed: number;
  readonly #scenario: Scenario;
  readonly #targetCompanies: number;
  #plannedUntilMs: number;
  /** Company-level decisions are made for days up to this one (UTC day numbers). */
  #decidedThroughDay: number;
  readonly #engagement = new Map<string, Map<number, number>>();
  readonly #declining = new Set<string>();
  readonly #offlineVessel = new Map<string, string | null>();
  readonly #tierChanges: { companyId: string; atMs: number; tier: Tier }[] = [];
  /** Actor-days already planned (a day spans several planning windows), by `actor/day`. */
  readonly #dayCache = new Map<string, { day: number; actions: PlannedAction[] }>();

  constructor(options: PlannerOptions) {
    this.#seed = options.seed;
    this.#startMs = options.startMs;
    this.#speed = options.speed;
    this.#scenario = options.scenario;
    this.#targetCompanies = options.companies ?? 12;
    this.#plannedUntilMs = options.startMs;
    const rng = Rng.derive(this.#seed, 'initial-fleet');
    for (let i = 0; i < this.#targetCompanies; i++) {
      const signupAtMs = options.startMs + i * 20_000;
      const company = generateCompany(this.fleet, rng, {
        signupAtMs,
        initial: true,
        onboardAtMs: (v) => signupAtMs + MINUTE_MS + v * 30_000,
      });
      this.fleet.add(company);
      this.#engagement.set(company.id, new Map([[dayOf(options.startMs) - 1, rng.float(0.55, 1.1)]]));
    }
    this.#decidedThroughDay = dayOf(options.startMs) - 1;
  }

  /** Simulated time up to which the plan has been produced. */
  get plannedUntilMs(): number {
    return this.#plannedUntilMs;
  }

  /** The actions in [plannedUntilMs, toMs), in time order; windows must be asked for in order. */
  planUntil(toMs: number): PlannedAction[] {
    const out: PlannedAction[] = [];
    while (this.#plannedUntilMs < toMs) {
      const fromMs = this.#plannedUntilMs;
      const endMs = Math.min(toMs, (dayOf(fromMs) + 1) * DAY_MS);
      this.#decideDaysThrough(dayOf(fromMs) + 1);
      const chunk: PlannedAction[] = [];
      this.#planCompanies(fromMs, endMs, chunk);
      this.#planScenario(fromMs, endMs, chunk);
      // A stable sort: actions at the same instant keep the order they were planned in.
      chunk.sort((a, b) => a.atMs - b.atMs);
      out.push(...chunk);
      this.#plannedUntilMs = endMs;
    }
    return out;
  }

  // ── company-level decisions, day by day ─────────────────────────────────────────────────────

  #decideDaysThrough(day: number): void {
    while (this.#decidedThroughDay < day) {
      this.#decideDay(++this.#decidedThroughDay);
    }
  }

  #decideDay(day: number): void {
    const rng = Rng.derive(this.#seed, 'company-day', day);
    const earliestMs = Math.max(day * DAY_MS, this.#startMs + 2 * HOUR_MS);
    let active = 0;
    for (const company of this.fleet.companies) {
      if (company.churn !== undefined || company.signupAtMs >= (day + 1) * DAY_MS) continue;
      active++;
      const history = this.#engagement.get(company.id) ?? new Map<number, number>();
      this.#engagement.set(company.id, history);
      let engagement = history.get(day - 1) ?? 0.8;
      if (this.#declining.has(company.id)) {
        engagement -= rng.float(0.04, 0.12);
        if (rng.chance(0.1)) this.#declining.delete(company.id);
      } else {
        engagement += (0.85 - engagement) * 0.2 + rng.float(-0.06, 0.06);
        if (rng.chance(0.04)) this.#declining.add(company.id);
      }
      engagement = Math.min(1.3, Math.max(0.1, engagement));
      history.set(day, engagement);

      const tenureOk = company.initial || day * DAY_MS >= company.signupAtMs + DAY_MS;
      const churnChance = CHURN_PER_DAY[company.tier] * (engagement < 0.45 ? 5 : 1);
      if (tenureOk && rng.chance(churnChance)) {
        const atMs = officeTimeInDay(rng, company, day, earliestMs);
        const admin = usersWithRole(company, 'customer_admin')[0];
        if (atMs !== undefined && admin !== undefined) {
          const reason: ChurnReason =
            engagement < 0.45
              ? 'low_usage'
              : rng.weighted<ChurnReason>([
                  ['price', 35],
                  ['competitor', 30],
                  ['fleet_sold', 15],
                  ['other', 20],
                ]);
          company.churn = { atMs, reason };
          active--;
        }
        continue;
      }
      if (tenureOk && rng.chance(0.02)) {
        const step = engagement > 0.85 ? 1 : -1;
        const index = TIERS_IN_ORDER.indexOf(company.tier) + step;
        const tier = TIERS_IN_ORDER[index];
        const atMs = officeTimeInDay(rng, company, day, earliestMs);
        if (tier !== undefined && atMs !== undefined) this.#tierChanges.push({ companyId: company.id, atMs, tier });
      }
    }
    const expected = Math.min(1.5, Math.max(0.05, 0.3 + 0.1 * (this.#targetCompanies - active)));
    for (let n = rng.poisson(expected); n > 0; n--) this.#signup(rng, day, earliestMs);
  }

  #signup(rng: Rng, day: number, earliestMs: number): void {
    const stallsAfter = rng.chance(0.25) ? 1 : Number.POSITIVE_INFINITY;
    const onboardRng = Rng.derive(this.#seed, 'onboarding', day, this.fleet.companies.length);
    const company = generateCompany(this.fleet, rng, {
      signupAtMs: 0,
      initial: false,
      onboardAtMs: () => 0,
    });
    const signupAtMs = officeTimeInDay(rng, company, day, earliestMs);
    if (signupAtMs === undefined) return;
    let nextMs = signupAtMs + onboardRng.float(1, 6) * HOUR_MS;
    const vessels = company.vessels.map((vessel, index) => {
      const onboardAtMs = index < stallsAfter ? nextMs : Number.POSITIVE_INFINITY;
      nextMs += onboardRng.float(3, 20) * HOUR_MS;
      return { ...vessel, onboardAtMs };
    });
    const final: Company = { ...company, signupAtMs, vessels };
    this.fleet.add(final);
    this.#engagement.set(final.id, new Map([[day, onboardRng.float(0.6, 1)]]));
  }

  #engagementOn(company: Company, atMs: number): number {
    const history = this.#engagement.get(company.id);
    const day = dayOf(atMs);
    return history?.get(day) ?? history?.get(day - 1) ?? 0.8;
  }

  // ── actors ──────────────────────────────────────────────────────────────────────────────────

  #planCompanies(fromMs: number, toMs: number, out: PlannedAction[]): void {
    const inWindow = (atMs: number): boolean => atMs >= fromMs && atMs < toMs;
    for (const company of this.fleet.companies) {
      if (company.signupAtMs >= toMs || (company.churn !== undefined && company.churn.atMs < fromMs)) continue;
      const alive = (atMs: number): boolean => inWindow(atMs) && Fleet.isActive(company, atMs);
      const admin = usersWithRole(company, 'customer_admin')[0];

      if (inWindow(company.signupAtMs)) out.push({ atMs: company.signupAtMs, kind: 'signup', companyId: company.id });
      for (const vessel of company.vessels) {
        if (!alive(vessel.onboardAtMs)) continue;
        const rng = Rng.derive(this.#seed, 'onboard', vessel.imo);
        const mistyped = !company.initial && rng.chance(0.15) ? mistypeImo(vessel.imo, rng) : null;
        out.push({
          atMs: vessel.onboardAtMs,
          kind: 'onboard_vessel',
          companyId: company.id,
          imo: vessel.imo,
          mistypedImo: mistyped,
        });
      }
      if (company.churn !== undefined && inWindow(company.churn.atMs) && admin !== undefined) {
        out.push({
          atMs: company.churn.atMs,
          kind: 'cancel',
          username: admin.username,
          companyId: company.id,
          reason: company.churn.reason,
        });
      }
      for (const change of this.#tierChanges) {
        if (change.companyId === company.id && alive(change.atMs) && admin !== undefined) {
          out.push({
            atMs: change.atMs,
            kind: 'change_tier',
            username: admin.username,
            companyId: company.id,
            tier: change.tier,
          });
        }
      }

      for (const user of company.users) {
        for (const day of localDays(fromMs, toMs, company.office.utcOffsetHours)) {
          const actions = this.#cachedDay(user.username, day, () => this.#officeDay(company, user, day));
          for (const action of actions) if (alive(action.atMs)) out.push(action);
        }
      }
      for (const vessel of company.vessels) {
        for (const day of localDays(fromMs, toMs, vessel.utcOffsetHours)) {
          for (const action of this.#cachedDay(vessel.imo, day, () => this.#vesselDay(company, vessel, day))) {
            if (alive(action.atMs) && action.atMs >= vessel.onboardAtMs) out.push(action);
          }
        }
      }
    }
    for (const [key, entry] of this.#dayCache) if (entry.day < dayOf(fromMs) - 2) this.#dayCache.delete(key);
  }

  #cachedDay(actor: string, day: number, plan: () => PlannedAction[]): PlannedAction[] {
    const key = `${actor}/${day}`;
    let entry = this.#dayCache.get(key);
    if (entry === undefined) {
      entry = { day, actions: plan() };
      this.#dayCache.set(key, entry);
    }
    return entry.actions;
  }

  /** An office user's local day: log in, work, log out. */
  #officeDay(company: Company, user: SimUser, localDay: number): PlannedAction[] {
    const rng = Rng.derive(this.#seed, 'office', user.username, localDay);
    const at = (hour: number): number => localDay * DAY_MS + (hour - company.office.utcOffsetHours) * HOUR_MS;
    const engagement = this.#engagementOn(company, at(12));
    const works = isWeekend(localDay)
      ? rng.chance(0.1 * engagement)
      : rng.chance(Math.min(0.97, 0.6 + 0.35 * engagement));
    if (!works) return [];
    const loginAt = at(rng.float(7.75, 9.5));
    const actions: PlannedAction[] = [
      { atMs: loginAt, kind: 'login', username: user.username, wrongPasswordFirst: rng.chance(0.05) },
    ];
    const during = (fromHour: number, toHour: number): number =>
      Math.max(loginAt + MINUTE_MS, at(rng.float(fromHour, toHour)));
    /** About `mean` reads of `view` in the working day (one exactly, for `mean` 1 with hours given). */
    const browse = (view: BrowseView, mean: number, fromHour = 8.5, toHour = 17.5): void => {
      const count = fromHour === 8.5 ? rng.poisson(mean * engagement) : 1;
      for (let n = count; n > 0; n--) {
        const atMs = during(fromHour, toHour);
        const vessels = company.vessels.filter((v) => v.onboardAtMs <= atMs);
        const perVessel = view === 'equipment' || view === 'records';
        if (perVessel && vessels.length === 0) continue;
        const vesselImo = perVessel ? rng.pick(vessels).imo : null;
        actions.push({ atMs, kind: 'browse', username: user.username, view, vesselImo });
      }
    };
    switch (user.role) {
      case 'purchaser':
        for (let n = rng.poisson(PURCHASES_PER_DAY[company.tier] * engagement); n > 0; n--) {
          const atMs = during(9, 17);
          const onboarded = company.vessels.filter((v) => v.onboardAtMs <= atMs);
          if (onboarded.length === 0) continue;
          const vessel = rng.pick(onboarded);
          const urgency = rng.weighted<Urgency>([
            ['routine', 70],
            ['urgent', 22],
            ['aog', 8],
          ]);
          const orders = rng.chance(ORDER_CHANCE[urgency]);
          const declined = rng.chance(0.06);
          const afterMs = (urgency === 'aog' ? rng.float(2, 15) : rng.float(5, 90)) * MINUTE_MS;
          const cardToken = declined ? rng.pick(DECLINED_CARD_TOKENS) : company.cardToken;
          actions.push({
            atMs,
            kind: 'purchase',
            username: user.username,
            vesselImo: vessel.imo,
            partNumber: partNumber(rng),
            quantity: urgency === 'routine' ? rng.int(1, 40) : rng.int(1, 6),
            urgency,
            order: orders ? { afterMs, orderType: ORDER_TYPE[urgency], cardToken } : null,
          });
        }
        break;
      case 'fleet_manager':
        browse('fleet', 4);
        browse('equipment', 2);
        browse('records', 1.5);
        if (rng.chance(0.1)) browse('export_fleet', 1, 16, 17);
        break;
      default:
        browse('company', 0.5);
        browse('fleet', 0.7);
        if (rng.chance(0.04)) browse('export_invoices', 1, 16, 17);
    }
    if (user.role === 'purchaser') {
      browse('quotes', 2);
      if (rng.chance(0.1)) browse('export_orders', 1, 16, 17);
    }
    if (rng.chance(0.7)) actions.push({ atMs: at(rng.float(17.25, 18.75)), kind: 'logout', username: user.username });
    return actions;
  }

  /** A vessel's local day: each technician documents equipment, then syncs in the evening. */
  #vesselDay(company: Company, vessel: Vessel, localDay: number): PlannedAction[] {
    const rng = Rng.derive(this.#seed, 'vessel', vessel.imo, localDay);
    const at = (hour: number): number => localDay * DAY_MS + (hour - vessel.utcOffsetHours) * HOUR_MS;
    const engagement = this.#engagementOn(company, at(12));
    const dayRecords = new Map<string, PlannedRecord[]>();
    for (const tech of vessel.technicians) {
      const chance = (isWeekend(localDay) ? 0.55 : 0.9) * (0.6 + 0.4 * Math.min(1, engagement));
      if (!rng.chance(chance)) continue;
      const records: PlannedRecord[] = [];
      for (let n = rng.int(4, 16); n > 0; n--) records.push(equipmentRecord(rng, rng.int(0, 39), at(rng.float(8, 17))));
      dayRecords.set(tech.techId, records);
    }
    const working = [...dayRecords.keys()];
    if (working.length >= 2 && rng.chance(0.15)) {
      // Two technicians document the same equipment on the same day: the portal merges a conflict.
      const slot = rng.int(0, 39);
      for (const techId of working.slice(0, 2))
        dayRecords.get(techId)?.push(equipmentRecord(rng, slot, at(rng.float(8, 17))));
    }
    const actions: PlannedAction[] = [];
    for (const tech of vessel.technicians) {
      const records = dayRecords.get(tech.techId);
      if (records === undefined) continue;
      if (rng.chance(0.5)) {
        const atMs = at(rng.float(7.5, 8));
        actions.push({ atMs, kind: 'browse', username: tech.username, view: 'equipment', vesselImo: vessel.imo });
      }
      records.sort((a, b) => a.documentedAtMs - b.documentedAtMs);
      const eveningAt = at(rng.float(18, 22.5));
      let rest = records;
      let login = true;
      if (rng.chance(0.25)) {
        const middayAt = at(rng.float(12, 13.5));
        const morning = records.filter((r) => r.documentedAtMs < middayAt);
        rest = records.filter((r) => r.documentedAtMs >= middayAt);
        if (morning.length > 0) {
          actions.push(this.#sync(rng, tech.techId, middayAt, morning, login));
          login = false;
        }
      }
      actions.push(this.#sync(rng, tech.techId, eveningAt, rest, login));
    }
    return actions;
  }

  #sync(rng: Rng, techId: string, atMs: number, records: readonly PlannedRecord[], login: boolean): PlannedAction {
    return {
      atMs,
      kind: 'sync',
      techId,
      records,
      login,
      wrongPasswordFirst: login && rng.chance(0.03),
      corruptFirst: rng.chance(0.01),
    };
  }

  // ── the scenario ───────────────────────────────────────────────────────────────────────────

  #planScenario(fromMs: number, toMs: number, out: PlannedAction[]): void {
    const period = this.#scenario.repeatEveryMs;
    this.#scenario.entries.forEach((entry, index) => {
      const durationMs = entry.fault.duration_ms;
      const firstK =
        period === undefined ? 0 : Math.max(0, Math.floor((fromMs - this.#startMs - entry.atMs - durationMs) / period));
      for (let k = firstK; ; k++) {
        if (period === undefined && k > 0) break;
        const startMs = this.#startMs + entry.atMs + k * (period ?? 0);
        if (startMs >= toMs) break;
        this.#planOccurrence(entry.fault, `${index}/${k}`, startMs, fromMs, toMs, out);
      }
    });
  }

  #planOccurrence(
    fault: ScenarioFault,
    key: string,
    startMs: number,
    fromMs: number,
    toMs: number,
    out: PlannedAction[],
  ): void {
    const inWindow = (atMs: number): boolean => atMs >= fromMs && atMs < toMs;
    const endMs = startMs + fault.duration_ms;
    if (isServerFault(fault)) {
      if (inWindow(startMs)) {
        const wall = { ...fault, duration_ms: Math.max(1, Math.round(fault.duration_ms / this.#speed)) };
        out.push({ atMs: startMs, kind: 'fault', fault: wall, simDurationMs: fault.duration_ms });
      }
      return;
    }
    if (fault.kind === 'vessel_offline') {
      if (!inWindow(startMs) && !inWindow(endMs)) return;
      let imo = this.#offlineVessel.get(key);
      if (imo === undefined) {
        imo = fault.vessel ?? this.#busiestVessel(startMs, key);
        this.#offlineVessel.set(key, imo);
      }
      if (imo === null) return;
      if (inWindow(startMs)) out.push({ atMs: startMs, kind: 'vessel_offline', imo, untilMs: endMs });
      if (inWindow(endMs)) out.push({ atMs: endMs, kind: 'vessel_online', imo });
      return;
    }
    // A burst: one batch per wall-clock second, `rate_per_second` requests each.
    const tickMs = 1_000 * this.#speed;
    const first = Math.max(0, Math.ceil((fromMs - startMs) / tickMs));
    for (let i = first; ; i++) {
      const atMs = startMs + i * tickMs;
      if (atMs >= endMs || atMs >= toMs) break;
      const share = Math.min(1, (endMs - atMs) / tickMs);
      const count = Math.max(1, Math.round(fault.rate_per_second * share));
      const rng = Rng.derive(this.#seed, 'burst', key, i);
      const requests = this.#burstRequests(fault.kind, rng, key, atMs, count);
      if (requests.length > 0) out.push({ atMs, kind: 'burst', burst: fault.kind, untilMs: endMs, requests });
    }
  }

  /** One of the active, onboarded vessels with the most technicians at `atMs`, or null. */
  #busiestVessel(atMs: number, key: string): string | null {
    const vessels = this.#activeCompanies(atMs).flatMap((c) => c.vessels.filter((v) => v.onboardAtMs <= atMs));
    const most = Math.max(0, ...vessels.map((v) => v.technicians.length));
    const busiest = vessels.filter((v) => v.technicians.length === most);
    return busiest.length > 0 ? Rng.derive(this.#seed, 'offline-vessel', key).pick(busiest).imo : null;
  }

  #activeCompanies(atMs: number): Company[] {
    return this.fleet.companies.filter((c) => Fleet.isActive(c, atMs));
  }

  #burstRequests(kind: BurstKind, rng: Rng, key: string, atMs: number, count: number): BurstRequest[] {
    const companies = this.#activeCompanies(atMs);
    if (companies.length === 0) return [];
    const onboarded = (c: Company): Vessel[] => c.vessels.filter((v) => v.onboardAtMs <= atMs);
    const withVessels = companies.filter((c) => onboarded(c).length > 0);
    const requests: BurstRequest[] = [];
    // One targeted company per brute-force occurrence, one compromised account per bulk export.
    const occurrenceRng = Rng.derive(this.#seed, 'burst-target', key);
    const victim = occurrenceRng.pick(companies);
    const exporter = victim;
    for (let n = 0; n < count; n++) {
      const company = rng.pick(companies);
      switch (kind) {
        case 'brute_force': {
          const known = rng.chance(0.6) ? rng.pick(victim.users).username : rng.pick(GUESSED_USERNAMES);
          requests.push({ type: 'login', username: known, password: rng.pick(GUESSED_PASSWORDS), platform: 'web' });
          break;
        }
        case 'sql_injection': {
          const payload = rng.pick(SQL_INJECTIONS);
          const buyerCompany = withVessels.length > 0 ? rng.pick(withVessels) : undefined;
          const buyer = buyerCompany && usersWithRole(buyerCompany, 'purchaser')[0];
          const variant = rng.next();
          if (buyerCompany !== undefined && buyer !== undefined && variant < 0.55) {
            requests.push({
              type: 'quote',
              as: buyer.username,
              vesselImo: rng.pick(onboarded(buyerCompany)).imo,
              partNumber: payload,
              quantity: 1,
              urgency: 'routine',
            });
          } else if (buyer !== undefined && variant < 0.8) {
            requests.push({
              type: 'get',
              as: buyer.username,
              service: 'vessels',
              path: `/api/vessels?company_id=${encodeURIComponent(`${buyer.companyId}${payload}`)}`,
            });
          } else {
            requests.push({ type: 'login', username: payload, password: rng.pick(GUESSED_PASSWORDS), platform: 'web' });
          }
          break;
        }
        case 'bulk_export': {
          const admin = usersWithRole(exporter, 'customer_admin')[0] ?? rng.pick(exporter.users);
          const target = rng.pick([
            { service: 'billing', path: '/api/companies/export?format=csv' },
            { service: 'vessels', path: '/api/vessels/export' },
            { service: 'parts-api', path: `/api/parts/orders/export?company_id=${exporter.id}` },
          ] as const);
          requests.push({ type: 'get', as: admin.username, ...target });
          break;
        }
        case 'unauthorized_access': {
          const others = companies.filter((c) => c !== company);
          const other = others.length > 0 ? rng.pick(others) : company;
          const vessels = onboarded(company);
          const tech = vessels.length > 0 ? rng.pick(rng.pick(vessels).technicians) : undefined;
          const variant = rng.next();
          if (tech !== undefined && variant < 0.5) {
            requests.push({
              type: 'quote',
              as: tech.username,
              vesselImo: tech.vesselImo,
              partNumber: partNumber(rng),
              quantity: rng.int(1, 5),
              urgency: 'urgent',
            });
          } else {
            const user = rng.pick(company.users);
            requests.push({
              type: 'get',
              as: user.username,
              ...(variant < 0.75
                ? { service: 'vessels' as const, path: `/api/vessels?company_id=${other.id}` }
                : { service: 'parts-api' as const, path: `/api/parts/orders/export?company_id=${other.id}` }),
            });
          }
          break;
        }
      }
    }
    return requests;
  }
}

function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** Local day numbers (days since the epoch in local time) that overlap [fromMs, toMs). */
function localDays(fromMs: number, toMs: number, utcOffsetHours: number): number[] {
  const shift = utcOffsetHours * HOUR_MS;
  const days: number[] = [];
  for (let d = dayOf(fromMs + shift); d <= dayOf(toMs - 1 + shift); d++) days.push(d);
  return days;
}

/** 1970-01-01 was a Thursday. */
function isWeekend(day: number): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7;
  return weekday === 0 || weekday === 6;
}

/** A time in UTC day `day`, no earlier than `earliestMs`, in the company's office hours (9-17). */
function officeTimeInDay(rng: Rng, company: Company, day: number, earliestMs: number): number | undefined {
  const endMs = (day + 1) * DAY_MS;
  if (earliestMs >= endMs) return undefined;
  for (let attempt = 0; attempt < 40; attempt++) {
    const atMs = Math.floor(rng.float(earliestMs, endMs));
    const localHour = (((atMs / HOUR_MS + company.office.utcOffsetHours) % 24) + 24) % 24;
    if (localHour >= 9 && localHour < 17) return atMs;
  }
  return undefined;
}

function partNumber(rng: Rng): string {
  const suffix = rng.id(2).toUpperCase();
  return `${rng.pick(PART_FAMILIES)}-${String(rng.int(1000, 9999))}-${suffix}`;
}

/**
 * A record as a technician documents it. A complete record is a small dossier (nameplate data,
 * checklist, measurements, maintenance history, spare parts, photo captions: a few kilobytes); a
 * sparse one has a few nameplate fields. Fields stay under the contract's 2000 characters.
 */
function equipmentRecord(rng: Rng, equipmentSlot: number, documentedAtMs: number): PlannedRecord {
  const complete = rng.chance(0.7);
  const date = (fromYear: number): string =>
    `${rng.int(fromYear, 2025)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  const nameplate: [string, string][] = [
    ['manufacturer', rng.pick(MANUFACTURERS)],
    ['model', `${rng.id(2).toUpperCase()}-${rng.int(100, 990)}`],
    ['serial_number', `SN-${rng.int(10_000, 99_999)}`],
    ['installed_on', date(2004).slice(0, 7)],
    ['condition', rng.pick(CONDITIONS)],
    ['running_hours', String(rng.int(200, 90_000))],
    ['last_service', date(2019)],
    ['rated_power_kw', String(rng.int(5, 20_000))],
  ];
  const photos = complete ? rng.int(1, 6) : rng.int(0, 1);
  const list = (min: number, max: number, item: () => string, separator: string): string => {
    const items: string[] = [];
    for (let n = rng.int(min, max); n > 0; n--) items.push(item());
    return items.join(separator).slice(0, 2000);
  };
  const entries: [string, string][] = complete ? nameplate : nameplate.filter(() => rng.chance(0.35));
  if (complete) {
    entries.push(
      ['checklist', list(10, 16, () => `${rng.pick(CHECKLIST_ITEMS)}: ${rng.pick(CHECK_RESULTS)}`, '; ')],
      ['measurements', list(6, 12, () => `${rng.pick(MEASUREMENTS)}=${rng.int(1, 400)}`, '; ')],
      [
        'maintenance_history',
        list(12, 28, () => `${date(2012)} ${rng.pick(JOBS)} at ${rng.int(100, 90_000)} h, ${rng.pick(DONE_BY)}`, '\n'),
      ],
      [
        'spare_parts',
        list(10, 30, () => `${partNumber(rng)} x${rng.int(1, 12)} ${rng.pick(SPARE_DESCRIPTIONS)}`, '\n'),
      ],
      [
        'photo_captions',
        list(photos, photos, () => `IMG_${rng.int(1000, 9999)}.jpg ${rng.pick(PHOTO_CAPTIONS)}`, '\n'),
      ],
    );
  }
  const notes = list(complete ? 2 : 0, complete ? 8 : 3, () => rng.pick(NOTE_PHRASES), ' ');
  if (notes !== '') entries.push(['notes', notes]);
  const startedAtMs = documentedAtMs - Math.round(rng.float(complete ? 10 : 3, complete ? 45 : 12) * MINUTE_MS);
  return { equipmentSlot, fields: Object.fromEntries(entries), photos, startedAtMs, documentedAtMs };
}
