/** Starting `watchkeeper serve` as a real child process for black-box tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../packages/server/bin/watchkeeper.js', import.meta.url));

/**
 * The admin token the tests' servers accept (WATCHKEEPER_ADMIN_TOKEN for `serve` processes,
 * `resolveConfig(..., { adminToken })` in process): every API needs a credential (access/).
 * One per test process.
 */
export const TEST_ADMIN_TOKEN = `wk-test-admin-${randomBytes(16).toString('hex')}`;

/** `Authorization: Bearer <TEST_ADMIN_TOKEN>`, merged with `headers`. */
export function adminHeaders(headers: Record<string, string> = {}): Record<string, string> {
  return { ...headers, authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
}

/** fetch() as the admin token: for tests that are not about access control. */
export function adminFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
  return fetch(url, { ...init, headers });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** The first of `size` consecutive free ports (the demo portal takes a block: control, services, inbox, ...). */
export async function freePortBlock(size: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const probes = await Promise.all(
      Array.from(
        { length: size },
        (_, i) =>
          new Promise<boolean>((resolve) => {
            const srv = createServer();
            srv.once('error', () => resolve(false));
            srv.listen(base + i, '127.0.0.1', () => srv.close(() => resolve(true)));
          }),
      ),
    );
    if (probes.every(Boolean)) return base;
  }
  throw new Error('no block of free ports');
}

/** A `watchkeeper serve` process started by `startServe`. */
export type ServerProcess = ReadyProcess;

/**
 * Runs `watchkeeper serve` with the given flags and waits until /-/ready answers. The server
 * accepts TEST_ADMIN_TOKEN (WATCHKEEPER_ADMIN_TOKEN in its environment).
 */
export async function startServe(
  args: string[],
  port: number,
  timeoutMs = 30_000,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${port}`;
  return spawnUntilReady(
    'watchkeeper',
    process.execPath,
    [CLI, 'serve', '--web.listen-address', `127.0.0.1:${port}`, ...args],
    { url, timeoutMs, env: { WATCHKEEPER_ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...env } },
  );
}

/** A child process started by `spawnUntilReady`. */
export interface ReadyProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  /** Sends `signal`, then SIGKILL after `stopTimeoutMs`, and waits for the exit. */
  stop(signal?: NodeJS.Signals, stopTimeoutMs?: number): Promise<number | null>;
}

/** Spawns `bin args` and waits until `url/-/ready` answers 200 (Prometheus and Watchkeeper both have it). */
export async function spawnUntilReady(
  name: string,
  bin: string,
  args: string[],
  opts: {
    url: string;
    cwd?: string;
    timeoutMs?: number;
    defaultStopTimeoutMs?: number;
    /** Added to this process's environment. */
    env?: Record<string, string>;
  },
): Promise<ReadyProcess> {
  const child = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: opts.cwd,
    ...(opts.env && { env: { ...process.env, ...opts.env } }),
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited early (${child.exitCode ?? child.signalCode}):\n${out}`);
    }
    try {
      if ((await fetch(`${opts.url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not become ready in ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} has no PID`);
  return {
    url: opts.url,
    pid,
    child,
    output: () => out,
    async stop(signal = 'SIGTERM', stopTimeoutMs = opts.defaultStopTimeoutMs ?? 30_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }, stopTimeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
