/**
 * Restart time of the durable storage with many series: writes N series (a few samples each)
 * through the appender, then measures opening the directory again, twice: once recovering from
 * the write-ahead log (the process "crashed": no checkpoint) and once after a clean shutdown
 * (everything in SQLite).
 *
 *   node --import tsx bench/tsdb-restart.ts --series 1000000 [--write]
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ManualClock } from '../packages/server/src/lib/clock.js';
import { Labels } from '../packages/server/src/lib/labels.js';
import { DiskStorage } from '../packages/server/src/tsdb/index.js';

const { values: args } = parseArgs({
  options: {
    series: { type: 'string', default: '1000000' },
    samples: { type: 'string', default: '4' },
    write: { type: 'boolean', default: false },
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

const dir = mkdtempSync(join(tmpdir(), 'wk-restart-'));
const clock = new ManualClock(T0 + 3_600_000);
try {
  const labels = Array.from({ length: SERIES }, (_, i) => labelsFor(i));
  let storage = DiskStorage.open({ dir, clock, checkpointIntervalMs: 365 * 86_400_000 });
  const tWrite = performance.now();
  for (let s = 0; s < SAMPLES; s++) {
    for (let from = 0; from < SERIES; from += BATCH) {
      const app = storage.appender();
      for (let i = from; i < Math.min(SERIES, from + BATCH); i++) app.append(labels[i]!, T0 + s * 15_000, i + s);
      await app.commit();
    }
  }
  const writeMs = performance.now() - tWrite;
  const walBytes = dirBytes(join(dir, 'wal'));
  // Simulate a crash: reopen without closing (the old instance's file handles stay open; nothing
  // is checkpointed), so recovery replays the whole log.
  const crashed = storage;
  void crashed;
  const t1 = performance.now();
  storage = DiskStorage.open({ dir: dir, clock, checkpointIntervalMs: 365 * 86_400_000 });
  const walRecoveryMs = performance.now() - t1;
  const recovered = storage.stats().series;
  await storage.close();
  const t2 = performance.now();
  storage = DiskStorage.open({ dir, clock, checkpointIntervalMs: 365 * 86_400_000 });
  const cleanOpenMs = performance.now() - t2;
  const reopened = storage.stats().series;
  await storage.close();
  const rows = [
    ['series', SERIES.toLocaleString('en')],
    ['samples written', (SERIES * SAMPLES).toLocaleString('en')],
    ['write time (appender, batches of 10,000, fsync each)', `${(writeMs / 1000).toFixed(1)} s (${Math.round((SERIES * SAMPLES) / (writeMs / 1000)).toLocaleString('en')} samples/s)`],
    ['WAL size before recovery', `${(walBytes / 1e6).toFixed(1)} MB`],
    ['restart after a crash (WAL replay)', `${(walRecoveryMs / 1000).toFixed(2)} s, ${recovered.toLocaleString('en')} series recovered`],
    ['restart after a clean shutdown (SQLite)', `${(cleanOpenMs / 1000).toFixed(2)} s, ${reopened.toLocaleString('en')} series`],
    ['data directory after shutdown', `${(dirBytes(dir) / 1e6).toFixed(1)} MB`],
  ];
  const table = ['| measure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
  console.log(table);
  if (args.write) {
    const file = new URL('./RESULTS.md', import.meta.url);
    const begin = '<!-- tsdb-restart:begin -->';
    const end = '<!-- tsdb-restart:end -->';
    const section = `${begin}\n## Storage restart time (\`bench/tsdb-restart.ts\`)\n\n- date: ${new Date().toISOString()}\n- machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n- command: \`node --import tsx bench/tsdb-restart.ts --series ${SERIES} --samples ${SAMPLES} --write\`\n\n${table}\n${end}`;
    let text = readFileSync(file, 'utf8');
    text = text.includes(begin) ? text.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), section) : `${text.trimEnd()}\n\n${section}\n`;
    writeFileSync(file, text);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
