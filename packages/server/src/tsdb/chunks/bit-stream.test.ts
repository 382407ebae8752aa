import { describe, expect, it } from 'vitest';
import { BitReader, BitWriter } from './bit-stream.js';

describe('BitWriter / BitReader', () => {
  it('round-trips fields of every width from 1 to 32 bits at every alignment', () => {
    const fields: [number, number][] = [];
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 2000; i++) {
      const n = 1 + (next() % 32);
      fields.push([next() >>> (32 - n), n]);
    }
    const w = new BitWriter(1);
    for (const [v, n] of fields) w.writeBits(v, n);
    const bytes = w.toBytes();
    expect(bytes.length).toBe(w.byteLength);
    const r = new BitReader(bytes, 0, w.bitLength);
    for (const [v, n] of fields) expect(r.readBits(n)).toBe(v);
    expect(r.remaining).toBe(0);
    expect(r.overrun).toBe(false);
  });

  it('writes most significant bit first and pads with zeros', () => {
    const w = new BitWriter();
    w.writeBits(0b101, 3);
    w.writeBits(0xff, 8);
    expect(Array.from(w.toBytes())).toEqual([0b10111111, 0b11100000]);
  });

  it('stops at the end instead of reading past it', () => {
    const bytes = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff]);
    const r = new BitReader(bytes, 4, 12);
    expect(r.readBits(6)).toBe(0b111111);
    expect(r.readBits(3)).toBe(0);
    expect(r.overrun).toBe(true);
    expect(r.pos).toBe(12);
    expect(r.readBit()).toBe(0);
  });
});
