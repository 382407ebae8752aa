import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry, type TelemetryOptions } from '../index.js';
import { LogCollector } from '../testing/helpers.js';

const created: Telemetry[] = [];
const T0 = Date.parse('2025-01-05T10:30:45.123Z');

function telemetry(
  overrides: Partial<Omit<TelemetryOptions, 'log'>> = {},
  log: TelemetryOptions['log'] = {},
): { t: Telemetry; logs: LogCollector } {
  const logs = new LogCollector();
  const t = createTelemetry({
    service: 'parts-api',
    version: '1.2.3',
    environment: 'production',
    region: 'us-east-1',
    pod: 'parts-api-7d9f8b-x2np4',
    log: { destination: logs, ...log },
    tracing: { samplingRatio: 1, revenueSamplingRatio: 1 },
    now: () => T0,
    defaultMetrics: false,
    ...overrides,
  });
  created.push(t);
  return { t, logs };
}

afterEach(async () => {
  await Promise.all(created.splice(0).map((t) => t.shutdown()));
});

describe('logs (plan §5.2)', () => {
  it('writes the schema: timestamp, level, service, ids, message, context, metadata', () => {
    const { t, logs } = telemetry();
    t.logger.info(
      {
        user_id: 'usr_123',
        company_id: 'cmp_456',
        vessel_id: 'vsl_789',
        context: { endpoint: '/api/parts/quote', method: 'POST', duration_ms: 245, status_code: 200 },
      },
      'Parts quote requested',
    );
    expect(logs.lines).toEqual([
      {
        timestamp: '2025-01-05T10:30:45.123Z',
        level: 'INFO',
        service: 'parts-api',
        user_id: 'usr_123',
        company_id: 'cmp_456',
        vessel_id: 'vsl_789',
        message: 'Parts quote requested',
        context: { endpoint: '/api/parts/quote', method: 'POST', duration_ms: 245, status_code: 200 },
        metadata: { version: '1.2.3', environment: 'production', region: 'us-east-1', pod: 'parts-api-7d9f8b-x2np4' },
      },
    ]);
  });

  it('writes upper-case levels and honours the configured level', () => {
    const { t, logs } = telemetry({}, { level: 'warn' });
    const { t: verbose, logs: verboseLogs } = telemetry({}, { level: 'debug' });
    for (const logger of [t.logger, verbose.logger]) {
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
    }
    expect(logs.lines.map((l) => l.level)).toEqual(['WARN', 'ERROR']);
    expect(verboseLogs.lines.map((l) => l.level)).toEqual(['DEBUG', 'INFO', 'WARN', 'ERROR']);
  });

  it('moves other fields under context, merged with a given context', () => {
    const { t, logs } = telemetry();
    t.logger.info({ order_id: 'ord_1', context: { step: 'pay' } }, 'order paid');
    t.logger.info({ attempt: 2 }, 'retry');
    expect(logs.lines[0]).toMatchObject({ context: { step: 'pay', order_id: 'ord_1' } });
    expect(logs.lines[0]).not.toHaveProperty('order_id');
    expect(logs.lines[1]).toMatchObject({ context: { attempt: 2 } });
  });

  it('carries trace_id and span_id of the active span, and none outside spans', async () => {
    const { t, logs } = telemetry();
    t.logger.info('outside');
    const ids = await t.span('PartsService.getSupplierQuotes', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      t.logger.info('inside');
      return span.spanContext();
    });
    const [outside, inside] = logs.lines;
    expect(outside).not.toHaveProperty('trace_id');
    expect(inside).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId });
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('has trace ids even for spans the sampler drops', () => {
    const { t, logs } = telemetry({ tracing: { samplingRatio: 0, revenueSamplingRatio: 0 } });
    t.span('Cache.invalidate', () => t.logger.info('unsampled'));
    expect(logs.lines[0]?.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('masks personal data in messages, interpolations, fields, child bindings and errors', () => {
    const { t, logs } = telemetry();
    t.logger.info('login of %s from %s', 'bob@example.com', '10.1.2.3');
    t.logger.info(
      { context: { note: 'card 4111 1111 1111 1111', phone: '+44 20 7946 0958' }, password: 'hunter2' },
      'payment',
    );
    t.logger.child({ client: '192.168.1.1' }).child({ contact: 'dave@example.com' }).warn('child');
    t.logger.error(new Error('failed for carol@example.com'), 'charge failed');
    const [login, payment, child, failure] = logs.lines;
    expect(login?.message).toBe('login of [email] from [ip]');
    expect(payment).toMatchObject({ context: { note: 'card [card]', phone: '[redacted]', password: '[redacted]' } });
    expect(child).toMatchObject({ client: '[ip]', contact: '[email]', message: 'child' });
    expect(failure).toMatchObject({ message: 'charge failed', err: { message: 'failed for [email]', type: 'Error' } });
    expect(JSON.stringify(logs.lines)).not.toMatch(/bob@|carol@|dave@|10\.1\.2\.3|192\.168|4111 1111|hunter2/);
  });

  it('writes to a file and flushes it on shutdown; logging afterwards does not throw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-sdk-log-'));
    try {
      const file = join(dir, 'nested', 'parts-api.log');
      const t = createTelemetry({
        service: 'parts-api',
        version: '1',
        environment: 'test',
        log: { destination: file },
        defaultMetrics: false,
      });
      for (let i = 0; i < 100; i++) t.logger.info({ i }, 'line');
      await t.shutdown();
      await t.shutdown();
      expect(() => t.logger.info('after shutdown')).not.toThrow();
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(100);
      expect(JSON.parse(lines[99]!)).toMatchObject({ service: 'parts-api', message: 'line', context: { i: 99 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a bad clock from breaking logging', () => {
    const { t, logs } = telemetry({
      now: () => {
        throw new Error('clock broke');
      },
    });
    expect(() => t.logger.info('still logs')).not.toThrow();
    expect(logs.lines[0]?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
