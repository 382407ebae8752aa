/**
 * Rule evaluation and notification latency, Watchkeeper vs Prometheus 2.42 + Alertmanager 0.25, in
 * the same run on the same data (issue 5's last "Done when" bullet):
 *
 * 1. evaluation cycle time of the plan's rule files (config/rules/*.yml, copied unchanged) over
 *    100,000 series (the SMS data set of promql-bench-data.ts in 10 regions, plus the restricted
 *    markup series of the revenue-internal rule), per group and per rule, from each server's
 *    `GET /api/v1/rules` (`evaluationTime` and `lastEvaluation`: Prometheus's is the value of
 *    `prometheus_rule_group_last_duration_seconds`, Watchkeeper's the RuleManager's group duration);
 * 2. notification latency: from the evaluation at which an alert became firing (its `startsAt`,
 *    the rule evaluation timestamp, in the webhook payload) to the arrival of the webhook request at
 *    a local receiver: Prometheus → Alertmanager 0.25 → webhook, and Watchkeeper's in-process
 *    dispatcher → webhook, both routed by the same alertmanager.yml (`group_by: ['...']`,
 *    `group_wait: 0s`).
 *
 * Both servers get the data by remote write: an hour of history (warm-up), then one scrape round
 * of every series at each 15 s boundary, as if scraped; both ingest the same rounds while they
 * evaluate. Each server evaluates the rules every 15 s; the rule files sit in folders whose names
 * put Prometheus's groups between 3 and 6.5 s past each boundary and Watchkeeper's between 8.5 and
 * 12 s (a group's moment is a hash of its file and name), so that no two evaluations, and no
 * evaluation and the feed, run at the same time on this 2-core machine. During every run, `up` of
 * a few parts-api, payment-processor and postgres instances goes to 0 (others each run):
 * PartsOrderingSystemDown, PaymentProcessingDown and DatabaseDown fire on both.
 *
 *   npm run bench:rules                       3 runs of 10 evaluation cycles, prints the tables
 *   npm run bench:rules -- --runs 5 --write   also writes them into bench/RESULTS.md
 *   npm run bench:rules -- --regions 1 --minutes 10 --runs 1   a quick look (10,000 series)
 *
 * Needs /usr/bin/prometheus and /usr/bin/prometheus-alertmanager (Debian's packages; PROMETHEUS_BIN
 * and ALERTMANAGER_BIN override) and a built server (`npm run bench:rules` runs `tsc -b` first).
 * Stops only the processes it started, by PID, also on Ctrl-C, and removes its temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadRuleFile } from '../packages/server/src/rules/index.js';
import { adminHeaders, freePort } from '../test/e2e/helpers.js';
import { PROMETHEUS_BIN, remoteWrite } from '../test/e2e/prometheus-process.js';
import { cpuSeconds, rssBytes } from './prometheus-compare-procs.js';
import { encodeRound } from './prometheus-compare-workload.js';
import {
  ALERTMANAGER_BIN,
  INTERVAL_MS,
  WebhookCapture,
  alertmanagerYaml,
  buildDataSet,
  missingBinaries,
  OUTAGE_JOBS,
  parseRfc3339Ms,
  placeRuleFiles,
  planRuleFiles,
  startAlertmanagerProcess,
  startPrometheusProcess,
  startWatchkeeperProcess,
  type DataSet,
  type FiringReceipt,
  type OutageTarget,
  type PlacedRuleFile,
} from './rules-bench-setup.js';

const RESULTS_PATH = new URL('./RESULTS.md', import.meta.url);
const OUT_DIR = new URL('./out/rules-bench/', import.meta.url);
const SECTION_BEGIN = '<!-- rules-bench:begin -->';
const SECTION_END = '<!-- rules-bench:end -->';

/**
 * Where each group runs inside the 15 s interval. Each server's groups in order of their cost on
 * that server (measured: Prometheus spends most on business, whose 3,000 pending alerts it
 * re-templates every cycle; Watchkeeper on performance's histogram and error-rate queries), the
 * costliest last so that it has the most room before the next thing happens: cheap groups
 * (weight 0, also any group not listed) 0.5 s apart, weight 1 gets 1 s, the last one what is left.
 */
const LAYOUT: Record<'prometheus' | 'watchkeeper', { startMs: number; endMs: number; weight: Record<string, number> }> =
  {
    prometheus: { startMs: 3000, endMs: 6500, weight: { performance: 1, business: 2 } },
    watchkeeper: { startMs: 8500, endMs: 12_000, weight: { business: 1, performance: 2 } },
  };
const GAP_MS = [500, 1000, 1000];

function groupMoments(groups: readonly string[], server: 'prometheus' | 'watchkeeper'): Map<string, number> {
  const { startMs, endMs, weight } = LAYOUT[server];
  const ordered = [...groups].sort((a, b) => (weight[a] ?? 0) - (weight[b] ?? 0) || (a < b ? -1 : 1));
  const out = new Map<string, number>();
  let at = startMs;
  for (const g of ordered) {
    out.set(g, at);
    at += GAP_MS[weight[g] ?? 0]!;
  }
  if (Math.max(...out.values()) > endMs) {
    // More groups than the layout has room for: spread them evenly over the window.
    ordered.forEach((g, i) => out.set(g, startMs + ((endMs - startMs) * i) / Math.max(1, ordered.length - 1)));
  }
  return out;
}

const MOMENT_TOLERANCE_MS = 120;
/** When both servers' /api/v1/rules are read, ms past the boundary (after the feed, before any group). */
const POLL_AT_MS = 1200;
/** Outages per run and job, one more each cycle from the run's first: the alert on them has `for: 1m` or `2m`. */
const OUTAGES_PER_RUN: Readonly<Record<(typeof OUTAGE_JOBS)[number], number>> = {
  'parts-api': 4,
  'payment-processor': 2,
  postgres: 1,
};

type ServerName = 'prometheus' | 'watchkeeper';
const SERVERS: readonly ServerName[] = ['prometheus', 'watchkeeper'];

