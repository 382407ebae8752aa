/**
 * Prometheus 2.42 (Debian's /usr/bin/prometheus) and Watchkeeper side by side on the same machine
 * and the same remote-write workload (prometheus-compare-workload.ts: the SMS data set of
 * promql-bench-data.ts in 10 regions = 100,000 active series, 15 s interval):
 *
 * 1. ingestion: samples/s of timed runs after an hour of data has been written (warm-up), median;
 *    also the server's CPU seconds per million samples (less sensitive to a busy machine);
 * 2. memory: VmRSS after ingesting (the smallest over 15 s) minus VmRSS at idle before, per series;
 * 3. disk: bytes per sample once data is sealed, on a smaller set (10,000 series × 4 h, so that
 *    Prometheus's head compacts a 2 h block);
 * 4. query latency of the plan's alert and dashboard queries (the list of bench/promql-bench.ts)
 *    over the hour ingested in 1, as range queries (1 h, 15 s step) and instant queries.
 *
 *   npm run bench:compare                      everything, prints the tables
 *   npm run bench:compare -- --write           also writes them into bench/RESULTS.md
 *   npm run bench:compare -- --profile         Watchkeeper under `node --cpu-prof` (bench/out/)
 *   npm run bench:compare -- --regions 1 --minutes 10 --skip-disk    a quick look
 *
 * The client (this process) pre-encodes the timed requests and sends them over keep-alive HTTP with
 * `--concurrency` senders; a request of scrape round k+1 waits for the same series' request of
 * round k (Prometheus accepts samples of a series only in order). Servers run one after the other
 * for every timed run, never at the same time; the untimed warm-up writes to both at once.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { freePort } from '../test/e2e/helpers.js';
import { Comparer, send } from '../test/e2e/prometheus-diff-compare.js';
import type { DiffRequest } from '../test/e2e/prometheus-diff-queries.js';
import {
  PROMETHEUS_BIN,
  prometheusAvailable,
  remoteWrite,
  startPrometheus,
  type PrometheusProcess,
} from '../test/e2e/prometheus-process.js';
import {
  cpuSeconds,
  dirBytes,
  peakRssBytes,
  rssBytes,
  startWatchkeeper,
  summariseCpuProfile,
  type WatchkeeperProcess,
} from './prometheus-compare-procs.js';
import { SCRAPE_INTERVAL_MS, baseSeries, encodeRound, workloadSeries } from './prometheus-compare-workload.js';
import { PLAN_QUERIES, type PlanQuery as BenchQuery } from './plan-queries.js';

const RESULTS_PATH = new URL('./RESULTS.md', import.meta.url);
const NOTES_PATH = new URL('./prometheus-compare-notes.md', import.meta.url);
const PROFILE_DIR = new URL('./out/prometheus-compare/', import.meta.url);
const SECTION_BEGIN = '<!-- prometheus-compare:begin -->';
const SECTION_END = '<!-- prometheus-compare:end -->';
const HOUR_MS = 3_600_000;
const ROUNDS_PER_HOUR = HOUR_MS / SCRAPE_INTERVAL_MS;

const QUERIES = PLAN_QUERIES;

interface Options {
  regions: number;
  minutes: number;
  runs: number;
  roundsPerRun: number;
  batch: number;
  concurrency: number;
  diskRegions: number;
  diskHours: number;
  queryRuns: number;
  settleSeconds: number;
  filter: RegExp | undefined;
  skipDisk: boolean;
  skipQueries: boolean;
  profile: boolean;
  write: boolean;
  rewriteNotes: boolean;
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      regions: { type: 'string', default: '10' },
      minutes: { type: 'string', default: '60' },
      runs: { type: 'string', default: '5' },
      'rounds-per-run': { type: 'string', default: '12' },
      batch: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '4' },
      'disk-regions': { type: 'string', default: '1' },
      'disk-hours': { type: 'string', default: '4' },
      'query-runs': { type: 'string', default: '5' },
      settle: { type: 'string', default: '45' },
      filter: { type: 'string' },
      'skip-disk': { type: 'boolean', default: false },
      'skip-queries': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      'rewrite-notes': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run bench:compare -- [options]\n' +
        '  --regions N         regions × 10,000 series = active series (default 10: 100,000)\n' +
        '  --minutes N         minutes of 15 s data written before the queries (default 60)\n' +
        '  --runs N            timed ingestion runs per server (default 5), each of\n' +
        '  --rounds-per-run N  scrape rounds (default 12: 1,200,000 samples at 100,000 series)\n' +
        '  --batch N           series (× 1 sample) per remote-write request (default 2000)\n' +
        '  --concurrency N     concurrent senders (default 4)\n' +
        '  --disk-regions N    series of the disk measurement, × 10,000 (default 1)\n' +
        '  --disk-hours N      hours of data for the disk measurement (default 4, at least 4)\n' +
        '  --query-runs N      measured runs per query and kind, after one warm-up (default 5)\n' +
        '  --settle N          seconds after ingestion over which the smallest RSS is taken (default 45)\n' +
        '  --filter REGEX      only queries whose name or expression matches\n' +
        '  --skip-disk, --skip-queries\n' +
        '  --profile           run Watchkeeper under node --cpu-prof and summarise the profile\n' +
        '  --write             write the tables into bench/RESULTS.md (and bench/out/prometheus-compare/last-run.json)\n' +
        '  --rewrite-notes     rewrite the RESULTS.md section from last-run.json with the current\n' +
        '                      prometheus-compare-notes.md, without measuring\n' +
        '  --keep              keep the data directories (printed)',
    );
    process.exit(0);
  }
  const int = (name: keyof typeof values, min: number): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const o: Options = {
    regions: int('regions', 1),
    minutes: int('minutes', 1),
    runs: int('runs', 1),
    roundsPerRun: int('rounds-per-run', 1),
    batch: int('batch', 1),
    concurrency: int('concurrency', 1),
    diskRegions: int('disk-regions', 1),
    diskHours: int('disk-hours', 4),
    queryRuns: int('query-runs', 1),
    settleSeconds: int('settle', 1),
    filter: values.filter === undefined ? undefined : new RegExp(values.filter, 'i'),
    skipDisk: values['skip-disk'],
    skipQueries: values['skip-queries'],
    profile: values.profile,
    write: values.write,
    rewriteNotes: values['rewrite-notes'],
    keep: values.keep,
  };
  if (o.runs * o.roundsPerRun >= (o.minutes * 60_000) / SCRAPE_INTERVAL_MS) {
    throw new Error('--runs × --rounds-per-run must be fewer scrape rounds than --minutes hold (the rest is warm-up)');
  }
  return o;
}

// --- Sending ---------------------------------------------------------------------------------------

interface SendResult {
  requests: number;
  failures: number;
  firstFailure?: string;
}

/**
 * Sends `bodies` with `concurrency` senders; body i starts only after body i - `perRound` (the
 * same series, one scrape round earlier) was answered.
 */
