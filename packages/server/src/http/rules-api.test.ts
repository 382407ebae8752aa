import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { MemoryAuditLog, RestrictedSeriesPolicy } from '../access/index.js';
import { ManualClock } from '../lib/clock.js';
import { Labels } from '../lib/labels.js';
import { Engine } from '../promql/index.js';
import { RuleManager } from '../rules/index.js';
import { MemoryStorage } from '../tsdb/index.js';
import { registerRulesApi } from './rules-api.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const RULES = `
groups:
  - name: revenue
    interval: 30s
    rules:
      - alert: PartsOrderingSystemDown
        expr: up{job="parts-api"} == 0
        for: 1m
        keep_firing_for: 2m
        labels: {severity: critical, team: revenue}
        annotations: {summary: 'Parts ordering API is down', value: '{{ $value }}'}
      - record: job:up:sum
        expr: sum by (job) (up)
        labels: {source: rules}
      - alert: BrokenQuery
        expr: 'label_replace(up, "x", "$1", "job", "(")'
`;

/** A manager that ran 3 minutes with parts-api down since 1m, behind the API. */
async function setup() {
  const clock = new ManualClock(T0);
  const storage = new MemoryStorage();
  const file = join(mkdtempSync(join(tmpdir(), 'wk-rules-api-')), 'revenue.yml');
  writeFileSync(file, RULES);
  const manager = new RuleManager({ engine: new Engine(storage), storage, clock, evaluationIntervalMs: 15_000 });
  await manager.update([file]);
  manager.start();
  const up = Labels.from({ __name__: 'up', job: 'parts-api', instance: '127.0.0.1:9205' });
  for (let t = 0; t < 180; t += 5) {
    storage.append(up, clock.nowMs(), t >= 60 ? 0 : 1);
    clock.advance(5_000);
    await manager.idle();
  }
  await manager.stop();
  const app = Fastify();
  const rules = () => manager.ruleGroups().flatMap((g) => g.rules);
  registerRulesApi(
    app,
    { ruleGroups: () => manager.ruleGroups() },
    new RestrictedSeriesPolicy({ storage, rules, audit: new MemoryAuditLog() }),
  );
  return { app, file, manager };
}

interface RulesBody {
  status: string;
  data: { groups: { name: string; file: string; interval: number; rules: Record<string, unknown>[] }[] };
}

describe('GET /api/v1/rules and /api/v1/alerts', () => {
  it("lists groups and rules in Prometheus's shapes", async () => {
    const { app, file, manager } = await setup();
    const res = await app.inject({ method: 'GET', url: '/api/v1/rules' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json<RulesBody>();
    expect(body.status).toBe('success');
    const [group] = body.data.groups;
    expect(group).toMatchObject({ name: 'revenue', file, interval: 30, limit: 0 });
    expect(typeof (group as Record<string, unknown>)['evaluationTime']).toBe('number');
    const [alerting, recording, broken] = group!.rules;
    const activeAt = manager.alertingRules()[0]!.activeAlerts()[0]!.activeAtMs;
    expect(alerting).toMatchObject({
      state: 'firing',
      name: 'PartsOrderingSystemDown',
      query: 'up{job="parts-api"} == 0',
      duration: 60,
      keepFiringFor: 120,
      labels: { severity: 'critical', team: 'revenue' },
      annotations: { summary: 'Parts ordering API is down', value: '{{ $value }}' },
      health: 'ok',
      type: 'alerting',
      alerts: [
        {
          labels: {
            alertname: 'PartsOrderingSystemDown',
            instance: '127.0.0.1:9205',
            job: 'parts-api',
            severity: 'critical',
            team: 'revenue',
          },
          annotations: { summary: 'Parts ordering API is down', value: '0' },
          state: 'firing',
          // Go's RFC 3339 with nanoseconds drops trailing zeros: .750 → .75, .000 → nothing.
          activeAt: new Date(activeAt).toISOString().replace(/\.(\d*?)0*Z$/, (_, d: string) => (d ? `.${d}Z` : 'Z')),
          value: '0e+00',
        },
      ],
    });
    expect(alerting).not.toHaveProperty('lastError');
    expect(recording).toMatchObject({
      name: 'job:up:sum',
      query: 'sum by (job) (up)',
      labels: { source: 'rules' },
      health: 'ok',
      type: 'recording',
    });
    expect(String(recording!['lastEvaluation'])).toMatch(/^2026-01-05T08:02:\d\d(\.\d+)?Z$/);
    expect(broken).toMatchObject({ name: 'BrokenQuery', health: 'err', state: 'inactive', alerts: [] });
    expect(String(broken!['lastError'])).toContain('invalid regular expression');
  });

  it('filters by type and rejects an unknown type', async () => {
    const { app } = await setup();
    const alerts = (await app.inject({ url: '/api/v1/rules?type=alert' })).json<RulesBody>();
    expect(alerts.data.groups[0]!.rules.map((r) => r['type'])).toEqual(['alerting', 'alerting']);
    const records = (await app.inject({ url: '/api/v1/rules?type=record' })).json<RulesBody>();
    expect(records.data.groups[0]!.rules.map((r) => r['name'])).toEqual(['job:up:sum']);
    const named = (await app.inject({ url: '/api/v1/rules?rule_name[]=BrokenQuery' })).json<RulesBody>();
    expect(named.data.groups[0]!.rules.map((r) => r['name'])).toEqual(['BrokenQuery']);
    const bad = await app.inject({ url: '/api/v1/rules?type=foo' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ status: 'error', errorType: 'bad_data', error: "invalid query parameter type='foo'" });
  });

  it('lists active alerts', async () => {
    const { app } = await setup();
    const res = await app.inject({ url: '/api/v1/alerts' });
    const body = res.json<{ status: string; data: { alerts: { labels: Record<string, string>; state: string }[] } }>();
    expect(body.status).toBe('success');
    expect(body.data.alerts.map((a) => [a.labels['alertname'], a.state])).toEqual([
      ['PartsOrderingSystemDown', 'firing'],
    ]);
  });
});
