import { describe, expect, it } from 'vitest';
import {
  builtinVariables,
  describeRange,
  formatDuration,
  parseDuration,
  parseTimePoint,
  resolveRange,
  stepFor,
} from './time';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('time ranges', () => {
  it('parses durations and relative and absolute points', () => {
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('30d')).toBe(30 * 86400);
    expect(parseDuration('500ms')).toBe(0.5);
    expect(parseDuration('5x')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
    expect(parseTimePoint('now', NOW)).toBe(NOW);
    expect(parseTimePoint('now-6h', NOW)).toBe(NOW - 6 * 3600_000);
    expect(parseTimePoint(String(NOW - 1000), NOW)).toBe(NOW - 1000);
    expect(parseTimePoint('2025-01-15T00:00:00Z', NOW)).toBe(Date.UTC(2025, 0, 15));
    expect(parseTimePoint('yesterday', NOW)).toBeUndefined();
  });

  it('resolves a range to Unix seconds, falling back to 6 hours', () => {
    expect(resolveRange({ from: 'now-1h', to: 'now' }, NOW)).toEqual({
      startSec: NOW / 1000 - 3600,
      endSec: NOW / 1000,
    });
    expect(resolveRange({ from: 'garbage', to: 'now' }, NOW).startSec).toBe(NOW / 1000 - 6 * 3600);
  });

  it('describes quick ranges by name', () => {
    expect(describeRange({ from: 'now-7d', to: 'now' }, NOW)).toBe('Last 7 days');
    expect(describeRange({ from: 'now-45m', to: 'now' }, NOW)).toBe('Last 45m');
  });

  it('picks a round step from the range and width, at least the minimum', () => {
    const r = (sec: number) => ({ startSec: 0, endSec: sec });
    expect(stepFor(r(3600), 12, 10)).toBe(10); // 3 s raw → the scrape interval
    expect(stepFor(r(6 * 3600), 12, 10)).toBe(30); // 18 s → 30 s
    expect(stepFor(r(30 * 86400), 6, 10)).toBe(7200); // 4320 s → 2 h
    expect(stepFor(r(30 * 86400), 0.6, 86400)).toBe(86400); // one bar per day
  });

  it('derives $__range, $__interval and $__rate_interval', () => {
    const b = builtinVariables({ startSec: 0, endSec: 7 * 86400 }, 600, 10);
    expect(b.__range).toBe('7d');
    expect(b.__interval).toBe('10m');
    expect(b.__rate_interval).toBe('610s');
    expect(builtinVariables({ startSec: 0, endSec: 3600 }, 10, 10).__rate_interval).toBe('40s');
    expect(formatDuration(5400)).toBe('90m');
  });
});
