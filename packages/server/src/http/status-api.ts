/**
 * Prometheus's status and metadata endpoints: buildinfo, runtimeinfo, flags, tsdb cardinality,
 * targets and metric metadata, in Prometheus's JSON shapes so that Grafana's data source and
 * other tools read them unchanged.
 */
import type { FastifyInstance } from 'fastify';

export interface TsdbStatus {
  headStats: { numSeries: number; numLabelPairs: number; chunkCount: number; minTime: number; maxTime: number };
  seriesCountByMetricName: { name: string; value: number }[];
  labelValueCountByLabelName: { name: string; value: number }[];
  memoryInBytesByLabelName: { name: string; value: number }[];
  seriesCountByLabelValuePair: { name: string; value: number }[];
}

export interface MetricMetadataEntry {
  type: string;
  help: string;
  unit: string;
}

export interface StatusApiOptions {
  version: string;
  startTimeMs: number;
  storagePath: string;
  flags: Record<string, string>;
  /** Cardinality statistics, limited to the top `limit` entries per list. */
  tsdbStatus(limit: number): TsdbStatus;
  /** The `data` of /api/v1/targets. */
  targets(state: string | undefined): { activeTargets: unknown[]; droppedTargets: unknown[] };
  /** Metric family → metadata entries (as scraped). */
  metadata(): Map<string, MetricMetadataEntry[]>;
  lastCheckpointMs(): number;
  walCorruptions(): number;
}

const ok = (data: unknown): string => JSON.stringify({ status: 'success', data });

export function registerStatusApi(app: FastifyInstance, opts: StatusApiOptions): void {
  const json = { 'content-type': 'application/json' };
  app.get('/api/v1/status/buildinfo', async (_req, reply) =>
    reply.headers(json).send(
      ok({
        version: opts.version,
        revision: 'unknown',
        branch: 'main',
        buildUser: 'watchkeeper',
        buildDate: 'unknown',
        goVersion: `node${process.versions.node}`,
      }),
    ),
  );
  app.get('/api/v1/status/runtimeinfo', async (_req, reply) => {
    const mem = process.memoryUsage();
    return reply.headers(json).send(
      ok({
        startTime: new Date(opts.startTimeMs).toISOString(),
        CWD: process.cwd(),
        reloadConfigSuccess: true,
        lastConfigTime: new Date(opts.startTimeMs).toISOString(),
        corruptionCount: opts.walCorruptions(),
        goroutineCount: 0,
        GOMAXPROCS: 1,
        GOMEMLIMIT: 0,
        GOGC: '',
        GODEBUG: '',
        storageRetention: opts.flags['storage.tsdb.retention.time'] ?? '',
        lastCheckpoint: new Date(opts.lastCheckpointMs()).toISOString(),
        residentMemoryBytes: mem.rss,
      }),
    );
  });
  app.get('/api/v1/status/flags', async (_req, reply) => reply.headers(json).send(ok(opts.flags)));
  app.get('/api/v1/status/tsdb', async (req, reply) => {
    const limitText = (req.query as Record<string, string | undefined>).limit;
    const limit = limitText === undefined ? 10 : Number(limitText);
    if (!Number.isInteger(limit) || limit <= 0) {
      return reply
        .code(400)
        .headers(json)
        .send(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'limit must be a positive number' }));
    }
    return reply.headers(json).send(ok(opts.tsdbStatus(limit)));
  });
  app.get('/api/v1/targets', async (req, reply) => {
    const state = (req.query as Record<string, string | undefined>).state;
    return reply.headers(json).send(ok(opts.targets(state)));
  });
  app.get('/api/v1/metadata', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = q.limit === undefined ? -1 : Number(q.limit);
    const all = opts.metadata();
    const out: Record<string, MetricMetadataEntry[]> = {};
    let n = 0;
    for (const [metric, entries] of [...all].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (q.metric !== undefined && q.metric !== metric) continue;
      if (limit >= 0 && n >= limit) break;
      out[metric] = entries;
      n++;
    }
    return reply.headers(json).send(ok(out));
  });
}
