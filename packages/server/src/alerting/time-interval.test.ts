import { describe, expect, it } from 'vitest';
import {
  TimeInterval,
  checkLocation,
  parseDayOfMonthRange,
  parseMonthRange,
  parseTimeOfDayRange,
  parseWeekdayRange,
  parseYearRange,
} from './time-interval.js';

describe('time interval parsing (Alertmanager 0.25 messages)', () => {
  const errors: [() => unknown, string][] = [
    [() => parseWeekdayRange('saturday:sunday'), 'start day cannot be before end day'],
    [() => parseWeekdayRange('funday'), 'funday is not a valid weekday'],
    [() => parseDayOfMonthRange('0'), '0 is not a valid day of the month: out of range'],
    [() => parseDayOfMonthRange('-3:5'), 'end day must be negative if start day is negative'],
    [() => parseDayOfMonthRange('10:2'), 'end day 2 is always before start day 10'],
    [() => parseMonthRange('march:january'), 'end month january is before start month march'],
    [() => parseMonthRange('foo'), 'foo is not a valid month'],
    [() => parseYearRange('2020:2019'), 'end year 2019 is before start year 2020'],
    [() => parseYearRange('a:b:c'), "couldn't parse range a:b:c, invalid format"],
    [() => parseTimeOfDayRange('25:00', '26:00'), "couldn't parse timestamp 25:00, invalid format"],
    [() => parseTimeOfDayRange('04:00', '02:00'), 'start time cannot be equal or greater than end time'],
    [() => parseTimeOfDayRange('04:00', ''), 'both start and end times must be provided'],
    [() => checkLocation('Europe/Nowhere'), 'unknown time zone Europe/Nowhere'],
  ];
  for (const [f, message] of errors) it(message, () => expect(f).toThrow(message));

  it('accepts names in any case, numbers and 24:00', () => {
    expect(parseWeekdayRange('Monday:FRIDAY')).toEqual({ begin: 1, end: 5 });
    expect(parseMonthRange('12')).toEqual({ begin: 12, end: 12 });
    expect(parseDayOfMonthRange('-3:-1')).toEqual({ begin: -3, end: -1 });
    expect(parseTimeOfDayRange('22:00', '24:00')).toEqual({ startMinute: 1320, endMinute: 1440 });
  });
});

describe('TimeInterval.containsTime', () => {
  it('ANDs the fields and ORs the ranges of a field', () => {
    const t = new TimeInterval({
      weekdays: [parseWeekdayRange('saturday'), parseWeekdayRange('sunday')],
      times: [parseTimeOfDayRange('02:00', '04:00')],
    });
    expect(t.containsTime(Date.UTC(2026, 10, 29, 2, 0))).toBe(true); // Sunday 02:00
    expect(t.containsTime(Date.UTC(2026, 10, 29, 4, 0))).toBe(false); // end is exclusive
    expect(t.containsTime(Date.UTC(2026, 10, 30, 3, 0))).toBe(false); // Monday
  });

  it('counts negative days from the end of the month', () => {
    const t = new TimeInterval({ daysOfMonth: [parseDayOfMonthRange('-1')] });
    expect(t.containsTime(Date.UTC(2026, 1, 28, 12))).toBe(true);
    expect(t.containsTime(Date.UTC(2028, 1, 28, 12))).toBe(false); // leap year: the 29th is last
    expect(t.containsTime(Date.UTC(2028, 1, 29, 12))).toBe(true);
  });

  it('reads wall-clock time in the location, across daylight saving', () => {
    const t = new TimeInterval({ times: [parseTimeOfDayRange('09:00', '17:00')], location: 'Europe/Oslo' });
    expect(t.containsTime(Date.UTC(2026, 0, 15, 8, 30))).toBe(true); // 09:30 CET
    expect(t.containsTime(Date.UTC(2026, 6, 15, 15, 30))).toBe(false); // 17:30 CEST
    expect(t.containsTime(Date.UTC(2026, 6, 15, 7, 30))).toBe(true); // 09:30 CEST
  });
});
