/**
 * The simulated population: shipping companies (customers of the portal, each on a subscription
 * tier), their vessels (each with a valid IMO number and a ship's time zone), the technicians on
 * board, and the office users (fleet managers, purchasers, a customer admin). Generated from the
 * seed; the vessel ids and equipment the portal assigns at onboarding are learnt at run time.
 */
import type { z } from 'zod';
import type { CreateVesselRequest, PLATFORMS, ROLES, TIERS } from '../contract.js';
import { generateImo } from './imo.js';
import type { Rng } from './rng.js';

export type Tier = (typeof TIERS)[number];
export type Role = (typeof ROLES)[number];
export type Platform = (typeof PLATFORMS)[number];
export type VesselType = z.infer<typeof CreateVesselRequest>['vessel_type'];
export type OfficeRole = Exclude<Role, 'technician' | 'support'>;

/** A portal user the simulator created (through POST /api/auth/users) and logs in as. */
export interface SimUser {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
  readonly companyId: string;
  /** The platform this user usually logs in from. */
  readonly platform: Platform;
}

/** A technician on board; `username` is the `tech_<id>` too. */
export interface Technician extends SimUser {
  readonly role: 'technician';
  readonly techId: string;
  readonly vesselImo: string;
}

export interface Vessel {
  readonly imo: string;
  readonly name: string;
  readonly vesselType: VesselType;
  readonly companyId: string;
  /** Ship's time: technicians work and sync by it. */
  readonly utcOffsetHours: number;
  readonly technicians: readonly Technician[];
  /** Simulated time of onboarding (POST /api/vessels/create); Infinity when onboarding stalls before it. */
  onboardAtMs: number;
}

export interface Company {
  readonly id: string;
  readonly name: string;
  tier: Tier;
  readonly office: { readonly city: string; readonly utcOffsetHours: number };
  readonly vessels: readonly Vessel[];
  readonly users: readonly SimUser[];
  /** The card token purchasers pay with. */
  readonly cardToken: string;
  /** Simulated time of sign-up (POST /api/companies). */
  readonly signupAtMs: number;
  /** Part of the population at the start (fully onboarded at once). */
  readonly initial: boolean;
  /** Set when the plan decides the company cancels. */
  churn?: { readonly atMs: number; readonly reason: ChurnReason };
}

export type ChurnReason = 'price' | 'competitor' | 'fleet_sold' | 'low_usage' | 'other';

/** Everything the simulator knows about its population, with lookups by key. */
export class Fleet {
  readonly companies: Company[] = [];
  readonly #companies = new Map<string, Company>();
  readonly #users = new Map<string, SimUser>();
  readonly #vessels = new Map<string, Vessel>();
  readonly imos = new Set<string>();
  readonly #ids = new Set<string>();

  add(company: Company): void {
    this.companies.push(company);
    this.#companies.set(company.id, company);
    for (const user of company.users) this.#users.set(user.username, user);
    for (const vessel of company.vessels) {
      this.#vessels.set(vessel.imo, vessel);
      for (const tech of vessel.technicians) this.#users.set(tech.username, tech);
    }
  }

  company(id: string): Company | undefined {
    return this.#companies.get(id);
  }

  user(username: string): SimUser | undefined {
    return this.#users.get(username);
  }

  vessel(imo: string): Vessel | undefined {
    return this.#vessels.get(imo);
  }

  /** A fresh id `<prefix><random>` not used before in this fleet. */
  uniqueId(rng: Rng, prefix: string, length = 6): string {
    for (;;) {
      const id = `${prefix}${rng.id(length)}`;
      if (!this.#ids.has(id)) {
        this.#ids.add(id);
        return id;
      }
    }
  }

  /** Whether the company is a customer at `atMs` (signed up, not churned). */
  static isActive(company: Company, atMs: number): boolean {
    return company.signupAtMs <= atMs && (company.churn === undefined || atMs < company.churn.atMs);
  }
}

