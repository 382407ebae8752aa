/**
 * Segment files: names, the 16-byte segment header, record frames, and a reader that walks the
 * frames of one file and says where (and why) valid data ends.
 *
 * ```
 * segment header (16 bytes)
 *   0  magic "WKWL"
 *   4  u8  format version (1)
 *   5  3 bytes zero
 *   8  u32 LE session id: random per WriteAheadLog instance, the same in every segment it writes
 *   12 u32 LE CRC32 of bytes 0..11
 * record frame (9 bytes + payload)
 *   0  u32 LE payload length
 *   4  u8  record type (1 series, 2 samples, 3 tombstones)
 *   5  u32 LE CRC32 (IEEE) of bytes 0..4 and the payload
 *   9  payload
 * ```
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { isRecordType } from './records.js';

export const SEGMENT_HEADER_BYTES = 16;
export const FRAME_HEADER_BYTES = 9;
/** A frame longer than this is damage (the writer splits records far below it). */
export const MAX_PAYLOAD_BYTES = 64 << 20;
export const WAL_FORMAT_VERSION = 1;

const MAGIC = [0x57, 0x4b, 0x57, 0x4c] as const; // "WKWL"
const SEGMENT_RE = /^(\d{8,})\.wal$/;
const CHECKPOINT_RE = /^checkpoint\.(\d{8,})\.wal$/;

export function segmentFileName(segment: number): string {
  return `${String(segment).padStart(8, '0')}.wal`;
}

export function checkpointFileName(segment: number): string {
  return `checkpoint.${String(segment).padStart(8, '0')}.wal`;
}

export function parseSegmentFileName(name: string): number | undefined {
  const m = SEGMENT_RE.exec(name);
  return m === null ? undefined : Number(m[1]);
}

export function parseCheckpointFileName(name: string): number | undefined {
  const m = CHECKPOINT_RE.exec(name);
  return m === null ? undefined : Number(m[1]);
}

export function encodeSegmentHeader(sessionId: number): Buffer {
  const b = Buffer.alloc(SEGMENT_HEADER_BYTES);
  b.set(MAGIC, 0);
  b[4] = WAL_FORMAT_VERSION;
  b.writeUInt32LE(sessionId >>> 0, 8);
  b.writeUInt32LE(crc32(b.subarray(0, 12)), 12);
  return b;
}

/** The session id of a valid header, or undefined. */
export function decodeSegmentHeader(b: Buffer): number | undefined {
  if (b.length < SEGMENT_HEADER_BYTES) return undefined;
  for (let i = 0; i < 4; i++) if (b[i] !== MAGIC[i]) return undefined;
  if (b[4] !== WAL_FORMAT_VERSION) return undefined;
  if (b.readUInt32LE(12) !== crc32(b.subarray(0, 12))) return undefined;
  return b.readUInt32LE(8);
}

/** Fills in the frame header at `buf[at..at+9)` for the payload that follows it. */
export function sealFrame(buf: Uint8Array, at: number, type: number, payloadLength: number): void {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  b.writeUInt32LE(payloadLength, at);
  b[at + 4] = type;
  const crc = crc32(
    b.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + payloadLength),
    crc32(b.subarray(at, at + 5)),
  );
  b.writeUInt32LE(crc, at + 5);
}

/** Reads a file through a window buffer; views stay valid until the next `view` call. */
export class FileWindow {
  private buf: Buffer;
  private start = 0;
  private len = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
    windowBytes = 4 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(windowBytes, Math.max(size, 64)));
  }

  /** `n` bytes at `offset`, or undefined when the file ends first. */
  view(offset: number, n: number): Buffer | undefined {
    if (offset + n > this.size) return undefined;
    if (offset >= this.start && offset + n <= this.start + this.len) {
      return this.buf.subarray(offset - this.start, offset - this.start + n);
    }
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    const want = Math.min(this.buf.length, this.size - offset);
    let got = 0;
    while (got < want) {
      const r = readSync(this.fd, this.buf, got, want - got, offset + got);
      if (r === 0) break;
      got += r;
    }
    this.start = offset;
    this.len = got;
    return got >= n ? this.buf.subarray(0, n) : undefined;
  }
}

