/**
 * Restricted series, end to end (issue 6, "Restricted series"; packages/server/src/access/RESTRICTED.md):
 * the whole server (main.ts's startServer) on a stepping ManualClock scrapes a target that exposes
 * public and `_sms_` series, evaluates the plan's rules (config/rules/revenue.yml, whose
 * MarkupMarginBelowTarget reads `_sms_parts_markup_realized_percent`) and recording rules derived
 * from `_sms_` series — directly, transitively and through a regex — until the restricted alert
 * fires, is routed and opens an incident. Then viewer, exec and ops tokens try every endpoint, with
 * explicit names, regexes, functions, subqueries and the derived names, and a fuzzer builds random
 * queries: no response body may contain a restricted name. revenue-internal and admin see it all;
 * the audit log holds the denied and the allowed attempts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../packages/server/src/access/index.js';
import { resolveConfig } from '../../packages/server/src/config/index.js';
import { ManualClock } from '../../packages/server/src/lib/clock.js';
import { startServer, type RunningServer } from '../../packages/server/src/main.js';

const CONFIG_DIR = fileURLToPath(new URL('../../config/', import.meta.url));
const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 2, 8, 0, 0);

/** Restricted: the `_sms_` series, the rules derived from them, and a label only they carry. */
const DERIVED_AVG = 'sms:markup_realized_percent:avg';
const DERIVED_MIN = 'sms:markup_realized_percent:min';
const DERIVED_REGEX = 'wk:series_by_job:count';
const RESTRICTED_ALERT = 'MarkupMarginBelowTarget';
const FORBIDDEN = ['_sms_', DERIVED_AVG, DERIVED_MIN, DERIVED_REGEX, RESTRICTED_ALERT, 'parts_category'];

const RULES = `
groups:
  - name: public
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      # A regex on __name__ that cannot match a restricted name: stays public.
      - record: sms:orders:rate5m
        expr: sum(rate({__name__=~"sms_parts_orders_total"}[5m]))
  - name: derived
    rules:
      - record: ${DERIVED_AVG}
        expr: avg by (parts_category) (_sms_parts_markup_realized_percent)
      # Derived from a derived name: restricted transitively.
      - record: ${DERIVED_MIN}
        expr: min(${DERIVED_AVG})
      # A regex over every name: it can select restricted series, so it is restricted.
      - record: ${DERIVED_REGEX}
        expr: count by (job) ({__name__=~".+"})
`;

/** Routes: the restricted alert to its own receiver, as config/alertmanager.yml does. */
const ALERTMANAGER = `
route:
  receiver: default
  group_by: [alertname]
  group_wait: 10s
  routes:
    - matchers: [alertname="${RESTRICTED_ALERT}"]
      receiver: revenue_internal
receivers:
  - name: default
  - name: revenue_internal
`;

/** The scrape target: public series and revenue-internal ones. */
function exposition(nowMs: number): string {
  const minutes = Math.floor((nowMs - T0) / MIN);
  return [
    '# HELP sms_parts_orders_total Parts orders.',
    '# TYPE sms_parts_orders_total counter',
    `sms_parts_orders_total{order_type="standard"} ${minutes * 10}`,
    '# HELP _sms_parts_markup_realized_percent Realised markup on parts, percent.',
    '# TYPE _sms_parts_markup_realized_percent gauge',
    '_sms_parts_markup_realized_percent{parts_category="engine"} 12',
    '_sms_parts_markup_realized_percent{parts_category="hull"} 25',
    '# HELP _sms_parts_supplier_cost_dollars_total Supplier cost of parts sold.',
    '# TYPE _sms_parts_supplier_cost_dollars_total counter',
    `_sms_parts_supplier_cost_dollars_total{parts_category="engine"} ${minutes * 1000}`,
    '',
  ].join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'wk-restricted-'));
const clock = new ManualClock(T0);
let target: Server;
let server: RunningServer;
const tokens = new Map<Role, { secret: string; id: string }>();

async function idle(): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    await server.scrapeManager.settled();
    await server.ruleManager.idle();
    await server.incidents.flush();
    await server.alertmanager.dispatcher.idle();
  }
}

