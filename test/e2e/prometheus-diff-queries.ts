/**
 * The requests of the differential test, as Grafana sends them: the SMS plan's alert expressions
 * (§3) and dashboard queries (§4) as in bench/promql-bench.ts, then expressions that cover the rest
 * of what the plan's rules and panels use (rate, irate, sum by, histogram_quantile, predict_linear,
 * set operators, topk, count_values, label_replace, comparisons, offset, subqueries), staleness,
 * the late data, number formatting and error cases; and the metadata endpoints.
 *
 * Evaluation times. Range queries run over the hour before END at a 15 s step (Grafana's step for
 * a 1 h panel), as form POSTs; instant queries at END (GET) and at END - 20 m (POST, Grafana's
 * default; inside the login-failure burst and the vessel's stale period, just before target sync-1
 * vanishes). Data samples are never on a multiple
 * of 15 s (prometheus-diff-data.ts), so range and lookback windows never start on a sample.
 *
 * Subqueries (`grid: 'subquery'`): a subquery evaluates its inner expression at multiples of its
 * own step (1m, 30s, the default 1m), and its window is `[t - range, t]` in Prometheus 2.42 but
 * `(t - range, t]` in Prometheus 3 and Watchkeeper; when the outer time t is itself a multiple of
 * the subquery's step, the inner point at t - range is inside the window in 2.42 and outside in 3.
 * So subqueries are evaluated at times that are 15 s past a minute: range queries from
 * END - 1h + 15s at a 60 s step, instant queries at END - 15s and END - 20m15s.
 */

import { PLAN_QUERIES } from '../../bench/plan-queries.js';

export type Kind = 'range' | 'instant';

export interface DiffQuery {
  name: string;
  expr: string;
  /** Default: both. */
  kinds?: readonly Kind[];
  /** Evaluate off the subquery grid (see above). */
  grid?: 'subquery';
  /** Range queries over the 6 h before END at a 60 s step (the late vessel data). */
  longRange?: boolean;
  /** The order of an instant vector is part of the answer (sort, topk). */
  ordered?: boolean;
}

/** The SMS plan's §3 alerts and §4 panels: the benchmarks' list (bench/plan-queries.ts). */
const PLAN: DiffQuery[] = PLAN_QUERIES.map((q) => ({ ...q }));

/** The plan's alert expressions without their thresholds (so that every step has values to compare). */
const PLAN_UNTHRESHOLDED: DiffQuery[] = [
  {
    name: 'parts order failure ratio',
    expr: 'rate(sms_parts_orders_failed_total[5m]) / rate(sms_parts_orders_total[5m])',
  },
  {
    name: 'p95 latency by endpoint',
    expr: 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le, endpoint))',
  },
  { name: 'pool usage ratio', expr: 'db_connection_pool_used / db_connection_pool_size' },
  {
    name: 'error ratio',
    expr: 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
  },
  { name: 'login failure rate', expr: 'rate(sms_login_failures_total[5m])' },
  { name: '403 rate', expr: 'sum(rate(http_requests_total{status="403"}[5m]))' },
  { name: 'response bytes rate', expr: 'sum(rate(http_response_size_bytes_sum[5m]))' },
  { name: 'session rate 1h', expr: 'rate(sms_user_sessions_total[1h])' },
  { name: 'onboarding age', expr: 'time() - sms_onboarding_started_timestamp' },
  { name: 'session trend 7d', expr: 'predict_linear(sms_user_sessions_total[7d], 86400 * 7)' },
  { name: 'session trend 30m', expr: 'predict_linear(sms_user_sessions_total[30m], 3600)' },
];

