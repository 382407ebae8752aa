import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, TelemetryOptionsError, type Telemetry, type TelemetryOptions } from '../index.js';
import { LogCollector, find, parseExposition, valueOf } from '../testing/helpers.js';

const created: Telemetry[] = [];

function telemetry(overrides: Partial<TelemetryOptions> = {}): { t: Telemetry; logs: LogCollector } {
  const logs = new LogCollector();
  const t = createTelemetry({
    service: 'parts-api',
    version: '1.2.3',
    environment: 'test',
    log: { destination: logs },
    defaultMetrics: false,
    ...overrides,
  });
  created.push(t);
  return { t, logs };
}

afterEach(async () => {
  await Promise.all(created.splice(0).map((t) => t.shutdown()));
});

async function samples(t: Telemetry) {
  return parseExposition(await t.metrics());
}

describe('catalog metrics', () => {
  it('records counters, gauges and histograms with the catalog labels and the required labels', async () => {
    const { t } = telemetry();
    const quote = { vessel_id: 'vsl_1', company_id: 'cmp_1', urgency: 'routine' };
    t.counter('sms_parts_quotes_requested_total').inc(quote);
    t.counter('sms_parts_quotes_requested_total').inc(quote, 2);
    const mrr = t.gauge('sms_mrr_dollars');
    mrr.set({ tier: 'enterprise', company_id: 'cmp_1' }, 499);
    mrr.inc({ tier: 'enterprise', company_id: 'cmp_1' }, 10);
    mrr.dec({ tier: 'enterprise', company_id: 'cmp_1' });
    mrr.set({ tier: 'basic', company_id: 'cmp_2' }, 99);
    mrr.remove({ tier: 'basic', company_id: 'cmp_2' });
    t.histogram('sms_parts_order_value_dollars').observe({ vessel_id: 'vsl_1', company_id: 'cmp_1' }, 1_200);

    const s = await samples(t);
    const required = { environment: 'test', service: 'parts-api', version: '1.2.3' };
    expect(valueOf(s, 'sms_parts_quotes_requested_total', { ...quote, ...required })).toBe(3);
    expect(valueOf(s, 'sms_mrr_dollars', { tier: 'enterprise', company_id: 'cmp_1' })).toBe(508);
    expect(find(s, 'sms_mrr_dollars', { company_id: 'cmp_2' })).toEqual([]);
    expect(valueOf(s, 'sms_parts_order_value_dollars_bucket', { le: '1000' })).toBe(0);
    expect(valueOf(s, 'sms_parts_order_value_dollars_bucket', { le: '2500' })).toBe(1);
    for (const sample of s) expect(sample.labels).toMatchObject(required);
  });

  it('puts the required labels on prom-client runtime metrics too', async () => {
    const { t } = telemetry({ defaultMetrics: true });
    const runtime = (await samples(t)).filter((s) => s.name.startsWith('process_') || s.name.startsWith('nodejs_'));
    expect(runtime.length).toBeGreaterThan(10);
    for (const sample of runtime) expect(sample.labels).toMatchObject({ environment: 'test', service: 'parts-api' });
  });

  it('returns the same handle for the same metric', () => {
    const { t } = telemetry();
    expect(t.counter('errors_total')).toBe(t.counter('errors_total'));
  });

  it('refuses names that are not catalog metrics of the asked type, at definition time', () => {
    const { t } = telemetry();
    const asGauge = t.gauge.bind(t) as (name: string) => unknown;
    expect(() => asGauge('http_requests_total')).toThrow(TelemetryOptionsError);
    expect(() => asGauge('no_such_metric')).toThrow(/not in the catalog/);
    expect(() => asGauge('up')).toThrow(/scrape gauge/);
    expect(() => asGauge('watchkeeper_sdk_metric_series')).toThrow(/sdk gauge/);
  });

  it('times with the injected clock', async () => {
    let nowMs = 1_000;
    const { t } = telemetry({ now: () => nowMs });
    const end = t.histogram('db_query_duration_seconds').startTimer({ query_type: 'select' });
    nowMs += 250;
    expect(end({ table: 'quotes' })).toBe(0.25);
    const s = await samples(t);
    expect(valueOf(s, 'db_query_duration_seconds_sum', { query_type: 'select', table: 'quotes' })).toBe(0.25);
  });

  it('runs gauge collect callbacks at scrape time, sync or async, and survives a throwing one', async () => {
    const { t, logs } = telemetry();
    let used = 3;
    t.gauge('db_connection_pool_used', { collect: (g) => g.set({ pool_name: 'main' }, used) });
    t.gauge('db_connection_pool_size', {
      collect: async (g) => {
        await Promise.resolve();
        g.set({ pool_name: 'main' }, 10);
      },
    });
    t.gauge('sms_user_active', {
      collect: () => {
        throw new Error('collector broke for bob@example.com');
      },
    });
    let s = await samples(t);
    expect(valueOf(s, 'db_connection_pool_used', { pool_name: 'main' })).toBe(3);
    expect(valueOf(s, 'db_connection_pool_size', { pool_name: 'main' })).toBe(10);
    used = 7;
    s = await samples(t);
    expect(valueOf(s, 'db_connection_pool_used', { pool_name: 'main' })).toBe(7);
    expect(
      valueOf(s, 'watchkeeper_sdk_dropped_samples_total', { metric: 'sms_user_active', reason: 'collect_error' }),
    ).toBe(2);
    const [warning] = logs.lines.filter((l) => l.level === 'WARN');
    expect(warning).toMatchObject({
      context: { metric: 'sms_user_active', reason: 'collect_error', error: 'collector broke for [email]' },
    });
  });

  it('refuses a second, different collect callback for a gauge', () => {
    const { t } = telemetry();
    const collect = (): void => undefined;
    t.gauge('db_connection_pool_used', { collect });
    expect(() => t.gauge('db_connection_pool_used', { collect })).not.toThrow();
    expect(() => t.gauge('db_connection_pool_used', { collect: () => undefined })).toThrow(/already has a collect/);
  });

  it('reports series per metric', async () => {
    const { t } = telemetry();
    const mrr = t.gauge('sms_mrr_dollars');
    for (let i = 0; i < 5; i++) mrr.set({ tier: 'basic', company_id: `cmp_${i}` }, 1);
    mrr.remove({ tier: 'basic', company_id: 'cmp_0' });
    t.counter('_sms_parts_markup_realized_dollars').inc({ parts_category: 'engine' });
    const s = await samples(t);
    expect(valueOf(s, 'watchkeeper_sdk_metric_series', { metric: 'sms_mrr_dollars' })).toBe(4);
    expect(valueOf(s, 'watchkeeper_sdk_metric_series', { metric: '(restricted)' })).toBe(1);
  });
});

