import { describe, expect, it } from 'vitest';
import { Prng } from '../exposition/fuzz-support.js';
import { WriteDecodeError } from './errors.js';
import { snappyCompress, snappyUncompress } from './snappy.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const MAX = 1 << 20;

/** Blocks written by a reference encoder (the C++ algorithm, as snappyjs implements it). */
const REFERENCE_BLOCKS: { name: string; block: string; plain: string }[] = [
  {
    name: 'one literal',
    block:
      '51f05057696b697065646961206973206120667265652c207765622d62617365642c20636f6c6c61626f7261746976652c206d756c74696c696e6775616c20656e6379636c6f70656469612070726f6a6563742e',
    plain: 'Wikipedia is a free, web-based, collaborative, multilingual encyclopedia project.',
  },
  {
    name: 'a run: overlapping 2-byte-offset copies',
    block: 'ac02046162fe0200fe0200fe0200fe0200a60200',
    plain: 'ab'.repeat(150),
  },
  {
    name: 'text with 1- and 2-byte-offset copies',
    block:
      '8e027874686520717569636b2062726f776e20666f78206a756d7073206f76657220011f206c617a7920646f673b050e9a2d000021ae2d00fe5a00fe5a00155a',
    plain: 'the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog! '.repeat(3),
  },
];

/** Every tag kind written by hand: literals with 0-4 length bytes, copies with 1, 2 and 4-byte offsets. */
const HAND_BLOCKS: { name: string; block: Uint8Array; plain: Uint8Array }[] = (() => {
  const lit = (n: number, lenBytes: number): { tag: number[]; data: number[] } => {
    const data = Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
    if (lenBytes === 0) return { tag: [(n - 1) << 2], data };
    const len = n - 1;
    const bytes = [len & 0xff, (len >>> 8) & 0xff, (len >>> 16) & 0xff, len >>> 24].slice(0, lenBytes);
    return { tag: [(59 + lenBytes) << 2, ...bytes], data };
  };
  const cases: { name: string; block: Uint8Array; plain: Uint8Array }[] = [];
  for (const [n, lenBytes] of [
    [1, 0],
    [60, 0],
    [61, 1],
    [300, 2],
    [70000, 3],
    [5, 4],
  ] as const) {
    const l = lit(n, lenBytes);
    const header =
      n < 128
        ? [n]
        : n < 16384
          ? [(n & 0x7f) | 0x80, n >>> 7]
          : [(n & 0x7f) | 0x80, ((n >>> 7) & 0x7f) | 0x80, n >>> 14];
    cases.push({
      name: `literal of ${n} with ${lenBytes} length bytes`,
      block: Uint8Array.from([...header, ...l.tag, ...l.data]),
      plain: Uint8Array.from(l.data),
    });
  }
  // "abcd" then copy1 (len 4, offset 4), copy2 (len 8, offset 8), copy4 (len 3, offset 1: a run).
  cases.push({
    name: 'copy1, copy2 and copy4',
    block: Uint8Array.from([
      4 + 4 + 8 + 3,
      3 << 2,
      0x61,
      0x62,
      0x63,
      0x64,
      0x01,
      0x04,
      0x02 | (7 << 2),
      8,
      0,
      0x03 | (2 << 2),
      1,
      0,
      0,
      0,
    ]),
    plain: new TextEncoder().encode('abcdabcdabcdabcdddd'),
  });
  return cases;
})();