const COVERAGE: DiffQuery[] = [
  // rate family, counter resets
  { name: 'rate', expr: 'rate(http_requests_total[5m])' },
  { name: 'irate over a restart', expr: 'irate(http_requests_total{job="auth"}[1m])' },
  { name: 'increase over a restart', expr: 'increase(http_requests_total{job="auth"}[10m])' },
  { name: 'increase 1h by status', expr: 'sum by (status) (increase(http_requests_total[1h]))' },
  { name: 'resets', expr: 'resets(http_requests_total[30m])' },
  { name: 'changes', expr: 'changes(up[30m])' },
  { name: 'delta', expr: 'delta(db_connection_pool_used[10m])' },
  { name: 'idelta', expr: 'idelta(db_connection_pool_used[1m])' },
  { name: 'rate over two samples', expr: 'rate(http_requests_total{job="parts-api"}[30s])' },
  { name: 'deriv', expr: 'deriv(sms_sync_lag_seconds{vessel="v03"}[10m])' },
  { name: 'predict_linear memory', expr: 'predict_linear(node_memory_MemAvailable_bytes[30m], 3600)' },
  { name: 'sgn deriv', expr: 'sgn(deriv(node_memory_MemAvailable_bytes[15m]))' },
  // aggregations
  { name: 'sum by', expr: 'sum by (job) (rate(http_requests_total[5m]))' },
  { name: 'sum without', expr: 'sum without (instance, method) (rate(http_requests_total[5m]))' },
  {
    name: 'avg min max',
    expr: 'avg(db_connection_pool_used) + min(db_connection_pool_used) * max(db_connection_pool_used)',
  },
  { name: 'count group', expr: 'count by (job) (up) + group by (job) (up)' },
  {
    name: 'stddev stdvar',
    expr: 'stddev by (job) (rate(http_requests_total[5m])) + on() group_left() stdvar(db_connection_pool_used)',
  },
  { name: 'quantile', expr: 'quantile(0.9, rate(http_requests_total[5m]))' },
  { name: 'topk', expr: 'topk(3, sum by (job, instance) (rate(http_requests_total[5m])))', ordered: true },
  { name: 'bottomk', expr: 'bottomk(2, db_connection_pool_used)', ordered: true },
  { name: 'count_values', expr: 'count_values("pool_size", db_connection_pool_size)' },
  { name: 'count_values by', expr: 'count_values by (job) ("state", up)' },
  { name: 'count by le', expr: 'count by (le) (http_request_duration_seconds_bucket)' },
  { name: 'sort_desc', expr: 'sort_desc(sum by (job) (rate(http_requests_total[5m])))', ordered: true },
  { name: 'sort', expr: 'sort(db_connection_pool_used)', ordered: true },
  // NaN and infinities in aggregations and sorting
  {
    name: 'max min with NaN',
    expr: 'max(sms_sync_lag_seconds{vessel="v01"} * 0 / 0 or sms_sync_lag_seconds) + min(sms_sync_lag_seconds{vessel="v01"} * 0 / 0 or sms_sync_lag_seconds)',
  },
  {
    name: 'topk with NaN',
    expr: 'topk(2, sms_sync_lag_seconds{vessel="v01"} * 0 / 0 or sms_sync_lag_seconds)',
    ordered: true,
  },
  {
    name: 'bottomk with NaN',
    expr: 'bottomk(2, sms_sync_lag_seconds{vessel="v01"} * 0 / 0 or sms_sync_lag_seconds)',
    ordered: true,
  },
  {
    name: 'sort_desc with NaN',
    expr: 'sort_desc(sms_sync_lag_seconds{vessel="v01"} * 0 / 0 or sms_sync_lag_seconds)',
    ordered: true,
  },
  {
    name: 'sort with NaN',
    expr: 'sort(sms_sync_lag_seconds{vessel="v01"} * 0 / 0 or sms_sync_lag_seconds)',
    ordered: true,
  },
  { name: 'avg with +Inf', expr: 'avg(sms_sync_lag_seconds{vessel="v01"} / 0 or sms_sync_lag_seconds)' },
  {
    name: 'sum with cancellation',
    expr: 'sum(label_replace(-sms_sync_lag_seconds{vessel="v02"}, "vessel", "neg", "", "") or sms_sync_lag_seconds)',
  },
  { name: 'rate of a gauge', expr: 'rate(sms_sync_lag_seconds[5m])' },
  { name: 'histogram_quantile without le', expr: 'histogram_quantile(0.9, rate(http_requests_total[5m]))' },
  // histograms
  {
    name: 'histogram_quantile per series',
    expr: 'histogram_quantile(0.5, rate(http_request_duration_seconds_bucket[5m]))',
  },
  {
    name: 'histogram_quantile p99 by job',
    expr: 'histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket[10m])))',
  },
  {
    name: 'average latency',
    expr: 'sum(rate(http_request_duration_seconds_sum[5m])) by (job) / sum(rate(http_request_duration_seconds_count[5m])) by (job)',
  },
  {
    name: 'histogram_quantile out of range',
    expr: 'histogram_quantile(1.5, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) or histogram_quantile(-1, sum by (le, job) (rate(http_request_duration_seconds_bucket[5m])))',
  },
  // labels
  { name: 'label_replace', expr: 'label_replace(up, "host", "$1", "instance", "(.*):.*")' },
  {
    name: 'label_replace reads __name__ after rate',
    expr: 'label_replace(rate(http_requests_total{job="auth"}[5m]), "metric", "$1", "__name__", "(.*)")',
  },
  { name: 'label_join', expr: 'label_join(up{job="node"}, "both", "/", "job", "instance")' },
  { name: 'sum by __name__', expr: 'sum by (__name__) ({__name__=~"sms_vessel_.*"})' },
  { name: 'regex name selector', expr: '{__name__=~"db_.*", pool_name="sessions"}' },
  // comparisons, arithmetic
  { name: 'comparison bool', expr: 'up == bool 0' },
  { name: 'comparison filter keeps name', expr: 'db_connection_pool_used > 30' },
  { name: 'scalar comparison bool', expr: 'sum(up) > bool 10' },
  { name: 'unary minus', expr: '-db_connection_pool_used' },
  {
    name: 'modulo power atan2',
    expr: 'db_connection_pool_used % 7 + db_connection_pool_used ^ 0.5 - (db_connection_pool_used atan2 db_connection_pool_size)',
  },
  { name: 'vector comparison', expr: 'db_connection_pool_used >= db_connection_pool_size * 0.85' },
  { name: 'division by zero', expr: 'sms_sync_lag_seconds{vessel=~"v0[12]"} / 0' },
  { name: 'NaN and -Inf', expr: '(sms_sync_lag_seconds - sms_sync_lag_seconds) / 0 or -sms_sync_lag_seconds / 0' },
  // offset, @
  { name: 'offset', expr: 'sms_parts_orders_total offset 10m' },
  { name: 'rate offset', expr: 'rate(http_requests_total{job="parts-api"}[5m] offset 15m)' },
  { name: '@ end()', expr: 'sms_vessel_online @ end()' },
  { name: '@ start() offset', expr: 'rate(http_requests_total{job="auth", status="200"}[5m] @ start() offset -10m)' },
  { name: 'timestamp offset', expr: 'timestamp(sms_vessel_online offset 5m)' },
  // set operators and vector matching
  {
    name: 'and on',
    expr: '(up == 1) and on(job) (sum by (job) (rate(http_requests_total{status=~"5.."}[5m])) > 0.5)',
  },
  { name: 'or', expr: 'up{job="auth"} or up{job="node"}' },
  { name: 'or on', expr: 'sms_vessel_online or on(vessel) sms_sync_lag_seconds' },
  { name: 'unless', expr: 'up unless on(job) up{job="auth"}' },
  { name: 'group_left', expr: 'rate(http_requests_total[5m]) * on(job, instance) group_left() up' },
  {
    name: 'ignoring group_left',
    expr: 'http_requests_total / ignoring(status) group_left sum without (status) (http_requests_total)',
  },
  {
    name: 'group_left copies a label',
    expr: 'sms_parts_orders_total * on(company_id) group_left(tier) sms_mrr_dollars',
  },
  // subqueries
  {
    name: 'subquery max_over_time',
    expr: 'max_over_time(rate(http_requests_total{job="auth"}[5m])[30m:1m])',
    grid: 'subquery',
  },
  {
    name: 'subquery default step',
    expr: 'avg_over_time(sum by (job) (rate(http_requests_total[5m]))[10m:])',
    grid: 'subquery',
  },
  { name: 'subquery 30s', expr: 'min_over_time(up[20m:30s])', grid: 'subquery' },
  { name: 'rate over subquery', expr: 'rate(sum by (job) (http_requests_total)[5m:1m])', grid: 'subquery' },
  // _over_time
  { name: 'sum_over_time', expr: 'sum_over_time(errors_total[1m])' },
  { name: 'count_over_time', expr: 'count_over_time(http_requests_total{job="sync"}[2m])' },
  { name: 'quantile_over_time', expr: 'quantile_over_time(0.5, db_connection_pool_used[10m])' },
  { name: 'stddev_over_time', expr: 'stddev_over_time(db_connection_pool_used[10m])' },
  {
    name: 'avg max min over time',
    expr: 'avg_over_time(sms_sync_lag_seconds[5m]) - max_over_time(sms_sync_lag_seconds[5m]) + min_over_time(sms_sync_lag_seconds[5m])',
  },
  { name: 'last_over_time', expr: 'last_over_time(sms_vessel_online[10m])' },
  { name: 'present_over_time', expr: 'present_over_time(sms_vessel_online[5m])' },
  { name: 'absent_over_time', expr: 'absent_over_time(sms_vessel_online{vessel="v03"}[5m])' },
  // staleness
  { name: 'staleness: vanished target', expr: 'up{job="sync"}' },
  { name: 'staleness: gauge comes back', expr: 'sms_vessel_online' },
  { name: 'count up', expr: 'count(up)' },
  { name: 'timestamp', expr: 'timestamp(up{job="sync"})' },
  // functions
  { name: 'absent', expr: 'absent(up{job="nope"})' },
  { name: 'absent present', expr: 'absent(up)' },
  { name: 'clamp', expr: 'clamp_max(db_connection_pool_used, 50) + clamp_min(db_connection_pool_used, 10)' },
  { name: 'round', expr: 'round(sms_sync_lag_seconds{vessel="v03"}, 0.5)' },
  {
    name: 'abs ceil floor',
    expr: 'abs(-db_connection_pool_used) + ceil(db_connection_pool_used / 7) - floor(db_connection_pool_used / 3)',
  },
  { name: 'ceil rate', expr: 'ceil(rate(errors_total[5m]) * 10)' },
  {
    name: 'sqrt ln log2 log10 exp',
    expr: 'sqrt(sms_sync_lag_seconds) + ln(sms_sync_lag_seconds) + log2(sms_sync_lag_seconds) + log10(sms_sync_lag_seconds) + exp(sms_sync_lag_seconds{vessel="v03"})',
  },
  {
    name: 'date functions',
    expr: 'hour(sms_onboarding_started_timestamp) * 100 + minute(sms_onboarding_started_timestamp)',
  },
  { name: 'date functions of time()', expr: 'day_of_week() + hour() * 10 + minute() + days_in_month() + year()' },
  { name: 'vector(time())', expr: 'vector(time())' },
  { name: 'scalar()', expr: 'scalar(sum(up{job="node"}))' },
  { name: 'scalar() of many', expr: 'scalar(up)' },
  { name: 'vector scalar arithmetic', expr: 'db_connection_pool_size - scalar(count(up))' },
  { name: 'scalar arithmetic', expr: '1 + 2 * 3' },
  { name: 'time()', expr: 'time()' },
  { name: 'scalar NaN', expr: '0 / 0' },
  // number formatting: Go's 'f' format from 1e-6 up to 1e21, 'e' outside (1e-07, 1e+21), -0
  { name: 'tiny, huge, fractional values', expr: 'sms_sync_lag_seconds' },
  {
    name: 'formatting 1e-6 and 1e21 edges',
    expr: 'sms_sync_lag_seconds * 10 or sms_sync_lag_seconds{vessel="v02"} / 10',
  },
  { name: 'formatting 1e20', expr: 'sms_sync_lag_seconds{vessel="v02"} / 100' },
  { name: 'negative zero', expr: '-(db_connection_pool_used * 0)' },
  { name: 'count_values formats label values', expr: 'count_values("lag", sms_sync_lag_seconds)' },
  { name: 'count_values of huge values', expr: 'count_values("lag", sms_sync_lag_seconds{vessel="v02"} / 100)' },
  { name: 'big integers', expr: 'node_memory_MemTotal_bytes' },
  // the late data
  { name: 'late data offset', expr: 'sms_vessel_fuel_liters offset 5h' },
  { name: 'late data', expr: 'sms_vessel_fuel_liters', longRange: true },
  { name: 'late data rate', expr: 'rate(sms_vessel_position_reports_total[10m])', longRange: true },
  { name: 'late data last_over_time', expr: 'last_over_time(sms_vessel_fuel_liters[6h])', kinds: ['instant'] },
  {
    name: 'late data count_over_time',
    expr: 'count_over_time(sms_vessel_position_reports_total[7h])',
    kinds: ['instant'],
  },
  // a string result
  { name: 'string', expr: '"sms"', kinds: ['instant'] },
  // 2.x vs 3.x: holt_winters exists in 2.42 only (3.x renamed it double_exponential_smoothing, behind a flag)
  { name: 'holt_winters', expr: 'holt_winters(db_connection_pool_used[10m], 0.5, 0.5)' },
];

