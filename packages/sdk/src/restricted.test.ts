/**
 * Issue 4: "no `_sms_` series can reach the public endpoint whatever the service does". The
 * service below tries every way we could think of — catalog restricted metrics, its own `_sms_`
 * metrics, restricted label values on public metrics, capitalised prefixes, metrics registered
 * straight into the public prom-client registry (well-formed and forged), collect callbacks, the
 * global prom-client registry, drops of restricted samples — and the public `/metrics` of a real
 * server must not mention `_sms_` at all, while `/internal/metrics` has the restricted series.
 */
import type { AddressInfo } from 'node:net';
import { CATALOG, type CatalogMetric } from '@watchkeeper/model';
import Fastify, { type FastifyInstance } from 'fastify';
import { Counter, Gauge, register as globalRegistry, type Metric } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from './index.js';
import { LogCollector, find, parseExposition, valueOf } from './testing/helpers.js';

const TOKEN = 'internal-token-0123456789abcdef';

/** A value for each label of a catalog metric; restricted metrics get `_sms_`-looking values too. */
function labelsFor(metric: CatalogMetric): Record<string, string> {
  return Object.fromEntries(metric.labels.map((label) => [label, `_sms_${label}_value`]));
}

describe('restricted series isolation', () => {
  let t: Telemetry;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    t = createTelemetry({
      service: 'parts-api',
      version: '1.2.3',
      environment: 'test',
      internalMetricsToken: TOKEN,
      log: { destination: new LogCollector() },
    });
    app = Fastify();
    await t.instrumentFastify(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    // 1. Every restricted catalog metric, through the typed API.
    const restricted = CATALOG.filter((m) => m.restricted);
    expect(restricted.length).toBeGreaterThanOrEqual(6);
    for (const metric of restricted) {
      const labels = labelsFor(metric);
      if (metric.type === 'counter')
        (t.counter as (n: string) => { inc(l: object, v: number): void })(metric.name).inc(labels, 10);
      else (t.gauge as (n: string) => { set(l: object, v: number): void })(metric.name).set(labels, 42);
    }
    // 2. The service's own restricted metrics, each type; one with a collect callback.
    t.define({ name: '_sms_custom_margin_total', type: 'counter', help: 'Internal.', labels: ['category'] }).inc(
      { category: 'engine' },
      5,
    );
    t.define({
      name: '_sms_custom_price_dollars',
      type: 'histogram',
      help: 'Internal.',
      labels: [],
      buckets: [1, 10],
    }).observe({}, 3);
    t.define(
      { name: '_sms_custom_ratio', type: 'gauge', help: 'Internal.', labels: ['supplier'] },
      { collect: (g) => g.set({ supplier: 'acme' }, 0.3) },
    );
    // 3. Restricted-looking label values on public metrics, direct and from a collect callback.
    t.counter('sms_parts_orders_completed_total').inc({
      vessel_id: 'vsl_1',
      company_id: '_sms_parts_markup_realized_dollars',
      order_type: 'standard',
    });
    t.counter('sms_parts_orders_completed_total').inc({
      vessel_id: 'vsl_1',
      company_id: 'cmp_1',
      order_type: '_SMS_Shouting',
    });
    t.counter('sms_parts_orders_completed_total').inc({
      vessel_id: 'vsl_1',
      company_id: 'cmp_2',
      order_type: 'standard',
    });
    t.gauge('sms_churn_risk_score', { collect: (g) => g.set({ company: '_sms_leak', company_id: 'cmp_3' }, 1) });
    // 4. A capitalised prefix, refused at definition time.
    expect(() => t.define({ name: '_SMS_markup_total', type: 'counter', help: 'x', labels: [] })).toThrow(/lower-case/);
    // 5. Straight into the public prom-client registry, bypassing the SDK.
    new Counter({ name: '_sms_direct_total', help: 'Direct.', registers: [t.registry] }).inc(7);
    new Gauge({ name: 'direct_public', help: 'Direct.', labelNames: ['x'], registers: [t.registry] }).set(
      { x: '_sms_secret' },
      1,
    );
    new Gauge({ name: 'direct_label_name', help: 'Direct.', labelNames: ['_sms_label'], registers: [t.registry] }).set(
      { _sms_label: 'v' },
      1,
    );
    // 6. A forged metric object whose rendering names a restricted family under an innocent key.
    const forged = {
      name: 'innocent_gauge',
      help: 'Innocent.',
      get: async () => ({
        name: '_sms_forged',
        help: 'Forged.',
        type: 'gauge',
        aggregator: 'sum',
        values: [
          { value: 99, labels: {} },
          { metricName: '_sms_forged_series', value: 1, labels: {} },
        ],
      }),
    };
    t.registry.registerMetric(forged as unknown as Metric);
    // 7. The global prom-client registry, which the SDK never serves.
    new Counter({ name: '_sms_global_total', help: 'Global.', registers: [globalRegistry] }).inc();
    // 8. Drops of restricted samples are counted publicly without the restricted name.
    (t.counter as (n: string) => { inc(l: object, v: number): void })('_sms_parts_markup_realized_dollars').inc(
      { parts_category: 'engine' },
      Number.NaN,
    );
  });

  afterAll(async () => {
    globalRegistry.removeSingleMetric('_sms_global_total');
    await app.close();
    await t.shutdown();
  });

  it('never mentions _sms_ on the public /metrics', async () => {
    for (let scrape = 0; scrape < 2; scrape++) {
      const response = await fetch(`${url}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text.toLowerCase()).not.toContain('_sms_');
      const samples = parseExposition(text);
      expect(find(samples, 'innocent_gauge')).toEqual([]);
      // The public series around the leaks are still there.
      expect(
        valueOf(samples, 'sms_parts_orders_completed_total', { company_id: 'cmp_2', order_type: 'standard' }),
      ).toBe(1);
      expect(find(samples, 'sms_parts_orders_completed_total')).toHaveLength(1);
      expect(find(samples, 'direct_public')).toEqual([]);
      expect(find(samples, 'direct_label_name')).toEqual([]);
    }
    expect(await t.metrics()).not.toMatch(/_sms_/i);
  });

  it('counts what it cut out and what it dropped, as "(restricted)"', async () => {
    const samples = parseExposition(await t.metrics());
    const cut = valueOf(samples, 'watchkeeper_sdk_dropped_samples_total', {
      metric: '(restricted)',
      reason: 'restricted_in_public',
    });
    expect(cut).toBeGreaterThanOrEqual(5);
    expect(
      valueOf(samples, 'watchkeeper_sdk_dropped_samples_total', { metric: '(restricted)', reason: 'invalid_value' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'watchkeeper_sdk_dropped_samples_total', {
        metric: 'sms_parts_orders_completed_total',
        reason: 'restricted_label_value',
      }),
    ).toBe(2);
    expect(
      valueOf(samples, 'watchkeeper_sdk_dropped_samples_total', {
        metric: 'sms_churn_risk_score',
        reason: 'restricted_label_value',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('serves the restricted series on /internal/metrics, and only them', async () => {
    const response = await fetch(`${url}/internal/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    const samples = parseExposition(await response.text());
    for (const metric of CATALOG.filter((m) => m.restricted)) {
      expect(find(samples, metric.name, labelsFor(metric)).length, metric.name).toBe(1);
    }
    expect(valueOf(samples, '_sms_custom_margin_total', { category: 'engine' })).toBe(5);
    expect(valueOf(samples, '_sms_custom_price_dollars_count')).toBe(1);
    expect(valueOf(samples, '_sms_custom_ratio', { supplier: 'acme' })).toBe(0.3);
    expect(samples.every((s) => s.name.startsWith('_sms_'))).toBe(true);
    expect(samples.every((s) => s.labels.service === 'parts-api')).toBe(true);
  });
});
