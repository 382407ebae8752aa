/**
 * Prometheus's HTTP query API (`/api/v1/query`, `/api/v1/query_range`, labels, series,
 * format_query), GET and POST form bodies, with Prometheus's JSON shapes and number formatting.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RestrictedScope, RestrictedSeriesPolicy } from '../access/index.js';
import { formatPromTimestamp, formatPromValue } from '../lib/format-number.js';
import { allBuckets, type FloatHistogram } from '../lib/histogram.js';
import type { Labels } from '../lib/labels.js';
import type { Engine, Annotation, QueryValue } from '../promql/index.js';
import { formatAnnotation, formatExpr, type Matcher, parseExpr } from '../promql/index.js';
import type { Queryable } from '../tsdb/index.js';
import { BadRequestError, sendError } from './errors.js';
import { restrictedScope } from './restricted-scope.js';

export interface PrometheusApiOptions {
  engine: Engine;
  storage: Queryable;
  nowMs: () => number;
}

const MAX_POINTS_PER_SERIES = 11_000;

type Params = Record<string, string | string[] | undefined>;

function params(req: FastifyRequest): Params {
  return { ...(req.query as Params), ...((req.body as Params | undefined) ?? {}) };
}

function one(p: Params, name: string): string | undefined {
  const v = p[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function all(p: Params, name: string): string[] {
  const v = p[name] ?? p[`${name}[]`];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Unix seconds (float) or RFC 3339, as Prometheus accepts. */
