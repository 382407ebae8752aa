import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, JOURNEYS, type Telemetry, type TelemetryOptions } from '../index.js';
import { LogCollector, eventually } from '../testing/helpers.js';

const created: Telemetry[] = [];
const servers: Server[] = [];

function telemetry(overrides: Partial<TelemetryOptions> = {}): { t: Telemetry; spans: InMemorySpanExporter } {
  const spans = new InMemorySpanExporter();
  const t = createTelemetry({
    service: 'parts-api',
    version: '1.2.3',
    environment: 'test',
    log: { destination: new LogCollector() },
    tracing: { exporter: spans, samplingRatio: 1, revenueSamplingRatio: 1 },
    defaultMetrics: false,
    ...overrides,
  });
  created.push(t);
  return { t, spans };
}

async function listen(handler: (req: IncomingMessage, body: Buffer) => void): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handler(req, Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await Promise.all(created.splice(0).map((t) => t.shutdown()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

describe('t.span', () => {
  it('returns sync and async results and nests child spans', async () => {
    const { t, spans } = telemetry();
    const result = await t.span(JOURNEYS.partsOrdering.spans.partsGetSupplierQuotes, async () => {
      const inner = t.span(JOURNEYS.partsOrdering.spans.markupCalculatePrice, (span) => span.spanContext().spanId, {
        currency: 'USD',
      });
      await new Promise((resolve) => setTimeout(resolve, 1));
      return inner;
    });
    await t.flush();
    const [markup, parts] = spans.getFinishedSpans();
    expect(parts?.name).toBe('PartsService.getSupplierQuotes');
    expect(markup?.name).toBe('MarkupService.calculatePrice');
    expect(markup?.spanContext().spanId).toBe(result);
    expect(markup?.parentSpanContext?.spanId).toBe(parts?.spanContext().spanId);
    expect(markup?.attributes).toEqual({ currency: 'USD' });
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('records exceptions, masked, sets ERROR and rethrows — sync and async', async () => {
    const { t, spans } = telemetry();
    const syncError = new Error('declined for bob@example.com');
    expect(() =>
      t.span('payment.charge', () => {
        throw syncError;
      }),
    ).toThrow(syncError);
    const asyncError = new Error('timeout talking to 10.0.0.9');
    await expect(t.span('payment.capture', async () => Promise.reject(asyncError))).rejects.toBe(asyncError);
    await t.flush();
    const [charge, capture] = spans.getFinishedSpans();
    expect(charge?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'declined for [email]' });
    expect(charge?.events[0]?.attributes?.['exception.message']).toBe('declined for [email]');
    expect(String(charge?.events[0]?.attributes?.['exception.stacktrace'])).not.toContain('bob@example.com');
    expect(capture?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'timeout talking to [ip]' });
  });

  it('masks string attributes', async () => {
    const { t, spans } = telemetry();
    t.span('Webhook.notifyUser', () => undefined, { to: 'bob@example.com', ids: ['10.0.0.1', 'x'], count: 2 });
    await t.flush();
    expect(spans.getFinishedSpans()[0]?.attributes).toEqual({ to: '[email]', ids: ['[ip]', 'x'], count: 2 });
  });
});

describe('propagation', () => {
  it('t.fetch starts a client span and sends its traceparent', async () => {
    const { t, spans } = telemetry();
    let traceparent: string | undefined;
    const url = await listen((req) => {
      traceparent = req.headers.traceparent as string | undefined;
    });
    const response = await t.span('parts.order', () =>
      t.fetch(`${url}/api/payments/charge?card=4111111111111111`, { method: 'post' }),
    );
    expect(response.status).toBe(200);
    await t.flush();
    const client = spans.getFinishedSpans().find((s) => s.name === 'HTTP POST')!;
    expect(traceparent).toBe(`00-${client.spanContext().traceId}-${client.spanContext().spanId}-01`);
    expect(client.attributes['url.full']).toBe(`${url}/api/payments/charge`);
    expect(client.attributes['http.response.status_code']).toBe(200);
    expect(client.kind).toBe(2);
  });

  it('t.fetch records network errors and rethrows them', async () => {
    const { t, spans } = telemetry();
    await expect(t.fetch('http://127.0.0.1:1/nothing-listens')).rejects.toThrow();
    await t.flush();
    expect(spans.getFinishedSpans()[0]?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('injectTraceHeaders adds the active span, and nothing outside spans', () => {
    const { t } = telemetry();
    expect(t.injectTraceHeaders()).toEqual({});
    const [headers, spanId] = t.span('Cache.invalidate', (span) => [
      t.injectTraceHeaders({ accept: 'x' }),
      span.spanContext().spanId,
    ]);
    expect(headers.accept).toBe('x');
    expect(headers.traceparent).toMatch(new RegExp(`^00-[0-9a-f]{32}-${spanId}-01$`));
  });
});

describe('OTLP/HTTP export', () => {
  it('exports spans to the configured endpoint, with the service resource', async () => {
    const bodies: { path: string | undefined; type: string | undefined; body: Buffer }[] = [];
    const url = await listen((req, body) => bodies.push({ path: req.url, type: req.headers['content-type'], body }));
    const t = createTelemetry({
      service: 'payment-processor',
      version: '2.0.0',
      environment: 'test',
      log: { destination: new LogCollector() },
      tracing: { otlpEndpoint: `${url}/v1/traces`, samplingRatio: 1, revenueSamplingRatio: 1 },
      defaultMetrics: false,
    });
    created.push(t);
    t.span('PaymentService.charge', () => undefined);
    await t.flush();
    await eventually(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]?.path).toBe('/v1/traces');
    const text = bodies[0]!.body.toString('utf8');
    expect(text).toContain('PaymentService.charge');
    expect(text).toContain('payment-processor');
  });
});
