/**
 * Go's time.Time and time.Duration as template values: String, Format with Go's reference layouts
 * (`2006-01-02 15:04:05.999999999 -0700 MST`), Unix, Add, Sub, the calendar accessors. Times are
 * Unix nanoseconds in a fixed zone (UTC unless given an offset): the server has no tz database to
 * offer, and Prometheus and Alertmanager hand templates UTC times.
 */
import {
  GO_METHODS,
  GO_STRING,
  GO_TYPE,
  GoScalar,
  T_INT,
  T_STRING,
  type GoFunc,
  type GoMethods,
  type GoType,
} from './value.js';

const NS_PER_SEC = 1_000_000_000n;
/** Go's zero Time, January 1, year 1, 00:00:00 UTC, in Unix nanoseconds. */
const ZERO_TIME_NS = -62135596800n * NS_PER_SEC;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && a < 0n) !== b < 0n && a % b !== 0n ? q - 1n : q;
}

/** The parameter type time.Duration: an integer constant converts to it. */
export const T_DURATION: GoType = {
  name: 'time.Duration',
  kind: 'int',
  fromConstant: (v) => new GoDuration(typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)))),
};

/** The parameter type time.Time. */
export const T_TIME: GoType = { name: 'time.Time', kind: 'struct' };

/** A time.Duration (int64 nanoseconds). */
export class GoDuration extends GoScalar {
  declare readonly value: bigint;

  constructor(ns: bigint) {
    super('time.Duration', 'int', BigInt.asIntN(64, ns));
  }

  [GO_STRING](): string {
    return durationString(this.value);
  }

  static readonly [GO_METHODS]: GoMethods = {
    String: method([], (r: GoDuration) => durationString(r.value)),
    Seconds: method([], (r: GoDuration) => nsToUnit(r.value, NS_PER_SEC)),
    Minutes: method([], (r: GoDuration) => nsToUnit(r.value, 60n * NS_PER_SEC)),
    Hours: method([], (r: GoDuration) => nsToUnit(r.value, 3600n * NS_PER_SEC)),
    Milliseconds: method([], (r: GoDuration) => new GoScalar('int64', 'int', r.value / 1_000_000n)),
    Microseconds: method([], (r: GoDuration) => new GoScalar('int64', 'int', r.value / 1000n)),
    Nanoseconds: method([], (r: GoDuration) => new GoScalar('int64', 'int', r.value)),
    Abs: method([], (r: GoDuration) => new GoDuration(r.value < 0n ? -r.value : r.value)),
    Truncate: method([T_DURATION], (r: GoDuration, m: GoDuration) =>
      m.value <= 0n ? r : new GoDuration(r.value - (r.value % m.value)),
    ),
    Round: method([T_DURATION], (r: GoDuration, m: GoDuration) => new GoDuration(roundDuration(r.value, m.value))),
  };
}

function roundDuration(d: bigint, m: bigint): bigint {
  if (m <= 0n) return d;
  let r = d % m;
  if (d < 0n) {
    r = -r;
    return r + r < m ? d + r : d + r - m;
  }
  return r + r < m ? d - r : d + m - r;
}

function nsToUnit(ns: bigint, unit: bigint): number {
  const whole = ns / unit;
  const frac = ns % unit;
  return Number(whole) + Number(frac) / Number(unit);
}

/** Go's Duration.String: `1h2m3.5s`, `1.5ms`, `0s`. */
function durationString(d: bigint): string {
  let u = d < 0n ? -d : d;
  const neg = d < 0n;
  let out: string;
  if (u < NS_PER_SEC) {
    if (u === 0n) return '0s';
    let prec: number;
    let unit: string;
    if (u < 1000n) {
      prec = 0;
      unit = 'ns';
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = 'µs';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const [frac, rest] = fmtFrac(u, prec);
    out = rest.toString() + frac + unit;
  } else {
    const [frac, secs] = fmtFrac(u, 9);
    u = secs;
    out = (u % 60n).toString() + frac + 's';
    u /= 60n;
    if (u > 0n) {
      out = (u % 60n).toString() + 'm' + out;
      u /= 60n;
      if (u > 0n) out = u.toString() + 'h' + out;
    }
  }
  return neg ? '-' + out : out;
}

function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let digits = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) digits = digit.toString() + digits;
    v /= 10n;
  }
  return [print ? '.' + digits : '', v];
}

