import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  metricValue,
  onboardVessel,
  scrape,
  signUpCompany,
  startTestPortal,
  type TestCompany,
  type TestPortal,
} from './test-kit.js';

let portal: TestPortal;
let company: TestCompany;

beforeAll(async () => {
  portal = await startTestPortal();
  company = await signUpCompany(portal);
});
afterAll(async () => {
  await portal?.stop();
});

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url);
    return false;
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
  }
}

const inject = (json: unknown) => portal.call('control', 'POST', '/faults', { json });

describe('fault control', () => {
  it('validates fault requests', async () => {
    const res = await inject({ kind: 'down', service: 'mainframe', duration_ms: -1 });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json<{ fields: object }>().fields).sort()).toEqual(['duration_ms', 'service']);
  });

  it("'down' refuses connections on the service's port until the fault ends, then serves again", async () => {
    const url = `${portal.urls['parts-api']}/healthz`;
    const res = await inject({ kind: 'down', service: 'parts-api', duration_ms: 30_000 });
    expect(res.status).toBe(204);
    const location = res.headers.get('location');
    expect(location).toMatch(/^\/faults\/flt_[0-9a-f]+$/);
    expect(await refused(url)).toBe(true);
    expect(await refused(`${portal.urls['parts-api']}/metrics`)).toBe(true);
    const list = await portal.call('control', 'GET', '/faults');
    const [active, ...others] = list.json<{ active: Record<string, unknown>[] }>().active;
    expect(others).toEqual([]);
    const { ends_at: endsAt, ...fault } = active ?? {};
    expect(fault).toEqual({
      id: location!.slice('/faults/'.length),
      kind: 'down',
      service: 'parts-api',
      duration_ms: 30_000,
    });
    expect(Date.parse(String(endsAt))).toBe(portal.scheduler.now() + 30_000);
    // Other services are unaffected.
    expect((await fetch(`${portal.urls.vessels}/healthz`)).status).toBe(200);

    portal.scheduler.advance(30_000);
    await portal.faults.settled();
    expect((await fetch(url)).status).toBe(200);
    expect((await portal.call('control', 'GET', '/faults')).json()).toEqual({ active: [] });
  });

  it('DELETE /faults/:id ends a fault early', async () => {
    const res = await inject({ kind: 'down', service: 'billing', duration_ms: 600_000 });
    expect(await refused(`${portal.urls.billing}/healthz`)).toBe(true);
    expect((await portal.call('control', 'DELETE', res.headers.get('location')!)).status).toBe(204);
    expect((await fetch(`${portal.urls.billing}/healthz`)).status).toBe(200);
    expect((await portal.call('control', 'DELETE', res.headers.get('location')!)).status).toBe(404);
  });

  it("'slow' adds latency to the service's API requests", async () => {
    const path = `/api/vessels?company_id=${company.companyId}`;
    await inject({ kind: 'slow', service: 'vessels', extra_latency_ms: 300, duration_ms: 10_000 });
    const started = performance.now();
    expect((await portal.call('vessels', 'GET', path, { token: company.tokens.fleet_manager })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    const metrics = await scrape(portal, 'vessels');
    expect(metricValue(metrics, 'http_request_duration_seconds_bucket', { endpoint: '/api/vessels', le: '0.1' })).toBe(
      0,
    );
    portal.scheduler.advance(10_000);
    await portal.faults.settled();
    // The fault has ended (no wall-clock assertion: CI machines are shared and slow at times).
    expect((await portal.call('control', 'GET', '/faults')).json()).toEqual({ active: [] });
    expect((await portal.call('vessels', 'GET', path, { token: company.tokens.fleet_manager })).status).toBe(200);
  });

  it("'payment_failures' makes orders fail (402 or 503) while it lasts", async () => {
    const { vessel_id: vesselId } = await onboardVessel(portal, company, '9176187');
    await inject({ kind: 'payment_failures', failure_ratio: 1, duration_ms: 60_000 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const quote = await portal.call('parts-api', 'POST', '/api/parts/quote', {
        token: company.tokens.purchaser,
        json: {
          company_id: company.companyId,
          vessel_id: vesselId,
          part_number: `FLT-10${i}-A`,
          quantity: 1,
          urgency: 'routine',
        },
      });
      const order = await portal.call('parts-api', 'POST', '/api/parts/order', {
        token: company.tokens.purchaser,
        json: { quote_id: quote.json<{ quote_id: string }>().quote_id, card_token: 'tok_visa', order_type: 'standard' },
      });
      statuses.push(order.status);
    }
    expect(statuses.every((s) => s === 402 || s === 503)).toBe(true);
    const metrics = await scrape(portal, 'parts-api');
    expect(metricValue(metrics, 'sms_parts_orders_failed_total')).toBe(4);
    expect(metricValue(metrics, 'sms_parts_orders_total')).toBe(4);
    portal.scheduler.advance(60_000);
  });

  it("'db_pool_exhaustion' holds every connection: the pool gauges show it, requests wait and time out", async () => {
    await inject({ kind: 'db_pool_exhaustion', service: 'vessels', duration_ms: 120_000 });
    const metrics = await scrape(portal, 'vessels');
    const size = metricValue(metrics, 'db_connection_pool_size', { pool_name: 'primary' });
    expect(size).toBeGreaterThan(0);
    expect(metricValue(metrics, 'db_connection_pool_used', { pool_name: 'primary' })).toBe(size);
    const pending = portal.call('vessels', 'GET', `/api/vessels?company_id=${company.companyId}`, {
      token: company.tokens.fleet_manager,
    });
    await new Promise((r) => setTimeout(r, 50));
    portal.scheduler.advance(2_000);
    expect((await pending).status).toBe(503);
    expect((await portal.call('vessels', 'GET', '/readyz')).status).toBe(503);
    portal.scheduler.advance(120_000);
    await portal.faults.settled();
    expect(metricValue(await scrape(portal, 'vessels'), 'db_connection_pool_used', { pool_name: 'primary' })).toBe(0);
    expect((await portal.call('vessels', 'GET', '/readyz')).status).toBe(200);
  });
});
