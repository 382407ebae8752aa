/**
 * Gorilla-style compressed chunks of float samples, bit for bit Prometheus's XOR chunk encoding
 * (`tsdb/chunkenc/xor.go`) wrapped in a self-describing envelope:
 *
 * ```
 * byte 0        encoding (1 = XOR float samples)
 * bytes 1..2    sample count, uint16 big-endian      ┐ Prometheus's XOR chunk,
 * bytes 3..n-5  bit stream, MSB first, zero-padded   ┘ byte for byte
 * bytes n-4..   CRC32 (IEEE) of bytes 0..n-5, big-endian
 * ```
 *
 * The bit stream: sample 0 is a zigzag varint timestamp and the value's 64 raw bits; sample 1 a
 * uvarint timestamp delta and an XOR-encoded value; every later sample a delta-of-delta in
 * Prometheus's buckets (`0`; `10`+14 bits; `110`+17; `1110`+20; `1111`+64) and an XOR-encoded
 * value (`0` same bits; `10` + meaningful bits inside the previous leading/trailing-zero window;
 * `11` + 5 bits leading zeros + 6 bits length + the bits). Values are handled as two 32-bit halves
 * of their IEEE-754 bits, never as numbers, so every NaN payload (StaleNaN), -0 and ±Inf survive.
 */
import { crc32 } from 'node:zlib';
import { BitReader, BitWriter } from './bit-stream.js';
import {
  MAX_VARINT_BYTES,
  getUvarintDelta,
  getVarintDelta,
  putUvarintDelta,
  putVarintDelta,
  type VarintValue,
} from './varint.js';

/** The encoding byte of XOR float chunks. */
export const CHUNK_ENCODING_XOR = 1;
/** A chunk holds at most this many samples (the count is a uint16). */
export const XOR_CHUNK_MAX_SAMPLES = 0xffff;

const HEADER_BYTES = 3;
const CRC_BYTES = 4;
/** The smallest possible encodings: sample 0 (varint + 64 bits), sample 1 (uvarint + 1 bit), then 2 bits each. */
const MIN_BITS_FIRST = 8 + 64;
const MIN_BITS_SECOND = 8 + 1;
const MIN_BITS_LATER = 2;
const TWO_POW_32 = 2 ** 32;
const EXACT_BOUND = 2 ** 53;
const MAX_SAFE_MS = Number.MAX_SAFE_INTEGER;

/** Index of the high and low 32-bit halves of a float64 in a Uint32Array view (platform byte order). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;

const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);
/** Encoding and decoding are synchronous, so one scratch buffer for varint bytes serves both. */
const varintScratch = new Uint8Array(MAX_VARINT_BYTES);

export type ChunkCorruptCode =
  /** The chunk ends before its header, its checksum or its last sample. */
  | 'WK_CHUNK_TRUNCATED'
  /** The stored CRC32 does not match the bytes. */
  | 'WK_CHUNK_CHECKSUM'
  /** The first byte names an encoding this version does not know. */
  | 'WK_CHUNK_UNKNOWN_ENCODING'
  /** The bits decode to something no encoder writes: timestamps not increasing or out of range, bad field sizes, data after the last sample. */
  | 'WK_CHUNK_CORRUPT';

/** A chunk that cannot be decoded. Its samples are lost: read them from a replica or drop the chunk. */
export class ChunkCorruptError extends Error {
  readonly code: ChunkCorruptCode;
  /** Byte offset in the chunk where the problem was found. */
  readonly byteOffset: number;

  constructor(code: ChunkCorruptCode, byteOffset: number, detail: string) {
    super(
      `chunk is corrupt at byte ${byteOffset}: ${detail}; its samples cannot be read (restore the chunk from a replica or drop it)`,
    );
    this.name = 'ChunkCorruptError';
    this.code = code;
    this.byteOffset = byteOffset;
  }
}

