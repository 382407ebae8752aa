/**
 * Prometheus's status and metadata endpoints: buildinfo, runtimeinfo, flags, tsdb cardinality,
 * targets and metric metadata, in Prometheus's JSON shapes so that Grafana's data source and
 * other tools read them unchanged.
 */
import type { FastifyInstance } from 'fastify';
import type { RestrictedScope, RestrictedSeriesPolicy } from '../access/index.js';
import type { Labels } from '../lib/labels.js';
import type { Queryable } from '../tsdb/index.js';
import { restrictedScope } from './restricted-scope.js';

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

/**
 * The cardinality statistics of the series `scope` may see, computed from their label sets (for a
 * principal without `restricted:read`: as if restricted series were not stored). Chunk count and
 * time range stay the storage's (numbers, not names).
 */
function visibleTsdbStatus(full: TsdbStatus, storage: Queryable, scope: RestrictedScope, limit: number): TsdbStatus {
  const series: Labels[] = scope.queryable(storage).seriesLabels([], -Infinity, Infinity);
  const byName = new Map<string, number>();
  const pairs = new Map<string, number>();
  const valuesByLabel = new Map<string, Set<string>>();
  const bytesByLabel = new Map<string, number>();
  for (const l of series) {
    for (const [n, v] of l) {
      if (n === '__name__') byName.set(v, (byName.get(v) ?? 0) + 1);
      const pair = `${n}=${v}`;
      pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
      let values = valuesByLabel.get(n);
      if (!values) valuesByLabel.set(n, (values = new Set()));
      values.add(v);
      bytesByLabel.set(n, (bytesByLabel.get(n) ?? 0) + v.length);
    }
  }
  const top = (entries: Iterable<[string, number]>): { name: string; value: number }[] =>
    [...entries]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([name, value]) => ({ name, value }));
  return {
    headStats: { ...full.headStats, numSeries: series.length, numLabelPairs: pairs.size },
    seriesCountByMetricName: top(byName),
    labelValueCountByLabelName: top([...valuesByLabel].map(([n, vs]): [string, number] => [n, vs.size])),
    memoryInBytesByLabelName: top(bytesByLabel),
    seriesCountByLabelValuePair: top(pairs),
  };
}

/**
 * `restricted` and `storage`: for principals without `restricted:read`, the cardinality statistics
 * count only the series they may see, and metadata leaves out restricted metrics. Audited.
 */
export function registerStatusApi(
  app: FastifyInstance,
  opts: StatusApiOptions,
  restricted: RestrictedSeriesPolicy,
  storage: Queryable,
): void {
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
    const scope = restrictedScope(restricted, req, 'tsdb_status', req.url);
    try {
      const full = opts.tsdbStatus(limit);
      if (scope.canRead) {
        // Nothing is hidden; the audit notes the restricted names the statistics show.
        for (const e of full.seriesCountByMetricName) scope.showMetricName(e.name);
        return await reply.headers(json).send(ok(full));
      }
      return await reply.headers(json).send(ok(visibleTsdbStatus(full, storage, scope, limit)));
    } finally {
      scope.finish();
    }
  });
  app.get('/api/v1/targets', async (req, reply) => {
    const state = (req.query as Record<string, string | undefined>).state;
    return reply.headers(json).send(ok(opts.targets(state)));
  });
  app.get('/api/v1/metadata', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const scope = restrictedScope(restricted, req, 'metadata', req.url);
    try {
      const limit = q.limit === undefined ? -1 : Number(q.limit);
      const all = opts.metadata();
      const out: Record<string, MetricMetadataEntry[]> = {};
      let n = 0;
      for (const [metric, entries] of [...all].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (q.metric !== undefined && q.metric !== metric) continue;
        if (!scope.showMetricName(metric) || !scope.showText(JSON.stringify(entries), `metadata of ${metric}`))
          continue;
        if (limit >= 0 && n >= limit) break;
        out[metric] = entries;
        n++;
      }
      return await reply.headers(json).send(ok(out));
    } finally {
      scope.finish();
    }
  });
}
