/**
 * Subscription economics, free of I/O: tier prices, churn rate, lifetime value, churn risk and
 * onboarding progress, computed from plain rows the billing service reads from its database.
 */
import type { TIERS } from '../../contract.js';

export type Tier = (typeof TIERS)[number];

/** Monthly subscription price by tier, dollars. */
export const TIER_PRICE_DOLLARS: Readonly<Record<Tier, number>> = { basic: 299, professional: 799, enterprise: 1_999 };

export const CHURN_REASONS = ['price', 'competitor', 'fleet_sold', 'low_usage', 'other'] as const;
export type ChurnReason = (typeof CHURN_REASONS)[number];

export const DAY_MS = 86_400_000;
const MONTH_MS = 30 * DAY_MS;

export interface CompanyFacts {
  readonly companyId: string;
  readonly name: string;
  readonly tier: Tier;
  readonly createdAtMs: number;
  /** Undefined while the company is a customer. */
  readonly churnedAtMs: number | undefined;
  readonly churnReason: ChurnReason | undefined;
  /** Parts revenue billed to the company so far, dollars. */
  readonly partsRevenueDollars: number;
}

export interface ChurnRate {
  readonly tier: Tier;
  readonly reason: ChurnReason;
  readonly percent: number;
}

/**
 * Churn over the last `windowDays`, by tier and reason: companies lost in the window, percent of
 * the companies that were customers at some point of the window (those at its start plus those
 * who joined during it — a young portal has no customers at the start of a 30-day window).
 */
export function churnRates(companies: readonly CompanyFacts[], nowMs: number, windowDays = 30): ChurnRate[] {
  const startMs = nowMs - windowDays * DAY_MS;
  const rates: ChurnRate[] = [];
  for (const tier of Object.keys(TIER_PRICE_DOLLARS) as Tier[]) {
    const inWindow = companies.filter(
      (c) => c.tier === tier && c.createdAtMs <= nowMs && (c.churnedAtMs === undefined || c.churnedAtMs > startMs),
    );
    for (const reason of CHURN_REASONS) {
      const lost = inWindow.filter((c) => c.churnedAtMs !== undefined && c.churnReason === reason).length;
      rates.push({ tier, reason, percent: inWindow.length === 0 ? 0 : (100 * lost) / inWindow.length });
    }
  }
  return rates;
}

/** Monthly churn below this is treated as this (lifetime value would otherwise be unbounded). */
export const MIN_MONTHLY_CHURN = 0.02;

export interface LifetimeValue {
  readonly tier: Tier;
  /** Sign-up month, `YYYY-MM`. */
  readonly cohort: string;
  readonly dollars: number;
}

/**
 * Lifetime value by tier and sign-up cohort of current customers: average monthly revenue per
 * company (subscription plus parts revenue per month of tenure) divided by the tier's monthly churn.
 */
export function lifetimeValues(companies: readonly CompanyFacts[], nowMs: number): LifetimeValue[] {
  const monthlyChurn = new Map<Tier, number>();
  for (const rate of churnRates(companies, nowMs)) {
    monthlyChurn.set(rate.tier, (monthlyChurn.get(rate.tier) ?? 0) + rate.percent / 100);
  }
  const groups = new Map<string, { tier: Tier; cohort: string; revenue: number; count: number }>();
  for (const c of companies) {
    if (c.churnedAtMs !== undefined) continue;
    const cohort = new Date(c.createdAtMs).toISOString().slice(0, 7);
    const key = `${c.tier}/${cohort}`;
    const group = groups.get(key) ?? { tier: c.tier, cohort, revenue: 0, count: 0 };
    const tenureMonths = Math.max(1, (nowMs - c.createdAtMs) / MONTH_MS);
    group.revenue += TIER_PRICE_DOLLARS[c.tier] + c.partsRevenueDollars / tenureMonths;
    group.count++;
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => ({
    tier: g.tier,
    cohort: g.cohort,
    dollars: Math.round(g.revenue / g.count / Math.max(MIN_MONTHLY_CHURN, monthlyChurn.get(g.tier) ?? 0)),
  }));
}

export interface UsageFacts {
  readonly createdAtMs: number;
  /** Last reported activity (logins, vessels, documentation, orders); undefined if none yet. */
  readonly lastActivityMs: number | undefined;
  /** Usage events in the last 7 days and in the 7 days before. */
  readonly usageLast7d: number;
  readonly usagePrevious7d: number;
  /** A downgrade in the last 30 days. */
  readonly recentDowngrade: boolean;
}

/**
 * Churn risk between 0 and 1: a base of 0.1, up to 0.45 for inactivity (full at 14 days without
 * activity), up to 0.35 for a falling usage trend week over week, 0.1 for a recent downgrade.
 */
export function churnRiskScore(usage: UsageFacts, nowMs: number): number {
  const idleSinceMs = usage.lastActivityMs ?? usage.createdAtMs;
  const inactivity = Math.min(1, Math.max(0, nowMs - idleSinceMs) / (14 * DAY_MS));
  const decline =
    usage.usagePrevious7d > 0 ? Math.max(0, (usage.usagePrevious7d - usage.usageLast7d) / usage.usagePrevious7d) : 0;
  const score = 0.1 + 0.45 * inactivity + 0.35 * decline + (usage.recentDowngrade ? 0.1 : 0);
  return Math.round(Math.min(1, score) * 1000) / 1000;
}

export interface OnboardingFacts {
  readonly vessels: number;
  /** Equipment templates generated for the company's vessels. */
  readonly equipmentTemplates: number;
  readonly equipmentDocumented: number;
}

/** Onboarding progress, percent: 20 for signing up, 30 for the first vessel, 50 for documenting its equipment. */
export function onboardingProgressPercent(facts: OnboardingFacts): number {
  const vessels = facts.vessels > 0 ? 30 : 0;
  const documented =
    facts.equipmentTemplates > 0 ? 50 * Math.min(1, facts.equipmentDocumented / facts.equipmentTemplates) : 0;
  return Math.round(20 + vessels + documented);
}
