/**
 * vessels: onboarding of a company's ships (`POST /api/vessels/create`, the plan's
 * vessel_onboarding_flow): IMO check digit, registry data, equipment templates by vessel type, and
 * the report to billing that moves the company's onboarding progress. Owns sms_vessel_active.
 */
import { JOURNEYS } from '@watchkeeper/sdk';
import { z } from 'zod';
import { CompanyStatusRequest, CreateVesselRequest } from '../../contract.js';
import { equipmentTemplatesFor, type VesselType } from '../shared/equipment-types.js';
import { csvRow } from '../shared/csv.js';
import { PortalError } from '../shared/errors.js';
import { GaugeSync } from '../shared/gauge-sync.js';
import { newId } from '../shared/ids.js';
import type { ServiceContext, ServiceDefinition } from '../shared/service-host.js';
import { parseInput } from '../shared/validation.js';
import { checkImo } from './imo.js';
import { registryRecord } from './registry.js';

const SCHEMA = `
CREATE TABLE vessels (
  vessel_id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL,
  imo TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  vessel_type TEXT NOT NULL,
  flag TEXT NOT NULL,
  gross_tonnage INTEGER NOT NULL,
  built_year INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  company_active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX vessels_company ON vessels (company_id);
CREATE TABLE equipment (
  equipment_id TEXT PRIMARY KEY,
  vessel_id TEXT NOT NULL REFERENCES vessels (vessel_id),
  equipment_key TEXT NOT NULL,
  equipment_type TEXT NOT NULL,
  UNIQUE (vessel_id, equipment_key)
);
CREATE TABLE notifications (
  notification_id INTEGER PRIMARY KEY,
  company_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
`;

const spans = JOURNEYS.vesselOnboarding.spans;
const ListQuery = z.object({
  company_id: z
    .string()
    .regex(/^cmp_[a-z0-9]+$/)
    .optional(),
});
const VesselParams = z.object({ vessel_id: z.string().regex(/^vsl_[a-z0-9]+$/) });

interface VesselRow {
  vessel_id: string;
  company_id: string;
  imo: string;
  name: string;
  vessel_type: VesselType;
  flag: string;
  gross_tonnage: number;
  built_year: number;
  created_at_ms: number;
  company_active: number;
}

function vesselView(v: VesselRow) {
  return {
    vessel_id: v.vessel_id,
    company_id: v.company_id,
    imo: v.imo,
    name: v.name,
    vessel_type: v.vessel_type,
    flag: v.flag,
    gross_tonnage: v.gross_tonnage,
    built_year: v.built_year,
    active: v.company_active === 1,
    created_at: new Date(v.created_at_ms).toISOString(),
  };
}

