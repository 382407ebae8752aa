/**
 * The composition root: the only place that wires modules together. `startServer` builds the
 * durable storage, the query engine, scraping, remote write, self-metrics and the HTTP server
 * from a resolved configuration.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { AccessStore } from './access/index.js';
import { resolveConfig, type ResolvedConfig, type ResolvedScrapeConfig } from './config/index.js';
import {
  Alertmanager,
  createNotifiers,
  loadAlertmanagerConfig,
  parseAlertmanagerConfig,
  type DispatcherLog,
} from './alerting/index.js';
import { loadDashboardFolder } from './dashboards/index.js';
import { createHttpServer, type TsdbStatus } from './http/index.js';
import { alertmanagerPorts, alertStoreSubscription, Incidents } from './incidents/index.js';
import { ScrapeManager, type RemoteWriteMetrics } from './ingest/index.js';
import { type Clock, systemClock } from './lib/clock.js';
import { Engine } from './promql/index.js';
import {
  type AlertSink,
  AlertmanagerSink,
  alertmanagerTargets,
  expandRuleFiles,
  loadRuleFiles,
  RuleManager,
} from './rules/index.js';
import { DiskStorage } from './tsdb/index.js';

export const VERSION = '0.1.0';

export interface ServerOptions {
  config?: ResolvedConfig;
  clock?: Clock;
  /** More receivers of rule alerts, besides `alerting.alertmanagers` (the in-process dispatcher). */
  alertSinks?: AlertSink[];
}

export interface RunningServer {
  url: string;
  config: ResolvedConfig;
  storage: DiskStorage;
  engine: Engine;
  scrapeManager: ScrapeManager;
  ruleManager: RuleManager;
  /** Watchkeeper's Alertmanager: alert store, dispatcher, silences (alerting/). */
  alertmanager: Alertmanager;
  /** Escalation, acknowledgement and suppression (incidents/). */
  incidents: Incidents;
  /** Users, sessions, API tokens and the audit log (access/, `<storage.path>/access.db`). */
  access: AccessStore;
  close(): Promise<void>;
}

/** Watchkeeper scrapes its own /metrics, as Prometheus's default configuration does. */
function selfScrapeConfig(config: ResolvedConfig, host: string, port: number): ResolvedScrapeConfig {
  return {
    job_name: 'watchkeeper',
    scrapeIntervalMs: config.global.scrapeIntervalMs,
    scrapeTimeoutMs: Math.min(config.global.scrapeTimeoutMs, config.global.scrapeIntervalMs),
    metrics_path: '/metrics',
    scheme: 'http',
    params: {},
    honor_labels: false,
    honor_timestamps: true,
    sample_limit: 0,
    label_limit: 0,
    static_configs: [{ targets: [`${host.includes(':') ? `[${host}]` : host}:${port}`], labels: {} }],
    file_sd_configs: [],
    relabel_configs: [],
    metric_relabel_configs: [],
  };
}

function remoteWriteMetrics(registry: Registry): RemoteWriteMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'watchkeeper_remote_write_requests_total',
      help: 'Remote write requests, by HTTP status returned.',
      labelNames: ['code'],
      registers,
    }),
    samples: new Counter({
      name: 'watchkeeper_remote_write_samples_total',
      help: 'Remote write samples, by result.',
      labelNames: ['result'],
      registers,
    }),
    rejected: new Counter({
      name: 'watchkeeper_ingest_rejected_samples_total',
      help: 'Samples the storage rejected from remote write, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    decodeErrors: new Counter({
      name: 'watchkeeper_remote_write_decode_errors_total',
      help: 'Remote write bodies that could not be decoded, by error code.',
      labelNames: ['code'],
      registers,
    }),
  };
}

function storageMetrics(registry: Registry, storage: DiskStorage): void {
  const gauge = (name: string, help: string, value: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  };
  gauge('watchkeeper_tsdb_head_series', 'Series in the storage.', () => storage.stats().series);
  gauge('watchkeeper_tsdb_stored_chunks', 'Sealed chunks in the database.', () => storage.stats().dbChunks);
  gauge(
    'watchkeeper_tsdb_stored_chunk_bytes',
    'Bytes of sealed chunk data in the database.',
    () => storage.stats().dbChunkBytes,
  );
  gauge(
    'watchkeeper_tsdb_out_of_order_samples',
    'Out-of-order samples waiting for the next checkpoint.',
    () => storage.stats().oooSamples,
  );
  gauge(
    'watchkeeper_tsdb_last_checkpoint_timestamp_seconds',
    'When the head was last checkpointed.',
    () => storage.stats().lastCheckpointMs / 1000,
  );
}

