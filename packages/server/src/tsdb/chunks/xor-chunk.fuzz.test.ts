/**
 * Fuzz test of the chunk decoder: for 2 s, mutate valid chunks (bit flips, random bytes, cuts,
 * extensions, spliced ranges, forged counts), usually re-sealing them with a valid checksum so the
 * mutation reaches the bit-stream decoder. The decoder must either throw a ChunkCorruptError or
 * return exactly the header's count of strictly increasing, safe-integer timestamps, and must never
 * write outside the samples it reports.
 */
import { describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { ChunkCorruptError, XorChunkEncoder, decodeChunk } from './xor-chunk.js';

const BUDGET_MS = 2_000;
const SENTINEL = -12345.5;

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

function randomChunk(rand: () => number): Uint8Array {
  const enc = new XorChunkEncoder();
  const count = Math.floor(rand() * 150);
  let t = Math.floor((rand() - 0.5) * 2 ** 50);
  let v = rand() * 1000;
  for (let i = 0; i < count; i++) {
    const r = rand();
    t += r < 0.8 ? 15_000 + Math.floor(rand() * 20) : 1 + Math.floor(rand() * 2 ** 36);
    if (!Number.isSafeInteger(t)) break;
    v = rand() < 0.5 ? v : rand() < 0.5 ? v + 1 : rand() * 1e6;
    enc.appendBits(t, rand() < 0.05 ? 0x7ff00000 : Math.floor(rand() * 2 ** 32), Math.floor(rand() * 2 ** 32));
  }
  return enc.bytes();
}

function reseal(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  const crc = crc32(body);
  out[body.length] = crc >>> 24;
  out[body.length + 1] = (crc >>> 16) & 0xff;
  out[body.length + 2] = (crc >>> 8) & 0xff;
  out[body.length + 3] = crc & 0xff;
  return out;
}

function mutate(chunk: Uint8Array, rand: () => number): Uint8Array {
  let body = chunk.slice(0, Math.max(0, chunk.length - 4));
  const rounds = 1 + Math.floor(rand() * 3);
  for (let k = 0; k < rounds; k++) {
    const pick = rand();
    const at = Math.floor(rand() * Math.max(1, body.length));
    if (pick < 0.35 && body.length > 0) {
      body[at] = body[at]! ^ (1 << Math.floor(rand() * 8));
    } else if (pick < 0.5 && body.length > 0) {
      body[at] = Math.floor(rand() * 256);
    } else if (pick < 0.65) {
      body = body.slice(0, at);
    } else if (pick < 0.75) {
      const extra = Uint8Array.from({ length: 1 + Math.floor(rand() * 16) }, () => Math.floor(rand() * 256));
      const next = new Uint8Array(body.length + extra.length);
      next.set(body.subarray(0, at));
      next.set(extra, at);
      next.set(body.subarray(at), at + extra.length);
      body = next;
    } else if (pick < 0.85 && body.length > 4) {
      const from = Math.floor(rand() * body.length);
      const len = Math.floor(rand() * (body.length - from));
      body.copyWithin(at, from, from + len);
    } else if (body.length >= 3) {
      const count = rand() < 0.5 ? Math.floor(rand() * 65536) : ((body[1]! << 8) | body[2]!) + (rand() < 0.5 ? 1 : -1);
      body[1] = (count >>> 8) & 0xff;
      body[2] = count & 0xff;
    }
  }
  return rand() < 0.8 ? reseal(body) : body;
}

describe('decodeChunk fuzz', () => {
  it(`survives mutated chunks for ${BUDGET_MS} ms`, () => {
    const seed = 0x5eed;
    const rand = prng(seed);
    const start = performance.now();
    let iterations = 0;
    let decoded = 0;
    const ts = new Float64Array(70_000);
    const vals = new Float64Array(70_000);
    while (performance.now() - start < BUDGET_MS) {
      iterations++;
      const input = mutate(randomChunk(rand), rand);
      const offset = Math.floor(rand() * 16);
      ts.fill(SENTINEL);
      vals.fill(SENTINEL);
      try {
        const out = decodeChunk(input, { ts, vals, offset });
        decoded++;
        expect(out.count).toBe((input[1]! << 8) | input[2]!);
        for (let i = 0; i < out.count; i++) {
          const t = out.ts[i]!;
          if (!Number.isSafeInteger(t) || (i > 0 && !(t > out.ts[i - 1]!))) {
            throw new Error(`iteration ${iterations}: bad timestamp ${t} at ${i}`);
          }
        }
        if (ts[offset - 1] !== undefined && ts[offset - 1] !== SENTINEL) throw new Error('wrote before the offset');
        if (ts[offset + out.count] !== SENTINEL || vals[offset + out.count] !== SENTINEL) {
          throw new Error(`iteration ${iterations}: wrote past the decoded samples`);
        }
      } catch (err) {
        if (!(err instanceof ChunkCorruptError)) {
          throw new Error(`seed ${seed}, iteration ${iterations}: ${String(err)}`, { cause: err });
        }
      }
    }
    // Both outcomes must have been exercised for the run to mean something.
    expect(iterations).toBeGreaterThan(1_000);
    expect(decoded).toBeGreaterThan(0);
    expect(decoded).toBeLessThan(iterations);
  });
});
