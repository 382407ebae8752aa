import { Readable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '../index.js';
import { LogCollector, eventually } from '../testing/helpers.js';
import { runHttpContract, type ContractServer } from './http-contract.js';

async function startFastify(t: Telemetry): Promise<ContractServer> {
  const app = Fastify();
  await t.instrumentFastify(app);
  app.get<{ Params: { vesselId: string } }>('/api/vessels/:vesselId', async (request) => {
    t.logger.info({ vessel_id: request.params.vesselId }, 'vessel fetched');
    return { vesselId: request.params.vesselId, traceId: trace.getActiveSpan()?.spanContext().traceId };
  });
  app.post('/api/parts/quote', async (request) => {
    const bytes = await t.span('PartsService.getSupplierQuotes', async () => JSON.stringify(request.body).length);
    return { bytes };
  });
  await app.register(
    async (companies) => {
      companies.get<{ Params: { companyId: string; vesselId: string } }>('/vessels/:vesselId', async (request) => ({
        companyId: request.params.companyId,
        vesselId: request.params.vesselId,
      }));
    },
    { prefix: '/api/companies/:companyId' },
  );
  app.get('/api/boom', async () => {
    throw new Error('boom for bob@example.com');
  });
  app.get('/api/bad-input', async () => {
    throw Object.assign(new Error('bad input'), { statusCode: 400 });
  });
  app.get('/api/unavailable', async (_request, reply) => reply.code(503).send({ error: 'unavailable' }));
  app.get('/api/stream', async (_request, reply) =>
    reply.type('text/plain').send(Readable.from(['a'.repeat(1000), 'b'.repeat(1000), 'c'.repeat(1000)])),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

runHttpContract({ name: 'fastify', start: startFastify });

describe('fastify request logs', () => {
  it('logs one line per request in the §5.2 shape when log.requests is on', async () => {
    const logs = new LogCollector();
    const t = createTelemetry({
      service: 'parts-api',
      version: '1.2.3',
      environment: 'test',
      internalMetricsToken: 'internal-token-0123456789abcdef',
      log: { destination: logs, requests: true },
      tracing: { samplingRatio: 1, revenueSamplingRatio: 1 },
      defaultMetrics: false,
    });
    expect(t.options.internalMetricsToken).toBe('[redacted]');
    const app = Fastify();
    await t.instrumentFastify(app);
    app.post('/api/parts/quote', async () => ({ ok: true }));
    app.get('/api/down', async (_request, reply) => reply.code(502).send({}));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      await fetch(`${url}/api/parts/quote`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      await fetch(`${url}/api/down`);
      await fetch(`${url}/metrics`);
      const [completed, failed] = await eventually(() => {
        expect(logs.lines).toHaveLength(2);
        return logs.lines;
      });
      expect(completed).toMatchObject({
        level: 'INFO',
        service: 'parts-api',
        message: 'HTTP request completed',
        context: { endpoint: '/api/parts/quote', method: 'POST', status_code: 200 },
        metadata: { version: '1.2.3', environment: 'test' },
      });
      expect(completed?.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(typeof (completed?.context as { duration_ms?: unknown }).duration_ms).toBe('number');
      expect(failed).toMatchObject({ level: 'ERROR', message: 'HTTP request failed', context: { status_code: 502 } });
    } finally {
      await app.close();
      await t.shutdown();
    }
  });
});
