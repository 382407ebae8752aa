/**
 * Processes for bench/prometheus-compare.ts: `watchkeeper serve` started directly with `node` (so
 * that its PID is the server's and node flags such as `--cpu-prof` apply), resident memory from
 * /proc, directory sizes, and a summary of a V8 CPU profile. Prometheus itself is started by
 * test/e2e/prometheus-process.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnUntilReady, TEST_ADMIN_TOKEN } from '../test/e2e/helpers.js';

const CLI = fileURLToPath(new URL('../packages/server/bin/watchkeeper.js', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));

/**
 * Watchkeeper scrapes its own /metrics unless a job named `watchkeeper` exists: an empty one keeps
 * the stored data to the benchmark's workload, as Prometheus's configuration without targets does.
 */
const WATCHKEEPER_CONFIG = 'scrape_configs:\n  - job_name: watchkeeper\n    static_configs: []\n';

export interface WatchkeeperProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  dataDir: string;
  output(): string;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export async function startWatchkeeper(opts: {
  port: number;
  dir: string;
  nodeArgs?: string[];
  timeoutMs?: number;
}): Promise<WatchkeeperProcess> {
  mkdirSync(opts.dir, { recursive: true });
  const dataDir = join(opts.dir, 'data');
  const configFile = join(opts.dir, 'watchkeeper.yml');
  writeFileSync(configFile, WATCHKEEPER_CONFIG);
  const args = [
    ...(opts.nodeArgs ?? []),
    CLI,
    'serve',
    '--web.listen-address',
    `127.0.0.1:${opts.port}`,
    '--storage.path',
    dataDir,
    '--config',
    configFile,
  ];
  const proc = await spawnUntilReady('watchkeeper', process.execPath, args, {
    url: `http://127.0.0.1:${opts.port}`,
    cwd: opts.dir,
    timeoutMs: opts.timeoutMs,
    defaultStopTimeoutMs: 300_000,
    // Queries and remote write (test/e2e's send/remoteWrite) send this token.
    env: { WATCHKEEPER_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
  });
  return { ...proc, dataDir };
}

/** VmRSS of a process, in bytes (from /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** VmHWM (peak resident set size) of a process, in bytes. */
export function peakRssBytes(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmHWM for ${pid}`);
  return Number(m[1]) * 1024;
}

/** CPU time (user + system) a process has used so far, in seconds (from /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] and [12] are utime and stime (fields 14 and 15 of proc(5)), in clock ticks (100/s).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function dirBytes(path: string): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const e of readdirSync(path)) total += dirBytes(join(path, e));
  return total;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The functions (and files) with the most self time in a V8 `.cpuprofile`, as markdown tables.
 * `(idle)` is time the event loop waited; `(program)` and `(garbage collector)` are V8's own.
 */
export function summariseCpuProfile(file: string, top = 20): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  const where = (url: string): string => {
    if (url === '') return '(native)';
    const path = url.startsWith('file://') ? fileURLToPath(url) : url;
    const rel = relative(REPO, path);
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel);
    return nm ? `node_modules/${nm[1]}` : rel.startsWith('..') ? path : rel;
  };
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const file = where(n.callFrame.url);
    const name = `${n.callFrame.functionName || '(anonymous)'} ${file}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  const table = (title: string, m: Map<string, number>): string =>
    [
      `| ${title} | self ms | share |`,
      '|---|---:|---:|',
      ...[...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(
          ([k, us]) =>
            `| \`${k.replaceAll('|', '\\|')}\` | ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)}% |`,
        ),
    ].join('\n');
  return `${table('function', fn)}\n\n${table('file or package', files)}\n\nprofile total: ${(total / 1e6).toFixed(1)} s`;
}
