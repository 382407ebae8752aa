import { describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { STALE_NAN_HI, STALE_NAN_LO } from '../../lib/stale.js';
import {
  ChunkCorruptError,
  XOR_CHUNK_MAX_SAMPLES,
  XorChunkEncoder,
  chunkSampleCount,
  decodeChunk,
} from './xor-chunk.js';

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A value given by its IEEE-754 bits (high and low 32-bit words). */
interface Bits {
  hi: number;
  lo: number;
}

function bits(hi: number, lo: number): Bits {
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

function bitsOfNumber(v: number): Bits {
  const f = new Float64Array([v]);
  const u = new Uint32Array(f.buffer);
  return LE ? bits(u[1]!, u[0]!) : bits(u[0]!, u[1]!);
}

function bitsAt(vals: Float64Array, i: number): Bits {
  const u = new Uint32Array(vals.buffer, vals.byteOffset + i * 8, 2);
  return LE ? bits(u[1]!, u[0]!) : bits(u[0]!, u[1]!);
}

function hex(b: Bits): string {
  return b.hi.toString(16).padStart(8, '0') + b.lo.toString(16).padStart(8, '0');
}

/** mulberry32: a small seeded PRNG, so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function encode(ts: readonly number[], vals: readonly Bits[]): Uint8Array {
  const enc = new XorChunkEncoder();
  for (let i = 0; i < ts.length; i++) enc.appendBits(ts[i]!, vals[i]!.hi, vals[i]!.lo);
  return enc.bytes();
}

function expectRoundTrip(ts: readonly number[], vals: readonly Bits[]): Uint8Array {
  const chunk = encode(ts, vals);
  const out = decodeChunk(chunk);
  expect(out.count).toBe(ts.length);
  expect(Array.from(out.ts)).toEqual(ts);
  const got = Array.from({ length: out.count }, (_, i) => hex(bitsAt(out.vals, i)));
  expect(got).toEqual(vals.map(hex));
  return chunk;
}

const STALE = bits(STALE_NAN_HI, STALE_NAN_LO);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

interface RoundTripCase {
  name: string;
  ts: number[];
  vals: Bits[];
}

const ONE = bitsOfNumber(1);
const n = (v: number): Bits => bitsOfNumber(v);
const every15s = (count: number, start = 1_700_000_000_000): number[] =>
  Array.from({ length: count }, (_, i) => start + i * 15_000);

const ROUND_TRIP_CASES: RoundTripCase[] = [
  { name: 'one sample', ts: [1_700_000_000_000], vals: [n(42)] },
  { name: 'two samples', ts: [0, 1], vals: [n(1), n(2)] },
  { name: 'constant value', ts: every15s(120), vals: Array.from({ length: 120 }, () => n(3.5)) },
  { name: 'counter', ts: every15s(120), vals: Array.from({ length: 120 }, (_, i) => n(i * 17)) },
  {
    name: 'special values',
    ts: every15s(12),
    vals: [
      n(0),
      n(-0),
      n(Infinity),
      n(-Infinity),
      n(NaN),
      STALE,
      n(Number.MIN_VALUE),
      n(-Number.MAX_VALUE),
      STALE,
      n(0),
      n(-0),
      STALE,
    ],
  },
  {
    name: 'NaN payloads',
    ts: every15s(6),
    vals: [
      bits(0x7ff00000, 1),
      bits(0xfff80000, 0),
      bits(0x7ff80000, 0xdeadbeef),
      bits(0xffffffff, 0xffffffff),
      STALE,
      bits(0x7ff00000, 1),
    ],
  },
  {
    name: 'negative timestamps',
    ts: [-1_000_000, -985_000, -970_000, -1, 0, 1],
    vals: Array.from({ length: 6 }, () => ONE),
  },
  {
    name: 'extreme timestamps: deltas of 2^54 - 2',
    ts: [-MAX_SAFE, 0, MAX_SAFE],
    vals: [n(1), n(2), n(3)],
  },
  {
    name: 'extreme timestamps: odd delta above 2^53',
    ts: [-MAX_SAFE, MAX_SAFE - 1, MAX_SAFE],
    vals: [n(1), n(2), n(3)],
  },
  {
    name: 'extreme timestamps: huge negative delta of delta',
    ts: [-MAX_SAFE, MAX_SAFE - 2, MAX_SAFE - 1, MAX_SAFE],
    vals: [n(1), n(2), n(3), n(4)],
  },
  {
    name: 'delta-of-delta bucket edges',
    // After a first delta of 4e12 ms each dod below is applied once, then undone by the next step.
    ts: (() => {
      const dods = [
        0,
        1,
        -1,
        8191,
        8192,
        8193,
        -8191,
        -8192,
        65535,
        65536,
        65537,
        -65535,
        -65536,
        524287,
        524288,
        524289,
        -524287,
        -524288,
        2 ** 40,
        -(2 ** 40),
      ];
      const out = [0, 4_000_000_000_000];
      let delta = 4_000_000_000_000;
      for (const dod of dods) {
        delta += dod;
        out.push(out[out.length - 1]! + delta);
        delta -= dod;
        out.push(out[out.length - 1]! + delta);
      }
      return out;
    })(),
    vals: Array.from({ length: 42 }, (_, i) => n(i)),
  },
  {
    name: 'values needing all 64 XOR bits and 31+ leading zeros',
    ts: every15s(6),
    vals: [
      bits(0, 0),
      bits(0xffffffff, 0xffffffff),
      bits(0xffffffff, 0xfffffffe),
      bits(0, 1),
      bits(0x80000000, 1),
      bits(0x80000000, 0),
    ],
  },
];

describe('XorChunkEncoder / decodeChunk', () => {
  it.each(ROUND_TRIP_CASES)('round-trips $name bit-exactly', ({ ts, vals }) => {
    expectRoundTrip(ts, vals);
  });

  it("writes Prometheus's XOR chunk bytes inside the envelope", () => {
    // Worked by hand from Prometheus's tsdb/chunkenc/xor.go: (1000, 1) (2000, 1) (3000, 2) (4001, 2).
    const chunk = encode([1000, 2000, 3000, 4001], [n(1), n(1), n(2), n(2)]);
    const prometheus = [
      0x00, 0x04, 0xd0, 0x0f, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xe8, 0x07, 0x30, 0x97, 0xff, 0xe0, 0x00, 0x40,
    ];
    expect(Array.from(chunk.subarray(1, chunk.length - 4))).toEqual(prometheus);
    expect(chunk[0]).toBe(1);
    const crc = crc32(chunk.subarray(0, chunk.length - 4));
    expect(Array.from(chunk.subarray(chunk.length - 4))).toEqual([
      crc >>> 24,
      (crc >>> 16) & 0xff,
      (crc >>> 8) & 0xff,
      crc & 0xff,
    ]);
  });

  it('encodes an empty chunk as header and checksum', () => {
    const chunk = new XorChunkEncoder().bytes();
    expect(chunk.length).toBe(7);
    expect(decodeChunk(chunk).count).toBe(0);
    expect(chunkSampleCount(chunk)).toBe(0);
  });

  it('keeps StaleNaN through append(number) when the number comes from a typed array', () => {
    const src = new Float64Array(1);
    new Uint32Array(src.buffer)[LE ? 1 : 0] = STALE_NAN_HI;
    new Uint32Array(src.buffer)[LE ? 0 : 1] = STALE_NAN_LO;
    const enc = new XorChunkEncoder();
    enc.append(1, 5);
    enc.append(2, src[0]!);
    const out = decodeChunk(enc.bytes());
    expect(hex(bitsAt(out.vals, 1))).toBe(hex(STALE));
  });

  it('round-trips random series (seeded)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rand = prng(seed);
      const count = 1 + Math.floor(rand() * 300);
      const ts: number[] = [];
      const vals: Bits[] = [];
      let t = Math.floor((rand() - 0.5) * 2 ** 45);
      let v = bits(rand() * 2 ** 32, rand() * 2 ** 32);
      for (let i = 0; i < count; i++) {
        const r = rand();
        // Gaps: mostly regular with jitter, sometimes huge.
        t +=
          r < 0.7
            ? 15_000 + Math.floor((rand() - 0.5) * 40)
            : r < 0.95
              ? 1 + Math.floor(rand() * 1e6)
              : 1 + Math.floor(rand() * 2 ** 40);
        const k = rand();
        // Values: repeats, small changes of the low bits, random bits (NaN payloads included).
        if (k < 0.3) v = bits(v.hi, v.lo);
        else if (k < 0.6) v = bits(v.hi, v.lo ^ (rand() * 0x10000));
        else if (k < 0.8) v = bits(v.hi ^ (rand() * 0x100), v.lo ^ (rand() * 2 ** 32));
        else if (k < 0.9) v = bitsOfNumber(Math.round(rand() * 1000));
        else v = bits(rand() * 2 ** 32, rand() * 2 ** 32);
        ts.push(t);
        vals.push(v);
      }
      try {
        expectRoundTrip(ts, vals);
      } catch (err) {
        throw new Error(`seed ${seed}: ${String(err)}`, { cause: err });
      }
    }
  });

  it('snapshots a growing chunk: every bytes() decodes to the samples appended so far', () => {
    const enc = new XorChunkEncoder(1);
    const ts: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = 1_000 + i * 15_000 + (i % 3);
      enc.append(t, Math.sin(i));
      ts.push(t);
      const out = decodeChunk(enc.bytes());
      expect(out.count).toBe(i + 1);
      expect(out.ts[i]).toBe(t);
      expect(out.vals[i]).toBe(Math.sin(i));
      expect(enc.minTimeMs).toBe(1_000);
      expect(enc.maxTimeMs).toBe(t);
      expect(enc.sizeBytes).toBe(enc.bytes().length);
    }
  });

  it('decodes back to back into caller arrays at an offset', () => {
    const a = encode([1, 2, 3], [n(1), n(2), n(3)]);
    const b = encode([4, 5], [n(4), STALE]);
    const ts = new Float64Array(6);
    const vals = new Float64Array(6);
    const first = decodeChunk(a, { ts, vals, offset: 0 });
    const second = decodeChunk(b, { ts, vals, offset: first.count });
    expect(second.count).toBe(2);
    expect(Array.from(ts)).toEqual([1, 2, 3, 4, 5, 0]);
    expect(Array.from(second.ts)).toEqual([4, 5]);
    expect(hex(bitsAt(vals, 4))).toBe(hex(STALE));
    expect(() => decodeChunk(a, { ts, vals, offset: 4 })).toThrow(RangeError);
  });

  interface AppendErrorCase {
    name: string;
    ts: number[];
  }
  const APPEND_ERRORS: AppendErrorCase[] = [
    { name: 'equal timestamps', ts: [5, 5] },
    { name: 'decreasing timestamps', ts: [5, 4] },
    { name: 'fractional timestamp', ts: [1.5] },
    { name: 'unsafe timestamp', ts: [2 ** 53] },
    { name: 'NaN timestamp', ts: [NaN] },
  ];
  it.each(APPEND_ERRORS)('rejects $name with a RangeError', ({ ts }) => {
    const enc = new XorChunkEncoder();
    expect(() => {
      for (const t of ts) enc.append(t, 1);
    }).toThrow(RangeError);
  });

  it(`holds at most ${XOR_CHUNK_MAX_SAMPLES} samples`, () => {
    const enc = new XorChunkEncoder(XOR_CHUNK_MAX_SAMPLES);
    for (let i = 0; i < XOR_CHUNK_MAX_SAMPLES; i++) enc.append(i, 1);
    expect(() => enc.append(XOR_CHUNK_MAX_SAMPLES, 1)).toThrow(/full/);
    expect(decodeChunk(enc.bytes()).count).toBe(XOR_CHUNK_MAX_SAMPLES);
  });
});

describe('decodeChunk on damaged input', () => {
  const good = encode(
    every15s(120),
    Array.from({ length: 120 }, (_, i) => n(i * 1.5)),
  );

  function withCrc(body: Uint8Array): Uint8Array {
    const out = new Uint8Array(body.length + 4);
    out.set(body);
    const crc = crc32(body);
    out[body.length] = crc >>> 24;
    out[body.length + 1] = (crc >>> 16) & 0xff;
    out[body.length + 2] = (crc >>> 8) & 0xff;
    out[body.length + 3] = crc & 0xff;
    return out;
  }

  function codeOf(fn: () => unknown): string {
    try {
      fn();
    } catch (err) {
      if (err instanceof ChunkCorruptError) return err.code;
      throw err;
    }
    return 'no error';
  }

  it('reports every truncation', () => {
    for (let len = 0; len < good.length; len++) {
      const code = codeOf(() => decodeChunk(good.subarray(0, len)));
      expect(code, `length ${len}`).toMatch(/^WK_CHUNK_(TRUNCATED|CHECKSUM)$/);
    }
  });

  it('reports every truncated stream even with a valid checksum', () => {
    const body = good.subarray(0, good.length - 4);
    for (let len = 3; len < body.length; len++) {
      const code = codeOf(() => decodeChunk(withCrc(body.subarray(0, len))));
      expect(code, `length ${len}`).toBe('WK_CHUNK_TRUNCATED');
    }
  });

  it('reports every single bit flip as a checksum mismatch', () => {
    for (let bit = 8; bit < good.length * 8; bit++) {
      const bad = good.slice();
      bad[bit >>> 3] = bad[bit >>> 3]! ^ (0x80 >>> (bit & 7));
      expect(
        codeOf(() => decodeChunk(bad)),
        `bit ${bit}`,
      ).toBe('WK_CHUNK_CHECKSUM');
    }
  });

  interface DamageCase {
    name: string;
    bytes: () => Uint8Array;
    code: string;
  }
  const DAMAGE: DamageCase[] = [
    { name: 'empty', bytes: () => new Uint8Array(0), code: 'WK_CHUNK_TRUNCATED' },
    {
      name: 'unknown encoding',
      bytes: () => Uint8Array.from([2, ...good.subarray(1)]),
      code: 'WK_CHUNK_UNKNOWN_ENCODING',
    },
    {
      name: 'count larger than the stream',
      bytes: () => withCrc(Uint8Array.from([1, 0xff, 0xff, ...good.subarray(3, good.length - 4)])),
      code: 'WK_CHUNK_TRUNCATED',
    },
    {
      name: 'data after the last sample',
      bytes: () => withCrc(Uint8Array.from([1, 0, 119, ...good.subarray(3, good.length - 4)])),
      code: 'WK_CHUNK_CORRUPT',
    },
    {
      name: 'a zero first delta (timestamps not increasing)',
      bytes: () => withCrc(Uint8Array.from([1, 0, 2, 0x02, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x00, 0x00])),
      code: 'WK_CHUNK_CORRUPT',
    },
    {
      name: 'a first timestamp beyond 2^53',
      bytes: () =>
        withCrc(
          Uint8Array.from([1, 0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0, 0, 0, 0, 0, 0, 0, 0]),
        ),
      code: 'WK_CHUNK_CORRUPT',
    },
    {
      name: 'an 11-byte varint',
      bytes: () => withCrc(Uint8Array.from([1, 0, 1, ...new Array<number>(10).fill(0x80), 0, 0, 0, 0, 0, 0, 0, 0, 0])),
      code: 'WK_CHUNK_CORRUPT',
    },
  ];
  it.each(DAMAGE)('reports $name as $code', ({ bytes, code }) => {
    expect(codeOf(() => decodeChunk(bytes()))).toBe(code);
  });

  it('skips the checksum when asked, and still stops at the end of the stream', () => {
    const bad = good.slice();
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    expect(decodeChunk(bad, undefined, { verifyChecksum: false }).count).toBe(120);
  });

  it('throws errors that carry a code, an offset and what to do next', () => {
    const err = (() => {
      try {
        decodeChunk(good.subarray(0, 10));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ChunkCorruptError);
    expect((err as ChunkCorruptError).byteOffset).toBeGreaterThanOrEqual(0);
    expect((err as ChunkCorruptError).message).toMatch(/restore the chunk from a replica or drop it/);
  });
});
