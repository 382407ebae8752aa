/**
 * The host exporter: the machine's CPU, memory, disk and network as the catalog's `node_*`
 * series, on its own port's `/metrics` (through the SDK's endpoints), read from /proc at each
 * scrape. It stands in for Prometheus's node_exporter, which is a Go binary not on npm (see the
 * package README).
 */
import { findMetric } from '@watchkeeper/model';
import { createTelemetry, type Telemetry } from '@watchkeeper/sdk';
import Fastify, { type FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { HOST_METRICS, hostSamples, type HostMetricName, type HostSamples } from './host-metrics.js';
import { readProcStats, type ProcStats } from './proc-stats.js';

export interface HostExporterOptions {
  readonly internalMetricsToken: string;
  /** Logs go to `<logDir>/host-exporter.log`; undefined: discarded. */
  readonly logDir?: string;
  /** @default '/proc' */
  readonly procRoot?: string;
  /** A new /proc reading is taken when the last is older than this; @default 1000 */
  readonly minIntervalMs?: number;
  readonly version?: string;
  readonly environment?: string;
}

/** Reads /proc at most once per interval and keeps the reading before for rates. */
class HostSampler {
  readonly #procRoot: string;
  readonly #minIntervalMs: number;
  #previous: ProcStats | undefined;
  #latest: ProcStats | undefined;
  #samples: HostSamples | undefined;
  #reading: Promise<HostSamples> | undefined;

  constructor(procRoot: string, minIntervalMs: number) {
    this.#procRoot = procRoot;
    this.#minIntervalMs = minIntervalMs;
  }

  samples(): Promise<HostSamples> {
    const now = Date.now();
    if (this.#samples !== undefined && this.#latest !== undefined && now - this.#latest.atMs < this.#minIntervalMs) {
      return Promise.resolve(this.#samples);
    }
    this.#reading ??= readProcStats(this.#procRoot, now)
      .then((reading) => {
        this.#previous = this.#latest;
        this.#latest = reading;
        this.#samples = hostSamples(reading, this.#previous);
        return this.#samples;
      })
      .finally(() => {
        this.#reading = undefined;
      });
    return this.#reading;
  }
}

/** The prom-client collector shape the SDK's public registry renders (name, help, type, get). */
interface HostCollector {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly aggregator: 'sum';
  get(): Promise<{
    name: string;
    help: string;
    type: 'counter' | 'gauge';
    aggregator: 'sum';
    values: { labels: Record<string, string>; value: number }[];
  }>;
  reset(): void;
}

function hostCollector(name: HostMetricName, sampler: HostSampler): HostCollector {
  const entry = findMetric(name);
  if (entry === undefined || entry.source !== 'host' || (entry.type !== 'counter' && entry.type !== 'gauge')) {
    throw new Error(`${name} must be a host counter or gauge in the catalog`);
  }
  const type = entry.type;
  return {
    name,
    help: entry.help,
    type,
    aggregator: 'sum',
    get: async () => ({
      name,
      help: entry.help,
      type,
      aggregator: 'sum',
      values: (await sampler.samples())[name].map((s) => ({ labels: { ...s.labels }, value: s.value })),
    }),
    reset: () => {},
  };
}

export class HostExporter {
  readonly telemetry: Telemetry;
  readonly app: FastifyInstance;
  #port: number | undefined;

  private constructor(options: HostExporterOptions) {
    this.telemetry = createTelemetry({
      service: 'host-exporter',
      version: options.version ?? '1.0.0',
      environment: options.environment ?? 'demo',
      internalMetricsToken: options.internalMetricsToken,
      defaultMetrics: false,
      log: {
        destination:
          options.logDir === undefined
            ? new Writable({ write: (_chunk, _encoding, callback) => callback() })
            : join(options.logDir, 'host-exporter.log'),
      },
    });
    this.app = Fastify({ logger: false });
    const sampler = new HostSampler(options.procRoot ?? '/proc', options.minIntervalMs ?? 1_000);
    // The SDK's typed metrics cover the services' (application) metrics only; host series are
    // registered on its public registry as collectors, rendered with its labels and filters.
    type RegisteredMetric = Parameters<Telemetry['registry']['registerMetric']>[0];
    for (const name of HOST_METRICS) {
      this.telemetry.registry.registerMetric(hostCollector(name, sampler) as unknown as RegisteredMetric);
    }
    void sampler.samples();
  }

  static async create(options: HostExporterOptions): Promise<HostExporter> {
    const exporter = new HostExporter(options);
    await exporter.telemetry.instrumentFastify(exporter.app);
    await exporter.app.ready();
    return exporter;
  }

  get url(): string {
    if (this.#port === undefined) throw new Error('host-exporter has not listened yet');
    return `http://127.0.0.1:${this.#port}`;
  }

  async listen(port: number): Promise<number> {
    await this.app.listen({ host: '127.0.0.1', port });
    const address = this.app.server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : port;
    return this.#port;
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.telemetry.shutdown();
  }
}