/** Moves the clock forward, stopping at every due timer until the work it started is done. */
async function run(ms: number): Promise<void> {
  const end = clock.nowMs() + ms;
  await idle();
  for (let next = clock.nextDueMs(); next !== undefined && next <= end; next = clock.nextDueMs()) {
    clock.advance(next - clock.nowMs());
    await idle();
  }
  clock.advance(end - clock.nowMs());
  await idle();
}

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition(clock.nowMs()));
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const port = (target.address() as AddressInfo).port;
  writeFileSync(join(dir, 'derived.yml'), RULES);
  writeFileSync(join(dir, 'alertmanager.yml'), ALERTMANAGER);
  const config = resolveConfig(
    {
      global: { scrape_interval: '15s', scrape_timeout: '5s', evaluation_interval: '15s' },
      web: { listen_address: '127.0.0.1:0' },
      storage: { path: join(dir, 'data') },
      auth: { enabled: true },
      alerting: { alertmanager_config: join(dir, 'alertmanager.yml') },
      escalation: {
        policies: {
          internal: { matchers: ['team="revenue-internal"'], levels: [{ delay: '0m', targets: ['revenue_internal'] }] },
          revenue: { matchers: ['team="revenue"'], levels: [{ delay: '0m', targets: ['default'] }] },
        },
      },
      rule_files: [join(CONFIG_DIR, 'rules', 'revenue.yml'), join(dir, 'derived.yml')],
      scrape_configs: [
        { job_name: 'watchkeeper', static_configs: [] },
        { job_name: 'portal', static_configs: [{ targets: [`127.0.0.1:${port}`] }] },
        // Nothing listens there: up{job="parts-api"} is 0 and the public PartsOrderingSystemDown fires.
        { job_name: 'parts-api', static_configs: [{ targets: ['127.0.0.1:1'] }] },
      ],
    },
    'restricted-series test',
    {},
    dir,
  );
  server = await startServer({ config, clock });
  for (const role of ['viewer', 'exec', 'ops', 'revenue-internal', 'admin'] as const) {
    const { secret, token } = server.access.createToken({ name: `test ${role}`, roles: [role], createdBy: 'test' });
    tokens.set(role, { secret, id: token.id });
  }
  // MarkupMarginBelowTarget has `for: 1h`; the dispatcher then waits group_wait.
  await run(66 * MIN);
  // A silence for the restricted alert, as the revenue team would set one.
  const silence = await call('admin', '/api/v2/silences', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers: [{ name: 'alertname', value: RESTRICTED_ALERT, isRegex: false, isEqual: true }],
      startsAt: new Date(clock.nowMs()).toISOString(),
      endsAt: new Date(clock.nowMs() + 60 * MIN).toISOString(),
      createdBy: 'rita',
      comment: 'margin review',
    }),
  });
  expect(silence.status).toBe(200);
  restrictedSilenceId = (JSON.parse(silence.text) as { silenceID: string }).silenceID;
}, 120_000);

