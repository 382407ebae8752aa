import { describe, expect, it } from 'vitest';
import { formatDurationMs, parseDurationMs } from './duration.js';

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h30m', 9_000_000],
    ['1d', 86_400_000],
    ['1.5h', 5_400_000],
    ['500ms', 500],
    ['1500', 1_500],
    [2_000, 2_000],
    ['', undefined],
    ['2x', undefined],
    ['h', undefined],
    ['1h 30m', undefined],
    [-5, undefined],
  ] as const)('%s → %s ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it('formats compactly', () => {
    expect(formatDurationMs(9_000_000)).toBe('2h30m');
    expect(formatDurationMs(90_061_000)).toBe('1d1h1m1s');
    expect(formatDurationMs(250)).toBe('250ms');
  });
});
