/**
 * `npm start`: the whole system with embedded defaults — Watchkeeper, the reference SMS portal and
 * the fleet simulator feeding it. Options: --config F, --seed N, --speed N, --scenario F, --start ISO.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { launch, officeHoursStart, REPO_ROOT } from './launcher.js';

const HELP = `Usage: npm start [-- options]

Starts Watchkeeper with config/watchkeeper.yml, the reference SMS portal (six services, a host
exporter and the notification inbox that config/alertmanager.yml's receivers deliver to) and the
fleet simulator. Data is kept in .watchkeeper/ between starts.

Options:
  --seed N      the simulated fleet (default 1)
  --speed N     simulated seconds per real second (default 60: one simulated hour per minute)
  --config F    watchkeeper.yml (default config/watchkeeper.yml)
  --base-port N the portal's first port (default 9200; must match the config's targets)
  --watchkeeper-url U  where the config makes Watchkeeper listen (default http://127.0.0.1:9800)
  --scenario F  the simulator's fault schedule (default: its built-in two-day scenario; 'none')
  --start ISO   simulated start time (default: 08:00 UTC of the latest weekday, so that the
                demo opens in office hours, when purchasers quote and order)
`;

const COLORS: Record<string, string> = { watchkeeper: '36', portal: '33', simulator: '35' };

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      speed: { type: 'string', default: '60' },
      config: { type: 'string', default: join(REPO_ROOT, 'config/watchkeeper.yml') },
      'base-port': { type: 'string', default: '9200' },
      'watchkeeper-url': { type: 'string', default: 'http://127.0.0.1:9800' },
      scenario: { type: 'string' },
      start: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const seed = Number(values.seed);
  const speed = Number(values.speed);
  const basePort = Number(values['base-port']);
  if (!Number.isInteger(seed)) throw new Error(`--seed: not an integer: ${values.seed}`);
  if (!(speed > 0)) throw new Error(`--speed: must be a positive number: ${values.speed}`);
  if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65_000)
    throw new Error(`--base-port: ${values['base-port']}`);

  const color = process.stdout.isTTY;
  let stopping = false;
  let resolveExit: (code: number) => void = () => {};
  const exit = new Promise<number>((r) => (resolveExit = r));
  const system = await launch({
    configFile: values.config,
    // config/watchkeeper.yml reads the internal metrics token from here.
    stateDir: join(REPO_ROOT, '.watchkeeper'),
    watchkeeperUrl: values['watchkeeper-url'],
    basePort,
    seed,
    speed,
    simulatorArgs: [
      ...(values.scenario !== undefined ? ['--scenario', values.scenario] : []),
      '--start',
      values.start ?? officeHoursStart(new Date()).toISOString(),
    ],
    onOutput: (name, line) => {
      const tag = `[${name}]`.padEnd(13);
      process.stdout.write(`${color ? `\x1b[${COLORS[name] ?? '0'}m${tag}\x1b[0m` : tag} ${line}\n`);
    },
    onUnexpectedExit: (name, code, signal) => {
      if (stopping) return;
      process.stderr.write(`${name} exited unexpectedly (${code ?? signal}); stopping everything\n`);
      resolveExit(1);
    },
  });

  const wk = system.watchkeeperUrl;
  const q = (expr: string): string => `${wk}/api/v1/query?query=${encodeURIComponent(expr)}`;
  const password = system.adminPassword;
  process.stdout.write(
    [
      '',
      'Watchkeeper is monitoring the reference SMS portal.',
      '',
      `  Open            ${wk}/`,
      password !== undefined
        ? `  Log in as       admin, password ${password} (one-time: change it; it is in ${system.storagePath}/initial-admin-password until then)`
        : `  Log in as       admin (its one-time password was printed at the first start; ${system.storagePath}/initial-admin-password is gone since it was changed)`,
      `  API token       ${system.adminTokenFile} (admin, new at every start): curl -H "Authorization: Bearer $(cat ${system.adminTokenFile})" ...`,
      `  Targets         ${wk}/api/v1/targets`,
      `  Quote rate      ${q('sum(rate(sms_parts_quotes_requested_total[5m]))')}`,
      `  p95 latency     ${q('histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le, endpoint))')}`,
      `  MRR             ${q('sum(sms_mrr_dollars)')}`,
      '',
      `  Running         ${system.processes.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`,
      `  Portal          ${Object.entries(system.serviceUrls)
        .map(([name, url]) => `${name} ${url}`)
        .join(', ')}`,
      `  Portal logs     ${system.logDir}`,
      `  Notifications   ${system.inboxUrl}/`,
      `  Simulator       seed ${seed}, ${speed}× real time`,
      '',
      'Data appears within a minute (scrapes every 10 s). Ctrl-C stops everything; the data is kept.',
      '',
    ].join('\n'),
  );

  const onSignal = (): void => resolveExit(0);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const code = await exit;
  stopping = true;
  process.stdout.write('Stopping the simulator, the portal and Watchkeeper...\n');
  await system.stop();
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
