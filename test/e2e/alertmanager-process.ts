/**
 * For the alerting end-to-end tests: Debian's Alertmanager 0.25 as a child process
 * (`/usr/bin/prometheus-alertmanager`, from the `prometheus-alertmanager` package; on 127.0.0.1,
 * clustering off, its own data folder; stopped by its own PID only), `watchkeeper serve` with an
 * alertmanager.yml, and a local HTTP server that captures webhook requests.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { adminHeaders, spawnUntilReady, startServe, TEST_ADMIN_TOKEN, type ReadyProcess } from './helpers.js';

export const ALERTMANAGER_BIN = process.env['ALERTMANAGER_BIN'] ?? '/usr/bin/prometheus-alertmanager';
export const AMTOOL_BIN = process.env['AMTOOL_BIN'] ?? '/usr/bin/amtool';

export function alertmanagerAvailable(): boolean {
  return existsSync(ALERTMANAGER_BIN);
}

/** Starts Alertmanager with `configYaml` in `dir` (config file and `data/` inside). */
export async function startAlertmanager(dir: string, port: number, configYaml: string): Promise<ReadyProcess> {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, configYaml);
  const url = `http://127.0.0.1:${port}`;
  return spawnUntilReady(
    'alertmanager',
    ALERTMANAGER_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${url}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { url, cwd: dir, timeoutMs: 30_000 },
  );
}

/** Starts `watchkeeper serve` with its own storage and `alertmanagerYaml` (more watchkeeper.yml in `extra`). */
export async function startWatchkeeperAlerting(
  dir: string,
  port: number,
  alertmanagerYaml: string,
  extra = '',
): Promise<ReadyProcess> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'alertmanager.yml'), alertmanagerYaml);
  const config = join(dir, 'watchkeeper.yml');
  writeFileSync(
    config,
    `storage:\n  path: ${join(dir, 'data')}\n` +
      // No self-scrape: the stored data is only what a test writes.
      `scrape_configs: [{ job_name: watchkeeper, static_configs: [] }]\n` +
      `alerting:\n  alertmanager_config: alertmanager.yml\n  external_url: http://127.0.0.1:${port}\n${extra}`,
  );
  return startServe(['--config', config], port);
}

/**
 * amtool's `--http.config.file` with the test admin token, written into `dir`: amtool 0.25 then
 * sends `Authorization: Bearer` (Watchkeeper needs it; Alertmanager without a web config ignores it).
 */
export function writeAmtoolHttpConfig(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'amtool-http.yml');
  writeFileSync(file, `authorization:\n  credentials: ${TEST_ADMIN_TOKEN}\n`);
  return file;
}

/** One request the capture server received. */
export interface Captured {
  /** Milliseconds since the server started. */
  readonly atMs: number;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** An HTTP server on 127.0.0.1 that answers 200 to everything and records it. */
export class CaptureServer {
  readonly requests: Captured[] = [];
  /** Status to answer per path prefix (default 200). */
  readonly statusFor = new Map<string, number>();
  private server: Server | undefined;
  private readonly t0 = Date.now();
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const path = req.url ?? '';
        this.requests.push({ atMs: Date.now() - this.t0, path, headers: req.headers, body });
        const status = [...this.statusFor].find(([p]) => path.startsWith(p))?.[1] ?? 200;
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Requests whose path starts with `prefix`. */
  on(prefix: string): Captured[] {
    return this.requests.filter((r) => r.path.startsWith(prefix));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Waits until `cond` holds (polling every 100 ms) or throws after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POSTs JSON with the test admin token (Watchkeeper needs it; Alertmanager ignores it). */
export async function postJson(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: adminHeaders({ 'content-type': 'application/json' }),
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}
