/**
 * Durable, embedded metric storage. Writes go to an in-memory head (a compressing chunk per
 * series) and to a write-ahead log; `Appender.commit()` resolves only after the log reached the
 * disk (fdatasync, shared by concurrent commits). A checkpoint moves sealed chunks and a snapshot
 * of every open chunk into SQLite in one transaction and drops the log segments before it.
 * Recovery = the database + the log segments after the last checkpoint.
 *
 * Out-of-order samples within `outOfOrderWindowMs` of a series' newest sample are kept in a small
 * sorted buffer and become their own chunk at the next checkpoint; reads merge overlapping chunks.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../lib/clock.js';
import { Labels, METRIC_NAME } from '../../lib/labels.js';
import type { Matcher } from '../../lib/matcher.js';
import { decodeChunk } from '../chunks/xor-chunk.js';
import type { Appender, AppendRejection, SeriesSamples, Storage } from '../index.js';
import { PostingsIndex } from '../postings.js';
import { ChunkDb } from './chunk-db.js';
import { chunkHasSampleIn, chunkWindowRelation, HeadSeries, type SealedChunk } from './head-series.js';
import { type WalRecord, type WalSeries, WriteAheadLog } from '../wal/wal.js';

export interface DiskStorageOptions {
  dir: string;
  clock: Clock;
  /** Samples this much older than a series' newest sample are still accepted. @default 3_600_000 */
  outOfOrderWindowMs?: number;
  /** Drop chunks older than this. 0 = keep forever. @default 15 days */
  retentionTimeMs?: number;
  /** Drop the oldest chunks when chunk data exceeds this. 0 = no limit. @default 0 */
  retentionSizeBytes?: number;
  /** How often the head is checkpointed into the database. @default 15 minutes */
  checkpointIntervalMs?: number;
  /** Reject samples more than this far in the future of the clock. @default 1 hour */
  maxFutureMs?: number;
}

export interface StorageStats {
  series: number;
  headChunks: number;
  sealedInMemory: number;
  oooSamples: number;
  dbChunks: number;
  dbChunkBytes: number;
  walSegments: number;
  minTimeMs: number;
  maxTimeMs: number;
  lastCheckpointMs: number;
  replay?: { records: number; samples: number; durationMs: number; tornTail: boolean };
}

const EMPTY = new Float64Array(0);

export class DiskStorage implements Storage {
  private readonly series: (HeadSeries | undefined)[] = [];
  /** Series by `labels.hash()`; a collision keeps an array (compared with `equals`). */
  private readonly byHash = new Map<number, HeadSeries | HeadSeries[]>();
  private readonly postings = new PostingsIndex();
  private nextRef = 1;
  /** Sealed chunks waiting for the next checkpoint, by series. */
  private readonly pendingSealed = new Set<HeadSeries>();
  private readonly pendingOoo = new Set<HeadSeries>();
  private lastCheckpointMs = 0;
  private cancelTimer: (() => void) | undefined;
  private closed = false;
  private replayStats: StorageStats['replay'];
  readonly outOfOrderWindowMs: number;
  readonly retentionTimeMs: number;
  readonly retentionSizeBytes: number;
  private readonly checkpointIntervalMs: number;
  private readonly maxFutureMs: number;

  private constructor(
    private readonly opts: DiskStorageOptions,
    private readonly db: ChunkDb,
    private readonly wal: WriteAheadLog,
  ) {
    this.outOfOrderWindowMs = opts.outOfOrderWindowMs ?? 3_600_000;
    this.retentionTimeMs = opts.retentionTimeMs ?? 15 * 86_400_000;
    this.retentionSizeBytes = opts.retentionSizeBytes ?? 0;
    this.checkpointIntervalMs = opts.checkpointIntervalMs ?? 15 * 60_000;
    this.maxFutureMs = opts.maxFutureMs ?? 3_600_000;
  }

  /** Opens (or creates) the storage in `dir` and recovers what was acknowledged before a crash. */
  static open(opts: DiskStorageOptions): DiskStorage {
    mkdirSync(opts.dir, { recursive: true });
    const db = new ChunkDb(join(opts.dir, 'chunks.db'));
    const wal = WriteAheadLog.open(join(opts.dir, 'wal'));
    const s = new DiskStorage(opts, db, wal);
    s.recover();
    s.lastCheckpointMs = opts.clock.nowMs();
    s.scheduleCheckpoint();
    return s;
  }

