/**
 * Go-compatible float formatting. JS's `Number.prototype.toString` gives the shortest round-trip
 * digits, as Go does, but spells exponents and infinities differently.
 */

/** Shortest round-trip decimal digits and exponent: v = 0.d1d2d3... × 10^exp10. */
function shortestDigits(v: number): { digits: string; exp10: number } {
  const s = Math.abs(v).toExponential(); // shortest round-trip, e.g. "1.2345e+21"
  const [mant, exp] = s.split('e') as [string, string];
  const digits = mant.replace('.', '');
  return { digits, exp10: Number(exp) + 1 };
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): plain decimal, never an exponent. */
export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const sign = v < 0 ? '-' : '';
  const { digits, exp10 } = shortestDigits(v);
  if (exp10 <= 0) return `${sign}0.${'0'.repeat(-exp10)}${digits}`;
  if (exp10 >= digits.length) return `${sign}${digits}${'0'.repeat(exp10 - digits.length)}`;
  return `${sign}${digits.slice(0, exp10)}.${digits.slice(exp10)}`;
}

/**
 * Go's strconv.FormatFloat(v, 'g', -1, 64) (also what `%g`/`%v` print for float64): exponent form
 * when the decimal exponent is < -4 or >= 6 (Go's rule for the shortest representation).
 */
export function formatFloatG(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const sign = v < 0 ? '-' : '';
  const { digits, exp10 } = shortestDigits(v);
  const x = exp10 - 1; // exponent of d1.d2d3...
  if (x < -4 || x >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(x);
    return `${sign}${mant}e${x < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return formatFloatF(v);
}

/** Go's strconv.FormatFloat(v, 'e', -1, 64): `1e-07`, `1.5e+21`. */
export function formatFloatE(v: number): string {
  if (!Number.isFinite(v) || v === 0) return formatFloatG(v);
  const sign = v < 0 ? '-' : '';
  const { digits, exp10 } = shortestDigits(v);
  const x = exp10 - 1;
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(x);
  return `${sign}${mant}e${x < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
}

/**
 * A sample value as Prometheus's HTTP API writes it (util/jsonutil, strconv.AppendFloat): plain
 * decimal, except exponent form below 1e-6 and from 1e21; `+Inf`, `-Inf`, `NaN`; zero keeps its
 * sign (`-0`).
 */
export function formatPromValue(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const a = Math.abs(v);
  if (Number.isFinite(v) && (a < 1e-6 || a >= 1e21)) return formatFloatE(v);
  return formatFloatF(v);
}

/** A Unix-ms timestamp as the API's JSON number of seconds: `1700000000`, `1700000000.5` → `.500`. */
export function formatPromTimestamp(ms: number): string {
  const sec = Math.trunc(ms / 1000);
  const rem = Math.abs(ms % 1000);
  const sign = ms < 0 && sec === 0 ? '-' : '';
  return rem === 0 ? `${sign}${sec}` : `${sign}${sec}.${String(rem).padStart(3, '0')}`;
}

/** OpenMetrics' canonical float text: Go's shortest form with `.0` added to integers (`1.0`, `0.25`, `NaN`). */
export function formatOpenMetricsFloat(v: number): string {
  const s = formatFloatG(v);
  return /^[+-]?\d+$/.test(s) ? `${s}.0` : s;
}
