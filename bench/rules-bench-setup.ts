/**
 * The pieces of bench/rules-bench.ts that are not measurement: the data set (the remote-write
 * workload of prometheus-compare-workload.ts plus the restricted markup series the plan's
 * revenue-internal rule reads), the `up` outages that make alerts fire during a run, where the
 * rule files go so that each server's groups run at chosen moments of the 15 s interval, the
 * configuration files, the child processes (Prometheus, Alertmanager, `watchkeeper serve`) and
 * the webhook receiver.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Labels } from '../packages/server/src/lib/labels.js';
import { ruleGroupHash } from '../packages/server/src/rules/group-hash.js';
import { loadRuleFile } from '../packages/server/src/rules/index.js';
import { ALERTMANAGER_BIN, startAlertmanager } from '../test/e2e/alertmanager-process.js';

export { ALERTMANAGER_BIN };
import { spawnUntilReady, TEST_ADMIN_TOKEN, type ReadyProcess } from '../test/e2e/helpers.js';
import { PROMETHEUS_BIN, startPrometheus, type PrometheusProcess } from '../test/e2e/prometheus-process.js';
import { mulberry32 } from './promql-bench-data.js';
import {
  REGIONS,
  SCRAPE_INTERVAL_MS,
  baseSeries,
  workloadSeries,
  type WorkloadSeries,
} from './prometheus-compare-workload.js';

export const WATCHKEEPER_CLI = fileURLToPath(new URL('../packages/server/bin/watchkeeper.js', import.meta.url));
export const RULES_DIR = fileURLToPath(new URL('../config/rules/', import.meta.url));
/** Rule evaluation interval = scrape interval of the workload, so that the feed keeps its phase. */
export const INTERVAL_MS = SCRAPE_INTERVAL_MS;

/** The binaries the benchmark needs, with what to install when one is missing. */
export function missingBinaries(): string[] {
  const missing: string[] = [];
  if (!existsSync(PROMETHEUS_BIN))
    missing.push(`${PROMETHEUS_BIN} (apt-get install prometheus, or set PROMETHEUS_BIN)`);
  if (!existsSync(ALERTMANAGER_BIN)) {
    missing.push(`${ALERTMANAGER_BIN} (apt-get install prometheus-alertmanager, or set ALERTMANAGER_BIN)`);
  }
  if (!existsSync(fileURLToPath(new URL('../packages/server/dist/main.js', import.meta.url)))) {
    missing.push('packages/server/dist (run `npx tsc -b` first)');
  }
  return missing;
}

// --- Data set ----------------------------------------------------------------------------------------

/** Part categories of `_sms_parts_markup_realized_percent` (the catalog's `parts_category`). */
const PARTS_CATEGORIES = ['engine', 'propulsion', 'electrical', 'navigation', 'safety', 'hydraulics', 'deck', 'hull'];
const SERVICES = ['portal-web', 'parts-api', 'payment-processor', 'auth', 'sync', 'reporting'];
const POSTGRES_INSTANCES = 3;

/** A target whose `up` series the benchmark sets to 0 for a while: an alert fires on both servers. */
export interface OutageTarget {
  /** Index into `DataSet.series`. */
  index: number;
  job: string;
  instance: string;
  region: string;
}

export interface DataSet {
  series: WorkloadSeries[];
  /** Series per metric name. */
  byMetric: Map<string, number>;
  /** `up` series of these jobs, by job. */
  outageTargets: Map<string, OutageTarget[]>;
}

/** Jobs whose `up` the benchmark switches off during the runs (the rules that read them have `for: 1m` / `2m`). */
export const OUTAGE_JOBS = ['parts-api', 'payment-processor', 'postgres'] as const;

function counter(random: () => number, samples: number, perSecond: number): Float64Array {
  const values = new Float64Array(samples);
  let v = Math.round(perSecond * 86_400 * random());
  for (let i = 0; i < samples; i++) {
    v += Math.round(perSecond * (INTERVAL_MS / 1000) * (0.5 + random()));
    values[i] = v;
  }
  return values;
}

/**
 * The 10,000 series of the PromQL benchmark's data set in `regions` regions, with what a scrape
 * adds and the plan's later rules read: `job` (= `service`) on every series of a service; per
 * region `up{job="postgres"}` of three database instances, `errors_total{type="http_5xx"}` per
 * service (the SDK's name for 5xx answers) and the realised markup per part category (restricted;
 * two categories below the revenue-internal rule's 18 %). Each `up` series of OUTAGE_JOBS gets its
 * own values array, so that an outage can be written into one instance of one region.
 */