/** Errors: compared by HTTP status, `status` and `errorType`; error texts are recorded, not compared. */
const ERRORS: DiffQuery[] = [
  { name: 'error: parse error', expr: 'sum(rate(http_requests_total[5m])' },
  { name: 'error: type error', expr: 'rate(up)' },
  { name: 'error: duplicate series on one-to-one matching', expr: 'up + on() up{job="auth"}' },
  {
    name: 'error: duplicate labelsets after dropping the name',
    expr: 'rate({__name__=~"http_request_duration_seconds_(sum|count)"}[5m])',
  },
  { name: 'error: many-to-many', expr: 'up * on(job) group_left() up' },
  { name: 'error: string in a range query', expr: '"sms"', kinds: ['range'] },
  { name: 'error: range vector in a range query', expr: 'up[5m]', kinds: ['range'] },
];

export const QUERIES: readonly DiffQuery[] = [...PLAN, ...PLAN_UNTHRESHOLDED, ...COVERAGE, ...ERRORS];

/** A request: path with query string (GET) or with a form body (POST, as Grafana sends query_range). */
export interface DiffRequest {
  /** Unique: names the request in the report and in KNOWN_DIFFERENCES. */
  id: string;
  method: 'GET' | 'POST';
  path: string;
  params: [string, string][];
  /** Compare result order (instant vectors of sort/topk, never lists the API does not order). */
  ordered: boolean;
}

