/**
 * Every panel of config/dashboards has data in the system `npm start` runs: the reference portal
 * and the fleet simulator (packages/demo) at the launcher's speed 60, scraped by a Watchkeeper
 * configured like config/watchkeeper.yml (its scrape jobs, the revenue-internal one with its
 * credential, 10 s interval), all in this process on one simulated timeline:
 *
 * - Watchkeeper's clock (a ScenarioClock: it stops at every scrape and waits for it) and the
 *   portal's scheduler are "wall" time; the simulator's VirtualClock runs 60 times faster, as
 *   `scaledClock` does in `npm start` — so the portal sees a simulated hour of customers a minute;
 * - every 10 s of wall time: the simulator plays 10 simulated minutes against the portal over
 *   HTTP, the portal's timers move, Watchkeeper scrapes every target.
 *
 * After 30 simulated hours (30 minutes of wall time: a weekday's office hours, the ships'
 * evening syncs, a few faults), every non-logs panel query of every dashboard, run as the UI runs
 * it over the dashboard's default time range (variables on "all", `$__range`, `$__interval`,
 * `$__rate_interval` from the range and step), returns at least one series with a finite value.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dashboard } from '@watchkeeper/model';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from '../../packages/demo/src/contract.js';
import { startPortal, type RunningPortal } from '../../packages/demo/src/portal/portal.js';
import { ManualScheduler } from '../../packages/demo/src/services/index.js';
import { VirtualClock } from '../../packages/demo/src/simulator/clock.js';
import { fetchTransport } from '../../packages/demo/src/simulator/http.js';
import { parseScenario } from '../../packages/demo/src/simulator/scenario.js';
import { Simulator } from '../../packages/demo/src/simulator/simulator.js';
import { resolveConfig } from '../../packages/server/src/config/index.js';
import {
  expandQuery,
  loadDashboards,
  queryTiming,
  relativeTimeMs,
} from '../../packages/server/src/dashboards/index.js';
import { startServer, type RunningServer } from '../../packages/server/src/main.js';
import type { QueryValue } from '../../packages/server/src/promql/index.js';
import { ScenarioClock } from './alerting-scenario-harness.js';

const CONFIG_DIR = fileURLToPath(new URL('../../config/', import.meta.url));
/** What the launcher runs: one simulated hour per wall minute. */
const SPEED = 60;
const STEP_MS = 10_000;
const WALL_RUN_MS = 30 * 60_000;
/** Wednesday 08:00 UTC, the launcher's kind of start (office hours). */
const START_MS = Date.UTC(2026, 10, 25, 8, 0, 0);
const TOKEN = 'dashboards-data-internal-metrics-token';

/** A small deterministic source of randomness for supplier prices and card declines. */
function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** config/watchkeeper.yml's global settings and scrape jobs, with this run's targets, storage and no alerting. */
function configFor(portal: RunningPortal, storageDir: string) {
  const repo = parse(readFileSync(join(CONFIG_DIR, 'watchkeeper.yml'), 'utf8')) as {
    global: unknown;
    scrape_configs: { job_name: string; metrics_path?: string; authorization?: unknown }[];
    dashboards?: { path: string };
  };
  const component: Record<string, keyof RunningPortal['urls']> = {
    ...Object.fromEntries(SERVICE_NAMES.map((s) => [s, s])),
    node: 'host-exporter',
    'parts-api-internal': 'parts-api',
  };
  const scrape_configs = repo.scrape_configs.map((job) => {
    const name = component[job.job_name];
    if (name === undefined) throw new Error(`config/watchkeeper.yml: job ${job.job_name} has no portal component here`);
    const target = new URL(portal.urls[name]).host;
    return {
      ...job,
      static_configs: [{ targets: [target] }],
      ...(job.authorization !== undefined && { authorization: { credentials: TOKEN } }),
    };
  });
  expect(scrape_configs.map((j) => j.job_name)).toContain('parts-api-internal');
  const raw = {
    global: repo.global,
    web: { listen_address: '127.0.0.1:0' },
    storage: { path: join(storageDir, 'data') },
    scrape_configs,
    dashboards: { path: join(CONFIG_DIR, repo.dashboards?.path ?? 'dashboards') },
  };
  return resolveConfig(raw, 'dashboards data test', {}, storageDir);
}

