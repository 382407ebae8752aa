import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  metricNames,
  metricValue,
  onboardVessel,
  scrape,
  scrapeInternal,
  signUpCompany,
  startTestPortal,
  type TestCompany,
  type TestPortal,
} from '../../portal/test-kit.js';

let portal: TestPortal;
let company: TestCompany;
let vesselId: string;

beforeAll(async () => {
  portal = await startTestPortal();
  company = await signUpCompany(portal);
  vesselId = (await onboardVessel(portal, company, '9074729')).vessel_id;
});
afterAll(async () => {
  await portal?.stop();
});

async function quote(partNumber = 'ENG-4411-A', quantity = 2, token = company.tokens.purchaser) {
  return portal.call('parts-api', 'POST', '/api/parts/quote', {
    token,
    json: { company_id: company.companyId, vessel_id: vesselId, part_number: partNumber, quantity, urgency: 'urgent' },
  });
}

async function order(quoteId: string, cardToken = 'tok_visa', token = company.tokens.purchaser) {
  return portal.call('parts-api', 'POST', '/api/parts/order', {
    token,
    json: { quote_id: quoteId, card_token: cardToken, order_type: 'express' },
  });
}

const INTERNAL_WORDS = /markup|supplier|cost|margin/i;

describe('parts-api', () => {
  it('quotes a customer price and nothing of cost or markup', async () => {
    const res = await quote();
    expect(res.status).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body['customer_price_dollars']).toBeGreaterThan(0);
    expect(typeof body['quote_id']).toBe('string');
    expect(Date.parse(String(body['valid_until']))).toBeGreaterThan(portal.scheduler.now());
    expect(Object.keys(body).filter((k) => INTERNAL_WORDS.test(k))).toEqual([]);
    expect(res.text).not.toMatch(INTERNAL_WORDS);
    const metrics = await scrape(portal, 'parts-api');
    expect(
      metricValue(metrics, 'sms_parts_quotes_requested_total', { company_id: company.companyId, urgency: 'urgent' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('orders: pays through the payment processor, reports revenue, keeps markup internal', async () => {
    const q = (await quote('PMP-2000-ZZ', 3)).json<{ quote_id: string; customer_price_dollars: number }>();
    const res = await order(q.quote_id);
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ status: 'paid', customer_price_dollars: q.customer_price_dollars });
    expect(res.text).not.toMatch(INTERNAL_WORDS);
    expect((await order(q.quote_id)).status).toBe(409);

    const pub = await scrape(portal, 'parts-api');
    expect(metricValue(pub, 'sms_parts_orders_completed_total', { company_id: company.companyId })).toBe(1);
    expect(metricValue(pub, 'sms_parts_order_value_dollars_sum', { company_id: company.companyId })).toBeCloseTo(
      q.customer_price_dollars,
    );
    expect(metricNames(pub).filter((name) => name.startsWith('_sms_') || INTERNAL_WORDS.test(name))).toEqual([]);
    const internal = await scrapeInternal(portal, 'parts-api');
    const markup = metricValue(internal, '_sms_parts_markup_realized_dollars', { parts_category: 'pumps_valves' });
    expect(markup).toBeGreaterThan(0);
    expect(markup).toBeLessThan(q.customer_price_dollars);
    expect(
      metricValue(internal, '_sms_parts_markup_realized_percent', { parts_category: 'pumps_valves' }),
    ).toBeGreaterThan(15);
    expect(internal).toContain('_sms_quote_to_order_conversion');
    expect(internal).toContain('_sms_ml_markup_recommendations');
    expect(internal).toContain('_sms_supplier_cost_trend');

    // Billing receives the revenue, service to service.
    await portal.services.get('parts-api')!.flushReports();
    const billing = await scrape(portal, 'billing');
    expect(metricValue(billing, 'sms_revenue_total', { company: company.name })).toBeGreaterThan(799);
  });

  it('refuses a technician (403) and another company (403)', async () => {
    expect((await quote(undefined, 1, company.tokens.technician)).status).toBe(403);
    const q = (await quote()).json<{ quote_id: string }>();
    expect((await order(q.quote_id, 'tok_visa', company.tokens.technician)).status).toBe(403);
    const other = await signUpCompany(portal);
    expect((await order(q.quote_id, 'tok_visa', other.tokens.purchaser)).status).toBe(403);
    const metrics = await scrape(portal, 'parts-api');
    expect(metricValue(metrics, 'http_requests_total', { endpoint: '/api/parts/order', status: '403' })).toBe(2);
  });

  it('rejects SQL-injection-like part numbers as rejected input', async () => {
    const before = metricValue(await scrape(portal, 'parts-api'), 'errors_total', { type: 'rejected_input' });
    const res = await quote("FLT-1001'; DROP TABLE orders; --");
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: 'rejected_input', fields: { part_number: [expect.any(String)] } });
    expect((await quote('NOT A PART')).status).toBe(400);
    const after = metricValue(await scrape(portal, 'parts-api'), 'errors_total', { type: 'rejected_input' });
    expect(after - before).toBe(1);
  });

  it('answers 402 for a declined card and counts the failed order', async () => {
    const q = (await quote('NAV-77-B', 1)).json<{ quote_id: string }>();
    const res = await order(q.quote_id, 'tok_chargeDeclined');
    expect(res.status).toBe(402);
    expect(res.json()).toMatchObject({ error: 'payment_declined' });
    const metrics = await scrape(portal, 'parts-api');
    expect(metricValue(metrics, 'sms_parts_orders_failed_total', { order_type: 'express' })).toBeGreaterThanOrEqual(1);
  });

  it('answers 503 while the payment processor is down, counting failed orders, and recovers', async () => {
    const failedBefore = metricValue(await scrape(portal, 'parts-api'), 'sms_parts_orders_failed_total');
    const down = await portal.call('control', 'POST', '/faults', {
      json: { kind: 'down', service: 'payment-processor', duration_ms: 60_000 },
    });
    expect(down.status).toBe(204);
    const q = (await quote('ELC-5-C', 1)).json<{ quote_id: string }>();
    const res = await order(q.quote_id);
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({ error: 'dependency_unavailable' });
    const metrics = await scrape(portal, 'parts-api');
    expect(metricValue(metrics, 'sms_parts_orders_failed_total') - failedBefore).toBe(1);
    expect(metricValue(metrics, 'errors_total', { type: 'http_5xx' })).toBeGreaterThanOrEqual(1);

    portal.scheduler.advance(60_000);
    await portal.faults.settled();
    const again = (await quote('ELC-5-C', 1)).json<{ quote_id: string }>();
    expect((await order(again.quote_id)).status).toBe(201);
  });

  it('exports orders with customer prices only', async () => {
    const res = await portal.call('parts-api', 'GET', `/api/parts/orders/export?company_id=${company.companyId}`, {
      token: company.tokens.customer_admin,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const [header, ...rows] = res.text.trim().split('\n');
    expect(header).toContain('customer_price_dollars');
    expect(header).not.toMatch(INTERNAL_WORDS);
    expect(rows.length).toBeGreaterThanOrEqual(3);
  });
});