const sec = (ms: number): string => String(ms / 1000);

export function queryRequests(endMs: number): DiffRequest[] {
  const out: DiffRequest[] = [];
  for (const q of QUERIES) {
    const kinds = q.kinds ?? ['range', 'instant'];
    const shift = q.grid === 'subquery' ? 15_000 : 0;
    if (kinds.includes('range')) {
      const startMs = q.longRange ? endMs - 6 * 3_600_000 : endMs - 3_600_000 + shift;
      const stepS = q.longRange || q.grid === 'subquery' ? 60 : 15;
      const stopMs = q.grid === 'subquery' ? endMs - 60_000 + shift : endMs;
      out.push({
        id: `query_range ${q.name}`,
        method: 'POST',
        path: '/api/v1/query_range',
        params: [
          ['query', q.expr],
          ['start', sec(startMs)],
          ['end', sec(stopMs)],
          ['step', String(stepS)],
        ],
        ordered: false,
      });
    }
    if (kinds.includes('instant')) {
      for (const [label, atMs] of [
        ['END', endMs - shift],
        ['END-20m', endMs - 20 * 60_000 - shift],
      ] as const) {
        out.push({
          id: `query ${q.name} @${label}`,
          method: label === 'END' ? 'GET' : 'POST',
          path: '/api/v1/query',
          params: [
            ['query', q.expr],
            ['time', sec(atMs)],
          ],
          ordered: q.ordered ?? false,
        });
      }
    }
  }
  // Parameter forms: RFC 3339 and fractional times, a duration step, an end off the step grid.
  const q = (id: string, method: 'GET' | 'POST', path: string, params: [string, string][]): DiffRequest => ({
    id,
    method,
    path,
    params,
    ordered: false,
  });
  out.push(
    q('query RFC 3339 time', 'GET', '/api/v1/query', [
      ['query', 'up'],
      ['time', new Date(endMs).toISOString()],
    ]),
  );
  out.push(
    q('query fractional time', 'GET', '/api/v1/query', [
      ['query', 'rate(http_requests_total[5m])'],
      ['time', sec(endMs - 500)],
    ]),
  );
  out.push(
    q('query_range duration step, end off the grid', 'POST', '/api/v1/query_range', [
      ['query', 'sum by (job) (rate(http_requests_total[5m]))'],
      ['start', new Date(endMs - 3_600_000).toISOString()],
      ['end', sec(endMs - 1_000)],
      ['step', '1m'],
    ]),
  );
  // Parameter errors.
  const end = sec(endMs);
  const start = sec(endMs - 3_600_000);
  const range = (id: string, params: [string, string][]): DiffRequest => ({
    id,
    method: 'POST',
    path: '/api/v1/query_range',
    params,
    ordered: false,
  });
  out.push(
    range('query_range error: step 0', [
      ['query', 'up'],
      ['start', start],
      ['end', end],
      ['step', '0'],
    ]),
  );
  out.push(
    range('query_range error: too many points', [
      ['query', 'up'],
      ['start', start],
      ['end', end],
      ['step', '0.1'],
    ]),
  );
  out.push(
    range('query_range error: end before start', [
      ['query', 'up'],
      ['start', end],
      ['end', start],
      ['step', '15'],
    ]),
  );
  out.push({
    id: 'query error: bad time',
    method: 'GET',
    path: '/api/v1/query',
    params: [
      ['query', 'up'],
      ['time', 'yesterday'],
    ],
    ordered: false,
  });
  return out;
}

