/**
 * PromQL engine benchmark: the alert expressions of plan §3 and the dashboard queries of plan §4
 * over 10,000 series of 24 h at 15 s (see promql-bench-data.ts), each as a range query over the
 * whole day at a dashboard's step and as an instant query at its end.
 *
 *   npm run bench:promql                      all queries, median of 5 runs, markdown table
 *   npm run bench:promql -- --runs 9 --write  also writes the table into bench/RESULTS.md
 *   npm run bench:promql -- --dry-run         generates and checks the data only (no engine)
 *   npm run bench:promql -- --filter cpu      only queries whose name or text matches
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Engine } from '../packages/server/src/promql/index.js';
import { Matcher } from '../packages/server/src/lib/matcher.js';
import type { QueryResult } from '../packages/server/src/promql/value.js';
import { MemoryStorage } from '../packages/server/src/tsdb/index.js';
import { PLAN_QUERIES, type PlanQuery as BenchQuery } from './plan-queries.js';
import {
  DATA_END_MS,
  DATA_START_MS,
  DEFAULT_SEED,
  LATENCY_BUCKETS_SECONDS,
  SAMPLES_PER_SERIES,
  SERIES_COUNT,
  generateDataSet,
  type DataSetStats,
} from './promql-bench-data.js';

/** A dashboard's step over a day: 1,441 points per series. */
const RANGE_STEP_MS = 60_000;
/** A query whose warm-up run takes longer is measured once, not --runs times. */
const SLOW_QUERY_MS = 10_000;
const RESULTS_PATH = new URL('./RESULTS.md', import.meta.url);
const SECTION_BEGIN = '<!-- promql-bench:begin -->';
const SECTION_END = '<!-- promql-bench:end -->';

const QUERIES = PLAN_QUERIES;

type QueryKind = 'range' | 'instant';

interface Measurement {
  query: BenchQuery;
  kind: QueryKind;
  /** Wall time of each measured run. */
  runsMs: number[];
  totalSamples: number;
  resultSeries: number;
  error?: string;
}

interface BenchOptions {
  runs: number;
  seed: number;
  write: boolean;
  dryRun: boolean;
  filter: RegExp | undefined;
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '5' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      write: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      filter: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run bench:promql -- [--runs N] [--seed N] [--filter REGEX] [--write] [--dry-run]\n' +
        '  --runs N        measured runs per query and kind, after one warm-up run (default 5)\n' +
        `  --seed N        data set seed (default ${DEFAULT_SEED})\n` +
        '  --filter REGEX  only queries whose name or expression matches\n' +
        '  --write         write the results table into bench/RESULTS.md\n' +
        '  --dry-run       generate and check the data set only; print its size',
    );
    process.exit(0);
  }
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  return {
    runs,
    seed,
    write: values.write,
    dryRun: values['dry-run'],
    filter: values.filter === undefined ? undefined : new RegExp(values.filter, 'i'),
  };
}

// --- Data -----------------------------------------------------------------------------------------

function buildStorage(seed: number): { storage: MemoryStorage; stats: DataSetStats; generateMs: number } {
  const storage = new MemoryStorage();
  const startMs = performance.now();
  const stats = generateDataSet(storage, seed);
  return { storage, stats, generateMs: performance.now() - startMs };
}

/**
 * Checks what the storage holds, through its query interface: the series and sample counts, one
 * sample per scrape, counters that only go down at a restart, histogram buckets that are
 * cumulative and end in `_count`. Returns the problems found.
 */
function checkDataSet(storage: MemoryStorage, stats: DataSetStats): string[] {
  const problems: string[] = [];
  const all = storage.select([new Matcher('=~', '__name__', '.+')], DATA_START_MS, DATA_END_MS);
  const expectedSamples = SERIES_COUNT * SAMPLES_PER_SERIES;
  let samples = 0;
  let counterDrops = 0;
  let valueSum = 0;
  for (const series of all) {
    samples += series.values.length;
    for (const v of series.values) valueSum += v;
    if (series.values.length !== SAMPLES_PER_SERIES) {
      problems.push(`${series.labels.toString()} has ${series.values.length} samples`);
    }
    const name = series.labels.get('__name__');
    if (/_(total|bucket|sum|count)$/.test(name)) {
      let drops = 0;
      for (let i = 1; i < series.values.length; i++) if (series.values[i]! < series.values[i - 1]!) drops++;
      if (drops > 1) problems.push(`counter ${series.labels.toString()} goes down ${drops} times`);
      counterDrops += drops;
    }
  }
  if (storage.seriesCount !== SERIES_COUNT || all.length !== SERIES_COUNT) {
    problems.push(`expected ${SERIES_COUNT} series, storage has ${storage.seriesCount}, select found ${all.length}`);
  }
  if (samples !== expectedSamples) problems.push(`expected ${expectedSamples} samples, found ${samples}`);
  if (stats.rejectedSamples > 0) problems.push(`${stats.rejectedSamples} samples were rejected by the storage`);
  // A restart shows as a drop unless the counter was still 0 (a bucket no request falls into).
  if (counterDrops > stats.counterResets || counterDrops < stats.counterResets * 0.9) {
    problems.push(`counters go down ${counterDrops} times, but ${stats.counterResets} restarts were generated`);
  }
  problems.push(...checkHistograms(storage));
  // Same seed, same sum: a quick way to compare the data across runs and machines.
  console.log(`  sum of all values: ${valueSum.toPrecision(17)}`);
  return problems;
}

