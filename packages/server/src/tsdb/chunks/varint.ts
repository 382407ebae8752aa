/**
 * Go's `encoding/binary` varints (LEB128; signed ones zigzag-encoded) for integers that a JS number
 * holds exactly (|n| ≤ 2^53 − 1), written and read without losing precision. Differences of two such
 * integers can reach 2^54 and are not always representable as numbers; the `*Delta` functions take
 * or return the two endpoints and go through BigInt only in that rare case.
 */

/** The longest varint of a 64-bit value. */
export const MAX_VARINT_BYTES = 10;

/** Below this bound every integer a number holds is exact: a sum or difference computed below it is exact. */
const EXACT_BOUND = 2 ** 53;

/** Result codes of the `get*` functions (negative, so they cannot be mistaken for a position). */
export const VARINT_TRUNCATED = -1;
/** More than 10 bytes, or a value above 64 bits. */
export const VARINT_OVERFLOW = -2;
/** A well-formed varint whose value (or endpoint) is not a safe integer. */
export const VARINT_UNSAFE = -3;

/** Where the `get*` functions leave the value they decoded. */
export interface VarintValue {
  value: number;
}

/** Writes `n` (a safe non-negative integer) at `buf[pos]`; returns the position after it. */
export function putUvarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[pos++] = n;
  return pos;
}

/** Writes `n` (a safe integer) zigzag-encoded, as Go's `binary.PutVarint`. */
export function putVarint(buf: Uint8Array, pos: number, n: number): number {
  // zigzag(n) = 2a + s with a = n or −n − 1: computing 2a + 1 directly can round above 2^53.
  const s = n < 0 ? 1 : 0;
  const a = n < 0 ? -n - 1 : n;
  const low = (a % 64) * 2 + s;
  const rest = Math.floor(a / 64);
  if (rest === 0) {
    buf[pos++] = low;
    return pos;
  }
  buf[pos++] = low | 0x80;
  return putUvarint(buf, pos, rest);
}

/** Writes `n` (0 ≤ n < 2^64) as a uvarint. */
export function putUvarintBig(buf: Uint8Array, pos: number, n: bigint): number {
  let u = BigInt.asUintN(64, n);
  while (u >= 0x80n) {
    buf[pos++] = Number(u & 0x7fn) | 0x80;
    u >>= 7n;
  }
  buf[pos++] = Number(u);
  return pos;
}

/** Writes the exact `cur − prev` (both safe integers) zigzag-encoded. */
export function putVarintDelta(buf: Uint8Array, pos: number, cur: number, prev: number): number {
  const d = cur - prev;
  if (d < EXACT_BOUND && d > -EXACT_BOUND) return putVarint(buf, pos, d);
  const big = BigInt(cur) - BigInt(prev);
  return putUvarintBig(buf, pos, (big << 1n) ^ (big < 0n ? -1n : 0n));
}

/** Writes the exact `cur − prev` (both safe integers, cur ≥ prev) as a uvarint. */
export function putUvarintDelta(buf: Uint8Array, pos: number, cur: number, prev: number): number {
  const d = cur - prev;
  if (d < EXACT_BOUND) return putUvarint(buf, pos, d);
  return putUvarintBig(buf, pos, BigInt(cur) - BigInt(prev));
}

/**
 * Scans a varint at `buf[pos..end)`: returns its length in bytes, or a negative code. Go's check:
 * the 10th byte may only hold the 64th bit.
 */
function varintLength(buf: Uint8Array, pos: number, end: number): number {
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (pos + i >= end) return VARINT_TRUNCATED;
    const b = buf[pos + i]!;
    if (b < 0x80) {
      if (i === MAX_VARINT_BYTES - 1 && b > 1) return VARINT_OVERFLOW;
      return i + 1;
    }
  }
  return VARINT_OVERFLOW;
}

/** The value of a varint of `len` ≤ 7 bytes (below 2^49, so exact). */
function smallValue(buf: Uint8Array, pos: number, len: number): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < len; i++) {
    v += (buf[pos + i]! & 0x7f) * mul;
    mul *= 0x80;
  }
  return v;
}

function bigValue(buf: Uint8Array, pos: number, len: number): bigint {
  let v = 0n;
  for (let i = len - 1; i >= 0; i--) v = (v << 7n) | BigInt(buf[pos + i]! & 0x7f);
  return v;
}

function safeFromBig(v: bigint, out: VarintValue): boolean {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) return false;
  out.value = Number(v);
  return true;
}

/** Reads a uvarint that must be a safe integer into `out.value`; returns the next position or a negative code. */
export function getUvarint(buf: Uint8Array, pos: number, end: number, out: VarintValue): number {
  const b = buf[pos];
  // One-byte fast path: most lengths, counts and small deltas.
  if (b !== undefined && b < 0x80 && pos < end) {
    out.value = b;
    return pos + 1;
  }
  return getUvarintDelta(buf, pos, end, 0, out);
}

/** Reads a uvarint `d` and leaves `prev + d` (which must be a safe integer) in `out.value`. */
export function getUvarintDelta(buf: Uint8Array, pos: number, end: number, prev: number, out: VarintValue): number {
  const len = varintLength(buf, pos, end);
  if (len < 0) return len;
  if (len <= 7) {
    const v = prev + smallValue(buf, pos, len);
    if (!Number.isSafeInteger(v)) return VARINT_UNSAFE;
    out.value = v;
  } else if (!safeFromBig(BigInt(prev) + bigValue(buf, pos, len), out)) {
    return VARINT_UNSAFE;
  }
  return pos + len;
}

/** Reads a zigzag varint `d` and leaves `prev + d` (which must be a safe integer) in `out.value`. */
export function getVarintDelta(buf: Uint8Array, pos: number, end: number, prev: number, out: VarintValue): number {
  const len = varintLength(buf, pos, end);
  if (len < 0) return len;
  if (len <= 7) {
    const z = smallValue(buf, pos, len);
    const v = prev + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
    if (!Number.isSafeInteger(v)) return VARINT_UNSAFE;
    out.value = v;
  } else {
    const z = bigValue(buf, pos, len);
    if (!safeFromBig(BigInt(prev) + ((z >> 1n) ^ -(z & 1n)), out)) return VARINT_UNSAFE;
  }
  return pos + len;
}

/** Reads a zigzag varint that must be a safe integer into `out.value`. */
export function getVarint(buf: Uint8Array, pos: number, end: number, out: VarintValue): number {
  return getVarintDelta(buf, pos, end, 0, out);
}
