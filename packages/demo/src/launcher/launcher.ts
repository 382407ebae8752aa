/**
 * What `npm start` runs: Watchkeeper (`watchkeeper serve`), the reference SMS portal
 * (`watchkeeper-demo portal`) and the fleet simulator (`watchkeeper-demo simulate`), each its own
 * process, as they would be deployed. Starts them in order, waits until each is ready, prints
 * where everything is, and stops them in reverse order on Ctrl-C or when one of them dies.
 *
 * Processes, not imports: the demo must not import the server (docs/architecture.md), and a
 * portal outage must be a real one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_PORTS, SERVICE_NAMES } from '../contract.js';

/** The repository root (this file is packages/demo/{src,dist}/launcher/launcher.*). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SERVER_BIN = join(REPO_ROOT, 'packages/server/bin/watchkeeper.js');
const DEMO_BIN = join(REPO_ROOT, 'packages/demo/bin/watchkeeper-demo.js');

export interface LaunchOptions {
  /** watchkeeper.yml to serve; its scrape targets must match `basePort`. */
  configFile: string;
  /** Where the launcher keeps its state: the internal metrics token and the portal's logs. */
  stateDir: string;
  /** Watchkeeper's address (must match the config's web.listen_address). */
  watchkeeperUrl: string;
  /** The portal's control port; the services follow it (contract.ts DEFAULT_PORTS). */
  basePort: number;
  seed: number;
  speed: number;
  /** Extra arguments for `watchkeeper serve` (e.g. `--storage.path`). */
  serveArgs?: readonly string[];
  /** Extra arguments for `watchkeeper-demo simulate` (e.g. `--scenario F`). */
  simulatorArgs?: readonly string[];
  /** Where the children's output goes, one prefixed line at a time. */
  onOutput?: (name: string, line: string) => void;
  /** Called when a child exits without being asked to. */
  onUnexpectedExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
  readyTimeoutMs?: number;
}

export interface RunningSystem {
  readonly watchkeeperUrl: string;
  readonly serviceUrls: Readonly<Record<string, string>>;
  /** The notification inbox (in the portal's process): where config/alertmanager.yml's receivers deliver. */
  readonly inboxUrl: string;
  readonly internalMetricsTokenFile: string;
  /**
   * A new admin token at every start (WATCHKEEPER_ADMIN_TOKEN of the server): what the launcher's
   * own calls and scripts send as `Authorization: Bearer`. Also in `adminTokenFile` (0600).
   */
  readonly adminToken: string;
  readonly adminTokenFile: string;
  /** Watchkeeper's storage path (from the config file or --storage.path of serveArgs). */
  readonly storagePath: string;
  /**
   * The first admin's one-time password from `<storage>/initial-admin-password`, while it is
   * there (until the admin changes it); undefined after that.
   */
  readonly adminPassword: string | undefined;
  readonly logDir: string;
  readonly processes: readonly { name: string; pid: number }[];
  /** Stops the simulator, the portal and Watchkeeper, in that order. */
  stop(): Promise<void>;
}

/** The internal metrics token file under `stateDir` (config/watchkeeper.yml names the same path). */
export function internalMetricsTokenFile(stateDir: string): string {
  return join(stateDir, 'demo', 'internal-metrics.token');
}

/** Watchkeeper's admin token for this start, under `stateDir`. */
export function adminTokenFile(stateDir: string): string {
  return join(stateDir, 'admin.token');
}

/**
 * Where `watchkeeper serve` keeps its data: `--storage.path` of its arguments, else the config
 * file's `storage.path` (relative to the file's folder; default ./data), as the server resolves it.
 */
export function serverStoragePath(configFile: string, serveArgs: readonly string[] = []): string {
  const i = serveArgs.indexOf('--storage.path');
  if (i >= 0 && serveArgs[i + 1] !== undefined) return resolve(serveArgs[i + 1]!);
  const inline = serveArgs.find((a) => a.startsWith('--storage.path='));
  if (inline !== undefined) return resolve(inline.slice('--storage.path='.length));
  const doc = parseYaml(readFileSync(configFile, 'utf8')) as { storage?: { path?: unknown } } | null;
  const path = typeof doc?.storage?.path === 'string' ? doc.storage.path : './data';
  return resolve(dirname(resolve(configFile)), path);
}

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<void>;
  stopping: boolean;
}

