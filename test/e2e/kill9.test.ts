/**
 * Nothing acknowledged is lost: send remote-write batches to a real `watchkeeper serve` process,
 * kill it with SIGKILL in the middle of the load, restart it on the same storage and find every
 * sample of every acknowledged batch, with its exact value.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWriteRequest } from '../../packages/server/src/ingest/index.js';
import { Labels } from '../../packages/server/src/lib/labels.js';
import { adminFetch, adminHeaders, freePort, startServe, type ServerProcess } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'wk-kill9-'));
const running: ServerProcess[] = [];
afterAll(async () => {
  for (const p of running) await p.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const SERIES = 50;
const BASE_MS = Date.now() - 3_600_000;

/** Batch b holds one sample per series at BASE + b seconds; values encode (batch, series). */
function batch(b: number): Uint8Array {
  const series = [];
  for (let s = 0; s < SERIES; s++) {
    series.push({
      labels: Labels.from({ __name__: 'kill9_test_total', series: String(s) }),
      timestampsMs: [BASE_MS + b * 1000],
      values: Float64Array.of(b * 1000 + s + 0.25),
    });
  }
  return encodeWriteRequest(series);
}

async function send(url: string, body: Uint8Array): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v1/write`, {
      method: 'POST',
      headers: adminHeaders({ 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }),
      body,
    });
    return res.status === 204;
  } catch {
    return false;
  }
}

describe('durability', () => {
  it('finds every acknowledged remote-write sample after SIGKILL and restart', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const first = await startServe(['--storage.path', dir], port);
    running.push(first);
    const acked: number[] = [];
    let next = 0;
    let killed = false;
    // Four concurrent senders; the kill lands while requests are in flight.
    const sender = async (): Promise<void> => {
      while (!killed) {
        const b = next++;
        if (await send(first.url, batch(b))) acked.push(b);
      }
    };
    const senders = [sender(), sender(), sender(), sender()];
    while (acked.length < 200) await new Promise((r) => setTimeout(r, 10));
    first.child.kill('SIGKILL');
    killed = true;
    await Promise.all(senders);
    await first.stop('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(200);

    const second = await startServe(['--storage.path', dir], port);
    running.push(second);
    const q = encodeURIComponent(`kill9_test_total[${Math.ceil((Date.now() - BASE_MS) / 1000) + 60}s]`);
    const res = (await (await adminFetch(`${second.url}/api/v1/query?query=${q}`)).json()) as {
      data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
    };
    const found = new Map<string, string>();
    for (const s of res.data.result) {
      for (const [t, v] of s.values) found.set(`${s.metric.series}@${Math.round(t * 1000)}`, v);
    }
    const missing: string[] = [];
    for (const b of acked) {
      for (let s = 0; s < SERIES; s++) {
        const key = `${s}@${BASE_MS + b * 1000}`;
        if (found.get(key) !== String(b * 1000 + s + 0.25)) missing.push(`${key}=${found.get(key)}`);
      }
    }
    expect(missing.slice(0, 10), `${missing.length} acknowledged samples missing or wrong`).toEqual([]);
    await second.stop('SIGTERM');
  });
});
