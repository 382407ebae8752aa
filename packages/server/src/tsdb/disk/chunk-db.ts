/**
 * The SQLite side of the durable storage: the series table, sealed chunks, the snapshot of each
 * series' open head chunk at the last checkpoint, and checkpoint metadata. better-sqlite3 is
 * synchronous, so a checkpoint is one transaction that no append can interleave with.
 */
import Database from 'better-sqlite3';
import { Labels } from '../../lib/labels.js';

export interface StoredSeries {
  ref: number;
  labels: Labels;
  /** Time range covered by sealed chunks in the database (±Infinity when none). */
  minTimeMs: number;
  maxTimeMs: number;
}

export interface HeadSnapshot {
  ref: number;
  minTimeMs: number;
  maxTimeMs: number;
  /** High and low 32 bits of the last sample's value. */
  lastHi: number;
  lastLo: number;
  data: Uint8Array;
}

export interface StoredChunk {
  minTimeMs: number;
  maxTimeMs: number;
  data: Uint8Array;
}

const SCHEMA_VERSION = 1;
/** Series per batched chunk query (SQLite's default limit is 32,766 parameters). */
const BATCH_REFS = 500;

export class ChunkDb {
  private readonly db: Database.Database;
  private readonly stmts: {
    insertSeries: Database.Statement;
    updateSeriesRange: Database.Statement;
    insertChunk: Database.Statement;
    chunksFor: Database.Statement;
    upsertHead: Database.Statement;
    deleteHead: Database.Statement;
    setMeta: Database.Statement;
    getMeta: Database.Statement;
  };

