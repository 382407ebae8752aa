import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  metricValue,
  scrape,
  signUpCompany,
  startTestPortal,
  type TestCompany,
  type TestPortal,
} from '../../portal/test-kit.js';
import { equipmentTemplatesFor } from '../shared/equipment-types.js';

let portal: TestPortal;
let company: TestCompany;

beforeAll(async () => {
  portal = await startTestPortal();
  company = await signUpCompany(portal);
});
afterAll(async () => {
  await portal?.stop();
});

const create = (imo: string, token = company.tokens.fleet_manager, vesselType = 'tanker') =>
  portal.call('vessels', 'POST', '/api/vessels/create', {
    token,
    json: { company_id: company.companyId, imo, name: 'MV Nordic Star', vessel_type: vesselType },
  });

describe('vessels', () => {
  it('refuses a bad IMO check digit with a field error', async () => {
    const res = await create('9074728');
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'invalid_request',
      fields: { imo: [expect.stringContaining('Check digit')] },
    });
  });

  it('onboards a vessel with equipment templates for its type, once per IMO number', async () => {
    const res = await create('IMO 9074729');
    expect(res.status).toBe(201);
    const body = res.json<{
      vessel_id: string;
      equipment_templates: { equipment_id: string; equipment_type: string }[];
    }>();
    expect(body.vessel_id).toMatch(/^vsl_[a-z0-9]+$/);
    expect(body.equipment_templates).toHaveLength(equipmentTemplatesFor('tanker').length);
    expect(body.equipment_templates.map((e) => e.equipment_type)).toContain('cargo_pump');
    expect((await create('9074729')).status).toBe(409);

    const list = await portal.call('vessels', 'GET', `/api/vessels?company_id=${company.companyId}`, {
      token: company.tokens.technician,
    });
    const [listed, ...more] = list.json<{
      vessels: { imo: string; equipment_templates: { equipment_id: string }[] }[];
    }>().vessels;
    expect(more).toEqual([]);
    expect(listed?.imo).toBe('9074729');
    const ids = (items: { equipment_id: string }[] = []) => items.map((e) => e.equipment_id).sort();
    expect(ids(listed?.equipment_templates)).toEqual(ids(body.equipment_templates));
    const metrics = await scrape(portal, 'vessels');
    expect(
      metricValue(metrics, 'sms_vessel_active', { company_id: company.companyId, vessel_id: body.vessel_id }),
    ).toBe(1);
  });

  it('lets only managers and admins onboard, for their own company', async () => {
    expect((await create('9176187', company.tokens.technician)).status).toBe(403);
    const other = await signUpCompany(portal);
    expect((await create('9176187', other.tokens.customer_admin)).status).toBe(403);
  });

  it('moves the company’s onboarding progress in billing', async () => {
    const fresh = await signUpCompany(portal, 'basic');
    const progress = async () =>
      metricValue(await scrape(portal, 'billing'), 'sms_onboarding_progress_percent', { company: fresh.name });
    expect(await progress()).toBe(20);
    const res = await portal.call('vessels', 'POST', '/api/vessels/create', {
      token: fresh.tokens.customer_admin,
      json: { company_id: fresh.companyId, imo: '9321483', name: 'MV Fresh', vessel_type: 'container' },
    });
    expect(res.status).toBe(201);
    await portal.services.get('vessels')!.flushReports();
    expect(await progress()).toBe(50);
    const billing = await scrape(portal, 'billing');
    expect(metricValue(billing, 'sms_onboarding_started_timestamp', { company: fresh.name })).toBe(
      portal.scheduler.now() / 1000,
    );
  });

  it('marks the vessels of a churned company inactive', async () => {
    const cancel = await portal.call('billing', 'DELETE', `/api/companies/${company.companyId}/subscription`, {
      token: company.tokens.customer_admin,
      json: { reason: 'fleet_sold' },
    });
    expect(cancel.status).toBe(200);
    await portal.services.get('billing')!.flushReports();
    const metrics = await scrape(portal, 'vessels');
    expect(metricValue(metrics, 'sms_vessel_active', { company_id: company.companyId })).toBe(0);
  });

  it('exports vessels and equipment as CSV', async () => {
    const res = await portal.call('vessels', 'GET', '/api/vessels/export', { token: company.tokens.support });
    expect(res.status).toBe(200);
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toMatch(/^vessel_id,company_id,imo,/);
    expect(lines.length).toBeGreaterThan(equipmentTemplatesFor('tanker').length);
  });
});