  private recover(): void {
    const t0 = performance.now();
    for (const stored of this.db.loadSeries()) {
      const hs = new HeadSeries(stored.ref, stored.labels);
      hs.dbMinTimeMs = stored.minTimeMs;
      hs.dbMaxTimeMs = stored.maxTimeMs;
      hs.lastTimeMs = stored.maxTimeMs;
      hs.persisted = true;
      this.addSeries(hs);
    }
    for (const snap of this.db.loadHeadChunks()) {
      const hs = this.series[snap.ref];
      if (!hs) continue;
      hs.restore(snap);
      this.pendingSealed.add(hs);
    }
    let samples = 0;
    const res = this.wal.replay((rec) => {
      samples += this.applyRecord(rec);
    });
    this.replayStats = {
      records: res.records,
      samples,
      durationMs: performance.now() - t0,
      tornTail: res.repairs.length > 0,
    };
  }

  /** Applies a WAL record during recovery; idempotent (exact resends are no-ops). */
  private applyRecord(rec: WalRecord): number {
    switch (rec.type) {
      case 'series': {
        for (const { ref, labels } of rec.series) {
          if (this.series[ref] === undefined) this.addSeries(new HeadSeries(ref, labels));
        }
        return 0;
      }
      case 'samples': {
        let n = 0;
        for (let i = 0; i < rec.refs.length; i++) {
          const hs = this.series[rec.refs[i]!];
          if (!hs) continue;
          if (this.stage(hs, rec.timestampsMs[i]!, rec.values[i]!, true) === undefined) n++;
        }
        return n;
      }
      case 'tombstones': {
        const victims = rec.tombstones.map((t) => this.series[t.ref]).filter((hs) => hs !== undefined);
        if (victims.length > 0) this.dropSeries(victims);
        return 0;
      }
    }
  }

  private addSeries(hs: HeadSeries): void {
    this.series[hs.ref] = hs;
    const h = hs.labels.hash();
    const prev = this.byHash.get(h);
    if (prev === undefined) this.byHash.set(h, hs);
    else this.byHash.set(h, Array.isArray(prev) ? [...prev, hs] : [prev, hs]);
    this.postings.add(hs.ref, hs.labels);
    if (hs.ref >= this.nextRef) this.nextRef = hs.ref + 1;
  }

  /** Validates and applies one sample to the head. Returns a rejection, or undefined when stored (or already there). */
  private stage(hs: HeadSeries, timestampMs: number, value: number, recovering: boolean): AppendRejection | undefined {
    const decision = hs.classify(timestampMs, value, recovering ? Infinity : this.outOfOrderWindowMs, () =>
      this.valueAt(hs, timestampMs),
    );
    switch (decision) {
      case 'append':
      case 'ooo':
      case 'exists':
        this.applySample(hs, timestampMs, value, decision);
        return undefined;
      default:
        return decision;
    }
  }

  private applySample(
    hs: HeadSeries,
    timestampMs: number,
    value: number,
    decision?: 'append' | 'ooo' | 'exists',
  ): void {
    const d = decision ?? (timestampMs > hs.lastTimeMs ? 'append' : 'ooo');
    if (d === 'exists') return;
    if (d === 'append') {
      const sealed = hs.append(timestampMs, value);
      if (sealed) this.pendingSealed.add(hs);
      return;
    }
    if (hs.memoryValueAt(timestampMs) !== undefined) return;
    hs.insertOutOfOrder(timestampMs, value);
    this.pendingOoo.add(hs);
  }

  private valueAt(hs: HeadSeries, timestampMs: number): number | undefined {
    const mem = hs.memoryValueAt(timestampMs);
    if (mem !== undefined) return mem;
    if (timestampMs < hs.dbMinTimeMs || timestampMs > hs.dbMaxTimeMs) return undefined;
    for (const c of this.db.chunks(hs.ref, timestampMs, timestampMs)) {
      const { ts, vals, count } = decodeChunk(c.data);
      for (let i = 0; i < count; i++) if (ts[i] === timestampMs) return vals[i];
    }
    return undefined;
  }

  private validLabels(labels: Labels): boolean {
    const f = labels.flat;
    if (f.length === 0 || !labels.has(METRIC_NAME)) return false;
    for (let i = 0; i < f.length; i += 2) {
      if (f[i] === '' || (i > 0 && f[i] === f[i - 2])) return false;
      if (!f[i]!.isWellFormed() || !f[i + 1]!.isWellFormed()) return false;
    }
    return true;
  }

