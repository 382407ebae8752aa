/**
 * The contract every framework adapter passes (fastify.test.ts, express.test.ts run it): a real
 * server on 127.0.0.1:0 with the same routes in each framework, real HTTP requests with fetch,
 * and the metrics, spans and logs they must produce.
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '../index.js';
import { LogCollector, eventually, find, parseExposition, valueOf, type Sample } from '../testing/helpers.js';

export const TOKEN = 'internal-token-0123456789abcdef';

export interface ContractServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A framework's version of the contract's application. Routes (all answer JSON unless noted):
 * - `GET /api/vessels/:vesselId` → `{ vesselId, traceId }` (traceId of the active span); logs
 *   `vessel fetched` with `vessel_id` inside the handler
 * - `POST /api/parts/quote` (JSON body) → `{ bytes }`; runs a child span `PartsService.getSupplierQuotes`
 * - `GET /api/companies/:companyId/vessels/:vesselId`, the inner route of a router/plugin
 *   mounted at `/api/companies/:companyId` → `{ companyId, vesselId }`
 * - `GET /api/boom` throws `Error('boom for bob@example.com')` (→ 500)
 * - `GET /api/bad-input` throws an error with status 400
 * - `GET /api/unavailable` → 503
 * - `GET /api/stream` → three streamed chunks of 1000 bytes (no Content-Length)
 */
export interface ContractApp {
  readonly name: string;
  start(t: Telemetry): Promise<ContractServer>;
}

interface Fixture {
  t: Telemetry;
  server: ContractServer;
  logs: LogCollector;
  spans: InMemorySpanExporter;
}

function makeTelemetry(logs: LogCollector, spans: InMemorySpanExporter, token: string | null = TOKEN): Telemetry {
  return createTelemetry({
    service: 'parts-api',
    version: '1.2.3',
    environment: 'test',
    ...(token === null ? {} : { internalMetricsToken: token }),
    log: { destination: logs },
    tracing: { exporter: spans, samplingRatio: 1, revenueSamplingRatio: 1 },
    defaultMetrics: false,
  });
}

