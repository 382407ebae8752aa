/**
 * The WAL's record types and their payload encodings (little-endian, Go-style varints):
 *
 * ```
 * series (1)      uvarint n, then n × { uvarint ref, uvarint pairs, pairs × 2 × { uvarint len, utf8 } }
 * samples (2)     uvarint n, then columns:
 *                   refs:        uvarint ref₀, then zigzag varints refᵢ − refᵢ₋₁
 *                   timestamps:  zigzag varint t₀, then zigzag varints tᵢ − tᵢ₋₁
 *                   values:      n × 8 bytes, the IEEE-754 bits little-endian (NaN payloads kept)
 * tombstones (3)  uvarint n, then n × { uvarint ref, zigzag varint minTimeMs, zigzag varint maxTimeMs }
 * ```
 *
 * Columns keep a batch compact: refs of one scrape are close together, timestamps of one scrape
 * are equal (one byte each), and values are copied in one block.
 */
import { Labels } from '../../lib/labels.js';
import {
  MAX_VARINT_BYTES,
  getUvarint,
  getVarintDelta,
  putUvarint,
  putVarintDelta,
  type VarintValue,
} from '../chunks/varint.js';

export const RECORD_SERIES = 1;
export const RECORD_SAMPLES = 2;
export const RECORD_TOMBSTONES = 3;

/** A new series: its reference (chosen by the head) and labels. */
export interface WalSeries {
  ref: number;
  labels: Labels;
}

/** Samples of `ref` in [minTimeMs, maxTimeMs] are deleted. */
export interface WalTombstone {
  ref: number;
  minTimeMs: number;
  maxTimeMs: number;
}

export interface WalSeriesRecord {
  type: 'series';
  series: readonly WalSeries[];
}

/**
 * A batch of float samples as columns of equal length: sample i is (refs[i], timestampsMs[i],
 * values[i]). Values are a Float64Array so that their bits (StaleNaN's payload) are copied, not
 * passed through arithmetic. Replay hands out fresh Float64Arrays.
 */
export interface WalSamplesRecord {
  type: 'samples';
  refs: ArrayLike<number>;
  timestampsMs: ArrayLike<number>;
  values: Float64Array;
}

export interface WalTombstonesRecord {
  type: 'tombstones';
  tombstones: readonly WalTombstone[];
}

export type WalRecord = WalSeriesRecord | WalSamplesRecord | WalTombstonesRecord;

/** Records larger than this are split (series and tombstones by entries, samples by rows). */
const SOFT_RECORD_BYTES = 1 << 20;
/** Samples per record at most: 8 value bytes + at most 2 × 10 varint bytes each stays under 4 MiB. */
const MAX_SAMPLES_PER_RECORD = 131_072;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A growable byte buffer that records are encoded into. */
export class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = new Uint8Array(initialBytes);
  }

  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Drops everything written (keeps the buffer). */
  reset(): void {
    this.pos = 0;
  }
}

function uvarint(w: ByteWriter, n: number): void {
  w.ensure(MAX_VARINT_BYTES);
  w.pos = putUvarint(w.buf, w.pos, n);
}

function varintDelta(w: ByteWriter, cur: number, prev: number): void {
  w.ensure(MAX_VARINT_BYTES);
  w.pos = putVarintDelta(w.buf, w.pos, cur, prev);
}

const textEncoder = new TextEncoder();

function string(w: ByteWriter, s: string): void {
  const len = Buffer.byteLength(s, 'utf8');
  uvarint(w, len);
  w.ensure(len);
  if (len === s.length) {
    // ASCII: the common case for label names and values.
    const buf = w.buf;
    let p = w.pos;
    for (let i = 0; i < len; i++) buf[p++] = s.charCodeAt(i);
    w.pos = p;
  } else {
    w.pos += textEncoder.encodeInto(s, w.buf.subarray(w.pos, w.pos + len)).written;
  }
}

function isRef(ref: number): boolean {
  return ref >= 0 && Number.isSafeInteger(ref);
}

/**
 * Checks that a record can be encoded: refs are non-negative safe integers, timestamps safe
 * integers, sample columns of equal length, tombstone ranges not empty.
 * @throws RangeError naming the first problem.
 */