const NAME_PREFIXES = [
  'Nordlys',
  'Aegean',
  'Baltic',
  'Cape',
  'Meridian',
  'Polaris',
  'Atlas',
  'Kestrel',
  'Halcyon',
  'Skagen',
  'Coral',
  'Tasman',
  'Orinoco',
  'Fjord',
  'Lodestar',
  'Bosphorus',
  'Malacca',
  'Hanseatic',
  'Andaman',
  'Biscay',
];
const NAME_SUFFIXES = [
  'Shipping',
  'Maritime',
  'Bulk Carriers',
  'Tankers',
  'Offshore',
  'Ship Management',
  'Lines',
  'Navigation',
];
const OFFICES: readonly { city: string; utcOffsetHours: number }[] = [
  { city: 'Oslo', utcOffsetHours: 1 },
  { city: 'Hamburg', utcOffsetHours: 1 },
  { city: 'Piraeus', utcOffsetHours: 2 },
  { city: 'Rotterdam', utcOffsetHours: 1 },
  { city: 'Limassol', utcOffsetHours: 2 },
  { city: 'Dubai', utcOffsetHours: 4 },
  { city: 'Mumbai', utcOffsetHours: 5.5 },
  { city: 'Singapore', utcOffsetHours: 8 },
  { city: 'Hong Kong', utcOffsetHours: 8 },
  { city: 'Tokyo', utcOffsetHours: 9 },
  { city: 'Houston', utcOffsetHours: -6 },
  { city: 'Rio de Janeiro', utcOffsetHours: -3 },
  { city: 'Vancouver', utcOffsetHours: -8 },
];
const VESSEL_WORDS_A = ['Nordic', 'Ocean', 'Northern', 'Silver', 'Eastern', 'Blue', 'Golden', 'Arctic', 'Pacific'];
const VESSEL_WORDS_B = ['Star', 'Pioneer', 'Spirit', 'Horizon', 'Venture', 'Trader', 'Falcon', 'Crest', 'Voyager'];
const FIRST_NAMES = [
  'anna',
  'lars',
  'maria',
  'yuki',
  'chen',
  'priya',
  'omar',
  'eva',
  'nikos',
  'sofia',
  'james',
  'ines',
];
const LAST_NAMES = ['berg', 'hansen', 'papadopoulos', 'tanaka', 'wong', 'sharma', 'haddad', 'schmidt', 'silva', 'lee'];

const VESSELS_BY_TIER: Readonly<Record<Tier, readonly [number, number]>> = {
  basic: [1, 3],
  professional: [2, 5],
  enterprise: [4, 8],
};

/** Options of {@link generateCompany}. */
export interface GenerateCompanyOptions {
  readonly signupAtMs: number;
  readonly initial: boolean;
  /** Simulated time each vessel is onboarded, by its index (Infinity: never). */
  readonly onboardAtMs: (index: number, vesselCount: number) => number;
}

/** A new company with its vessels, technicians and office users, drawn from `rng`. */
export function generateCompany(fleet: Fleet, rng: Rng, options: GenerateCompanyOptions): Company {
  const tier = rng.weighted<Tier>([
    ['basic', 45],
    ['professional', 35],
    ['enterprise', 20],
  ]);
  const id = fleet.uniqueId(rng, 'cmp_');
  const name = `${rng.pick(NAME_PREFIXES)} ${rng.pick(NAME_SUFFIXES)}`;
  const domain = `${name.toLowerCase().replace(/[^a-z]+/g, '-')}-${id.slice(4, 7)}.example`;
  const office = rng.pick(OFFICES);

  const users: SimUser[] = [];
  const usedNames = new Set<string>();
  const addUser = (role: OfficeRole): void => {
    let local = `${rng.pick(FIRST_NAMES)}.${rng.pick(LAST_NAMES)}`;
    while (usedNames.has(local)) local = `${local}${rng.int(2, 9)}`;
    usedNames.add(local);
    users.push({
      username: `${local}@${domain}`,
      password: `pw-${rng.id(12)}`,
      role,
      companyId: id,
      platform: rng.weighted<Platform>([
        ['web', 80],
        ['ios', 12],
        ['android', 8],
      ]),
    });
  };
  addUser('customer_admin');
  const extra = tier === 'enterprise' ? 1 : 0;
  for (let i = rng.int(1, 2) + extra; i > 0; i--) addUser('fleet_manager');
  for (let i = rng.int(1, 2) + extra; i > 0; i--) addUser('purchaser');

  const [minVessels, maxVessels] = VESSELS_BY_TIER[tier];
  const vesselCount = rng.int(minVessels, maxVessels);
  const vessels: Vessel[] = [];
  for (let v = 0; v < vesselCount; v++) {
    const imo = generateImo(rng, fleet.imos);
    const technicians: Technician[] = [];
    for (
      let t = rng.weighted([
        [1, 25],
        [2, 40],
        [3, 25],
        [4, 10],
      ]);
      t > 0;
      t--
    ) {
      const techId = fleet.uniqueId(rng, 'tech_');
      technicians.push({
        username: techId,
        techId,
        password: `pw-${rng.id(12)}`,
        role: 'technician',
        companyId: id,
        vesselImo: imo,
        platform: rng.weighted<Platform>([
          ['offline_app', 85],
          ['android', 10],
          ['ios', 5],
        ]),
      });
    }
    vessels.push({
      imo,
      name: `${rng.pick(VESSEL_WORDS_A)} ${rng.pick(VESSEL_WORDS_B)}`,
      vesselType: rng.pick<VesselType>(['bulk_carrier', 'tanker', 'container', 'offshore_supply', 'ro_ro']),
      companyId: id,
      utcOffsetHours: rng.int(-10, 11),
      technicians,
      onboardAtMs: options.onboardAtMs(v, vesselCount),
    });
  }

  return {
    id,
    name,
    tier,
    office,
    vessels,
    users,
    cardToken: `tok_${rng.pick(['visa', 'mastercard', 'amex'])}_${rng.id(10)}`,
    signupAtMs: options.signupAtMs,
    initial: options.initial,
  };
}

/** The office users of a company with the given role. */
export function usersWithRole(company: Company, role: OfficeRole): SimUser[] {
  return company.users.filter((u) => u.role === role);
}
