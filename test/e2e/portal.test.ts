/**
 * The system `npm start` runs — Watchkeeper, the reference SMS portal and the fleet simulator, each
 * its own process, started by the same launcher — with the simulator fast and a short fault
 * scenario: every target comes up, the plan's metrics get data, the faults show where the plan's
 * alerts look for them, and a Watchkeeper that scrapes only public endpoints holds no `_sms_` series.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, SERVICE_NAMES } from '../../packages/demo/src/contract.js';
import { launch, type RunningSystem } from '../../packages/demo/src/launcher/launcher.js';
import { freePort, freePortBlock } from './helpers.js';

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

const PORT_OFFSET = (name: keyof typeof DEFAULT_PORTS): number => DEFAULT_PORTS[name] - DEFAULT_PORTS.control;

describe('npm start system: portal, simulator, faults', () => {
  let dir = '';
  let system: RunningSystem | undefined;
  let wk = '';
  let basePort = 0;
  const output: string[] = [];

  const query = async (expr: string): Promise<VectorSample[]> => {
    const res = await fetch(`${wk}/api/v1/query?query=${encodeURIComponent(expr)}`, {
      headers: { authorization: `Bearer ${system!.adminToken}` },
    });
    const body = (await res.json()) as { status: string; data?: { result: VectorSample[] }; error?: string };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data!.result;
  };

  /** Polls `expr` until `ok(result)`; returns the result, or throws with what was seen last. */
  const eventually = async (
    expr: string,
    ok: (r: VectorSample[]) => boolean,
    timeoutMs: number,
  ): Promise<VectorSample[]> => {
    const deadline = Date.now() + timeoutMs;
    let last: VectorSample[] = [];
    for (;;) {
      last = await query(expr);
      if (ok(last)) return last;
      if (Date.now() > deadline) {
        throw new Error(`${expr}: condition not met in ${timeoutMs} ms; last ${JSON.stringify(last).slice(0, 500)}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wk-portal-'));
    basePort = await freePortBlock(8);
    const wkPort = await freePort();
    wk = `http://127.0.0.1:${wkPort}`;
    const target = (name: keyof typeof DEFAULT_PORTS): string => `127.0.0.1:${basePort + PORT_OFFSET(name)}`;
    // Public endpoints only: this Watchkeeper must never see a revenue-internal series.
    const jobs = [...SERVICE_NAMES.map((s) => [s, target(s)]), ['node', target('host-exporter')]];
    writeFileSync(
      join(dir, 'watchkeeper.yml'),
      [
        'global: { scrape_interval: 1s, scrape_timeout: 1s }',
        `web: { listen_address: 127.0.0.1:${wkPort} }`,
        'storage: { path: ./data }',
        'scrape_configs:',
        ...jobs.map(([job, t]) => `  - { job_name: ${job}, static_configs: [{ targets: ['${t}'] }] }`),
        '',
      ].join('\n'),
    );
    // At 300× a simulated hour takes 12 real seconds. The run starts on a Wednesday morning
    // (office hours: purchasers quote and order). Brute force and injection attempts early; parts-api
    // down 0:18–0:36 (real seconds); payment failures, then the payment processor down, from 0:36.
    writeFileSync(
      join(dir, 'scenario.yml'),
      [
        '- { at: 10m, fault: { kind: brute_force, duration_ms: 1h, rate_per_second: 30 } }',
        '- { at: 10m, fault: { kind: sql_injection, duration_ms: 1h, rate_per_second: 5 } }',
        '- { at: 1h30m, fault: { kind: down, service: parts-api, duration_ms: 1h30m } }',
        '- { at: 3h, fault: { kind: payment_failures, failure_ratio: 0.8, duration_ms: 2h } }',
        '- { at: 3h30m, fault: { kind: down, service: payment-processor, duration_ms: 1h } }',
        '',
      ].join('\n'),
    );
    system = await launch({
      configFile: join(dir, 'watchkeeper.yml'),
      stateDir: join(dir, 'state'),
      watchkeeperUrl: wk,
      basePort,
      seed: 7,
      speed: 300,
      simulatorArgs: ['--scenario', join(dir, 'scenario.yml'), '--start', '2026-11-25T08:00:00Z'],
      onOutput: (name, line) => output.push(`[${name}] ${line}`),
    });
  });

  afterAll(async () => {
    await system?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('passes its admin token to Watchkeeper and finds the first admin password', async () => {
    expect((await fetch(`${wk}/api/v1/query?query=up`)).status).toBe(401);
    const me = await fetch(`${wk}/api/wk/me`, { headers: { authorization: `Bearer ${system!.adminToken}` } });
    expect(((await me.json()) as { data: { kind: string } }).data.kind).toBe('admin-token');
    expect(system!.storagePath).toBe(join(dir, 'data'));
    const password = system!.adminPassword;
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const login = await fetch(`${wk}/api/wk/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
  });

  it('brings every target up and the plan metrics get data', async () => {
    const up = await eventually(
      'up',
      (r) => r.length === SERVICE_NAMES.length + 2 && r.every((s) => s.value[1] === '1'),
      20_000,
    );
    expect(up.map((s) => s.metric.job).sort()).toEqual(['node', 'watchkeeper', ...SERVICE_NAMES].sort());
    await eventually('sum(sms_parts_quotes_requested_total) > 0', (r) => r.length === 1, 20_000);
    await eventually('sum(sms_mrr_dollars) > 0', (r) => r.length === 1, 20_000);
    await eventually(
      'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[30s])) by (le, endpoint))',
      (r) => r.some((s) => s.metric.endpoint === '/api/parts/quote' && Number(s.value[1]) > 0),
      20_000,
    );
    await eventually('count(sms_vessel_active) > 0', (r) => r.length === 1, 20_000);
    await eventually('node_memory_MemTotal_bytes > 0', (r) => r.length === 1, 5_000);
  }, 90_000);

  it('holds no revenue-internal series when it scrapes only public endpoints', async () => {
    expect(await query('{__name__=~"_sms_.*"}')).toEqual([]);
    const names = (await (
      await fetch(`${wk}/api/v1/label/__name__/values`, { headers: { authorization: `Bearer ${system!.adminToken}` } })
    ).json()) as { data: string[] };
    expect(names.data.length).toBeGreaterThan(50);
    expect(names.data.filter((n) => n.startsWith('_sms_'))).toEqual([]);
    for (const service of SERVICE_NAMES) {
      const text = await (await fetch(`http://127.0.0.1:${basePort + PORT_OFFSET(service)}/metrics`)).text();
      expect(text, service).not.toMatch(/^_sms_/m);
    }
    // parts-api does have them, behind its credential.
    const internal = await fetch(`http://127.0.0.1:${basePort + PORT_OFFSET('parts-api')}/internal/metrics`);
    expect(internal.status).toBe(401);
  });

  it('shows the brute-force burst and the injection attempts', async () => {
    await eventually('sum(increase(sms_login_failures_total[30s])) > 20', (r) => r.length === 1, 30_000);
    await eventually(
      'sum(increase(http_requests_total{job="parts-api", endpoint="/api/parts/quote", status="400"}[30s])) > 0',
      (r) => r.length === 1,
      30_000,
    );
  }, 60_000);

  it('shows parts-api down where PartsOrderingSystemDown looks, then back', async () => {
    await eventually('up{job="parts-api"} == 0', (r) => r.length === 1, 40_000);
    await eventually('up{job="parts-api"} == 1', (r) => r.length === 1, 40_000);
    // Quotes flow again (by now the quote series have samples before and after).
    await eventually('sum(rate(sms_parts_quotes_requested_total[30s])) > 0', (r) => r.length === 1, 30_000);
  }, 90_000);

  it('shows orders failing while the payment processor is down', async () => {
    await eventually('sum(increase(sms_parts_orders_failed_total[30s])) > 0', (r) => r.length === 1, 40_000);
    await eventually('up{job="payment-processor"} == 0', (r) => r.length === 1, 40_000);
  }, 90_000);
});
