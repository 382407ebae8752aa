import { describe, expect, it } from 'vitest';
import type { Technician } from './fleet.js';
import { isValidImo } from './imo.js';
import { Planner, type PlannedAction, type PlannerOptions } from './planner.js';
import { DEFAULT_SCENARIO, EMPTY_SCENARIO, parseScenario } from './scenario.js';

/** Monday 2 June 2025, 00:00 UTC. */
const START_MS = Date.UTC(2025, 5, 2);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function planner(options: Partial<PlannerOptions> = {}): Planner {
  return new Planner({ seed: 1, startMs: START_MS, speed: 60, scenario: DEFAULT_SCENARIO, ...options });
}

function planFor(durationMs: number, options: Partial<PlannerOptions> = {}): { p: Planner; actions: PlannedAction[] } {
  const p = planner(options);
  return { p, actions: p.planUntil(START_MS + durationMs) };
}

function localHour(atMs: number, utcOffsetHours: number): number {
  return (((atMs / HOUR_MS + utcOffsetHours) % 24) + 24) % 24;
}

function ofKind<K extends PlannedAction['kind']>(
  actions: PlannedAction[],
  kind: K,
): Extract<PlannedAction, { kind: K }>[] {
  return actions.filter((a): a is Extract<PlannedAction, { kind: K }> => a.kind === kind);
}

describe('Planner: determinism', () => {
  it('plans the same fleet and the same actions for the same seed', () => {
    const a = planFor(2 * DAY_MS);
    const b = planFor(2 * DAY_MS);
    expect(JSON.stringify(b.p.fleet.companies)).toBe(JSON.stringify(a.p.fleet.companies));
    expect(JSON.stringify(b.actions)).toBe(JSON.stringify(a.actions));
    expect(a.actions.length).toBeGreaterThan(1_000);
  });

  it('plans a different fleet and different actions for another seed', () => {
    const a = planFor(DAY_MS);
    const b = planFor(DAY_MS, { seed: 2 });
    expect(b.p.fleet.companies.map((c) => c.id)).not.toEqual(a.p.fleet.companies.map((c) => c.id));
    const summary = (actions: PlannedAction[]): string[] => actions.map((x) => `${x.atMs} ${x.kind}`);
    expect(summary(b.actions)).not.toEqual(summary(a.actions));
  });

  it('does not depend on how the timeline is cut into planning windows', () => {
    const whole = planFor(3 * DAY_MS).actions;
    const p = planner();
    const pieces: PlannedAction[] = [];
    for (let t = START_MS; t < START_MS + 3 * DAY_MS;) {
      t = Math.min(START_MS + 3 * DAY_MS, t + 7 * 60_000 + (t % 5) * 1_000_000);
      pieces.push(...p.planUntil(t));
    }
    expect(JSON.stringify(pieces)).toBe(JSON.stringify(whole));
  });

  it('keeps actions in time order', () => {
    const { actions } = planFor(DAY_MS);
    for (let i = 1; i < actions.length; i++) expect(actions[i]!.atMs).toBeGreaterThanOrEqual(actions[i - 1]!.atMs);
  });
});