  private getOrCreate(labels: Labels, newSeries: WalSeries[]): HeadSeries {
    let hs = this.lookup(labels);
    if (hs === undefined) {
      // Parsers hand out V8 sliced strings that keep a whole scrape body alive; a series lives
      // long, so its label strings are copied once, here.
      hs = new HeadSeries(this.nextRef++, Labels.fromSortedFlat(labels.flat.map(copyString)));
      this.addSeries(hs);
      newSeries.push({ ref: hs.ref, labels });
    }
    return hs;
  }

  private lookup(labels: Labels): HeadSeries | undefined {
    const found = this.byHash.get(labels.hash());
    if (found === undefined) return undefined;
    if (!Array.isArray(found)) return found.labels.equals(labels) ? found : undefined;
    return found.find((hs) => hs.labels.equals(labels));
  }

  append(labels: Labels, timestampMs: number, value: number): boolean {
    const app = this.appender();
    const rejected = app.append(labels, timestampMs, value);
    void app.commit();
    return rejected === undefined;
  }

  appender(): Appender {
    const refs: number[] = [];
    const ts: number[] = [];
    // A Float64Array, not a JS array: arrays may canonicalise NaN payloads (staleness markers).
    let vals = new Float64Array(64);
    const newSeries: WalSeries[] = [];
    let done = false;
    return {
      append: (labels, timestampMs, value) => {
        if (done) throw new Error('appender already committed or rolled back');
        if (
          !Number.isSafeInteger(timestampMs) ||
          timestampMs < 0 ||
          timestampMs > this.opts.clock.nowMs() + this.maxFutureMs
        ) {
          return 'bad-timestamp';
        }
        if (!this.validLabels(labels)) return 'bad-labels';
        const hs = this.getOrCreate(labels, newSeries);
        const r = this.stage(hs, timestampMs, value, false);
        if (r !== undefined) return r;
        if (refs.length === vals.length) {
          const grown = new Float64Array(vals.length * 2);
          grown.set(vals);
          vals = grown;
        }
        vals[refs.length] = value;
        refs.push(hs.ref);
        ts.push(timestampMs);
        return undefined;
      },
      commit: async () => {
        if (done) return;
        done = true;
        if (newSeries.length === 0 && refs.length === 0) return;
        const records: WalRecord[] = [];
        if (newSeries.length > 0) records.push({ type: 'series', series: newSeries });
        if (refs.length > 0) {
          records.push({ type: 'samples', refs, timestampsMs: ts, values: vals.subarray(0, refs.length) });
        }
        this.wal.append(records);
        await this.wal.sync();
      },
      rollback: () => {
        // Samples are applied to the head as they are staged (so a batch sees its own writes);
        // a rollback only means they are not logged: they will not survive a restart. Callers
        // that roll back report the batch as failed.
        done = true;
      },
    };
  }

  // ---- reads ----

  private matching(matchers: readonly Matcher[]): HeadSeries[] {
    const out: HeadSeries[] = [];
    for (const ref of this.postings.candidates(matchers)) {
      const hs = this.series[ref];
      if (!hs) continue;
      let ok = true;
      for (const m of matchers) {
        if (!m.matches(hs.labels.get(m.name))) {
          ok = false;
          break;
        }
      }
      if (ok) out.push(hs);
    }
    return out;
  }

  select(matchers: readonly Matcher[], minTimeMs: number, maxTimeMs: number): SeriesSamples[] {
    const series = this.matching(matchers);
    const inDb = series.filter((hs) => hs.dbMaxTimeMs >= minTimeMs && hs.dbMinTimeMs <= maxTimeMs).map((hs) => hs.ref);
    const dbChunks = inDb.length > 0 ? this.db.chunksForMany(inDb, minTimeMs, maxTimeMs) : undefined;
    const out: SeriesSamples[] = [];
    for (const hs of series) {
      const samples = this.read(hs, minTimeMs, maxTimeMs, dbChunks?.get(hs.ref) ?? []);
      out.push({ labels: hs.labels, timestampsMs: samples.ts, values: samples.vals });
    }
    return out;
  }

  /** Series (labels only) with data in the window. */
  seriesLabels(matchers: readonly Matcher[], minTimeMs: number, maxTimeMs: number): Labels[] {
    return this.matching(matchers)
      .filter((hs) => hs.maxTimeMs >= minTimeMs && hs.minTimeMs <= maxTimeMs)
      .map((hs) => hs.labels);
  }

