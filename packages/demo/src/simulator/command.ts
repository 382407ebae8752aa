/**
 * `watchkeeper-demo simulate`: runs the fleet simulator against a running portal until its
 * duration ends or SIGINT/SIGTERM stops it.
 */
import { parseArgs } from 'node:util';
import type { DemoCommand } from '../cli/command.js';
import { SERVICE_NAMES, type ServiceName } from '../contract.js';
import { scaledClock } from './clock.js';
import { parseDurationMs } from './duration.js';
import { fetchTransport, portalUrls, type PortalUrls } from './http.js';
import { DEFAULT_SCENARIO, EMPTY_SCENARIO, loadScenarioFile, ScenarioError, type Scenario } from './scenario.js';
import { Simulator } from './simulator.js';

const USAGE = `Usage: watchkeeper-demo simulate [options]

Drives the reference SMS portal with a simulated fleet: shipping companies on subscriptions,
vessels, technicians syncing in their ship's evening, purchasers ordering parts in office hours,
churn and sign-ups, and scripted faults (packages/demo/src/simulator/README.md). Prints one line
per simulated hour: requests by outcome.

Options:
  --portal URL           the portal's control API; the services on the following ports
                         (default http://127.0.0.1:9200: auth 9201, billing 9202, ... as in contract.ts)
  --service-url S=URL    one service elsewhere (auth, billing, vessels, sync, parts-api,
                         payment-processor, control); repeatable
  --seed N               fixes the fleet and every decision (default 1)
  --speed N              simulated seconds per real second (default 60: a simulated hour per minute)
  --scenario FILE|none   faults on a schedule, YAML or JSON (default: the built-in daily scenario)
  --duration T           simulated time to run, e.g. 6h, 2d (default: until SIGINT/SIGTERM)
  --companies N          companies at the start (default 12)
  --start ISO            simulated start time (default now; give it to replay a run exactly)
  --max-in-flight N      concurrent requests at most (default 8)
  --timeout-ms N         per request, wall clock (default 5000)
`;

/** The `simulate` entry of the CLI's command table. */
export const simulateCommand: DemoCommand = {
  name: 'simulate',
  summary: 'drive the portal with a seeded, simulated fleet and scripted faults',
  usage: USAGE,
  run: runSimulate,
};

class UsageError extends Error {}

async function runSimulate(args: string[]): Promise<number> {
  let sim: Simulator;
  try {
    sim = await createFromArgs(args);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ScenarioError) {
      process.stderr.write(`watchkeeper-demo simulate: ${err.message}\n`);
      return 2;
    }
    if (err instanceof HelpRequested) {
      process.stdout.write(USAGE);
      return 0;
    }
    throw err;
  }
  const onSignal = (): void => void sim.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    sim.start();
    await sim.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return sim.stats.internalErrors > 0 ? 1 : 0;
}

class HelpRequested extends Error {}

async function createFromArgs(args: string[]): Promise<Simulator> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        portal: { type: 'string' },
        'service-url': { type: 'string', multiple: true },
        seed: { type: 'string', default: '1' },
        speed: { type: 'string', default: '60' },
        scenario: { type: 'string' },
        duration: { type: 'string' },
        companies: { type: 'string', default: '12' },
        start: { type: 'string' },
        'max-in-flight': { type: 'string', default: '8' },
        'timeout-ms': { type: 'string', default: '5000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) throw new HelpRequested();

  const seed = integer('--seed', values.seed, Number.MIN_SAFE_INTEGER);
  const speed = Number(values.speed);
  if (!(speed > 0) || !Number.isFinite(speed))
    throw new UsageError(`--speed: expected a positive number, got '${values.speed}'`);
  const companies = integer('--companies', values.companies, 1);
  const maxInFlight = integer('--max-in-flight', values['max-in-flight'], 1);
  const timeoutMs = integer('--timeout-ms', values['timeout-ms'], 1);
  let durationMs: number | undefined;
  if (values.duration !== undefined) {
    durationMs = parseDurationMs(values.duration);
    if (durationMs === undefined || durationMs <= 0) {
      throw new UsageError(`--duration: expected a duration such as 90m, 6h or 2d, got '${values.duration}'`);
    }
  }
  let startMs: number | undefined;
  if (values.start !== undefined) {
    startMs = Date.parse(values.start);
    if (Number.isNaN(startMs)) throw new UsageError(`--start: expected an ISO 8601 time, got '${values.start}'`);
  }

  let urls: PortalUrls;
  try {
    urls = portalUrls(values.portal);
  } catch {
    throw new UsageError(`--portal: expected a URL such as http://127.0.0.1:9200, got '${values.portal}'`);
  }
  const overrides: Partial<Record<ServiceName | 'control', string>> = {};
  for (const entry of values['service-url'] ?? []) {
    const [name = '', url = ''] = splitOnce(entry, '=');
    if (name !== 'control' && !(SERVICE_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        `--service-url: unknown service '${name}' (one of ${[...SERVICE_NAMES, 'control'].join(', ')})`,
      );
    }
    if (!URL.canParse(url)) throw new UsageError(`--service-url ${name}: not a URL: '${url}'`);
    overrides[name as ServiceName | 'control'] = new URL(url).origin;
  }
  urls = { ...urls, ...overrides };

  let scenario: Scenario = DEFAULT_SCENARIO;
  if (values.scenario === 'none') scenario = EMPTY_SCENARIO;
  else if (values.scenario !== undefined) scenario = await loadScenarioFile(values.scenario);

  return new Simulator({
    seed,
    speed,
    clock: scaledClock({ speed, startMs }),
    transport: fetchTransport,
    urls,
    scenario,
    companies,
    durationMs,
    startMs,
    maxInFlight,
    requestTimeoutMs: timeoutMs,
    log: (line) => process.stdout.write(`${line}\n`),
  });
}

function integer(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag}: expected an integer ≥ ${min}, got '${text}'`);
  return n;
}

function splitOnce(text: string, separator: string): [string, string] {
  const i = text.indexOf(separator);
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + separator.length)];
}
