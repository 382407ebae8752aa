/** The HTTP surface: one fastify instance, health endpoints, self-metrics and the API routes. */
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { registerPrometheusApi, type PrometheusApiOptions } from './prometheus-api.js';

export interface HttpServerOptions extends PrometheusApiOptions {
  registry: Registry;
  /** Maximum request body, bytes. @default 32 MiB */
  bodyLimitBytes?: number;
}

export async function createHttpServer(opts: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimitBytes ?? 32 * 1024 * 1024 });
  await app.register(formbody);
  app.get('/-/healthy', async () => 'Watchkeeper is Healthy.\n');
  app.get('/-/ready', async () => 'Watchkeeper is Ready.\n');
  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', opts.registry.contentType).send(await opts.registry.metrics()),
  );
  registerPrometheusApi(app, opts);
  return app;
}