export function buildDataSet(regions: number, samples: number): DataSet {
  const base = baseSeries(samples);
  const series = workloadSeries(base, regions).map((s) => {
    const service = s.labels.get('service');
    return service !== '' && !s.labels.has('job') ? { ...s, labels: s.labels.with('job', service) } : s;
  });
  const random = mulberry32(7);
  const ones = new Float64Array(samples).fill(1);
  for (let r = 0; r < regions; r++) {
    const region = REGIONS[r]!;
    for (const [c, category] of PARTS_CATEGORIES.entries()) {
      const level = c === 4 || c === 6 ? 15 + 2 * random() : 22 + 10 * random();
      const values = new Float64Array(samples);
      for (let i = 0; i < samples; i++) values[i] = Math.round((level + 0.8 * Math.sin(i / 40 + c)) * 100) / 100;
      series.push({
        labels: Labels.from({ __name__: '_sms_parts_markup_realized_percent', parts_category: category, region }),
        offsetMs: 1000 + ((c * 1_711 + r * 977) % 13_000),
        values,
      });
    }
    for (const [k, service] of SERVICES.entries()) {
      // About half the services above APIError's 0.1 errors per second.
      const perSecond = k % 2 === 0 ? 0.02 + 0.05 * random() : 0.15 + 0.2 * random();
      series.push({
        labels: Labels.from({ __name__: 'errors_total', service, job: service, type: 'http_5xx', region }),
        offsetMs: 1000 + ((k * 2_311 + r * 613) % 13_000),
        values: counter(random, samples, perSecond),
      });
    }
    for (let k = 0; k < POSTGRES_INSTANCES; k++) {
      series.push({
        labels: Labels.from({ __name__: 'up', job: 'postgres', instance: `db-${k}:5432`, region }),
        offsetMs: 1000 + ((k * 3_301 + r * 419) % 13_000),
        values: ones,
      });
    }
  }
  const byMetric = new Map<string, number>();
  const outageTargets = new Map<string, OutageTarget[]>(OUTAGE_JOBS.map((j) => [j, []]));
  series.forEach((s, index) => {
    const name = s.labels.get('__name__') ?? '';
    byMetric.set(name, (byMetric.get(name) ?? 0) + 1);
    if (name !== 'up') return;
    const job = s.labels.get('job') ?? '';
    const targets = outageTargets.get(job);
    if (targets === undefined) return;
    s.values = Float64Array.from(s.values);
    targets.push({ index, job, instance: s.labels.get('instance') ?? '', region: s.labels.get('region') ?? '' });
  });
  return { series, byMetric, outageTargets };
}

// --- Where the groups run ----------------------------------------------------------------------------

/**
 * Prometheus (and Watchkeeper, which computes the same hash) runs a group at `hash(file, name) mod
 * interval` past every interval boundary. The benchmark copies the rule files unchanged into a
 * folder per file whose name it picks so that each group of one server lands at its target moment:
 * the feed at 0 s, then Prometheus's groups, then Watchkeeper's, never two evaluations at once.
 */
export interface PlacedRuleFile {
  /** The original file (config/rules/...). */
  source: string;
  /** Where the server reads it. */
  path: string;
  groups: { name: string; offsetMs: number; rules: number }[];
}

export function groupOffsetMs(file: string, group: string): number {
  return Number(ruleGroupHash(file, group) % BigInt(INTERVAL_MS * 1_000_000)) / 1e6;
}

/** The plan's rule files (config/rules/*.yml, without tests/). */
export function planRuleFiles(): string[] {
  return readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => join(RULES_DIR, f));
}

/**
 * Copies every rule file into `dir/<salt>/<name>.yml`, the salt chosen so that each group's
 * offset is within `toleranceMs` of `targets[group]`.
 */
export function placeRuleFiles(
  dir: string,
  sources: readonly string[],
  targets: ReadonlyMap<string, number>,
  toleranceMs: number,
): PlacedRuleFile[] {
  const placed: PlacedRuleFile[] = [];
  for (const source of sources) {
    const file = loadRuleFile(source);
    const groups = file.groups.map((g) => {
      const target = targets.get(g.name);
      if (target === undefined) throw new Error(`no target moment for rule group ${g.name} of ${source}`);
      return { name: g.name, target, rules: g.rules.length };
    });
    let found: PlacedRuleFile | undefined;
    for (let salt = 0; salt < 2_000_000 && !found; salt++) {
      const path = join(dir, `g${salt.toString(36)}`, basename(source));
      const offsets = groups.map((g) => groupOffsetMs(path, g.name));
      if (offsets.every((o, i) => Math.abs(o - groups[i]!.target) <= toleranceMs)) {
        found = {
          source,
          path,
          groups: groups.map((g, i) => ({ name: g.name, offsetMs: offsets[i]!, rules: g.rules })),
        };
      }
    }
    if (!found) throw new Error(`no folder name puts the groups of ${source} at their moments`);
    mkdirSync(join(found.path, '..'), { recursive: true });
    writeFileSync(found.path, readFileSync(source));
    placed.push(found);
  }
  return placed;
}

// --- Configuration ---------------------------------------------------------------------------------

/** The same routing for Alertmanager and Watchkeeper's dispatcher: every alert its own group, sent at once. */
export function alertmanagerYaml(webhookUrl: string): string {
  return [
    'route:',
    '  receiver: capture',
    "  group_by: ['...']",
    '  group_wait: 0s',
    '  group_interval: 1m',
    '  repeat_interval: 4h',
    'receivers:',
    '  - name: capture',
    '    webhook_configs:',
    `      - url: ${webhookUrl}`,
    '        send_resolved: true',
    '',
  ].join('\n');
}

