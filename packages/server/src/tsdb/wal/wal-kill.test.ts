/**
 * kill -9 test: a child process appends and syncs batches; the parent kills it with SIGKILL as
 * soon as it reports a resolved sync, then replays the log and checks that every synced batch is
 * there, whole and bit-exact, followed by nothing but whole batches.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hexBits } from './testdata/comparable.js';
import { BASE_TIME_MS, BATCH_SAMPLES, batchValues } from './testdata/kill-batches.js';
import { WriteAheadLog } from './wal.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./testdata/kill-writer.ts', import.meta.url));

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the writer until it reports `killAfter` synced batches, kills it; returns the last batch it reported. */
function runAndKill(dir: string, killAfter: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dir], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastSynced = -1;
    let buffered = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const m = /^synced (\d+)$/.exec(line);
        if (m !== null) lastSynced = Number(m[1]);
        if (lastSynced >= killAfter && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code ?? signal}: ${stderr}`));
      else resolve(lastSynced);
    });
  });
}

describe('WriteAheadLog under kill -9', () => {
  it('keeps every batch whose sync() resolved before SIGKILL, across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-wal-kill-'));
    dirs.push(dir);
    let expectedAtLeast = -1;
    // Three runs into the same directory: each restart replays (repairing a torn tail) and goes on.
    for (const killAfter of [40, 90, 130]) {
      const synced = await runAndKill(dir, killAfter);
      expect(synced).toBeGreaterThanOrEqual(killAfter);
      expectedAtLeast = synced;

      const wal = WriteAheadLog.open(dir);
      const batches: number[] = [];
      let seriesRecords = 0;
      const problems: string[] = [];
      const stats = wal.replay((record) => {
        if (record.type === 'series') {
          seriesRecords++;
          return;
        }
        if (record.type !== 'samples') {
          problems.push(`unexpected ${record.type} record`);
          return;
        }
        const b = (record.timestampsMs[0]! - BASE_TIME_MS) / 15_000;
        if (record.refs.length !== BATCH_SAMPLES) problems.push(`batch ${b}: ${record.refs.length} samples`);
        if (hexBits(record.values).join() !== hexBits(batchValues(b)).join())
          problems.push(`batch ${b}: values differ`);
        batches.push(b);
      });
      await wal.close();
      expect(problems).toEqual([]);
      // Each run starts again at batch 0 after its series record.
      expect(seriesRecords).toBeGreaterThanOrEqual(1);
      const lastRun = batches.slice(batches.lastIndexOf(0));
      expect(lastRun.length).toBeGreaterThan(expectedAtLeast);
      expect(lastRun).toEqual(Array.from({ length: lastRun.length }, (_, i) => i));
      expect(stats.repairs.length).toBeLessThanOrEqual(1);
    }
  }, 60_000);
});