function tsdbStatus(storage: DiskStorage, limit: number): TsdbStatus {
  const stats = storage.stats();
  const index = storage.index;
  const top = (entries: [string, number][]): { name: string; value: number }[] =>
    entries
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([name, value]) => ({ name, value }));
  const byName = [...index.valueCounts('__name__')];
  const pairs: [string, number][] = [];
  let numLabelPairs = 0;
  for (const name of index.labelNames()) {
    for (const [value, n] of index.valueCounts(name)) {
      pairs.push([`${name}=${value}`, n]);
      numLabelPairs++;
    }
  }
  return {
    headStats: {
      numSeries: stats.series,
      numLabelPairs,
      chunkCount: stats.headChunks + stats.sealedInMemory,
      minTime: Number.isFinite(stats.minTimeMs) ? stats.minTimeMs : 0,
      maxTime: Number.isFinite(stats.maxTimeMs) ? stats.maxTimeMs : 0,
    },
    seriesCountByMetricName: top(byName),
    labelValueCountByLabelName: top(index.namesWithValueCounts()),
    memoryInBytesByLabelName: top(
      index.labelNames().map((n) => [n, [...index.valueCounts(n)].reduce((acc, [v, c]) => acc + v.length * c, 0)]),
    ),
    seriesCountByLabelValuePair: top(pairs),
  };
}

// ---- Rules (rules/): rule groups evaluated on the clock; alerts to every AlertSink ----

interface RunningRules {
  manager: RuleManager;
  stop(): Promise<void>;
}

async function startRules(
  config: ResolvedConfig,
  ruleFiles: string[],
  deps: { engine: Engine; storage: DiskStorage; clock: Clock; registry: Registry; externalURL: string },
  sinks: readonly AlertSink[],
): Promise<RunningRules> {
  const amSink =
    config.alertmanagers.length > 0
      ? new AlertmanagerSink({
          alertmanagers: alertmanagerTargets(config.alertmanagers),
          clock: deps.clock,
          registry: deps.registry,
        })
      : undefined;
  const all = amSink ? [...sinks, amSink] : [...sinks];
  const manager = new RuleManager({
    ...deps,
    evaluationIntervalMs: config.global.evaluationIntervalMs,
    externalLabels: config.global.externalLabels,
    sink: {
      async send(alerts) {
        await Promise.all(
          all.map(async (s) => {
            await s.send(alerts);
          }),
        );
      },
    },
  });
  await manager.update(ruleFiles);
  manager.start();
  return {
    manager,
    async stop() {
      await manager.stop();
      await amSink?.stop();
    },
  };
}

// ---- Alerting (alerting/): alert store, routing, silences, inhibition, notifications ----

/** Without `alerting.alertmanager_config`: alerts are kept and shown in /api/v2, and notify nobody. */
const NO_RECEIVERS_CONFIG = 'route:\n  receiver: none\nreceivers:\n  - name: none\n';

/** Warnings and errors of the dispatcher on stderr, logfmt-style (its fields never hold secrets). */
const alertingLog: DispatcherLog = (level, message, fields) => {
  if (level === 'debug' || level === 'info') return;
  const rest = Object.entries(fields).map(([k, v]) => ` ${k}=${JSON.stringify(v)}`);
  process.stderr.write(`level=${level} component=alerting msg=${JSON.stringify(message)}${rest.join('')}\n`);
};

/** Throws AlertmanagerConfigError, AlertingSetupError or TemplateError for a bad alertmanager.yml. */
function startAlertmanager(config: ResolvedConfig, clock: Clock, registry: Registry): Alertmanager {
  const amConfig =
    config.alertmanager.configFile !== undefined
      ? loadAlertmanagerConfig(config.alertmanager.configFile)
      : parseAlertmanagerConfig(NO_RECEIVERS_CONFIG);
  const listen = `${config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host}:${config.listen.port}`;
  return Alertmanager.open({
    config: amConfig,
    clock,
    externalURL: config.alertmanager.externalURL ?? `http://${listen}`,
    storagePath: config.storage.path,
    registry,
    notifiers: (r) => createNotifiers(r, { userAgent: `Watchkeeper/${VERSION}` }),
    resolvedAfterMute: config.alertmanager.resolvedAfterMute,
    log: alertingLog,
  });
}