interface Options {
  regions: number;
  minutes: number;
  runs: number;
  cycles: number;
  warmupCycles: number;
  batch: number;
  concurrency: number;
  write: boolean;
  rewrite: boolean;
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      regions: { type: 'string', default: '10' },
      minutes: { type: 'string', default: '60' },
      runs: { type: 'string', default: '3' },
      cycles: { type: 'string', default: '10' },
      'warmup-cycles': { type: 'string', default: '4' },
      batch: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '4' },
      write: { type: 'boolean', default: false },
      rewrite: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run bench:rules -- [options]\n' +
        '  --regions N        regions × 10,000 series (default 10: 100,000 series, + 8 markup series per region)\n' +
        '  --minutes N        minutes of history written before the rules are measured (default 60)\n' +
        '  --runs N           measured runs (default 3), each of\n' +
        '  --cycles N         evaluation cycles of 15 s per run (default 10, at least 10: PaymentProcessingDown has for: 2m)\n' +
        '  --warmup-cycles N  live cycles before the first run (default 4)\n' +
        '  --batch N          series per remote-write request (default 2000)\n' +
        '  --concurrency N    concurrent remote-write requests per server (default 4)\n' +
        '  --write            write the results into bench/RESULTS.md (and bench/out/rules-bench/last-run.json)\n' +
        '  --rewrite          rewrite the RESULTS.md section from last-run.json (after changing its layout), no measuring\n' +
        '  --keep             keep the data directories (printed)',
    );
    process.exit(0);
  }
  const int = (name: keyof typeof values, min: number): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  return {
    regions: int('regions', 1),
    minutes: int('minutes', 5),
    runs: int('runs', 1),
    cycles: int('cycles', 10),
    warmupCycles: int('warmup-cycles', 1),
    batch: int('batch', 1),
    concurrency: int('concurrency', 1),
    write: values.write,
    rewrite: values.rewrite,
    keep: values.keep,
  };
}

// --- Small helpers ---------------------------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const sleepUntil = (unixMs: number): Promise<void> => sleep(unixMs - Date.now());

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

function ratio(w: number, p: number): string {
  return Number.isFinite(w) && Number.isFinite(p) && p > 0 ? (w / p).toFixed(2) : '-';
}

function range(values: readonly number[], fmt: (n: number) => string): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '-';
  return `${fmt(Math.min(...finite))}–${fmt(Math.max(...finite))}`;
}

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

// --- Feeding ---------------------------------------------------------------------------------------

async function sendBodies(server: string, url: string, bodies: readonly Uint8Array[], concurrency: number) {
  let next = 0;
  let failure: string | undefined;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const i = next++;
      const r = await remoteWrite(url, bodies[i]!);
      if (r.status !== 204) failure ??= `${r.status} ${r.text.slice(0, 300)}`;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, worker));
  if (failure !== undefined) throw new Error(`${server}: remote write failed: ${failure}`);
}

/** An `up` series at 0 over rounds [fromRound, toRound]. */
interface Outage {
  target: OutageTarget;
  original: Float64Array;
  fromRound: number;
  toRound: number;
  run: number;
}

/** Encodes scrape round k, with the outages of that round written into the `up` series. */
function encodeWithOutages(data: DataSet, outages: readonly Outage[], k: number, t0Ms: number, batch: number) {
  const down = new Map<number, boolean>();
  for (const o of outages) {
    down.set(o.target.index, (down.get(o.target.index) ?? false) || (k >= o.fromRound && k <= o.toRound));
  }
  for (const o of outages) {
    data.series[o.target.index]!.values[k] = down.get(o.target.index) ? 0 : o.original[k]!;
  }
  return encodeRound(data.series, k, t0Ms, batch);
}

// --- Reading /api/v1/rules -------------------------------------------------------------------------

interface ApiAlert {
  state?: string;
}
interface ApiRule {
  name: string;
  type?: string;
  evaluationTime?: number;
  lastEvaluation?: string;
  health?: string;
  lastError?: string;
  alerts?: ApiAlert[];
}
interface ApiGroup {
  name: string;
  file: string;
  evaluationTime?: number;
  lastEvaluation?: string;
  rules: ApiRule[];
}

async function fetchRules(url: string): Promise<ApiGroup[]> {
  const res = await fetch(`${url}/api/v1/rules`, { headers: adminHeaders() });
  if (!res.ok) throw new Error(`${url}/api/v1/rules: ${res.status} ${(await res.text()).slice(0, 300)}`);
  const body = (await res.json()) as { data?: { groups?: ApiGroup[] } };
  return body.data?.groups ?? [];
}

/** One evaluation of a group or rule, seen in /api/v1/rules. */
interface Evaluation {
  /** When it started (lastEvaluation), Unix ms. */
  atMs: number;
  ms: number;
}

class EvaluationLog {
  /** server → "group" or "group/rule" → lastEvaluation → evaluation */
  readonly byServer = new Map<ServerName, Map<string, Map<string, Evaluation>>>(
    SERVERS.map((s) => [s, new Map<string, Map<string, Evaluation>>()]),
  );
  /** The last answer of each server (alert states, health). */
  readonly last = new Map<ServerName, ApiGroup[]>();

  add(server: ServerName, groups: readonly ApiGroup[]): void {
    this.last.set(server, [...groups]);
    const log = this.byServer.get(server)!;
    const record = (key: string, lastEvaluation: string | undefined, seconds: number | undefined): void => {
      if (lastEvaluation === undefined || seconds === undefined || lastEvaluation.startsWith('0001-')) return;
      let m = log.get(key);
      if (!m) log.set(key, (m = new Map<string, Evaluation>()));
      if (!m.has(lastEvaluation)) m.set(lastEvaluation, { atMs: parseRfc3339Ms(lastEvaluation), ms: seconds * 1000 });
    };
    for (const g of groups) {
      record(g.name, g.lastEvaluation, g.evaluationTime);
      for (const r of g.rules) record(`${g.name}/${r.name}`, r.lastEvaluation, r.evaluationTime);
    }
  }

  evaluations(server: ServerName, key: string): Evaluation[] {
    return [...(this.byServer.get(server)!.get(key)?.values() ?? [])];
  }
}