/**
 * Encodes float samples into one XOR chunk, one sample at a time, so that the head can keep an
 * open encoder per series and seal it (`bytes()`) when it is full or crosses a time boundary.
 *
 * @example
 * const enc = new XorChunkEncoder();
 * enc.append(1_700_000_000_000, 1);
 * enc.append(1_700_000_015_000, 2);
 * const { ts, vals } = decodeChunk(enc.bytes());
 */
export class XorChunkEncoder {
  private readonly w: BitWriter;
  private n = 0;
  private firstT = 0;
  private t = 0;
  /** The last timestamp delta; exact when `tDeltaBig` is undefined. */
  private tDelta = 0;
  /** The last delta when it is 2^53 or more (timestamps far apart), where a number is not exact. */
  private tDeltaBig: bigint | undefined = undefined;
  private vHi = 0;
  private vLo = 0;
  /** Leading zeros of the current XOR window; 0xff: no window yet. */
  private leading = 0xff;
  private trailing = 0;

  /** @param expectedSamples sizes the initial buffer (2 bytes per sample; it doubles when full). */
  constructor(expectedSamples = 120) {
    this.w = new BitWriter(expectedSamples * 2 + 32);
  }

  /** Number of samples appended. */
  get count(): number {
    return this.n;
  }

  /** Timestamp of the first sample (NaN when empty). */
  get minTimeMs(): number {
    return this.n === 0 ? NaN : this.firstT;
  }

  /** Timestamp of the last sample (NaN when empty). */
  get maxTimeMs(): number {
    return this.n === 0 ? NaN : this.t;
  }

  /** Size in bytes of what `bytes()` would return now. */
  get sizeBytes(): number {
    return HEADER_BYTES + this.w.byteLength + CRC_BYTES;
  }

  /**
   * Appends a sample. `timestampMs` must be a safe integer above the previous one. `value` is
   * stored with the bits it has; to store a NaN payload (StaleNaN) where the caller cannot vouch
   * for the number's bits, use `appendBits` with the bits read from a typed array.
   *
   * @throws RangeError when the timestamp is not an integer, not increasing, or the chunk is full.
   */
  append(timestampMs: number, value: number): void {
    scratchF64[0] = value;
    this.appendBits(timestampMs, scratchU32[HI]!, scratchU32[LO]!);
  }

  /** Appends a sample whose value is given as the high and low 32 bits of its IEEE-754 encoding. */
  appendBits(timestampMs: number, hi: number, lo: number): void {
    const n = this.n;
    // Number.isSafeInteger spelled out (twice as fast in V8 here); errors are built out of line so
    // that this method stays small enough to be inlined.
    if (
      !(Math.floor(timestampMs) === timestampMs && timestampMs <= MAX_SAFE_MS && timestampMs >= -MAX_SAFE_MS) ||
      (n > 0 && !(timestampMs > this.t)) ||
      n === XOR_CHUNK_MAX_SAMPLES
    ) {
      throw appendError(timestampMs, this.t, n);
    }
    hi >>>= 0;
    lo >>>= 0;
    if (n >= 2) {
      const delta = timestampMs - this.t;
      if (this.tDeltaBig === undefined && delta < EXACT_BOUND) {
        this.writeDod(delta - this.tDelta);
        this.tDelta = delta;
      } else {
        this.writeDodBig(timestampMs);
      }
      this.writeValue(hi, lo);
    } else {
      this.appendFirst(timestampMs, hi, lo);
    }
    this.t = timestampMs;
    this.vHi = hi;
    this.vLo = lo;
    this.n = n + 1;
  }

  /** Samples 0 and 1: varint timestamps; sample 0's value as its raw 64 bits. */
  private appendFirst(timestampMs: number, hi: number, lo: number): void {
    if (this.n === 0) {
      this.writeBytes(putVarintDelta(varintScratch, 0, timestampMs, 0));
      this.w.writeBits(hi, 32);
      this.w.writeBits(lo, 32);
      this.firstT = timestampMs;
    } else {
      this.writeBytes(putUvarintDelta(varintScratch, 0, timestampMs, this.t));
      this.setDelta(timestampMs);
      this.writeValue(hi, lo);
    }
  }