/** Why valid data ended before the end of a file. */
export type DamageReason =
  | 'bad-segment-header'
  | 'truncated-frame-header'
  | 'bad-record-type'
  | 'bad-length'
  | 'truncated-record'
  | 'checksum-mismatch'
  | 'undecodable-record';

export interface ScanResult {
  /** Session id from the header (undefined for an empty file or a damaged header). */
  sessionId: number | undefined;
  /** Offset after the last valid frame (0 when the header itself is bad). */
  validEnd: number;
  size: number;
  damage: { offset: number; reason: DamageReason } | undefined;
}

/**
 * Walks the frames of one file, calling `onFrame` for each valid one, and stops at the first
 * damage. A callback that throws `FrameRejected` marks that frame as damaged ('undecodable-record').
 */
export function scanFile(path: string, onFrame: (type: number, payload: Buffer, offset: number) => void): ScanResult {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const win = new FileWindow(fd, size);
    if (size === 0) return { sessionId: undefined, validEnd: 0, size, damage: undefined };
    const header = win.view(0, SEGMENT_HEADER_BYTES);
    const sessionId = header === undefined ? undefined : decodeSegmentHeader(header);
    if (sessionId === undefined) {
      return { sessionId, validEnd: 0, size, damage: { offset: 0, reason: 'bad-segment-header' } };
    }
    let off = SEGMENT_HEADER_BYTES;
    while (off < size) {
      const problem = checkFrame(win, off);
      if (typeof problem === 'string')
        return { sessionId, validEnd: off, size, damage: { offset: off, reason: problem } };
      const frame = win.view(off, FRAME_HEADER_BYTES + problem)!;
      try {
        onFrame(frame[4]!, frame.subarray(FRAME_HEADER_BYTES), off);
      } catch (err) {
        if (err instanceof FrameRejected) {
          return { sessionId, validEnd: off, size, damage: { offset: off, reason: 'undecodable-record' } };
        }
        throw err;
      }
      off += FRAME_HEADER_BYTES + problem;
    }
    return { sessionId, validEnd: off, size, damage: undefined };
  } finally {
    closeSync(fd);
  }
}

/** Thrown by an `onFrame` callback for a frame whose checksum holds but whose payload does not decode. */
export class FrameRejected extends Error {}

/** The payload length of a valid frame at `off`, or why it is not one. */
function checkFrame(win: FileWindow, off: number): number | DamageReason {
  const h = win.view(off, FRAME_HEADER_BYTES);
  if (h === undefined) return 'truncated-frame-header';
  const len = h.readUInt32LE(0);
  const type = h[4]!;
  const stored = h.readUInt32LE(5);
  if (!isRecordType(type)) return 'bad-record-type';
  if (len > MAX_PAYLOAD_BYTES) return 'bad-length';
  const frame = win.view(off, FRAME_HEADER_BYTES + len);
  if (frame === undefined) return 'truncated-record';
  const crc = crc32(frame.subarray(FRAME_HEADER_BYTES), crc32(frame.subarray(0, 5)));
  return crc === stored ? len : 'checksum-mismatch';
}

/**
 * Whether a valid frame starts anywhere in `path` after `from`. A crash tears only the end of what
 * was being written, so damage followed by a valid frame is corruption, not a torn tail.
 */
export function validFrameAfter(path: string, from: number): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const win = new FileWindow(fd, size);
    let off = Math.max(from, SEGMENT_HEADER_BYTES);
    while (off + FRAME_HEADER_BYTES <= size) {
      // Scan a block for a plausible header (valid type byte, length that fits) without allocating.
      const blockLen = Math.min(size - off, 1 << 20);
      const block = win.view(off, blockLen)!;
      let candidate = -1;
      for (let i = 0; i + FRAME_HEADER_BYTES <= blockLen; i++) {
        if (!isRecordType(block[i + 4]!)) continue;
        const len = block.readUInt32LE(i);
        if (len > MAX_PAYLOAD_BYTES || off + i + FRAME_HEADER_BYTES + len > size) continue;
        candidate = off + i;
        break;
      }
      if (candidate < 0) {
        // The last 8 offsets of the block had no room for a header: look at them again in the next block.
        off += blockLen - (FRAME_HEADER_BYTES - 1);
        continue;
      }
      if (typeof checkFrame(win, candidate) === 'number') return true;
      off = candidate + 1;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}