function checkHistograms(storage: MemoryStorage): string[] {
  const problems: string[] = [];
  const name = (metric: string): Matcher => new Matcher('=', '__name__', metric);
  const buckets = storage.select([name('http_request_duration_seconds_bucket')], DATA_START_MS, DATA_END_MS);
  const countsByKey = new Map<string, Float64Array>();
  for (const s of storage.select([name('http_request_duration_seconds_count')], DATA_START_MS, DATA_END_MS)) {
    countsByKey.set(s.labels.without('__name__').key, s.values);
  }
  const groups = new Map<string, Map<string, Float64Array>>();
  for (const s of buckets) {
    const key = s.labels.without('__name__').without('le').key;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = new Map<string, Float64Array>()));
    group.set(s.labels.get('le'), s.values);
  }
  const leOrder = LATENCY_BUCKETS_SECONDS.map((le) => (le === Infinity ? '+Inf' : String(le)));
  for (const [key, group] of groups) {
    const ordered = leOrder.map((le) => group.get(le));
    const count = countsByKey.get(key);
    if (ordered.some((v) => v === undefined) || count === undefined) {
      problems.push(`histogram ${key} lacks a bucket or its _count`);
      continue;
    }
    const columns = ordered as Float64Array[];
    for (let i = 0; i < SAMPLES_PER_SERIES; i++) {
      for (let b = 1; b < columns.length; b++) {
        if (columns[b]![i]! < columns[b - 1]![i]!) {
          problems.push(`histogram ${key}: bucket ${leOrder[b]} < bucket ${leOrder[b - 1]} at sample ${i}`);
          break;
        }
      }
      if (columns[columns.length - 1]![i] !== count[i]) {
        problems.push(`histogram ${key}: +Inf bucket differs from _count at sample ${i}`);
        break;
      }
    }
  }
  if (groups.size === 0) problems.push('no http_request_duration_seconds_bucket series');
  return problems;
}

// --- Queries --------------------------------------------------------------------------------------

function resultSize(result: QueryResult): number {
  const value = result.value;
  switch (value.type) {
    case 'matrix':
      return value.series.length;
    case 'vector':
      return value.samples.length;
    case 'scalar':
    case 'string':
      return 1;
  }
}

async function runQuery(engine: Engine, kind: QueryKind, expr: string): Promise<QueryResult> {
  return kind === 'range'
    ? engine.rangeQuery(expr, DATA_START_MS, DATA_END_MS, RANGE_STEP_MS)
    : engine.instantQuery(expr, DATA_END_MS);
}