  /** The chunk as it is now: a complete, self-describing copy (appending later does not change it). */
  bytes(withChecksum = true): Uint8Array {
    const len = HEADER_BYTES + this.w.byteLength;
    const out = new Uint8Array(len + CRC_BYTES);
    out[0] = CHUNK_ENCODING_XOR;
    out[1] = this.n >>> 8;
    out[2] = this.n & 0xff;
    this.w.copyTo(out, HEADER_BYTES);
    // Without: for an in-memory read decoded with `verifyChecksum: false` (the CRC bytes are 0).
    if (withChecksum) writeCrc(out, len);
    return out;
  }

  private writeBytes(len: number): void {
    for (let i = 0; i < len; i++) this.w.writeBits(varintScratch[i]!, 8);
  }

  private setDelta(timestampMs: number): void {
    const delta = timestampMs - this.t;
    if (delta < EXACT_BOUND) {
      this.tDelta = delta;
      this.tDeltaBig = undefined;
    } else {
      this.tDelta = NaN;
      this.tDeltaBig = BigInt(timestampMs) - BigInt(this.t);
    }
  }

  /** Delta-of-delta in Prometheus's buckets; `bitRange(x, n)` there is −(2^(n−1)−1) ≤ x ≤ 2^(n−1). */
  private writeDod(dod: number): void {
    const w = this.w;
    if (dod === 0) {
      w.writeBits(0, 1);
    } else if (dod >= -8191 && dod <= 8192) {
      w.writeBits((0b10 << 14) | (dod & 0x3fff), 16);
    } else if (dod >= -65535 && dod <= 65536) {
      w.writeBits((0b110 << 17) | (dod & 0x1ffff), 20);
    } else if (dod >= -524287 && dod <= 524288) {
      w.writeBits((0b1110 << 20) | (dod & 0xfffff), 24);
    } else {
      // |dod| < 2^53 here: both halves of its two's complement are exact.
      w.writeBits(0b1111, 4);
      w.writeBits(Math.floor(dod / TWO_POW_32) >>> 0, 32);
      w.writeBits(dod >>> 0, 32);
    }
  }

  private writeDodBig(timestampMs: number): void {
    const prev = this.tDeltaBig ?? BigInt(this.tDelta);
    const delta = BigInt(timestampMs) - BigInt(this.t);
    const dod = delta - prev;
    this.setDelta(timestampMs);
    if (dod >= -524287n && dod <= 524288n) {
      this.writeDod(Number(dod));
      return;
    }
    const u = BigInt.asUintN(64, dod);
    this.w.writeBits(0b1111, 4);
    this.w.writeBits(Number(u >> 32n), 32);
    this.w.writeBits(Number(u & 0xffffffffn), 32);
  }

  private writeValue(hi: number, lo: number): void {
    const w = this.w;
    const dHi = (hi ^ this.vHi) >>> 0;
    const dLo = (lo ^ this.vLo) >>> 0;
    if (dHi === 0 && dLo === 0) {
      w.writeBits(0, 1);
      return;
    }
    let leading = dHi !== 0 ? Math.clz32(dHi) : 32 + Math.clz32(dLo);
    const trailing = dLo !== 0 ? ctz32(dLo) : 32 + ctz32(dHi);
    // 5 bits hold at most 31 leading zeros (Prometheus clamps the same way).
    if (leading >= 32) leading = 31;
    if (this.leading !== 0xff && leading >= this.leading && trailing >= this.trailing) {
      w.writeBits(0b10, 2);
      writeShifted(w, dHi, dLo, this.trailing, 64 - this.leading - this.trailing);
      return;
    }
    this.leading = leading;
    this.trailing = trailing;
    const sigBits = 64 - leading - trailing;
    // 64 significant bits are written as 0 in the 6-bit field; the reader maps 0 back to 64.
    w.writeBits((0b11 << 11) | (leading << 6) | (sigBits & 63), 13);
    writeShifted(w, dHi, dLo, trailing, sigBits);
  }
}

