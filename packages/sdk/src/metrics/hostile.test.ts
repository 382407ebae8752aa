/**
 * A service that tries to break the label policy and the cardinality limits, and a fuzz run of
 * random label sets and values: the SDK never throws into it, keeps within the limits, keeps
 * existing series working and counts (and logs once) what it drops.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry, type TelemetryOptions } from '../index.js';
import { LogCollector, find, parseExposition, seededRandom, valueOf } from '../testing/helpers.js';

const created: Telemetry[] = [];

function telemetry(overrides: Partial<TelemetryOptions> = {}): { t: Telemetry; logs: LogCollector } {
  const logs = new LogCollector();
  const t = createTelemetry({
    service: 'hostile',
    version: '6.6.6',
    environment: 'test',
    internalMetricsToken: 'internal-token-0123456789abcdef',
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

/** Calls a recording method the way plain JavaScript could, past the types. */
function untyped(fn: unknown): (...args: unknown[]) => unknown {
  return fn as (...args: unknown[]) => unknown;
}

const URGENCIES = ['routine', 'urgent', 'aog'];

describe('a hostile service', () => {
  it('cannot exceed the series limit with 20,000 label combinations; existing series keep working', async () => {
    const { t, logs } = telemetry();
    const quotes = t.counter('sms_parts_quotes_requested_total');
    const first = { vessel_id: 'vsl_0', company_id: 'cmp_0', urgency: 'routine' };
    quotes.inc(first);
    // 100 vessels x 100 companies x 2 urgencies: within the per-label limit, twice the series limit.
    for (let i = 0; i < 20_000; i++) {
      quotes.inc({
        vessel_id: `vsl_${i % 100}`,
        company_id: `cmp_${Math.floor(i / 100) % 100}`,
        urgency: URGENCIES[Math.floor(i / 10_000)]!,
      });
    }
    quotes.inc(first);

    const s = parseExposition(await t.metrics());
    expect(find(s, 'sms_parts_quotes_requested_total')).toHaveLength(10_000);
    expect(valueOf(s, 'sms_parts_quotes_requested_total', first)).toBe(3);
    expect(find(s, 'sms_parts_quotes_requested_total', { urgency: 'urgent' })).toEqual([]);
    const dropped = { metric: 'sms_parts_quotes_requested_total', reason: 'series_limit' };
    expect(valueOf(s, 'watchkeeper_sdk_dropped_samples_total', dropped)).toBe(10_000);
    expect(valueOf(s, 'watchkeeper_sdk_metric_series', { metric: 'sms_parts_quotes_requested_total' })).toBe(10_000);
    const warnings = logs.lines.filter((l) => l.level === 'WARN');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      context: { metric: 'sms_parts_quotes_requested_total', reason: 'series_limit' },
    });
  });

  it('cannot put more than 100 values into one label', async () => {
    const { t } = telemetry();
    const mrr = t.gauge('sms_mrr_dollars');
    for (let i = 0; i < 20_000; i++) mrr.set({ tier: 'basic', company_id: `cmp_${i}` }, i);
    const s = parseExposition(await t.metrics());
    expect(find(s, 'sms_mrr_dollars')).toHaveLength(100);
    expect(
      valueOf(s, 'watchkeeper_sdk_dropped_samples_total', { metric: 'sms_mrr_dollars', reason: 'label_values_limit' }),
    ).toBe(19_900);
    // Removing series frees values under the limit.
    mrr.remove({ tier: 'basic', company_id: 'cmp_0' });
    mrr.set({ tier: 'basic', company_id: 'cmp_new' }, 1);
    expect(valueOf(parseExposition(await t.metrics()), 'sms_mrr_dollars', { company_id: 'cmp_new' })).toBe(1);
  });

  it('honours lower limits from the options', async () => {
    const { t } = telemetry({ limits: { maxSeriesPerMetric: 10, maxLabelValues: 5 } });
    const features = t.counter('sms_feature_usage_total');
    for (let i = 0; i < 100; i++) features.inc({ feature: `f${i % 5}`, role: `r${Math.floor(i / 5) % 5}` });
    const s = parseExposition(await t.metrics());
    expect(find(s, 'sms_feature_usage_total')).toHaveLength(10);
  });

  it('cannot record PII labels, wrong labels, huge or non-string values, or bad numbers', async () => {
    const { t, logs } = telemetry();
    const quotes = t.counter('sms_parts_quotes_requested_total');
    const inc = untyped(quotes.inc.bind(quotes));
    const ok = { vessel_id: 'vsl_1', company_id: 'cmp_1', urgency: 'routine' };
    const calls: [unknown, unknown, string][] = [
      [{ ...ok, user_id: 'usr_1' }, 1, 'unknown_label'],
      [{ ...ok, email: 'bob@example.com' }, 1, 'unknown_label'],
      [{ vessel_id: 'vsl_1', company_id: 'cmp_1' }, 1, 'missing_label'],
      [{ ...ok, urgency: 'x'.repeat(1_000_000) }, 1, 'label_value_too_long'],
      [{ ...ok, urgency: 42 }, 1, 'invalid_label_value'],
      [{ ...ok, urgency: null }, 1, 'invalid_label_value'],
      [{ ...ok, urgency: Symbol('s') }, 1, 'invalid_label_value'],
      [{ ...ok, urgency: '_sms_markup' }, 1, 'restricted_label_value'],
      [undefined, 1, 'invalid_labels'],
      [ok, Number.NaN, 'invalid_value'],
      [ok, Number.POSITIVE_INFINITY, 'invalid_value'],
      [ok, '5', 'invalid_value'],
      [ok, 10n, 'invalid_value'],
      [ok, -1, 'negative_increment'],
    ];
    for (const [labels, value] of calls) expect(() => inc(labels, value)).not.toThrow();
    const gauge = t.gauge('sms_mrr_dollars');
    expect(() => untyped(gauge.set.bind(gauge))({ tier: 'basic', company_id: 'cmp_1' })).not.toThrow();
    const histogram = t.histogram('http_request_duration_seconds');
    expect(() =>
      untyped(histogram.observe.bind(histogram))({ method: 'GET', endpoint: '/', status: '200' }, Number.NaN),
    ).not.toThrow();

    const text = await t.metrics();
    expect(text).not.toContain('usr_1');
    expect(text).not.toContain('xxxxxxxxxx');
    const s = parseExposition(text);
    expect(find(s, 'sms_parts_quotes_requested_total')).toEqual([]);
    const reasons = new Map<string, number>();
    for (const [, , reason] of calls) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    for (const [reason, count] of reasons) {
      expect(
        valueOf(s, 'watchkeeper_sdk_dropped_samples_total', { metric: 'sms_parts_quotes_requested_total', reason }),
      ).toBe(count);
    }
    expect(
      valueOf(s, 'watchkeeper_sdk_dropped_samples_total', { metric: 'sms_mrr_dollars', reason: 'invalid_value' }),
    ).toBe(1);
    // One warning per metric and reason, not per sample.
    expect(logs.lines.filter((l) => l.level === 'WARN')).toHaveLength(reasons.size + 2);
  });
});

