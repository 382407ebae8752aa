/**
 * One series' in-memory state in the durable storage: the open (compressing) chunk, chunks sealed
 * since the last checkpoint, a small buffer of out-of-order samples, and what the database holds.
 */
import type { Labels } from '../../lib/labels.js';
import { decodeChunk, type DecodedSamples, XorChunkEncoder } from '../chunks/xor-chunk.js';
import type { AppendRejection } from '../index.js';

/** Seal the open chunk at this many samples (Prometheus uses 120). */
export const CHUNK_MAX_SAMPLES = 120;
/** ... or when it would span more than this. */
export const CHUNK_MAX_SPAN_MS = 2 * 3_600_000;

export interface SealedChunk {
  minTimeMs: number;
  maxTimeMs: number;
  data: Uint8Array;
}

// Shared empty containers: most series never hold sealed chunks between checkpoints or late
// samples, and a million empty arrays and typed arrays cost real memory.
const NO_CHUNKS: readonly SealedChunk[] = Object.freeze([]);
const NO_TIMES: readonly number[] = Object.freeze([]);
const NO_VALUES = new Float64Array(0);

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** True when two numbers have the same IEEE-754 bits (NaN payloads included). */
export function sameBits(a: number, b: number): boolean {
  if (a === b) return !(a === 0 && Object.is(a, -0) !== Object.is(b, -0));
  if (a !== a && b !== b) {
    f64[0] = a;
    const ahi = u32[1];
    const alo = u32[0];
    f64[0] = b;
    return ahi === u32[1] && alo === u32[0];
  }
  return false;
}

/**
 * How a chunk holding samples from `chunkMinMs` to `chunkMaxMs` (both sample times) relates to a
 * window [minTimeMs, maxTimeMs]: `none` (no overlap), `has` (the chunk's first or last sample lies
 * in the window) or `inside` (the window lies strictly between its first and last sample: only its
 * samples can tell).
 */
export function chunkWindowRelation(
  chunkMinMs: number,
  chunkMaxMs: number,
  minTimeMs: number,
  maxTimeMs: number,
): 'none' | 'has' | 'inside' {
  if (chunkMaxMs < minTimeMs || chunkMinMs > maxTimeMs) return 'none';
  if (chunkMinMs >= minTimeMs || chunkMaxMs <= maxTimeMs) return 'has';
  return 'inside';
}

/** Whether an encoded chunk holds a sample in [minTimeMs, maxTimeMs] (decodes it). */
export function chunkHasSampleIn(data: Uint8Array, minTimeMs: number, maxTimeMs: number): boolean {
  const { ts, count } = decodeChunk(data, undefined, { verifyChecksum: false });
  const i = lowerBound(ts, count, minTimeMs);
  return i < count && ts[i]! <= maxTimeMs;
}

export class HeadSeries {
  open: XorChunkEncoder | undefined;
  /** Sealed in memory, not yet in the database. */
  sealed: readonly SealedChunk[] = NO_CHUNKS;
  /**
   * Out-of-order samples accepted since the last checkpoint, sorted by time. Values live in a
   * Float64Array: a JS array may canonicalise NaN payloads and lose staleness markers.
   */
  oooTs: readonly number[] = NO_TIMES;
  private oooValues = NO_VALUES;
  /** Newest in-order sample; its value kept as raw bits for the same reason. */
  lastTimeMs = -Infinity;
  private lastHi = 0x7ff80000;
  private lastLo = 0;
  /** Time range of the series' chunks in the database. */
  dbMinTimeMs = Infinity;
  dbMaxTimeMs = -Infinity;
  /** Whether the open chunk changed since its snapshot was written at the last checkpoint. */
  headDirty = false;
  /** Not yet written to the database's series table. */
  persisted = false;

  constructor(
    readonly ref: number,
    readonly labels: Labels,
  ) {}

  get minTimeMs(): number {
    let t = this.dbMinTimeMs;
    if (this.sealed.length > 0) t = Math.min(t, this.sealed[0]!.minTimeMs);
    if (this.open && this.open.count > 0) t = Math.min(t, this.open.minTimeMs);
    if (this.oooTs.length > 0) t = Math.min(t, this.oooTs[0]!);
    return t;
  }

  get maxTimeMs(): number {
    return Math.max(
      this.lastTimeMs,
      this.dbMaxTimeMs,
      this.oooTs.length > 0 ? this.oooTs[this.oooTs.length - 1]! : -Infinity,
    );
  }

  /** Whether the series holds data only in the database (nothing in memory). */
  get memoryEmpty(): boolean {
    return (this.open === undefined || this.open.count === 0) && this.sealed.length === 0 && this.oooTs.length === 0;
  }

