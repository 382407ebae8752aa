import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  metricValue,
  onboardVessel,
  scrape,
  sha256Hex,
  signUpCompany,
  startTestPortal,
  type TestCompany,
  type TestPortal,
} from '../../portal/test-kit.js';

let portal: TestPortal;
let company: TestCompany;
let vesselId: string;
let equipment: { equipment_id: string; equipment_type: string }[];

beforeAll(async () => {
  portal = await startTestPortal();
  company = await signUpCompany(portal);
  ({ vessel_id: vesselId, equipment_templates: equipment } = await onboardVessel(portal, company, '8814275'));
});
afterAll(async () => {
  await portal?.stop();
});

interface Rec {
  equipment_id: string;
  equipment_type: string;
  fields: Record<string, string>;
  photos: number;
  updated_at: string;
  started_at?: string;
}

function upload(records: Rec[], checksum = sha256Hex(JSON.stringify(records)), token = company.tokens.technician) {
  // The body is written by hand, as the offline app does, so the checksum covers the exact bytes.
  const body = `{"vessel_id":"${vesselId}","tech_id":"tech_a1","records":${JSON.stringify(records)},"checksum":"${checksum}"}`;
  return portal.call('sync', 'POST', '/api/sync/upload', { token, body });
}

const engine = () => equipment.find((e) => e.equipment_type === 'main_engine')!;

describe('sync', () => {
  it('refuses an upload whose checksum does not match (422)', async () => {
    const records: Rec[] = [
      {
        equipment_id: engine().equipment_id,
        equipment_type: 'main_engine',
        fields: { model: 'X' },
        photos: 0,
        updated_at: '2026-01-05T08:00:00Z',
      },
    ];
    const res = await upload(records, sha256Hex('something else'));
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({ error: 'checksum_mismatch' });
    const metrics = await scrape(portal, 'sync');
    expect(metricValue(metrics, 'errors_total', { type: 'checksum_mismatch' })).toBe(1);
    expect(metricValue(metrics, 'sms_equipment_documented_total')).toBe(0);
  });

  it('applies records, scores their quality and counts documentation and photos', async () => {
    const records: Rec[] = [
      {
        equipment_id: engine().equipment_id,
        equipment_type: 'main_engine',
        fields: { manufacturer: 'MAN', model: 'B&W 6S60', serial_number: 'SN-1', running_hours: '41000' },
        photos: 2,
        started_at: '2026-01-05T07:50:00Z',
        updated_at: '2026-01-05T08:00:00Z',
      },
      {
        equipment_id: equipment[5]!.equipment_id,
        equipment_type: equipment[5]!.equipment_type,
        fields: {},
        photos: 0,
        updated_at: '2026-01-05T08:01:00Z',
      },
    ];
    const res = await upload(records);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ applied: 2, conflicts_merged: 0 });
    const metrics = await scrape(portal, 'sync');
    expect(metricValue(metrics, 'sms_equipment_documented_total', { vessel_id: vesselId, tech_id: 'tech_a1' })).toBe(2);
    expect(
      metricValue(metrics, 'sms_photos_uploaded_total', { vessel_id: vesselId, equipment_type: 'main_engine' }),
    ).toBe(2);
    expect(metricValue(metrics, 'sms_quality_score_count', { equipment_type: 'main_engine' })).toBe(1);
    expect(
      metricValue(metrics, 'sms_offline_sync_duration_seconds_count', {
        vessel_id: vesselId,
        data_size_category: 'small',
      }),
    ).toBe(1);
    expect(metricValue(metrics, 'sms_time_to_complete_seconds_sum', { task_type: 'document_equipment' })).toBe(600);
  });

  it('merges an older offline edit field by field and counts the conflict', async () => {
    const newer: Rec = {
      equipment_id: engine().equipment_id,
      equipment_type: 'main_engine',
      fields: { running_hours: '41200', condition: 'good' },
      photos: 3,
      updated_at: '2026-01-05T12:00:00Z',
    };
    expect((await upload([newer])).json()).toMatchObject({ applied: 1, conflicts_merged: 0 });
    // A second technician's edit from 10:00 arrives late, from a ship that was offline.
    const older: Rec = {
      equipment_id: engine().equipment_id,
      equipment_type: 'main_engine',
      fields: { running_hours: '41100', last_overhaul: '2025-06' },
      photos: 1,
      updated_at: '2026-01-05T10:00:00Z',
    };
    const res = await upload([older]);
    expect(res.json()).toMatchObject({ applied: 1, conflicts_merged: 1 });
    const stored = await portal.call('sync', 'GET', `/api/sync/records?vessel_id=${vesselId}`, {
      token: company.tokens.fleet_manager,
    });
    const record = stored.json<{ records: Rec[] }>().records.find((r) => r.equipment_id === engine().equipment_id);
    expect(record?.fields).toEqual({
      manufacturer: 'MAN',
      model: 'B&W 6S60',
      serial_number: 'SN-1',
      running_hours: '41200',
      condition: 'good',
      last_overhaul: '2025-06',
    });
    expect(record?.photos).toBe(3);
    // Replaying the same upload changes nothing.
    expect((await upload([older])).json()).toMatchObject({ applied: 0 });
  });

  it('reports documented equipment to billing (onboarding progress)', async () => {
    await portal.services.get('vessels')!.flushReports();
    await portal.services.get('sync')!.flushReports();
    const progress = metricValue(await scrape(portal, 'billing'), 'sms_onboarding_progress_percent', {
      company: company.name,
    });
    expect(progress).toBe(Math.round(50 + (50 * 2) / equipment.length));
  });

  it('lets only technicians and support upload', async () => {
    expect((await upload([], undefined, company.tokens.purchaser)).status).toBe(403);
    expect((await upload([], undefined, company.tokens.support)).status).toBe(200);
  });
});
