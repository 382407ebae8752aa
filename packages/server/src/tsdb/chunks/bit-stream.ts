/**
 * Bit-level writer and reader over a `Uint8Array`, most significant bit first (the order of
 * Prometheus's `bstream`). At most 32 bits per call: 64-bit words are written as two halves, so no
 * BigInt and no float arithmetic touches the bits.
 */

/**
 * Appends bits to a growable byte buffer. Bits collect in a 32-bit accumulator that is stored four
 * bytes at a time, so a write is a shift and an or in the common case.
 */
export class BitWriter {
  private buf: Uint8Array;
  /** Bytes stored in `buf`. */
  private stored = 0;
  /** Pending bits, right-aligned; `accBits` of them (< 32). */
  private acc = 0;
  private accBits = 0;

  constructor(initialBytes = 64) {
    this.buf = new Uint8Array(Math.max(8, (initialBytes + 3) & ~3));
  }

  /** Number of bits written. */
  get bitLength(): number {
    return this.stored * 8 + this.accBits;
  }

  /** Bytes holding the written bits (the last one padded with zero bits). */
  get byteLength(): number {
    return this.stored + ((this.accBits + 7) >>> 3);
  }

  /** Writes the low `n` bits of `value` (1 ≤ n ≤ 32), most significant first. */
  writeBits(value: number, n: number): void {
    const v = n < 32 ? value & ((1 << n) - 1) : value >>> 0;
    const free = 32 - this.accBits;
    if (n < free) {
      this.acc = (this.acc << n) | v;
      this.accBits += n;
      return;
    }
    const spill = n - free;
    // free === 32 only when the accumulator is empty and n === 32 (a shift by 32 would be a no-op in JS).
    const word = free === 32 ? v : (this.acc << free) | (v >>> spill);
    let buf = this.buf;
    const at = this.stored;
    if (at + 4 > buf.length) buf = this.grow(at + 4);
    buf[at] = word >>> 24;
    buf[at + 1] = (word >>> 16) & 0xff;
    buf[at + 2] = (word >>> 8) & 0xff;
    buf[at + 3] = word & 0xff;
    this.stored = at + 4;
    this.acc = spill === 0 ? 0 : v & ((1 << spill) - 1);
    this.accBits = spill;
  }

  /** Copies the written bytes (the last one zero-padded) into `out` at `offset`; returns the byte count. */
  copyTo(out: Uint8Array, offset: number): number {
    out.set(this.stored === this.buf.length ? this.buf : this.buf.subarray(0, this.stored), offset);
    let pos = offset + this.stored;
    if (this.accBits > 0) {
      const word = this.acc << (32 - this.accBits);
      const bytes = (this.accBits + 7) >>> 3;
      for (let k = 0; k < bytes; k++) out[pos++] = (word >>> (24 - 8 * k)) & 0xff;
    }
    return pos - offset;
  }

  /** A copy of the written bytes. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.byteLength);
    this.copyTo(out, 0);
    return out;
  }

  private grow(minBytes: number): Uint8Array {
    let size = this.buf.length * 2;
    while (size < minBytes) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf);
    this.buf = next;
    return next;
  }
}

/**
 * Reads bits from `buf` between two bit positions. Reading past the end never touches memory
 * outside the range: it returns 0, moves to the end and sets `overrun`, which decoders check once
 * per value so that a truncated or corrupt input ends the loop instead of producing garbage.
 */
export class BitReader {
  readonly buf: Uint8Array;
  /** Position of the next bit to read. */
  pos: number;
  /** Bit position after the last readable bit. */
  readonly end: number;
  /** Set once a read asked for more bits than were left. */
  overrun = false;

  constructor(buf: Uint8Array, startBit: number, endBit: number) {
    this.buf = buf;
    this.pos = startBit;
    this.end = Math.min(endBit, buf.length * 8);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Reads one bit (0 or 1). */
  readBit(): number {
    const pos = this.pos;
    if (pos >= this.end) {
      this.overrun = true;
      return 0;
    }
    this.pos = pos + 1;
    return (this.buf[pos >>> 3]! >>> (7 - (pos & 7))) & 1;
  }

  /** Reads `n` bits (0 ≤ n ≤ 32) as an unsigned number. */
  readBits(n: number): number {
    const pos = this.pos;
    if (pos + n > this.end) {
      this.overrun = true;
      this.pos = this.end;
      return 0;
    }
    if (n === 0) return 0;
    this.pos = pos + n;
    const buf = this.buf;
    let i = pos >>> 3;
    const off = pos & 7;
    // Fast path: the bits lie within four whole bytes of the buffer.
    if (off + n <= 32 && i + 3 < buf.length) {
      const word = (buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!;
      return ((word << off) >>> (32 - n)) >>> 0;
    }
    let result = buf[i++]! & (0xff >>> off);
    let got = 8 - off;
    if (got >= n) return result >>> (got - n);
    while (got + 8 <= n) {
      result = (result << 8) | buf[i++]!;
      got += 8;
    }
    const rest = n - got;
    if (rest > 0) result = (result << rest) | (buf[i]! >>> (8 - rest));
    return result >>> 0;
  }
}