  /**
   * Decides what to do with a sample: 'append' (in order), 'ooo' (within the window), 'exists'
   * (an exact resend: accepted, not stored twice) or a rejection.
   */
  classify(
    timestampMs: number,
    value: number,
    oooWindowMs: number,
    lookup: () => number | undefined,
  ): 'append' | 'ooo' | 'exists' | AppendRejection {
    if (timestampMs > this.lastTimeMs) return 'append';
    if (timestampMs === this.lastTimeMs) return this.lastIs(value) ? 'exists' : 'duplicate-timestamp';
    if (timestampMs <= this.lastTimeMs - oooWindowMs) {
      // Older than the window: only an exact resend of what is stored is fine.
      const stored = lookup();
      if (stored !== undefined && sameBits(stored, value)) return 'exists';
      return 'out-of-order';
    }
    const stored = lookup();
    if (stored === undefined) return 'ooo';
    return sameBits(stored, value) ? 'exists' : 'duplicate-timestamp';
  }

  /** Appends an in-order sample; returns a chunk when the open one was sealed. */
  append(timestampMs: number, value: number): SealedChunk | undefined {
    let sealed: SealedChunk | undefined;
    if (this.open && this.open.count > 0) {
      if (this.open.count >= CHUNK_MAX_SAMPLES || timestampMs - this.open.minTimeMs >= CHUNK_MAX_SPAN_MS)
        sealed = this.seal();
    }
    this.open ??= new XorChunkEncoder(CHUNK_MAX_SAMPLES);
    this.open.append(timestampMs, value);
    this.lastTimeMs = timestampMs;
    f64[0] = value;
    this.lastHi = u32[1]!;
    this.lastLo = u32[0]!;
    this.headDirty = true;
    return sealed;
  }

  private lastIs(value: number): boolean {
    f64[0] = value;
    return u32[1] === this.lastHi && u32[0] === this.lastLo;
  }

  /** The open chunk for a checkpoint snapshot, with what recovery needs to resume without decoding. */
  snapshot(): { minTimeMs: number; maxTimeMs: number; lastHi: number; lastLo: number; data: Uint8Array } | undefined {
    const enc = this.open;
    if (!enc || enc.count === 0) return undefined;
    return {
      minTimeMs: enc.minTimeMs,
      maxTimeMs: enc.maxTimeMs,
      lastHi: this.lastHi,
      lastLo: this.lastLo,
      data: enc.bytes(),
    };
  }

  /**
   * Resumes from a checkpoint snapshot: the snapshot becomes a sealed chunk (moved to the chunks
   * table at the next checkpoint) and appends start a new open chunk. Costs a partial chunk per
   * series per restart, saves decoding and re-encoding a million chunks at startup.
   */
  restore(snap: { minTimeMs: number; maxTimeMs: number; lastHi: number; lastLo: number; data: Uint8Array }): void {
    this.sealed = [...this.sealed, { minTimeMs: snap.minTimeMs, maxTimeMs: snap.maxTimeMs, data: snap.data }];
    if (snap.maxTimeMs >= this.lastTimeMs) {
      this.lastTimeMs = snap.maxTimeMs;
      this.lastHi = snap.lastHi;
      this.lastLo = snap.lastLo;
    }
    // The snapshot row must be replaced (deleted) at the next checkpoint.
    this.headDirty = true;
  }

  /** Forgets the sealed chunks once they are in the database. */
  clearSealed(): void {
    this.sealed = NO_CHUNKS;
  }

  /** Out-of-order sample values (a view; do not keep). */
  get oooVals(): Float64Array {
    return this.oooValues.subarray(0, this.oooTs.length);
  }