/** Corrupt blocks, the byte offset reported, and a part of the message. */
const CORRUPT: { name: string; block: Uint8Array; offset: number; message: string }[] = [
  { name: 'empty input', block: new Uint8Array(0), offset: 0, message: 'length header is truncated' },
  {
    name: 'header without its last byte',
    block: Uint8Array.from([0x80]),
    offset: 1,
    message: 'length header is truncated',
  },
  {
    name: 'header over 32 bits',
    block: Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x10]),
    offset: 4,
    message: 'does not fit in 32 bits',
  },
  {
    name: 'literal past the end',
    block: Uint8Array.from([5, 4 << 2, 0x61]),
    offset: 1,
    message: 'literal of 5 bytes runs past the end',
  },
  {
    name: 'literal length bytes missing',
    block: Uint8Array.from([5, 62 << 2, 1]),
    offset: 1,
    message: 'literal length runs past the end',
  },
  {
    name: 'literal longer than announced',
    block: Uint8Array.from([1, 1 << 2, 0x61, 0x62]),
    offset: 1,
    message: 'overflows the announced 1 bytes',
  },
  {
    name: 'copy before any output',
    block: Uint8Array.from([4, 0x01, 0x01]),
    offset: 1,
    message: 'copy offset 1 points before the start',
  },
  { name: 'copy with offset 0', block: Uint8Array.from([5, 0, 0x61, 0x01, 0x00]), offset: 3, message: 'copy offset 0' },
  {
    name: 'copy1 without its offset byte',
    block: Uint8Array.from([5, 0, 0x61, 0x01]),
    offset: 3,
    message: 'copy runs past the end',
  },
  {
    name: 'copy2 truncated',
    block: Uint8Array.from([5, 0, 0x61, 0x02, 0x01]),
    offset: 3,
    message: 'copy runs past the end',
  },
  {
    name: 'copy4 truncated',
    block: Uint8Array.from([5, 0, 0x61, 0x03, 0x01, 0, 0]),
    offset: 3,
    message: 'copy runs past the end',
  },
  {
    name: 'copy longer than announced',
    block: Uint8Array.from([3, 0, 0x61, 0x05, 0x01]),
    offset: 3,
    message: 'overflows the announced 3 bytes',
  },
  {
    name: 'fewer bytes than announced',
    block: Uint8Array.from([8, 0, 0x61]),
    offset: 3,
    message: 'decoded 1 bytes, the header announced 8',
  },
  // Regression: snappyjs 0.7.0 loops forever on this body (a 4-byte literal length that wraps to
  // a negative number moves its read position backwards).
  {
    name: 'negative 4-byte literal length',
    block: Uint8Array.from([10, 63 << 2, 0xfa, 0xff, 0xff, 0xff, 0, 0, 0]),
    offset: 1,
    message: 'runs past the end of the input',
  },
];

describe('snappyUncompress', () => {
  it.each(REFERENCE_BLOCKS)('reference block: $name', ({ block, plain }) => {
    expect(text(snappyUncompress(hex(block), MAX))).toBe(plain);
  });

  it.each(HAND_BLOCKS)('$name', ({ block, plain }) => {
    expect(snappyUncompress(block, MAX)).toEqual(plain);
  });

  it.each(CORRUPT)('corrupt: $name', ({ block, offset, message }) => {
    let err: unknown;
    try {
      snappyUncompress(block, MAX);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WriteDecodeError);
    const e = err as WriteDecodeError;
    expect(e.code).toBe('WK_REMOTE_WRITE_SNAPPY');
    expect(e.offset).toBe(offset);
    expect(e.message).toContain(message);
    expect(e.message).toContain(`at byte ${offset}`);
  });

  it('refuses an announced size over the limit before allocating it', () => {
    // Announces 4 GiB - 1 in a 6-byte body.
    const block = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0]);
    let err: unknown;
    try {
      snappyUncompress(block, MAX);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WriteDecodeError);
    expect((err as WriteDecodeError).code).toBe('WK_REMOTE_WRITE_TOO_LARGE');
    expect((err as WriteDecodeError).message).toContain('4294967295 bytes');
    expect(snappyUncompress(Uint8Array.from([3, 2 << 2, 1, 2, 3]), 3)).toEqual(Uint8Array.from([1, 2, 3]));
    expect(() => snappyUncompress(Uint8Array.from([3, 2 << 2, 1, 2, 3]), 2)).toThrow(/more than the limit of 2 bytes/);
  });
});

describe('snappyCompress', () => {
  it('round-trips text, runs, random and empty input, and compresses what repeats', () => {
    const rng = new Prng(42);
    const inputs: Uint8Array[] = [
      new Uint8Array(0),
      Uint8Array.from([7]),
      new TextEncoder().encode('abcd'),
      new Uint8Array(100_000),
      rng.bytes(70_000),
      new TextEncoder().encode('http_requests_total{method="GET",route="/api/v1/vessels"} '.repeat(2_000)),
    ];
    // Long repeats at every distance around the 64 KiB offset limit.
    const far = new Uint8Array(200_000);
    far.set(rng.bytes(1000), 0);
    far.set(far.subarray(0, 1000), 65_000);
    far.set(far.subarray(0, 1000), 140_000);
    inputs.push(far);
    for (const input of inputs) {
      const block = snappyCompress(input);
      // Buffer.equals: vitest's deep equality is slow on arrays of 100 KB.
      expect(Buffer.from(snappyUncompress(block, 1 << 24)).equals(input)).toBe(true);
      expect(block.length).toBeLessThanOrEqual(32 + input.length + Math.ceil(input.length / 6));
    }
    expect(snappyCompress(inputs[3]!).length).toBeLessThan(6_000);
    // Copies hold at most 64 bytes (3 bytes each): about 21:1 at best.
    expect(snappyCompress(inputs[5]!).length).toBeLessThan(inputs[5]!.length / 15);
  });

  it('its blocks decode the same with the reference blocks as a cross-check', () => {
    for (const { plain } of REFERENCE_BLOCKS) {
      const input = new TextEncoder().encode(plain);
      expect(snappyUncompress(snappyCompress(input), MAX)).toEqual(input);
    }
  });
});