let restrictedSilenceId = '';

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => target?.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function call(role: Role, path: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${tokens.get(role)!.secret}`);
  const res = await fetch(server.url + path, { ...init, headers });
  return { status: res.status, text: await res.text() };
}

const q = (query: string, extra = ''): string =>
  `/api/v1/query?query=${encodeURIComponent(query)}&time=${clock.nowMs() / 1000}${extra}`;
const qr = (query: string): string =>
  `/api/v1/query_range?query=${encodeURIComponent(query)}&start=${(clock.nowMs() - 30 * MIN) / 1000}&end=${clock.nowMs() / 1000}&step=60`;
const match = (...selectors: string[]): string => selectors.map((s) => `match[]=${encodeURIComponent(s)}`).join('&');

/** Queries that name a restricted series explicitly: 403 for whoever may not read them. */
const EXPLICIT = [
  '_sms_parts_markup_realized_percent',
  '{__name__="_sms_parts_markup_realized_percent"}',
  'sum(_sms_parts_markup_realized_percent)',
  'absent(_sms_parts_markup_realized_percent)',
  'absent_over_time(_sms_parts_missing[5m])',
  'rate(_sms_parts_supplier_cost_dollars_total[5m])',
  'max_over_time(_sms_parts_markup_realized_percent[10m:1m])',
  'max_over_time(sum(rate(_sms_parts_supplier_cost_dollars_total[5m]))[30m:5m])',
  'label_replace(_sms_parts_markup_realized_percent, "x", "$1", "parts_category", "(.*)")',
  'up * on() group_left() sum(_sms_parts_markup_realized_percent)',
  'up or {__name__="_sms_parts_markup_realized_percent", parts_category="engine"}',
  DERIVED_AVG,
  `min(${DERIVED_MIN})`,
  `sum(${DERIVED_REGEX})`,
  `ALERTS{alertname="${RESTRICTED_ALERT}"}`,
  `ALERTS_FOR_STATE{alertname="${RESTRICTED_ALERT}"}`,
  `count(ALERTS{alertname="${RESTRICTED_ALERT}", alertstate="firing"})`,
];

/** Queries that could reach restricted series without naming one: filtered, never refused. */
const FILTERED = [
  '{__name__=~"_sms.*"}',
  '{__name__=~".+"}',
  '{__name__!=""}',
  '{__name__=~"_sms_parts_markup_realized_percent"}',
  'count({__name__=~".+"})',
  'count by (__name__) ({__name__=~".+"})',
  'group by (__name__) ({__name__=~".*markup.*"})',
  'absent({__name__=~"_sms_.*"})',
  'label_replace({__name__=~".+"}, "n", "$1", "__name__", "(.*)")',
  'sum by (parts_category) ({__name__=~".+"})',
  'topk(1000, {__name__=~".+"})',
  'count_values("v", {__name__=~".+"})',
  'max_over_time({__name__=~".+"}[10m:1m])',
  '{job=~".+"}',
  '{__name__=~"sms:.*"}',
  'ALERTS',
  'ALERTS_FOR_STATE',
  `ALERTS{alertname=~"Markup.*"}`,
  'count by (alertname) (ALERTS)',
];

/** Every endpoint that returns data, as one principal sees it. */
function endpoints(): { name: string; path: string; init?: RequestInit }[] {
  const all: { name: string; path: string; init?: RequestInit }[] = [];
  for (const query of [...EXPLICIT, ...FILTERED]) {
    all.push({ name: `query ${query}`, path: q(query) });
    all.push({ name: `query_range ${query}`, path: qr(query) });
  }
  all.push({
    name: 'POST query',
    path: '/api/v1/query',
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent('{__name__=~".+"}')}&time=${clock.nowMs() / 1000}`,
    },
  });
  for (const sel of [
    '{__name__=~".+"}',
    '{__name__=~"_sms.*"}',
    '{job="portal"}',
    'ALERTS',
    '_sms_parts_markup_realized_percent',
    DERIVED_AVG,
  ]) {
    all.push({ name: `series ${sel}`, path: `/api/v1/series?${match(sel)}` });
    all.push({ name: `labels ${sel}`, path: `/api/v1/labels?${match(sel)}` });
    all.push({ name: `label values ${sel}`, path: `/api/v1/label/__name__/values?${match(sel)}` });
  }
  for (const name of ['__name__', 'alertname', 'parts_category', 'job']) {
    all.push({ name: `label values ${name}`, path: `/api/v1/label/${name}/values` });
  }
  all.push(
    { name: 'labels', path: '/api/v1/labels' },
    { name: 'metadata', path: '/api/v1/metadata' },
    { name: 'metadata of one', path: '/api/v1/metadata?metric=_sms_parts_markup_realized_percent' },
    { name: 'tsdb status', path: '/api/v1/status/tsdb?limit=1000' },
    { name: 'rules', path: '/api/v1/rules' },
    { name: 'rules by name', path: `/api/v1/rules?rule_name=${RESTRICTED_ALERT}` },
    { name: 'rules by group', path: '/api/v1/rules?rule_group=revenue-internal&rule_group=derived' },
    { name: 'alerts', path: '/api/v1/alerts' },
    { name: 'targets', path: '/api/v1/targets' },
    { name: 'format_query', path: `/api/v1/format_query?query=up` },
    { name: 'am alerts', path: '/api/v2/alerts' },
    {
      name: 'am alerts filtered',
      path: `/api/v2/alerts?filter=${encodeURIComponent(`alertname="${RESTRICTED_ALERT}"`)}`,
    },
    { name: 'am groups', path: '/api/v2/alerts/groups' },
    { name: 'am silences', path: '/api/v2/silences' },
    { name: 'am silence', path: `/api/v2/silence/${restrictedSilenceId}` },
    { name: 'am status', path: '/api/v2/status' },
    { name: 'am receivers', path: '/api/v2/receivers' },
    { name: 'incidents', path: '/api/wk/incidents' },
    { name: 'open incidents', path: '/api/wk/incidents?state=open' },
    { name: 'suppressions', path: '/api/wk/suppressions' },
    { name: 'landing page', path: '/' },
    { name: 'self-metrics', path: '/metrics' },
  );
  return all;
}

/**
 * The restricted names a response shows. An error may repeat what the request itself named (403:
 * "query names restricted series <names>"): names in its message count only when the request did
 * not contain them.
 */
