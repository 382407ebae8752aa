import { afterEach, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Labels } from '../../lib/labels.js';
import { STALE_NAN_HI, STALE_NAN_LO } from '../../lib/stale.js';
import { WalCorruptError, WalError } from './errors.js';
import { FRAME_HEADER_BYTES, sealFrame, segmentFileName } from './segment.js';
import { comparable } from './testdata/comparable.js';
import { WriteAheadLog, type WalPosition, type WalRecord } from './wal.js';

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wk-wal-test-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function seriesRecord(from: number, count: number): WalRecord {
  return {
    type: 'series',
    series: Array.from({ length: count }, (_, i) => ({
      ref: from + i,
      labels: Labels.from({ __name__: 'sms_requests_total', instance: `host-${from + i}`, job: 'portal-web' }),
    })),
  };
}

/** Batch `b`: `n` samples whose values encode (b, i); the first one of odd batches is StaleNaN. */
function samplesRecord(b: number, n: number): WalRecord {
  const values = Float64Array.from({ length: n }, (_, i) => b * 1000 + i + 0.25);
  if (b % 2 === 1) {
    const u = new Uint32Array(values.buffer);
    u[LE ? 1 : 0] = STALE_NAN_HI;
    u[LE ? 0 : 1] = STALE_NAN_LO;
  }
  return {
    type: 'samples',
    refs: Float64Array.from({ length: n }, (_, i) => i % 50),
    timestampsMs: Float64Array.from({ length: n }, () => 1_700_000_000_000 + b * 15_000),
    values,
  };
}

function replayAll(dir: string): {
  records: unknown[];
  positions: WalPosition[];
  wal: WriteAheadLog;
  stats: ReturnType<WriteAheadLog['replay']>;
} {
  const wal = WriteAheadLog.open(dir);
  const records: unknown[] = [];
  const positions: WalPosition[] = [];
  const stats = wal.replay((r, p) => {
    records.push(comparable(r));
    positions.push(p);
  });
  return { records, positions, wal, stats };
}

/** Writes `batches` sample records (and series first), syncing after each; returns what was written. */
async function writeLog(dir: string, batches: number, options = {}): Promise<unknown[]> {
  const wal = WriteAheadLog.open(dir, options);
  const written: WalRecord[] = [seriesRecord(0, 50)];
  wal.append([written[0]!]);
  for (let b = 0; b < batches; b++) {
    const r =
      b % 7 === 3
        ? ({ type: 'tombstones', tombstones: [{ ref: b % 50, minTimeMs: 0, maxTimeMs: b }] } as const)
        : samplesRecord(b, 20 + (b % 5));
    written.push(r);
    wal.append([r]);
    await wal.sync();
  }
  await wal.close();
  return written.map(comparable);
}

function lastSegmentPath(dir: string): string {
  const segs = readdirSync(dir)
    .filter((n) => /^\d{8}\.wal$/.test(n))
    .sort();
  return join(dir, segs.at(-1)!);
}