export async function launch(opts: LaunchOptions): Promise<RunningSystem> {
  const stateDir = resolve(opts.stateDir);
  const tokenFile = internalMetricsTokenFile(stateDir);
  const logDir = join(stateDir, 'demo', 'logs');
  mkdirSync(logDir, { recursive: true });
  // A new secret at every start; only Watchkeeper's scraper and the portal read it.
  writeFileSync(tokenFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  // Watchkeeper's admin token for this start: every API needs a credential.
  const adminToken = randomBytes(32).toString('hex');
  const adminFile = adminTokenFile(stateDir);
  writeFileSync(adminFile, adminToken + '\n', { mode: 0o600 });
  const storagePath = serverStoragePath(opts.configFile, opts.serveArgs);

  const children: Child[] = [];
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const start = (name: string, bin: string, args: string[], env?: Record<string, string>): Child => {
    const proc = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: REPO_ROOT,
      ...(env && { env: { ...process.env, ...env } }),
    });
    const child: Child = {
      name,
      process: proc,
      stopping: false,
      exited: new Promise((done) =>
        proc.on('exit', (code, signal) => {
          if (!child.stopping) opts.onUnexpectedExit?.(name, code, signal);
          done();
        }),
      ),
    };
    for (const stream of [proc.stdout, proc.stderr]) forwardLines(stream, (line) => opts.onOutput?.(name, line));
    children.push(child);
    return child;
  };

  const stop = async (): Promise<void> => {
    for (const child of [...children].reverse()) {
      child.stopping = true;
      if (child.process.exitCode !== null || child.process.signalCode !== null) continue;
      child.process.kill('SIGTERM');
      const killTimer = setTimeout(() => child.process.kill('SIGKILL'), 15_000);
      await child.exited;
      clearTimeout(killTimer);
    }
  };

  const servicePort = (name: keyof typeof DEFAULT_PORTS): number =>
    opts.basePort + DEFAULT_PORTS[name] - DEFAULT_PORTS.control;
  const serviceUrls = Object.fromEntries(
    [...SERVICE_NAMES, 'host-exporter' as const].map((s) => [s, `http://127.0.0.1:${servicePort(s)}`]),
  );
  const inboxUrl = `http://127.0.0.1:${servicePort('inbox')}`;
  try {
    const server = start('watchkeeper', SERVER_BIN, ['serve', '--config', opts.configFile, ...(opts.serveArgs ?? [])], {
      WATCHKEEPER_ADMIN_TOKEN: adminToken,
    });
    await waitReady(server, `${opts.watchkeeperUrl}/-/ready`, readyTimeoutMs);
    const portal = start('portal', DEMO_BIN, [
      'portal',
      '--base-port',
      String(opts.basePort),
      '--internal-metrics-token-file',
      tokenFile,
      '--log-dir',
      logDir,
    ]);
    for (const url of [...Object.values(serviceUrls), inboxUrl]) {
      await waitReady(portal, `${url}/healthz`, readyTimeoutMs);
    }
    const simulator = start('simulator', DEMO_BIN, [
      'simulate',
      '--portal',
      `http://127.0.0.1:${opts.basePort}`,
      '--seed',
      String(opts.seed),
      '--speed',
      String(opts.speed),
      ...(opts.simulatorArgs ?? []),
    ]);
    // The simulator has no port; give it a moment to fail on bad arguments.
    await new Promise((r) => setTimeout(r, 300));
    if (simulator.process.exitCode !== null)
      throw new Error(`simulator exited at start (${simulator.process.exitCode})`);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    watchkeeperUrl: opts.watchkeeperUrl,
    serviceUrls,
    inboxUrl,
    internalMetricsTokenFile: tokenFile,
    adminToken,
    adminTokenFile: adminFile,
    storagePath,
    get adminPassword() {
      const file = join(storagePath, 'initial-admin-password');
      return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
    },
    logDir,
    processes: children.map((c) => ({ name: c.name, pid: c.process.pid ?? -1 })),
    stop,
  };
}

async function waitReady(child: Child, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(
        `${child.name} exited before it was ready (${child.process.exitCode ?? child.process.signalCode})`,
      );
    }
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.name} did not answer ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function forwardLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (stream === null) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      onLine(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    if (pending !== '') onLine(pending);
  });
}

/** 08:00 UTC of the latest weekday at or before `now` (today's if today is a weekday). */
export function officeHoursStart(now: Date): Date {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 8));
  if (start > now) start.setUTCDate(start.getUTCDate() - 1);
  while (start.getUTCDay() === 0 || start.getUTCDay() === 6) start.setUTCDate(start.getUTCDate() - 1);
  return start;
}
