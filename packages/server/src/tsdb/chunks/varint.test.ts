import { describe, expect, it } from 'vitest';
import {
  MAX_VARINT_BYTES,
  VARINT_OVERFLOW,
  VARINT_TRUNCATED,
  VARINT_UNSAFE,
  getUvarint,
  getUvarintDelta,
  getVarint,
  getVarintDelta,
  putUvarint,
  putUvarintDelta,
  putVarint,
  putVarintDelta,
  type VarintValue,
} from './varint.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function bytesOf(put: (buf: Uint8Array, pos: number) => number): number[] {
  const buf = new Uint8Array(MAX_VARINT_BYTES);
  return Array.from(buf.subarray(0, put(buf, 0)));
}

interface GoCase {
  n: number;
  /** What Go's binary.PutVarint / PutUvarint write. */
  varint: number[];
  uvarint?: number[];
}

const GO_CASES: GoCase[] = [
  { n: 0, varint: [0x00], uvarint: [0x00] },
  { n: 1, varint: [0x02], uvarint: [0x01] },
  { n: -1, varint: [0x01] },
  { n: 63, varint: [0x7e], uvarint: [0x3f] },
  { n: -64, varint: [0x7f] },
  { n: 64, varint: [0x80, 0x01], uvarint: [0x40] },
  { n: 300, varint: [0xd8, 0x04], uvarint: [0xac, 0x02] },
  { n: 1000, varint: [0xd0, 0x0f], uvarint: [0xe8, 0x07] },
  {
    n: MAX_SAFE,
    varint: [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f],
    uvarint: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f],
  },
  { n: -MAX_SAFE, varint: [0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f] },
];

describe('varints', () => {
  it.each(GO_CASES)('writes $n as Go does and reads it back', ({ n, varint, uvarint }) => {
    const out: VarintValue = { value: NaN };
    expect(bytesOf((b, p) => putVarint(b, p, n))).toEqual(varint);
    expect(getVarint(Uint8Array.from(varint), 0, varint.length, out)).toBe(varint.length);
    expect(out.value).toBe(n);
    if (uvarint !== undefined) {
      expect(bytesOf((b, p) => putUvarint(b, p, n))).toEqual(uvarint);
      expect(getUvarint(Uint8Array.from(uvarint), 0, uvarint.length, out)).toBe(uvarint.length);
      expect(out.value).toBe(n);
    }
  });

  interface DeltaCase {
    cur: number;
    prev: number;
  }
  const DELTAS: DeltaCase[] = [
    { cur: MAX_SAFE, prev: -MAX_SAFE },
    { cur: -MAX_SAFE, prev: MAX_SAFE },
    { cur: MAX_SAFE - 1, prev: -MAX_SAFE },
    { cur: 2 ** 52 + 1, prev: -(2 ** 52) },
    { cur: 5, prev: 3 },
  ];
  it.each(DELTAS)('carries the exact delta from $prev to $cur', ({ cur, prev }) => {
    const out: VarintValue = { value: NaN };
    const buf = new Uint8Array(MAX_VARINT_BYTES);
    let len = putVarintDelta(buf, 0, cur, prev);
    expect(getVarintDelta(buf, 0, len, prev, out)).toBe(len);
    expect(out.value).toBe(cur);
    if (cur >= prev) {
      len = putUvarintDelta(buf, 0, cur, prev);
      expect(getUvarintDelta(buf, 0, len, prev, out)).toBe(len);
      expect(out.value).toBe(cur);
    }
  });

  interface BadCase {
    name: string;
    bytes: number[];
    code: number;
  }
  const BAD: BadCase[] = [
    { name: 'empty', bytes: [], code: VARINT_TRUNCATED },
    { name: 'cut', bytes: [0x80, 0x80], code: VARINT_TRUNCATED },
    { name: '11 bytes', bytes: [...new Array<number>(10).fill(0x80), 0x01], code: VARINT_OVERFLOW },
    { name: 'a 65th bit', bytes: [...new Array<number>(9).fill(0x80), 0x02], code: VARINT_OVERFLOW },
    { name: '2^53', bytes: [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10], code: VARINT_UNSAFE },
  ];
  it.each(BAD)('rejects $name', ({ bytes, code }) => {
    expect(getUvarint(Uint8Array.from(bytes), 0, bytes.length, { value: 0 })).toBe(code);
  });
});
