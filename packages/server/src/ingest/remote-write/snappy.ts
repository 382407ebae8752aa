/**
 * Snappy block format (https://github.com/google/snappy/blob/main/format_description.txt), as
 * remote write uses it: a uvarint of the decompressed length, then literals and back-references.
 * Written here rather than taken from npm: see README.md (bounds checks on corrupt input, a
 * length check before allocating, native copies).
 */
import { WriteDecodeError } from './errors.js';

const TAG_LITERAL = 0;
const TAG_COPY1 = 1;
const TAG_COPY2 = 2;

/** The decompressed length a block announces; throws a `WriteDecodeError` when the header is corrupt. */
export function snappyDecodedLength(src: Uint8Array): { length: number; headerBytes: number } {
  let length = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= src.length) throw corrupt(i, 'the length header is truncated');
    const b = src[i]!;
    // The fifth byte may hold only 4 more bits: the length is a uint32.
    if (i === 4 && b > 0x0f) throw corrupt(i, 'the length header does not fit in 32 bits');
    length += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return { length, headerBytes: i + 1 };
  }
  throw corrupt(4, 'the length header does not fit in 32 bits');
}

/**
 * Decompresses one snappy block. Checks the announced length against `maxDecompressedBytes` before
 * allocating, and every literal and copy against both buffers.
 *
 * @throws WriteDecodeError `WK_REMOTE_WRITE_TOO_LARGE` or `WK_REMOTE_WRITE_SNAPPY`; nothing else.
 */
export function snappyUncompress(src: Uint8Array, maxDecompressedBytes: number): Uint8Array {
  const { length, headerBytes } = snappyDecodedLength(src);
  if (length > maxDecompressedBytes) {
    throw new WriteDecodeError(
      'WK_REMOTE_WRITE_TOO_LARGE',
      `decompressed body would be ${length} bytes, more than the limit of ${maxDecompressedBytes} bytes; send smaller batches`,
      { offset: 0 },
    );
  }
  const dst = new Uint8Array(length);
  const n = src.length;
  let s = headerBytes;
  let d = 0;
  while (s < n) {
    const tagPos = s;
    const tag = src[s++]!;
    const kind = tag & 3;
    if (kind === TAG_LITERAL) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (s + extra > n) throw corrupt(tagPos, 'literal length runs past the end of the input');
        len = src[s]!;
        if (extra > 1) len |= src[s + 1]! << 8;
        if (extra > 2) len |= src[s + 2]! << 16;
        if (extra > 3) len += src[s + 3]! * 0x1000000;
        s += extra;
      }
      len += 1;
      if (len > n - s) throw corrupt(tagPos, `literal of ${len} bytes runs past the end of the input`);
      if (len > length - d) throw corrupt(tagPos, `literal of ${len} bytes overflows the announced ${length} bytes`);
      if (len < 16) {
        for (let k = 0; k < len; k++) dst[d + k] = src[s + k]!;
      } else {
        dst.set(src.subarray(s, s + len), d);
      }
      s += len;
      d += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === TAG_COPY1) {
      if (s >= n) throw corrupt(tagPos, 'copy runs past the end of the input');
      len = 4 + ((tag >>> 2) & 7);
      offset = ((tag & 0xe0) << 3) | src[s++]!;
    } else if (kind === TAG_COPY2) {
      if (s + 2 > n) throw corrupt(tagPos, 'copy runs past the end of the input');
      len = 1 + (tag >>> 2);
      offset = src[s]! | (src[s + 1]! << 8);
      s += 2;
    } else {
      if (s + 4 > n) throw corrupt(tagPos, 'copy runs past the end of the input');
      len = 1 + (tag >>> 2);
      offset = (src[s]! | (src[s + 1]! << 8) | (src[s + 2]! << 16)) + src[s + 3]! * 0x1000000;
      s += 4;
    }
    if (offset === 0 || offset > d)
      throw corrupt(tagPos, `copy offset ${offset} points before the start of the output`);
    if (len > length - d) throw corrupt(tagPos, `copy of ${len} bytes overflows the announced ${length} bytes`);
    let from = d - offset;
    if (offset >= len && len >= 16) {
      dst.copyWithin(d, from, from + len);
      d += len;
    } else {
      // Overlapping copies repeat a pattern: byte by byte, in order.
      const stop = d + len;
      while (d < stop) dst[d++] = dst[from++]!;
    }
  }
  if (d !== length) throw corrupt(n, `decoded ${d} bytes, the header announced ${length}`);
  return dst;
}