// ---- Incidents (incidents/): escalation policies, acknowledgement, suppression rules ----

/**
 * Opens incidents/ on the Alertmanager: escalation sends through its receivers, suppression rules
 * become one of its mute stages. Throws IncidentsConfigError for targets or matchers that do not
 * fit alertmanager.yml.
 */
function openIncidents(
  config: ResolvedConfig,
  clock: Clock,
  registry: Registry,
  alertmanager: Alertmanager,
): Incidents {
  const webhook = config.escalation.pagerdutyWebhook;
  const secret =
    webhook.secret ?? (webhook.secretFile === undefined ? undefined : readFileSync(webhook.secretFile, 'utf8').trim());
  const incidents = Incidents.open({
    escalation: config.escalation,
    suppressionRules: config.suppressionRules,
    ...alertmanagerPorts(alertmanager, clock),
    dir: join(config.storage.path, 'incidents'),
    clock,
    externalUrl: () => alertmanager.externalURL,
    registry,
    ...(secret !== undefined && { pagerDutyWebhookSecret: secret }),
    onError: (err) => {
      process.stderr.write(`level=error component=incidents msg=${JSON.stringify(String(err))}\n`);
    },
  });
  alertmanager.dispatcher.addMuteStage(incidents.suppression);
  // Route notifications of an open incident's alerts carry its acknowledgement link.
  alertmanager.dispatcher.setAcknowledgeURLProvider((firing, nowMs) =>
    incidents.escalation.acknowledgeUrlFor(
      firing.map((a) => a.fingerprint),
      nowMs,
    ),
  );
  return incidents;
}

// ---- Access (access/): users, sessions, API tokens, audit log ----

/**
 * Opens `<storage.path>/access.db`. On the first start (no users) creates `admin` with a one-time
 * password, printed here once and left in `<storage.path>/initial-admin-password` (0600).
 */