async function sendAll(url: string, bodies: Uint8Array[], concurrency: number, perRound: number): Promise<SendResult> {
  const done: Promise<void>[] = [];
  const resolvers: (() => void)[] = [];
  for (let i = 0; i < bodies.length; i++) done.push(new Promise<void>((r) => resolvers.push(r)));
  const result: SendResult = { requests: bodies.length, failures: 0 };
  let next = 0;
  const sender = async (): Promise<void> => {
    while (next < bodies.length) {
      const i = next++;
      if (i >= perRound) await done[i - perRound];
      try {
        const r = await remoteWrite(url, bodies[i]!);
        if (r.status !== 204) {
          result.failures++;
          result.firstFailure ??= `${r.status} ${r.text.slice(0, 300)}`;
        }
      } catch (err) {
        result.failures++;
        result.firstFailure ??= String(err);
      }
      resolvers[i]!();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return result;
}

function checkSent(server: string, r: SendResult): void {
  if (r.failures > 0) {
    throw new Error(`${server}: ${r.failures} of ${r.requests} remote-write requests failed, e.g. ${r.firstFailure}`);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// --- Measurements ----------------------------------------------------------------------------------

interface Side<T> {
  prometheus: T;
  watchkeeper: T;
}

interface IngestResult {
  series: number;
  samplesPerRun: number;
  samplesPerSecond: Side<number[]>;
  cpuSecondsPerMillion: Side<number[]>;
  /** CPU of this process (the sender) per million samples, median over all timed runs. */
  clientCpuSecondsPerMillion: number[];
  rssIdle: Side<number>;
  rssAfter: Side<number>;
  rssPeak: Side<number>;
  warmUpSeconds: number;
  t0Ms: number;
  endMs: number;
}

interface QueryMeasurement {
  query: BenchQuery;
  kind: 'range' | 'instant';
  ms: Side<number[]>;
  resultSeries: Side<number>;
  agreement: string;
}

interface DiskResult {
  series: number;
  hours: number;
  samples: number;
  prometheus: {
    block: { dir: string; bytes: number; chunkBytes: number; indexBytes: number; samples: number; series: number };
    totalBytes: number;
    walBytes: number;
    headChunkBytes: number;
  };
  watchkeeper: { dbBytes: number; walBytes: number; totalBytes: number; chunkPayloadBytes: number | undefined };
}

async function measureIngestion(
  o: Options,
  prom: PrometheusProcess,
  wk: WatchkeeperProcess,
  series: ReturnType<typeof workloadSeries>,
): Promise<IngestResult> {
  const rounds = Math.floor((o.minutes * 60_000) / SCRAPE_INTERVAL_MS);
  const timedRounds = o.runs * o.roundsPerRun;
  const warmUpRounds = rounds - timedRounds;
  // The hour ends a minute before now, on a multiple of a minute: every sample is in the past.
  const endMs = Math.floor((Date.now() - 60_000) / 60_000) * 60_000;
  const t0Ms = endMs - rounds * SCRAPE_INTERVAL_MS;
  const perRound = Math.ceil(series.length / o.batch);

  await sleep(3000);
  const rssIdle = { prometheus: rssBytes(prom.pid), watchkeeper: rssBytes(wk.pid) };
  console.error(
    `idle RSS: prometheus ${mib(rssIdle.prometheus)}, watchkeeper ${mib(rssIdle.watchkeeper)}; ` +
      `writing ${warmUpRounds} warm-up rounds of ${series.length} series to both...`,
  );

  const warmStart = performance.now();
  for (let k = 0; k < warmUpRounds; k++) {
    const bodies = encodeRound(series, k, t0Ms, o.batch);
    const [p, w] = await Promise.all([
      sendAll(prom.url, bodies, o.concurrency, perRound),
      sendAll(wk.url, bodies, o.concurrency, perRound),
    ]);
    checkSent('prometheus', p);
    checkSent('watchkeeper', w);
    if ((k + 1) % 20 === 0 || k === warmUpRounds - 1) {
      console.error(
        `  warm-up round ${k + 1}/${warmUpRounds} (${((performance.now() - warmStart) / 1000).toFixed(0)} s)`,
      );
    }
  }
  const warmUpSeconds = (performance.now() - warmStart) / 1000;

  // Timed runs: pre-encoded, one server at a time, alternating which goes first.
  const runs: Uint8Array[][] = [];
  for (let r = 0; r < o.runs; r++) {
    const bodies: Uint8Array[] = [];
    for (let k = 0; k < o.roundsPerRun; k++) {
      bodies.push(...encodeRound(series, warmUpRounds + r * o.roundsPerRun + k, t0Ms, o.batch));
    }
    runs.push(bodies);
  }
  const samplesPerRun = series.length * o.roundsPerRun;
  const samplesPerSecond: Side<number[]> = { prometheus: [], watchkeeper: [] };
  const cpuSecondsPerMillion: Side<number[]> = { prometheus: [], watchkeeper: [] };
  const clientCpuSecondsPerMillion: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    const order = r % 2 === 0 ? (['prometheus', 'watchkeeper'] as const) : (['watchkeeper', 'prometheus'] as const);
    for (const name of order) {
      const server = name === 'prometheus' ? prom : wk;
      await sleep(500);
      const cpu0 = cpuSeconds(server.pid);
      const client0 = process.cpuUsage();
      const t = performance.now();
      checkSent(name, await sendAll(server.url, runs[r]!, o.concurrency, perRound));
      const seconds = (performance.now() - t) / 1000;
      const cpu = cpuSeconds(server.pid) - cpu0;
      const client = process.cpuUsage(client0);
      clientCpuSecondsPerMillion.push((client.user + client.system) / samplesPerRun);
      samplesPerSecond[name].push(samplesPerRun / seconds);
      cpuSecondsPerMillion[name].push((cpu * 1e6) / samplesPerRun);
      console.error(
        `  run ${r + 1} ${name}: ${formatRate(samplesPerRun / seconds)} samples/s, ` +
          `${((cpu * 1e6) / samplesPerRun).toFixed(2)} CPU-s per million samples`,
      );
    }
  }
  // Both runtimes hold garbage until their collector runs (V8's memory reducer collects a few
  // seconds after the allocation rate drops; Go's scavenger returns pages in the background): the
  // smallest VmRSS over --settle quiet seconds.
  const rssAfter = { prometheus: Infinity, watchkeeper: Infinity };
  const timeline: Side<number[]> = { prometheus: [], watchkeeper: [] };
  for (let i = 0; i < o.settleSeconds; i++) {
    await sleep(1000);
    const p = rssBytes(prom.pid);
    const w = rssBytes(wk.pid);
    timeline.prometheus.push(Math.round(p / 2 ** 20));
    timeline.watchkeeper.push(Math.round(w / 2 ** 20));
    rssAfter.prometheus = Math.min(rssAfter.prometheus, p);
    rssAfter.watchkeeper = Math.min(rssAfter.watchkeeper, w);
  }
  console.error(`  RSS after ingestion, MiB per second: prometheus ${timeline.prometheus.join(' ')}`);
  console.error(`  RSS after ingestion, MiB per second: watchkeeper ${timeline.watchkeeper.join(' ')}`);
  const rssPeak = { prometheus: peakRssBytes(prom.pid), watchkeeper: peakRssBytes(wk.pid) };
  return {
    series: series.length,
    samplesPerRun,
    samplesPerSecond,
    cpuSecondsPerMillion,
    clientCpuSecondsPerMillion,
    rssIdle,
    rssAfter,
    rssPeak,
    warmUpSeconds,
    t0Ms,
    endMs,
  };
}

function queryRequest(q: BenchQuery, kind: 'range' | 'instant', endMs: number): DiffRequest {
  const sec = (ms: number): string => String(ms / 1000);
  return kind === 'range'
    ? {
        id: `query_range ${q.name}`,
        method: 'POST',
        path: '/api/v1/query_range',
        params: [
          ['query', q.expr],
          ['start', sec(endMs - HOUR_MS)],
          ['end', sec(endMs)],
          ['step', '15'],
        ],
        ordered: false,
      }
    : {
        id: `query ${q.name}`,
        method: 'POST',
        path: '/api/v1/query',
        params: [
          ['query', q.expr],
          ['time', sec(endMs)],
        ],
        ordered: false,
      };
}

function resultSeriesCount(text: string): number {
  const body = JSON.parse(text) as { data?: { result?: unknown } };
  const r = body.data?.result;
  return Array.isArray(r) ? r.length : 0;
}

async function measureQueries(
  o: Options,
  prom: PrometheusProcess,
  wk: WatchkeeperProcess,
  endMs: number,
): Promise<QueryMeasurement[]> {
  const out: QueryMeasurement[] = [];
  const queries = QUERIES.filter((q) => o.filter === undefined || o.filter.test(`${q.name} ${q.expr}`));
  for (const query of queries) {
    for (const kind of ['range', 'instant'] as const) {
      const req = queryRequest(query, kind, endMs);
      // Warm-up (and the answers compared), then alternating measured runs.
      const [p, w] = await Promise.all([send(prom.url, req), send(wk.url, req)]);
      const cmp = new Comparer(req).compare(p, w);
      const agreement =
        p.status !== 200 || w.status !== 200
          ? `HTTP ${p.status} / ${w.status}`
          : cmp.differences.length === 0
            ? 'same'
            : `differ: ${cmp.differences[0]!.slice(0, 160)}`;
      const ms: Side<number[]> = { prometheus: [], watchkeeper: [] };
      for (let r = 0; r < o.queryRuns; r++) {
        const order = r % 2 === 0 ? (['prometheus', 'watchkeeper'] as const) : (['watchkeeper', 'prometheus'] as const);
        for (const name of order) {
          const t = performance.now();
          const a = await send(name === 'prometheus' ? prom.url : wk.url, req);
          ms[name].push(performance.now() - t);
          if (a.status !== 200) throw new Error(`${name} ${req.id}: HTTP ${a.status} ${a.text.slice(0, 200)}`);
        }
      }
      const m: QueryMeasurement = {
        query,
        kind,
        ms,
        resultSeries: { prometheus: resultSeriesCount(p.text), watchkeeper: resultSeriesCount(w.text) },
        agreement,
      };
      out.push(m);
      console.error(
        `  ${query.name} [${kind}]: prometheus ${formatMs(median(ms.prometheus))} ms, ` +
          `watchkeeper ${formatMs(median(ms.watchkeeper))} ms; ${agreement}`,
      );
    }
  }
  return out;
}

const BLOCK_DIR = /^[0-9A-HJKMNP-TV-Z]{26}$/;

async function measureDisk(o: Options, root: string, base: ReturnType<typeof baseSeries>): Promise<DiskResult> {
  const series = workloadSeries(base, o.diskRegions);
  const rounds = o.diskHours * ROUNDS_PER_HOUR;
  // Start on a 2 h boundary, so that Prometheus's first block holds exactly 2 h of every series.
  const t0Ms = Math.floor((Date.now() - o.diskHours * HOUR_MS - 10 * 60_000) / (2 * HOUR_MS)) * 2 * HOUR_MS;
  const perRound = Math.ceil(series.length / o.batch);
  const [promPort, wkPort] = [await freePort(), await freePort()];
  const prom = await startPrometheus({ port: promPort, dir: join(root, 'disk-prometheus') });
  let wk = await startWatchkeeper({ port: wkPort, dir: join(root, 'disk-watchkeeper') });
  console.error(`disk: writing ${o.diskHours} h of ${series.length} series to both...`);
  const t = performance.now();
  for (let k = 0; k < rounds; k++) {
    const bodies = encodeRound(series, k, t0Ms, o.batch);
    const [p, w] = await Promise.all([
      sendAll(prom.url, bodies, o.concurrency, perRound),
      sendAll(wk.url, bodies, o.concurrency, perRound),
    ]);
    checkSent('prometheus', p);
    checkSent('watchkeeper', w);
    if ((k + 1) % 240 === 0)
      console.error(`  hour ${(k + 1) / 240} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }
  // Prometheus compacts its head into a block once it spans more than 3 h (on the next commit or
  // within a minute): wait for the block.
  let block: string | undefined;
  const deadline = Date.now() + 180_000;
  while (block === undefined && Date.now() < deadline) {
    block = readdirSync(prom.dataDir).find(
      (e) => BLOCK_DIR.test(e) && dirBytes(join(prom.dataDir, e, 'meta.json')) > 0,
    );
    if (block === undefined) await sleep(1000);
  }
  if (block === undefined) throw new Error('prometheus wrote no block within 3 minutes');
  await sleep(2000); // let the compaction finish writing and the head truncate
  const blockDir = join(prom.dataDir, block);
  const meta = JSON.parse(readFileSync(join(blockDir, 'meta.json'), 'utf8')) as {
    stats: { numSamples: number; numSeries: number };
  };
  await prom.stop('SIGTERM');
  await wk.stop('SIGTERM'); // checkpoints the head into chunks.db
  const wkDb = readdirSync(wk.dataDir)
    .filter((f) => f.startsWith('chunks.db'))
    .reduce((n, f) => n + dirBytes(join(wk.dataDir, f)), 0);
  const result: DiskResult = {
    series: series.length,
    hours: o.diskHours,
    samples: series.length * rounds,
    prometheus: {
      block: {
        dir: block,
        bytes: dirBytes(blockDir),
        chunkBytes: dirBytes(join(blockDir, 'chunks')),
        indexBytes: dirBytes(join(blockDir, 'index')),
        samples: meta.stats.numSamples,
        series: meta.stats.numSeries,
      },
      totalBytes: dirBytes(prom.dataDir),
      walBytes: dirBytes(join(prom.dataDir, 'wal')),
      headChunkBytes: dirBytes(join(prom.dataDir, 'chunks_head')),
    },
    watchkeeper: {
      dbBytes: wkDb,
      walBytes: dirBytes(join(wk.dataDir, 'wal')),
      totalBytes: dirBytes(wk.dataDir),
      chunkPayloadBytes: undefined,
    },
  };
  // The chunk payload inside chunks.db, from Watchkeeper's own gauge after a restart.
  wk = await startWatchkeeper({ port: wkPort, dir: join(root, 'disk-watchkeeper') });
  const metrics = await (await fetch(`${wk.url}/metrics`)).text();
  const m = /^watchkeeper_tsdb_stored_chunk_bytes (\S+)$/m.exec(metrics);
  if (m) result.watchkeeper.chunkPayloadBytes = Number(m[1]);
  await wk.stop('SIGTERM');
  return result;
}

// --- Reporting -------------------------------------------------------------------------------------

const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;

function formatRate(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(0)} k`;
}

function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

const ratio = (w: number, p: number): string => (p > 0 ? `${(w / p).toFixed(2)}` : '-');

function summaryTable(ing: IngestResult | undefined, disk: DiskResult | undefined, o: Options): string {
  const rows: string[][] = [];
  if (ing) {
    const sp = median(ing.samplesPerSecond.prometheus);
    const sw = median(ing.samplesPerSecond.watchkeeper);
    rows.push([
      `ingestion, samples/s (median of ${o.runs} runs × ${formatRate(ing.samplesPerRun)} samples; higher is better)`,
      formatRate(sp),
      formatRate(sw),
      ratio(sw, sp),
    ]);
    const cp = median(ing.cpuSecondsPerMillion.prometheus);
    const cw = median(ing.cpuSecondsPerMillion.watchkeeper);
    rows.push([
      'server CPU seconds per million samples ingested (median)',
      cp.toFixed(2),
      cw.toFixed(2),
      ratio(cw, cp),
    ]);
    rows.push([
      'RSS idle, before ingestion',
      mib(ing.rssIdle.prometheus),
      mib(ing.rssIdle.watchkeeper),
      ratio(ing.rssIdle.watchkeeper, ing.rssIdle.prometheus),
    ]);
    rows.push([
      `RSS after ingestion (${ing.series.toLocaleString('en')} series, ${o.minutes} min of samples in the head)`,
      mib(ing.rssAfter.prometheus),
      mib(ing.rssAfter.watchkeeper),
      ratio(ing.rssAfter.watchkeeper, ing.rssAfter.prometheus),
    ]);
    const mp = (ing.rssAfter.prometheus - ing.rssIdle.prometheus) / ing.series;
    const mw = (ing.rssAfter.watchkeeper - ing.rssIdle.watchkeeper) / ing.series;
    rows.push([
      'peak RSS (VmHWM) during the whole ingestion',
      mib(ing.rssPeak.prometheus),
      mib(ing.rssPeak.watchkeeper),
      ratio(ing.rssPeak.watchkeeper, ing.rssPeak.prometheus),
    ]);
    rows.push([
      'memory per active series, bytes ((RSS after − RSS idle) / series)',
      mp.toFixed(0),
      mw.toFixed(0),
      ratio(mw, mp),
    ]);
  }
  if (disk) {
    const pb = disk.prometheus.block;
    const sealedP = pb.bytes / pb.samples;
    const sealedW = (disk.watchkeeper.dbBytes + disk.watchkeeper.walBytes) / disk.samples;
    rows.push([
      'disk bytes per sample, sealed (Prometheus: its 2 h block; Watchkeeper: chunks.db + wal after SIGTERM)',
      sealedP.toFixed(2),
      sealedW.toFixed(2),
      ratio(sealedW, sealedP),
    ]);
    const payloadP = pb.chunkBytes / pb.samples;
    const payloadW =
      disk.watchkeeper.chunkPayloadBytes === undefined ? NaN : disk.watchkeeper.chunkPayloadBytes / disk.samples;
    rows.push([
      'of which chunk data (Prometheus: block chunks/; Watchkeeper: watchkeeper_tsdb_stored_chunk_bytes)',
      payloadP.toFixed(2),
      Number.isNaN(payloadW) ? '-' : payloadW.toFixed(2),
      Number.isNaN(payloadW) ? '-' : ratio(payloadW, payloadP),
    ]);
    const totalP = disk.prometheus.totalBytes / disk.samples;
    const totalW = disk.watchkeeper.totalBytes / disk.samples;
    rows.push([
      'disk bytes per sample, whole data directory after shutdown / all samples written',
      totalP.toFixed(2),
      totalW.toFixed(2),
      ratio(totalW, totalP),
    ]);
  }
  return [
    '| measurement | Prometheus 2.42 | Watchkeeper | Watchkeeper ÷ Prometheus |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function queryTable(ms: readonly QueryMeasurement[]): string {
  const esc = (s: string): string => s.replaceAll('|', '\\|');
  const lines = [
    '| query | kind | Prometheus ms | Watchkeeper ms | Watchkeeper ÷ Prometheus | result series (P / W) | answers |',
    '|---|---|---:|---:|---:|---:|---|',
  ];
  for (const m of ms) {
    const p = median(m.ms.prometheus);
    const w = median(m.ms.watchkeeper);
    lines.push(
      `| ${esc(m.query.name)} \`${esc(m.query.expr)}\` | ${m.kind} | ${formatMs(p)} | ${formatMs(w)} | ${ratio(w, p)} | ` +
        `${m.resultSeries.prometheus} / ${m.resultSeries.watchkeeper} | ${esc(m.agreement)} |`,
    );
  }
  const geo = (kind: string): string => {
    const sel = ms.filter((m) => m.kind === kind);
    if (sel.length === 0) return '-';
    const logs = sel.map((m) => Math.log(median(m.ms.watchkeeper) / median(m.ms.prometheus)));
    return Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length).toFixed(2);
  };
  lines.push(`| geometric mean of the ratios | range | | | ${geo('range')} | | |`);
  lines.push(`| geometric mean of the ratios | instant | | | ${geo('instant')} | | |`);
  return lines.join('\n');
}

function machineDescription(): string {
  const list = cpus();
  return (
    `${list.length} cores (${list[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory, ` +
    `Node ${process.version}, ${process.platform} ${process.arch}; load average at the start ${loadAverage()}`
  );
}

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

function commandLine(argv: readonly string[]): string {
  const script = relative(process.cwd(), process.argv[1] ?? 'bench/prometheus-compare.ts');
  const direct = `\`${['node', ...process.execArgv, script, ...argv].join(' ')}\``;
  if (process.env['npm_lifecycle_event'] !== 'bench:compare') return direct;
  return `\`npm run bench:compare${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}\`, which runs ${direct}`;
}

/** The checkout the Watchkeeper server ran from: commit, and whether packages/ had uncommitted changes. */
function watchkeeperRevision(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages'], { encoding: 'utf8' }).trim() !== '';
    return `commit ${commit}${dirty ? ' with uncommitted changes in packages/' : ''}`;
  } catch {
    return 'unknown commit';
  }
}

function prometheusVersion(): string {
  try {
    const out = execFileSync(PROMETHEUS_BIN, ['--version'], { encoding: 'utf8' });
    return `${PROMETHEUS_BIN}, ${out.split('\n')[0]?.trim() ?? ''}`;
  } catch {
    return PROMETHEUS_BIN;
  }
}

function section(parts: {
  o: Options;
  argv: readonly string[];
  ing?: IngestResult;
  disk?: DiskResult;
  queries?: QueryMeasurement[];
  profile?: string;
  machine: string;
  startedAt: string;
  revision: string;
  /** The command line as run (markdown). */
  command: string;
}): string {
  const { o, ing, disk, queries } = parts;
  const lines = [
    SECTION_BEGIN,
    '## Prometheus 2.42 vs Watchkeeper (`bench/prometheus-compare.ts`)',
    '',
    `- date: ${parts.startedAt}`,
    `- machine: ${parts.machine}`,
    `- command: ${parts.command}`,
    `- Prometheus: ${prometheusVersion()}, minimal configuration without targets, remote-write receiver, ` +
      `default TSDB flags; Watchkeeper: \`watchkeeper serve\` from this checkout (dist/, ${parts.revision}), self-scrape ` +
      'off, default storage settings',
    `- workload: the ${(10_000).toLocaleString('en')} series of promql-bench-data.ts (the SMS plan's metrics, seed 42) in ` +
      `${o.regions} regions (label \`region\`) = ${(o.regions * 10_000).toLocaleString('en')} active series, one sample per ` +
      `series every 15 s; remote write 1.0 requests of ${o.batch.toLocaleString('en')} series × 1 sample ` +
      `(snappy protobuf, about 60 KiB each), ${o.concurrency} concurrent senders over keep-alive HTTP in the bench process`,
  ];
  if (ing) {
    lines.push(
      `- ingestion: ${o.minutes} min of data (${Math.floor((o.minutes * 60_000) / SCRAPE_INTERVAL_MS)} scrape rounds) written to ` +
        `both: first ${Math.floor((o.minutes * 60_000) / SCRAPE_INTERVAL_MS) - o.runs * o.roundsPerRun} rounds as warm-up (to both at once, ` +
        `${ing.warmUpSeconds.toFixed(0)} s), then ${o.runs} timed runs of ${o.roundsPerRun} rounds each ` +
        `(${ing.samplesPerRun.toLocaleString('en')} samples, pre-encoded) per server, one server at a time, alternating; ` +
        'samples/s = samples of a run / wall time from its first request to its last answer; CPU = utime + stime of the ' +
        `server process over the run (/proc/<pid>/stat); the sender itself used ` +
        `${median(ing.clientCpuSecondsPerMillion).toFixed(2)} CPU-s per million samples (median over all runs)`,
      '- memory: VmRSS (/proc/<pid>/status) 3 s after start (idle), and the smallest VmRSS over the ' +
        `${o.settleSeconds} s after the last ` +
        'timed run (both runtimes keep garbage until they collect); the difference divided by the active series; it ' +
        `includes ${o.minutes} min of samples per series held in memory by both; peak = VmHWM at that point`,
    );
  }
  if (disk) {
    const pb = disk.prometheus.block;
    lines.push(
      `- disk: fresh servers, ${disk.series.toLocaleString('en')} series × ${disk.hours} h of 15 s data ` +
        `(${disk.samples.toLocaleString('en')} samples, a smaller set to keep the run short) starting on a 2 h boundary. ` +
        `Prometheus: its head compacted the first 2 h into block ${pb.dir} (${pb.series.toLocaleString('en')} series, ` +
        `${pb.samples.toLocaleString('en')} samples; ${(pb.bytes / 2 ** 20).toFixed(1)} MiB = chunks ` +
        `${(pb.chunkBytes / 2 ** 20).toFixed(1)} MiB + index ${(pb.indexBytes / 2 ** 20).toFixed(1)} MiB + meta); the other ` +
        `2 h stay in its head (chunks_head ${(disk.prometheus.headChunkBytes / 2 ** 20).toFixed(1)} MiB, wal ` +
        `${(disk.prometheus.walBytes / 2 ** 20).toFixed(1)} MiB after SIGTERM). Watchkeeper: stopped with SIGTERM (it ` +
        `checkpoints every series into SQLite on shutdown), then chunks.db* ${(disk.watchkeeper.dbBytes / 2 ** 20).toFixed(1)} MiB ` +
        `+ wal ${(disk.watchkeeper.walBytes / 2 ** 20).toFixed(3)} MiB over all ${disk.samples.toLocaleString('en')} samples`,
    );
  }
  if (queries) {
    lines.push(
      `- queries: over the ${o.minutes} min ingested above (${(o.regions * 10_000).toLocaleString('en')} series); range = the last ` +
        `hour at a 15 s step (241 steps), instant = at its end; HTTP POST form as Grafana sends it, time to the whole ` +
        `response body; median of ${o.queryRuns} runs after one warm-up, the servers alternating; "answers" compares the ` +
        'two JSON answers as test/e2e/prometheus-diff.test.ts does (relative tolerance 1e-12)',
    );
  }
  lines.push('', summaryTable(ing, disk, o));
  if (queries) lines.push('', queryTable(queries));
  if (parts.profile) lines.push('', '### Watchkeeper CPU profile (`--profile`)', '', parts.profile);
  let notes = '';
  try {
    notes = readFileSync(NOTES_PATH, 'utf8').trim();
  } catch {
    // no notes
  }
  if (notes) lines.push('', notes);
  lines.push(SECTION_END);
  return lines.join('\n');
}

function writeResults(text: string): void {
  let file: string;
  try {
    file = readFileSync(RESULTS_PATH, 'utf8');
  } catch {
    file = '# Benchmark results\n\nEach section is written by its benchmark with `--write`; do not edit by hand.\n';
  }
  const begin = file.indexOf(SECTION_BEGIN);
  const end = file.indexOf(SECTION_END);
  file =
    begin >= 0 && end > begin
      ? file.slice(0, begin) + text + file.slice(end + SECTION_END.length)
      : `${file.trimEnd()}\n\n${text}\n`;
  writeFileSync(RESULTS_PATH, file);
}

// --- Main ------------------------------------------------------------------------------------------

type SectionParts = Parameters<typeof section>[0];

const LAST_RUN_PATH = new URL('./last-run.json', PROFILE_DIR);

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const o = parseOptions(argv);
  if (o.rewriteNotes) {
    const parts = JSON.parse(readFileSync(LAST_RUN_PATH, 'utf8')) as SectionParts;
    writeResults(section(parts));
    console.log(`section rewritten from ${relative(process.cwd(), LAST_RUN_PATH.pathname)} with the current notes`);
    return 0;
  }
  if (!prometheusAvailable()) {
    console.error(`${PROMETHEUS_BIN} not found: apt-get install prometheus (or set PROMETHEUS_BIN)`);
    return 1;
  }
  const startedAt = new Date().toISOString();
  const machine = machineDescription();
  const revision = watchkeeperRevision();
  const rounds = Math.floor((o.minutes * 60_000) / SCRAPE_INTERVAL_MS);
  const t = performance.now();
  const base = baseSeries(Math.max(rounds, o.skipDisk ? 0 : o.diskHours * ROUNDS_PER_HOUR));
  const series = workloadSeries(base, o.regions);
  console.error(
    `workload: ${series.length.toLocaleString('en')} series, generated in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  const root = mkdtempSync(join(tmpdir(), 'wk-prom-compare-'));
  const profileDir = join(PROFILE_DIR.pathname, startedAt.replaceAll(':', '-'));
  let ing: IngestResult | undefined;
  let queries: QueryMeasurement[] | undefined;
  let disk: DiskResult | undefined;
  let profile: string | undefined;
  const started: { stop(signal?: NodeJS.Signals): Promise<number | null> }[] = [];
  try {
    const [promPort, wkPort] = [await freePort(), await freePort()];
    const prom = await startPrometheus({ port: promPort, dir: join(root, 'prometheus') });
    started.push(prom);
    const wk = await startWatchkeeper({
      port: wkPort,
      dir: join(root, 'watchkeeper'),
      nodeArgs: o.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    });
    started.push(wk);
    console.error(`prometheus pid ${prom.pid} at ${prom.url}, watchkeeper pid ${wk.pid} at ${wk.url}; data in ${root}`);
    ing = await measureIngestion(o, prom, wk, series);
    if (!o.skipQueries) {
      console.error('queries...');
      queries = await measureQueries(o, prom, wk, ing.endMs);
    }
    await prom.stop('SIGTERM');
    const tStop = performance.now();
    await wk.stop('SIGTERM');
    console.error(`watchkeeper stopped (checkpoint) in ${((performance.now() - tStop) / 1000).toFixed(1)} s`);
    if (o.profile) {
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) {
        profile =
          `Profile of the Watchkeeper process over the whole ingestion${o.skipQueries ? '' : ' and query'} phase ` +
          `(${relative(process.cwd(), join(profileDir, file))}); these numbers were measured under the profiler.\n\n` +
          summariseCpuProfile(join(profileDir, file));
        console.log(profile);
      }
    }
    if (!o.skipDisk) disk = await measureDisk(o, root, base);
  } finally {
    for (const p of started) await p.stop('SIGTERM');
    if (o.keep) console.error(`data kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }

  console.log(`\n${summaryTable(ing, disk, o)}`);
  if (queries) console.log(`\n${queryTable(queries)}`);
  if (o.write) {
    const command = commandLine(argv);
    const parts: SectionParts = { o, argv, ing, disk, queries, profile, machine, startedAt, revision, command };
    writeResults(section(parts));
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(LAST_RUN_PATH, JSON.stringify(parts));
    console.log(`\nwritten to ${relative(process.cwd(), RESULTS_PATH.pathname)}`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