function hasData(value: QueryValue): boolean {
  switch (value.type) {
    case 'vector':
      return value.samples.some((s) => Number.isFinite(s.v));
    case 'matrix':
      return value.series.some((s) => s.values.some((v) => Number.isFinite(v)));
    case 'scalar':
      return Number.isFinite(value.v);
    default:
      return false;
  }
}

describe('dashboards have data in the npm start system', () => {
  let dir = '';
  let portal: RunningPortal | undefined;
  let server: RunningServer | undefined;
  let sim: Simulator | undefined;
  let clock: ScenarioClock;
  const dashboards: Dashboard[] = loadDashboards([join(CONFIG_DIR, 'dashboards')]).map((f) => f.dashboard);

  beforeAll(async () => {
    dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'wk-dashboards-data-'));
    const scheduler = new ManualScheduler(START_MS);
    portal = await startPortal({
      basePort: 0,
      internalMetricsToken: TOKEN,
      scheduler,
      random: seededRandom(11),
    });
    clock = new ScenarioClock(START_MS);
    server = await startServer({ config: configFor(portal, dir), clock });
    const running = server;
    clock.idle = async () => {
      for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
      await running.scrapeManager.settled();
    };
    // A few of the default scenario's faults, without its login bursts (scrypt per attempt makes
    // them slow in one process): errors for the error panels, an outage for the status grid.
    const scenario = parseScenario([
      { at: '2h', fault: { kind: 'sql_injection', duration_ms: '10m', rate_per_second: 2 } },
      { at: '3h', fault: { kind: 'payment_failures', failure_ratio: 0.4, duration_ms: '3h' } },
      { at: '7h', fault: { kind: 'down', service: 'payment-processor', duration_ms: '30m' } },
    ]);
    const simClock = new VirtualClock(START_MS);
    sim = new Simulator({
      seed: 1,
      speed: SPEED,
      clock: simClock,
      transport: fetchTransport,
      urls: portal.urls,
      scenario,
      companies: 8,
      durationMs: WALL_RUN_MS * SPEED,
    });
    sim.start();
    const running2 = sim;
    for (let elapsed = 0; elapsed < WALL_RUN_MS; elapsed += STEP_MS) {
      await simClock.runFor(STEP_MS * SPEED, () => running2.settled());
      scheduler.advance(STEP_MS);
      await clock.run(STEP_MS);
    }
    await sim.stop();
    expect(sim.stats.internalErrors).toBe(0);
  }, 900_000);

  afterAll(async () => {
    await sim?.stop();
    await server?.close();
    await portal?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('every non-logs panel query returns data over its dashboard’s default time range', async () => {
    const empty: string[] = [];
    let checked = 0;
    const endMs = clock.nowMs();
    for (const d of dashboards) {
      const rangeMs = relativeTimeMs(d.time.from)! - relativeTimeMs(d.time.to)!;
      const variables = Object.fromEntries(d.variables.map((v) => [v.name, '.*']));
      for (const panel of d.rows.flatMap((r) => r.panels)) {
        if (panel.type === 'logs') continue;
        for (const [i, q] of panel.queries.entries()) {
          const { stepMs, rateIntervalMs } = queryTiming(rangeMs, {
            scrapeIntervalMs: server!.config.global.scrapeIntervalMs,
            ...(q.interval !== undefined && { minInterval: q.interval }),
          });
          const expr = expandQuery(q.expr, { variables, rangeMs, intervalMs: stepMs, rateIntervalMs });
          const result = q.instant
            ? await server!.engine.instantQuery(expr, endMs)
            : await server!.engine.rangeQuery(expr, endMs - rangeMs, endMs, stepMs);
          checked++;
          if (!hasData(result.value)) empty.push(`${d.id}/${panel.id} query ${i}: ${expr}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(empty).toEqual([]);
  });

  it('has the revenue-internal series through the credential-protected job', async () => {
    const r = await server!.engine.instantQuery('count by (job) (_sms_parts_markup_realized_dollars)', clock.nowMs());
    expect(r.value.type === 'vector' && r.value.samples.map((s) => s.labels.get('job'))).toEqual([
      'parts-api-internal',
    ]);
  });
});