/** A calendar date and clock of a Unix nanosecond time in a fixed zone. */
interface Civil {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  weekday: number; // 0 = Sunday
  yearDay: number; // 1-366
}

function civil(ns: bigint, offsetSec: number): Civil {
  const local = ns + BigInt(offsetSec) * NS_PER_SEC;
  const secs = floorDiv(local, NS_PER_SEC);
  const nanosecond = Number(local - secs * NS_PER_SEC);
  const days = floorDiv(secs, 86400n);
  const sod = Number(secs - days * 86400n);
  const d = new Date(0);
  d.setUTCFullYear(1970, 0, 1);
  d.setUTCDate(1 + Number(days));
  const year = d.getUTCFullYear();
  const start = new Date(0);
  start.setUTCFullYear(year, 0, 1);
  const yearDay = Math.round((d.getTime() - start.getTime()) / 86_400_000) + 1;
  return {
    year,
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: Math.floor(sod / 3600),
    minute: Math.floor(sod / 60) % 60,
    second: sod % 60,
    nanosecond,
    weekday: d.getUTCDay(),
    yearDay,
  };
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
}

type Std =
  | 'Jan'
  | 'January'
  | '1'
  | '01'
  | 'Mon'
  | 'Monday'
  | '2'
  | '_2'
  | '02'
  | '15'
  | '3'
  | '03'
  | '4'
  | '04'
  | '5'
  | '05'
  | '06'
  | '2006'
  | 'PM'
  | 'pm'
  | 'MST'
  | '-0700'
  | '-070000'
  | '-07:00'
  | '-07:00:00'
  | '-07'
  | 'Z0700'
  | 'Z070000'
  | 'Z07:00'
  | 'Z07:00:00'
  | 'Z07'
  | '002'
  | '__2'
  | 'frac0'
  | 'frac9';

function startsWithLowerCase(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 0x61 && c <= 0x7a;
}

/** Go's nextStdChunk: the literal prefix, the layout element, the rest. */
function nextStdChunk(layout: string): { prefix: string; std?: Std; digits?: number; sep?: string; suffix: string } {
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!;
    const rest = layout.slice(i);
    const at = (std: Std, len: number) => ({ prefix: layout.slice(0, i), std, suffix: layout.slice(i + len) });
    switch (c) {
      case 'J':
        if (rest.startsWith('Jan')) {
          if (rest.startsWith('January')) return at('January', 7);
          if (!startsWithLowerCase(rest.slice(3))) return at('Jan', 3);
        }
        break;
      case 'M':
        if (rest.startsWith('Mon')) {
          if (rest.startsWith('Monday')) return at('Monday', 6);
          if (!startsWithLowerCase(rest.slice(3))) return at('Mon', 3);
        }
        if (rest.startsWith('MST')) return at('MST', 3);
        break;
      case '0':
        if (rest.length >= 2 && rest[1]! >= '1' && rest[1]! <= '6') {
          return at((['01', '02', '03', '04', '05', '06'] as const)[rest.charCodeAt(1) - 0x31]!, 2);
        }
        if (rest.startsWith('002')) return at('002', 3);
        break;
      case '1':
        if (rest[1] === '5') return at('15', 2);
        return at('1', 1);
      case '2':
        if (rest.startsWith('2006')) return at('2006', 4);
        return at('2', 1);
      case '_':
        if (rest[1] === '2') {
          if (rest.startsWith('_2006'))
            return { prefix: layout.slice(0, i + 1), std: '2006', suffix: layout.slice(i + 5) };
          return at('_2', 2);
        }
        if (rest.startsWith('__2')) return at('__2', 3);
        break;
      case '3':
      case '4':
      case '5':
        return at(c, 1);
      case 'P':
        if (rest[1] === 'M') return at('PM', 2);
        break;
      case 'p':
        if (rest[1] === 'm') return at('pm', 2);
        break;
      case '-':
        for (const s of ['-070000', '-07:00:00', '-0700', '-07:00', '-07'] as const) {
          if (rest.startsWith(s)) return at(s, s.length);
        }
        break;
      case 'Z':
        for (const s of ['Z070000', 'Z07:00:00', 'Z0700', 'Z07:00', 'Z07'] as const) {
          if (rest.startsWith(s)) return at(s, s.length);
        }
        break;
      case '.':
      case ',':
        if (rest[1] === '0' || rest[1] === '9') {
          const ch = rest[1];
          let j = 1;
          while (j < rest.length && rest[j] === ch) j++;
          if (!(rest[j]! >= '0' && rest[j]! <= '9')) {
            return {
              prefix: layout.slice(0, i),
              std: ch === '0' ? 'frac0' : 'frac9',
              digits: j - 1,
              sep: c,
              suffix: layout.slice(i + j),
            };
          }
        }
        break;
    }
  }
  return { prefix: layout, suffix: '' };
}

