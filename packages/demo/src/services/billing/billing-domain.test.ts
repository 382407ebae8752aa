import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  churnRates,
  churnRiskScore,
  lifetimeValues,
  onboardingProgressPercent,
  type CompanyFacts,
} from './billing-domain.js';

const NOW = Date.UTC(2026, 2, 1);

function company(id: string, over: Partial<CompanyFacts> = {}): CompanyFacts {
  return {
    companyId: id,
    name: id,
    tier: 'basic',
    createdAtMs: NOW - 60 * DAY_MS,
    churnedAtMs: undefined,
    churnReason: undefined,
    partsRevenueDollars: 0,
    ...over,
  };
}

describe('churnRates', () => {
  it('divides companies lost in the window by those who were customers during it', () => {
    const companies = [
      company('a'),
      company('b'),
      company('c', { churnedAtMs: NOW - 5 * DAY_MS, churnReason: 'price' }),
      company('d', { churnedAtMs: NOW - 90 * DAY_MS, churnReason: 'price', createdAtMs: NOW - 200 * DAY_MS }),
      company('e', { createdAtMs: NOW - DAY_MS }),
      company('f', { tier: 'enterprise' }),
    ];
    const rates = churnRates(companies, NOW);
    expect(rates.find((r) => r.tier === 'basic' && r.reason === 'price')?.percent).toBe(25);
    expect(rates.find((r) => r.tier === 'basic' && r.reason === 'competitor')?.percent).toBe(0);
    expect(rates.find((r) => r.tier === 'enterprise' && r.reason === 'price')?.percent).toBe(0);
    expect(rates).toHaveLength(15);
  });
});

describe('lifetimeValues', () => {
  it('divides monthly revenue by monthly churn, with a floor on churn', () => {
    const values = lifetimeValues([company('a', { tier: 'professional', partsRevenueDollars: 400 })], NOW);
    // 799 + 400 / 2 months = 999 per month; no churn → floor 2% → 49,950.
    expect(values).toEqual([{ tier: 'professional', cohort: '2025-12', dollars: 49_950 }]);
  });
});

describe('churnRiskScore', () => {
  const base = { createdAtMs: NOW - 60 * DAY_MS, usageLast7d: 50, usagePrevious7d: 50, recentDowngrade: false };
  it.each([
    ['active and steady', { ...base, lastActivityMs: NOW }, 0.1],
    ['idle for two weeks', { ...base, lastActivityMs: NOW - 14 * DAY_MS }, 0.55],
    ['usage halved and downgraded', { ...base, lastActivityMs: NOW, usageLast7d: 25, recentDowngrade: true }, 0.375],
    ['everything wrong', { ...base, lastActivityMs: undefined, usageLast7d: 0, recentDowngrade: true }, 1],
  ])('%s', (_name, usage, score) => {
    expect(churnRiskScore(usage, NOW)).toBeCloseTo(score, 3);
  });
});

describe('onboardingProgressPercent', () => {
  it.each([
    [{ vessels: 0, equipmentTemplates: 0, equipmentDocumented: 0 }, 20],
    [{ vessels: 1, equipmentTemplates: 20, equipmentDocumented: 0 }, 50],
    [{ vessels: 1, equipmentTemplates: 20, equipmentDocumented: 10 }, 75],
    [{ vessels: 2, equipmentTemplates: 40, equipmentDocumented: 90 }, 100],
  ])('%j → %i', (facts, percent) => {
    expect(onboardingProgressPercent(facts)).toBe(percent);
  });
});