export const vesselsService: ServiceDefinition = {
  name: 'vessels',
  schema: SCHEMA,
  setup(ctx: ServiceContext) {
    const { app, t, pool } = ctx;
    const featureUsage = t.counter('sms_feature_usage_total');
    const vesselActive = new GaugeSync(t.gauge('sms_vessel_active'));

    app.post('/api/vessels/create', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'POST /api/vessels/create');
      const body = parseInput(CreateVesselRequest, request.body);
      ctx.assertCompany(claims, body.company_id, 'POST /api/vessels/create');

      const imo = await t.span(spans.validationCheckImo, async () => {
        const check = checkImo(body.imo);
        if (!check.ok) {
          throw new PortalError('invalid_request', `Invalid IMO number: ${check.reason}`, {
            fields: { imo: [check.reason] },
          });
        }
        const taken = await pool.query((sql) => sql.get('SELECT vessel_id FROM vessels WHERE imo = ?', check.imo));
        if (taken !== undefined) throw new PortalError('conflict', `IMO ${check.imo} is already registered`);
        return check.imo;
      });

      const registry = await t.span(spans.integrationFetchVesselData, async (span) => {
        span.setAttribute('vessel.imo', imo);
        // The ship registry is an external system: its answer takes a few milliseconds.
        await new Promise((r) => setTimeout(r, 2 + Math.floor(ctx.env.random() * 15)));
        return registryRecord(imo, body.vessel_type);
      });

      const vesselId = newId('vsl', 6);
      const templates = await t.span(spans.equipmentGenerateTemplates, async (span) => {
        const generated = equipmentTemplatesFor(body.vessel_type).map((tpl) => ({
          equipment_id: newId('eq', 6),
          equipment_key: tpl.equipmentKey,
          equipment_type: tpl.equipmentType,
        }));
        span.setAttribute('equipment.templates', generated.length);
        await pool.transaction('create_vessel', (sql) => {
          sql.run(
            `INSERT INTO vessels (vessel_id, company_id, imo, name, vessel_type, flag, gross_tonnage, built_year, created_at_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            vesselId,
            body.company_id,
            imo,
            body.name,
            body.vessel_type,
            registry.flag,
            registry.grossTonnage,
            registry.builtYear,
            ctx.now(),
          );
          for (const e of generated) {
            sql.run(
              'INSERT INTO equipment (equipment_id, vessel_id, equipment_key, equipment_type) VALUES (?, ?, ?, ?)',
              e.equipment_id,
              vesselId,
              e.equipment_key,
              e.equipment_type,
            );
          }
        });
        return generated;
      });

      await t.span(spans.notificationInformUsers, async () => {
        await pool.query((sql) =>
          sql.run(
            'INSERT INTO notifications (company_id, kind, message, created_at_ms) VALUES (?, ?, ?, ?)',
            body.company_id,
            'vessel_onboarded',
            `${body.name} (IMO ${imo}) was added with ${templates.length} equipment items to document`,
            ctx.now(),
          ),
        );
        ctx.peers.deliver('billing', '/api/billing/usage', {
          reports: [
            { company_id: body.company_id, kind: 'vessel_created', count: 1 },
            { company_id: body.company_id, kind: 'equipment_templates', count: templates.length },
          ],
        });
      });

      featureUsage.inc({ feature: 'vessel_onboarding', role: claims.role });
      t.logger.info(
        { company_id: body.company_id, vessel_id: vesselId, user_id: claims.userId, templates: templates.length },
        'Vessel onboarded',
      );
      return reply.code(201).send({
        vessel_id: vesselId,
        imo,
        equipment_templates: templates.map((e) => ({ equipment_id: e.equipment_id, equipment_type: e.equipment_type })),
      });
    });

    app.get('/api/vessels/export', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'GET /api/vessels/export');
      const all = claims.role === 'support';
      featureUsage.inc({ feature: 'bulk_export', role: claims.role });
      const rows = await pool.query((sql) =>
        sql.all<VesselRow & { equipment_id: string; equipment_key: string; equipment_type: string }>(
          `SELECT v.*, e.equipment_id, e.equipment_key, e.equipment_type
           FROM vessels v JOIN equipment e ON e.vessel_id = v.vessel_id
           WHERE (? = 1 OR v.company_id = ?) ORDER BY v.vessel_id, e.equipment_key`,
          all ? 1 : 0,
          claims.companyId,
        ),
      );
      t.logger.info({ user_id: claims.userId, rows: rows.length, all_companies: all }, 'Bulk export of vessels');
      const header =
        'vessel_id,company_id,imo,name,vessel_type,flag,gross_tonnage,built_year,equipment_id,equipment_key,equipment_type';
      const lines = rows.map((r) =>
        csvRow([
          r.vessel_id,
          r.company_id,
          r.imo,
          r.name,
          r.vessel_type,
          r.flag,
          r.gross_tonnage,
          r.built_year,
          r.equipment_id,
          r.equipment_key,
          r.equipment_type,
        ]),
      );
      return reply.type('text/csv; charset=utf-8').send(`${header}\n${lines.join('\n')}\n`);
    });

    app.get('/api/vessels', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'GET /api/vessels');
      const query = parseInput(ListQuery, request.query, 'query');
      if (query.company_id !== undefined) ctx.assertCompany(claims, query.company_id, 'GET /api/vessels');
      const companyId = query.company_id ?? claims.companyId;
      const { rows, equipment } = await pool.query((sql) => ({
        rows: sql.all<VesselRow>('SELECT * FROM vessels WHERE company_id = ? ORDER BY created_at_ms', companyId),
        equipment: sql.all<{ vessel_id: string; equipment_id: string; equipment_type: string }>(
          `SELECT e.vessel_id, e.equipment_id, e.equipment_type FROM equipment e
           JOIN vessels v ON v.vessel_id = e.vessel_id WHERE v.company_id = ? ORDER BY e.equipment_key`,
          companyId,
        ),
      }));
      const byVessel = new Map<string, { equipment_id: string; equipment_type: string }[]>();
      for (const e of equipment) {
        const list = byVessel.get(e.vessel_id) ?? [];
        list.push({ equipment_id: e.equipment_id, equipment_type: e.equipment_type });
        byVessel.set(e.vessel_id, list);
      }
      return reply.send({
        vessels: rows.map((v) => ({ ...vesselView(v), equipment_templates: byVessel.get(v.vessel_id) ?? [] })),
      });
    });

    app.get('/api/vessels/:vessel_id/equipment', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'GET /api/vessels/:vessel_id/equipment');
      const { vessel_id: vesselId } = parseInput(VesselParams, request.params, 'path');
      const vessel = await pool.query((sql) =>
        sql.get<VesselRow>('SELECT * FROM vessels WHERE vessel_id = ?', vesselId),
      );
      if (vessel === undefined) throw new PortalError('not_found', `No vessel ${vesselId}`);
      ctx.assertCompany(claims, vessel.company_id, 'GET /api/vessels/:vessel_id/equipment');
      const equipment = await pool.query((sql) =>
        sql.all<{ equipment_id: string; equipment_key: string; equipment_type: string }>(
          'SELECT equipment_id, equipment_key, equipment_type FROM equipment WHERE vessel_id = ? ORDER BY equipment_key',
          vesselId,
        ),
      );
      return reply.send({ vessel: vesselView(vessel), equipment });
    });

    app.post('/api/vessels/company-status', async (request, reply) => {
      ctx.authenticateService(request);
      const body = parseInput(CompanyStatusRequest, request.body);
      const changed = await pool.query(
        (sql) =>
          sql.run('UPDATE vessels SET company_active = ? WHERE company_id = ?', body.active ? 1 : 0, body.company_id)
            .changes,
      );
      t.logger.info({ company_id: body.company_id, active: body.active, vessels: changed }, 'Company status changed');
      return reply.code(204).send();
    });

    ctx.onScrape(() => {
      const rows = pool.tryQuery((sql) =>
        sql.all<{ company_id: string; vessel_id: string }>(
          'SELECT company_id, vessel_id FROM vessels WHERE company_active = 1',
        ),
      );
      if (rows === undefined) return;
      vesselActive.update(
        rows.map((r) => ({ labels: { company_id: r.company_id, vessel_id: r.vessel_id }, value: 1 })),
      );
    });
  },
};