  constructor(file: string) {
    this.db = new Database(file);
    // WAL journal with synchronous=FULL: a committed checkpoint survives power loss.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // Deleted series (data-protection requests) are overwritten, not just unlinked.
    this.db.pragma('secure_delete = ON');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS series (
        ref INTEGER PRIMARY KEY,
        labels TEXT NOT NULL,
        min_t INTEGER,
        max_t INTEGER
      );
      CREATE TABLE IF NOT EXISTS chunks (
        series_ref INTEGER NOT NULL,
        min_t INTEGER NOT NULL,
        max_t INTEGER NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX IF NOT EXISTS chunks_by_series ON chunks (series_ref, max_t);
      CREATE INDEX IF NOT EXISTS chunks_by_time ON chunks (max_t);
      CREATE TABLE IF NOT EXISTS head_chunks (
        series_ref INTEGER PRIMARY KEY,
        min_t INTEGER NOT NULL,
        max_t INTEGER NOT NULL,
        last_bits BLOB NOT NULL,
        data BLOB NOT NULL
      );
    `);
    const version = this.db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as
      { value: string } | undefined;
    if (version === undefined) {
      this.db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
    } else if (Number(version.value) !== SCHEMA_VERSION) {
      throw new Error(`storage schema version ${version.value} is not supported (expected ${SCHEMA_VERSION})`);
    }
    this.stmts = {
      insertSeries: this.db.prepare(`INSERT OR IGNORE INTO series (ref, labels) VALUES (?, ?)`),
      updateSeriesRange: this.db.prepare(
        `UPDATE series SET min_t = MIN(COALESCE(min_t, @min), @min), max_t = MAX(COALESCE(max_t, @max), @max) WHERE ref = @ref`,
      ),
      insertChunk: this.db.prepare(`INSERT INTO chunks (series_ref, min_t, max_t, data) VALUES (?, ?, ?, ?)`),
      chunksFor: this.db.prepare(
        `SELECT min_t AS minT, max_t AS maxT, data FROM chunks WHERE series_ref = ? AND max_t >= ? AND min_t <= ? ORDER BY min_t`,
      ),
      upsertHead: this.db.prepare(
        `INSERT OR REPLACE INTO head_chunks (series_ref, min_t, max_t, last_bits, data) VALUES (?, ?, ?, ?, ?)`,
      ),
      deleteHead: this.db.prepare(`DELETE FROM head_chunks WHERE series_ref = ?`),
      setMeta: this.db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`),
      getMeta: this.db.prepare(`SELECT value FROM meta WHERE key = ?`),
    };
  }

  getMeta(key: string): string | undefined {
    return (this.stmts.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  *loadSeries(): Generator<StoredSeries> {
    // Raw rows (arrays, not objects): recovery reads every series.
    const stmt = this.db.prepare(`SELECT ref, labels, min_t, max_t FROM series ORDER BY ref`).raw(true);
    for (const row of stmt.iterate() as Iterable<[number, string, number | null, number | null]>) {
      yield {
        ref: row[0],
        labels: Labels.fromSortedFlat(JSON.parse(row[1]) as string[]),
        minTimeMs: row[2] ?? Infinity,
        maxTimeMs: row[3] ?? -Infinity,
      };
    }
  }

  /**
   * The open chunks as of the last checkpoint, with their time range and the raw bits of their
   * last value (SQLite REAL would turn NaN payloads into NULL), so recovery needs no decoding.
   */
  *loadHeadChunks(): Generator<HeadSnapshot> {
    const stmt = this.db.prepare(`SELECT series_ref, min_t, max_t, last_bits, data FROM head_chunks`).raw(true);
    for (const row of stmt.iterate() as Iterable<[number, number, number, Buffer, Buffer]>) {
      const bits = row[3];
      yield {
        ref: row[0],
        minTimeMs: row[1],
        maxTimeMs: row[2],
        lastHi: bits.readUInt32LE(4),
        lastLo: bits.readUInt32LE(0),
        data: new Uint8Array(row[4].buffer, row[4].byteOffset, row[4].byteLength),
      };
    }
  }

  chunks(ref: number, minTimeMs: number, maxTimeMs: number): StoredChunk[] {
    const rows = this.stmts.chunksFor.all(ref, minTimeMs, maxTimeMs) as { minT: number; maxT: number; data: Buffer }[];
    return rows.map((r) => ({
      minTimeMs: r.minT,
      maxTimeMs: r.maxT,
      data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength),
    }));
  }

  /**
   * Chunks of many series at once (`IN` lists of up to 500 refs): one statement per series costs
   * more than decoding when a query touches tens of thousands of series.
   */
  chunksForMany(refs: readonly number[], minTimeMs: number, maxTimeMs: number): Map<number, StoredChunk[]> {
    const out = new Map<number, StoredChunk[]>();
    for (let i = 0; i < refs.length; i += BATCH_REFS) {
      const part = refs.slice(i, i + BATCH_REFS);
      let stmt = this.batchStmts.get(part.length);
      if (stmt === undefined) {
        stmt = this.db
          .prepare(
            `SELECT series_ref, min_t, max_t, data FROM chunks WHERE series_ref IN (${part.map(() => '?').join(',')}) AND max_t >= ? AND min_t <= ? ORDER BY series_ref, min_t`,
          )
          .raw(true);
        this.batchStmts.set(part.length, stmt);
      }
      for (const row of stmt.iterate(...part, minTimeMs, maxTimeMs) as Iterable<[number, number, number, Buffer]>) {
        let list = out.get(row[0]);
        if (list === undefined) out.set(row[0], (list = []));
        list.push({
          minTimeMs: row[1],
          maxTimeMs: row[2],
          data: new Uint8Array(row[3].buffer, row[3].byteOffset, row[3].byteLength),
        });
      }
    }
    return out;
  }
  private readonly batchStmts = new Map<number, Database.Statement>();

  /**
   * Time ranges (no data) of the chunks of many series that overlap [minTimeMs, maxTimeMs], by
   * series, in batches of up to 500 refs as `chunksForMany`.
   */
  chunkRangesForMany(
    refs: readonly number[],
    minTimeMs: number,
    maxTimeMs: number,
  ): Map<number, { minTimeMs: number; maxTimeMs: number }[]> {
    const out = new Map<number, { minTimeMs: number; maxTimeMs: number }[]>();
    for (let i = 0; i < refs.length; i += BATCH_REFS) {
      const part = refs.slice(i, i + BATCH_REFS);
      let stmt = this.rangeStmts.get(part.length);
      if (stmt === undefined) {
        stmt = this.db
          .prepare(
            `SELECT series_ref, min_t, max_t FROM chunks WHERE series_ref IN (${part.map(() => '?').join(',')}) AND max_t >= ? AND min_t <= ?`,
          )
          .raw(true);
        this.rangeStmts.set(part.length, stmt);
      }
      for (const row of stmt.iterate(...part, minTimeMs, maxTimeMs) as Iterable<[number, number, number]>) {
        let list = out.get(row[0]);
        if (list === undefined) out.set(row[0], (list = []));
        list.push({ minTimeMs: row[1], maxTimeMs: row[2] });
      }
    }
    return out;
  }
  private readonly rangeStmts = new Map<number, Database.Statement>();

  /** Everything a checkpoint writes, in one transaction. */
  checkpoint(batch: {
    newSeries: { ref: number; labels: Labels }[];
    chunks: { ref: number; minTimeMs: number; maxTimeMs: number; data: Uint8Array }[];
    heads: { ref: number; snapshot: Omit<HeadSnapshot, 'ref'> | undefined }[];
    meta: Record<string, string>;
  }): void {
    this.db.transaction(() => {
      for (const s of batch.newSeries) this.stmts.insertSeries.run(s.ref, JSON.stringify(s.labels.flat));
      for (const c of batch.chunks) {
        this.stmts.insertChunk.run(c.ref, c.minTimeMs, c.maxTimeMs, c.data);
        this.stmts.updateSeriesRange.run({ min: c.minTimeMs, max: c.maxTimeMs, ref: c.ref });
      }
      for (const h of batch.heads) {
        if (h.snapshot) {
          const bits = Buffer.alloc(8);
          bits.writeUInt32LE(h.snapshot.lastLo, 0);
          bits.writeUInt32LE(h.snapshot.lastHi, 4);
          this.stmts.upsertHead.run(h.ref, h.snapshot.minTimeMs, h.snapshot.maxTimeMs, bits, h.snapshot.data);
        } else this.stmts.deleteHead.run(h.ref);
      }
      for (const [k, v] of Object.entries(batch.meta)) this.stmts.setMeta.run(k, v);
    })();
    // Fold SQLite's own journal back into the database so it does not grow between checkpoints.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** Deletes every chunk, head snapshot and series row of the given series. */
  deleteSeries(refs: readonly number[]): void {
    const delChunks = this.db.prepare(`DELETE FROM chunks WHERE series_ref = ?`);
    const delSeries = this.db.prepare(`DELETE FROM series WHERE ref = ?`);
    this.db.transaction(() => {
      for (const ref of refs) {
        delChunks.run(ref);
        this.stmts.deleteHead.run(ref);
        delSeries.run(ref);
      }
    })();
  }

  /** Deletes chunks that end before `minTimeMs`; returns the refs whose remaining range changed. */
  deleteChunksBefore(minTimeMs: number): number {
    const res = this.db.prepare(`DELETE FROM chunks WHERE max_t < ?`).run(minTimeMs);
    this.db
      .prepare(
        `UPDATE series SET min_t = (SELECT MIN(min_t) FROM chunks WHERE series_ref = ref), max_t = (SELECT MAX(max_t) FROM chunks WHERE series_ref = ref) WHERE min_t < ?`,
      )
      .run(minTimeMs);
    return res.changes;
  }

  /** The oldest chunks' end time, to drop by size. */
  oldestChunkEnds(limit: number): number[] {
    return (this.db.prepare(`SELECT max_t FROM chunks ORDER BY max_t LIMIT ?`).all(limit) as { max_t: number }[]).map(
      (r) => r.max_t,
    );
  }

  /** Bytes of chunk data stored. */
  chunkBytes(): number {
    return (this.db.prepare(`SELECT COALESCE(SUM(LENGTH(data)), 0) AS n FROM chunks`).get() as { n: number }).n;
  }

  stats(): { chunks: number; series: number } {
    const c = this.db.prepare(`SELECT COUNT(*) AS n FROM chunks`).get() as { n: number };
    const s = this.db.prepare(`SELECT COUNT(*) AS n FROM series`).get() as { n: number };
    return { chunks: c.n, series: s.n };
  }

  close(): void {
    this.db.close();
  }
}
