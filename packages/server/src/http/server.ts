/** The HTTP surface: one fastify instance, health endpoints, self-metrics and the API routes. */
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { RestrictedSeriesPolicy } from '../access/index.js';
import { registerAccessApi } from './access-api.js';
import { registerAdminApi, type AdminApiOptions } from './admin-api.js';
import { registerAlertmanagerApi, type AlertmanagerApiOptions } from './alertmanager-api.js';
import { registerAuth, type AuthOptions } from './auth.js';
import { registerDashboardsApi, type DashboardsApiOptions } from './dashboards-api.js';
import { registerIncidentsApi, type IncidentsApiOptions } from './incidents-api.js';
import { registerIngestApi, type IngestApiOptions } from './ingest-api.js';
import { registerPrometheusApi, type PrometheusApiOptions } from './prometheus-api.js';
import { registerRulesApi, type RulesApiOptions } from './rules-api.js';
import { registerStatusApi, type StatusApiOptions } from './status-api.js';
import { registerWebUi, type WebUiOptions } from './web-ui.js';

export interface HttpServerOptions extends PrometheusApiOptions {
  registry: Registry;
  /**
   * Access control (auth.ts): who is calling and what they may do, checked before every route;
   * login, users, tokens and the audit log under `/api/wk`. Required: there is no server without it.
   */
  auth: AuthOptions;
  /** Maximum request body, bytes. @default 32 MiB */
  bodyLimitBytes?: number;
  ingest?: Omit<IngestApiOptions, 'maxRequestBodyBytes'>;
  status?: StatusApiOptions;
  admin?: AdminApiOptions;
  /** Incidents, acknowledgement links, the PagerDuty webhook and suppression state under `/api/wk`. */
  incidents?: IncidentsApiOptions;
  /** `/api/v1/rules` and `/api/v1/alerts` (from the rule manager). */
  rules?: RulesApiOptions;
  /** Alertmanager's API v2 under `/api/v2` (alerts, silences, status). */
  alertmanager?: AlertmanagerApiOptions;
  /** Dashboards under `/api/wk/dashboards` (list, get, Grafana export). @default audit: the access store's audit log */
  dashboards?: DashboardsApiOptions;
  /**
   * Restricted series (access/restricted.ts): hidden from principals without `restricted:read` in
   * every read route. @default derived from `storage` and the rule groups, audited to the access
   * store's audit log
   */
  restricted?: RestrictedSeriesPolicy;
  /** The web UI at `/` (web-ui.ts; files public, SPA fallback); false: none. @default packages/web/dist */
  webUi?: WebUiOptions | false;
}

export async function createHttpServer(opts: HttpServerOptions): Promise<FastifyInstance> {
  const bodyLimit = opts.bodyLimitBytes ?? 32 * 1024 * 1024;
  const app = Fastify({ logger: false, bodyLimit });
  // First: every route registered after this gets the access hook.
  const authMetrics = await registerAuth(app, opts.auth, opts.registry);
  await app.register(formbody);
  registerAccessApi(app, { auth: opts.auth, metrics: authMetrics });
  app.get('/-/healthy', async () => 'Watchkeeper is Healthy.\n');
  app.get('/-/ready', async () => 'Watchkeeper is Ready.\n');
  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', opts.registry.contentType).send(await opts.registry.metrics()),
  );
  // ---- restricted series (access/restricted.ts): every read route below filters through it ----
  const rules = opts.rules;
  const restricted =
    opts.restricted ??
    new RestrictedSeriesPolicy({
      storage: opts.storage,
      rules: () => (rules?.ruleGroups() ?? []).flatMap((g) => g.rules),
      audit: opts.auth.store.audit,
    });
  registerPrometheusApi(app, opts, restricted);
  if (opts.ingest) registerIngestApi(app, { ...opts.ingest, maxRequestBodyBytes: bodyLimit });
  if (opts.status) registerStatusApi(app, opts.status, restricted, opts.storage);
  if (opts.admin) registerAdminApi(app, opts.admin);
  if (opts.incidents) registerIncidentsApi(app, opts.incidents, restricted);
  if (opts.rules) registerRulesApi(app, opts.rules, restricted);
  if (opts.alertmanager) registerAlertmanagerApi(app, opts.alertmanager, restricted);
  if (opts.dashboards) registerDashboardsApi(app, { audit: opts.auth.store.audit, ...opts.dashboards });
  if (opts.webUi !== false) await registerWebUi(app, opts.webUi);
  return app;
}
