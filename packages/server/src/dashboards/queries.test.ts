import { describe, expect, it } from 'vitest';
import { expandQuery, queryTiming, relativeTimeMs, variableReferences, variableRegex } from './index.js';

const CTX = { rangeMs: 6 * 3_600_000, intervalMs: 60_000, rateIntervalMs: 240_000 };

describe('expandQuery', () => {
  it('replaces variables ($x and ${x}) and the built-ins', () => {
    const expr =
      'sum(rate(x{a=~"$company",b=~"${vessel}"}[$__rate_interval])) * $__range_s + increase(y[$__range]) + z[$__interval] + $__interval_ms + $__range_ms';
    expect(expandQuery(expr, { ...CTX, variables: { company: 'a|b', vessel: '.*' } })).toBe(
      'sum(rate(x{a=~"a|b",b=~".*"}[4m])) * 21600 + increase(y[6h]) + z[1m] + 60000 + 21600000',
    );
  });

  it('leaves unknown variables as written', () => {
    expect(expandQuery('up{job=~"$nope"}', CTX)).toBe('up{job=~"$nope"}');
  });

  it('lists the variables a query uses, without built-ins', () => {
    expect(variableReferences('x{a=~"$company"}[$__range] + y{v=~"${vessel}", c=~"$company"}')).toEqual([
      'company',
      'vessel',
    ]);
  });
});

describe('variableRegex', () => {
  it('is .* for all, else an escaped alternation', () => {
    expect(variableRegex('all')).toBe('.*');
    expect(variableRegex([])).toBe('.*');
    expect(variableRegex(['cmp_a', 'a.b|c'])).toBe('cmp_a|a\\.b\\|c');
  });
});

describe('queryTiming', () => {
  it("rounds the step up, to at least the scrape interval and the query's interval", () => {
    expect(queryTiming(6 * 3_600_000, { scrapeIntervalMs: 10_000 })).toEqual({
      stepMs: 120_000,
      rateIntervalMs: 130_000,
    });
    expect(queryTiming(3_600_000, { scrapeIntervalMs: 10_000 })).toEqual({ stepMs: 15_000, rateIntervalMs: 40_000 });
    expect(queryTiming(30 * 86_400_000, { minInterval: '1d' }).stepMs).toBe(86_400_000);
    expect(queryTiming(60_000).stepMs).toBe(15_000);
  });
});

describe('relativeTimeMs', () => {
  it('reads now and now-<duration>', () => {
    expect(relativeTimeMs('now')).toBe(0);
    expect(relativeTimeMs('now-30d')).toBe(30 * 86_400_000);
    expect(relativeTimeMs('now-1h30m')).toBe(5_400_000);
    expect(relativeTimeMs('yesterday')).toBeUndefined();
    expect(relativeTimeMs('now-')).toBeUndefined();
  });
});
