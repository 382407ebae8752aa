import { describe, expect, it } from 'vitest';
import { officeHoursStart } from './launcher.js';

describe('officeHoursStart', () => {
  it.each([
    ['2026-11-27T18:12:00Z', '2026-11-27T08:00:00.000Z'], // Friday evening → that morning
    ['2026-11-27T07:59:00Z', '2026-11-26T08:00:00.000Z'], // Friday before 08:00 → Thursday
    ['2026-11-28T12:00:00Z', '2026-11-27T08:00:00.000Z'], // Saturday → Friday
    ['2026-11-30T07:00:00Z', '2026-11-27T08:00:00.000Z'], // Monday before 08:00 → Friday
    ['2026-11-30T08:00:00Z', '2026-11-30T08:00:00.000Z'], // Monday 08:00 exactly
  ])('%s → %s', (now, expected) => {
    expect(officeHoursStart(new Date(now)).toISOString()).toBe(expected);
  });
});