/** `/api/v1/series`, `/api/v1/labels`, `/api/v1/label/<name>/values`, `/api/v1/format_query`. */
export function metadataRequests(endMs: number): DiffRequest[] {
  const s = (ms: number): string => sec(endMs - ms);
  const get = (id: string, path: string, params: [string, string][] = []): DiffRequest => ({
    id,
    method: 'GET',
    path,
    params,
    ordered: false,
  });
  const H = 3_600_000;
  const M = 60_000;
  return [
    // series: Grafana sends match[] with the dashboard's time range
    get('series up last hour', '/api/v1/series', [
      ['match[]', 'up'],
      ['start', s(H)],
      ['end', s(0)],
    ]),
    get('series two matchers', '/api/v1/series', [
      ['match[]', 'sms_vessel_online'],
      ['match[]', 'db_connection_pool_size{instance="db-1:9187"}'],
      ['start', s(10 * M)],
      ['end', s(0)],
    ]),
    get('series late data only', '/api/v1/series', [
      ['match[]', '{__name__=~"sms_vessel_.+"}'],
      ['start', s(7 * H)],
      ['end', s(4 * H)],
    ]),
    get('series vanished target excluded', '/api/v1/series', [
      ['match[]', 'up{job="sync"}'],
      ['start', s(10 * M)],
      ['end', s(0)],
    ]),
    get('series before all data', '/api/v1/series', [
      ['match[]', 'up'],
      ['start', s(10 * H)],
      ['end', s(9 * H)],
    ]),
    get('series no time range', '/api/v1/series', [['match[]', '{job="node"}']]),
    get('series error: no match[]', '/api/v1/series', [
      ['start', s(H)],
      ['end', s(0)],
    ]),
    get('series error: bad selector', '/api/v1/series', [['match[]', 'rate(up[5m])']]),
    // labels
    get('labels', '/api/v1/labels'),
    get('labels last hour', '/api/v1/labels', [
      ['start', s(H)],
      ['end', s(0)],
    ]),
    get('labels match[]', '/api/v1/labels', [['match[]', 'up']]),
    get('labels two match[]', '/api/v1/labels', [
      ['match[]', 'sms_vessel_fuel_liters'],
      ['match[]', 'db_connection_pool_used'],
    ]),
    get('labels before all data', '/api/v1/labels', [
      ['start', s(10 * H)],
      ['end', s(9 * H)],
    ]),
    // label values
    get('label __name__ values', '/api/v1/label/__name__/values'),
    get('label job values', '/api/v1/label/job/values'),
    get('label le values', '/api/v1/label/le/values'),
    get('label vessel values match[]', '/api/v1/label/vessel/values', [['match[]', 'sms_vessel_fuel_liters']]),
    get('label instance values match[]', '/api/v1/label/instance/values', [['match[]', 'up{job="node"}']]),
    get('label values unknown label', '/api/v1/label/nonexistent/values'),
    get('label job values before all data', '/api/v1/label/job/values', [
      ['start', s(10 * H)],
      ['end', s(9 * H)],
    ]),
    // format_query (Prometheus 2.42 has it)
    get('format_query', '/api/v1/format_query', [
      ['query', 'sum(rate(http_requests_total{job="parts-api",status=~"5.."}[5m]))by(job)'],
    ]),
    get('format_query binary', '/api/v1/format_query', [['query', 'a+on(x)group_left(y)b offset 5m>bool 3']]),
    get('format_query subquery', '/api/v1/format_query', [['query', 'max_over_time(rate(x[5m])[30m:1m] @ 100)']]),
    get('format_query error', '/api/v1/format_query', [['query', 'sum(']]),
  ];
}