/** Random label sets: valid ones, near misses and garbage of every JavaScript type. */
function randomLabels(random: () => number, names: readonly string[]): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const randomString = (): string => {
    const length = pick([0, 1, 5, 20, 300]);
    let text = '';
    for (let i = 0; i < length; i++)
      text += pick(['a', 'Z', '0', '"', '\\', '\n', '{', '}', '=', ',', ' ', 'é', '😀', '\u0000', '_sms_']);
    return text;
  };
  const randomValue = (): unknown =>
    pick<() => unknown>([
      () => `v${Math.floor(random() * 30)}`,
      randomString,
      () => random() * 100,
      () => Number.NaN,
      () => null,
      () => undefined,
      () => ({ nested: 'x' }),
      () => ['a'],
      () => Symbol('s'),
      () => 1n,
      () => () => 'fn',
      () => true,
    ])();
  const kind = random();
  if (kind < 0.05) return pick([null, undefined, 'labels', 42, [], () => undefined]);
  if (kind < 0.08) {
    return new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('hostile keys');
        },
      },
    );
  }
  if (kind < 0.1) {
    const labels: Record<string, unknown> = {};
    for (const name of names) {
      Object.defineProperty(labels, name, {
        enumerable: true,
        get: () => {
          throw new Error('hostile getter');
        },
      });
    }
    return labels;
  }
  const labels: Record<string, unknown> = {};
  for (const name of names) {
    if (random() < 0.05) continue;
    labels[name] = random() < 0.8 ? `v${Math.floor(random() * 30)}` : randomValue();
  }
  if (random() < 0.1) labels[pick(['user_id', '__proto__', 'constructor', 'extra', ''])] = randomValue();
  return labels;
}

