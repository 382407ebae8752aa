/**
 * Alertmanager's time intervals (`time_intervals:` / `mute_time_intervals:` entries): times of day,
 * weekdays, days of the month, months and years, in a time zone. A route is muted while inside a
 * `mute_time_intervals` entry and only notifies while inside an `active_time_intervals` entry.
 * Parsing gives Alertmanager 0.25's error messages; `containsTime` is its ContainsTime.
 */
import { goQuote } from './go-strings.js';

/** `[startMinute, endMinute)` minutes of the day; `24:00` is minute 1440. */
export interface TimeOfDayRange {
  readonly startMinute: number;
  readonly endMinute: number;
}

/** An inclusive range (`monday:friday` is 1..5; days of the month may be negative, from the end). */
export interface InclusiveRange {
  readonly begin: number;
  readonly end: number;
}

/** One entry of a named time interval: all given fields must match (an absent field matches always). */
export interface TimeIntervalSpec {
  readonly times?: readonly TimeOfDayRange[];
  readonly weekdays?: readonly InclusiveRange[];
  readonly daysOfMonth?: readonly InclusiveRange[];
  readonly months?: readonly InclusiveRange[];
  readonly years?: readonly InclusiveRange[];
  /** IANA time zone name; `UTC` when absent. `Local` is the machine's zone, as in Go. */
  readonly location?: string;
}

const WEEKDAYS: Record<string, number> = {
  sunday: 0,
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
};
const MONTHS: Record<string, number> = {
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  may: 5,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
};
const MONTH_NAMES = Object.fromEntries(Object.entries(MONTHS).map(([k, v]) => [v, k])) as Record<number, string>;

/** Go's strconv.Atoi, with its error text. */
function atoi(s: string): number {
  if (!/^[-+]?[0-9]+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new Error(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  return n;
}

function parseRange(input: string, member: (s: string) => number): InclusiveRange {
  const s = input.toLowerCase();
  if (s.includes(':')) {
    const parts = s.split(':');
    if (parts.length !== 2) throw new Error(`couldn't parse range ${s}, invalid format`);
    return { begin: member(parts[0]!), end: member(parts[1]!) };
  }
  const v = member(s);
  return { begin: v, end: v };
}

/** `monday`, `monday:friday` (no wrap-around: `saturday:sunday` is an error, Sunday is 0). */
export function parseWeekdayRange(s: string): InclusiveRange {
  const r = parseRange(s, (m) => {
    const d = WEEKDAYS[m];
    if (d === undefined) throw new Error(`${m} is not a valid weekday`);
    return d;
  });
  if (r.begin > r.end) throw new Error('start day cannot be before end day');
  return r;
}

/** `1`, `1:7`, `-3:-1` (negative counts from the end of the month). */
export function parseDayOfMonthRange(s: string): InclusiveRange {
  const r = parseRange(s, atoi);
  if (r.begin === 0 || r.begin < -31 || r.begin > 31)
    throw new Error(`${r.begin} is not a valid day of the month: out of range`);
  if (r.end === 0 || r.end < -31 || r.end > 31)
    throw new Error(`${r.end} is not a valid day of the month: out of range`);
  if (r.begin < 0 && r.end > 0) throw new Error('end day must be negative if start day is negative');
  const b = r.begin < 0 ? 28 + r.begin : r.begin;
  const e = r.end < 0 ? 28 + r.end : r.end;
  if (b > e) throw new Error(`end day ${r.end} is always before start day ${r.begin}`);
  return r;
}

/** `january:march`, `12`, `may`. */
export function parseMonthRange(s: string): InclusiveRange {
  const r = parseRange(s, (m) => {
    const v = MONTHS[m];
    if (v !== undefined) return v;
    try {
      return atoi(m);
    } catch {
      throw new Error(`${m} is not a valid month`);
    }
  });
  if (r.begin > r.end) {
    throw new Error(`end month ${MONTH_NAMES[r.end] ?? ''} is before start month ${MONTH_NAMES[r.begin] ?? ''}`);
  }
  return r;
}

/** `2024`, `2024:2026`. */
export function parseYearRange(s: string): InclusiveRange {
  const r = parseRange(s, atoi);
  if (r.begin > r.end) throw new Error(`end year ${r.end} is before start year ${r.begin}`);
  return r;
}

const TIME_RE = /^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)/;

function parseTimeOfDay(s: string): number {
  if (!TIME_RE.test(s)) throw new Error(`couldn't parse timestamp ${s}, invalid format`);
  const [h, m] = s.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** `start_time`/`end_time` as `HH:MM` (`24:00` allowed), start before end. */
export function parseTimeOfDayRange(startTime: string, endTime: string): TimeOfDayRange {
  if (endTime === '' || startTime === '') throw new Error('both start and end times must be provided');
  const startMinute = parseTimeOfDay(startTime);
  const endMinute = parseTimeOfDay(endTime);
  if (startMinute >= endMinute) throw new Error('start time cannot be equal or greater than end time');
  return { startMinute, endMinute };
}

/** The IANA zone Go's time.LoadLocation would load, or an error `unknown time zone X`. */
export function checkLocation(name: string): string {
  if (name === '' || name === 'UTC') return 'UTC';
  if (name === 'Local') return Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    throw new Error(`unknown time zone ${name}`);
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY_SHORT: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function wallClock(timeMs: number, zone: string): WallClock {
  if (zone === 'UTC') {
    const d = new Date(timeMs);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      weekday: d.getUTCDay(),
      minuteOfDay: d.getUTCHours() * 60 + d.getUTCMinutes(),
    };
  }
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(timeMs))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAY_SHORT[parts.weekday!] ?? 0,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function clamp(n: number, min: number, max: number): number {
  return n <= min ? min : n >= max ? max : n;
}

/** One entry of a time interval, ready to test instants against. */
export class TimeInterval {
  private readonly zone: string;

  constructor(readonly spec: TimeIntervalSpec) {
    this.zone = checkLocation(spec.location ?? '');
  }

  /** Whether the instant (Unix milliseconds) lies inside, in the interval's time zone. */
  containsTime(timeMs: number): boolean {
    const t = wallClock(timeMs, this.zone);
    const { times, daysOfMonth, months, weekdays, years } = this.spec;
    if (times && !times.some((r) => t.minuteOfDay >= r.startMinute && t.minuteOfDay < r.endMinute)) return false;
    if (daysOfMonth) {
      const n = daysInMonth(t.year, t.month);
      const inside = daysOfMonth.some((r) => {
        let begin = r.begin < 0 ? n + r.begin + 1 : r.begin;
        let end = r.end < 0 ? n + r.end + 1 : r.end;
        if (begin > n) return false;
        begin = clamp(begin, -n, n);
        end = clamp(end, -n, n);
        return t.day >= begin && t.day <= end;
      });
      if (!inside) return false;
    }
    if (months && !months.some((r) => t.month >= r.begin && t.month <= r.end)) return false;
    if (weekdays && !weekdays.some((r) => t.weekday >= r.begin && t.weekday <= r.end)) return false;
    if (years && !years.some((r) => t.year >= r.begin && t.year <= r.end)) return false;
    return true;
  }
}

/** Whether any entry of a named interval contains the instant (Alertmanager: the interval "matches"). */
export function intervalsContain(entries: readonly TimeInterval[], timeMs: number): boolean {
  return entries.some((e) => e.containsTime(timeMs));
}
