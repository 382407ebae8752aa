/**
 * The write-ahead log: records of new series, sample batches and tombstones, appended to numbered
 * segment files and made durable with fdatasync, so that a write acknowledged after `sync()`
 * survives kill -9 and power loss. Replay at startup rebuilds the head; checkpoints and truncation
 * drop what is persisted elsewhere. File formats: segment.ts and records.ts; design: ../README.md.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fsync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { WalCorruptError, WalError } from './errors.js';
import {
  ByteWriter,
  RecordDecodeError,
  decodeRecord,
  encodeRecord,
  validateRecord,
  type WalRecord,
} from './records.js';
import {
  FRAME_HEADER_BYTES,
  FrameRejected,
  SEGMENT_HEADER_BYTES,
  checkpointFileName,
  decodeSegmentHeader,
  encodeSegmentHeader,
  parseCheckpointFileName,
  parseSegmentFileName,
  scanFile,
  sealFrame,
  segmentFileName,
  validFrameAfter,
  type DamageReason,
} from './segment.js';

export type {
  WalRecord,
  WalSamplesRecord,
  WalSeries,
  WalSeriesRecord,
  WalTombstone,
  WalTombstonesRecord,
} from './records.js';

export interface WalOptions {
  /**
   * A segment is closed and a new one started when the next record would take it past this size.
   * A single record larger than this gets a segment of its own.
   * @default 134217728 (128 MiB)
   */
  segmentSizeBytes?: number;
  /**
   * Appended records are buffered in memory and written to the file when this much is pending,
   * and always by `sync()`.
   * @default 1048576 (1 MiB)
   */
  writeBufferBytes?: number;
}

/** Where a replayed record was read. */
export interface WalPosition {
  /** Segment number, or the checkpoint's number when `inCheckpoint`. */
  segment: number;
  /** Byte offset of the record's frame in its file. */
  offset: number;
  inCheckpoint: boolean;
}

/** Damage at the end of a segment that a crash explains: the file was cut there. */
export interface TailRepair {
  segment: number;
  offset: number;
  droppedBytes: number;
  reason: DamageReason;
}

export interface ReplayStats {
  /** The checkpoint read first, if any. */
  checkpoint: number | undefined;
  /** Segments read after it. */
  segments: number;
  firstSegment: number | undefined;
  lastSegment: number | undefined;
  records: number;
  seriesRecords: number;
  samplesRecords: number;
  tombstonesRecords: number;
  /** Samples in all samples records. */
  samples: number;
  /** Bytes of valid frames read. */
  bytes: number;
  /** Torn tails that were cut off (each file is truncated at `offset`). */
  repairs: TailRepair[];
}

/** What a checkpoint keeps of the records it rewrites. */
export interface CheckpointFilter {
  /** Series still in the head (series, samples and tombstones of other refs are dropped). */
  keepSeries(ref: number): boolean;
  /** Samples older than this are persisted in chunks and dropped; tombstones ending before it too. */
  minTimeMs: number;
}

export interface CheckpointStats {
  checkpoint: number;
  recordsRead: number;
  recordsWritten: number;
  samplesWritten: number;
  bytesWritten: number;
  segmentsDeleted: number;
}

/** Counters for tests, benchmarks and self-metrics. */
export interface WalStats {
  /** Bytes of frames appended since open (buffered or written). */
  appendedBytes: number;
  /** Bytes of frames known to be on stable storage. */
  durableBytes: number;
  /** fdatasync calls on segment files. */
  fileSyncs: number;
  /** fsync calls on the directory (after creating or removing files). */
  dirSyncs: number;
  segmentsCreated: number;
  /** The segment being written (undefined before the first append). */
  currentSegment: number | undefined;
}

const DEFAULT_SEGMENT_BYTES = 128 << 20;
const DEFAULT_WRITE_BUFFER_BYTES = 1 << 20;
const MIN_SEGMENT_BYTES = 1024;

interface Waiter {
  target: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const fdatasyncAsync = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => fdatasync(fd, (err) => (err === null ? resolve() : reject(err))));
const fsyncAsync = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => fsync(fd, (err) => (err === null ? resolve() : reject(err))));