async function measure(engine: Engine, query: BenchQuery, kind: QueryKind, runs: number): Promise<Measurement> {
  const measurement: Measurement = { query, kind, runsMs: [], totalSamples: 0, resultSeries: 0 };
  try {
    const warmUpStartMs = performance.now();
    await runQuery(engine, kind, query.expr); // warm-up: JIT, caches
    const measuredRuns = performance.now() - warmUpStartMs > SLOW_QUERY_MS ? 1 : runs;
    for (let run = 0; run < measuredRuns; run++) {
      globalThis.gc?.();
      const startMs = performance.now();
      const result = await runQuery(engine, kind, query.expr);
      measurement.runsMs.push(performance.now() - startMs);
      measurement.totalSamples = result.totalSamples;
      measurement.resultSeries = resultSize(result);
    }
  } catch (err) {
    measurement.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  return measurement;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// --- Reporting ------------------------------------------------------------------------------------

function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function markdownTable(measurements: readonly Measurement[]): string {
  const escape = (s: string): string => s.replaceAll('|', '\\|');
  const lines = [
    '| query | expression | kind | runs | median ms | min ms | samples | samples/s | result series |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of measurements) {
    const cells = [escape(m.query.name), `\`${escape(m.query.expr)}\``, m.kind, String(m.runsMs.length)];
    if (m.error !== undefined) {
      cells.push(`error: ${escape(m.error)}`, '', '', '', '');
    } else {
      const medianMs = median(m.runsMs);
      cells.push(
        formatMs(medianMs),
        formatMs(Math.min(...m.runsMs)),
        formatCount(m.totalSamples),
        medianMs > 0 ? `${formatCount((m.totalSamples * 1000) / medianMs)}/s` : '-',
        String(m.resultSeries),
      );
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The command that was run, as a reader can repeat it (markdown). */
function commandLine(argv: readonly string[]): string {
  const script = relative(process.cwd(), process.argv[1] ?? 'bench/promql-bench.ts');
  const direct = `\`${['node', ...process.execArgv, script, ...argv].join(' ')}\``;
  if (process.env['npm_lifecycle_event'] !== 'bench:promql') return direct;
  return `\`npm run bench:promql${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}\`, which runs ${direct}`;
}

function machineDescription(): string {
  const cpuList = cpus();
  const model = cpuList[0]?.model.trim() ?? 'unknown CPU';
  const memoryGiB = (totalmem() / 2 ** 30).toFixed(0);
  return `${cpuList.length} cores (${model}), ${memoryGiB} GiB memory, Node ${process.version}, ${process.platform} ${process.arch}`;
}

function resultsSection(table: string, stats: DataSetStats, options: BenchOptions, argv: readonly string[]): string {
  const steps = Math.floor((DATA_END_MS - DATA_START_MS) / RANGE_STEP_MS) + 1;
  return [
    SECTION_BEGIN,
    '## PromQL engine (`bench/promql-bench.ts`)',
    '',
    `- date: ${new Date().toISOString()}`,
    `- machine: ${machineDescription()}`,
    `- command: ${commandLine(argv)}`,
    `- data: ${stats.seriesCount.toLocaleString('en')} series × ${SAMPLES_PER_SERIES.toLocaleString('en')} samples ` +
      `(24 h at 15 s) = ${stats.sampleCount.toLocaleString('en')} samples in MemoryStorage, seed ${options.seed}`,
    `- range queries: the whole day at a ${RANGE_STEP_MS / 1000} s step (${steps} steps); instant queries at the ` +
      `end of the day; median and minimum of ${options.runs} runs after one warm-up run (one run when the ` +
      `warm-up took over ${SLOW_QUERY_MS / 1000} s)`,
    '- samples: `QueryResult.totalSamples`; samples/s: samples / median time',
    '',
    table,
    SECTION_END,
  ].join('\n');
}

function writeResults(section: string): void {
  let text: string;
  try {
    text = readFileSync(RESULTS_PATH, 'utf8');
  } catch {
    text = '# Benchmark results\n\nEach section is written by its benchmark with `--write`; do not edit by hand.\n';
  }
  const begin = text.indexOf(SECTION_BEGIN);
  const end = text.indexOf(SECTION_END);
  text =
    begin >= 0 && end > begin
      ? text.slice(0, begin) + section + text.slice(end + SECTION_END.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(RESULTS_PATH, text);
}

// --- Main -----------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv);

  const { storage, stats, generateMs } = buildStorage(options.seed);
  const memory = process.memoryUsage();
  console.log(
    `data: ${stats.seriesCount} series, ${stats.sampleCount} samples (seed ${options.seed}), ` +
      `generated in ${(generateMs / 1000).toFixed(1)} s; rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB, ` +
      `array buffers ${(memory.arrayBuffers / 2 ** 20).toFixed(0)} MiB`,
  );

  if (options.dryRun) {
    for (const [metric, count] of stats.seriesByMetric) console.log(`  ${String(count).padStart(5)}  ${metric}`);
    console.log(`  counter restarts: ${stats.counterResets}`);
    const problems = checkDataSet(storage, stats);
    for (const problem of problems.slice(0, 20)) console.error(`problem: ${problem}`);
    console.log(problems.length === 0 ? 'check: OK' : `check: ${problems.length} problems`);
    return problems.length === 0 ? 0 : 1;
  }

  // Loaded here, not at the top, so that --dry-run works whatever state the engine is in.
  const promql = await import('../packages/server/src/promql/index.js');
  const engine = new promql.Engine(storage, {});
  const queries = QUERIES.filter((q) => options.filter === undefined || options.filter.test(`${q.name} ${q.expr}`));
  const measurements: Measurement[] = [];
  for (const query of queries) {
    for (const kind of ['range', 'instant'] as const) {
      const m = await measure(engine, query, kind, options.runs);
      measurements.push(m);
      const summary = m.error ?? `${formatMs(median(m.runsMs))} ms, ${formatCount(m.totalSamples)} samples`;
      console.error(`${query.name} [${kind}]: ${summary}`);
    }
  }

  const table = markdownTable(measurements);
  console.log(`\n${table}`);
  if (options.write) {
    writeResults(resultsSection(table, stats, options, argv));
    console.log(`\nwritten to ${relative(process.cwd(), RESULTS_PATH.pathname)}`);
  }
  return measurements.some((m) => m.error !== undefined) ? 1 : 0;
}

main().then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
