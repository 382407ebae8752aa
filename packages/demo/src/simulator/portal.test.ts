import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, scrape, startTestPortal, type TestPortal } from '../portal/test-kit.js';
import { VirtualClock } from './clock.js';
import { fetchTransport, type HttpResult, type HttpTransport, type PortalUrls } from './http.js';
import { parseScenario } from './scenario.js';
import { Simulator } from './simulator.js';
import { startStubServers, StubPortal } from './stub-portal.js';

/** Monday 2 June 2025, 00:00 UTC. */
const START_MS = Date.UTC(2025, 5, 2);
const HOUR_MS = 3_600_000;

interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly body: string | undefined;
  readonly result: HttpResult;
}

/** fetch, remembering every exchange. */
function recording(log: Exchange[]): HttpTransport {
  return {
    async request(req) {
      const result = await fetchTransport.request(req);
      log.push({ method: req.method, url: req.url, body: req.body, result });
      return result;
    },
  };
}

const status = (e: Exchange): number | string => (e.result.kind === 'response' ? e.result.status : e.result.kind);
const INJECTION = /' OR|DROP TABLE|UNION SELECT|DELETE FROM|admin'--|SLEEP\(|xp_cmdshell/;

async function run(urls: PortalUrls, durationMs: number, scenario = parseScenario([])) {
  const clock = new VirtualClock(START_MS);
  const exchanges: Exchange[] = [];
  const sim = new Simulator({
    seed: 3,
    speed: 60,
    clock,
    transport: recording(exchanges),
    urls,
    scenario,
    companies: 3,
    durationMs,
  });
  sim.start();
  await clock.runFor(durationMs, () => sim.settled());
  await sim.done;
  return { sim, exchanges };
}

describe('the simulator against fastify servers stubbing the contract', () => {
  it('creates its population and trades over real HTTP', async () => {
    const stub = new StubPortal();
    const servers = await startStubServers(stub);
    try {
      const { sim, exchanges } = await run(servers.urls, 8 * HOUR_MS);
      expect(sim.stats.internalErrors).toBe(0);
      const byRoute = (method: string, path: string): number =>
        stub.requests.filter((r) => r.method === method && r.path === path && r.status < 300).length;
      const signedUp = sim.planner.fleet.companies.filter((c) => c.signupAtMs < START_MS + 8 * HOUR_MS);
      expect(byRoute('POST', '/api/companies')).toBe(signedUp.length);
      const initialVessels = signedUp.filter((c) => c.initial).reduce((n, c) => n + c.vessels.length, 0);
      expect(byRoute('POST', '/api/vessels/create')).toBeGreaterThanOrEqual(initialVessels);
      expect(byRoute('POST', '/api/auth/login')).toBeGreaterThan(5);
      expect(byRoute('POST', '/api/sync/upload') + byRoute('POST', '/api/parts/quote')).toBeGreaterThan(0);
      expect(exchanges.every((e) => e.result.kind === 'response')).toBe(true);
    } finally {
      await servers.close();
    }
  });
});

describe('the simulator against the portal (startPortal)', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await startTestPortal();
  });
  afterAll(async () => {
    await portal?.stop();
  });

  it('speaks the contract: every ordinary request is accepted, faults and attacks show in the metrics', async () => {
    const scenario = parseScenario([
      { at: '6h', fault: { kind: 'sql_injection', duration_ms: '3m', rate_per_second: 4 } },
      { at: '7h', fault: { kind: 'unauthorized_access', duration_ms: '3m', rate_per_second: 4 } },
      { at: '9h', fault: { kind: 'down', service: 'parts-api', duration_ms: '1h' } },
    ]);
    const urls = portal.urls as unknown as PortalUrls;
    const { sim, exchanges } = await run(urls, 10 * HOUR_MS, scenario);
    expect(sim.stats.internalErrors).toBe(0);

    // The population exists and works.
    const ok = (method: string, path: string): number =>
      exchanges.filter(
        (e) => e.method === method && new URL(e.url).pathname === path && [200, 201].includes(Number(status(e))),
      ).length;
    expect(ok('POST', '/api/companies')).toBe(
      sim.planner.fleet.companies.filter((c) => c.signupAtMs < START_MS + 10 * HOUR_MS).length,
    );
    expect(ok('POST', '/api/vessels/create')).toBeGreaterThan(3);
    expect(ok('POST', '/api/parts/quote')).toBeGreaterThan(0);
    expect(ok('POST', '/api/sync/upload')).toBeGreaterThan(0);

    // Ordinary traffic is never rejected as invalid: 400s and 404s come only from the injection burst.
    const attacks = exchanges.filter((e) => INJECTION.test(`${decodeURIComponent(e.url)} ${e.body ?? ''}`));
    const invalid = exchanges.filter((e) => [400, 404, 500].includes(Number(status(e))) && !attacks.includes(e));
    expect(
      invalid.map((e) => `${e.method} ${e.url} → ${status(e)} ${e.result.kind === 'response' ? e.result.body : ''}`),
    ).toEqual([]);
    expect(attacks.length).toBe(12);

    // 401s: mistyped passwords and injection logins only; 403s: the unauthorized-access burst only.
    expect(exchanges.filter((e) => status(e) === 403)).toHaveLength(12);

    // parts-api went down at 9h: the control API took the fault with its duration in wall time, and
    // the requests after it found no listener.
    const fault = exchanges.find((e) => e.url.endsWith('/faults'));
    expect(fault && status(fault)).toBe(204);
    expect(portal.faults.list().map((f) => f.request)).toEqual([
      { kind: 'down', service: 'parts-api', duration_ms: 60_000 },
    ]);
    expect(sim.stats.totals()['unreachable']).toBeGreaterThan(0);
    portal.scheduler.advance(60_000); // the portal's own clock ends the fault
    await portal.faults.settled();
    expect(portal.faults.list()).toEqual([]);

    const parts = await scrape(portal, 'parts-api');
    expect(metricValue(parts, 'sms_parts_quotes_requested_total')).toBeGreaterThan(0);
    const sync = await scrape(portal, 'sync');
    expect(metricValue(sync, 'sms_equipment_documented_total')).toBeGreaterThan(0);
    const auth = await scrape(portal, 'auth');
    expect(metricValue(auth, 'sms_user_sessions_total')).toBeGreaterThan(0);
  });
});