export function validateRecord(record: WalRecord): void {
  const bad = (what: string): never => {
    throw new RangeError(`cannot write ${record.type} record: ${what}`);
  };
  switch (record.type) {
    case 'series':
      for (const s of record.series) if (!isRef(s.ref)) bad(`series ref ${s.ref} is not a non-negative integer`);
      return;
    case 'tombstones':
      for (const t of record.tombstones) {
        if (!isRef(t.ref)) bad(`series ref ${t.ref} is not a non-negative integer`);
        if (!Number.isSafeInteger(t.minTimeMs) || !Number.isSafeInteger(t.maxTimeMs) || t.minTimeMs > t.maxTimeMs) {
          bad(`tombstone [${t.minTimeMs}, ${t.maxTimeMs}] is not a range of integer milliseconds`);
        }
      }
      return;
    case 'samples': {
      const { refs, timestampsMs, values } = record;
      const n = refs.length;
      if (timestampsMs.length !== n || values.length !== n) {
        bad(`columns differ in length (refs ${n}, timestamps ${timestampsMs.length}, values ${values.length})`);
      }
      for (let i = 0; i < n; i++) {
        if (!isRef(refs[i]!)) bad(`series ref ${refs[i]} at ${i} is not a non-negative integer`);
        if (!Number.isSafeInteger(timestampsMs[i]))
          bad(`timestamp ${timestampsMs[i]} at ${i} is not an integer number of milliseconds`);
      }
      return;
    }
  }
}

/**
 * Encodes a record (checked by `validateRecord`) as one or more payloads; `emit(type, w)` is
 * called with each payload in `w.buf[0..w.pos)` and must consume it before returning.
 */
export function encodeRecord(record: WalRecord, w: ByteWriter, emit: (type: number, w: ByteWriter) => void): void {
  switch (record.type) {
    case 'series':
      encodeEntries(record.series, w, RECORD_SERIES, emit, (s) => {
        uvarint(w, s.ref);
        const flat = s.labels.flat;
        uvarint(w, flat.length >>> 1);
        for (const part of flat) string(w, part);
      });
      return;
    case 'tombstones':
      encodeEntries(record.tombstones, w, RECORD_TOMBSTONES, emit, (t) => {
        uvarint(w, t.ref);
        varintDelta(w, t.minTimeMs, 0);
        varintDelta(w, t.maxTimeMs, 0);
      });
      return;
    case 'samples': {
      const n = record.refs.length;
      for (let start = 0; start < n; start += MAX_SAMPLES_PER_RECORD) {
        encodeSamples(
          record.refs,
          record.timestampsMs,
          record.values,
          start,
          Math.min(n, start + MAX_SAMPLES_PER_RECORD),
          w,
        );
        emit(RECORD_SAMPLES, w);
      }
      return;
    }
  }
}

function encodeEntries<T>(
  entries: readonly T[],
  w: ByteWriter,
  type: number,
  emit: (type: number, w: ByteWriter) => void,
  one: (entry: T) => void,
): void {
  let i = 0;
  while (i < entries.length) {
    // The count goes first; reserve its bytes and fill them in when the batch is known.
    w.reset();
    w.ensure(MAX_VARINT_BYTES);
    w.pos = MAX_VARINT_BYTES;
    const from = i;
    while (i < entries.length && (i === from || w.pos < SOFT_RECORD_BYTES)) one(entries[i++]!);
    const count = new Uint8Array(MAX_VARINT_BYTES);
    const countLen = putUvarint(count, 0, i - from);
    const start = MAX_VARINT_BYTES - countLen;
    w.buf.set(count.subarray(0, countLen), start);
    w.buf.copyWithin(0, start, w.pos);
    w.pos -= start;
    emit(type, w);
  }
}

function encodeSamples(
  refs: ArrayLike<number>,
  ts: ArrayLike<number>,
  values: Float64Array,
  from: number,
  to: number,
  w: ByteWriter,
): void {
  const n = to - from;
  w.reset();
  w.ensure((n + 1) * MAX_VARINT_BYTES * 2 + n * 8);
  const buf = w.buf;
  let p = putUvarint(buf, 0, n);
  let prev = 0;
  for (let i = from; i < to; i++) {
    const ref = refs[i]!;
    p = i === from ? putUvarint(buf, p, ref) : putVarintDelta(buf, p, ref, prev);
    prev = ref;
  }
  prev = 0;
  for (let i = from; i < to; i++) {
    const t = ts[i]!;
    p = putVarintDelta(buf, p, t, prev);
    prev = t;
  }
  const bytes = new Uint8Array(values.buffer, values.byteOffset + from * 8, n * 8);
  if (LITTLE_ENDIAN) buf.set(bytes, p);
  else for (let i = 0; i < n * 8; i++) buf[p + i] = bytes[(i & ~7) + 7 - (i & 7)]!;
  w.pos = p + n * 8;
}