async function openAccess(config: ResolvedConfig, clock: Clock): Promise<AccessStore> {
  const access = AccessStore.open({
    dir: config.storage.path,
    clock,
    sessionTtlMs: config.auth.sessionTtlMs,
    sessionIdleTimeoutMs: config.auth.sessionIdleTimeoutMs,
    auditRetentionMs: config.auth.auditRetentionMs,
    onError: (err) => {
      process.stderr.write(
        `level=error component=access msg=${JSON.stringify(`audit log write failed: ${String(err)}`)}\n`,
      );
    },
  });
  try {
    const first = await access.ensureFirstAdmin();
    if (first) {
      // The one place a password is ever printed: the operator needs it to log in.
      process.stderr.write(
        `level=warn component=access msg="created the first admin user" user=${first.user} password=${first.password} ` +
          `file=${JSON.stringify(first.file)} hint="log in and change it: PATCH /api/wk/users/${first.user}"\n`,
      );
    }
  } catch (err) {
    access.close();
    throw err;
  }
  if (!config.auth.enabled) {
    process.stderr.write(
      'level=warn component=access msg="auth.enabled is false: every request is treated as an admin"\n',
    );
  }
  return access;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const config = options.config ?? resolveConfig({}, 'defaults');
  const clock = options.clock ?? systemClock;
  const startTimeMs = clock.nowMs();
  // Invalid rule files stop the start before anything is opened (throws RuleLoadError).
  const ruleFiles = expandRuleFiles(config.ruleFiles);
  loadRuleFiles(ruleFiles);
  // So do invalid dashboard files (throws DashboardLoadError).
  const dashboards = loadDashboardFolder(config.dashboards.path, config.dashboards.explicit).map((f) => f.dashboard);
  // Started after listening (the alerts' generator URL needs the port); the API reads it from here.
  const started: { rules?: RunningRules } = {};

  const access = await openAccess(config, clock);
  const storage = DiskStorage.open({
    dir: config.storage.path,
    clock,
    outOfOrderWindowMs: config.storage.outOfOrderWindowMs,
    retentionTimeMs: config.storage.retentionTimeMs,
    retentionSizeBytes: config.storage.retentionSizeBytes,
  });
  const engine = new Engine(storage);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  storageMetrics(registry, storage);
  const scrapeManager = new ScrapeManager({ appendable: storage, clock, registry });
  let alertmanager: Alertmanager;
  try {
    alertmanager = startAlertmanager(config, clock, registry);
  } catch (err) {
    await storage.close();
    access.close();
    throw err;
  }
  let incidents: Incidents;
  try {
    incidents = openIncidents(config, clock, registry, alertmanager);
  } catch (err) {
    alertmanager.close();
    await storage.close();
    access.close();
    throw err;
  }

  const app = await createHttpServer({
    auth: {
      enabled: config.auth.enabled,
      store: access,
      clock,
      ...(config.auth.adminToken !== undefined && { adminToken: config.auth.adminToken }),
      cookieSecure: config.auth.cookieSecure,
      sessionTtlMs: config.auth.sessionTtlMs,
      loginRateLimit: config.auth.loginRateLimit,
    },
    engine,
    storage,
    registry,
    nowMs: () => clock.nowMs(),
    bodyLimitBytes: config.maxRequestBodyBytes,
    ingest: { storage, metrics: remoteWriteMetrics(registry), maxDecompressedBytes: 4 * config.maxRequestBodyBytes },
    status: {
      version: VERSION,
      startTimeMs,
      storagePath: config.storage.path,
      flags: {
        'config.file': config.file ?? '',
        'storage.tsdb.path': config.storage.path,
        'storage.tsdb.retention.time': `${config.storage.retentionTimeMs / 1000}s`,
        'storage.tsdb.retention.size': String(config.storage.retentionSizeBytes),
        'storage.tsdb.out-of-order-time-window': `${config.storage.outOfOrderWindowMs / 1000}s`,
        'web.listen-address': `${config.listen.host}:${config.listen.port}`,
      },
      tsdbStatus: (limit) => tsdbStatus(storage, limit),
      targets: (state) => scrapeManager.targets({ state: state === 'active' || state === 'dropped' ? state : 'any' }),
      metadata: () => scrapeManager.metadata(),
      lastCheckpointMs: () => storage.stats().lastCheckpointMs,
      walCorruptions: () => 0,
    },
    admin: { enabled: config.enableAdminApi, deleteSeries: (matchers) => storage.deleteSeries(matchers) },
    rules: { ruleGroups: () => started.rules?.manager.ruleGroups() ?? [] },
    alertmanager: { alertmanager, version: VERSION },
    incidents: { incidents },
    dashboards: { dashboards: () => dashboards },
  });
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (err) {
    await incidents.close();
    alertmanager.close();
    await storage.close();
    access.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  const host = config.listen.host;

  const scrapeConfigs = [...config.scrapeConfigs];
  if (!scrapeConfigs.some((c) => c.job_name === 'watchkeeper'))
    scrapeConfigs.push(selfScrapeConfig(config, host, port));
  await scrapeManager.applyConfig(scrapeConfigs);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (config.alertmanager.externalURL === undefined) alertmanager.setExternalURL(url);
  // Open incidents from before a restart get their timers back; alerts come from the store (replayed).
  incidents.start(alertStoreSubscription(alertmanager.store));
  // One external URL for the process: rule templates' $externalURL and the alerts' generator links.
  const externalURL = config.alertmanager.externalURL ?? url;
  const rules = await startRules(config, ruleFiles, { engine, storage, clock, registry, externalURL }, [
    {
      send: (alerts) => {
        alertmanager.send(alerts);
      },
    },
    ...(options.alertSinks ?? []),
  ]);
  started.rules = rules;
  const ruleManager = rules.manager;

  let closed = false;
  return {
    url,
    config,
    storage,
    engine,
    scrapeManager,
    ruleManager,
    alertmanager,
    incidents,
    access,
    async close() {
      if (closed) return;
      closed = true;
      await rules.stop();
      // First: aborts notifications in flight (escalation's too), which incidents.close() awaits.
      alertmanager.close();
      await incidents.close();
      await scrapeManager.stop();
      await app.close();
      await storage.close();
      access.close();
    },
  };
}