function formatZone(offsetSec: number, std: Std): string {
  if (std.startsWith('Z') && offsetSec === 0) return 'Z';
  const zone = Math.trunc(offsetSec / 60);
  const absoff = Math.abs(offsetSec);
  const sign = zone < 0 ? '-' : '+';
  const hh = pad(Math.floor(Math.abs(zone) / 60), 2);
  const mm = pad(Math.abs(zone) % 60, 2);
  const ss = pad(absoff % 60, 2);
  switch (std) {
    case '-07':
    case 'Z07':
      return sign + hh;
    case '-0700':
    case 'Z0700':
      return sign + hh + mm;
    case '-07:00':
    case 'Z07:00':
      return `${sign}${hh}:${mm}`;
    case '-070000':
    case 'Z070000':
      return sign + hh + mm + ss;
    default:
      return `${sign}${hh}:${mm}:${ss}`;
  }
}

/** Go's Time.Format. */
function formatTime(ns: bigint, offsetSec: number, zoneName: string, layout: string): string {
  const t = civil(ns, offsetSec);
  let out = '';
  let rest = layout;
  while (rest !== '') {
    const chunk = nextStdChunk(rest);
    out += chunk.prefix;
    if (chunk.std === undefined) break;
    rest = chunk.suffix;
    switch (chunk.std) {
      case '06':
        out += pad(((t.year % 100) + 100) % 100, 2);
        break;
      case '2006':
        out += pad(t.year, 4);
        break;
      case 'Jan':
        out += MONTHS[t.month - 1]!.slice(0, 3);
        break;
      case 'January':
        out += MONTHS[t.month - 1]!;
        break;
      case '1':
        out += String(t.month);
        break;
      case '01':
        out += pad(t.month, 2);
        break;
      case 'Mon':
        out += DAYS[t.weekday]!.slice(0, 3);
        break;
      case 'Monday':
        out += DAYS[t.weekday]!;
        break;
      case '2':
        out += String(t.day);
        break;
      case '_2':
        out += t.day < 10 ? ' ' + String(t.day) : String(t.day);
        break;
      case '02':
        out += pad(t.day, 2);
        break;
      case '002':
        out += pad(t.yearDay, 3);
        break;
      case '__2':
        out += String(t.yearDay).padStart(3, ' ');
        break;
      case '15':
        out += pad(t.hour, 2);
        break;
      case '3':
        out += String(t.hour % 12 === 0 ? 12 : t.hour % 12);
        break;
      case '03':
        out += pad(t.hour % 12 === 0 ? 12 : t.hour % 12, 2);
        break;
      case '4':
        out += String(t.minute);
        break;
      case '04':
        out += pad(t.minute, 2);
        break;
      case '5':
        out += String(t.second);
        break;
      case '05':
        out += pad(t.second, 2);
        break;
      case 'PM':
        out += t.hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += t.hour >= 12 ? 'pm' : 'am';
        break;
      case 'MST':
        out += zoneName !== '' ? zoneName : zoneFallback(offsetSec);
        break;
      case 'frac0':
      case 'frac9': {
        const digits = String(t.nanosecond).padStart(9, '0').slice(0, chunk.digits);
        if (chunk.std === 'frac0') out += chunk.sep! + digits;
        else {
          const trimmed = digits.replace(/0+$/, '');
          if (trimmed !== '') out += chunk.sep! + trimmed;
        }
        break;
      }
      default:
        out += formatZone(offsetSec, chunk.std);
    }
  }
  return out;
}