function corrupt(offset: number, what: string): WriteDecodeError {
  return new WriteDecodeError(
    'WK_REMOTE_WRITE_SNAPPY',
    `corrupt snappy block at byte ${offset}: ${what} (remote write bodies are snappy block format, not framed)`,
    { offset },
  );
}

const HASH_BITS = 14;
const HASH_SIZE = 1 << HASH_BITS;
const MIN_MATCH = 4;
/** Offsets beyond this need the 5-byte copy; keep to 2-byte copies as the reference encoder's 64 KiB blocks do. */
const MAX_OFFSET = 65_535;

/**
 * Compresses `src` into one snappy block: a greedy hash-table matcher over 4-byte sequences, with
 * the reference encoder's skipping heuristic so incompressible input stays fast.
 */
export function snappyCompress(src: Uint8Array): Uint8Array {
  const n = src.length;
  const out = new Uint8Array(32 + n + Math.ceil(n / 6));
  let o = 0;
  // Length header.
  let len = n;
  while (len >= 0x80) {
    out[o++] = (len & 0x7f) | 0x80;
    len = Math.floor(len / 128);
  }
  out[o++] = len;
  if (n < MIN_MATCH + 1) {
    if (n > 0) o = emitLiteral(out, o, src, 0, n);
    return out.slice(0, o);
  }
  const table = new Int32Array(HASH_SIZE).fill(-1);
  const limit = n - MIN_MATCH;
  let literalStart = 0;
  let i = 0;
  let skip = 32;
  while (i <= limit) {
    const h = hash4(src, i);
    const candidate = table[h]!;
    table[h] = i;
    if (
      candidate < 0 ||
      i - candidate > MAX_OFFSET ||
      src[candidate] !== src[i] ||
      src[candidate + 1] !== src[i + 1] ||
      src[candidate + 2] !== src[i + 2] ||
      src[candidate + 3] !== src[i + 3]
    ) {
      i += skip >>> 5;
      skip++;
      continue;
    }
    skip = 32;
    if (literalStart < i) o = emitLiteral(out, o, src, literalStart, i);
    let matchLen = MIN_MATCH;
    while (i + matchLen < n && src[candidate + matchLen] === src[i + matchLen]) matchLen++;
    o = emitCopy(out, o, i - candidate, matchLen);
    i += matchLen;
    literalStart = i;
    if (i - 1 <= limit) table[hash4(src, i - 1)] = i - 1;
  }
  if (literalStart < n) o = emitLiteral(out, o, src, literalStart, n);
  return out.slice(0, o);
}

function hash4(b: Uint8Array, i: number): number {
  const v = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
  return Math.imul(v, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

function emitLiteral(out: Uint8Array, o: number, src: Uint8Array, start: number, end: number): number {
  const n = end - start - 1;
  if (n < 60) {
    out[o++] = n << 2;
  } else if (n < 0x100) {
    out[o++] = 60 << 2;
    out[o++] = n;
  } else if (n < 0x10000) {
    out[o++] = 61 << 2;
    out[o++] = n & 0xff;
    out[o++] = n >>> 8;
  } else if (n < 0x1000000) {
    out[o++] = 62 << 2;
    out[o++] = n & 0xff;
    out[o++] = (n >>> 8) & 0xff;
    out[o++] = n >>> 16;
  } else {
    out[o++] = 63 << 2;
    out[o++] = n & 0xff;
    out[o++] = (n >>> 8) & 0xff;
    out[o++] = (n >>> 16) & 0xff;
    out[o++] = n >>> 24;
  }
  out.set(src.subarray(start, end), o);
  return o + (end - start);
}

/** Copies of up to 64 bytes each; a 1-byte-offset copy where it fits (length 4..11, offset < 2048). */
function emitCopy(out: Uint8Array, o: number, offset: number, len: number): number {
  while (len >= 68) {
    o = emitCopy2(out, o, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    // Leave at least 4 bytes for the last copy.
    o = emitCopy2(out, o, offset, 60);
    len -= 60;
  }
  if (len >= 4 && len <= 11 && offset < 2048) {
    out[o++] = TAG_COPY1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[o++] = offset & 0xff;
    return o;
  }
  return emitCopy2(out, o, offset, len);
}

function emitCopy2(out: Uint8Array, o: number, offset: number, len: number): number {
  out[o++] = TAG_COPY2 | ((len - 1) << 2);
  out[o++] = offset & 0xff;
  out[o++] = offset >>> 8;
  return o;
}
