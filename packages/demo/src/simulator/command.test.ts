import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { simulateCommand } from './command.js';
import type { PortalUrls } from './http.js';
import { startStubServers, StubPortal } from './stub-portal.js';

const stub = new StubPortal();
let servers: { urls: PortalUrls; close: () => Promise<void> };
let dir: string;
beforeAll(async () => {
  servers = await startStubServers(stub);
  dir = await mkdtemp(join(tmpdir(), 'wk-simulate-'));
});
afterAll(async () => {
  await servers.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the command, capturing what it writes. */
async function runCommand(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { code: await simulateCommand.run(args), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

const serviceArgs = (): string[] =>
  Object.entries(servers.urls).flatMap(([name, url]) => ['--service-url', `${name}=${url}`]);

afterEach(() => vi.restoreAllMocks());

describe('watchkeeper-demo simulate', () => {
  it.each([
    [['--speed', '0'], /--speed: expected a positive number/],
    [['--seed', 'x'], /--seed: expected an integer/],
    [['--duration', 'forever'], /--duration: expected a duration/],
    [['--service-url', 'mainframe=http://127.0.0.1:1'], /unknown service 'mainframe'/],
    [['--portal', 'not a url'], /--portal: expected a URL/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j with exit code 2', async (args, message) => {
    const { code, err } = await runCommand(args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it('reports an invalid scenario file with its location', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, '- at: 1h\n  fault: { kind: down, service: parts-api }\n');
    const { code, err } = await runCommand(['--scenario', file]);
    expect(code).toBe(2);
    expect(err).toMatch(/At 0\.fault\.duration_ms: Required/);
  });

  it('prints its usage with --help', async () => {
    const { code, out } = await runCommand(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: watchkeeper-demo simulate');
  });

  it('runs for a simulated duration against per-service URLs and prints hourly summaries', async () => {
    const file = join(dir, 'faults.json');
    await writeFile(file, JSON.stringify([{ at: '30m', fault: { kind: 'down', service: 'sync', duration_ms: '1h' } }]));
    const args = [...serviceArgs(), '--speed', '36000', '--duration', '3h', '--companies', '2', '--scenario', file];
    const { code, out } = await runCommand([...args, '--start', '2025-06-02T06:00:00Z']);
    expect(code).toBe(0);
    expect(out).toMatch(/^simulating 2 companies, \d+ vessels from Mon 2025-06-02 06:00Z at speed 36000 for 3h$/m);
    expect(out).toMatch(/fault: sync down for 1h \(100ms wall\) → 204/);
    expect(out.match(/^\[sim Mon 2025-06-02 0[678]:00Z\] \d+ requests/gm)).toHaveLength(3);
    expect(out).toMatch(/^\[total\] \d+ requests: ok \d+/m);
    expect(stub.requests.some((r) => r.service === 'control' && r.status === 204)).toBe(true);
  });

  it('stops cleanly on SIGTERM (the real CLI, from source)', async () => {
    const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'simulate', ...serviceArgs(), '--companies', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 200 && !out.includes('simulating'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('simulating 1 companies');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(/^\[total\] \d+ requests/m);
  });
});