describe('WriteAheadLog', () => {
  it('round-trips records across segments, in order', async () => {
    const dir = tempDir();
    const written = await writeLog(dir, 60, { segmentSizeBytes: 2048 });
    const { records, stats, positions, wal } = replayAll(dir);
    expect(records).toEqual(written);
    expect(stats.segments).toBeGreaterThan(3);
    expect(stats.repairs).toEqual([]);
    expect(stats.records).toBe(written.length);
    expect(positions[0]).toEqual({ segment: 1, offset: 16, inCheckpoint: false });
    // Segment 1 holds only the series record, larger than a segment; the others stay within the limit.
    expect(positions.filter((p) => p.segment === 1)).toHaveLength(1);
    for (const name of readdirSync(dir).filter((n) => n !== segmentFileName(1))) {
      expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(2048);
    }
    await wal.close();
  });

  it('continues in a new segment after reopening, and replays both runs', async () => {
    const dir = tempDir();
    const first = await writeLog(dir, 5);
    const second = await writeLog(dir, 3);
    const { records, stats, wal } = replayAll(dir);
    expect(records).toEqual([...first, ...second]);
    expect(stats.segments).toBe(2);
    await wal.close();
  });

  it('recovers from a crash at every byte of the last record: all complete records, no garbage', async () => {
    const dir = tempDir();
    const written = await writeLog(dir, 12);
    const { positions, wal } = replayAll(dir);
    await wal.close();
    const path = lastSegmentPath(dir);
    const size = statSync(path).size;
    const lastStart = positions.at(-1)!.offset;
    expect(size - lastStart).toBeGreaterThan(100);
    for (let cut = lastStart; cut < size; cut++) {
      const copy = tempDir();
      cpSync(dir, copy, { recursive: true });
      truncateSync(lastSegmentPath(copy), cut);
      const run = replayAll(copy);
      expect(run.records, `cut at ${cut}`).toEqual(written.slice(0, -1));
      expect(run.stats.repairs, `cut at ${cut}`).toEqual(
        cut === lastStart
          ? []
          : [{ segment: 1, offset: lastStart, droppedBytes: cut - lastStart, reason: expect.any(String) as unknown }],
      );
      // The log is usable again: the torn tail is gone and new records follow the old ones.
      run.wal.append([samplesRecord(99, 3)]);
      await run.wal.close();
      const again = replayAll(copy);
      expect(again.stats.repairs).toEqual([]);
      expect(again.records).toEqual([...written.slice(0, -1), comparable(samplesRecord(99, 3))]);
      await again.wal.close();
      rmSync(copy, { recursive: true, force: true });
    }
  });

  interface TailCase {
    name: string;
    damage: (bytes: Buffer, lastStart: number) => Buffer;
    keepsLastRecord: boolean;
  }
  const TORN_TAILS: TailCase[] = [
    {
      name: 'the last record zero-filled (size extended, data lost)',
      damage: (b, at) => Buffer.concat([b.subarray(0, at), Buffer.alloc(b.length - at)]),
      keepsLastRecord: false,
    },
    {
      name: 'a flipped bit in the last record',
      damage: (b) => Buffer.from(b.map((x, i) => (i === b.length - 3 ? x ^ 4 : x))),
      keepsLastRecord: false,
    },
    {
      name: 'garbage after the last record',
      damage: (b) => Buffer.concat([b, Buffer.from('not a record at all, just noise')]),
      keepsLastRecord: true,
    },
    {
      name: 'a zero-filled page after part of the last record',
      damage: (b, at) => Buffer.concat([b.subarray(0, at + 20), Buffer.alloc(4096)]),
      keepsLastRecord: false,
    },
  ];
  it.each(TORN_TAILS)('treats $name as a torn tail', async ({ damage, keepsLastRecord }) => {
    const dir = tempDir();
    const written = await writeLog(dir, 8);
    const { positions, wal } = replayAll(dir);
    await wal.close();
    const path = lastSegmentPath(dir);
    const original = readFileSync(path);
    writeFileSync(path, damage(original, positions.at(-1)!.offset));
    const run = replayAll(dir);
    expect(run.records).toEqual(keepsLastRecord ? written : written.slice(0, -1));
    expect(run.stats.repairs).toHaveLength(1);
    await run.wal.close();
  });

  it('reports a corrupt record in the middle of an older segment with the segment and offset', async () => {
    const dir = tempDir();
    await writeLog(dir, 40, { segmentSizeBytes: 2048 });
    const { positions, wal } = replayAll(dir);
    await wal.close();
    const victim = positions.find((p) => p.segment === 2 && p.offset > 16)!;
    const path = join(dir, segmentFileName(2));
    const bytes = readFileSync(path);
    bytes[victim.offset + 12] = bytes[victim.offset + 12]! ^ 0x10;
    writeFileSync(path, bytes);
    const reopened = WriteAheadLog.open(dir);
    let error: unknown;
    try {
      reopened.replay(() => {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WalCorruptError);
    expect(error).toMatchObject({ code: 'WK_WAL_CORRUPT', segment: 2, offset: victim.offset, inCheckpoint: false });
    expect(String(error)).toMatch(/00000002\.wal is corrupt at byte/);
    // Nothing was truncated.
    expect(readFileSync(path).length).toBe(bytes.length);
    await reopened.close();
  });

  it('reports damage followed by valid records in the last segment as corruption, not a torn tail', async () => {
    const dir = tempDir();
    await writeLog(dir, 10);
    const { positions, wal } = replayAll(dir);
    await wal.close();
    const path = lastSegmentPath(dir);
    const bytes = readFileSync(path);
    const victim = positions[3]!;
    bytes[victim.offset + 4] = 0; // type byte
    writeFileSync(path, bytes);
    expect(() => replayAll(dir)).toThrow(WalCorruptError);
  });

  it('finds valid records more than a read block (1 MiB) after the damage', async () => {
    const dir = tempDir();
    const wal = WriteAheadLog.open(dir);
    wal.append([samplesRecord(0, 120_000), samplesRecord(1, 3)]);
    await wal.close();
    const path = lastSegmentPath(dir);
    const bytes = readFileSync(path);
    expect(bytes.length).toBeGreaterThan(1 << 20);
    bytes[16 + 4] = 0; // the big record's type byte
    writeFileSync(path, bytes);
    expect(() => replayAll(dir)).toThrow(WalCorruptError);
  });

  it('syncs after a roll() with nothing new, and keeps working', async () => {
    const dir = tempDir();
    const wal = WriteAheadLog.open(dir);
    wal.append([samplesRecord(0, 3)]);
    await wal.sync();
    wal.append([samplesRecord(1, 3)]);
    expect(wal.roll()).toBe(1);
    await wal.sync();
    wal.append([samplesRecord(2, 3)]);
    await wal.sync();
    expect(wal.stats.durableBytes).toBe(wal.stats.appendedBytes);
    await wal.close();
    const run = replayAll(dir);
    expect(run.records).toEqual([0, 1, 2].map((b) => comparable(samplesRecord(b, 3))));
    expect(run.stats.segments).toBe(2);
    await run.wal.close();
  });

  it('reports a record that passes its checksum but does not decode as corruption, even at the end', async () => {
    const dir = tempDir();
    await writeLog(dir, 3);
    const frame = new Uint8Array(FRAME_HEADER_BYTES + 1);
    frame[FRAME_HEADER_BYTES] = 5; // a samples record claiming 5 samples, with none
    sealFrame(frame, 0, 2, 1);
    const path = lastSegmentPath(dir);
    writeFileSync(path, Buffer.concat([readFileSync(path), frame]));
    expect(() => replayAll(dir)).toThrow(/passes its checksum but does not decode/);
  });

  it('reports the torn end of a segment that its writer continued as corruption', async () => {
    const dir = tempDir();
    await writeLog(dir, 40, { segmentSizeBytes: 2048 });
    const path = join(dir, segmentFileName(2));
    truncateSync(path, statSync(path).size - 5);
    expect(() => replayAll(dir)).toThrow(/continued in the next segment/);
  });

  it('accepts the torn end of an older segment when the next one comes from a new writer (crash, restart, no replay)', async () => {
    const dir = tempDir();
    const first = await writeLog(dir, 6);
    truncateSync(join(dir, segmentFileName(1)), statSync(join(dir, segmentFileName(1))).size - 5);
    const second = await writeLog(dir, 2);
    const { records, stats, wal } = replayAll(dir);
    expect(records).toEqual([...first.slice(0, -1), ...second]);
    expect(stats.repairs).toMatchObject([{ segment: 1 }]);
    await wal.close();
  });

  it('treats a segment cut inside its header as empty', async () => {
    const dir = tempDir();
    const written = await writeLog(dir, 3);
    writeFileSync(join(dir, segmentFileName(2)), Buffer.from([0x57, 0x4b, 0x57]));
    const { records, stats, wal } = replayAll(dir);
    expect(records).toEqual(written);
    expect(stats.repairs).toMatchObject([{ segment: 2, offset: 0, reason: 'bad-segment-header' }]);
    expect(statSync(join(dir, segmentFileName(2))).size).toBe(0);
    await wal.close();
  });

  it('fails on a missing segment', async () => {
    const dir = tempDir();
    await writeLog(dir, 40, { segmentSizeBytes: 2048 });
    rmSync(join(dir, segmentFileName(3)));
    expect(() => replayAll(dir)).toThrow(/00000003\.wal is missing/);
    try {
      replayAll(dir);
    } catch (err) {
      expect(err).toMatchObject({ code: 'WK_WAL_MISSING_SEGMENT' });
    }
  });

  it('refuses replay after append, and appends with invalid records as a whole', async () => {
    const dir = tempDir();
    const wal = WriteAheadLog.open(dir);
    expect(() =>
      wal.append([
        samplesRecord(1, 2),
        { type: 'samples', refs: [-1], timestampsMs: [0], values: new Float64Array(1) },
      ]),
    ).toThrow(RangeError);
    expect(wal.stats.appendedBytes).toBe(0);
    wal.append([samplesRecord(1, 2)]);
    expect(() => wal.replay(() => {})).toThrow(WalError);
    await wal.close();
    await expect(wal.sync()).rejects.toMatchObject({ code: 'WK_WAL_CLOSED' });
    expect(() => wal.append([])).toThrow(/closed/);
  });

  it('group commit: concurrent sync() callers share fsyncs and resolve only once their data is durable', async () => {
    const dir = tempDir();
    const wal = WriteAheadLog.open(dir);
    wal.append([seriesRecord(0, 50)]);
    await wal.sync();
    const before = wal.stats.fileSyncs;

    // 50 callers at once: one fsync.
    wal.append([samplesRecord(0, 10)]);
    await Promise.all(Array.from({ length: 50 }, () => wal.sync()));
    expect(wal.stats.fileSyncs - before).toBe(1);

    // 20 writers × 10 rounds of append + sync, interleaved.
    const mid = wal.stats.fileSyncs;
    let syncs = 0;
    const violations: string[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, w) => {
        for (let r = 0; r < 10; r++) {
          wal.append([samplesRecord(w * 10 + r, 5)]);
          const target = wal.stats.appendedBytes;
          await wal.sync();
          syncs++;
          if (wal.stats.durableBytes < target) violations.push(`writer ${w} round ${r}`);
        }
      }),
    );
    expect(violations).toEqual([]);
    expect(syncs).toBe(200);
    expect(wal.stats.fileSyncs - mid).toBeLessThan(100);
    // A sync with nothing new to write does not fsync.
    const idle = wal.stats.fileSyncs;
    await wal.sync();
    expect(wal.stats.fileSyncs).toBe(idle);
    await wal.close();
    expect(replayAll(dir).records).toHaveLength(1 + 1 + 200);
  });

  it('drops whole segments with truncateBefore, oldest first', async () => {
    const dir = tempDir();
    await writeLog(dir, 40, { segmentSizeBytes: 2048 });
    const wal = WriteAheadLog.open(dir);
    const { positions } = replayAll(dir);
    wal.replay(() => {});
    const last = wal.roll()!;
    expect(last).toBeGreaterThan(4);
    expect(wal.truncateBefore(4)).toBe(3);
    await wal.close();
    const run = replayAll(dir);
    expect(run.stats.firstSegment).toBe(4);
    expect(run.positions).toEqual(positions.filter((p) => p.segment >= 4));
    await run.wal.close();
  });

  it('drops the segment roll() closed, and writes on in a new one', async () => {
    const dir = tempDir();
    const wal = WriteAheadLog.open(dir);
    wal.replay(() => {});
    wal.append([samplesRecord(0, 3)]);
    await wal.sync();
    const closed = wal.roll()!;
    expect(() => wal.truncateBefore(closed + 2)).toThrow(WalError);
    expect(wal.truncateBefore(closed + 1)).toBe(1);
    wal.append([samplesRecord(1, 3)]);
    await wal.close();
    const run = replayAll(dir);
    expect(run.records).toEqual([comparable(samplesRecord(1, 3))]);
    expect(run.stats.firstSegment).toBe(closed + 1);
    await run.wal.close();
  });

  it('checkpoints: keeps live series and recent samples, deletes covered segments, replays checkpoint then segments', async () => {
    const dir = tempDir();
    await writeLog(dir, 40, { segmentSizeBytes: 2048 });
    const wal = WriteAheadLog.open(dir, { segmentSizeBytes: 2048 });
    wal.replay(() => {});
    const through = wal.roll()!;
    wal.append([samplesRecord(500, 4)]);
    const minTimeMs = 1_700_000_000_000 + 30 * 15_000;
    const stats = wal.checkpoint(through - 1, { keepSeries: (ref) => ref % 2 === 0, minTimeMs });
    expect(stats.segmentsDeleted).toBe(through - 1);
    await wal.close();

    const run = replayAll(dir);
    expect(run.stats.checkpoint).toBe(through - 1);
    expect(run.stats.firstSegment).toBe(through);
    const fromCheckpoint = run.positions.filter((p) => p.inCheckpoint).length;
    const checkpointed = run.records.slice(0, fromCheckpoint) as {
      type: string;
      refs?: number[];
      timestampsMs?: number[];
      series?: { ref: number }[];
    }[];
    expect(checkpointed.length).toBeGreaterThan(0);
    for (const r of checkpointed) {
      if (r.type === 'series') expect(r.series!.every((s) => s.ref % 2 === 0)).toBe(true);
      if (r.type === 'samples') {
        expect(r.refs!.every((ref) => ref % 2 === 0)).toBe(true);
        expect(r.timestampsMs!.every((t) => t >= minTimeMs)).toBe(true);
      }
    }
    expect(run.records.at(-1)).toEqual(comparable(samplesRecord(500, 4)));
    await run.wal.close();
  });
});
