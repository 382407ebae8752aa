/**
 * Several services in one process, as the demo runs them: each Telemetry keeps its own
 * registries, tracer provider and logger, and a call from one to the other over HTTP is one trace.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from './index.js';
import { LogCollector, eventually, find, parseExposition, valueOf } from './testing/helpers.js';

interface Service {
  readonly t: Telemetry;
  readonly logs: LogCollector;
  readonly spans: InMemorySpanExporter;
}

const created: Telemetry[] = [];
const closers: (() => Promise<void>)[] = [];

function service(name: string, maxSeriesPerMetric = 10_000): Service {
  const logs = new LogCollector();
  const spans = new InMemorySpanExporter();
  const t = createTelemetry({
    service: name,
    version: '1.0.0',
    environment: 'demo',
    log: { destination: logs },
    tracing: { exporter: spans, samplingRatio: 1, revenueSamplingRatio: 1 },
    limits: { maxSeriesPerMetric },
  });
  created.push(t);
  return { t, logs, spans };
}

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await Promise.all(created.splice(0).map((t) => t.shutdown()));
});

describe('several Telemetry instances in one process', () => {
  it('keep metrics, limits, logs and spans apart; a call between them is one trace', async () => {
    const parts = service('parts-api');
    const payments = service('payment-processor', 1);

    // payment-processor on express
    const payApp = express();
    payApp.use(payments.t.expressMiddleware());
    payApp.use(payments.t.expressRoutes());
    payApp.post('/api/payments/charge', (_req, res) => {
      payments.t.logger.info({ company_id: 'cmp_1' }, 'charged');
      payments.t
        .counter('sms_parts_orders_completed_total')
        .inc({ vessel_id: 'vsl_1', company_id: 'cmp_1', order_type: 'standard' });
      payments.t
        .counter('sms_parts_orders_completed_total')
        .inc({ vessel_id: 'vsl_1', company_id: 'cmp_2', order_type: 'standard' });
      res.json({ ok: true });
    });
    const payServer = payApp.listen(0, '127.0.0.1');
    await once(payServer, 'listening');
    closers.push(async () => {
      payServer.closeAllConnections();
      await new Promise<void>((resolve) => payServer.close(() => resolve()));
    });
    const payUrl = `http://127.0.0.1:${(payServer.address() as AddressInfo).port}`;

    // parts-api on fastify, calling payment-processor
    const partsApp = Fastify();
    await parts.t.instrumentFastify(partsApp);
    partsApp.post('/api/parts/order', async () => {
      parts.t.logger.info({ company_id: 'cmp_1' }, 'ordering');
      parts.t
        .counter('sms_parts_orders_completed_total')
        .inc({ vessel_id: 'vsl_1', company_id: 'cmp_1', order_type: 'standard' });
      const response = await parts.t.fetch(`${payUrl}/api/payments/charge`, { method: 'POST' });
      return { paid: response.ok };
    });
    await partsApp.listen({ host: '127.0.0.1', port: 0 });
    closers.push(() => partsApp.close());
    const partsUrl = `http://127.0.0.1:${(partsApp.server.address() as AddressInfo).port}`;

    expect(await (await fetch(`${partsUrl}/api/parts/order`, { method: 'POST' })).json()).toEqual({ paid: true });

    // Metrics: each registry has its own service label and its own limits.
    await eventually(async () => {
      const p = parseExposition(await (await fetch(`${partsUrl}/metrics`)).text());
      const q = parseExposition(await (await fetch(`${payUrl}/metrics`)).text());
      expect(p.every((s) => s.labels.service === 'parts-api')).toBe(true);
      expect(q.every((s) => s.labels.service === 'payment-processor')).toBe(true);
      expect(valueOf(p, 'sms_parts_orders_completed_total', { company_id: 'cmp_1' })).toBe(1);
      expect(find(q, 'sms_parts_orders_completed_total')).toHaveLength(1);
      expect(
        valueOf(q, 'watchkeeper_sdk_dropped_samples_total', {
          metric: 'sms_parts_orders_completed_total',
          reason: 'series_limit',
        }),
      ).toBe(1);
      expect(valueOf(p, 'http_requests_total', { endpoint: '/api/parts/order', status: '200' })).toBe(1);
      expect(valueOf(q, 'http_requests_total', { endpoint: '/api/payments/charge', status: '200' })).toBe(1);
      expect(find(p, 'http_requests_total', { endpoint: '/api/payments/charge' })).toEqual([]);
      // Both expose prom-client's runtime metrics, each once.
      expect(find(p, 'process_cpu_user_seconds_total')).toHaveLength(1);
      expect(find(q, 'process_cpu_user_seconds_total')).toHaveLength(1);
    });

    // Logs: each logger writes its own service.
    expect(parts.logs.lines.map((l) => [l.service, l.message])).toEqual([['parts-api', 'ordering']]);
    expect(payments.logs.lines.filter((l) => l.level === 'INFO').map((l) => [l.service, l.message])).toEqual([
      ['payment-processor', 'charged'],
    ]);

    // Spans: each provider exports its own, with its own resource; one trace across both.
    const [partsSpans, paySpans] = await eventually(async () => {
      await parts.t.flush();
      await payments.t.flush();
      const a = parts.spans.getFinishedSpans();
      const b = payments.spans.getFinishedSpans();
      expect(a.map((s) => s.name).sort()).toEqual(['HTTP POST', 'HTTP POST /api/parts/order']);
      expect(b.map((s) => s.name)).toEqual(['HTTP POST /api/payments/charge']);
      return [a, b] as const;
    });
    expect(partsSpans.every((s) => s.resource.attributes['service.name'] === 'parts-api')).toBe(true);
    expect(paySpans[0]?.resource.attributes['service.name']).toBe('payment-processor');
    const client = partsSpans.find((s) => s.name === 'HTTP POST')!;
    const server = partsSpans.find((s) => s.name === 'HTTP POST /api/parts/order')!;
    const remote = paySpans[0]!;
    expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(remote.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(remote.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
    expect(payments.logs.withMessage('charged')[0]?.trace_id).toBe(server.spanContext().traceId);
  });
});

describe('shutdown', () => {
  it('is idempotent, and recording afterwards never throws', async () => {
    const { t } = service('auth');
    const first = t.shutdown();
    expect(t.shutdown()).toBe(first);
    await first;
    expect(() => {
      t.counter('sms_login_failures_total').inc({ reason: 'bad_password' });
      t.logger.info('after');
      t.span('Auth.validateToken', () => undefined);
    }).not.toThrow();
    expect(await t.metrics()).toContain('sms_login_failures_total');
  });
});