/** Go's MST element for a zone without a name: `-07` or `+0530`. */
function zoneFallback(offsetSec: number): string {
  const zone = Math.trunc(offsetSec / 60);
  const sign = zone < 0 ? '-' : '+';
  const z = Math.abs(zone);
  return sign + pad(Math.floor(z / 60), 2) + (z % 60 === 0 ? '' : pad(z % 60, 2));
}

const TIME_STRING_LAYOUT = '2006-01-02 15:04:05.999999999 -0700 MST';

/** A time.Time (or a *time.Time, which Prometheus's toTime returns). */
export class GoTime {
  constructor(
    /** Unix nanoseconds. */
    readonly ns: bigint,
    /** Offset from UTC of the zone, seconds. */
    readonly offsetSec = 0,
    readonly zoneName = 'UTC',
    readonly pointer = false,
  ) {}

  get [GO_TYPE](): string {
    return this.pointer ? '*time.Time' : 'time.Time';
  }

  /** Go's zero Time (what Alertmanager's EndsAt is for a firing alert without an end). */
  static zero(): GoTime {
    return new GoTime(ZERO_TIME_NS);
  }

  /** A UTC time from Unix milliseconds. */
  static fromUnixMs(ms: number, pointer = false): GoTime {
    return new GoTime(BigInt(Math.trunc(ms)) * 1_000_000n, 0, 'UTC', pointer);
  }

  /** The time.Time a *time.Time points to. */
  deref(): GoTime {
    return new GoTime(this.ns, this.offsetSec, this.zoneName, false);
  }

  private with(ns: bigint): GoTime {
    return new GoTime(ns, this.offsetSec, this.zoneName, false);
  }

  [GO_STRING](): string {
    return formatTime(this.ns, this.offsetSec, this.zoneName, TIME_STRING_LAYOUT);
  }