  private read(
    hs: HeadSeries,
    minTimeMs: number,
    maxTimeMs: number,
    dbChunks: readonly { data: Uint8Array }[],
  ): { ts: Float64Array; vals: Float64Array } {
    if (hs.maxTimeMs < minTimeMs || hs.minTimeMs > maxTimeMs) return { ts: EMPTY, vals: EMPTY };
    const chunks: Uint8Array[] = dbChunks.map((c) => c.data);
    chunks.push(...hs.sealedChunks(minTimeMs, maxTimeMs));
    let total = hs.oooTs.length;
    const decoded = chunks.map((c) => {
      const d = decodeChunk(c, undefined, { verifyChecksum: false });
      total += d.count;
      return d;
    });
    const open = hs.openSamples();
    if (open && open.ts[open.count - 1]! >= minTimeMs && open.ts[0]! <= maxTimeMs) {
      decoded.push(open);
      total += open.count;
    }
    if (decoded.length === 1 && hs.oooTs.length === 0) {
      // One chunk covers the window (the common case for recent data): hand out views of the
      // freshly decoded arrays instead of copying them.
      const d = decoded[0]!;
      const lo = lowerBound(d.ts.subarray(0, d.count), minTimeMs);
      const hi = lowerBound(d.ts.subarray(0, d.count), maxTimeMs + 1);
      return { ts: d.ts.subarray(lo, hi), vals: d.vals.subarray(lo, hi) };
    }
    const ts = new Float64Array(total);
    const vals = new Float64Array(total);
    let n = 0;
    let sorted = true;
    for (const d of decoded) {
      if (n > 0 && d.count > 0 && d.ts[0]! <= ts[n - 1]!) sorted = false;
      ts.set(d.ts.subarray(0, d.count), n);
      vals.set(d.vals.subarray(0, d.count), n);
      n += d.count;
    }
    if (hs.oooTs.length > 0) {
      const oooVals = hs.oooVals;
      for (let i = 0; i < hs.oooTs.length; i++) {
        ts[n] = hs.oooTs[i]!;
        vals[n] = oooVals[i]!;
        n++;
      }
      sorted = false;
    }
    let outTs: Float64Array = ts;
    let outVals: Float64Array = vals;
    if (!sorted) [outTs, outVals] = sortDedupe(ts, vals, n);
    const lo = lowerBound(outTs, minTimeMs);
    const hi = lowerBound(outTs, maxTimeMs + 1);
    return { ts: outTs.subarray(lo, hi), vals: outVals.subarray(lo, hi) };
  }

  labelNames(matchers: readonly Matcher[] = [], minTimeMs = -Infinity, maxTimeMs = Infinity): string[] {
    if (matchers.length === 0 && minTimeMs === -Infinity && maxTimeMs === Infinity) return this.postings.labelNames();
    const names = new Set<string>();
    for (const hs of this.withSamplesIn(this.matching(matchers), minTimeMs, maxTimeMs)) {
      for (const [n] of hs.labels) names.add(n);
    }
    return [...names].sort();
  }

  labelValues(name: string, matchers: readonly Matcher[] = [], minTimeMs = -Infinity, maxTimeMs = Infinity): string[] {
    if (matchers.length === 0 && minTimeMs === -Infinity && maxTimeMs === Infinity) {
      return this.postings.labelValues(name);
    }
    const values = new Set<string>();
    for (const hs of this.withSamplesIn(this.matching(matchers), minTimeMs, maxTimeMs)) {
      const v = hs.labels.get(name);
      if (v !== '') values.add(v);
    }
    return [...values].sort();
  }

