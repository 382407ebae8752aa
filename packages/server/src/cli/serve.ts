/**
 * `watchkeeper serve`: starts the server (query API over embedded storage) and runs until
 * SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startServer } from '../main.js';
import type { Command } from './main.js';

const USAGE = `Usage: watchkeeper serve [options]

Starts Watchkeeper: the Prometheus-compatible query API, health endpoints and self-metrics.
Until durable storage lands, data lives in memory and Watchkeeper records its own metrics.

Options:
  --web.listen-address HOST:PORT   where to listen (default 127.0.0.1:9800)
  -h, --help                       show this help
`;

function parseListen(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const host = i > 0 ? address.slice(0, i).replace(/^\[|\]$/g, '') : '127.0.0.1';
  const port = Number(address.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--web.listen-address: "${address}" is not HOST:PORT with a port between 0 and 65535`);
  }
  return { host, port };
}

async function run(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'web.listen-address': { type: 'string', default: '127.0.0.1:9800' },
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
  let listen;
  try {
    listen = parseListen(values['web.listen-address']);
  } catch (err) {
    process.stderr.write(`watchkeeper serve: ${(err as Error).message}\n`);
    return 2;
  }
  const server = await startServer(listen);
  process.stdout.write(
    `Watchkeeper is running at ${server.url}\n` +
      `  query API:    ${server.url}/api/v1/query?query=up\n` +
      `  self-metrics: ${server.url}/metrics\n` +
      `  health:       ${server.url}/-/healthy\n` +
      `Press Ctrl-C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('Stopping Watchkeeper...\n');
  await server.close();
  return 0;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'start the Watchkeeper server',
  usage: USAGE,
  run,
};