async function metricSum(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

// --- The run ---------------------------------------------------------------------------------------

interface Timeline {
  t0Ms: number;
  /** Interval j is [t0 + j × 15 s, t0 + (j + 1) × 15 s); run r covers intervals runStart[r] .. + cycles - 1. */
  runStart: number[];
  cycles: number;
  /** When the bench process itself was busy (sending a round, encoding the next, reading the APIs). */
  busy: { fromMs: number; toMs: number }[];
}

function intervalOf(t: Timeline, atMs: number): number {
  return Math.floor((atMs - t.t0Ms) / INTERVAL_MS);
}

/** An evaluation that overlapped the bench's own work does not count. */
function counted(t: Timeline, e: Evaluation): boolean {
  if (runOf(t, e.atMs) < 0) return false;
  const end = e.atMs + e.ms;
  return !t.busy.some((b) => e.atMs < b.toMs && end > b.fromMs);
}

function runOf(t: Timeline, atMs: number): number {
  const j = intervalOf(t, atMs);
  const r = t.runStart.findIndex((s) => j >= s && j < s + t.cycles);
  return r;
}

interface GroupResult {
  group: string;
  file: string;
  rules: number;
  /** Measured moment past the boundary (median), ms. */
  phaseMs: Record<ServerName, number>;
  /** Per run: the median evaluation time, ms. */
  runMedians: Record<ServerName, number[]>;
  /** All cycles of all runs. */
  all: Record<ServerName, number[]>;
}

interface RuleResult {
  group: string;
  rule: string;
  runMedians: Record<ServerName, number[]>;
  all: Record<ServerName, number[]>;
  /** Alerts at the end: pending / firing. */
  alerts: Record<ServerName, { pending: number; firing: number }>;
  health: Record<ServerName, string>;
}

interface LatencyResult {
  /** Per run, per server: latencies (ms) of the alerts that fired during the run. */
  perRun: Record<ServerName, number[]>[];
  all: Record<ServerName, number[]>;
  /** Alerts both servers notified: W latency / P latency. */
  paired: { alertname: string; p: number; w: number }[];
  byAlertname: Map<string, Record<ServerName, number[]>>;
  unpaired: Record<ServerName, number>;
  webhookRequests: number;
}

interface Results {
  startedAt: string;
  machine: string;
  loadStart: string;
  loadEnd: string;
  revision: string;
  command: string;
  prometheusVersion: string;
  alertmanagerVersion: string;
  o: Options;
  seriesCount: number;
  metrics: { name: string; series: number }[];
  historySeconds: number;
  catchUpRounds: number;
  groups: GroupResult[];
  /** Group evaluations left out because they overlapped the bench's own work. */
  excluded: Record<ServerName, number>;
  totals: { runMedians: Record<ServerName, number[]>; all: Record<ServerName, number[]> };
  rules: RuleResult[];
  latency: LatencyResult;
  cpuSecondsPerCycle: Record<ServerName, number>;
  rssMiB: Record<ServerName, number>;
  missedIterations: Record<ServerName, number>;
  /** Mean time of one webhook request (alertmanager_notification_latency_seconds over the runs) and requests. */
  webhookSend: Record<ServerName, { meanMs: number; requests: number }>;
  placements: { server: ServerName; file: string; groups: { name: string; offsetMs: number }[] }[];
}

function emptyPair<T>(make: () => T): Record<ServerName, T> {
  return { prometheus: make(), watchkeeper: make() };
}

function analyseEvaluations(log: EvaluationLog, t: Timeline, placed: Record<ServerName, PlacedRuleFile[]>) {
  const groups: GroupResult[] = [];
  const rules: RuleResult[] = [];
  const runs = t.runStart.length;
  const perCycleTotals = emptyPair(() => new Map<number, { sum: number; n: number }>());
  const excluded = { prometheus: 0, watchkeeper: 0 };
  for (const f of placed.prometheus) {
    for (const g of f.groups) {
      const res: GroupResult = {
        group: g.name,
        file: f.source,
        rules: g.rules,
        phaseMs: { prometheus: NaN, watchkeeper: NaN },
        runMedians: emptyPair(() => [] as number[]),
        all: emptyPair(() => [] as number[]),
      };
      for (const server of SERVERS) {
        const inRuns = log.evaluations(server, g.name).filter((e) => runOf(t, e.atMs) >= 0);
        const evals = inRuns.filter((e) => counted(t, e));
        excluded[server] += inRuns.length - evals.length;
        res.phaseMs[server] = median(evals.map((e) => (e.atMs - t.t0Ms) % INTERVAL_MS));
        res.all[server] = evals.map((e) => e.ms);
        for (let r = 0; r < runs; r++) {
          res.runMedians[server].push(median(evals.filter((e) => runOf(t, e.atMs) === r).map((e) => e.ms)));
        }
        for (const e of evals) {
          const j = intervalOf(t, e.atMs);
          const c = perCycleTotals[server].get(j) ?? { sum: 0, n: 0 };
          c.sum += e.ms;
          c.n++;
          perCycleTotals[server].set(j, c);
        }
      }
      groups.push(res);
    }
  }
  const groupCount = groups.length;
  const totals = { runMedians: emptyPair(() => [] as number[]), all: emptyPair(() => [] as number[]) };
  for (const server of SERVERS) {
    const complete = [...perCycleTotals[server]].filter(([, c]) => c.n === groupCount);
    totals.all[server] = complete.map(([, c]) => c.sum);
    for (let r = 0; r < runs; r++) {
      const s = t.runStart[r]!;
      totals.runMedians[server].push(
        median(complete.filter(([j]) => j >= s && j < s + t.cycles).map(([, c]) => c.sum)),
      );
    }
  }
  const lastP = log.last.get('prometheus') ?? [];
  for (const g of groups.map((x) => lastP.find((y) => y.name === x.group)).filter((x) => x !== undefined)) {
    for (const rule of g.rules) {
      const res: RuleResult = {
        group: g.name,
        rule: rule.name,
        runMedians: emptyPair(() => [] as number[]),
        all: emptyPair(() => [] as number[]),
        alerts: emptyPair(() => ({ pending: 0, firing: 0 })),
        health: emptyPair(() => '-'),
      };
      for (const server of SERVERS) {
        const evals = log.evaluations(server, `${g.name}/${rule.name}`).filter((e) => counted(t, e));
        res.all[server] = evals.map((e) => e.ms);
        for (let r = 0; r < runs; r++) {
          res.runMedians[server].push(median(evals.filter((e) => runOf(t, e.atMs) === r).map((e) => e.ms)));
        }
        const mine = log.last
          .get(server)
          ?.find((x) => x.name === g.name)
          ?.rules.find((x) => x.name === rule.name);
        for (const a of mine?.alerts ?? []) {
          if (a.state === 'pending') res.alerts[server].pending++;
          else if (a.state === 'firing') res.alerts[server].firing++;
        }
        res.health[server] = mine?.health ?? '-';
        if (mine?.lastError) res.health[server] += ` (${mine.lastError})`;
      }
      rules.push(res);
    }
  }
  return { groups, rules, totals, excluded };
}

function analyseLatency(receipts: readonly FiringReceipt[], t: Timeline, webhookRequests: number): LatencyResult {
  const runs = t.runStart.length;
  const inRuns = receipts.filter((r) => runOf(t, r.startsAtMs) >= 0);
  const perRun = Array.from({ length: runs }, () => emptyPair(() => [] as number[]));
  const all = emptyPair(() => [] as number[]);
  const byAlertname = new Map<string, Record<ServerName, number[]>>();
  const byKey = new Map<string, Partial<Record<ServerName, FiringReceipt>>>();
  for (const r of inRuns) {
    const latency = r.receivedAtMs - r.startsAtMs;
    perRun[runOf(t, r.startsAtMs)]![r.server].push(latency);
    all[r.server].push(latency);
    let a = byAlertname.get(r.alertname);
    if (!a) byAlertname.set(r.alertname, (a = emptyPair(() => [] as number[])));
    a[r.server].push(latency);
    const k = byKey.get(r.key) ?? {};
    k[r.server] = r;
    byKey.set(r.key, k);
  }
  const paired: LatencyResult['paired'] = [];
  const unpaired = { prometheus: 0, watchkeeper: 0 };
  for (const k of byKey.values()) {
    if (k.prometheus && k.watchkeeper) {
      paired.push({
        alertname: k.prometheus.alertname,
        p: k.prometheus.receivedAtMs - k.prometheus.startsAtMs,
        w: k.watchkeeper.receivedAtMs - k.watchkeeper.startsAtMs,
      });
    } else if (k.prometheus) unpaired.prometheus++;
    else unpaired.watchkeeper++;
  }
  return { perRun, all, paired, byAlertname, unpaired, webhookRequests };
}

// --- Output ----------------------------------------------------------------------------------------

function esc(s: string): string {
  return s.replaceAll('|', '\\|');
}

function evaluationTable(res: Results): string {
  const lines = [
    '| group (file) | rules | Prometheus ms | Watchkeeper ms | Watchkeeper ÷ Prometheus | per-run medians P / W, ms | cycles P / W | runs at (P / W), s past the boundary |',
    '|---|---:|---:|---:|---:|---|---:|---|',
  ];
  for (const g of res.groups) {
    const p = median(g.runMedians.prometheus);
    const w = median(g.runMedians.watchkeeper);
    lines.push(
      `| ${esc(g.group)} (${relative(process.cwd(), g.file)}) | ${g.rules} | ${fmtMs(p)} | ${fmtMs(w)} | ${ratio(w, p)} | ` +
        `${range(g.runMedians.prometheus, fmtMs)} / ${range(g.runMedians.watchkeeper, fmtMs)} | ` +
        `${g.all.prometheus.length} / ${g.all.watchkeeper.length} | ` +
        `${(g.phaseMs.prometheus / 1000).toFixed(2)} / ${(g.phaseMs.watchkeeper / 1000).toFixed(2)} |`,
    );
  }
  const p = median(res.totals.runMedians.prometheus);
  const w = median(res.totals.runMedians.watchkeeper);
  lines.push(
    `| **all groups, one cycle** (sum over the groups per cycle) | ${res.rules.length} | **${fmtMs(p)}** | **${fmtMs(w)}** | ` +
      `**${ratio(w, p)}** | ${range(res.totals.runMedians.prometheus, fmtMs)} / ${range(res.totals.runMedians.watchkeeper, fmtMs)} | ` +
      `${res.totals.all.prometheus.length} / ${res.totals.all.watchkeeper.length} | |`,
  );
  return lines.join('\n');
}

function ruleTable(res: Results): string {
  const lines = [
    '| group | alert | Prometheus ms | Watchkeeper ms | Watchkeeper ÷ Prometheus | alerts at the end, pending/firing (P; W) | health (P; W) |',
    '|---|---|---:|---:|---:|---|---|',
  ];
  for (const r of res.rules) {
    const p = median(r.runMedians.prometheus);
    const w = median(r.runMedians.watchkeeper);
    lines.push(
      `| ${esc(r.group)} | ${esc(r.rule)} | ${fmtMs(p)} | ${fmtMs(w)} | ${ratio(w, p)} | ` +
        `${r.alerts.prometheus.pending}/${r.alerts.prometheus.firing}; ${r.alerts.watchkeeper.pending}/${r.alerts.watchkeeper.firing} | ` +
        `${esc(r.health.prometheus)}; ${esc(r.health.watchkeeper)} |`,
    );
  }
  return lines.join('\n');
}

function latencyTable(res: Results): string {
  const l = res.latency;
  const runMedians = (s: ServerName): number[] => l.perRun.map((r) => median(r[s]));
  const lines = [
    '| notification latency, ms (firing evaluation → webhook received) | Prometheus 2.42 → Alertmanager 0.25 | Watchkeeper | Watchkeeper ÷ Prometheus |',
    '|---|---:|---:|---:|',
  ];
  const row = (name: string, f: (v: number[]) => number): void => {
    const p = f(l.all.prometheus);
    const w = f(l.all.watchkeeper);
    lines.push(`| ${name} | ${fmtMs(p)} | ${fmtMs(w)} | ${ratio(w, p)} |`);
  };
  lines.push(
    `| alerts that became firing during the runs | ${l.all.prometheus.length} | ${l.all.watchkeeper.length} | |`,
  );
  const pm = median(runMedians('prometheus'));
  const wm = median(runMedians('watchkeeper'));
  lines.push(`| **median of the per-run medians** | **${fmtMs(pm)}** | **${fmtMs(wm)}** | **${ratio(wm, pm)}** |`);
  lines.push(
    `| per-run medians | ${runMedians('prometheus').map(fmtMs).join(', ')} | ${runMedians('watchkeeper').map(fmtMs).join(', ')} | |`,
  );
  row('median of all alerts', median);
  row('90th percentile', (v) => percentile(v, 90));
  row('minimum', (v) => (v.length ? Math.min(...v) : NaN));
  row('maximum', (v) => (v.length ? Math.max(...v) : NaN));
  const ratios = l.paired.map((x) => x.w / x.p);
  lines.push(
    `| alerts notified by both: ${l.paired.length} (only one: P ${l.unpaired.prometheus}, W ${l.unpaired.watchkeeper}); ` +
      `median of W ÷ P per alert | | | ${Number.isFinite(median(ratios)) ? median(ratios).toFixed(2) : '-'} |`,
  );
  lines.push(
    '',
    '| alert | rule in its group | alerts P / W | median P ms | median W ms | W ÷ P | ' +
      'evaluation of the rules before it, ms P / W | of the rules after it, ms P / W |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  );
  const ruleMs = (r: RuleResult, s: ServerName): number => median(r.runMedians[s]);
  const sum = (rules: readonly RuleResult[], s: ServerName): number => rules.reduce((a, r) => a + ruleMs(r, s), 0);
  for (const [name, v] of [...l.byAlertname].sort()) {
    const p = median(v.prometheus);
    const w = median(v.watchkeeper);
    const rule = res.rules.find((r) => r.rule === name);
    const siblings = rule ? res.rules.filter((r) => r.group === rule.group) : [];
    const i = rule ? siblings.indexOf(rule) : -1;
    const before = siblings.slice(0, Math.max(0, i));
    const after = siblings.slice(i + 1);
    lines.push(
      `| ${esc(name)} | ${rule ? `${esc(rule.group)}, ${i + 1} of ${siblings.length}` : '-'} | ` +
        `${v.prometheus.length} / ${v.watchkeeper.length} | ${fmtMs(p)} | ${fmtMs(w)} | ${ratio(w, p)} | ` +
        `${fmtMs(sum(before, 'prometheus'))} / ${fmtMs(sum(before, 'watchkeeper'))} | ` +
        `${fmtMs(sum(after, 'prometheus'))} / ${fmtMs(sum(after, 'watchkeeper'))} |`,
    );
  }
  return lines.join('\n');
}

function otherTable(res: Results): string {
  return [
    '| during the runs | Prometheus 2.42 | Watchkeeper | Watchkeeper ÷ Prometheus |',
    '|---|---:|---:|---:|',
    `| server CPU seconds per 15 s cycle (rules, ingesting one round of ${res.seriesCount.toLocaleString('en')} samples, API reads) | ` +
      `${res.cpuSecondsPerCycle.prometheus.toFixed(2)} | ${res.cpuSecondsPerCycle.watchkeeper.toFixed(2)} | ` +
      `${ratio(res.cpuSecondsPerCycle.watchkeeper, res.cpuSecondsPerCycle.prometheus)} |`,
    `| RSS at the end, MiB (Prometheus without Alertmanager) | ${res.rssMiB.prometheus.toFixed(0)} | ${res.rssMiB.watchkeeper.toFixed(0)} | ` +
      `${ratio(res.rssMiB.watchkeeper, res.rssMiB.prometheus)} |`,
    `| rule group iterations missed (\`*_rule_group_iterations_missed_total\`, increase over the runs) | ` +
      `${res.missedIterations.prometheus} | ${res.missedIterations.watchkeeper} | |`,
    `| webhook requests sent during the runs, and their mean time (\`alertmanager_notification_latency_seconds\`: ` +
      "Alertmanager's for Prometheus; part of the notification latency above) | " +
      `${res.webhookSend.prometheus.requests}, ${fmtMs(res.webhookSend.prometheus.meanMs)} ms | ` +
      `${res.webhookSend.watchkeeper.requests}, ${fmtMs(res.webhookSend.watchkeeper.meanMs)} ms | ` +
      `${ratio(res.webhookSend.watchkeeper.meanMs, res.webhookSend.prometheus.meanMs)} |`,
  ].join('\n');
}

function section(res: Results): string {
  const o = res.o;
  const placement = SERVERS.map(
    (s) =>
      `${s === 'prometheus' ? 'Prometheus' : 'Watchkeeper'} ` +
      res.placements
        .filter((p) => p.server === s)
        .flatMap((p) => p.groups.map((g) => `${g.name} ${(g.offsetMs / 1000).toFixed(2)} s`))
        .join(', '),
  ).join('; ');
  const metrics = res.metrics.map((m) => `${m.name} ${m.series.toLocaleString('en')}`).join(', ');
  return [
    SECTION_BEGIN,
    '## Rule evaluation and notification latency (`bench/rules-bench.ts`)',
    '',
    `- date: ${res.startedAt}`,
    `- machine: ${res.machine}; shared with other engineers' builds and tests (noisy): load average ${res.loadStart} at the ` +
      `start, ${res.loadEnd} at the end. Medians of ${o.runs} runs × ${o.cycles} evaluation cycles; compare the ratios, not the ` +
      'absolute times',
    `- command: ${res.command}`,
    `- reference: ${res.prometheusVersion}; ${res.alertmanagerVersion}. Watchkeeper: \`watchkeeper serve\` from this checkout ` +
      `(dist/, ${res.revision}), its in-process dispatcher`,
    `- rules: the plan's rule files (config/rules/*.yml: ${res.groups.length} groups, ${res.rules.length} alerting rules), ` +
      'copied unchanged; `evaluation_interval: 15s` on both',
    `- data: ${res.seriesCount.toLocaleString('en')} series by remote write (the SMS data set of promql-bench-data.ts, seed 42, ` +
      `in ${o.regions} regions, plus the restricted \`_sms_parts_markup_realized_percent\`): ${metrics}. First ${o.minutes} min of ` +
      `history (${((o.minutes * 60_000) / INTERVAL_MS).toFixed(0)} rounds, written to both at once in ${res.historySeconds.toFixed(0)} s, ` +
      `${res.catchUpRounds} rounds of catch-up), then one round of every series at every 15 s boundary (samples 1-14 s old), ` +
      `${o.warmupCycles} warm-up cycles, then the ${o.runs} runs. Both servers ingest the same rounds while they evaluate`,
    '- schedule inside the 15 s interval: the round is sent to both at 0 s, the next one encoded, `/api/v1/rules` of both ' +
      'read (at 1.2 s or when the round is done), then each group runs at its own moment (the rule files sit in folders ' +
      `whose names, hashed with the group name as Prometheus does, give these moments): ${placement}. No two evaluations ` +
      'overlap unless one takes longer than the gap; evaluations that overlapped the bench sending, encoding or reading ' +
      `are left out (${res.excluded.prometheus} of Prometheus's, ${res.excluded.watchkeeper} of Watchkeeper's group evaluations)`,
    '- evaluation time: `evaluationTime` of each group and rule in `GET /api/v1/rules`, one value per cycle (deduplicated by ' +
      "`lastEvaluation`); Prometheus's group value is `prometheus_rule_group_last_duration_seconds`, Watchkeeper's the " +
      "RuleManager's group duration (`watchkeeper_rule_group_last_duration_seconds`). Median of the cycles of each run, " +
      'then median of the runs; a cycle total adds the groups of one 15 s interval',
    `- notification latency: in each run, \`up\` of ${OUTAGE_JOBS.map((j) => `${OUTAGES_PER_RUN[j]} ${j}`).join(', ')} ` +
      'instances (others each run) goes to 0, one more each cycle from the first, so PartsOrderingSystemDown (`for: 1m`), ' +
      'PaymentProcessingDown (`for: 2m`) and DatabaseDown (`for: 1m`) fire on both; alerts of other rules that fire during a ' +
      'run count too. Both route ' +
      "with the same alertmanager.yml (`group_by: ['...']`, `group_wait: 0s`, `group_interval: 1m`, one webhook receiver, " +
      'path /prometheus or /watchkeeper) to a webhook receiver in the bench process. Latency = arrival of the first firing ' +
      "notification of an alert − its `startsAt` (the evaluation timestamp at which it became firing: Prometheus's " +
      "`FiredAt`, sent by Alertmanager unchanged). It includes the group's evaluation up to that rule and, for Prometheus, " +
      "the notifier queue, the HTTP post to Alertmanager and its dispatch. Prometheus's notifier and Alertmanager run " +
      'beside the evaluation; Watchkeeper evaluates and dispatches on one Node thread, so the last columns of the ' +
      'per-alert table show what each server spends on the rules before and after the alert in its group',
    '',
    '### Evaluation time per cycle, by group',
    '',
    evaluationTable(res),
    '',
    '### Evaluation time by rule (median ms per evaluation) and the alerts each server holds',
    '',
    ruleTable(res),
    '',
    '### Notification latency',
    '',
    latencyTable(res),
    '',
    '### Load',
    '',
    otherTable(res),
    SECTION_END,
  ].join('\n');
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

const LAST_RUN = new URL('./last-run.json', OUT_DIR);

function printTables(res: Results): void {
  console.log(`\n${evaluationTable(res)}\n\n${ruleTable(res)}\n\n${latencyTable(res)}\n\n${otherTable(res)}`);
}

function saveResults(res: Results): void {
  writeResults(section(res));
  mkdirSync(OUT_DIR, { recursive: true });
  const json = JSON.stringify(
    res,
    (_k, v: unknown): unknown => (v instanceof Map ? Object.fromEntries(v as Map<string, unknown>) : v),
    1,
  );
  writeFileSync(LAST_RUN, json);
  console.log(`\nwritten to ${relative(process.cwd(), RESULTS_PATH.pathname)}`);
}

function loadResults(): Results {
  const res = JSON.parse(readFileSync(LAST_RUN, 'utf8')) as Results;
  const byAlertname = res.latency.byAlertname as unknown as Record<string, Record<ServerName, number[]>>;
  res.latency.byAlertname = new Map(Object.entries(byAlertname));
  return res;
}

function commandLine(argv: readonly string[]): string {
  const script = relative(process.cwd(), process.argv[1] ?? 'bench/rules-bench.ts');
  const direct = `\`${['node', ...process.execArgv, script, ...argv].join(' ')}\``;
  if (process.env['npm_lifecycle_event'] !== 'bench:rules') return direct;
  return `\`npm run bench:rules${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}\`, which runs ${direct}`;
}

function revision(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages'], { encoding: 'utf8' }).trim() !== '';
    return `commit ${commit}${dirty ? ' with uncommitted changes in packages/' : ''}`;
  } catch {
    return 'unknown commit';
  }
}

function version(bin: string): string {
  try {
    const out = execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return `${bin}, ${out.split('\n')[0]?.trim() ?? ''}`;
  } catch (e) {
    const err = e as { stderr?: string };
    return `${bin}${err.stderr ? `, ${err.stderr.split('\n')[0]?.trim() ?? ''}` : ''}`;
  }
}

// --- Main ------------------------------------------------------------------------------------------

interface Stoppable {
  name: string;
  pid: number;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const o = parseOptions(argv);
  if (o.rewrite) {
    const res = loadResults();
    printTables(res);
    saveResults(res);
    return 0;
  }
  const missing = missingBinaries();
  if (missing.length > 0) {
    console.error(`bench:rules needs:\n  ${missing.join('\n  ')}`);
    return 1;
  }
  const startedAt = new Date().toISOString();
  const list = cpus();
  const machine =
    `${list.length} cores (${list[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory, ` +
    `Node ${process.version}, ${process.platform} ${process.arch}`;
  const loadStart = loadAverage();

  const historyRounds = Math.floor((o.minutes * 60_000) / INTERVAL_MS);
  const liveRounds = o.warmupCycles + o.runs * o.cycles + 60;
  let t = performance.now();
  const data = buildDataSet(o.regions, historyRounds + liveRounds);
  console.error(
    `data set: ${data.series.length.toLocaleString('en')} series, generated in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  const root = mkdtempSync(join(tmpdir(), 'wk-rules-bench-'));
  const started: Stoppable[] = [];
  const capture = new WebhookCapture();
  let cleanedUp = false;
  const cleanup = async (): Promise<void> => {
    if (cleanedUp) return;
    cleanedUp = true;
    for (const p of [...started].reverse()) {
      try {
        await p.stop('SIGTERM');
      } catch (e) {
        console.error(`stopping ${p.name} (pid ${p.pid}): ${String(e)}`);
      }
    }
    await capture.stop();
    if (o.keep) console.error(`data kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    console.error(`${signal}: stopping the servers this benchmark started`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    // Rule files: one copy per server, in folders that put the groups at their moments.
    const sources = planRuleFiles();
    const groupNames = sources.flatMap((f) => loadRuleFile(f).groups.map((g) => g.name));
    const placed = {
      prometheus: placeRuleFiles(
        join(root, 'rules-p'),
        sources,
        groupMoments(groupNames, 'prometheus'),
        MOMENT_TOLERANCE_MS,
      ),
      watchkeeper: placeRuleFiles(
        join(root, 'rules-w'),
        sources,
        groupMoments(groupNames, 'watchkeeper'),
        MOMENT_TOLERANCE_MS,
      ),
    };
    await capture.start();
    const [amPort, promPort, wkPort] = [await freePort(), await freePort(), await freePort()];
    const am = await startAlertmanagerProcess(
      join(root, 'alertmanager'),
      amPort,
      alertmanagerYaml(capture.url('/prometheus')),
    );
    started.push({ name: 'alertmanager', pid: am.pid, stop: (s) => am.stop(s) });
    const prom = await startPrometheusProcess(
      join(root, 'prometheus'),
      promPort,
      placed.prometheus.map((p) => p.path),
      amPort,
    );
    started.push({ name: 'prometheus', pid: prom.pid, stop: (s) => prom.stop(s) });
    const wk = await startWatchkeeperProcess(
      join(root, 'watchkeeper'),
      wkPort,
      placed.watchkeeper.map((p) => p.path),
      alertmanagerYaml(capture.url('/watchkeeper')),
    );
    started.push({ name: 'watchkeeper', pid: wk.pid, stop: (s) => wk.stop(s) });
    const urls: Record<ServerName, string> = { prometheus: prom.url, watchkeeper: wk.url };
    const pids: Record<ServerName, number> = { prometheus: prom.pid, watchkeeper: wk.pid };
    console.error(
      `alertmanager pid ${am.pid}, prometheus pid ${prom.pid} at ${prom.url}, watchkeeper pid ${wk.pid} at ${wk.url}; ` +
        `data in ${root}`,
    );
    for (const g of await fetchRules(wk.url)) {
      if (g.rules.length === 0) throw new Error(`watchkeeper loaded an empty group ${g.name}`);
    }

    const sendRound = async (bodies: readonly Uint8Array[]): Promise<void> => {
      await Promise.all(SERVERS.map((s) => sendBodies(s, urls[s], bodies, o.concurrency)));
    };

    // History: rounds 0 .. historyRounds-1, all in the past, as fast as both take them.
    const t0Ms = Math.floor(Date.now() / INTERVAL_MS) * INTERVAL_MS - historyRounds * INTERVAL_MS;
    const outages: Outage[] = [];
    t = performance.now();
    for (let k = 0; k < historyRounds; k++) {
      await sendRound(encodeWithOutages(data, outages, k, t0Ms, o.batch));
      if ((k + 1) % 40 === 0 || k === historyRounds - 1) {
        console.error(`  history round ${k + 1}/${historyRounds} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
      }
    }
    const historySeconds = (performance.now() - t) / 1000;
    // Catch up: round k is due at t0 + (k + 1) × 15 s.
    let k = historyRounds;
    while (t0Ms + (k + 1) * INTERVAL_MS <= Date.now()) {
      await sendRound(encodeWithOutages(data, outages, k, t0Ms, o.batch));
      k++;
    }
    const catchUpRounds = k - historyRounds;
    console.error(`caught up after ${catchUpRounds} more rounds; live from round ${k}`);

    // Runs: interval j is evaluated on rounds < j. Run r covers intervals runStart[r] .. + cycles - 1.
    const firstLive = k + 1;
    const runStart = Array.from({ length: o.runs }, (_, r) => firstLive + o.warmupCycles + r * o.cycles);
    const timeline: Timeline = { t0Ms, runStart, cycles: o.cycles, busy: [] };
    runStart.forEach((s, r) => {
      for (const job of OUTAGE_JOBS) {
        const targets = data.outageTargets.get(job) ?? [];
        const n = OUTAGES_PER_RUN[job];
        for (let i = 0; i < n && targets.length > 0; i++) {
          // Different instances each run (an alert that fires again within group_interval would wait for it).
          const target = targets[(r * n + i) % targets.length]!;
          outages.push({
            target,
            original: Float64Array.from(data.series[target.index]!.values),
            // Round j - 1 is the first one evaluated in interval j.
            fromRound: s + i - 1,
            toRound: s + o.cycles - 2,
            run: r,
          });
        }
      }
    });
    const lastInterval = runStart[o.runs - 1]! + o.cycles;
    if (lastInterval + 2 >= historyRounds + liveRounds) throw new Error('not enough generated samples for the runs');

    const log = new EvaluationLog();
    let cpuStart: Record<ServerName, number> | undefined;
    let missedStart: Record<ServerName, number> | undefined;
    // Prometheus's notifications are sent by Alertmanager: its /metrics has the webhook timings.
    const notifierUrl: Record<ServerName, string> = { prometheus: am.url, watchkeeper: wk.url };
    const sendTimings = async (): Promise<Record<ServerName, { sum: number; count: number }>> => {
      const one = async (s: ServerName): Promise<{ sum: number; count: number }> => ({
        sum: await metricSum(notifierUrl[s], 'alertmanager_notification_latency_seconds_sum'),
        count: await metricSum(notifierUrl[s], 'alertmanager_notification_latency_seconds_count'),
      });
      return { prometheus: await one('prometheus'), watchkeeper: await one('watchkeeper') };
    };
    let sendStart: Record<ServerName, { sum: number; count: number }> | undefined;
    let next = encodeWithOutages(data, outages, k, t0Ms, o.batch);
    // The loop ends after the first poll past the last run (interval lastInterval).
    for (; ; k++) {
      const boundary = t0Ms + (k + 1) * INTERVAL_MS;
      const j = k + 1;
      await sleepUntil(boundary);
      const late = Date.now() - boundary;
      const tSend = performance.now();
      await sendRound(next);
      const sendMs = performance.now() - tSend;
      next = encodeWithOutages(data, outages, k + 1, t0Ms, o.batch);
      await sleepUntil(boundary + POLL_AT_MS);
      for (const s of SERVERS) log.add(s, await fetchRules(urls[s]));
      timeline.busy.push({ fromMs: boundary, toMs: Date.now() });
      if (j === runStart[0]! - 1) {
        // From here to the same moment of the interval after the last run: runs × cycles intervals.
        cpuStart = { prometheus: cpuSeconds(pids.prometheus), watchkeeper: cpuSeconds(pids.watchkeeper) };
        missedStart = {
          prometheus: await metricSum(urls.prometheus, 'prometheus_rule_group_iterations_missed_total'),
          watchkeeper: await metricSum(urls.watchkeeper, 'watchkeeper_rule_group_iterations_missed_total'),
        };
        sendStart = await sendTimings();
      }
      const run = runStart.findIndex((s) => j >= s && j < s + o.cycles);
      const label = run >= 0 ? `run ${run + 1}/${o.runs} cycle ${j - runStart[run]! + 1}/${o.cycles}` : 'warm-up';
      const lastOf = (s: ServerName): string => {
        const g = [...(log.last.get(s) ?? [])].sort((a, b) => (b.evaluationTime ?? 0) - (a.evaluationTime ?? 0));
        const ms = (x: ApiGroup | undefined): string => ((x?.evaluationTime ?? 0) * 1000).toFixed(0);
        return `${g.reduce((a, x) => a + (x.evaluationTime ?? 0) * 1000, 0).toFixed(0)} ms (${g[0]?.name} ${ms(g[0])})`;
      };
      console.error(
        `  ${label}: round ${k} sent ${late > 50 ? `${late} ms late, ` : ''}in ${sendMs.toFixed(0)} ms; ` +
          `last cycle P ${lastOf('prometheus')}, W ${lastOf('watchkeeper')}; ` +
          `notified P ${[...capture.firing.values()].filter((x) => x.server === 'prometheus').length}, ` +
          `W ${[...capture.firing.values()].filter((x) => x.server === 'watchkeeper').length}`,
      );
      if (j >= lastInterval) break;
    }
    const cpuSecondsPerCycle = {
      prometheus: (cpuSeconds(pids.prometheus) - cpuStart!.prometheus) / (o.runs * o.cycles),
      watchkeeper: (cpuSeconds(pids.watchkeeper) - cpuStart!.watchkeeper) / (o.runs * o.cycles),
    };
    const missedIterations = {
      prometheus:
        (await metricSum(urls.prometheus, 'prometheus_rule_group_iterations_missed_total')) - missedStart!.prometheus,
      watchkeeper:
        (await metricSum(urls.watchkeeper, 'watchkeeper_rule_group_iterations_missed_total')) -
        missedStart!.watchkeeper,
    };
    // Notifications of alerts that fired in the last cycles may still be on their way.
    await sleep(3000);
    const sendEnd = await sendTimings();
    const webhookSend = {
      prometheus: {
        meanMs:
          (1000 * (sendEnd.prometheus.sum - sendStart!.prometheus.sum)) /
          (sendEnd.prometheus.count - sendStart!.prometheus.count),
        requests: sendEnd.prometheus.count - sendStart!.prometheus.count,
      },
      watchkeeper: {
        meanMs:
          (1000 * (sendEnd.watchkeeper.sum - sendStart!.watchkeeper.sum)) /
          (sendEnd.watchkeeper.count - sendStart!.watchkeeper.count),
        requests: sendEnd.watchkeeper.count - sendStart!.watchkeeper.count,
      },
    };
    const rssMiB = {
      prometheus: rssBytes(pids.prometheus) / 2 ** 20,
      watchkeeper: rssBytes(pids.watchkeeper) / 2 ** 20,
    };

    const { groups, rules, totals, excluded } = analyseEvaluations(log, timeline, placed);
    const latency = analyseLatency([...capture.firing.values()], timeline, capture.requests);
    const results: Results = {
      startedAt,
      machine,
      loadStart,
      loadEnd: loadAverage(),
      revision: revision(),
      command: commandLine(argv),
      prometheusVersion: version(PROMETHEUS_BIN),
      alertmanagerVersion: version(ALERTMANAGER_BIN),
      o,
      seriesCount: data.series.length,
      metrics: [...data.byMetric].map(([name, series]) => ({ name, series })),
      historySeconds,
      catchUpRounds,
      groups,
      excluded,
      totals,
      rules,
      latency,
      cpuSecondsPerCycle,
      rssMiB,
      missedIterations,
      webhookSend,
      placements: SERVERS.flatMap((server) =>
        placed[server].map((p) => ({ server, file: p.source, groups: p.groups })),
      ),
    };
    await cleanup();

    printTables(results);
    if (o.write) saveResults(results);
    return 0;
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
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
