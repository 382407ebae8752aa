/**
 * `watchkeeper-demo portal`: starts the reference SMS portal (six services, the host exporter and
 * the fault control server) in this process, prints what listens where, and stops cleanly on
 * SIGINT/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS } from '../contract.js';
import { PORTAL_COMPONENTS, startPortal } from '../portal/index.js';
import type { DemoCommand } from './command.js';

const USAGE = `Usage: watchkeeper-demo portal [options]

Starts the reference SMS portal on 127.0.0.1: auth, billing, vessels, sync, parts-api and
payment-processor (each with /metrics, /internal/metrics, /healthz, /readyz), the host exporter,
the fault control server (POST/GET /faults, DELETE /faults/:id) and the notification inbox
(HTTP and SMTP receivers for Watchkeeper's notifications, shown at inbox /). See
packages/demo/README.md.

Options:
  --base-port N                    the control server's port; the others follow (default ${DEFAULT_PORTS.control}:
                                   auth ${DEFAULT_PORTS.auth}, billing ${DEFAULT_PORTS.billing}, ..., host-exporter ${DEFAULT_PORTS['host-exporter']},
                                   inbox ${DEFAULT_PORTS.inbox}, smtp ${DEFAULT_PORTS.smtp})
  --internal-metrics-token-file F  the bearer token of /internal/metrics (default: a random one, not shown)
  --log-dir D                      write each service's logs (JSON lines) to D/<service>.log
                                   (default: no logs)
  --db-pool-size N                 database connections per service (default 10)
  --otlp-endpoint URL              export traces over OTLP/HTTP (e.g. http://127.0.0.1:9800/v1/traces)
`;

class UsageError extends Error {}

function parse(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      'base-port': { type: 'string' },
      'internal-metrics-token-file': { type: 'string' },
      'log-dir': { type: 'string' },
      'db-pool-size': { type: 'string' },
      'otlp-endpoint': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const integer = (flag: string, text: string | undefined, min: number, max: number): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${flag}: expected an integer from ${min} to ${max}, got ${text}`);
    return n;
  };
  let token: string | undefined;
  const tokenFile = values['internal-metrics-token-file'];
  if (tokenFile !== undefined) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new UsageError(`--internal-metrics-token-file: cannot read ${tokenFile} (${(err as Error).message})`);
    }
    if (token.length < 16)
      throw new UsageError(`--internal-metrics-token-file: ${tokenFile} must hold a token of at least 16 characters`);
  }
  return {
    help: values.help,
    basePort: integer('base-port', values['base-port'], 1, 65_535 - (DEFAULT_PORTS.smtp - DEFAULT_PORTS.control)),
    token,
    logDir: values['log-dir'] === undefined ? undefined : resolve(values['log-dir']),
    dbPoolSize: integer('db-pool-size', values['db-pool-size'], 1, 1_000),
    otlpEndpoint: values['otlp-endpoint'],
  };
}

async function runPortal(args: string[]): Promise<number> {
  let options: ReturnType<typeof parse>;
  try {
    options = parse(args);
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`watchkeeper-demo portal: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const portal = await startPortal({
    ...(options.basePort === undefined ? {} : { basePort: options.basePort }),
    internalMetricsToken: options.token ?? randomBytes(24).toString('hex'),
    ...(options.logDir === undefined ? {} : { logDir: options.logDir }),
    ...(options.dbPoolSize === undefined ? {} : { dbPoolSize: options.dbPoolSize }),
    ...(options.otlpEndpoint === undefined ? {} : { otlpEndpoint: options.otlpEndpoint }),
    onFaultChange: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  const width = Math.max(...PORTAL_COMPONENTS.map((c) => c.length));
  process.stdout.write(
    [
      'The reference SMS portal is running:',
      ...PORTAL_COMPONENTS.map((c) => `  ${c.padEnd(width)}  ${portal.urls[c]}`),
      `Metrics at <service>/metrics; restricted series at <service>/internal/metrics (${
        options.token === undefined ? 'random token, not shown' : 'token from --internal-metrics-token-file'
      }).`,
      `Logs: ${options.logDir ?? 'off (use --log-dir)'}. Ctrl-C stops.`,
      '',
    ].join('\n'),
  );

  await new Promise<void>((done) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.stdout.write(`${signal}: stopping the portal\n`);
      done();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await portal.stop();
  return 0;
}

export const portalCommand: DemoCommand = {
  name: 'portal',
  summary:
    'run the reference SMS portal: six services, a host exporter, the fault control server and the notification inbox',
  usage: USAGE,
  run: runPortal,
};