/**
 * A directory of numbered segment files (`00000001.wal`, ...) and at most one checkpoint
 * (`checkpoint.00000012.wal`, the filtered content of segments up to 12). One process per directory.
 *
 * Writes start in a new segment after the last existing one. `append` only buffers; `sync()`
 * resolves once everything appended before the call is on stable storage. Concurrent `sync()`
 * calls share fsyncs (group commit): while one fdatasync runs, later callers wait for the next
 * one, which covers all of them.
 *
 * @example
 * const wal = WriteAheadLog.open(dir);
 * wal.replay((record) => head.apply(record));
 * wal.append([{ type: 'samples', refs, timestampsMs, values }]);
 * await wal.sync(); // now acknowledge the write
 */
export class WriteAheadLog {
  readonly dir: string;
  private readonly segmentSizeBytes: number;
  private readonly writeBufferBytes: number;
  private readonly sessionId: number;
  private dirFd: number;

  /** Segment numbers on disk when opened (ascending), and the newest checkpoint. */
  private existingSegments: number[];
  private checkpointSegment: number | undefined;
  private replayed = false;

  // Writer state.
  private fd = -1;
  private segment: number | undefined;
  private nextSegment: number;
  /** Bytes in the current segment, including pending ones. */
  private segmentBytes = 0;
  private pending: Uint8Array;
  private pendingLen = 0;
  private readonly payload = new ByteWriter();
  private appendedBytes = 0;
  private durableBytes = 0;
  private dirDirty = false;
  /** Closed segments whose descriptors a running sync may still use; closed when it ends. */
  private closeLater: number[] = [];

  // Group commit.
  private waiters: Waiter[] = [];
  private syncLoop: Promise<void> | undefined;

  private failure: WalError | undefined;
  private closed = false;
  private fileSyncs = 0;
  private dirSyncs = 0;
  private segmentsCreated = 0;