function randomNumber(random: () => number): unknown {
  const kind = random();
  if (kind < 0.7) return random() * 1_000;
  return [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -5,
    -0,
    Number.MAX_VALUE,
    '3',
    null,
    undefined,
    2n,
    {},
  ][Math.floor(random() * 11)];
}

describe('fuzz: random label objects and values', () => {
  it.each([1, 2, 3])('never throws into the host (seed %i), and the expositions stay parseable', async (seed) => {
    const random = seededRandom(seed);
    const { t } = telemetry({ limits: { maxSeriesPerMetric: 200, maxLabelValues: 20, maxLabelValueLength: 100 } });
    const counter = t.counter('sms_parts_quotes_requested_total');
    const gauge = t.gauge('sms_mrr_dollars');
    const histogram = t.histogram('http_request_duration_seconds');
    const restricted = t.counter('_sms_parts_supplier_cost_dollars');
    const defined = t.define({ name: 'sms_fuzz_total', type: 'counter', help: 'Fuzz.', labels: ['a', 'b'] });
    const targets: [unknown, readonly string[], string[]][] = [
      [counter, ['vessel_id', 'company_id', 'urgency'], ['inc']],
      [gauge, ['tier', 'company_id'], ['set', 'inc', 'dec', 'remove']],
      [histogram, ['method', 'endpoint', 'status'], ['observe', 'startTimer']],
      [restricted, ['parts_category', 'supplier'], ['inc']],
      [defined, ['a', 'b'], ['inc']],
    ];
    for (let i = 0; i < 4_000; i++) {
      const [metric, names, methods] = targets[Math.floor(random() * targets.length)]!;
      const method = methods[Math.floor(random() * methods.length)]!;
      const target = metric as Record<string, (...args: unknown[]) => unknown>;
      const labels = randomLabels(random, names);
      const value = randomNumber(random);
      try {
        if (method === 'startTimer') {
          const end = target.startTimer!(labels) as (more?: unknown) => unknown;
          end(random() < 0.5 ? randomLabels(random, names) : undefined);
        } else {
          target[method]!(labels, value);
        }
      } catch (error) {
        throw new Error(`seed ${seed}, iteration ${i}: ${method}(${String(labels)}) threw`, { cause: error });
      }
    }
    const publicSamples = parseExposition(await t.metrics());
    for (const name of [
      'sms_parts_quotes_requested_total',
      'sms_mrr_dollars',
      'http_requests_total',
      'sms_fuzz_total',
    ]) {
      expect(find(publicSamples, name).length).toBeLessThanOrEqual(200);
    }
    for (const sample of publicSamples) {
      for (const value of Object.values(sample.labels)) expect(value.toLowerCase().startsWith('_sms_')).toBe(false);
    }
    expect(find(publicSamples, 'watchkeeper_sdk_dropped_samples_total').length).toBeGreaterThan(3);
    const internal = await t.internalMetrics();
    expect(() => parseExposition(internal)).not.toThrow();
    expect(find(parseExposition(internal), '_sms_parts_supplier_cost_dollars').length).toBeLessThanOrEqual(200);
  });
});