export function parseTime(s: string, param: string): number {
  const n = Number(s);
  if (s.trim() !== '' && Number.isFinite(n)) return Math.round(n * 1000);
  const d = Date.parse(s);
  if (!Number.isNaN(d)) return d;
  throw new BadRequestError(`invalid parameter "${param}": cannot parse "${s}" to a valid timestamp`);
}

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [31_536_000_000, 604_800_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** A Prometheus duration (`1h30m`) or a float number of seconds. */
export function parseDurationParam(s: string, param: string): number {
  const n = Number(s);
  if (s.trim() !== '' && Number.isFinite(n)) return Math.round(n * 1000);
  const m = DURATION_RE.exec(s);
  if (m && s !== '') {
    let ms = 0;
    for (let i = 0; i < UNIT_MS.length; i++) if (m[i + 1]) ms += Number(m[i + 1]) * UNIT_MS[i]!;
    return ms;
  }
  throw new BadRequestError(`invalid parameter "${param}": cannot parse "${s}" to a valid duration`);
}

function labelsJson(l: Labels): string {
  const parts: string[] = [];
  for (const [n, v] of l) parts.push(`${JSON.stringify(n)}:${JSON.stringify(v)}`);
  return `{${parts.join(',')}}`;
}

/** A native histogram as Prometheus's API writes it: count, sum and the non-empty buckets. */
function histogramJson(h: FloatHistogram): string {
  const buckets: string[] = [];
  for (const b of allBuckets(h)) {
    if (b.count === 0) continue;
    const rule = b.lowerInclusive ? (b.upperInclusive ? 3 : 1) : b.upperInclusive ? 0 : 2;
    buckets.push(`[${rule},"${formatPromValue(b.lower)}","${formatPromValue(b.upper)}","${formatPromValue(b.count)}"]`);
  }
  const body = `"count":"${formatPromValue(h.count)}","sum":"${formatPromValue(h.sum)}"`;
  return buckets.length > 0 ? `{${body},"buckets":[${buckets.join(',')}]}` : `{${body}}`;
}

function point(t: number, v: number): string {
  return `[${formatPromTimestamp(t)},"${formatPromValue(v)}"]`;
}

/** Serialises a query value as Prometheus's `data` object. */
export function valueJson(v: QueryValue): string {
  switch (v.type) {
    case 'scalar':
      return `{"resultType":"scalar","result":${point(v.timestampMs, v.v)}}`;
    case 'string':
      return `{"resultType":"string","result":[${formatPromTimestamp(v.timestampMs)},${JSON.stringify(v.s)}]}`;
    case 'vector':
      return `{"resultType":"vector","result":[${v.samples
        .map((s) =>
          s.h !== undefined
            ? `{"metric":${labelsJson(s.labels)},"histogram":[${formatPromTimestamp(s.timestampMs)},${histogramJson(s.h)}]}`
            : `{"metric":${labelsJson(s.labels)},"value":${point(s.timestampMs, s.v)}}`,
        )
        .join(',')}]}`;
    case 'matrix':
      return `{"resultType":"matrix","result":[${v.series
        .map((s) => {
          const parts = [`"metric":${labelsJson(s.labels)}`];
          if (s.timestampsMs.length > 0) {
            const pts: string[] = [];
            for (let i = 0; i < s.timestampsMs.length; i++) pts.push(point(s.timestampsMs[i]!, s.values[i]!));
            parts.push(`"values":[${pts.join(',')}]`);
          }
          if (s.histograms && s.histograms.length > 0) {
            parts.push(
              `"histograms":[${s.histograms.map((p) => `[${formatPromTimestamp(p.timestampMs)},${histogramJson(p.h)}]`).join(',')}]`,
            );
          }
          return `{${parts.join(',')}}`;
        })
        .join(',')}]}`;
  }
}

function successBody(data: string, annotations: Annotation[], query: string): string {
  const warnings = annotations.filter((a) => a.kind === 'warning').map((a) => formatAnnotation(a, query));
  const infos = annotations.filter((a) => a.kind === 'info').map((a) => formatAnnotation(a, query));
  let body = `{"status":"success","data":${data}`;
  if (warnings.length) body += `,"warnings":${JSON.stringify(warnings)}`;
  if (infos.length) body += `,"infos":${JSON.stringify(infos)}`;
  return body + '}';
}

function matchersParam(p: Params): Matcher[][] {
  return all(p, 'match[]').map((sel) => {
    const e = parseExpr(sel);
    if (e.type !== 'VectorSelector')
      throw new BadRequestError(`invalid parameter "match[]": ${sel} is not a series selector`);
    return e.matchers;
  });
}

/**
 * The optional `start` and `end` of the metadata endpoints (series, labels, label values), in Unix
 * ms: all time when absent or empty, as Prometheus's defaults (its minimum and maximum time).
 */
function timeRangeParams(p: Params): [number, number] {
  const start = one(p, 'start');
  const end = one(p, 'end');
  return [start ? parseTime(start, 'start') : -Infinity, end ? parseTime(end, 'end') : Infinity];
}

/**
 * `restricted` hides restricted series from principals without `restricted:read` in every route
 * (the engine's series filter and expression check, a filtered storage for the metadata routes)
 * and audits what was hidden or returned. format_query only reformats the text it is given.
 */
export function registerPrometheusApi(
  app: FastifyInstance,
  opts: PrometheusApiOptions,
  restricted: RestrictedSeriesPolicy,
): void {
  const { engine } = opts;
  const json = 'application/json';

  /** Runs `body` with the request's restricted-series scope and writes its audit entry after it. */
  const scoped = async <T>(
    req: FastifyRequest,
    action: string,
    resource: string,
    body: (scope: RestrictedScope) => Promise<T>,
  ): Promise<T> => {
    const scope = restrictedScope(restricted, req, action, resource);
    try {
      return await body(scope);
    } finally {
      scope.finish();
    }
  };

  const query = async (req: FastifyRequest): Promise<string> => {
    const p = params(req);
    const q = one(p, 'query');
    if (q === undefined || q === '') throw new BadRequestError('invalid parameter "query": query must not be empty');
    const t = one(p, 'time');
    const timeMs = t === undefined ? opts.nowMs() : parseTime(t, 'time');
    const res = await scoped(req, 'query', q, (scope) => engine.instantQuery(q, timeMs, scope.queryOptions()));
    return successBody(valueJson(res.value), res.annotations, q);
  };

  const queryRange = async (req: FastifyRequest): Promise<string> => {
    const p = params(req);
    const q = one(p, 'query');
    if (q === undefined || q === '') throw new BadRequestError('invalid parameter "query": query must not be empty');
    const start = parseTime(one(p, 'start') ?? '', 'start');
    const end = parseTime(one(p, 'end') ?? '', 'end');
    if (end < start) throw new BadRequestError('invalid parameter "end": end timestamp must not be before start time');
    const step = parseDurationParam(one(p, 'step') ?? '', 'step');
    if (step <= 0) {
      throw new BadRequestError(
        'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
      );
    }
    if ((end - start) / step > MAX_POINTS_PER_SERIES) {
      throw new BadRequestError(
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      );
    }
    const res = await scoped(req, 'query_range', q, (scope) =>
      engine.rangeQuery(q, start, end, step, scope.queryOptions()),
    );
    return successBody(valueJson(res.value), res.annotations, q);
  };

  const labels = async (req: FastifyRequest): Promise<string> => {
    const p = params(req);
    const [start, end] = timeRangeParams(p);
    const sets = matchersParam(p);
    const names = await scoped(req, 'labels', all(p, 'match[]').join(' '), async (scope) => {
      scope.checkSelectors(sets);
      const storage = scope.queryable(opts.storage);
      const names = new Set<string>();
      if (sets.length === 0) for (const n of storage.labelNames([], start, end)) names.add(n);
      for (const m of sets) for (const n of storage.labelNames(m, start, end)) names.add(n);
      return names;
    });
    return successBody(JSON.stringify([...names].sort()), [], '');
  };

  const labelValues = async (req: FastifyRequest<{ Params: { name: string } }>): Promise<string> => {
    const p = params(req);
    const [start, end] = timeRangeParams(p);
    const sets = matchersParam(p);
    const name = req.params.name;
    const resource = [name, ...all(p, 'match[]')].join(' ');
    const values = await scoped(req, 'label_values', resource, async (scope) => {
      scope.checkSelectors(sets);
      const storage = scope.queryable(opts.storage);
      const values = new Set<string>();
      if (sets.length === 0) for (const v of storage.labelValues(name, [], start, end)) values.add(v);
      for (const m of sets) for (const v of storage.labelValues(name, m, start, end)) values.add(v);
      return values;
    });
    return successBody(JSON.stringify([...values].sort()), [], '');
  };

  const series = async (req: FastifyRequest): Promise<string> => {
    const p = params(req);
    const sets = matchersParam(p);
    if (sets.length === 0) throw new BadRequestError('no match[] parameter provided');
    const [start, end] = timeRangeParams(p);
    const seen = await scoped(req, 'series', all(p, 'match[]').join(' '), async (scope) => {
      scope.checkSelectors(sets);
      // The filtered storage always has seriesLabels (the storage's own, or from select).
      const storage = scope.queryable(opts.storage);
      const seen = new Map<string, Labels>();
      for (const m of sets) for (const l of storage.seriesLabels(m, start, end)) seen.set(l.key, l);
      return seen;
    });
    return successBody(`[${[...seen.values()].map(labelsJson).join(',')}]`, [], '');
  };

  const formatQuery = async (req: FastifyRequest): Promise<string> => {
    const q = one(params(req), 'query') ?? '';
    return successBody(JSON.stringify(formatExpr(parseExpr(q))), [], '');
  };

  const route =
    <R extends FastifyRequest>(handler: (req: R) => Promise<string>) =>
    async (req: R, reply: FastifyReply) => {
      try {
        const body = await handler(req);
        return reply.header('content-type', json).send(body);
      } catch (err) {
        return sendError(reply, err);
      }
    };

  for (const method of ['GET', 'POST'] as const) {
    app.route({ method, url: '/api/v1/query', handler: route(query) });
    app.route({ method, url: '/api/v1/query_range', handler: route(queryRange) });
    app.route({ method, url: '/api/v1/labels', handler: route(labels) });
    app.route({ method, url: '/api/v1/series', handler: route(series) });
    app.route({ method, url: '/api/v1/format_query', handler: route(formatQuery) });
  }
  app.get('/api/v1/label/:name/values', route(labelValues));
}