function leaks(status: number, text: string, request: string): string[] {
  let rest = text;
  let echo = '';
  if (status >= 400) {
    try {
      const body = JSON.parse(text) as { error?: unknown };
      if (typeof body.error === 'string') {
        echo = body.error;
        rest = JSON.stringify({ ...body, error: '' });
      }
    } catch {
      // not JSON: all of it is checked
    }
  }
  const found = FORBIDDEN.filter((f) => rest.includes(f));
  const asked = decodeURIComponent(request);
  for (const word of echo.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? []) {
    if (FORBIDDEN.some((f) => word.includes(f)) && !asked.includes(word)) found.push(`${word} (in the error)`);
  }
  return found;
}

/** Incident ids by whether they carry the restricted alert, as an admin sees them. */
async function incidentIds(): Promise<{ restricted: number[]; public: number[] }> {
  const { text } = await call('admin', '/api/wk/incidents');
  const list = (JSON.parse(text) as { data: { id: number; alerts: { labels: Record<string, string> }[] }[] }).data;
  const restricted = list.filter((i) => i.alerts.some((a) => a.labels['alertname'] === RESTRICTED_ALERT));
  return {
    restricted: restricted.map((i) => i.id),
    public: list.filter((i) => !restricted.includes(i)).map((i) => i.id),
  };
}

describe('the scenario', () => {
  it('has the restricted alert firing, routed and an incident open, next to a public one', async () => {
    const rules = await call('admin', '/api/v1/alerts');
    expect(rules.text).toContain(`"alertname":"${RESTRICTED_ALERT}"`);
    expect(rules.text).toContain('"alertname":"PartsOrderingSystemDown"');
    expect((await call('admin', '/api/v2/alerts')).text).toContain(RESTRICTED_ALERT);
    const ids = await incidentIds();
    expect(ids.restricted).toHaveLength(1);
    expect(ids.public.length).toBeGreaterThan(0);
  });
});