  /**
   * The series with at least one sample in [minTimeMs, maxTimeMs], decided from time ranges: the
   * series' own, its in-memory chunks' and out-of-order buffer's, then (for the series still open)
   * its database chunks' (one query per 500 series, without chunk data). A chunk is decoded only
   * when the window lies strictly between its first and last sample and nothing else decides.
   */
  private withSamplesIn(series: readonly HeadSeries[], minTimeMs: number, maxTimeMs: number): HeadSeries[] {
    const out: HeadSeries[] = [];
    /** Not decided by memory, with database chunks overlapping the window. */
    const open: HeadSeries[] = [];
    /** The window lies inside one of their in-memory chunks. */
    const memoryInside = new Set<HeadSeries>();
    for (const hs of series) {
      if (hs.maxTimeMs < minTimeMs || hs.minTimeMs > maxTimeMs) continue;
      const mem = hs.memoryWindowRelation(minTimeMs, maxTimeMs);
      if (mem === 'has') {
        out.push(hs);
        continue;
      }
      if (mem === 'inside') memoryInside.add(hs);
      if (hs.dbMaxTimeMs >= minTimeMs && hs.dbMaxTimeMs <= maxTimeMs) out.push(hs);
      else if (hs.dbMaxTimeMs >= minTimeMs && hs.dbMinTimeMs <= maxTimeMs) open.push(hs);
      else if (mem === 'inside' && hs.memoryHasSampleIn(minTimeMs, maxTimeMs)) out.push(hs);
    }
    if (open.length === 0) return out;
    const ranges = this.db.chunkRangesForMany(
      open.map((hs) => hs.ref),
      minTimeMs,
      maxTimeMs,
    );
    for (const hs of open) {
      let dbInside = false;
      let has = false;
      for (const c of ranges.get(hs.ref) ?? []) {
        const r = chunkWindowRelation(c.minTimeMs, c.maxTimeMs, minTimeMs, maxTimeMs);
        if (r === 'has') {
          has = true;
          break;
        }
        if (r === 'inside') dbInside = true;
      }
      if (!has && memoryInside.has(hs)) has = hs.memoryHasSampleIn(minTimeMs, maxTimeMs);
      if (!has && dbInside) {
        has = this.db.chunks(hs.ref, minTimeMs, maxTimeMs).some((c) => chunkHasSampleIn(c.data, minTimeMs, maxTimeMs));
      }
      if (has) out.push(hs);
    }
    return out;
  }

  // ---- maintenance ----

  private scheduleCheckpoint(): void {
    if (this.closed) return;
    this.cancelTimer = this.opts.clock.setTimeout(() => {
      try {
        this.checkpoint();
        this.applyRetention();
      } finally {
        this.scheduleCheckpoint();
      }
    }, this.checkpointIntervalMs);
  }

  /**
   * Moves everything the log holds into the database, then drops the log before this point.
   * Synchronous on purpose: no append can interleave between the database commit and the log cut.
   */
  checkpoint(): void {
    const closedSegment = this.wal.roll();
    const chunks: { ref: number; minTimeMs: number; maxTimeMs: number; data: Uint8Array }[] = [];
    const push = (hs: HeadSeries, c: SealedChunk): void => {
      chunks.push({ ref: hs.ref, ...c });
      hs.dbMinTimeMs = Math.min(hs.dbMinTimeMs, c.minTimeMs);
      hs.dbMaxTimeMs = Math.max(hs.dbMaxTimeMs, c.maxTimeMs);
    };
    for (const hs of this.pendingSealed) {
      for (const c of hs.sealed) push(hs, c);
      hs.clearSealed();
    }
    for (const hs of this.pendingOoo) {
      const c = hs.takeOutOfOrderChunk();
      if (c) push(hs, c);
    }
    this.pendingSealed.clear();
    this.pendingOoo.clear();
    const newSeries: { ref: number; labels: Labels }[] = [];
    const heads: { ref: number; snapshot: ReturnType<HeadSeries['snapshot']> }[] = [];
    for (const hs of this.series) {
      if (!hs) continue;
      if (!hs.persisted) {
        newSeries.push({ ref: hs.ref, labels: hs.labels });
        hs.persisted = true;
      }
      if (hs.headDirty) {
        heads.push({ ref: hs.ref, snapshot: hs.snapshot() });
        hs.headDirty = false;
      }
    }
    this.db.checkpoint({ newSeries, chunks, heads, meta: { last_checkpoint_ms: String(this.opts.clock.nowMs()) } });
    // Everything logged up to the closed segment is now in the database.
    if (closedSegment !== undefined) this.wal.truncateBefore(closedSegment + 1);
    this.lastCheckpointMs = this.opts.clock.nowMs();
  }

  /** Drops chunks past the retention time and the oldest ones past the size limit. */
  applyRetention(): void {
    if (this.retentionTimeMs > 0) {
      const cutoff = this.opts.clock.nowMs() - this.retentionTimeMs;
      if (this.db.deleteChunksBefore(cutoff) > 0) this.refreshDbRanges(cutoff);
    }
    if (this.retentionSizeBytes > 0) {
      let bytes = this.db.chunkBytes();
      while (bytes > this.retentionSizeBytes) {
        const ends = this.db.oldestChunkEnds(1000);
        if (ends.length === 0) break;
        const cutoff = ends[ends.length - 1]! + 1;
        this.db.deleteChunksBefore(cutoff);
        this.refreshDbRanges(cutoff);
        bytes = this.db.chunkBytes();
      }
    }
  }

