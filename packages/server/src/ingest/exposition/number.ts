/**
 * Number tokens of the exposition formats, scanned in place (no regex, no substring on the common
 * path). Values follow Go's `strconv.ParseFloat` as Prometheus calls it: decimal and exponent forms,
 * `Inf`/`Infinity` with an optional sign and `NaN` in any case; no hex floats and no `_` (Prometheus
 * rejects `p`, `P` and `_`). A finite token that overflows a float64 is an error, as in Go.
 */

const CH_0 = 0x30;
const CH_9 = 0x39;
const CH_PLUS = 0x2b;
const CH_MINUS = 0x2d;
const CH_DOT = 0x2e;
const CH_E = 0x45;
const CH_LOWER_E = 0x65;

/** Exact powers of ten: every one up to 1e22 is a float64 without rounding (Clinger's fast path). */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/**
 * The float in `s[start, end)`, or undefined when the token is not a float or overflows.
 * Mantissas of at most 15 digits with a small exponent are computed exactly without leaving the
 * string (one correctly rounded multiplication or division); the rest goes through `Number`.
 */
export function scanFloat(s: string, start: number, end: number): number | undefined {
  let i = start;
  if (i >= end) return undefined;
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === CH_PLUS || c === CH_MINUS) {
    neg = c === CH_MINUS;
    if (++i >= end) return undefined;
    c = s.charCodeAt(i);
  }
  if ((c < CH_0 || c > CH_9) && c !== CH_DOT) return scanSpecial(s, start, i, end, neg);

  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  while (i < end && (c = s.charCodeAt(i)) >= CH_0 && c <= CH_9) {
    mantissa = mantissa * 10 + (c - CH_0);
    digits++;
    i++;
  }
  if (i < end && c === CH_DOT) {
    i++;
    while (i < end && (c = s.charCodeAt(i)) >= CH_0 && c <= CH_9) {
      mantissa = mantissa * 10 + (c - CH_0);
      digits++;
      fractionDigits++;
      i++;
    }
  }
  if (digits === 0) return undefined;
  let exponent = 0;
  if (i < end) {
    if (c !== CH_E && c !== CH_LOWER_E) return undefined;
    i++;
    let expNeg = false;
    if (i < end) {
      c = s.charCodeAt(i);
      if (c === CH_PLUS || c === CH_MINUS) {
        expNeg = c === CH_MINUS;
        i++;
      }
    }
    let expDigits = 0;
    while (i < end && (c = s.charCodeAt(i)) >= CH_0 && c <= CH_9) {
      // Saturate: anything past 1e6 is ±Inf or 0 anyway, and Number() below decides.
      if (exponent < 1_000_000) exponent = exponent * 10 + (c - CH_0);
      expDigits++;
      i++;
    }
    if (expDigits === 0 || i !== end) return undefined;
    if (expNeg) exponent = -exponent;
  }
  if (digits <= 15) {
    const e10 = exponent - fractionDigits;
    if (e10 === 0) return neg ? -mantissa : mantissa;
    if (e10 > 0 && e10 <= 22) return neg ? -(mantissa * POW10[e10]!) : mantissa * POW10[e10]!;
    if (e10 < 0 && e10 >= -22) return neg ? -(mantissa / POW10[-e10]!) : mantissa / POW10[-e10]!;
  }
  const v = Number(s.slice(start, end));
  return Number.isFinite(v) ? v : undefined;
}

/** `Inf`, `Infinity` (signed or not) and `NaN` (unsigned), in any case. */
function scanSpecial(s: string, start: number, i: number, end: number, neg: boolean): number | undefined {
  const len = end - i;
  if (len === 3) {
    const w = s.slice(i, end).toLowerCase();
    if (w === 'inf') return neg ? -Infinity : Infinity;
    if (w === 'nan' && i === start) return NaN;
    return undefined;
  }
  if (len === 8 && s.slice(i, end).toLowerCase() === 'infinity') return neg ? -Infinity : Infinity;
  return undefined;
}

/** Decimal float syntax; used only to explain a refused token (the error path). */
const DECIMAL_SYNTAX = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Why `scanFloat` refused the token: bad syntax, or a well-formed number beyond float64's range. */
export function describeBadFloat(s: string, start: number, end: number): 'not a float' | 'out of range' {
  return DECIMAL_SYNTAX.test(s.slice(start, end)) ? 'out of range' : 'not a float';
}

/**
 * An integer in `s[start, end)` (optional `-`, decimal digits only), or undefined when the token is
 * not one or lies outside ±2^53 (a JS number would no longer hold it exactly).
 */
export function scanInteger(s: string, start: number, end: number): number | undefined {
  let i = start;
  if (i >= end) return undefined;
  let neg = false;
  if (s.charCodeAt(i) === CH_MINUS) {
    neg = true;
    if (++i >= end) return undefined;
  }
  if (end - i > 15) {
    for (let j = i; j < end; j++) {
      const c = s.charCodeAt(j);
      if (c < CH_0 || c > CH_9) return undefined;
    }
    const v = Number(s.slice(start, end));
    return Number.isSafeInteger(v) ? v : undefined;
  }
  let v = 0;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < CH_0 || c > CH_9) return undefined;
    v = v * 10 + (c - CH_0);
  }
  return neg ? -v : v;
}

/** True when `s[start, end)` is an optional `-` followed by digits (used to tell "out of range" from "not an integer"). */
export function isIntegerSyntax(s: string, start: number, end: number): boolean {
  let i = start;
  if (i < end && s.charCodeAt(i) === CH_MINUS) i++;
  if (i >= end) return false;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < CH_0 || c > CH_9) return false;
  }
  return true;
}
