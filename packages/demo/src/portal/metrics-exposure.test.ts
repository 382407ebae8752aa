/**
 * No public endpoint of any portal service exposes a restricted `_sms_` series, after traffic that
 * produces them; the internal endpoint has them with the token and answers 401 without.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMetricForSeriesName, isCataloguedSeriesName } from '@watchkeeper/model';
import { SERVICE_NAMES } from '../contract.js';
import {
  TEST_INTERNAL_TOKEN,
  metricNames,
  onboardVessel,
  sha256Hex,
  signUpCompany,
  startTestPortal,
  type TestPortal,
} from './test-kit.js';

let portal: TestPortal;

beforeAll(async () => {
  portal = await startTestPortal();
  // Traffic through every service: sign-up, logins, onboarding, a sync upload, quotes and orders.
  const company = await signUpCompany(portal);
  const vessel = await onboardVessel(portal, company, '9074729');
  const records = [
    {
      equipment_id: vessel.equipment_templates[0]!.equipment_id,
      equipment_type: 'main_engine',
      fields: { model: 'X' },
      photos: 1,
      updated_at: '2026-01-05T08:00:00Z',
    },
  ];
  const body = `{"vessel_id":"${vessel.vessel_id}","tech_id":"tech_x","records":${JSON.stringify(records)},"checksum":"${sha256Hex(JSON.stringify(records))}"}`;
  expect(
    (await portal.call('sync', 'POST', '/api/sync/upload', { token: company.tokens.technician, body })).status,
  ).toBe(200);
  for (const part of ['ENG-1-A', 'FLT-22-B', 'NAV-333-C']) {
    const quote = await portal.call('parts-api', 'POST', '/api/parts/quote', {
      token: company.tokens.purchaser,
      json: {
        company_id: company.companyId,
        vessel_id: vessel.vessel_id,
        part_number: part,
        quantity: 4,
        urgency: 'routine',
      },
    });
    const order = await portal.call('parts-api', 'POST', '/api/parts/order', {
      token: company.tokens.purchaser,
      json: { quote_id: quote.json<{ quote_id: string }>().quote_id, card_token: 'tok_visa', order_type: 'standard' },
    });
    expect(order.status).toBe(201);
  }
  await Promise.all([...portal.services.values()].map((s) => s.flushReports()));
});
afterAll(async () => {
  await portal?.stop();
});

describe('metrics exposure', () => {
  it.each(SERVICE_NAMES)('%s: /metrics has no _sms_ series and only catalog metrics', async (service) => {
    const res = await portal.call(service, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('_sms_');
    const names = metricNames(res.text).filter((n) => !n.startsWith('watchkeeper_sdk_'));
    expect(names.filter((n) => !isCataloguedSeriesName(n))).toEqual([]);
    expect(names.filter((n) => findMetricForSeriesName(n)?.restricted === true)).toEqual([]);
    expect(res.text).toMatch(new RegExp(`service="${service}"`));
  });

  it.each(SERVICE_NAMES)(
    '%s: /internal/metrics answers 401 without the token, 401 with a wrong one',
    async (service) => {
      expect((await portal.call(service, 'GET', '/internal/metrics')).status).toBe(401);
      expect((await portal.call(service, 'GET', '/internal/metrics', { token: 'x'.repeat(40) })).status).toBe(401);
    },
  );

  it('parts-api: /internal/metrics has the restricted series, and only those', async () => {
    const res = await portal.call('parts-api', 'GET', '/internal/metrics', { token: TEST_INTERNAL_TOKEN });
    expect(res.status).toBe(200);
    const names = metricNames(res.text);
    expect(names).toEqual(
      expect.arrayContaining([
        '_sms_parts_markup_realized_dollars',
        '_sms_parts_markup_realized_percent',
        '_sms_parts_supplier_cost_dollars',
        '_sms_supplier_cost_trend',
        '_sms_margin_by_parts_category',
        '_sms_quote_to_order_conversion',
        '_sms_ml_markup_recommendations',
      ]),
    );
    expect(names.every((n) => n.startsWith('_sms_'))).toBe(true);
  });

  it('host-exporter: /metrics has the node_* series', async () => {
    await new Promise((r) => setTimeout(r, 1_100));
    const res = await portal.call('host-exporter', 'GET', '/metrics');
    expect(res.status).toBe(200);
    const names = metricNames(res.text);
    expect(names).toEqual(expect.arrayContaining(['node_memory_MemTotal_bytes', 'node_memory_usage_percent']));
    expect(res.text).not.toContain('_sms_');
  });
});
