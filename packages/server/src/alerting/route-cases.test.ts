/**
 * Alertmanager 0.25's own route tests (dispatch/route_test.go), read in place from
 * ../shared/conformance/alerting/routes/route-cases.json: every label set must end on the same
 * routes, with the same effective options and route keys.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelDurationMs } from './config/go-types.js';
import { parseAlertmanagerConfig } from './index.js';

const CASES_FILE = new URL('../../../../../shared/conformance/alerting/routes/route-cases.json', import.meta.url);

interface ExpectedRoute {
  receiver: string;
  groupBy: string[];
  groupByAll: boolean;
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
}

interface RouteTest {
  test: string;
  config: string;
  cases: {
    labels: Record<string, string>;
    expectedRoutes: ExpectedRoute[];
    expectedReceivers: string[];
    expectedKeys: string[];
  }[];
}

const available = existsSync(CASES_FILE);
if (!available) {
  console.warn(`route-cases: ${CASES_FILE.pathname} not found (../shared/conformance is absent); skipping`);
}

describe.skipIf(!available)("Alertmanager's route test cases", () => {
  const tests = available ? (JSON.parse(readFileSync(CASES_FILE, 'utf8')) as RouteTest[]) : [];

  it('has cases to run', () => {
    expect(tests.reduce((n, t) => n + t.cases.length, 0)).toBeGreaterThanOrEqual(24);
  });

  for (const t of tests) {
    describe(t.test, () => {
      const config = parseAlertmanagerConfig(t.config);
      for (const c of t.cases) {
        it(JSON.stringify(c.labels), () => {
          const routes = config.routeTree.match(c.labels);
          expect(routes.map((r) => r.opts.receiver)).toEqual(c.expectedReceivers);
          expect(routes.map((r) => r.key)).toEqual(c.expectedKeys);
          expect(
            routes.map((r) => ({
              receiver: r.opts.receiver,
              groupBy: [...r.opts.groupBy],
              groupByAll: r.opts.groupByAll,
              groupWaitMs: r.opts.groupWaitMs,
              groupIntervalMs: r.opts.groupIntervalMs,
              repeatIntervalMs: r.opts.repeatIntervalMs,
            })),
          ).toEqual(
            c.expectedRoutes.map((e) => ({
              receiver: e.receiver,
              groupBy: e.groupBy,
              groupByAll: e.groupByAll,
              groupWaitMs: parseModelDurationMs(e.groupWait),
              groupIntervalMs: parseModelDurationMs(e.groupInterval),
              repeatIntervalMs: parseModelDurationMs(e.repeatInterval),
            })),
          );
        });
      }
    });
  }
});