describe('Planner: the population', () => {
  it('has about twelve companies with valid identifiers, tiers and roles', () => {
    const { fleet } = planner();
    expect(fleet.companies).toHaveLength(12);
    const imos = fleet.companies.flatMap((c) => c.vessels.map((v) => v.imo));
    expect(new Set(imos).size).toBe(imos.length);
    for (const company of fleet.companies) {
      expect(company.id).toMatch(/^cmp_[a-z0-9]+$/);
      expect(['basic', 'professional', 'enterprise']).toContain(company.tier);
      expect(company.vessels.length).toBeGreaterThanOrEqual(1);
      expect(new Set(company.users.map((u) => u.role))).toEqual(
        new Set(['customer_admin', 'fleet_manager', 'purchaser']),
      );
      for (const user of company.users) {
        expect(user.username.length).toBeLessThanOrEqual(100);
        expect(user.password.length).toBeGreaterThanOrEqual(8);
      }
      for (const vessel of company.vessels) {
        expect(isValidImo(vessel.imo)).toBe(true);
        expect(vessel.technicians.length).toBeGreaterThanOrEqual(1);
        for (const tech of vessel.technicians) expect(tech.techId).toMatch(/^tech_[a-z0-9]+$/);
      }
    }
  });

  it('signs the initial companies up and onboards their vessels in the first minutes', () => {
    const { p, actions } = planFor(HOUR_MS);
    const initial = p.fleet.companies.filter((c) => c.initial);
    expect(initial).toHaveLength(12);
    expect(ofKind(actions, 'signup').map((a) => a.companyId)).toEqual(initial.map((c) => c.id));
    const vessels = initial.reduce((n, c) => n + c.vessels.length, 0);
    const onboarded = ofKind(actions, 'onboard_vessel');
    expect(onboarded).toHaveLength(vessels);
    expect(Math.max(...onboarded.map((a) => a.atMs))).toBeLessThan(START_MS + 15 * 60_000);
  });

  it('churns companies with a reason and signs new ones up over a month', () => {
    const { p, actions } = planFor(30 * DAY_MS, { scenario: EMPTY_SCENARIO });
    const cancels = ofKind(actions, 'cancel');
    const signups = ofKind(actions, 'signup').filter((a) => !p.fleet.company(a.companyId)?.initial);
    expect(cancels.length).toBeGreaterThan(0);
    expect(signups.length).toBeGreaterThan(0);
    for (const cancel of cancels)
      expect(['price', 'competitor', 'fleet_sold', 'low_usage', 'other']).toContain(cancel.reason);
    // A churned company does nothing afterwards.
    for (const cancel of cancels) {
      const company = p.fleet.company(cancel.companyId)!;
      const usernames = new Set(company.users.map((u) => u.username));
      const later = actions.filter((a) => a.atMs > cancel.atMs && 'username' in a && usernames.has(a.username));
      expect(later).toEqual([]);
    }
    const active = p.fleet.companies.filter((c) => c.churn === undefined);
    expect(active.length).toBeGreaterThanOrEqual(6);
    expect(active.length).toBeLessThanOrEqual(20);
    // New companies onboard their vessels over the following hours and days, not all at once.
    const late = ofKind(actions, 'onboard_vessel').filter((a) => !p.fleet.company(a.companyId)?.initial);
    expect(late.length).toBeGreaterThan(0);
    expect(ofKind(actions, 'change_tier').length).toBeGreaterThan(0);
  });
});

describe('Planner: daily rhythms', () => {
  const { p, actions } = planFor(14 * DAY_MS, { scenario: EMPTY_SCENARIO });

  it("syncs technicians' records in the ship's evening, or at midday", () => {
    const syncs = ofKind(actions, 'sync');
    expect(syncs.length).toBeGreaterThan(500);
    for (const sync of syncs) {
      const vessel = p.fleet.vessel((p.fleet.user(sync.techId) as Technician).vesselImo)!;
      const hour = localHour(sync.atMs, vessel.utcOffsetHours);
      expect((hour >= 12 && hour < 13.5) || (hour >= 18 && hour < 22.5)).toBe(true);
      for (const record of sync.records) expect(record.documentedAtMs).toBeLessThan(sync.atMs);
    }
  });

  it('quotes parts in office hours, far less at weekends', () => {
    const purchases = ofKind(actions, 'purchase');
    let weekend = 0;
    for (const purchase of purchases) {
      const company = p.fleet.company(p.fleet.user(purchase.username)!.companyId)!;
      const offset = company.office.utcOffsetHours;
      expect(localHour(purchase.atMs, offset)).toBeGreaterThanOrEqual(7.75);
      expect(localHour(purchase.atMs, offset)).toBeLessThan(17);
      const day = new Date(purchase.atMs + offset * HOUR_MS).getUTCDay();
      if (day === 0 || day === 6) weekend++;
      expect(purchase.partNumber).toMatch(/^[A-Z]{3}-\d{4}-[A-Z0-9]{2}$/);
    }
    expect(purchases.length).toBeGreaterThan(300);
    // Four of fourteen days are weekend days; at the weekday rate they would hold ~28% of the quotes.
    expect(weekend / purchases.length).toBeLessThan(0.08);
  });

  it('has some orders paid with declined cards, and some quotes never ordered', () => {
    const purchases = ofKind(actions, 'purchase');
    const orders = purchases.filter((a) => a.order !== null);
    expect(orders.length).toBeGreaterThan(purchases.length * 0.3);
    expect(orders.length).toBeLessThan(purchases.length * 0.8);
    expect(
      orders.filter((a) => a.order?.cardToken.startsWith('tok_') && /Declined|Funds|Expired/.test(a.order.cardToken))
        .length,
    ).toBeGreaterThan(0);
  });

  it('makes two technicians document the same equipment on the same day now and then', () => {
    let conflicts = 0;
    for (const company of p.fleet.companies) {
      for (const vessel of company.vessels) {
        const bySlotDay = new Map<string, Set<string>>();
        for (const sync of ofKind(actions, 'sync')) {
          if (!vessel.technicians.some((t) => t.techId === sync.techId)) continue;
          for (const r of sync.records) {
            const key = `${r.equipmentSlot}/${Math.floor(r.documentedAtMs / DAY_MS)}`;
            bySlotDay.set(key, (bySlotDay.get(key) ?? new Set()).add(sync.techId));
          }
        }
        for (const techs of bySlotDay.values()) if (techs.size > 1) conflicts++;
      }
    }
    expect(conflicts).toBeGreaterThan(5);
  });

  it('logs users in with a wrong password now and then', () => {
    const logins = ofKind(actions, 'login');
    const wrong = logins.filter((a) => a.wrongPasswordFirst).length;
    expect(wrong).toBeGreaterThan(0);
    expect(wrong / logins.length).toBeLessThan(0.1);
  });
});

