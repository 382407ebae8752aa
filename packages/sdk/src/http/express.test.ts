import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '../index.js';
import { LogCollector, eventually, find, parseExposition } from '../testing/helpers.js';
import { runHttpContract, type ContractServer } from './http-contract.js';

async function startExpress(t: Telemetry): Promise<ContractServer> {
  const app = express();
  // Keeps express's final handler from printing the contract's deliberate errors.
  app.set('env', 'test');
  app.use(t.expressMiddleware());
  app.use(t.expressRoutes());
  app.use(express.json());
  app.get('/api/vessels/:vesselId', (req, res) => {
    t.logger.info({ vessel_id: req.params.vesselId }, 'vessel fetched');
    res.json({ vesselId: req.params.vesselId, traceId: trace.getActiveSpan()?.spanContext().traceId });
  });
  app.post('/api/parts/quote', async (req, res) => {
    const bytes = await t.span('PartsService.getSupplierQuotes', async () => JSON.stringify(req.body).length);
    res.json({ bytes });
  });
  const companies = express.Router({ mergeParams: true });
  companies.get('/vessels/:vesselId', (req, res) => {
    const params = req.params as { companyId: string; vesselId: string };
    res.json({ companyId: params.companyId, vesselId: params.vesselId });
  });
  app.use('/api/companies/:companyId', companies);
  app.get('/api/boom', () => {
    throw new Error('boom for bob@example.com');
  });
  app.get('/api/bad-input', () => {
    throw Object.assign(new Error('bad input'), { status: 400 });
  });
  app.get('/api/unavailable', (_req, res) => {
    res.status(503).json({ error: 'unavailable' });
  });
  app.get('/api/stream', (_req, res) => {
    res.type('text/plain');
    res.write('a'.repeat(1000));
    res.write(Buffer.from('b'.repeat(1000)));
    res.end('c'.repeat(1000));
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

runHttpContract({ name: 'express', start: startExpress });

describe('express route templates', () => {
  it('builds templates through nested and overlapping mounts, never from matched values', async () => {
    const t = createTelemetry({
      service: 'vessels',
      version: '1.0.0',
      environment: 'test',
      log: { destination: new LogCollector() },
      defaultMetrics: false,
    });
    const app = express();
    app.set('env', 'test');
    app.use(t.expressMiddleware());
    app.use(t.expressRoutes());
    // A router that matches /api/v1 but has no route for the request: the request moves on.
    const versioned = express.Router();
    versioned.get('/other', (_req, res) => res.json({}));
    app.use('/api/:version', versioned);
    const things = express.Router();
    things.get('/things/:thingId', (_req, res) => res.json({}));
    app.use('/api/v1', things);
    const companies = express.Router({ mergeParams: true });
    const vessels = express.Router({ mergeParams: true });
    // Middleware inside mounted routers leaves the templates alone.
    companies.use(express.json());
    vessels.use((_req, _res, next) => next());
    vessels.get('/equipment/:equipmentId', (_req, res) => res.json({}));
    vessels.get('/', (_req, res) => res.json({}));
    companies.use('/vessels/:vesselId', vessels);
    app.use('/api/companies/:companyId', companies);
    app.get(['/a', '/b'], (_req, res) => res.json({}));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of [
        '/api/v1/things/t_1',
        '/api/companies/cmp_1/vessels/vsl_2/equipment/eq_3',
        '/api/companies/cmp_1/vessels/vsl_2',
        '/api/v2/other',
        '/b',
      ]) {
        expect((await fetch(url + path)).status, path).toBe(200);
      }
      await eventually(async () => {
        const endpoints = find(parseExposition(await t.metrics()), 'http_requests_total').map((s) => s.labels.endpoint);
        expect(endpoints.sort()).toEqual([
          '/api/:version/other',
          '/api/companies/:companyId/vessels/:vesselId',
          '/api/companies/:companyId/vessels/:vesselId/equipment/:equipmentId',
          '/api/v1/things/:thingId',
          '/b',
        ]);
      });
    } finally {
      server.closeAllConnections();
      server.close();
      await t.shutdown();
    }
  });
});