  static readonly [GO_METHODS]: GoMethods = {
    String: method([], (t: GoTime) => t[GO_STRING]()),
    Format: method([T_STRING], (t: GoTime, layout: string) => formatTime(t.ns, t.offsetSec, t.zoneName, layout)),
    Unix: method([], (t: GoTime) => int64(floorDiv(t.ns, NS_PER_SEC))),
    UnixMilli: method([], (t: GoTime) => int64(floorDiv(t.ns, 1_000_000n))),
    UnixMicro: method([], (t: GoTime) => int64(floorDiv(t.ns, 1000n))),
    UnixNano: method([], (t: GoTime) => int64(t.ns)),
    Add: method([T_DURATION], (t: GoTime, d: GoDuration) => t.with(t.ns + d.value)),
    AddDate: method([T_INT, T_INT, T_INT], (t: GoTime, y: bigint, m: bigint, d: bigint) => {
      const c = civil(t.ns, t.offsetSec);
      const date = new Date(0);
      date.setUTCFullYear(c.year + Number(y), c.month - 1 + Number(m), c.day + Number(d));
      date.setUTCHours(c.hour, c.minute, c.second);
      const ns = BigInt(date.getTime()) * 1_000_000n + BigInt(c.nanosecond) - BigInt(t.offsetSec) * NS_PER_SEC;
      return t.with(ns);
    }),
    // Go's Sub saturates at the smallest and largest Duration.
    Sub: method([T_TIME], (t: GoTime, u: GoTime) => new GoDuration(clampInt64(t.ns - u.ns))),
    UTC: method([], (t: GoTime) => new GoTime(t.ns, 0, 'UTC')),
    Local: method([], (t: GoTime) => new GoTime(t.ns, 0, 'UTC')),
    Year: method([], (t: GoTime) => BigInt(civil(t.ns, t.offsetSec).year)),
    Month: method([], (t: GoTime) => month(civil(t.ns, t.offsetSec).month)),
    Day: method([], (t: GoTime) => BigInt(civil(t.ns, t.offsetSec).day)),
    Hour: method([], (t: GoTime) => BigInt(civil(t.ns, t.offsetSec).hour)),
    Minute: method([], (t: GoTime) => BigInt(civil(t.ns, t.offsetSec).minute)),
    Second: method([], (t: GoTime) => BigInt(civil(t.ns, t.offsetSec).second)),
    Nanosecond: method([], (t: GoTime) => BigInt(civil(t.ns, t.offsetSec).nanosecond)),
    YearDay: method([], (t: GoTime) => BigInt(civil(t.ns, t.offsetSec).yearDay)),
    Weekday: method([], (t: GoTime) => weekday(civil(t.ns, t.offsetSec).weekday)),
    IsZero: method([], (t: GoTime) => t.ns === ZERO_TIME_NS),
    Before: method([T_TIME], (t: GoTime, u: GoTime) => t.ns < u.ns),
    After: method([T_TIME], (t: GoTime, u: GoTime) => t.ns > u.ns),
    Equal: method([T_TIME], (t: GoTime, u: GoTime) => t.ns === u.ns),
    Truncate: method([T_DURATION], (t: GoTime, d: GoDuration) =>
      d.value <= 0n ? t.with(t.ns) : t.with(t.ns - mod(t.ns - ZERO_TIME_NS, d.value)),
    ),
    Round: method([T_DURATION], (t: GoTime, d: GoDuration) => {
      if (d.value <= 0n) return t.with(t.ns);
      const r = mod(t.ns - ZERO_TIME_NS, d.value);
      return t.with(r + r < d.value ? t.ns - r : t.ns + d.value - r);
    }),
  };
}

function clampInt64(v: bigint): bigint {
  if (v > 0x7fffffffffffffffn) return 0x7fffffffffffffffn;
  if (v < -0x8000000000000000n) return -0x8000000000000000n;
  return v;
}

function mod(a: bigint, b: bigint): bigint {
  const r = a % b;
  return r < 0n ? r + b : r;
}

function int64(v: bigint): GoScalar {
  return new GoScalar('int64', 'int', BigInt.asIntN(64, v));
}

class GoNamedInt extends GoScalar {
  constructor(
    goType: string,
    value: bigint,
    private readonly name: string,
  ) {
    super(goType, 'int', value);
  }
  [GO_STRING](): string {
    return this.name;
  }
  static readonly [GO_METHODS]: GoMethods = {
    String: method([], (r: GoNamedInt) => r.name),
  };
}

function month(m: number): GoScalar {
  return new GoNamedInt('time.Month', BigInt(m), MONTHS[m - 1]!);
}

function weekday(d: number): GoScalar {
  return new GoNamedInt('time.Weekday', BigInt(d), DAYS[d]!);
}

/** A method descriptor whose implementation takes the receiver first. */
function method<R, A extends unknown[]>(params: readonly GoType[], f: (receiver: R, ...args: A) => unknown): GoFunc {
  return { params, call: (args, _ctx, receiver) => f(receiver as R, ...(args as A)) };
}
