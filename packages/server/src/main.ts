/**
 * The composition root: the only place that wires modules together. `startServer` builds the
 * storage, the query engine, self-monitoring and the HTTP server from resolved options.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type Clock, systemClock } from './lib/clock.js';
import { Labels } from './lib/labels.js';
import { createHttpServer } from './http/index.js';
import { Engine } from './promql/index.js';
import { MemoryStorage } from './tsdb/index.js';

export interface ServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 9800 */
  port?: number;
  clock?: Clock;
  /** How often Watchkeeper records its own metrics into its storage. @default 15_000 */
  selfScrapeIntervalMs?: number;
}

export interface RunningServer {
  url: string;
  storage: MemoryStorage;
  engine: Engine;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 9800;
  const clock = options.clock ?? systemClock;
  const intervalMs = options.selfScrapeIntervalMs ?? 15_000;

  const storage = new MemoryStorage();
  const engine = new Engine(storage);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'watchkeeper_' });

  const app = await createHttpServer({ engine, storage, registry, nowMs: () => clock.nowMs() });
  await app.listen({ host, port });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const instance = `${host}:${boundPort}`;

  // Until scraping exists (storage issue), Watchkeeper records its own registry directly.
  let cancel: (() => void) | undefined;
  let closed = false;
  const record = async (): Promise<void> => {
    const t = clock.nowMs();
    const base = { job: 'watchkeeper', instance };
    storage.append(Labels.from({ ...base, __name__: 'up' }), t, 1);
    for (const metric of await registry.getMetricsAsJSON()) {
      for (const v of metric.values) {
        const name = (v as { metricName?: string }).metricName ?? metric.name;
        const labels: Record<string, string> = { ...base, __name__: name };
        for (const [k, val] of Object.entries(v.labels)) labels[k] = String(val);
        storage.append(Labels.from(labels), t, v.value);
      }
    }
  };
  const loop = (): void => {
    if (closed) return;
    void record().finally(() => {
      if (!closed) cancel = clock.setTimeout(loop, intervalMs);
    });
  };
  loop();

  return {
    url: `http://${instance}`,
    storage,
    engine,
    async close() {
      closed = true;
      cancel?.();
      await app.close();
    },
  };
}