  /** Inserts an out-of-order sample (the caller checked there is none at that time). */
  insertOutOfOrder(timestampMs: number, value: number): void {
    let lo = 0;
    let hi = this.oooTs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.oooTs[mid]! < timestampMs) lo = mid + 1;
      else hi = mid;
    }
    const n = this.oooTs.length;
    if (this.oooTs === NO_TIMES) this.oooTs = [];
    if (n === this.oooValues.length) {
      const grown = new Float64Array(Math.max(8, n * 2));
      grown.set(this.oooValues);
      this.oooValues = grown;
    }
    this.oooValues.copyWithin(lo + 1, lo, n);
    this.oooValues[lo] = value;
    (this.oooTs as number[]).splice(lo, 0, timestampMs);
  }

  /** Seals the open chunk into `sealed` and returns it. */
  seal(): SealedChunk | undefined {
    const enc = this.open;
    if (!enc || enc.count === 0) return undefined;
    const chunk = { minTimeMs: enc.minTimeMs, maxTimeMs: enc.maxTimeMs, data: enc.bytes() };
    this.sealed = this.sealed === NO_CHUNKS ? [chunk] : [...this.sealed, chunk];
    this.open = undefined;
    this.headDirty = true;
    return chunk;
  }

  /** The out-of-order buffer as a chunk (cleared), for a checkpoint. */
  takeOutOfOrderChunk(): SealedChunk | undefined {
    if (this.oooTs.length === 0) return undefined;
    const enc = new XorChunkEncoder(this.oooTs.length);
    const vals = this.oooVals;
    for (let i = 0; i < this.oooTs.length; i++) enc.append(this.oooTs[i]!, vals[i]!);
    this.oooTs = NO_TIMES;
    this.oooValues = NO_VALUES;
    return { minTimeMs: enc.minTimeMs, maxTimeMs: enc.maxTimeMs, data: enc.bytes() };
  }

  /** Sealed in-memory chunks overlapping [minT, maxT], oldest first. */
  sealedChunks(minTimeMs: number, maxTimeMs: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const c of this.sealed) if (c.maxTimeMs >= minTimeMs && c.minTimeMs <= maxTimeMs) out.push(c.data);
    return out;
  }

  /**
   * Whether the in-memory part of the series (open and sealed chunks, out-of-order buffer) holds a
   * sample in [minTimeMs, maxTimeMs], from chunk time ranges: `inside` when that is undecided
   * because the window lies inside a chunk (see `memoryHasSampleIn`).
   */
  memoryWindowRelation(minTimeMs: number, maxTimeMs: number): 'none' | 'has' | 'inside' {
    const ooo = this.oooTs;
    if (ooo.length > 0) {
      let lo = 0;
      let hi = ooo.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ooo[mid]! < minTimeMs) lo = mid + 1;
        else hi = mid;
      }
      if (lo < ooo.length && ooo[lo]! <= maxTimeMs) return 'has';
    }
    let result: 'none' | 'inside' = 'none';
    const open = this.open;
    if (open && open.count > 0) {
      const r = chunkWindowRelation(open.minTimeMs, open.maxTimeMs, minTimeMs, maxTimeMs);
      if (r === 'has') return r;
      if (r === 'inside') result = r;
    }
    for (const c of this.sealed) {
      const r = chunkWindowRelation(c.minTimeMs, c.maxTimeMs, minTimeMs, maxTimeMs);
      if (r === 'has') return r;
      if (r === 'inside') result = r;
    }
    return result;
  }

  /** `memoryWindowRelation` decided exactly: decodes the in-memory chunks the window lies inside. */
  memoryHasSampleIn(minTimeMs: number, maxTimeMs: number): boolean {
    const r = this.memoryWindowRelation(minTimeMs, maxTimeMs);
    if (r !== 'inside') return r === 'has';
    const open = this.open;
    if (
      open &&
      open.count > 0 &&
      chunkWindowRelation(open.minTimeMs, open.maxTimeMs, minTimeMs, maxTimeMs) === 'inside' &&
      chunkHasSampleIn(open.bytes(false), minTimeMs, maxTimeMs)
    ) {
      return true;
    }
    for (const c of this.sealed) {
      if (
        chunkWindowRelation(c.minTimeMs, c.maxTimeMs, minTimeMs, maxTimeMs) === 'inside' &&
        chunkHasSampleIn(c.data, minTimeMs, maxTimeMs)
      ) {
        return true;
      }
    }
    return false;
  }

  /**
   * The open chunk's samples, decoded on demand. Not cached: a decoded copy takes 16 bytes per
   * sample against about 2 compressed, and after a dashboard touched every series the cache would
   * multiply the head's memory.
   */
  openSamples(): DecodedSamples | undefined {
    const enc = this.open;
    if (!enc || enc.count === 0) return undefined;
    return decodeChunk(enc.bytes(false), undefined, { verifyChecksum: false });
  }

  /** The value stored at exactly `timestampMs` in memory (open chunk, sealed chunks, OOO buffer). */
  memoryValueAt(timestampMs: number): number | undefined {
    const i = this.oooTs.indexOf(timestampMs);
    if (i >= 0) return this.oooValues[i];
    const open = this.openSamples();
    if (open && timestampMs >= open.ts[0]!) {
      const k = indexOf(open.ts, open.count, timestampMs);
      return k >= 0 ? open.vals[k] : undefined;
    }
    for (const data of this.sealedChunks(timestampMs, timestampMs)) {
      const { ts, vals, count } = decodeChunk(data, undefined, { verifyChecksum: false });
      const k = indexOf(ts, count, timestampMs);
      if (k >= 0) return vals[k];
    }
    return undefined;
  }
}

/** First index in ts[0..count) with ts[i] >= t. */
function lowerBound(ts: Float64Array, count: number, t: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function indexOf(ts: Float64Array, count: number, t: number): number {
  const i = lowerBound(ts, count, t);
  return i < count && ts[i] === t ? i : -1;
}
