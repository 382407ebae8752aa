/**
 * Storage building blocks benchmark: XOR chunks (bytes per sample, encode and decode speed) and the
 * write-ahead log (records and bytes per second with one fsync per batch of 10,000 samples).
 *
 *   node --import tsx bench/chunk-bench.ts               synthetic series + WAL
 *   node --import tsx bench/chunk-bench.ts --portal      also the PromQL bench's portal data set (57.6 M samples)
 *   node --import tsx bench/chunk-bench.ts --wal-dir D   put the WAL under D (default: a temp dir; use the real disk)
 *
 * Prints markdown tables; writes nothing else (no RESULTS.md section yet).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Labels } from '../packages/server/src/lib/labels.js';
import type { Appendable, Appender } from '../packages/server/src/tsdb/index.js';
import { XorChunkEncoder, decodeChunk } from '../packages/server/src/tsdb/chunks/xor-chunk.js';
import { WriteAheadLog, type WalRecord } from '../packages/server/src/tsdb/wal/wal.js';
import { generateDataSet, mulberry32 } from './promql-bench-data.js';

const SAMPLES_PER_CHUNK = 120;
const SCRAPE_INTERVAL_MS = 15_000;
const START_MS = Date.UTC(2025, 0, 6);
/** Bytes of our envelope around Prometheus's XOR chunk: encoding byte + CRC32. */
const ENVELOPE_BYTES = 5;

const { values: args } = parseArgs({
  options: {
    portal: { type: 'boolean', default: false },
    'wal-dir': { type: 'string' },
    series: { type: 'string', default: '1000' },
    'wal-batches': { type: 'string', default: '200' },
  },
});

interface SeriesKind {
  name: string;
  /** Fills `ts` and `vals` with one series' samples. */
  generate(rand: () => number, ts: Float64Array, vals: Float64Array): void;
}

/** Scrape jitter: the scrape loop fires a few ms early or late (normal-ish, sd ≈ 3 ms). */
function jitterMs(rand: () => number): number {
  return Math.round((rand() + rand() + rand() + rand() - 2) * 5);
}

function timestamps(rand: () => number, ts: Float64Array, jitter: boolean): void {
  const offset = Math.floor(rand() * SCRAPE_INTERVAL_MS);
  for (let i = 0; i < ts.length; i++) {
    ts[i] = START_MS + offset + i * SCRAPE_INTERVAL_MS + (jitter ? jitterMs(rand) : 0);
  }
}

const KINDS: SeriesKind[] = [
  {
    name: 'counter, 15 s with jitter',
    generate(rand, ts, vals) {
      timestamps(rand, ts, true);
      const ratePerSecond = 0.1 + rand() * 50;
      let v = Math.floor(rand() * 1e6);
      for (let i = 0; i < ts.length; i++) {
        v += Math.round(ratePerSecond * 15 * (0.5 + rand()));
        vals[i] = v;
      }
    },
  },
  {
    name: 'counter, 15 s aligned',
    generate(rand, ts, vals) {
      timestamps(rand, ts, false);
      const ratePerSecond = 0.1 + rand() * 50;
      let v = Math.floor(rand() * 1e6);
      for (let i = 0; i < ts.length; i++) {
        v += Math.round(ratePerSecond * 15 * (0.5 + rand()));
        vals[i] = v;
      }
    },
  },
  {
    name: 'counter (seconds, float), 15 s with jitter',
    generate(rand, ts, vals) {
      timestamps(rand, ts, true);
      let v = rand() * 1e5;
      for (let i = 0; i < ts.length; i++) {
        v += rand() * 15;
        vals[i] = v;
      }
    },
  },
  {
    name: 'gauge (bytes, integer), 15 s with jitter',
    generate(rand, ts, vals) {
      timestamps(rand, ts, true);
      let v = 2e9 + Math.floor(rand() * 1e9);
      for (let i = 0; i < ts.length; i++) {
        if (rand() < 0.3) v += Math.floor((rand() - 0.5) * 4096) * 4096;
        vals[i] = v;
      }
    },
  },
  {
    name: 'gauge (ratio, float), 15 s with jitter',
    generate(rand, ts, vals) {
      timestamps(rand, ts, true);
      let v = rand();
      for (let i = 0; i < ts.length; i++) {
        v = Math.min(1, Math.max(0, v + (rand() - 0.5) * 0.02));
        vals[i] = v;
      }
    },
  },
  {
    name: 'constant (up = 1), 15 s aligned',
    generate(rand, ts, vals) {
      timestamps(rand, ts, false);
      vals.fill(1);
    },
  },
];

function fmtRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)} M/s`;
  return perSecond >= 1e4 ? `${(perSecond / 1e3).toFixed(1)} k/s` : `${Math.round(perSecond)}/s`;
}

/**
 * Best of `runs` timings of `fn` (ms of CPU time of this process, user + system), after one warm-up.
 * CPU time, not wall time: on a shared 2-core machine other processes would otherwise set the numbers.
 */
function bestOf(runs: number, fn: () => void): number {
  fn();
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1e3);
  }
  return best;
}

/** Delta-of-delta buckets as (largest magnitude, bits including the control prefix), last one catch-all. */
type Buckets = readonly (readonly [number, number])[];
/** Prometheus: 0 → '0'; '10' + 14 bits; '110' + 17; '1110' + 20; '1111' + 64. */
const PROMETHEUS_BUCKETS: Buckets = [
  [0, 1],
  [8192, 16],
  [65536, 20],
  [524288, 24],
  [Infinity, 68],
];
/** What-if: one more bucket for scrape jitter, '10' + 7 bits (±64 ms); the larger ones get one more control bit. */
const JITTER_BUCKETS: Buckets = [
  [0, 1],
  [64, 9],
  [8192, 17],
  [65536, 21],
  [524288, 25],
  [Infinity, 69],
];

/** Bits per sample that the timestamps of samples 2.. of each chunk take under `buckets`. */
function timestampBits(ts: readonly Float64Array[], buckets: Buckets): number {
  let bits = 0;
  let samples = 0;
  for (const t of ts) {
    for (let i = 0; i < t.length; i++) {
      samples++;
      if (i % SAMPLES_PER_CHUNK < 2) continue;
      const dod = Math.abs(t[i]! - 2 * t[i - 1]! + t[i - 2]!);
      for (const [max, cost] of buckets) {
        if (dod <= max) {
          bits += cost;
          break;
        }
      }
    }
  }
  return bits / samples;
}

function benchKind(kind: SeriesKind, seriesCount: number): string {
  const perSeries = 5_760; // 24 h at 15 s: 48 chunks of 120
  const rand = mulberry32(42);
  const ts = Array.from({ length: seriesCount }, () => new Float64Array(perSeries));
  const vals = Array.from({ length: seriesCount }, () => new Float64Array(perSeries));
  for (let s = 0; s < seriesCount; s++) kind.generate(rand, ts[s]!, vals[s]!);
  const total = seriesCount * perSeries;

  let chunks: Uint8Array[] = [];
  const encodeMs = bestOf(3, () => {
    chunks = [];
    for (let s = 0; s < seriesCount; s++) {
      const t = ts[s]!;
      const v = vals[s]!;
      let enc = new XorChunkEncoder();
      for (let i = 0; i < perSeries; i++) {
        enc.append(t[i]!, v[i]!);
        if (enc.count === SAMPLES_PER_CHUNK) {
          chunks.push(enc.bytes());
          enc = new XorChunkEncoder();
        }
      }
      if (enc.count > 0) chunks.push(enc.bytes());
    }
  });
  let bytes = 0;
  for (const c of chunks) bytes += c.length;

  const outTs = new Float64Array(perSeries);
  const outVals = new Float64Array(perSeries);
  const target = { ts: outTs, vals: outVals, offset: 0 };
  const perSeriesChunks = Math.ceil(perSeries / SAMPLES_PER_CHUNK);
  const decode = (verifyChecksum: boolean) => () => {
    for (let c = 0; c < chunks.length; c++) {
      target.offset = (c % perSeriesChunks) * SAMPLES_PER_CHUNK;
      decodeChunk(chunks[c]!, target, { verifyChecksum });
    }
  };
  const decodeMs = bestOf(3, decode(true));
  const decodeNoCrcMs = bestOf(3, decode(false));

  // Check the last series round-tripped (the bench must measure a correct codec).
  const last = seriesCount - 1;
  for (let i = 0; i < perSeries; i++) {
    if (outTs[i] !== ts[last]![i] || !Object.is(outVals[i], vals[last]![i]))
      throw new Error(`${kind.name}: mismatch at ${i}`);
  }

  const perSample = bytes / total;
  const promPerSample = (bytes - chunks.length * ENVELOPE_BYTES) / total;
  const tsBits = timestampBits(ts, PROMETHEUS_BUCKETS);
  const tsBitsJitter = timestampBits(ts, JITTER_BUCKETS);
  return `| ${kind.name} | ${total.toLocaleString('en')} | ${perSample.toFixed(3)} | ${promPerSample.toFixed(3)} | ${tsBits.toFixed(2)} | ${tsBitsJitter.toFixed(2)} | ${fmtRate(total / (encodeMs / 1e3))} | ${fmtRate(total / (decodeMs / 1e3))} | ${fmtRate(total / (decodeNoCrcMs / 1e3))} |`;
}

/** Feeds the PromQL bench's data set into one open encoder per series, sealing every 120 samples. */
class ChunkingAppendable implements Appendable {
  readonly open = new Map<string, XorChunkEncoder>();
  bytes = 0;
  chunks = 0;
  samples = 0;

  append(labels: Labels, timestampMs: number, value: number): boolean {
    let enc = this.open.get(labels.key);
    if (enc === undefined) {
      enc = new XorChunkEncoder();
      this.open.set(labels.key, enc);
    }
    enc.append(timestampMs, value);
    this.samples++;
    if (enc.count === SAMPLES_PER_CHUNK) {
      this.bytes += enc.bytes().length;
      this.chunks++;
      this.open.set(labels.key, new XorChunkEncoder());
    }
    return true;
  }

  appender(): Appender {
    throw new Error('not used by the data set generator');
  }

  finish(): void {
    for (const enc of this.open.values()) {
      if (enc.count === 0) continue;
      this.bytes += enc.bytes().length;
      this.chunks++;
    }
  }
}

function benchPortal(): string {
  const sink = new ChunkingAppendable();
  const start = performance.now();
  generateDataSet(sink);
  sink.finish();
  const ms = performance.now() - start;
  const perSample = sink.bytes / sink.samples;
  const promPerSample = (sink.bytes - sink.chunks * ENVELOPE_BYTES) / sink.samples;
  return [
    `- portal data set (bench/promql-bench-data.ts, seed 42): ${sink.samples.toLocaleString('en')} samples in ${sink.open.size.toLocaleString('en')} series, ${sink.chunks.toLocaleString('en')} chunks`,
    `- bytes/sample: ${perSample.toFixed(3)} (Prometheus payload only: ${promPerSample.toFixed(3)}); generation + encoding took ${(ms / 1e3).toFixed(1)} s`,
  ].join('\n');
}

async function benchWal(dir: string, batches: number): Promise<string> {
  const samplesPerBatch = 10_000;
  const seriesCount = 10_000;
  const wal = WriteAheadLog.open(dir, {});
  wal.replay(() => {});
  const { Labels: LabelsClass } = await import('../packages/server/src/lib/labels.js');
  const series: WalRecord = {
    type: 'series',
    series: Array.from({ length: seriesCount }, (_, ref) => ({
      ref,
      labels: LabelsClass.from({
        __name__: 'http_requests_total',
        instance: `10.0.${ref >> 8}.${ref & 255}:9100`,
        job: 'portal-web',
        status: '200',
      }),
    })),
  };
  wal.append([series]);
  await wal.sync();

  const rand = mulberry32(7);
  const refs = new Float64Array(samplesPerBatch);
  const tsArr = new Float64Array(samplesPerBatch);
  const vals = new Float64Array(samplesPerBatch);
  let t = START_MS;
  const before = wal.stats;
  const start = performance.now();
  for (let b = 0; b < batches; b++) {
    t += SCRAPE_INTERVAL_MS;
    for (let i = 0; i < samplesPerBatch; i++) {
      refs[i] = (b * samplesPerBatch + i) % seriesCount;
      tsArr[i] = t + (i % 7);
      vals[i] = Math.floor(rand() * 1e6);
    }
    wal.append([{ type: 'samples', refs, timestampsMs: tsArr, values: vals }]);
    await wal.sync();
  }
  const ms = performance.now() - start;
  const after = wal.stats;
  const bytes = after.appendedBytes - before.appendedBytes;
  const fsyncs = after.fileSyncs - before.fileSyncs;

  // Group commit: 8 writers each appending 1,250 samples and syncing, concurrently.
  const writers = 8;
  const rounds = 50;
  const g0 = wal.stats;
  const gStart = performance.now();
  const per = samplesPerBatch / writers;
  for (let r = 0; r < rounds; r++) {
    t += SCRAPE_INTERVAL_MS;
    const syncs: Promise<void>[] = [];
    for (let w = 0; w < writers; w++) {
      wal.append([
        {
          type: 'samples',
          refs: refs.subarray(w * per, (w + 1) * per),
          timestampsMs: tsArr.subarray(0, per).fill(t),
          values: vals.subarray(w * per, (w + 1) * per),
        },
      ]);
      syncs.push(wal.sync());
    }
    await Promise.all(syncs);
  }
  const gMs = performance.now() - gStart;
  const g1 = wal.stats;
  await wal.close();

  const total = batches * samplesPerBatch;
  return [
    `| batches of 10,000 samples, one fsync each | ${batches} | ${fmtRate(batches / (ms / 1e3)).replace('/s', ' records/s')} | ${fmtRate(total / (ms / 1e3)).replace('/s', ' samples/s')} | ${(bytes / 1e6 / (ms / 1e3)).toFixed(1)} MB/s | ${(bytes / total).toFixed(2)} | ${fsyncs} | ${(ms / batches).toFixed(2)} |`,
    `| 8 concurrent writers × 1,250 samples, sync each (group commit) | ${rounds * writers} | ${fmtRate((rounds * writers) / (gMs / 1e3)).replace('/s', ' records/s')} | ${fmtRate((rounds * samplesPerBatch) / (gMs / 1e3)).replace('/s', ' samples/s')} | ${((g1.appendedBytes - g0.appendedBytes) / 1e6 / (gMs / 1e3)).toFixed(1)} MB/s | ${((g1.appendedBytes - g0.appendedBytes) / (rounds * samplesPerBatch)).toFixed(2)} | ${g1.fileSyncs - g0.fileSyncs} | ${(gMs / rounds).toFixed(2)} |`,
  ].join('\n');
}

async function main(): Promise<void> {
  const seriesCount = Number(args.series);
  console.log(`# Storage building blocks (bench/chunk-bench.ts)\n`);
  console.log(
    `- machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform} ${process.arch}`,
  );
  console.log(
    `- chunks: ${seriesCount.toLocaleString('en')} series × 5,760 samples (24 h at 15 s) per kind, sealed every ${SAMPLES_PER_CHUNK} samples; speeds from the best of 3 runs after a warm-up, in CPU time\n`,
  );
  console.log('## XOR chunks\n');
  console.log(
    "(timestamp bits/sample: what the delta-of-delta field costs in Prometheus's buckets; the what-if adds a `10` + 7-bit bucket for scrape jitter, one more control bit for the larger ones; values unchanged)\n",
  );
  console.log(
    '| series | samples | bytes/sample | Prometheus payload bytes/sample | timestamp bits/sample | same with a ±64 ms dod bucket (what-if) | encode | decode (CRC checked) | decode (no CRC) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const kind of KINDS) console.log(benchKind(kind, seriesCount));
  if (args.portal) {
    console.log('');
    console.log(benchPortal());
  }

  const own = args['wal-dir'] === undefined;
  const dir = own ? mkdtempSync(join(tmpdir(), 'wk-wal-bench-')) : mkdtempSync(join(args['wal-dir']!, 'wk-wal-bench-'));
  try {
    console.log(`\n## Write-ahead log (${dir})\n`);
    console.log('| workload | records | records/s | samples/s | MB/s | bytes/sample | fsyncs | ms per round |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    console.log(await benchWal(dir, Number(args['wal-batches'])));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
