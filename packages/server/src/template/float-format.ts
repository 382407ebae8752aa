/**
 * Go's strconv.FormatFloat(v, fmt, prec, 64) for every format fmt's verbs use: `e E f g G x X b`,
 * with a precision or shortest (`prec < 0`). Fixed precisions round the exact binary value half
 * to even, as Go does (JS's toFixed/toPrecision round ties away from zero: `%.0f` of 2.5 is `2`
 * in Go, `3` in JS), so the digits are computed exactly with BigInt.
 */
import { formatFloatE, formatFloatF, formatFloatG } from '../lib/format-number.js';

/** Decimal digits without trailing zeros; the value is 0.d1d2d3... × 10^dp. Zero is `d: ''`. */
interface Decimal {
  d: string;
  dp: number;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** Mantissa and binary exponent of |v|: |v| = mant × 2^exp, as Go's float64 unpacking. */
function unpack(v: number): { mant: bigint; exp: number } {
  f64[0] = v;
  const bits = u64[0]!;
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  if (exp === 0) exp = 1;
  else mant |= 1n << 52n;
  return { mant, exp: exp - 1075 };
}

/** The exact decimal expansion of |v| (finite). */
function exactDecimal(v: number): Decimal {
  if (v === 0) return { d: '', dp: 0 };
  const { mant, exp } = unpack(v);
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 0x30) end--;
  return { d: digits.slice(0, end), dp };
}

/** Shortest round-trip digits of |v| (finite, non-zero), as Go's Ryu shortest. */
function shortestDecimal(v: number): Decimal {
  if (v === 0) return { d: '', dp: 0 };
  const s = Math.abs(v).toExponential();
  const e = s.indexOf('e');
  const digits = s.slice(0, e).replace('.', '');
  return { d: digits, dp: Number(s.slice(e + 1)) + 1 };
}

/** Go's decimal.Round(nd): half to even on the exact digits; trailing zeros trimmed. */
function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  const c = a.d.charCodeAt(nd);
  let up: boolean;
  if (c === 0x35 && nd + 1 === a.d.length) up = nd > 0 && (a.d.charCodeAt(nd - 1) - 0x30) % 2 === 1;
  else up = c >= 0x35;
  if (!up) {
    let end = nd;
    while (end > 0 && a.d.charCodeAt(end - 1) === 0x30) end--;
    return end === 0 ? { d: '', dp: 0 } : { d: a.d.slice(0, end), dp: a.dp };
  }
  for (let i = nd - 1; i >= 0; i--) {
    const ch = a.d.charCodeAt(i);
    if (ch < 0x39) return { d: a.d.slice(0, i) + String.fromCharCode(ch + 1), dp: a.dp };
  }
  return { d: '1', dp: a.dp + 1 };
}

function fmtE(neg: boolean, digs: Decimal, prec: number, fmt: string): string {
  let out = neg ? '-' : '';
  out += digs.d.length > 0 ? digs.d[0] : '0';
  if (prec > 0) {
    out += '.';
    const m = Math.min(digs.d.length, prec + 1);
    if (m > 1) out += digs.d.slice(1, m);
    out += '0'.repeat(Math.max(0, prec + 1 - Math.max(m, 1)));
  }
  out += fmt;
  let exp = digs.d.length === 0 ? 0 : digs.dp - 1;
  out += exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  out += exp < 10 ? `0${exp}` : String(exp);
  return out;
}

function fmtF(neg: boolean, digs: Decimal, prec: number): string {
  let out = neg ? '-' : '';
  if (digs.dp > 0) {
    const m = Math.min(digs.d.length, digs.dp);
    out += digs.d.slice(0, m) + '0'.repeat(digs.dp - m);
  } else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      const j = digs.dp + i;
      out += j >= 0 && j < digs.d.length ? digs.d[j] : '0';
    }
  }
  return out;
}

function fmtX(v: number, prec: number, upper: boolean): string {
  const neg = v < 0 || Object.is(v, -0);
  let { mant, exp } = unpack(v);
  // fmtX wants |v| = mant/2^52 × 2^exp (Go's unbiased exponent): shift the leading 1 to bit 60.
  exp += 52;
  if (mant === 0n) exp = 0;
  mant <<= 8n;
  const bit60 = 1n << 60n;
  while (mant !== 0n && (mant & bit60) === 0n) {
    mant <<= 1n;
    exp--;
  }
  const mask60 = bit60 - 1n;
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & mask60;
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = upper ? '0123456789ABCDEF' : '0123456789abcdef';
  let out = neg ? '-' : '';
  out += '0' + (upper ? 'X' : 'x') + ((mant >> 60n) & 1n).toString();
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  const digitOf = (m: bigint): string => hex[Number((m >> 60n) & 15n)]!;
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) {
      out += digitOf(mant);
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      out += digitOf(mant);
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  }
  out += upper ? 'P' : 'p';
  out += exp < 0 ? '-' : '+';
  const e = Math.abs(exp);
  out += e < 10 ? `0${e}` : String(e);
  return out;
}

function fmtB(v: number): string {
  const neg = v < 0 || Object.is(v, -0);
  const { mant, exp } = unpack(v);
  return `${neg ? '-' : ''}${mant}p${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
}

export type FloatFormat = 'e' | 'E' | 'f' | 'g' | 'G' | 'x' | 'X' | 'b';

/** Go's strconv.FormatFloat(v, fmt, prec, 64); `prec < 0` is the shortest representation. */
export function formatFloat(v: number, fmt: FloatFormat, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (fmt === 'x' || fmt === 'X') return fmtX(v, prec, fmt === 'X');
  if (fmt === 'b') return fmtB(v);
  const neg = v < 0 || Object.is(v, -0);
  const shortest = prec < 0;
  if (shortest) {
    if (fmt === 'g') return formatFloatG(v);
    if (fmt === 'e' && v !== 0) return formatFloatE(v);
    if (fmt === 'f') return formatFloatF(v);
  }
  let digs: Decimal;
  if (shortest) {
    digs = shortestDecimal(v);
    if (fmt === 'e' || fmt === 'E') prec = Math.max(digs.d.length - 1, 0);
    else prec = digs.d.length;
  } else {
    digs = exactDecimal(v);
    switch (fmt) {
      case 'e':
      case 'E':
        digs = roundDecimal(digs, prec + 1);
        break;
      case 'f':
        digs = roundDecimal(digs, digs.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        digs = roundDecimal(digs, prec);
    }
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, digs, prec, fmt);
    case 'f':
      return fmtF(neg, digs, prec);
    default: {
      let eprec = prec;
      const nd = digs.d.length;
      if (eprec > nd && nd >= digs.dp) eprec = nd;
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > nd) prec = nd;
        return fmtE(neg, digs, prec - 1, fmt === 'g' ? 'e' : 'E');
      }
      if (prec > digs.dp) prec = nd;
      return fmtF(neg, digs, Math.max(prec - digs.dp, 0));
    }
  }
}