  private constructor(dir: string, options: WalOptions) {
    this.dir = dir;
    this.segmentSizeBytes = options.segmentSizeBytes ?? DEFAULT_SEGMENT_BYTES;
    this.writeBufferBytes = options.writeBufferBytes ?? DEFAULT_WRITE_BUFFER_BYTES;
    if (!Number.isSafeInteger(this.segmentSizeBytes) || this.segmentSizeBytes < MIN_SEGMENT_BYTES) {
      throw new RangeError(`segmentSizeBytes must be an integer ≥ ${MIN_SEGMENT_BYTES}, got ${this.segmentSizeBytes}`);
    }
    if (!Number.isSafeInteger(this.writeBufferBytes) || this.writeBufferBytes < 0) {
      throw new RangeError(`writeBufferBytes must be a non-negative integer, got ${this.writeBufferBytes}`);
    }
    this.sessionId = randomBytes(4).readUInt32LE(0);
    mkdirSync(dir, { recursive: true });
    this.dirFd = openSync(dir, 'r');
    const names = readdirSync(dir);
    this.existingSegments = names
      .map(parseSegmentFileName)
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b);
    const checkpoints = names
      .map(parseCheckpointFileName)
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b);
    this.checkpointSegment = checkpoints.at(-1);
    const last = Math.max(this.existingSegments.at(-1) ?? 0, this.checkpointSegment ?? 0);
    this.nextSegment = last + 1;
    this.pending = new Uint8Array(Math.max(1 << 16, this.writeBufferBytes + (1 << 16)));
    // Leftovers of an interrupted checkpoint.
    for (const name of names) if (name.endsWith('.tmp')) unlinkSync(join(dir, name));
  }

  /** Opens (creating if needed) the log in `dir`. Reads nothing yet: call `replay` to get the records. */
  static open(dir: string, options: WalOptions = {}): WriteAheadLog {
    return new WriteAheadLog(dir, options);
  }

  get stats(): WalStats {
    return {
      appendedBytes: this.appendedBytes,
      durableBytes: this.durableBytes,
      fileSyncs: this.fileSyncs,
      dirSyncs: this.dirSyncs,
      segmentsCreated: this.segmentsCreated,
      currentSegment: this.segment,
    };
  }

  // --- Writing ---------------------------------------------------------------------------------

  /**
   * Buffers records for writing. Not durable until a later `sync()` resolves.
   * @throws RangeError for a record that cannot be encoded; then none of `records` is appended.
   */
  append(records: readonly WalRecord[]): void {
    this.checkWritable();
    for (const record of records) validateRecord(record);
    for (const record of records) {
      encodeRecord(record, this.payload, (type, w) => this.appendFrame(type, w));
    }
  }

  /**
   * Resolves when every record appended before this call is on stable storage (fdatasync of the
   * segment, fsync of the directory after a new segment). Rejects with a `WalError` when a write
   * or fsync fails; the log then refuses all further writes.
   */
  sync(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new WalError('WK_WAL_CLOSED', 'the write-ahead log is closed'));
    const target = this.appendedBytes;
    if (target <= this.durableBytes) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ target, resolve, reject });
      this.syncLoop ??= this.runSyncLoop();
    });
  }

  /**
   * Closes the current segment (after making it durable): later appends go to a new segment.
   * Returns the number of the last closed segment, which a checkpoint or truncation may then cover
   * (undefined when nothing was written yet and no segment exists).
   */
  roll(): number | undefined {
    this.checkWritable();
    if (this.fd >= 0) {
      this.closeSegment();
      return this.nextSegment - 1;
    }
    return this.lastSegmentOnDisk();
  }

  private lastSegmentOnDisk(): number | undefined {
    return this.segment ?? this.existingSegments.at(-1);
  }

  private appendFrame(type: number, w: ByteWriter): void {
    const frameLen = FRAME_HEADER_BYTES + w.pos;
    if (this.fd < 0) {
      this.openSegment();
    } else if (this.segmentBytes + frameLen > this.segmentSizeBytes && this.segmentBytes > SEGMENT_HEADER_BYTES) {
      this.closeSegment();
      this.openSegment();
    }
    if (this.pendingLen + frameLen > this.pending.length) {
      this.flush();
      if (frameLen > this.pending.length) this.pending = new Uint8Array(frameLen);
    }
    const at = this.pendingLen;
    this.pending.set(w.buf.subarray(0, w.pos), at + FRAME_HEADER_BYTES);
    sealFrame(this.pending, at, type, w.pos);
    this.pendingLen += frameLen;
    this.segmentBytes += frameLen;
    this.appendedBytes += frameLen;
    if (this.pendingLen >= this.writeBufferBytes) this.flush();
  }

  private openSegment(): void {
    const segment = this.nextSegment;
    const path = join(this.dir, segmentFileName(segment));
    this.guard(() => {
      this.fd = openSync(path, 'wx');
      writeAll(this.fd, encodeSegmentHeader(this.sessionId), 0);
    });
    this.segment = segment;
    this.nextSegment = segment + 1;
    this.segmentBytes = SEGMENT_HEADER_BYTES;
    this.dirDirty = true;
    this.segmentsCreated++;
  }

  /**
   * Writes the rest of the segment and makes it durable before anything goes to the next one: so
   * only the last segment a writer touched can have a torn tail, which replay relies on.
   */
  private closeSegment(): void {
    this.flush();
    const fd = this.fd;
    this.guard(() => fdatasyncSync(fd));
    this.fileSyncs++;
    if (this.syncLoop === undefined) closeSync(fd);
    else this.closeLater.push(fd);
    this.fd = -1;
  }

  /** Writes pending bytes to the current segment (no fsync). */
  private flush(): void {
    if (this.pendingLen === 0) return;
    const start = this.segmentBytes - this.pendingLen;
    this.guard(() => writeAll(this.fd, this.pending.subarray(0, this.pendingLen), start));
    this.pendingLen = 0;
  }

  private async runSyncLoop(): Promise<void> {
    // Yield once: callers of sync() in the same tick join this round, and `syncLoop` is set before
    // the loop can finish (an iteration without fsync would otherwise end synchronously).
    await Promise.resolve();
    try {
      while (this.waiters.length > 0) {
        const target = this.appendedBytes;
        this.flush();
        const fd = this.fd;
        const syncDir = this.dirDirty;
        this.dirDirty = false;
        try {
          // fd < 0: the last segment was closed by roll(), which already made it durable.
          if (fd >= 0) {
            await fdatasyncAsync(fd);
            this.fileSyncs++;
          }
          if (syncDir) {
            await fsyncAsync(this.dirFd);
            this.dirSyncs++;
          }
        } catch (err) {
          throw this.fail('fsync', err);
        }
        this.durableBytes = Math.max(this.durableBytes, target);
        const still: Waiter[] = [];
        for (const w of this.waiters) {
          if (w.target <= target) w.resolve();
          else still.push(w);
        }
        this.waiters = still;
      }
    } catch (err) {
      for (const w of this.waiters) w.reject(err);
      this.waiters = [];
    } finally {
      for (const fd of this.closeLater) closeSync(fd);
      this.closeLater = [];
      this.syncLoop = undefined;
    }
  }

  private guard(io: () => void): void {
    try {
      io();
    } catch (err) {
      throw this.fail('write', err);
    }
  }

  private fail(what: string, err: unknown): WalError {
    this.failure ??= new WalError(
      'WK_WAL_FAILED',
      `write-ahead log ${what} failed in ${this.dir}: ${String(err)}; records appended since the last sync may be lost. ` +
        'Fix the disk (space, permissions, hardware) and restart: replay recovers everything that was synced',
      { cause: err },
    );
    return this.failure;
  }

  private checkWritable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new WalError('WK_WAL_CLOSED', 'the write-ahead log is closed');
  }

  // --- Reading ---------------------------------------------------------------------------------

  /**
   * Reads the checkpoint (if any) and then every segment in order, calling `onRecord` for each
   * record. A torn tail (the end of the last segment a writer wrote: an incomplete or failing
   * record with no valid record after it) is cut off and reported in `repairs`. Any other damage
   * throws a `WalCorruptError` with the file and offset. Must run before the first `append`.
   */
  replay(onRecord: (record: WalRecord, position: WalPosition) => void): ReplayStats {
    this.checkWritable();
    if (this.segment !== undefined) {
      throw new WalError('WK_WAL_STATE', 'replay() must run before the first append(): appends go to a new segment');
    }
    const stats: ReplayStats = {
      checkpoint: this.checkpointSegment,
      segments: 0,
      firstSegment: undefined,
      lastSegment: undefined,
      records: 0,
      seriesRecords: 0,
      samplesRecords: 0,
      tombstonesRecords: 0,
      samples: 0,
      bytes: 0,
      repairs: [],
    };
    const deliver = (segment: number, inCheckpoint: boolean) => (type: number, payload: Buffer, offset: number) => {
      let record: WalRecord;
      try {
        record = decodeRecord(type, payload, 0, payload.length);
      } catch (err) {
        if (err instanceof RecordDecodeError) throw new FrameRejected(err.message);
        throw err;
      }
      stats.records++;
      stats.bytes += FRAME_HEADER_BYTES + payload.length;
      if (record.type === 'series') stats.seriesRecords++;
      else if (record.type === 'tombstones') stats.tombstonesRecords++;
      else {
        stats.samplesRecords++;
        stats.samples += record.refs.length;
      }
      onRecord(record, { segment, offset, inCheckpoint });
    };

    if (this.checkpointSegment !== undefined) {
      const name = checkpointFileName(this.checkpointSegment);
      const result = scanFile(join(this.dir, name), deliver(this.checkpointSegment, true));
      // A checkpoint is renamed into place only once complete and durable: any damage is corruption.
      if (result.damage !== undefined) {
        throw new WalCorruptError(name, this.checkpointSegment, result.damage.offset, true, result.damage.reason);
      }
    }

    const segments = this.existingSegments.filter(
      (s) => this.checkpointSegment === undefined || s > this.checkpointSegment,
    );
    for (let i = 0; i < segments.length; i++) {
      const expected = i === 0 ? (this.checkpointSegment ?? segments[0]! - 1) + 1 : segments[i - 1]! + 1;
      if (segments[i] !== expected) {
        throw new WalError(
          'WK_WAL_MISSING_SEGMENT',
          `write-ahead log segment ${segmentFileName(expected)} is missing in ${this.dir} (found ${segmentFileName(segments[i]!)}); ` +
            'records in it are lost: restore it from a backup, or move the later segments away to start from what is there',
        );
      }
    }
    const sessions = segments.map((s) => scanHeaderOnly(join(this.dir, segmentFileName(s))));
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const name = segmentFileName(segment);
      const path = join(this.dir, name);
      const result = scanFile(path, deliver(segment, false));
      stats.segments++;
      stats.firstSegment ??= segment;
      stats.lastSegment = segment;
      if (result.damage === undefined) continue;
      const { offset, reason } = result.damage;
      // The writer that wrote this segment went on in the next one only after making it durable:
      // damage at its end is a torn tail only when no later segment comes from the same writer.
      const session = sessions[i];
      const lastOfWriter = i === segments.length - 1 || session === undefined || sessions[i + 1] !== session;
      // A record whose checksum holds but that does not decode was written that way: never a crash.
      if (reason === 'undecodable-record' || !lastOfWriter || validFrameAfter(path, offset + 1)) {
        throw new WalCorruptError(name, segment, offset, false, describe(reason, lastOfWriter));
      }
      this.truncateFile(path, offset);
      stats.repairs.push({ segment, offset, droppedBytes: result.size - offset, reason });
    }
    this.replayed = true;
    return stats;
  }

  private truncateFile(path: string, length: number): void {
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, length);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  // --- Dropping old segments ---------------------------------------------------------------------

  /**
   * Deletes every segment numbered below `segment` (and checkpoints of those), because their
   * content is persisted elsewhere. Oldest first, so a crash midway leaves a contiguous log.
   * `segment` may be at most the one being written.
   */
  truncateBefore(segment: number): number {
    this.checkWritable();
    // A segment closed by roll() is complete: it may be dropped too.
    const current = this.fd >= 0 && this.segment !== undefined ? this.segment : this.nextSegment;
    if (segment > current) {
      throw new WalError('WK_WAL_STATE', `cannot drop segments before ${segment}: the log is at segment ${current}`);
    }
    let deleted = 0;
    for (const s of this.segmentsOnDisk()) {
      if (s >= segment) break;
      unlinkSync(join(this.dir, segmentFileName(s)));
      deleted++;
    }
    for (const c of this.checkpointsOnDisk()) {
      if (c < segment) unlinkSync(join(this.dir, checkpointFileName(c)));
    }
    if (this.checkpointSegment !== undefined && this.checkpointSegment < segment) this.checkpointSegment = undefined;
    this.existingSegments = this.existingSegments.filter((s) => s >= segment);
    fsyncSync(this.dirFd);
    this.dirSyncs++;
    return deleted;
  }

  /**
   * Rewrites the checkpoint (if any) and all segments up to `throughSegment` into a new checkpoint
   * keeping only what `filter` keeps, then deletes those segments and the old checkpoint. Call
   * `roll()` first so that `throughSegment` is closed. Blocks while it reads and writes.
   */
  checkpoint(throughSegment: number, filter: CheckpointFilter): CheckpointStats {
    this.checkWritable();
    if (!this.replayed && this.existingSegments.length > 0) {
      throw new WalError(
        'WK_WAL_STATE',
        'replay() must run before checkpoint(): older segments may still have a torn tail',
      );
    }
    if (this.fd >= 0 && this.segment !== undefined && throughSegment >= this.segment) {
      throw new WalError('WK_WAL_STATE', `segment ${throughSegment} is still being written; call roll() first`);
    }
    const lastClosed = this.fd >= 0 ? this.segment! - 1 : this.lastSegmentOnDisk();
    if (lastClosed === undefined || throughSegment > lastClosed) {
      throw new WalError(
        'WK_WAL_STATE',
        `segment ${throughSegment} is not a closed segment (last closed: ${lastClosed ?? 'none'})`,
      );
    }
    const previous = this.checkpointSegment;
    if (previous !== undefined && throughSegment <= previous) {
      throw new WalError('WK_WAL_STATE', `segments up to ${throughSegment} are already in checkpoint ${previous}`);
    }
    const sources: { name: string; segment: number; inCheckpoint: boolean }[] = [];
    if (previous !== undefined)
      sources.push({ name: checkpointFileName(previous), segment: previous, inCheckpoint: true });
    for (const s of this.segmentsOnDisk()) {
      if (s <= throughSegment && (previous === undefined || s > previous)) {
        sources.push({ name: segmentFileName(s), segment: s, inCheckpoint: false });
      }
    }

    const name = checkpointFileName(throughSegment);
    const tmp = join(this.dir, `${name}.tmp`);
    const fd = openSync(tmp, 'w');
    const stats: CheckpointStats = {
      checkpoint: throughSegment,
      recordsRead: 0,
      recordsWritten: 0,
      samplesWritten: 0,
      bytesWritten: 0,
      segmentsDeleted: 0,
    };
    try {
      let fileOffset = writeAll(fd, encodeSegmentHeader(this.sessionId), 0);
      const out = new ByteWriter();
      const frame = new ByteWriter();
      const write = (type: number, w: ByteWriter): void => {
        frame.reset();
        frame.ensure(FRAME_HEADER_BYTES + w.pos);
        frame.buf.set(w.buf.subarray(0, w.pos), FRAME_HEADER_BYTES);
        sealFrame(frame.buf, 0, type, w.pos);
        fileOffset += writeAll(fd, frame.buf.subarray(0, FRAME_HEADER_BYTES + w.pos), fileOffset);
        stats.recordsWritten++;
        stats.bytesWritten += FRAME_HEADER_BYTES + w.pos;
      };
      for (const source of sources) {
        const result = scanFile(join(this.dir, source.name), (type, payload, offset) => {
          let record: WalRecord;
          try {
            record = decodeRecord(type, payload, 0, payload.length);
          } catch (err) {
            if (err instanceof RecordDecodeError) {
              throw new WalCorruptError(source.name, source.segment, offset, source.inCheckpoint, err.message);
            }
            throw err;
          }
          stats.recordsRead++;
          const kept = filterRecord(record, filter);
          if (kept === undefined) return;
          if (kept.type === 'samples') stats.samplesWritten += kept.refs.length;
          encodeRecord(kept, out, write);
        });
        if (result.damage !== undefined) {
          throw new WalCorruptError(
            source.name,
            source.segment,
            result.damage.offset,
            source.inCheckpoint,
            result.damage.reason,
          );
        }
      }
      fdatasyncSync(fd);
    } catch (err) {
      closeSync(fd);
      unlinkSync(tmp);
      throw err;
    }
    closeSync(fd);
    renameSync(tmp, join(this.dir, name));
    fsyncSync(this.dirFd);
    this.dirSyncs++;
    this.checkpointSegment = throughSegment;
    // The new checkpoint is durable: now the files it replaces can go, oldest first.
    for (const s of this.segmentsOnDisk()) {
      if (s > throughSegment) break;
      unlinkSync(join(this.dir, segmentFileName(s)));
      stats.segmentsDeleted++;
    }
    for (const c of this.checkpointsOnDisk()) {
      if (c < throughSegment) unlinkSync(join(this.dir, checkpointFileName(c)));
    }
    this.existingSegments = this.existingSegments.filter((s) => s > throughSegment);
    fsyncSync(this.dirFd);
    this.dirSyncs++;
    return stats;
  }

  private segmentsOnDisk(): number[] {
    return readdirSync(this.dir)
      .map(parseSegmentFileName)
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b);
  }

  private checkpointsOnDisk(): number[] {
    return readdirSync(this.dir)
      .map(parseCheckpointFileName)
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b);
  }

  /** Makes everything appended durable and closes the files. Later calls fail with WK_WAL_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.failure === undefined && this.appendedBytes > this.durableBytes) await this.sync();
    while (this.syncLoop !== undefined) await this.syncLoop;
    this.closed = true;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    closeSync(this.dirFd);
    this.dirFd = -1;
  }
}

function writeAll(fd: number, data: Uint8Array, position: number): number {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
  return done;
}

function scanHeaderOnly(path: string): number | undefined {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(SEGMENT_HEADER_BYTES);
    let got = 0;
    while (got < b.length) {
      const r = readSync(fd, b, got, b.length - got, got);
      if (r === 0) return undefined;
      got += r;
    }
    return decodeSegmentHeader(b);
  } finally {
    closeSync(fd);
  }
}

function describe(reason: DamageReason, lastOfWriter: boolean): string {
  if (reason === 'undecodable-record')
    return 'a record passes its checksum but does not decode (another format version, or a bug)';
  return lastOfWriter
    ? `${reason}, and valid records follow it`
    : `${reason} at the end of a segment that its writer continued in the next segment`;
}

/** What a checkpoint keeps of a record (undefined: nothing). */
function filterRecord(record: WalRecord, filter: CheckpointFilter): WalRecord | undefined {
  switch (record.type) {
    case 'series': {
      const series = record.series.filter((s) => filter.keepSeries(s.ref));
      return series.length === 0 ? undefined : { type: 'series', series };
    }
    case 'tombstones': {
      const tombstones = record.tombstones.filter((t) => filter.keepSeries(t.ref) && t.maxTimeMs >= filter.minTimeMs);
      return tombstones.length === 0 ? undefined : { type: 'tombstones', tombstones };
    }
    case 'samples': {
      const { refs, timestampsMs, values } = record;
      const keep: number[] = [];
      for (let i = 0; i < refs.length; i++) {
        if (timestampsMs[i]! >= filter.minTimeMs && filter.keepSeries(refs[i]!)) keep.push(i);
      }
      if (keep.length === 0) return undefined;
      if (keep.length === refs.length) return record;
      const r = new Float64Array(keep.length);
      const t = new Float64Array(keep.length);
      const v = new Float64Array(keep.length);
      // Values move as raw bits (a Uint32 pair each), so NaN payloads survive the filter.
      const src = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
      const dst = new Uint32Array(v.buffer);
      for (let k = 0; k < keep.length; k++) {
        const i = keep[k]!;
        r[k] = refs[i]!;
        t[k] = timestampsMs[i]!;
        dst[2 * k] = src[2 * i]!;
        dst[2 * k + 1] = src[2 * i + 1]!;
      }
      return { type: 'samples', refs: r, timestampsMs: t, values: v };
    }
  }
}