describe.each(['viewer', 'exec', 'ops'] as const)('%s', (role) => {
  it('cannot read a restricted series through any endpoint', async () => {
    const failures: string[] = [];
    for (const e of endpoints()) {
      const { status, text } = await call(role, e.path, e.init);
      const found = leaks(status, text, `${e.path} ${typeof e.init?.body === 'string' ? e.init.body : ''}`);
      if (found.length > 0) failures.push(`${e.name} (${status}): ${found.join(', ')} in ${text.slice(0, 300)}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('gets 403 for queries that name restricted series, from every query endpoint', async () => {
    for (const query of EXPLICIT) {
      for (const path of [q(query), qr(query)]) {
        const { status, text } = await call(role, path);
        expect(status, `${path}`).toBe(403);
        const body = JSON.parse(text) as { status: string; errorType: string; error: string };
        expect(body).toMatchObject({ status: 'error', errorType: 'forbidden' });
        expect(body.error).toMatch(/names restricted series/);
      }
    }
    for (const sel of ['_sms_parts_markup_realized_percent', DERIVED_AVG, `ALERTS{alertname="${RESTRICTED_ALERT}"}`]) {
      for (const path of [
        `/api/v1/series?${match(sel)}`,
        `/api/v1/labels?${match(sel)}`,
        `/api/v1/label/job/values?${match(sel)}`,
      ]) {
        expect((await call(role, path)).status, path).toBe(403);
      }
    }
  }, 60_000);

  it('sees the rest as if restricted series did not exist', async () => {
    const ok = async (query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
      const { status, text } = await call(role, q(query));
      expect(status, query).toBe(200);
      return (JSON.parse(text) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } })
        .data.result;
    };
    for (const query of FILTERED) {
      // Refused never; an evaluation error is possible (a subquery over every series that loses
      // its names may hold the same label set twice), for an admin as well.
      const { status } = await call(role, q(query));
      expect([200, 422], query).toContain(status);
    }
    expect(await ok('{__name__=~".*markup.*"}')).toEqual([]);
    expect((await ok('absent({__name__=~"_sms_.*"})'))[0]?.value[1]).toBe('1');
    expect(await ok('count(ALERTS{alertname=~"Markup.*"})')).toEqual([]);
    // Public data stays readable, also a rule with a regex that matches no restricted name.
    expect((await ok('up{job="parts-api"}'))[0]?.value[1]).toBe('0');
    expect(await ok('sms:orders:rate5m')).toHaveLength(1);
    expect(await ok('job:up:sum')).toHaveLength(2);
    const names = JSON.parse((await call(role, '/api/v1/label/__name__/values')).text) as { data: string[] };
    expect(names.data).toEqual(
      expect.arrayContaining(['up', 'sms_parts_orders_total', 'job:up:sum', 'sms:orders:rate5m']),
    );
    // The restricted incident does not exist for them; a public one does (where alerts may be read).
    const ids = await incidentIds();
    const restricted = await call(role, `/api/wk/incidents/${ids.restricted[0]}`);
    expect([403, 404]).toContain(restricted.status);
    const ack = await call(role, `/api/wk/incidents/${ids.restricted[0]}/acknowledge`, { method: 'POST' });
    expect([403, 404]).toContain(ack.status);
    const silence = await call(role, `/api/v2/silence/${restrictedSilenceId}`, { method: 'DELETE' });
    expect([403, 404]).toContain(silence.status);
    if (role !== 'viewer') {
      expect((await call(role, `/api/wk/incidents/${ids.public[0]}`)).status).toBe(200);
      expect((await call(role, '/api/v2/alerts')).text).toContain('PartsOrderingSystemDown');
      expect((await call(role, `/api/v2/silence/${restrictedSilenceId}`)).status).toBe(404);
    }
  }, 60_000);

  it('leaves denied attempts in the audit log', () => {
    const id = tokens.get(role)!.id;
    const denied = server.access.audit.list({ principal: id, decision: 'denied', limit: 1000 });
    const forQuery = (query: string) => denied.filter((e) => e.action === 'query' && e.resource === query);
    expect(forQuery('_sms_parts_markup_realized_percent')[0]).toMatchObject({
      action: 'query',
      decision: 'denied',
      detail: expect.stringMatching(/names restricted series _sms_parts_markup_realized_percent/) as unknown,
    });
    expect(forQuery('{__name__=~".+"}').map((e) => e.detail)).toContainEqual(
      expect.stringMatching(/hidden from the response: .*_sms_parts_markup_realized_percent/),
    );
    expect(forQuery(`ALERTS{alertname="${RESTRICTED_ALERT}"}`)).not.toEqual([]);
    expect(denied.some((e) => e.action === 'label_values')).toBe(true);
    expect(server.access.audit.list({ principal: id, decision: 'allowed' })).toEqual([]);
  });
});

describe.each(['revenue-internal', 'admin'] as const)('%s', (role) => {
  it('reads restricted series, derived names, rules, alerts and incidents', async () => {
    for (const query of EXPLICIT) {
      const { status } = await call(role, q(query));
      expect(status, query).toBe(200);
    }
    const read = async (path: string): Promise<string> => {
      const { status, text } = await call(role, path);
      expect(status, path).toBe(200);
      return text;
    };
    expect(await read(q('_sms_parts_markup_realized_percent'))).toContain('"parts_category":"engine"');
    expect(await read(q(DERIVED_MIN))).toContain(DERIVED_MIN);
    expect(await read(q(`ALERTS{alertname="${RESTRICTED_ALERT}"}`))).toContain('"alertstate":"firing"');
    expect(await read(q('count by (__name__) ({__name__=~".+"})'))).toContain(DERIVED_REGEX);
    expect(await read('/api/v1/label/__name__/values')).toContain('_sms_parts_supplier_cost_dollars_total');
    expect(await read('/api/v1/metadata')).toContain('_sms_parts_markup_realized_percent');
    expect(await read('/api/v1/status/tsdb?limit=1000')).toContain('_sms_parts_markup_realized_percent');
    expect(await read('/api/v1/rules')).toContain(RESTRICTED_ALERT);
    expect(await read('/api/v2/alerts/groups')).toContain(RESTRICTED_ALERT);
    expect(await read('/api/v2/silences')).toContain(RESTRICTED_ALERT);
    expect(await read('/api/v2/status')).toContain(RESTRICTED_ALERT);
    expect(await read('/api/wk/incidents')).toContain(RESTRICTED_ALERT);
  }, 60_000);

  it('leaves allowed accesses in the audit log', () => {
    const allowed = server.access.audit.list({ principal: tokens.get(role)!.id, decision: 'allowed', limit: 1000 });
    expect(allowed.find((e) => e.resource === '_sms_parts_markup_realized_percent')).toMatchObject({
      action: 'query',
      detail: 'returned: _sms_parts_markup_realized_percent',
    });
    const actions = new Set(allowed.map((e) => e.action));
    for (const action of [
      'query',
      'label_values',
      'metadata',
      'tsdb_status',
      'rules',
      'alert_groups',
      'silences',
      'alertmanager_status',
      'incidents',
    ]) {
      expect(actions, action).toContain(action);
    }
    expect(server.access.audit.list({ principal: tokens.get(role)!.id, decision: 'denied' })).toEqual([]);
  });
});

/** A deterministic PRNG (mulberry32), so that a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random, well-typed PromQL over public, restricted and regex selectors; `explicit` when it names a restricted series. */
function randomQuery(rnd: () => number): { query: string; explicit: boolean } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let explicit = false;
  const selector = (): string => {
    const kind = rnd();
    if (kind < 0.3)
      return pick(['up', 'job:up:sum', 'sms_parts_orders_total', 'sms:orders:rate5m', 'ALERTS', 'up{job="portal"}']);
    if (kind < 0.6) {
      return pick([
        '{__name__=~".+"}',
        '{__name__=~"_sms.*"}',
        '{__name__=~".*markup.*"}',
        '{__name__!="up", job=~".+"}',
        '{job=~".+"}',
        '{__name__=~"sms:.*"}',
        'ALERTS{alertname=~".+"}',
        '{parts_category=~".+"}',
      ]);
    }
    explicit = true;
    return pick([
      '_sms_parts_markup_realized_percent',
      '_sms_parts_supplier_cost_dollars_total',
      '{__name__="_sms_parts_markup_realized_percent"}',
      DERIVED_AVG,
      DERIVED_MIN,
      DERIVED_REGEX,
      `ALERTS{alertname="${RESTRICTED_ALERT}"}`,
      `{parts_category="engine", __name__="_sms_parts_markup_realized_percent"}`,
    ]);
  };
  const vector = (depth: number): string => {
    if (depth <= 0 || rnd() < 0.25) return selector();
    const inner = (): string => vector(depth - 1);
    switch (Math.floor(rnd() * 11)) {
      case 0:
        return `${pick(['sum', 'count', 'max', 'min', 'avg', 'group'])} ${pick(['', 'by (__name__) ', 'by (job) ', 'by (parts_category) ', 'without (job) '])}(${inner()})`;
      case 1:
        return `${pick(['rate', 'increase', 'max_over_time', 'count_over_time', 'last_over_time', 'absent_over_time'])}(${selector()}[5m])`;
      case 2:
        return `${pick(['max_over_time', 'avg_over_time', 'count_over_time'])}((${inner()})[10m:1m])`;
      case 3:
        return `label_replace(${inner()}, "n", "$1", "__name__", "(.*)")`;
      case 4:
        return `absent(${inner()})`;
      case 5:
        return `${inner()} ${pick(['+', '*', 'and', 'or', 'unless', '>'])} ${pick(['', 'on() group_left() ', 'ignoring(job) group_left() '])}${pick(['', 'sum'])}(${inner()})`.replace(
          / (and|or|unless) (on\(\)|ignoring\(job\)) group_left\(\) /,
          ' $1 $2 ',
        );
      case 6:
        return `topk(${1 + Math.floor(rnd() * 5)}, ${inner()})`;
      case 7:
        return `count_values("v", ${inner()})`;
      case 8:
        return `sort_desc(${inner()})`;
      case 9:
        return rnd() < 0.5 ? `(${inner()}) * 2` : `-${inner()}`;
      default:
        return `timestamp(${inner()})`;
    }
  };
  const query = vector(3);
  return { query, explicit };
}

describe('fuzz: random queries never leak to a viewer', () => {
  it('answers 403 exactly for queries that name a restricted series, and never shows one', async () => {
    const rnd = prng(20260302);
    const failures: string[] = [];
    let forbidden = 0;
    let answered = 0;
    for (let i = 0; i < 300; i++) {
      const { query, explicit } = randomQuery(rnd);
      const path = rnd() < 0.7 ? q(query) : qr(query);
      const { status, text } = await call('viewer', path);
      const found = leaks(status, text, path);
      if (found.length > 0) failures.push(`${query}: leaks ${found.join(', ')}: ${text.slice(0, 300)}`);
      if (explicit && status !== 403) failures.push(`${query}: ${status}, expected 403`);
      if (!explicit && status === 403) failures.push(`${query}: 403 without naming a restricted series`);
      if (status === 403) forbidden++;
      if (status === 200) answered++;
    }
    expect(failures).toEqual([]);
    expect(forbidden).toBeGreaterThan(30);
    expect(answered).toBeGreaterThan(30);
  }, 120_000);
});
