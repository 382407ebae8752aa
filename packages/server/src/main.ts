/**
 * The composition root: the only place that wires modules together. `startServer` builds the
 * durable storage, the query engine, scraping, remote write, self-metrics and the HTTP server
 * from a resolved configuration.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { resolveConfig, type ResolvedConfig, type ResolvedScrapeConfig } from './config/index.js';
import { createHttpServer, type TsdbStatus } from './http/index.js';
import { ScrapeManager, type RemoteWriteMetrics } from './ingest/index.js';
import { type Clock, systemClock } from './lib/clock.js';
import { Engine } from './promql/index.js';
import { DiskStorage } from './tsdb/index.js';

export const VERSION = '0.1.0';

export interface ServerOptions {
  config?: ResolvedConfig;
  clock?: Clock;
}

export interface RunningServer {
  url: string;
  config: ResolvedConfig;
  storage: DiskStorage;
  engine: Engine;
  scrapeManager: ScrapeManager;
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

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const config = options.config ?? resolveConfig({}, 'defaults');
  const clock = options.clock ?? systemClock;
  const startTimeMs = clock.nowMs();

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

  const app = await createHttpServer({
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
  });
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (err) {
    await storage.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  const host = config.listen.host;

  const scrapeConfigs = [...config.scrapeConfigs];
  if (!scrapeConfigs.some((c) => c.job_name === 'watchkeeper'))
    scrapeConfigs.push(selfScrapeConfig(config, host, port));
  await scrapeManager.applyConfig(scrapeConfigs);

  let closed = false;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    config,
    storage,
    engine,
    scrapeManager,
    async close() {
      if (closed) return;
      closed = true;
      await scrapeManager.stop();
      await app.close();
      await storage.close();
    },
  };
}