function appendError(timestampMs: number, lastMs: number, n: number): RangeError {
  if (!Number.isSafeInteger(timestampMs)) {
    return new RangeError(`chunk timestamp ${timestampMs} is not an integer number of milliseconds in ±(2^53−1)`);
  }
  if (n === XOR_CHUNK_MAX_SAMPLES) return new RangeError(`chunk is full (${XOR_CHUNK_MAX_SAMPLES} samples)`);
  return new RangeError(`chunk timestamps must increase: ${timestampMs} after ${lastMs}`);
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Writes the `nBits` bits of the 64-bit (hi, lo) starting at bit `shift` (from the least significant end). */
function writeShifted(w: BitWriter, hi: number, lo: number, shift: number, nBits: number): void {
  let sHi: number;
  let sLo: number;
  if (shift === 0) {
    sHi = hi;
    sLo = lo;
  } else if (shift < 32) {
    sLo = ((lo >>> shift) | (hi << (32 - shift))) >>> 0;
    sHi = hi >>> shift;
  } else {
    sLo = hi >>> (shift - 32);
    sHi = 0;
  }
  if (nBits > 32) {
    w.writeBits(sHi, nBits - 32);
    w.writeBits(sLo, 32);
  } else {
    w.writeBits(sLo, nBits);
  }
}

function writeCrc(buf: Uint8Array, len: number): void {
  const crc = crc32(buf.subarray(0, len));
  buf[len] = crc >>> 24;
  buf[len + 1] = (crc >>> 16) & 0xff;
  buf[len + 2] = (crc >>> 8) & 0xff;
  buf[len + 3] = crc & 0xff;
}

/** Where `decodeChunk` writes: `ts[offset..]` and `vals[offset..]`, which must have room for the chunk's samples. */
export interface DecodeTarget {
  ts: Float64Array;
  vals: Float64Array;
  offset: number;
}

/** Decoded samples: views of exactly `count` samples (into the target's arrays when one was given). */
export interface DecodedSamples {
  ts: Float64Array;
  vals: Float64Array;
  count: number;
}

export interface DecodeOptions {
  /**
   * Check the chunk's CRC32 before decoding. Without it a flipped bit in a value goes unnoticed.
   * @default true
   */
  verifyChecksum?: boolean;
}

/** Number of samples of a chunk, from its header (checks encoding and length, not the checksum). */
export function chunkSampleCount(bytes: Uint8Array): number {
  checkEnvelope(bytes);
  return (bytes[1]! << 8) | bytes[2]!;
}

function checkEnvelope(bytes: Uint8Array): void {
  if (bytes.length < 1) throw new ChunkCorruptError('WK_CHUNK_TRUNCATED', 0, 'empty chunk');
  if (bytes[0] !== CHUNK_ENCODING_XOR) {
    throw new ChunkCorruptError('WK_CHUNK_UNKNOWN_ENCODING', 0, `unknown encoding ${bytes[0]}`);
  }
  if (bytes.length < HEADER_BYTES + CRC_BYTES) {
    throw new ChunkCorruptError('WK_CHUNK_TRUNCATED', bytes.length, `${bytes.length} bytes, shorter than a header`);
  }
}

/**
 * Decodes a chunk into typed arrays, with no object per sample. With `out`, samples go to
 * `out.ts` / `out.vals` from `out.offset` on (so chunks of a series can be decoded back to back
 * into one pair of arrays); values are written as raw bits, so NaN payloads survive.
 *
 * @throws ChunkCorruptError when the chunk is truncated, fails its checksum or decodes to nonsense.
 * @throws RangeError when `out` has no room for the chunk's samples.
 */
export function decodeChunk(bytes: Uint8Array, out?: DecodeTarget, options?: DecodeOptions): DecodedSamples {
  checkEnvelope(bytes);
  const streamEnd = bytes.length - CRC_BYTES;
  if (options?.verifyChecksum !== false) {
    const stored =
      ((bytes[streamEnd]! << 24) |
        (bytes[streamEnd + 1]! << 16) |
        (bytes[streamEnd + 2]! << 8) |
        bytes[streamEnd + 3]!) >>>
      0;
    const actual = crc32(bytes.subarray(0, streamEnd));
    if (stored !== actual) {
      throw new ChunkCorruptError(
        'WK_CHUNK_CHECKSUM',
        streamEnd,
        `checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)})`,
      );
    }
  }
  const count = (bytes[1]! << 8) | bytes[2]!;
  const streamBits = (streamEnd - HEADER_BYTES) * 8;
  if (count > 0 && minBits(count) > streamBits) {
    throw new ChunkCorruptError('WK_CHUNK_TRUNCATED', streamEnd, `${count} samples cannot fit in ${streamBits} bits`);
  }
  let ts: Float64Array;
  let vals: Float64Array;
  let offset: number;
  if (out === undefined) {
    ts = new Float64Array(count);
    vals = new Float64Array(count);
    offset = 0;
  } else {
    ({ ts, vals, offset } = out);
    if (!Number.isInteger(offset) || offset < 0 || offset + count > ts.length || offset + count > vals.length) {
      throw new RangeError(
        `decode target has no room for ${count} samples at offset ${offset} (ts ${ts.length}, vals ${vals.length})`,
      );
    }
  }
  const r = new BitReader(bytes, HEADER_BYTES * 8, streamEnd * 8);
  if (count > 0) decodeSamples(r, count, ts, vals, offset);
  // Only the zero padding of the last byte may follow the last sample.
  if (r.remaining >= 8 || (r.remaining > 0 && r.readBits(r.remaining) !== 0)) {
    throw new ChunkCorruptError('WK_CHUNK_CORRUPT', r.pos >>> 3, 'data after the last sample');
  }
  return { ts: ts.subarray(offset, offset + count), vals: vals.subarray(offset, offset + count), count };
}

function minBits(count: number): number {
  return MIN_BITS_FIRST + (count > 1 ? MIN_BITS_SECOND : 0) + (count > 2 ? (count - 2) * MIN_BITS_LATER : 0);
}

const varintOut: VarintValue = { value: 0 };

/** Reads a byte-aligned varint's bytes from the bit stream into `varintScratch`; returns its length. */
function readVarintBytes(r: BitReader): number {
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const b = r.readBits(8);
    varintScratch[i] = b;
    if (r.overrun) throw truncated(r, 'in a timestamp varint');
    if (b < 0x80) return i + 1;
  }
  return MAX_VARINT_BYTES;
}