describe('Planner: the scenario', () => {
  it('issues server faults at their simulated times, durations converted to wall time', () => {
    const scenario = parseScenario([
      { at: '1h', fault: { kind: 'down', service: 'parts-api', duration_ms: '2h' } },
      { at: '2h30m', fault: { kind: 'slow', service: 'sync', extra_latency_ms: 800, duration_ms: '30m' } },
    ]);
    const faults = ofKind(planFor(DAY_MS, { scenario, speed: 120 }).actions, 'fault');
    expect(faults).toEqual([
      {
        atMs: START_MS + HOUR_MS,
        kind: 'fault',
        fault: { kind: 'down', service: 'parts-api', duration_ms: 60_000 },
        simDurationMs: 2 * HOUR_MS,
      },
      {
        atMs: START_MS + 2.5 * HOUR_MS,
        kind: 'fault',
        // extra latency is per request, in real time: not scaled.
        fault: { kind: 'slow', service: 'sync', extra_latency_ms: 800, duration_ms: 15_000 },
        simDurationMs: 0.5 * HOUR_MS,
      },
    ]);
  });

  it('repeats a scenario with repeat_every', () => {
    const scenario = parseScenario({
      repeat_every: '6h',
      faults: [{ at: '1h', fault: { kind: 'payment_failures', failure_ratio: 0.5, duration_ms: '1h' } }],
    });
    const times = ofKind(planFor(DAY_MS, { scenario }).actions, 'fault').map((a) => (a.atMs - START_MS) / HOUR_MS);
    expect(times).toEqual([1, 7, 13, 19]);
  });

  it('plays bursts as one batch per wall-clock second of `rate_per_second` requests', () => {
    const scenario = parseScenario([
      { at: '1h', fault: { kind: 'brute_force', duration_ms: '10m', rate_per_second: 7 } },
      { at: '3h', fault: { kind: 'sql_injection', duration_ms: '5m', rate_per_second: 4 } },
    ]);
    const bursts = ofKind(planFor(6 * HOUR_MS, { scenario, speed: 60 }).actions, 'burst');
    const brute = bursts.filter((b) => b.burst === 'brute_force');
    // At speed 60 a wall second is a simulated minute: ten batches.
    expect(brute.map((b) => (b.atMs - START_MS - HOUR_MS) / 60_000)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const batch of brute) {
      expect(batch.requests).toHaveLength(7);
      for (const r of batch.requests) expect(r.type).toBe('login');
    }
    const injections = bursts.filter((b) => b.burst === 'sql_injection').flatMap((b) => b.requests);
    expect(injections).toHaveLength(20);
    const payloads = injections.map((r) =>
      r.type === 'quote' ? r.partNumber : r.type === 'login' ? r.username : decodeURIComponent(r.path),
    );
    for (const payload of payloads) expect(payload).toMatch(/'|"|;|--/);
  });

  it('takes the busiest vessel offline and brings it back', () => {
    const scenario = parseScenario([{ at: '1h', fault: { kind: 'vessel_offline', duration_ms: '10h' } }]);
    const { p, actions } = planFor(DAY_MS, { scenario });
    const [offline] = ofKind(actions, 'vessel_offline');
    const [online] = ofKind(actions, 'vessel_online');
    expect(offline?.atMs).toBe(START_MS + HOUR_MS);
    expect(online).toEqual({ atMs: START_MS + 11 * HOUR_MS, kind: 'vessel_online', imo: offline?.imo });
    const most = Math.max(...p.fleet.companies.flatMap((c) => c.vessels.map((v) => v.technicians.length)));
    expect(p.fleet.vessel(offline!.imo)?.technicians).toHaveLength(most);
  });
});