  private refreshDbRanges(cutoff: number): void {
    const empty: HeadSeries[] = [];
    for (const hs of this.series) {
      if (!hs || hs.dbMinTimeMs >= cutoff) continue;
      if (hs.dbMaxTimeMs < cutoff) {
        hs.dbMinTimeMs = Infinity;
        hs.dbMaxTimeMs = -Infinity;
        if (hs.memoryEmpty) empty.push(hs);
      } else {
        hs.dbMinTimeMs = cutoff;
      }
    }
    if (empty.length > 0) this.dropSeries(empty, true);
  }

  /**
   * Deletes every series matching all matchers, with all its data (data-protection requests).
   * The deletion is logged first so that a crash cannot bring the data back.
   */
  async deleteSeries(matchers: readonly Matcher[]): Promise<number> {
    const victims = this.matching(matchers);
    if (victims.length === 0) return 0;
    this.wal.append([
      {
        type: 'tombstones',
        tombstones: victims.map((hs) => ({
          ref: hs.ref,
          minTimeMs: Number.MIN_SAFE_INTEGER,
          maxTimeMs: Number.MAX_SAFE_INTEGER,
        })),
      },
    ]);
    await this.wal.sync();
    this.dropSeries(victims);
    this.checkpoint();
    return victims.length;
  }

  private dropSeries(victims: HeadSeries[], keepDbRows = false): void {
    const refs = new Set(victims.map((hs) => hs.ref));
    this.postings.remove(refs, (ref) => this.series[ref]!.labels);
    for (const hs of victims) {
      this.series[hs.ref] = undefined;
      const h = hs.labels.hash();
      const found = this.byHash.get(h);
      if (Array.isArray(found)) {
        const rest = found.filter((x) => x !== hs);
        if (rest.length === 1) this.byHash.set(h, rest[0]!);
        else this.byHash.set(h, rest);
      } else this.byHash.delete(h);
      this.pendingSealed.delete(hs);
      this.pendingOoo.delete(hs);
    }
    if (!keepDbRows) this.db.deleteSeries([...refs]);
    else this.db.deleteSeries([...refs]);
  }

  stats(): StorageStats {
    let minT = Infinity;
    let maxT = -Infinity;
    let headChunks = 0;
    let sealed = 0;
    let ooo = 0;
    let count = 0;
    for (const hs of this.series) {
      if (!hs) continue;
      count++;
      minT = Math.min(minT, hs.minTimeMs);
      maxT = Math.max(maxT, hs.maxTimeMs);
      if (hs.open && hs.open.count > 0) headChunks++;
      sealed += hs.sealed.length;
      ooo += hs.oooTs.length;
    }
    const db = this.db.stats();
    return {
      series: count,
      headChunks,
      sealedInMemory: sealed,
      oooSamples: ooo,
      dbChunks: db.chunks,
      dbChunkBytes: this.db.chunkBytes(),
      walSegments: this.wal.stats.currentSegment ?? 0,
      minTimeMs: minT,
      maxTimeMs: maxT,
      lastCheckpointMs: this.lastCheckpointMs,
      replay: this.replayStats,
    };
  }

  /** Label pairs and names by series count, for /api/v1/status/tsdb. */
  get index(): PostingsIndex {
    return this.postings;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelTimer?.();
    this.checkpoint();
    await this.wal.close();
    this.db.close();
  }
}

function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sorts samples by time (stable) and keeps the last of equal timestamps. */
function sortDedupe(ts: Float64Array, vals: Float64Array, n: number): [Float64Array, Float64Array] {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => ts[a]! - ts[b]! || a - b);
  const outTs = new Float64Array(n);
  const outVals = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const j = idx[i]!;
    if (k > 0 && outTs[k - 1] === ts[j]) {
      outVals[k - 1] = vals[j]!;
      continue;
    }
    outTs[k] = ts[j]!;
    outVals[k] = vals[j]!;
    k++;
  }
  return [outTs.subarray(0, k), outVals.subarray(0, k)];
}

/** A copy of `s` that does not keep a larger parent string alive (V8 sliced strings). */
function copyString(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