function truncated(r: BitReader, where: string): ChunkCorruptError {
  return new ChunkCorruptError('WK_CHUNK_TRUNCATED', r.pos >>> 3, `stream ends ${where}`);
}

function corrupt(r: BitReader, detail: string): ChunkCorruptError {
  return new ChunkCorruptError('WK_CHUNK_CORRUPT', r.pos >>> 3, detail);
}

function decodeSamples(r: BitReader, count: number, ts: Float64Array, vals: Float64Array, offset: number): void {
  const u32 = new Uint32Array(vals.buffer, vals.byteOffset, vals.length * 2);
  // Sample 0: zigzag varint timestamp, 64 raw bits.
  let len = readVarintBytes(r);
  if (getVarintDelta(varintScratch, 0, len, 0, varintOut) < 0) throw corrupt(r, 'first timestamp out of range');
  let t = varintOut.value;
  let vHi = r.readBits(32);
  let vLo = r.readBits(32);
  if (r.overrun) throw truncated(r, 'in the first value');
  ts[offset] = t;
  u32[(offset << 1) + HI] = vHi;
  u32[(offset << 1) + LO] = vLo;
  if (count === 1) return;

  // Sample 1: uvarint delta.
  len = readVarintBytes(r);
  if (getUvarintDelta(varintScratch, 0, len, t, varintOut) < 0) throw corrupt(r, 'second timestamp out of range');
  const t1 = varintOut.value;
  if (!(t1 > t)) throw corrupt(r, 'timestamps do not increase');
  let tDelta = t1 - t;
  let tDeltaBig: bigint | undefined = tDelta < EXACT_BOUND ? undefined : BigInt(t1) - BigInt(t);
  t = t1;

  let leading = 0;
  let trailing = 0;
  for (let i = 1; i < count; i++) {
    if (i > 1) {
      // Delta of delta: control bits 0 | 10 | 110 | 1110 | 1111.
      let dod = 0;
      let dodBig: bigint | undefined;
      if (r.readBit() !== 0) {
        let size: number;
        if (r.readBit() === 0) size = 14;
        else if (r.readBit() === 0) size = 17;
        else if (r.readBit() === 0) size = 20;
        else size = 64;
        if (size < 64) {
          const bits = r.readBits(size);
          const half = 1 << (size - 1);
          dod = bits > half ? bits - (half << 1) : bits;
        } else {
          const hi = r.readBits(32) | 0;
          const lo = r.readBits(32);
          if (hi >= -0x200000 && hi < 0x200000) dod = hi * TWO_POW_32 + lo;
          else dodBig = (BigInt(hi) << 32n) | BigInt(lo);
        }
        if (r.overrun) throw truncated(r, `in the timestamp of sample ${i}`);
      }
      if (tDeltaBig === undefined && dodBig === undefined) {
        const next = tDelta + dod;
        // Below 2^53 the sum is exact; above it the delta is taken again with BigInt.
        if (next < EXACT_BOUND) tDelta = next;
        else tDeltaBig = BigInt(tDelta) + BigInt(dod);
      } else {
        tDeltaBig = (tDeltaBig ?? BigInt(tDelta)) + (dodBig ?? BigInt(dod));
        if (tDeltaBig < BigInt(EXACT_BOUND)) {
          tDelta = Number(tDeltaBig);
          tDeltaBig = undefined;
        }
      }
      if (tDeltaBig === undefined) {
        if (!(tDelta > 0)) throw corrupt(r, `timestamps do not increase at sample ${i}`);
        t += tDelta;
        if (!Number.isSafeInteger(t)) throw corrupt(r, `timestamp out of range at sample ${i}`);
      } else {
        const next = BigInt(t) + tDeltaBig;
        if (next > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(r, `timestamp out of range at sample ${i}`);
        t = Number(next);
      }
    }

    // Value: 0 | 10 + bits in the current window | 11 + 5 bits leading + 6 bits length + bits.
    if (r.readBit() !== 0) {
      let sigBits: number;
      if (r.readBit() === 0) {
        sigBits = 64 - leading - trailing;
      } else {
        const header = r.readBits(11);
        leading = header >>> 6;
        sigBits = header & 63;
        if (sigBits === 0) sigBits = 64;
        if (leading + sigBits > 64) throw corrupt(r, `value window of ${leading} + ${sigBits} bits`);
        trailing = 64 - leading - sigBits;
      }
      let xHi: number;
      let xLo: number;
      if (sigBits > 32) {
        xHi = r.readBits(sigBits - 32);
        xLo = r.readBits(32);
      } else {
        xHi = 0;
        xLo = r.readBits(sigBits);
      }
      if (trailing >= 32) {
        xHi = xLo << (trailing - 32);
        xLo = 0;
      } else if (trailing > 0) {
        xHi = (xHi << trailing) | (xLo >>> (32 - trailing));
        xLo = xLo << trailing;
      }
      vHi = (vHi ^ xHi) >>> 0;
      vLo = (vLo ^ xLo) >>> 0;
    }
    if (r.overrun) throw truncated(r, `in the value of sample ${i}`);
    const j = offset + i;
    ts[j] = t;
    u32[(j << 1) + HI] = vHi;
    u32[(j << 1) + LO] = vLo;
  }
}
