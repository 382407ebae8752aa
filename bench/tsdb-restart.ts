/**
 * Restart time of the durable storage with many series. Each phase runs in its own process:
 * `write` appends N series (a few samples each) through the appender and is then killed with
 * SIGKILL (no checkpoint: a crash); `recover` opens the directory (WAL replay), reports, and shuts
 * down cleanly (checkpoint into SQLite); `reopen` opens it again (everything from SQLite).
 *
 *   node --import tsx bench/tsdb-restart.ts --series 1000000 [--write]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ManualClock } from '../packages/server/src/lib/clock.js';
import { Labels } from '../packages/server/src/lib/labels.js';
import { DiskStorage } from '../packages/server/src/tsdb/index.js';

const { values: args } = parseArgs({
  options: {
    series: { type: 'string', default: '1000000' },
    samples: { type: 'string', default: '4' },
    write: { type: 'boolean', default: false },
    phase: { type: 'string' },
    dir: { type: 'string' },
  },
});
const SERIES = Number(args.series);
const SAMPLES = Number(args.samples);
const T0 = 1_700_000_000_000;
const BATCH = 10_000;

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

function labelsFor(i: number): Labels {
  return Labels.from({
    __name__: `http_requests_total`,
    service: `svc-${i % 50}`,
    endpoint: `/api/e${Math.floor(i / 50) % 200}`,
    instance: `host-${Math.floor(i / 10_000)}:9100`,
    series: String(i),
  });
}

const clock = new ManualClock(T0 + 3_600_000);
const NO_CHECKPOINT_MS = 365 * 86_400_000;

async function phaseWrite(dir: string): Promise<void> {
  const storage = DiskStorage.open({ dir, clock, checkpointIntervalMs: NO_CHECKPOINT_MS });
  const t = performance.now();
  for (let s = 0; s < SAMPLES; s++) {
    for (let from = 0; from < SERIES; from += BATCH) {
      const app = storage.appender();
      for (let i = from; i < Math.min(SERIES, from + BATCH); i++) app.append(labelsFor(i), T0 + s * 15_000, i + s);
      await app.commit();
    }
  }
  const ms = performance.now() - t;
  process.stdout.write(
    JSON.stringify({ writeMs: ms, walBytes: dirBytes(join(dir, 'wal')), rssBytes: process.memoryUsage().rss }) + '\n',
  );
  // A crash: every commit above was acknowledged; nothing is checkpointed.
  process.kill(process.pid, 'SIGKILL');
}

async function phaseOpen(dir: string, closeAfter: boolean): Promise<void> {
  const t = performance.now();
  const storage = DiskStorage.open({ dir, clock, checkpointIntervalMs: NO_CHECKPOINT_MS });
  const openMs = performance.now() - t;
  const series = storage.stats().series;
  const rssBytes = process.memoryUsage().rss;
  if (closeAfter) await storage.close();
  process.stdout.write(JSON.stringify({ openMs, series, rssBytes }) + '\n');
}

function runPhase(phase: string, dir: string): Record<string, number> {
  const res = spawnSync(
    process.execPath,
    [
      '--max-old-space-size=16384',
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--phase',
      phase,
      '--dir',
      dir,
      '--series',
      String(SERIES),
      '--samples',
      String(SAMPLES),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  const line = res.stdout.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{'))
    throw new Error(
      `phase ${phase} failed (status ${res.status}, signal ${res.signal}):\n${res.stdout}\n${res.stderr}`,
    );
  return JSON.parse(line) as Record<string, number>;
}

if (args.phase === 'write') await phaseWrite(args.dir!);
else if (args.phase === 'recover') await phaseOpen(args.dir!, true);
else if (args.phase === 'reopen') await phaseOpen(args.dir!, false);
else {
  const dir = mkdtempSync(join(tmpdir(), 'wk-restart-'));
  try {
    const w = runPhase('write', dir);
    const r = runPhase('recover', dir);
    const o = runPhase('reopen', dir);
    const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
    const rows = [
      ['series', SERIES.toLocaleString('en')],
      ['samples written', (SERIES * SAMPLES).toLocaleString('en')],
      [
        'write (appender, batches of 10,000, one fsync each)',
        `${(w.writeMs! / 1000).toFixed(1)} s (${Math.round((SERIES * SAMPLES) / (w.writeMs! / 1000)).toLocaleString('en')} samples/s), RSS ${mb(w.rssBytes!)}`,
      ],
      ['WAL at the crash (SIGKILL, no checkpoint)', mb(w.walBytes!)],
      [
        'restart after the crash (WAL replay)',
        `${(r.openMs! / 1000).toFixed(2)} s, ${r.series!.toLocaleString('en')} series, RSS ${mb(r.rssBytes!)}`,
      ],
      [
        'restart after a clean shutdown (SQLite)',
        `${(o.openMs! / 1000).toFixed(2)} s, ${o.series!.toLocaleString('en')} series, RSS ${mb(o.rssBytes!)}`,
      ],
      ['data directory after shutdown', mb(dirBytes(dir))],
    ];
    const table = ['| measure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
    console.log(table);
    if (args.write) {
      const file = new URL('./RESULTS.md', import.meta.url);
      const begin = '<!-- tsdb-restart:begin -->';
      const end = '<!-- tsdb-restart:end -->';
      const section = `${begin}\n## Storage restart time (\`bench/tsdb-restart.ts\`)\n\n- date: ${new Date().toISOString()}\n- machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n- command: \`npm run bench:restart -- --series ${SERIES} --samples ${SAMPLES} --write\` (each phase in its own process)\n- label sets: 5 labels per series (name, service, endpoint, instance, a unique series id)\n\n${table}\n${end}`;
      let text = readFileSync(file, 'utf8');
      text = text.includes(begin)
        ? text.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), section)
        : `${text.trimEnd()}\n\n${section}\n`;
      writeFileSync(file, text);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
