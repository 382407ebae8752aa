import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  metricValue,
  scrape,
  signUpCompany,
  startTestPortal,
  type TestCompany,
  type TestPortal,
} from '../../portal/test-kit.js';
import { BILLING_PERIOD_MS } from './billing-service.js';

let portal: TestPortal;
let basic: TestCompany;
let enterprise: TestCompany;

beforeAll(async () => {
  portal = await startTestPortal();
  basic = await signUpCompany(portal, 'basic');
  enterprise = await signUpCompany(portal, 'enterprise');
});
afterAll(async () => {
  await portal?.stop();
});

describe('billing', () => {
  it('exposes MRR, active companies and the first invoices as revenue', async () => {
    const m = await scrape(portal, 'billing');
    expect(metricValue(m, 'sms_mrr_dollars')).toBe(299 + 1999);
    expect(metricValue(m, 'sms_mrr_dollars', { tier: 'enterprise', company_id: enterprise.companyId })).toBe(1999);
    expect(metricValue(m, 'sms_company_active', { company_id: basic.companyId, tier: 'basic' })).toBe(1);
    expect(metricValue(m, 'sms_revenue_total', { company: enterprise.name })).toBe(1999);
    expect(metricValue(m, 'sms_ltv_dollars', { tier: 'basic' })).toBeGreaterThan(0);
    expect(metricValue(m, 'sms_churn_risk_score', { company: basic.name })).toBeGreaterThan(0);
  });

  it('refuses a duplicate sign-up and validates the body', async () => {
    const dup = await portal.call('billing', 'POST', '/api/companies', {
      json: { company_id: basic.companyId, name: 'Again', tier: 'basic' },
    });
    expect(dup.status).toBe(409);
    const bad = await portal.call('billing', 'POST', '/api/companies', { json: { company_id: 'CMP-1', tier: 'gold' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json<{ fields: object }>().fields).sort()).toEqual(['company_id', 'name', 'tier']);
  });

  it('churns: MRR and the active series go, the churn rate shows the reason', async () => {
    const res = await portal.call('billing', 'DELETE', `/api/companies/${enterprise.companyId}/subscription`, {
      token: enterprise.tokens.customer_admin,
      json: { reason: 'competitor' },
    });
    expect(res.status).toBe(200);
    const m = await scrape(portal, 'billing');
    expect(metricValue(m, 'sms_mrr_dollars', { company_id: enterprise.companyId })).toBe(0);
    // Every gauge of the company goes; the revenue it was billed (a counter) stays.
    expect(
      m
        .split('\n')
        .filter((l) => l.includes(`company_id="${enterprise.companyId}"`) && !l.startsWith('sms_revenue_total')),
    ).toEqual([]);
    expect(metricValue(m, 'sms_churn_rate_percent', { tier: 'enterprise', reason: 'competitor' })).toBe(100);
    expect(metricValue(m, 'sms_churn_rate_percent', { tier: 'enterprise', reason: 'price' })).toBe(0);
    const again = await portal.call('billing', 'DELETE', `/api/companies/${enterprise.companyId}/subscription`, {
      token: enterprise.tokens.customer_admin,
      json: { reason: 'competitor' },
    });
    expect(again.status).toBe(409);
  });

  it('exports invoices: support sees every company, an admin only their own', async () => {
    const all = await portal.call('billing', 'GET', '/api/companies/export?format=csv', {
      token: basic.tokens.support,
    });
    expect(all.status).toBe(200);
    expect(all.text).toContain(enterprise.companyId);
    const own = await portal.call('billing', 'GET', '/api/companies/export?format=json', {
      token: basic.tokens.customer_admin,
    });
    const rows = own.json<{ rows: { company_id: string }[] }>().rows;
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(new Set(rows.map((r) => r.company_id))).toEqual(new Set([basic.companyId]));
  });
  it('changes tiers (customer admins only) and renews every billing period', async () => {
    const path = `/api/companies/${basic.companyId}/subscription`;
    expect(
      (await portal.call('billing', 'PUT', path, { token: basic.tokens.purchaser, json: { tier: 'professional' } }))
        .status,
    ).toBe(403);
    const res = await portal.call('billing', 'PUT', path, {
      token: basic.tokens.customer_admin,
      json: { tier: 'professional' },
    });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ tier: 'professional', mrr_dollars: 799 });
    // Last: a month later every session has expired.
    portal.scheduler.advance(BILLING_PERIOD_MS + 60_000);
    await new Promise((r) => setTimeout(r, 50));
    const m = await scrape(portal, 'billing');
    expect(metricValue(m, 'sms_revenue_total', { company: basic.name })).toBe(299 + 799);
    expect(metricValue(m, 'sms_revenue_total', { company: enterprise.name })).toBe(1999);
  });
});
