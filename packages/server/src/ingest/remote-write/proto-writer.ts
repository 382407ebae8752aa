/**
 * A minimal protobuf writer: varints, fixed 64-bit doubles, strings, raw bytes and nested
 * length-delimited messages (a one-byte length is reserved and the content moved only when the
 * message turns out to be 128 bytes or longer). Used by `encodeWriteRequest` and by tests that
 * need bodies the encoder would never produce (unsorted labels, invalid UTF-8, unknown fields).
 */

const textEncoder = new TextEncoder();

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export class ProtoWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  private readonly stack: number[] = [];

  constructor(initialBytes = 1024) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    if (this.stack.length > 0) throw new Error('ProtoWriter.finish: a nested message is still open');
    return this.buf.slice(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  tag(field: number, wireType: number): this {
    return this.uint(field * 8 + wireType);
  }

  /** An unsigned varint of a non-negative integer up to 2^53. */
  uint(v: number): this {
    this.ensure(10);
    const buf = this.buf;
    while (v >= 0x80) {
      buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[this.pos++] = v;
    return this;
  }

  /** A signed 64-bit varint (int64): negative values in two's complement, 10 bytes. */
  int64(v: number): this {
    if (v >= 0) return this.uint(v);
    // Two's complement over 64 bits, from the magnitude as two 32-bit halves.
    const m = -v;
    let lo = (m % 4294967296) >>> 0;
    let hi = Math.floor(m / 4294967296) >>> 0;
    lo = ~lo >>> 0;
    hi = ~hi >>> 0;
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
    this.ensure(10);
    const buf = this.buf;
    for (let i = 0; i < 9; i++) {
      buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = (lo >>> 7) | ((hi & 0x7f) << 25);
      hi >>>= 7;
    }
    buf[this.pos++] = lo & 1;
    return this;
  }

  /** A zigzag varint (sint32 / sint64). */
  sint(v: number): this {
    return this.uint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  double(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
    return this;
  }

  /** A double copied as its 8 bytes from `values[i]` (keeps NaN payloads such as staleness markers). */
  doubleAt(values: Float64Array, i: number): this {
    this.ensure(8);
    const src = new Uint8Array(values.buffer, values.byteOffset + i * 8, 8);
    this.buf.set(src, this.pos);
    this.pos += 8;
    return this;
  }

  /** Bytes as they are, with no length prefix (tests write malformed protobuf with it). */
  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Length-prefixed bytes (a string field's or an opaque field's content). */
  bytes(b: Uint8Array): this {
    this.uint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  string(s: string): this {
    // UTF-8 is at most 3 bytes per UTF-16 code unit: encode in place, then write the length.
    const max = s.length * 3;
    if (max < 128) {
      this.ensure(1 + max);
      const at = this.pos++;
      const { written } = textEncoder.encodeInto(s, this.buf.subarray(this.pos));
      this.buf[at] = written;
      this.pos += written;
      return this;
    }
    return this.bytes(textEncoder.encode(s));
  }

  /** Starts a nested message as field `field`; close it with `end()`. */
  begin(field: number): this {
    this.tag(field, WIRE_LEN);
    this.ensure(1);
    this.stack.push(this.pos);
    this.pos++;
    return this;
  }

  end(): this {
    const at = this.stack.pop();
    if (at === undefined) throw new Error('ProtoWriter.end without begin');
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return this;
    }
    let size = 1;
    for (let v = len; v >= 0x80; v = Math.floor(v / 128)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(at + size, at + 1, this.pos);
    this.pos += size - 1;
    let v = len;
    let p = at;
    while (v >= 0x80) {
      this.buf[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[p] = v;
    return this;
  }
}