/** A payload that does not decode; carries the byte offset inside the payload. */
export class RecordDecodeError extends Error {
  readonly payloadOffset: number;
  constructor(payloadOffset: number, detail: string) {
    super(detail);
    this.payloadOffset = payloadOffset;
  }
}

const out: VarintValue = { value: 0 };

function readUvarint(buf: Uint8Array, pos: number, end: number, what: string): number {
  const next = getUvarint(buf, pos, end, out);
  if (next < 0) throw new RecordDecodeError(pos, `bad ${what}`);
  return next;
}

function readVarintDelta(buf: Uint8Array, pos: number, end: number, prev: number, what: string): number {
  const next = getVarintDelta(buf, pos, end, prev, out);
  if (next < 0) throw new RecordDecodeError(pos, `bad ${what}`);
  return next;
}

/** Decodes one record's payload (`buf[start..end)`). */
export function decodeRecord(type: number, buf: Buffer, start: number, end: number): WalRecord {
  let p = readUvarint(buf, start, end, 'count');
  const n = out.value;
  // Every entry takes at least one byte (a sample at least 10): a huge count is damage, not a reason to allocate.
  if (n > end - p) throw new RecordDecodeError(start, `count ${n} larger than the record`);
  switch (type) {
    case RECORD_SERIES: {
      const series: WalSeries[] = [];
      for (let i = 0; i < n; i++) {
        p = readUvarint(buf, p, end, 'series ref');
        const ref = out.value;
        p = readUvarint(buf, p, end, 'label count');
        const pairs = out.value;
        if (pairs * 2 > end - p) throw new RecordDecodeError(p, `label count ${pairs} larger than the record`);
        const flat: string[] = new Array<string>(pairs * 2);
        for (let k = 0; k < pairs * 2; k++) {
          p = readUvarint(buf, p, end, 'string length');
          const len = out.value;
          if (len > end - p) throw new RecordDecodeError(p, `string of ${len} bytes past the record`);
          flat[k] = buf.toString('utf8', p, p + len);
          p += len;
        }
        series.push({ ref, labels: Labels.fromSortedFlat(flat) });
      }
      if (p !== end) throw new RecordDecodeError(p, 'bytes after the last series');
      return { type: 'series', series };
    }
    case RECORD_TOMBSTONES: {
      const tombstones: WalTombstone[] = [];
      for (let i = 0; i < n; i++) {
        p = readUvarint(buf, p, end, 'series ref');
        const ref = out.value;
        p = readVarintDelta(buf, p, end, 0, 'tombstone start');
        const minTimeMs = out.value;
        p = readVarintDelta(buf, p, end, 0, 'tombstone end');
        tombstones.push({ ref, minTimeMs, maxTimeMs: out.value });
      }
      if (p !== end) throw new RecordDecodeError(p, 'bytes after the last tombstone');
      return { type: 'tombstones', tombstones };
    }
    case RECORD_SAMPLES: {
      if (n * 10 > end - start) throw new RecordDecodeError(start, `${n} samples cannot fit in ${end - start} bytes`);
      const refs = new Float64Array(n);
      const timestampsMs = new Float64Array(n);
      const values = new Float64Array(n);
      let prev = 0;
      for (let i = 0; i < n; i++) {
        p = i === 0 ? readUvarint(buf, p, end, 'series ref') : readVarintDelta(buf, p, end, prev, 'series ref');
        if (out.value < 0) throw new RecordDecodeError(p, 'negative series ref');
        refs[i] = prev = out.value;
      }
      prev = 0;
      for (let i = 0; i < n; i++) {
        p = readVarintDelta(buf, p, end, prev, 'timestamp');
        timestampsMs[i] = prev = out.value;
      }
      if (end - p !== n * 8) throw new RecordDecodeError(p, `values take ${end - p} bytes, expected ${n * 8}`);
      const bytes = new Uint8Array(values.buffer);
      if (LITTLE_ENDIAN) bytes.set(buf.subarray(p, end));
      else for (let i = 0; i < n * 8; i++) bytes[i] = buf[p + (i & ~7) + 7 - (i & 7)]!;
      return { type: 'samples', refs, timestampsMs, values };
    }
    default:
      throw new RecordDecodeError(start, `unknown record type ${type}`);
  }
}

/** True for the type bytes this version writes. */
export function isRecordType(type: number): boolean {
  return type === RECORD_SERIES || type === RECORD_SAMPLES || type === RECORD_TOMBSTONES;
}