describe('defined metrics', () => {
  it('records a metric outside the catalog under the same policy', async () => {
    const { t } = telemetry();
    const exports = t.define({
      name: 'sms_data_exports_total',
      type: 'counter',
      help: 'Bulk exports.',
      labels: ['format'],
    });
    exports.inc({ format: 'csv' });
    const sizes = t.define({
      name: 'sms_export_size_bytes',
      type: 'histogram',
      help: 'Export sizes.',
      labels: ['format'],
      buckets: [1_000, 1_000_000],
    });
    sizes.observe({ format: 'csv' }, 5_000);
    const queue = t.define(
      { name: 'sms_queue_depth', type: 'gauge', help: 'Queue depth.', labels: [] },
      { collect: (g) => g.set({}, 4) },
    );
    const s = await samples(t);
    expect(valueOf(s, 'sms_data_exports_total', { format: 'csv', service: 'parts-api' })).toBe(1);
    expect(valueOf(s, 'sms_export_size_bytes_bucket', { format: 'csv', le: '1000000' })).toBe(1);
    expect(valueOf(s, 'sms_queue_depth')).toBe(4);
    expect(queue.name).toBe('sms_queue_depth');
  });

  it('returns the first handle for an identical definition and refuses a different one', () => {
    const { t } = telemetry();
    const def = { name: 'sms_x_total', type: 'counter', help: 'X.', labels: ['a'] } as const;
    expect(t.define(def)).toBe(t.define({ ...def }));
    expect(() => t.define({ ...def, labels: ['b'] })).toThrow(/already defined differently/);
  });

  it('rejects PII labels naming the metric and the label', () => {
    const { t } = telemetry();
    for (const label of ['user_id', 'email', 'ip_address'] as const) {
      const define = t.define.bind(t) as (definition: unknown) => unknown;
      let caught: unknown;
      try {
        define({ name: 'sms_logins_total', type: 'counter', help: 'Logins.', labels: ['role', label] });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TelemetryOptionsError);
      expect(caught).toMatchObject({ code: 'WK_SDK_INVALID_METRIC', path: `sms_logins_total.labels.${label}` });
      expect((caught as Error).message).toMatch(new RegExp(`sms_logins_total.*${label}`));
    }
  });
});
