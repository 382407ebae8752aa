/**
 * Watchkeeper's dashboards API (dashboards/; the files of config/dashboards):
 * - `GET /api/wk/dashboards` → `{status, data: DashboardSummary[]}`, in file order;
 * - `GET /api/wk/dashboards/{id}` → `{status, data: Dashboard}` (the schema of @watchkeeper/model,
 *   defaults applied: what the web UI renders);
 * - `GET /api/wk/dashboards/{id}/grafana` → Grafana's dashboard JSON, as a download.
 *
 * A dashboard with `access: restricted_internal` exists only for principals who may read
 * restricted series: absent from the list and 404 otherwise, exactly as an unknown id. Reading or
 * exporting one is recorded in the audit log, allowed or denied. Who may call these routes at all
 * is the auth hook's business (http/auth.ts); this file only hides restricted dashboards.
 */
import type { Dashboard, DashboardSummary } from '@watchkeeper/model';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canReadRestricted, type AuditLog } from '../access/index.js';
import { toGrafanaDashboard } from '../dashboards/index.js';
import { principalOf } from './principal.js';

export interface DashboardsApiOptions {
  /** The loaded dashboards, in order (a function, so that a reload can replace them). */
  dashboards(): readonly Dashboard[];
  /** Where reads of restricted dashboards are recorded. */
  audit?: AuditLog;
}

const JSON_TYPE = { 'content-type': 'application/json' };

function summary(d: Dashboard): DashboardSummary {
  return { id: d.id, title: d.title, description: d.description, access: d.access };
}

function notFound(reply: FastifyReply, id: string): FastifyReply {
  return reply
    .code(404)
    .headers(JSON_TYPE)
    .send(JSON.stringify({ status: 'error', errorType: 'not_found', error: `dashboard "${id}" not found` }));
}

export function registerDashboardsApi(app: FastifyInstance, opts: DashboardsApiOptions): void {
  const visible = (req: FastifyRequest): Dashboard[] => {
    const restrictedOk = canReadRestricted(principalOf(req));
    return opts.dashboards().filter((d) => d.access !== 'restricted_internal' || restrictedOk);
  };

  /** The dashboard `id` if this request may see it; records reads of restricted ones. */
  const lookup = (req: FastifyRequest, id: string, what: 'dashboard' | 'grafana export'): Dashboard | undefined => {
    const dashboard = opts.dashboards().find((d) => d.id === id);
    if (dashboard === undefined) return undefined;
    if (dashboard.access !== 'restricted_internal') return dashboard;
    const principal = principalOf(req);
    const allowed = canReadRestricted(principal);
    opts.audit?.record({
      action: 'dashboard',
      decision: allowed ? 'allowed' : 'denied',
      principal,
      resource: dashboard.id,
      detail: allowed ? what : `${what}: restricted dashboard, answered 404`,
      remoteAddress: req.ip,
    });
    return allowed ? dashboard : undefined;
  };

  app.get('/api/wk/dashboards', async (req, reply) =>
    reply.headers(JSON_TYPE).send(JSON.stringify({ status: 'success', data: visible(req).map(summary) })),
  );

  app.get<{ Params: { id: string } }>('/api/wk/dashboards/:id', async (req, reply) => {
    const dashboard = lookup(req, req.params.id, 'dashboard');
    if (dashboard === undefined) return notFound(reply, req.params.id);
    return reply.headers(JSON_TYPE).send(JSON.stringify({ status: 'success', data: dashboard }));
  });

  app.get<{ Params: { id: string } }>('/api/wk/dashboards/:id/grafana', async (req, reply) => {
    const dashboard = lookup(req, req.params.id, 'grafana export');
    if (dashboard === undefined) return notFound(reply, req.params.id);
    return reply
      .headers({
        ...JSON_TYPE,
        'content-disposition': `attachment; filename="watchkeeper-${dashboard.id}.grafana.json"`,
      })
      .send(JSON.stringify(toGrafanaDashboard(dashboard), null, 2));
  });
}
