import { describe, expect, it } from 'vitest';
import { decimalsOf, formatNumber, formatShort, formatTicks, formatValue, seriesName } from './format';

describe('formatValue', () => {
  it('formats dollars with cents below $1,000, whole dollars above, suffixes from a million', () => {
    expect(formatValue(12.5, 'dollars')).toBe('$12.50');
    expect(formatValue(0, 'dollars')).toBe('$0');
    expect(formatValue(500, 'dollars')).toBe('$500');
    expect(formatValue(48250, 'dollars')).toBe('$48,250');
    expect(formatValue(48250, 'dollars', 0)).toBe('$48,250');
    expect(formatValue(2_450_000, 'dollars')).toBe('$2.45M');
    expect(formatValue(-30, 'dollars', 0)).toBe('-$30');
  });

  it('formats percent and percentunit', () => {
    expect(formatValue(19.234, 'percent')).toBe('19.2%');
    expect(formatValue(19.234, 'percent', 2)).toBe('19.23%');
    expect(formatValue(0.4567, 'percentunit')).toBe('45.7%');
    expect(formatValue(50, 'percent')).toBe('50%');
    expect(formatValue(0.004, 'percentunit')).toBe('0.4%');
  });

  it('formats seconds in the unit that reads best', () => {
    expect(formatValue(0.000_25, 'seconds')).toBe('250 µs');
    expect(formatValue(0.25, 'seconds')).toBe('250 ms');
    expect(formatValue(1.5, 'seconds')).toBe('1.5 s');
    expect(formatValue(90, 'seconds')).toBe('1.5 min');
    expect(formatValue(7200, 'seconds')).toBe('2 h');
    expect(formatValue(3 * 86400, 'seconds')).toBe('3 d');
    expect(formatValue(0, 'seconds')).toBe('0 s');
  });

  it('formats bytes in binary units', () => {
    expect(formatValue(512, 'bytes')).toBe('512 B');
    expect(formatValue(1536, 'bytes')).toBe('1.5 KiB');
    expect(formatValue(3 * 1024 ** 3, 'bytes')).toBe('3 GiB');
  });

  it('formats short with SI suffixes, and req/s', () => {
    expect(formatShort(999)).toBe('999');
    expect(formatShort(1234)).toBe('1.23k');
    expect(formatShort(5_600_000)).toBe('5.6M');
    expect(formatShort(7e9)).toBe('7G');
    expect(formatValue(0.0123, 'short')).toBe('0.0123');
    expect(formatValue(1500, 'reqps')).toBe('1.5k req/s');
    expect(formatValue(1500, 'none')).toBe('1,500');
  });

  it('writes missing values as a dash and special floats as Prometheus does', () => {
    expect(formatValue(null)).toBe('–');
    expect(formatValue(undefined, 'dollars')).toBe('–');
    expect(formatValue(NaN, 'percent')).toBe('NaN');
    expect(formatValue(Infinity, 'seconds')).toBe('+Inf');
    expect(formatNumber(-Infinity)).toBe('-Inf');
  });

  it('honours fixed decimals', () => {
    expect(formatValue(3, 'short', 2)).toBe('3.00');
    expect(formatValue(1234.5, 'short', 1)).toBe('1.2k');
  });
});

describe('seriesName', () => {
  it('fills a legend template from labels', () => {
    expect(seriesName({ company: 'Acme', vessel: 'V1' }, '{{vessel}} of {{ company }}')).toBe('V1 of Acme');
    expect(seriesName({}, '{{missing}}x')).toBe('x');
  });
  it('writes labels in PromQL form without a legend', () => {
    expect(seriesName({ __name__: 'up', job: 'api', instance: 'h:1' })).toBe('up{job="api", instance="h:1"}');
    expect(seriesName({ job: 'api' })).toBe('{job="api"}');
    expect(seriesName({ __name__: 'up' })).toBe('up');
    expect(seriesName({})).toBe('{}');
  });
});

describe('axis ticks', () => {
  it('use the decimals of the tick step', () => {
    expect(decimalsOf(0.025)).toBe(3);
    expect(decimalsOf(2.5)).toBe(1);
    expect(decimalsOf(500)).toBe(0);
    expect(decimalsOf(0.1 + 0.2)).toBe(1);
    expect(formatTicks([0.975, 1, 1.025, 1.05], 'short', 0.025)).toEqual(['0.975', '1.000', '1.025', '1.050']);
    expect(formatTicks([0, 0.25, 0.5], 'percentunit', 0.25)).toEqual(['0%', '25%', '50%']);
    expect(formatTicks([0, 5000, 10000], 'dollars', 5000)).toEqual(['$0', '$5,000', '$10,000']);
    expect(formatTicks([0, 2000, 4000], 'short', 2000)).toEqual(['0', '2k', '4k']);
    expect(formatTicks([0, 0.5, 1], 'seconds', 0.5)).toEqual(['0 s', '500 ms', '1 s']);
  });
});
