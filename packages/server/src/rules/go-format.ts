/**
 * How Prometheus 2.42 prints and parses the values rule files and `promtool` show: Go's `%q`,
 * `time.Duration` and `model.Duration` strings, RFC 3339 times and `%E` floats.
 */
import { formatFloatE } from '../lib/format-number.js';

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's strconv.Quote (what `%q` prints for a string). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    if (PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}

/** Go's strconv.FormatFloat(v, 'E', -1, 64): `5E+00`, `1.5E-07`, `+Inf`, `NaN`. */
export function formatFloatUpperE(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0E+00' : '0E+00';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  return formatFloatE(v).replace('e', 'E');
}

/** Go's strconv.FormatFloat(v, 'e', -1, 64), as Prometheus's API prints alert values. */
export function formatFloatLowerE(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0e+00' : '0e+00';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  return formatFloatE(v);
}

const MODEL_UNITS: readonly [string, number, boolean][] = [
  ['y', 365 * 86_400_000, true],
  ['w', 7 * 86_400_000, true],
  ['d', 86_400_000, false],
  ['h', 3_600_000, false],
  ['m', 60_000, false],
  ['s', 1000, false],
  ['ms', 1, false],
];

/** prometheus/common's model.Duration.String(): `1h30m`, `90d` (years and weeks only when exact), `0s`. */
export function formatModelDuration(ms: number): string {
  let rest = Math.trunc(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size, exact] of MODEL_UNITS) {
    if (exact && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

const MODEL_DURATION_RE =
  /^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;
const MAX_DURATION_MS = 9_223_372_036_854; // math.MaxInt64 nanoseconds, in milliseconds

/** prometheus/common's model.ParseDuration, in milliseconds; a string with Go's message on failure. */
export function parseModelDuration(s: string): { ms: number } | { error: string } {
  if (s === '0') return { ms: 0 };
  if (s === '') return { error: 'empty duration string' };
  const m = MODEL_DURATION_RE.exec(s);
  if (!m) return { error: `not a valid duration string: ${goQuote(s)}` };
  let ms = 0;
  for (let i = 0; i < MODEL_UNITS.length; i++) {
    const part = m[i + 1];
    if (part === undefined) continue;
    ms += Number(part) * MODEL_UNITS[i]![1];
  }
  if (ms > MAX_DURATION_MS) return { error: 'duration out of range' };
  return { ms };
}

/** Go's time.Duration.String() for a whole number of milliseconds: `1m0s`, `1h2m3.5s`, `500ms`, `0s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(Math.trunc(ms));
  const sign = neg ? '-' : '';
  if (rest < 1000) return `${sign}${rest}ms`;
  const frac = rest % 1000;
  rest = Math.floor(rest / 1000);
  const seconds = rest % 60;
  rest = Math.floor(rest / 60);
  const fracText = frac === 0 ? '' : `.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
  let out = `${seconds}${fracText}s`;
  if (rest > 0) {
    out = `${rest % 60}m${out}`;
    rest = Math.floor(rest / 60);
    if (rest > 0) out = `${rest}h${out}`;
  }
  return sign + out;
}

/** Go's time.Time JSON encoding (RFC 3339 with trailing zeros of the fraction dropped), in UTC. */
export function formatRfc3339(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2006-01-02T15:04:05.000Z
  return iso.replace(/\.000Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z');
}

/** Go's zero time.Time as JSON (what Prometheus reports for a rule never evaluated). */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';
