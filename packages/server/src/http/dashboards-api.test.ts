import { fileURLToPath } from 'node:url';
import type { Dashboard, DashboardSummary } from '@watchkeeper/model';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { isRole, MemoryAuditLog, type Principal } from '../access/index.js';
import { loadDashboards } from '../dashboards/index.js';
import { registerDashboardsApi } from './dashboards-api.js';
import { setPrincipal } from './principal.js';

const CONFIG_DASHBOARDS = fileURLToPath(new URL('../../../../config/dashboards/', import.meta.url));
const DASHBOARDS = loadDashboards([CONFIG_DASHBOARDS]).map((f) => f.dashboard);

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/**
 * The API on a bare fastify app. Test only: the principal comes from an `x-test-role` header
 * through setPrincipal, standing in for the auth hook (http/auth.ts); no header is anonymous.
 */
async function setup(): Promise<{ app: FastifyInstance; audit: MemoryAuditLog }> {
  const app = Fastify({ logger: false });
  apps.push(app);
  app.addHook('onRequest', async (req) => {
    const role = req.headers['x-test-role'];
    if (typeof role === 'string' && isRole(role)) {
      const principal: Principal = { kind: 'user', name: `${role}-user`, roles: [role] };
      setPrincipal(req, principal);
    }
  });
  const audit = new MemoryAuditLog(() => 1_700_000_000_000);
  registerDashboardsApi(app, { dashboards: () => DASHBOARDS, audit });
  await app.ready();
  return { app, audit };
}

async function get(app: FastifyInstance, url: string, role?: string) {
  const res = await app.inject({ method: 'GET', url, headers: role === undefined ? {} : { 'x-test-role': role } });
  return { status: res.statusCode, headers: res.headers, body: res.json<Record<string, unknown>>() };
}

describe('GET /api/wk/dashboards', () => {
  it('lists the public dashboards for a viewer, without the revenue protection dashboard', async () => {
    const { app } = await setup();
    const res = await get(app, '/api/wk/dashboards', 'viewer');
    expect(res.status).toBe(200);
    expect(res.body['status']).toBe('success');
    const data = res.body['data'] as DashboardSummary[];
    expect(data.map((d) => d.id)).toEqual(['executive', 'operations', 'user-behaviour']);
    expect(data[0]).toEqual({
      id: 'executive',
      title: 'Executive',
      description: DASHBOARDS[0]!.description,
      access: 'public',
    });
  });

  it('lists all four for revenue-internal (and admin), restricted one marked', async () => {
    const { app } = await setup();
    for (const role of ['revenue-internal', 'admin']) {
      const data = (await get(app, '/api/wk/dashboards', role)).body['data'] as DashboardSummary[];
      expect(data.map((d) => [d.id, d.access])).toEqual([
        ['executive', 'public'],
        ['operations', 'public'],
        ['revenue-protection', 'restricted_internal'],
        ['user-behaviour', 'public'],
      ]);
    }
  });

  it('hides the restricted dashboard from exec, ops and anonymous requests', async () => {
    const { app } = await setup();
    for (const role of ['exec', 'ops', 'security', undefined]) {
      const data = (await get(app, '/api/wk/dashboards', role)).body['data'] as DashboardSummary[];
      expect(data.map((d) => d.id)).not.toContain('revenue-protection');
    }
  });
});

describe('GET /api/wk/dashboards/:id', () => {
  it('returns a public dashboard as the model has it (defaults applied), without auditing', async () => {
    const { app, audit } = await setup();
    const res = await get(app, '/api/wk/dashboards/user-behaviour', 'viewer');
    expect(res.status).toBe(200);
    const d = res.body['data'] as Dashboard;
    expect(d).toEqual(JSON.parse(JSON.stringify(DASHBOARDS.find((x) => x.id === 'user-behaviour'))));
    expect(d.variables.map((v) => v.name)).toEqual(['company', 'vessel']);
    expect(d.rows[0]!.panels[0]).toMatchObject({ width: 6, unit: 'short' });
    expect(audit.list()).toEqual([]);
  });

  it('answers 404 for the restricted dashboard to a viewer, as for an unknown id, and audits the denial', async () => {
    const { app, audit } = await setup();
    const denied = await get(app, '/api/wk/dashboards/revenue-protection', 'viewer');
    const unknown = await get(app, '/api/wk/dashboards/no-such-dashboard', 'viewer');
    expect(denied.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(denied.body).toEqual({
      status: 'error',
      errorType: 'not_found',
      error: 'dashboard "revenue-protection" not found',
    });
    expect(JSON.stringify(denied.body)).not.toMatch(/markup|_sms_/i);
    expect(audit.list()).toEqual([
      expect.objectContaining({
        action: 'dashboard',
        decision: 'denied',
        resource: 'revenue-protection',
        principal: { kind: 'user', name: 'viewer-user', roles: ['viewer'] },
      }),
    ]);
  });

  it('returns the restricted dashboard to revenue-internal and records the read', async () => {
    const { app, audit } = await setup();
    const res = await get(app, '/api/wk/dashboards/revenue-protection', 'revenue-internal');
    expect(res.status).toBe(200);
    expect((res.body['data'] as Dashboard).access).toBe('restricted_internal');
    expect(audit.list()).toEqual([
      expect.objectContaining({
        action: 'dashboard',
        decision: 'allowed',
        resource: 'revenue-protection',
        detail: 'dashboard',
        principal: expect.objectContaining({ name: 'revenue-internal-user' }) as unknown,
      }),
    ]);
  });
});

describe('GET /api/wk/dashboards/:id/grafana', () => {
  it("exports Grafana's JSON as a download", async () => {
    const { app } = await setup();
    const res = await get(app, '/api/wk/dashboards/executive/grafana', 'viewer');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="watchkeeper-executive.grafana.json"');
    expect(res.body).toMatchObject({ uid: 'executive', schemaVersion: 39, title: 'Executive' });
  });

  it('exports the restricted dashboard only to revenue-internal, auditing both', async () => {
    const { app, audit } = await setup();
    expect((await get(app, '/api/wk/dashboards/revenue-protection/grafana', 'exec')).status).toBe(404);
    const ok = await get(app, '/api/wk/dashboards/revenue-protection/grafana', 'revenue-internal');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ uid: 'revenue-protection' });
    expect(audit.list().map((r) => [r.decision, r.principal.name, r.detail])).toEqual([
      ['allowed', 'revenue-internal-user', 'grafana export'],
      ['denied', 'exec-user', 'grafana export: restricted dashboard, answered 404'],
    ]);
  });
});