function yamlList(items: readonly string[]): string {
  return `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;
}

export function prometheusYaml(ruleFiles: readonly string[], alertmanagerPort: number): string {
  return [
    'global:',
    '  scrape_interval: 1h',
    `  evaluation_interval: ${INTERVAL_MS / 1000}s`,
    `rule_files: ${yamlList(ruleFiles)}`,
    'alerting:',
    '  alertmanagers:',
    `    - static_configs: [{ targets: ['127.0.0.1:${alertmanagerPort}'] }]`,
    'scrape_configs: []',
    '',
  ].join('\n');
}

export function watchkeeperYaml(dir: string, ruleFiles: readonly string[], port: number): string {
  return [
    'global:',
    `  scrape_interval: ${INTERVAL_MS / 1000}s`,
    `  evaluation_interval: ${INTERVAL_MS / 1000}s`,
    'storage:',
    `  path: ${JSON.stringify(join(dir, 'data'))}`,
    // An empty `watchkeeper` job turns the self-scrape off: the data is only the workload.
    'scrape_configs: [{ job_name: watchkeeper, static_configs: [] }]',
    'alerting:',
    `  alertmanager_config: ${JSON.stringify(join(dir, 'alertmanager.yml'))}`,
    `  external_url: http://127.0.0.1:${port}`,
    `rule_files: ${yamlList(ruleFiles)}`,
    '',
  ].join('\n');
}

// --- Processes -------------------------------------------------------------------------------------

/** Debian's Alertmanager 0.25 (the alerting end-to-end tests' helper). */
export const startAlertmanagerProcess = startAlertmanager;

export async function startPrometheusProcess(
  dir: string,
  port: number,
  ruleFiles: readonly string[],
  alertmanagerPort: number,
): Promise<PrometheusProcess> {
  return startPrometheus({ port, dir, config: prometheusYaml(ruleFiles, alertmanagerPort), timeoutMs: 60_000 });
}

export async function startWatchkeeperProcess(
  dir: string,
  port: number,
  ruleFiles: readonly string[],
  alertmanagerConfig: string,
): Promise<ReadyProcess> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'alertmanager.yml'), alertmanagerConfig);
  const config = join(dir, 'watchkeeper.yml');
  writeFileSync(config, watchkeeperYaml(dir, ruleFiles, port));
  return spawnUntilReady(
    'watchkeeper',
    process.execPath,
    [WATCHKEEPER_CLI, 'serve', '--config', config, '--web.listen-address', `127.0.0.1:${port}`],
    {
      url: `http://127.0.0.1:${port}`,
      cwd: dir,
      timeoutMs: 60_000,
      defaultStopTimeoutMs: 120_000,
      // remoteWrite() and the rules API calls of rules-bench.ts send this token.
      env: { WATCHKEEPER_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    },
  );
}

// --- Webhook receiver --------------------------------------------------------------------------------

/** The first notification of one alert (label set) that a receiver got while it was firing. */
export interface FiringReceipt {
  server: 'prometheus' | 'watchkeeper';
  key: string;
  alertname: string;
  /** `startsAt` of the alert: the evaluation timestamp at which it became firing (Unix ms). */
  startsAtMs: number;
  /** Wall time (Unix ms) the webhook request arrived. */
  receivedAtMs: number;
}

/** Unix milliseconds (with fractions) of an RFC 3339 time with any number of fractional digits. */
export function parseRfc3339Ms(s: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return NaN;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  const frac = m[2] === undefined ? 0 : Number(`0.${m[2]}`) * 1000;
  return whole + frac;
}

interface WebhookPayload {
  alerts?: { status?: string; labels?: Record<string, string>; startsAt?: string }[];
}

/**
 * A local HTTP server for Alertmanager's webhook (payload v4): `/prometheus` for Alertmanager 0.25,
 * `/watchkeeper` for Watchkeeper's dispatcher. Keeps the first firing notification per alert and
 * server; the arrival time is taken when the request's headers arrive.
 */
export class WebhookCapture {
  readonly firing = new Map<string, FiringReceipt>();
  requests = 0;
  resolvedAlerts = 0;
  badRequests = 0;
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const receivedAtMs = Date.now();
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        this.requests++;
        const server = req.url?.startsWith('/prometheus')
          ? 'prometheus'
          : req.url?.startsWith('/watchkeeper')
            ? 'watchkeeper'
            : undefined;
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload;
          if (server === undefined) throw new Error(`unexpected path ${req.url}`);
          for (const a of body.alerts ?? []) {
            if (a.status !== 'firing') {
              this.resolvedAlerts++;
              continue;
            }
            const labels = a.labels ?? {};
            const key = Object.keys(labels)
              .sort()
              .map((k) => `${k}=${JSON.stringify(labels[k])}`)
              .join(',');
            const mapKey = `${server}\n${key}`;
            if (this.firing.has(mapKey)) continue;
            this.firing.set(mapKey, {
              server,
              key,
              alertname: labels['alertname'] ?? '',
              startsAtMs: parseRfc3339Ms(a.startsAt ?? ''),
              receivedAtMs,
            });
          }
        } catch {
          this.badRequests++;
        }
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
