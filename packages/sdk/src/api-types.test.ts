/**
 * Type tests of the public API. `tsc -b` compiles this file: every `@ts-expect-error` line must
 * fail to compile (an unused directive is itself an error), every other line must compile. The
 * calls run too, against a real Telemetry, so the file is also a smoke test.
 */
import type { Span, Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { afterAll, describe, expectTypeOf, it } from 'vitest';
import {
  JOURNEYS,
  createTelemetry,
  maskPii,
  type CounterMetric,
  type CounterName,
  type GaugeMetric,
  type GaugeName,
  type HistogramMetric,
  type HistogramName,
  type Telemetry,
  type TelemetryOptionsError,
} from './index.js';
import { LogCollector } from './testing/helpers.js';

const t: Telemetry = createTelemetry({
  service: 'parts-api',
  version: '1.2.3',
  environment: 'test',
  log: { destination: new LogCollector() },
  defaultMetrics: false,
});

afterAll(() => t.shutdown());

/** Runs `fn` and ignores what it throws: the lines below are about types. */
function compiles(fn: () => unknown): void {
  try {
    fn();
  } catch {
    // A line that type-checks may still be refused at run time (the tests elsewhere cover that).
  }
}

describe('public API types', () => {
  it('types catalog metrics by name and labels', () => {
    expectTypeOf(t.counter('sms_parts_quotes_requested_total')).toEqualTypeOf<
      CounterMetric<'vessel_id' | 'company_id' | 'urgency'>
    >();
    expectTypeOf(t.gauge('sms_mrr_dollars')).toEqualTypeOf<GaugeMetric<'tier' | 'company_id'>>();
    expectTypeOf(t.histogram('http_request_duration_seconds')).toEqualTypeOf<
      HistogramMetric<'method' | 'endpoint' | 'status'>
    >();
    expectTypeOf<'sms_parts_quotes_requested_total'>().toExtend<CounterName>();
    expectTypeOf<'_sms_parts_markup_realized_dollars'>().toExtend<CounterName>();
    expectTypeOf<'sms_mrr_dollars'>().not.toExtend<CounterName>();
    expectTypeOf<'sms_mrr_dollars'>().toExtend<GaugeName>();
    expectTypeOf<'up'>().not.toExtend<GaugeName>();
    expectTypeOf<'node_cpu_seconds_total'>().not.toExtend<CounterName>();
    expectTypeOf<'watchkeeper_sdk_dropped_samples_total'>().not.toExtend<CounterName>();
    expectTypeOf<'sms_quality_score'>().toExtend<HistogramName>();

    const quotes = t.counter('sms_parts_quotes_requested_total');
    quotes.inc({ vessel_id: 'vsl_1', company_id: 'cmp_1', urgency: 'routine' });
    quotes.inc({ vessel_id: 'vsl_1', company_id: 'cmp_1', urgency: 'routine' }, 2);
    // @ts-expect-error a missing label
    quotes.inc({ vessel_id: 'vsl_1', company_id: 'cmp_1' });
    // @ts-expect-error an extra label (PII, too)
    quotes.inc({ vessel_id: 'vsl_1', company_id: 'cmp_1', urgency: 'routine', user_id: 'usr_1' });
    // @ts-expect-error a non-string label value
    quotes.inc({ vessel_id: 'vsl_1', company_id: 'cmp_1', urgency: 3 });
    // @ts-expect-error a non-number value
    quotes.inc({ vessel_id: 'vsl_1', company_id: 'cmp_1', urgency: 'routine' }, '2');
    /* eslint-disable @typescript-eslint/no-unsafe-call -- the next line must not compile: counters have no set */
    // @ts-expect-error counters have no set
    compiles(() => quotes.set({ vessel_id: 'v', company_id: 'c', urgency: 'u' }, 1));
    /* eslint-enable @typescript-eslint/no-unsafe-call */

    const end = t.histogram('db_query_duration_seconds').startTimer({ query_type: 'select' });
    expectTypeOf(end).returns.toEqualTypeOf<number>();
    end({ table: 'quotes' });
    // @ts-expect-error a label the histogram does not have
    compiles(() => t.histogram('db_query_duration_seconds').startTimer({ tabel: 'x' }));
  });

  it('rejects wrong names and wrong metric types at compile time', () => {
    // @ts-expect-error not a catalog metric
    compiles(() => t.counter('sms_made_up_total'));
    // @ts-expect-error a counter asked for as a gauge
    compiles(() => t.gauge('sms_parts_quotes_requested_total'));
    // @ts-expect-error a gauge asked for as a counter
    compiles(() => t.counter('sms_mrr_dollars'));
    // @ts-expect-error a histogram asked for as a counter
    compiles(() => t.counter('http_request_duration_seconds'));
    // @ts-expect-error the scraper's series, not the service's
    compiles(() => t.gauge('up'));
    // @ts-expect-error a typo in a name
    compiles(() => t.histogram('http_request_duration_second'));
  });

  it('types gauge collect callbacks by the gauge labels', () => {
    t.gauge('db_connection_pool_used', { collect: (g) => g.set({ pool_name: 'main' }, 1) });
    // @ts-expect-error the collect callback uses a label the gauge does not have
    compiles(() => t.gauge('db_connection_pool_size', { collect: (g) => g.set({ pool: 'main' }, 1) }));
  });

  it('types defined metrics by their definition, and refuses PII and required labels', () => {
    const exports = t.define({ name: 'sms_data_exports_total', type: 'counter', help: 'Exports.', labels: ['format'] });
    expectTypeOf(exports).toEqualTypeOf<CounterMetric<'format'>>();
    exports.inc({ format: 'csv' });
    // @ts-expect-error a label the definition does not have
    exports.inc({ fmt: 'csv' });
    const sizes = t.define({
      name: 'sms_export_bytes',
      type: 'histogram',
      help: 'Sizes.',
      labels: ['format'],
      buckets: [1, 2],
    });
    expectTypeOf(sizes).toEqualTypeOf<HistogramMetric<'format'>>();
    const depth = t.define(
      { name: 'sms_depth', type: 'gauge', help: 'Depth.', labels: [] },
      { collect: (g) => g.set({}, 1) },
    );
    expectTypeOf(depth).toEqualTypeOf<GaugeMetric<never>>();
    // @ts-expect-error PII label
    compiles(() => t.define({ name: 'sms_logins_total', type: 'counter', help: 'Logins.', labels: ['user_id'] }));
    compiles(() =>
      // @ts-expect-error PII label among others
      t.define({ name: 'sms_logins_total', type: 'counter', help: 'Logins.', labels: ['role', 'ip_address'] }),
    );
    // @ts-expect-error a label the SDK adds itself
    compiles(() => t.define({ name: 'sms_logins_total', type: 'counter', help: 'Logins.', labels: ['service'] }));
    // @ts-expect-error summaries are not supported
    compiles(() => t.define({ name: 'sms_x', type: 'summary', help: 'X.', labels: [] }));
  });

  it('types the rest of the API', () => {
    expectTypeOf(t.logger).toEqualTypeOf<Logger>();
    expectTypeOf(t.tracer).toEqualTypeOf<Tracer>();
    expectTypeOf(t.span('a', () => 1)).toEqualTypeOf<number>();
    expectTypeOf(t.span('a', async (span) => span)).toEqualTypeOf<Promise<Span>>();
    expectTypeOf<ReturnType<Telemetry['fetch']>>().toEqualTypeOf<Promise<Response>>();
    expectTypeOf<ReturnType<Telemetry['shutdown']>>().toEqualTypeOf<Promise<void>>();
    expectTypeOf(JOURNEYS.partsOrdering.spans.markupCalculatePrice).toEqualTypeOf<'MarkupService.calculatePrice'>();
    expectTypeOf(JOURNEYS.technicianSync.slaMs).toEqualTypeOf<10_000>();
    expectTypeOf(maskPii).toEqualTypeOf<(text: string) => string>();
    expectTypeOf<TelemetryOptionsError['code']>().toEqualTypeOf<'WK_SDK_INVALID_OPTIONS' | 'WK_SDK_INVALID_METRIC'>();
    t.addReadinessCheck('db', () => true);
    t.addReadinessCheck('cache', async () => true);
    // @ts-expect-error a readiness check returns a boolean
    compiles(() => t.addReadinessCheck('bad', () => 'yes'));
    // @ts-expect-error service is required
    compiles(() => createTelemetry({ version: '1', environment: 'test' }));
    // @ts-expect-error unknown log level
    compiles(() => createTelemetry({ service: 'a', version: '1', environment: 'test', log: { level: 'trace' } }));
  });
});
