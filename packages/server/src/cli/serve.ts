/**
 * `watchkeeper serve`: starts the server (query API over durable embedded storage, scraping,
 * remote write) and runs until SIGINT/SIGTERM. Flags override the configuration file.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/index.js';
import { startServer } from '../main.js';
import type { Command } from './main.js';

const USAGE = `Usage: watchkeeper serve [options]

Starts Watchkeeper: the Prometheus-compatible query API over durable embedded storage, scraping
(scrape_configs in prometheus.yml's format, plus Watchkeeper's own /metrics), remote write at
/api/v1/write, health endpoints and self-metrics.

Options:
  --config FILE                    watchkeeper.yml (default: none, built-in defaults)
  --web.listen-address HOST:PORT   where to listen (default 127.0.0.1:9800)
  --storage.path DIR               where data is stored (default ./data)
  -h, --help                       show this help

Environment:
  WATCHKEEPER_ADMIN_TOKEN          a bearer token (16+ printable characters) accepted as an admin
                                   by every endpoint, for automation

Every API needs a login (cookie) or 'Authorization: Bearer <token>', except /-/healthy, /-/ready
and /metrics (the auth section of watchkeeper.yml; 'watchkeeper token create'). The first start
creates the user admin and prints its one-time password.
`;

async function run(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        'config.file': { type: 'string' },
        'web.listen-address': { type: 'string' },
        'storage.path': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`watchkeeper serve: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let config;
  try {
    config = loadConfig(values.config ?? values['config.file'], {
      listenAddress: values['web.listen-address'],
      storagePath: values['storage.path'],
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`watchkeeper serve: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const t0 = performance.now();
  const server = await startServer({ config });
  const stats = server.storage.stats();
  process.stdout.write(
    `Watchkeeper is running at ${server.url}\n` +
      `  storage:      ${config.storage.path} (${stats.series} series; opened in ${Math.round(performance.now() - t0)} ms)\n` +
      `  query API:    ${server.url}/api/v1/query?query=up\n` +
      `  remote write: ${server.url}/api/v1/write\n` +
      `  targets:      ${server.url}/api/v1/targets\n` +
      `  self-metrics: ${server.url}/metrics\n` +
      `  access:       ${config.auth.enabled ? `login or bearer token required${config.auth.adminToken !== undefined ? ' (admin token from the environment accepted)' : ''}` : 'DISABLED (auth.enabled: false)'}\n` +
      `Press Ctrl-C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('Stopping Watchkeeper (checkpointing the storage)...\n');
  await server.close();
  return 0;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'start the Watchkeeper server',
  usage: USAGE,
  run,
};
