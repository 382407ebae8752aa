/** The HTTP surface: one fastify instance, health endpoints, self-metrics and the API routes. */
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { registerAdminApi, type AdminApiOptions } from './admin-api.js';
import { registerAlertmanagerApi, type AlertmanagerApiOptions } from './alertmanager-api.js';
import { registerIncidentsApi, type IncidentsApiOptions } from './incidents-api.js';
import { registerIngestApi, type IngestApiOptions } from './ingest-api.js';
import { registerLandingPage } from './landing-page.js';
import { registerPrometheusApi, type PrometheusApiOptions } from './prometheus-api.js';
import { registerRulesApi, type RulesApiOptions } from './rules-api.js';
import { registerStatusApi, type StatusApiOptions } from './status-api.js';

export interface HttpServerOptions extends PrometheusApiOptions {
  registry: Registry;
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
}

export async function createHttpServer(opts: HttpServerOptions): Promise<FastifyInstance> {
  const bodyLimit = opts.bodyLimitBytes ?? 32 * 1024 * 1024;
  const app = Fastify({ logger: false, bodyLimit });
  await app.register(formbody);
  app.get('/-/healthy', async () => 'Watchkeeper is Healthy.\n');
  app.get('/-/ready', async () => 'Watchkeeper is Ready.\n');
  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', opts.registry.contentType).send(await opts.registry.metrics()),
  );
  registerPrometheusApi(app, opts);
  if (opts.ingest) registerIngestApi(app, { ...opts.ingest, maxRequestBodyBytes: bodyLimit });
  if (opts.status) {
    registerStatusApi(app, opts.status);
    const status = opts.status;
    registerLandingPage(app, status.version, () => status.targets(undefined));
  }
  if (opts.admin) registerAdminApi(app, opts.admin);
  if (opts.incidents) registerIncidentsApi(app, opts.incidents);
  if (opts.rules) registerRulesApi(app, opts.rules);
  if (opts.alertmanager) registerAlertmanagerApi(app, opts.alertmanager);
  return app;
}