async function scrape(f: Fixture): Promise<Sample[]> {
  const response = await fetch(`${f.server.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return parseExposition(await response.text());
}

async function finishedSpans(f: Fixture): Promise<ReadableSpan[]> {
  await f.t.flush();
  return f.spans.getFinishedSpans();
}

export function runHttpContract(app: ContractApp): void {
  describe(`${app.name} instrumentation (HTTP contract)`, () => {
    let f: Fixture;

    beforeEach(async () => {
      const logs = new LogCollector();
      const spans = new InMemorySpanExporter();
      const t = makeTelemetry(logs, spans);
      f = { t, logs, spans, server: await app.start(t) };
    });

    afterEach(async () => {
      await f.server.close();
      await f.t.shutdown();
    });

    it('labels http metrics with the route template, never the raw URL', async () => {
      for (const id of ['vsl_1', 'vsl_2', 'vsl_3']) {
        expect((await fetch(`${f.server.url}/api/vessels/${id}`)).status).toBe(200);
      }
      await fetch(`${f.server.url}/api/companies/cmp_9/vessels/vsl_7`);
      await eventually(async () => {
        const samples = await scrape(f);
        const labels = { method: 'GET', endpoint: '/api/vessels/:vesselId', status: '200' };
        expect(valueOf(samples, 'http_requests_total', labels)).toBe(3);
        expect(valueOf(samples, 'http_request_duration_seconds_count', labels)).toBe(3);
        expect(valueOf(samples, 'http_request_duration_seconds_bucket', { ...labels, le: '5' })).toBe(3);
        expect(
          valueOf(samples, 'http_requests_total', {
            endpoint: '/api/companies/:companyId/vessels/:vesselId',
            status: '200',
          }),
        ).toBe(1);
        const everyLabelValue = samples.flatMap((s) => Object.values(s.labels));
        expect(everyLabelValue.filter((v) => /vsl_|cmp_9/.test(v))).toEqual([]);
      });
    });

    it('uses the catalog buckets and the required labels', async () => {
      await fetch(`${f.server.url}/api/vessels/vsl_1`);
      await eventually(async () => {
        const samples = await scrape(f);
        const buckets = find(samples, 'http_request_duration_seconds_bucket', { endpoint: '/api/vessels/:vesselId' });
        expect(buckets.map((s) => s.labels.le)).toEqual(['0.01', '0.05', '0.1', '0.5', '1', '5', '+Inf']);
        for (const s of find(samples, 'http_requests_total')) {
          expect(s.labels).toMatchObject({ environment: 'test', service: 'parts-api', version: '1.2.3' });
        }
      });
    });

    it('labels requests no route matched "unmatched"', async () => {
      const response = await fetch(`${f.server.url}/no/such/path-secret-123?q=bob@example.com`);
      expect(response.status).toBe(404);
      await eventually(async () => {
        const samples = await scrape(f);
        expect(valueOf(samples, 'http_requests_total', { method: 'GET', endpoint: 'unmatched', status: '404' })).toBe(
          1,
        );
      });
      const text = await f.t.metrics();
      expect(text).not.toContain('path-secret');
      const span = (await finishedSpans(f)).find((s) => s.name === 'HTTP GET unmatched');
      expect(span).toBeDefined();
    });

    it('does not instrument its own endpoints', async () => {
      for (const path of ['/metrics', '/healthz', '/readyz', '/internal/metrics'])
        await fetch(`${f.server.url}${path}`);
      const samples = await scrape(f);
      expect(find(samples, 'http_requests_total')).toEqual([]);
      expect(await finishedSpans(f)).toEqual([]);
    });

    it('counts thrown errors and 5xx responses in errors_total', async () => {
      expect((await fetch(`${f.server.url}/api/boom`)).status).toBe(500);
      expect((await fetch(`${f.server.url}/api/unavailable`)).status).toBe(503);
      expect((await fetch(`${f.server.url}/api/bad-input`)).status).toBe(400);
      await eventually(async () => {
        const samples = await scrape(f);
        expect(valueOf(samples, 'errors_total', { type: 'unhandled_exception' })).toBe(1);
        expect(valueOf(samples, 'errors_total', { type: 'http_5xx' })).toBe(2);
        expect(valueOf(samples, 'errors_total', { type: 'rejected_input' })).toBe(1);
        expect(valueOf(samples, 'http_requests_total', { endpoint: '/api/boom', status: '500' })).toBe(1);
        expect(valueOf(samples, 'http_requests_total', { endpoint: '/api/unavailable', status: '503' })).toBe(1);
      });
      const boom = (await finishedSpans(f)).find((s) => s.name === 'HTTP GET /api/boom');
      expect(boom?.status.code).toBe(2);
      const exception = boom?.events.find((e) => e.name === 'exception');
      expect(exception?.attributes?.['exception.message']).toBe('boom for [email]');
    });

    it('measures request and response body sizes, streamed bodies included', async () => {
      const body = JSON.stringify({ part: 'x'.repeat(1000) });
      await fetch(`${f.server.url}/api/parts/quote`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const streamed = await fetch(`${f.server.url}/api/stream`);
      expect((await streamed.text()).length).toBe(3000);
      await eventually(async () => {
        const samples = await scrape(f);
        const quote = { method: 'POST', endpoint: '/api/parts/quote' };
        expect(valueOf(samples, 'http_request_size_bytes_sum', quote)).toBe(Buffer.byteLength(body));
        expect(valueOf(samples, 'http_response_size_bytes_count', quote)).toBe(1);
        expect(valueOf(samples, 'http_response_size_bytes_sum', { method: 'GET', endpoint: '/api/stream' })).toBe(3000);
      });
    });

    it('continues the caller trace and makes the server span active in handlers', async () => {
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const parentId = 'b7ad6b7169203331';
      const response = await fetch(`${f.server.url}/api/vessels/vsl_1`, {
        headers: { traceparent: `00-${traceId}-${parentId}-01` },
      });
      const payload = (await response.json()) as { traceId: string };
      expect(payload.traceId).toBe(traceId);
      const server = await eventually(async () => {
        const found = (await finishedSpans(f)).find((s) => s.name === 'HTTP GET /api/vessels/:vesselId');
        expect(found).toBeDefined();
        return found!;
      });
      expect(server.spanContext().traceId).toBe(traceId);
      expect(server.parentSpanContext?.spanId).toBe(parentId);
      expect(server.attributes['http.route']).toBe('/api/vessels/:vesselId');
      expect(server.attributes['http.response.status_code']).toBe(200);
      expect(server.resource.attributes['service.name']).toBe('parts-api');

      const [log] = f.logs.withMessage('vessel fetched');
      expect(log).toMatchObject({ trace_id: traceId, span_id: server.spanContext().spanId, vessel_id: 'vsl_1' });
    });

    it('nests spans started in handlers under the server span and marks journeys', async () => {
      await fetch(`${f.server.url}/api/parts/quote`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const spans = await eventually(async () => {
        const all = await finishedSpans(f);
        expect(all.map((s) => s.name).sort()).toEqual(['HTTP POST /api/parts/quote', 'PartsService.getSupplierQuotes']);
        return all;
      });
      const server = spans.find((s) => s.name === 'HTTP POST /api/parts/quote')!;
      const child = spans.find((s) => s.name === 'PartsService.getSupplierQuotes')!;
      expect(child.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
      expect(child.spanContext().traceId).toBe(server.spanContext().traceId);
      expect(server.attributes['sms.journey']).toBe('parts_ordering_flow');
      expect(server.attributes['sms.journey.sla_ms']).toBe(3000);
    });

    it('serves restricted series only with the bearer token', async () => {
      f.t.counter('_sms_parts_markup_realized_dollars').inc({ parts_category: 'engine' }, 123.4);
      const url = `${f.server.url}/internal/metrics`;
      const anonymous = await fetch(url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
      expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789abcdef' } })).status).toBe(
        401,
      );
      expect((await fetch(url, { headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
      const authorized = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(authorized.status).toBe(200);
      const restricted = parseExposition(await authorized.text());
      expect(valueOf(restricted, '_sms_parts_markup_realized_dollars', { parts_category: 'engine' })).toBe(123.4);
      expect(await (await fetch(`${f.server.url}/metrics`)).text()).not.toContain('_sms_');
    });

    it('answers 404 on /internal/metrics when no token is configured', async () => {
      const logs = new LogCollector();
      const t = makeTelemetry(logs, new InMemorySpanExporter(), null);
      const server = await app.start(t);
      try {
        t.counter('_sms_parts_markup_realized_dollars').inc({ parts_category: 'engine' });
        expect(
          (await fetch(`${server.url}/internal/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
        ).toBe(404);
      } finally {
        await server.close();
        await t.shutdown();
      }
    });

    it('answers /healthz and /readyz from the readiness checks', async () => {
      expect((await fetch(`${f.server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${f.server.url}/readyz`)).status).toBe(200);
      let dbUp = false;
      f.t.addReadinessCheck('db', () => dbUp);
      f.t.addReadinessCheck('cache', async () => true);
      const down = await fetch(`${f.server.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({
        status: 'not_ready',
        failing: ['db'],
        checks: { cache: { ok: true } },
      });
      dbUp = true;
      expect((await fetch(`${f.server.url}/readyz`)).status).toBe(200);
      await f.t.shutdown();
      expect((await fetch(`${f.server.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${f.server.url}/healthz`)).status).toBe(200);
    });
  });
}
