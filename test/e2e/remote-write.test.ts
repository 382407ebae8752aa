/**
 * Remote write against a real server: the specification's status codes, duplicate resends,
 * late and out-of-order data, bad input that is refused (and counted) without harming the server,
 * and deletion of series for data-protection requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../packages/server/src/config/index.js';
import { encodeWriteRequest } from '../../packages/server/src/ingest/index.js';
import { Labels } from '../../packages/server/src/lib/labels.js';
import { startServer, type RunningServer } from '../../packages/server/src/main.js';
import { adminFetch, TEST_ADMIN_TOKEN } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'wk-rw-'));
let server: RunningServer;
const NOW = Date.now();

beforeAll(async () => {
  const config = resolveConfig(
    {
      web: { listen_address: '127.0.0.1:0', max_request_body: '1MB', enable_admin_api: true },
      storage: { path: dir, out_of_order_window: '1h' },
      global: { scrape_interval: '1h', scrape_timeout: '10s' },
    },
    'test',
    { adminToken: TEST_ADMIN_TOKEN },
  );
  server = await startServer({ config });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Point {
  t: number;
  v: number;
}

async function write(labels: Record<string, string>, points: Point[]): Promise<{ status: number; text: string }> {
  const body = encodeWriteRequest([
    {
      labels: Labels.from(labels),
      timestampsMs: points.map((p) => p.t),
      values: Float64Array.from(points.map((p) => p.v)),
    },
  ]);
  return post(body);
}

async function post(body: Uint8Array): Promise<{ status: number; text: string }> {
  const res = await adminFetch(`${server.url}/api/v1/write`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body,
  });
  return { status: res.status, text: await res.text() };
}

async function samples(selector: string): Promise<[number, string][]> {
  const q = encodeURIComponent(`${selector}[3d]`);
  const res = (await (
    await adminFetch(`${server.url}/api/v1/query?query=${q}&time=${(NOW + 60_000) / 1000}`)
  ).json()) as {
    data: { result: { values: [number, string][] }[] };
  };
  return res.data.result[0]?.values ?? [];
}

async function metric(name: string): Promise<string> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .join('\n');
}

describe('remote write', () => {
  it('stores a request and answers 204', async () => {
    const r = await write({ __name__: 'rw_ok_total', job: 'a' }, [
      { t: NOW - 30_000, v: 1 },
      { t: NOW - 15_000, v: 2 },
    ]);
    expect(r.status).toBe(204);
    expect(await samples('rw_ok_total')).toEqual([
      [(NOW - 30_000) / 1000, '1'],
      [(NOW - 15_000) / 1000, '2'],
    ]);
  });

  it('accepts a duplicate resend without double-counting', async () => {
    const pts = [
      { t: NOW - 20_000, v: 5 },
      { t: NOW - 10_000, v: 6 },
    ];
    expect((await write({ __name__: 'rw_dup_total' }, pts)).status).toBe(204);
    expect((await write({ __name__: 'rw_dup_total' }, pts)).status).toBe(204);
    expect(await samples('rw_dup_total')).toHaveLength(2);
  });

  it('stores a backlog hours late (in order) and out-of-order samples within the window', async () => {
    const backlog: Point[] = [];
    for (let i = 0; i < 60; i++) backlog.push({ t: NOW - 2 * 86_400_000 + i * 60_000, v: i });
    expect((await write({ __name__: 'vessel_engine_temp', vessel: 'imo9321483' }, backlog)).status).toBe(204);
    expect((await write({ __name__: 'vessel_engine_temp', vessel: 'imo9321483' }, [{ t: NOW, v: 100 }])).status).toBe(
      204,
    );
    // 30 minutes late: inside the 1h out-of-order window.
    expect(
      (await write({ __name__: 'vessel_engine_temp', vessel: 'imo9321483' }, [{ t: NOW - 1_800_000, v: 50 }])).status,
    ).toBe(204);
    const got = await samples('vessel_engine_temp');
    expect(got).toHaveLength(62);
    expect(got.slice(-2)).toEqual([
      [(NOW - 1_800_000) / 1000, '50'],
      [NOW / 1000, '100'],
    ]);
  });

  it('answers 400 for samples that will never be accepted, and stores the rest', async () => {
    await write({ __name__: 'rw_ooo_total' }, [{ t: NOW, v: 1 }]);
    const r = await write({ __name__: 'rw_ooo_total' }, [
      { t: NOW - 2 * 3_600_000, v: 0 },
      { t: NOW + 1000, v: 2 },
    ]);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/1 sample\(s\) written; 1 sample\(s\) rejected \(out-of-order: 1\)/);
    expect(await samples('rw_ooo_total')).toHaveLength(2);
    expect(await metric('watchkeeper_ingest_rejected_samples_total{reason="out-of-order"}')).toMatch(/ 1$/);
  });

  it('refuses corrupt snappy, invalid protobuf and oversized bodies with clear errors, and keeps running', async () => {
    // Declares 16 bytes, then a copy referring before the start of the output.
    const snappy = await post(Uint8Array.from([0x10, 0x0a, 0xff, 0x05]));
    expect(snappy.status).toBe(400);
    expect(snappy.text.length).toBeGreaterThan(10);
    const good = encodeWriteRequest([
      { labels: Labels.from({ __name__: 'x' }), timestampsMs: [NOW], values: Float64Array.of(1) },
    ]);
    // A valid snappy frame around garbage protobuf: flip bytes after the snappy header.
    const { encodeWriteRequestProto } = await import('../../packages/server/src/ingest/remote-write/index.js');
    const proto = encodeWriteRequestProto([
      { labels: Labels.from({ __name__: 'x' }), timestampsMs: [NOW], values: Float64Array.of(1) },
    ]);
    const broken = proto.slice(0, proto.length - 3);
    const { snappyCompress } = await import('../../packages/server/src/ingest/remote-write/snappy.js');
    const protoRes = await post(snappyCompress(broken));
    expect(protoRes.status).toBe(400);
    expect(protoRes.text).toMatch(/protobuf/i);
    const big = await post(new Uint8Array(2 * 1024 * 1024));
    expect(big.status).toBe(413);
    expect((await post(good)).status).toBe(204);
    expect((await fetch(`${server.url}/-/healthy`)).status).toBe(200);
    expect(await metric('watchkeeper_remote_write_decode_errors_total')).toMatch(/WK_REMOTE_WRITE_SNAPPY.* 1/);
  });

  it('deletes series by matcher for data-protection requests', async () => {
    await write({ __name__: 'customer_data', customer: 'c1' }, [{ t: NOW - 5000, v: 1 }]);
    await write({ __name__: 'customer_data', customer: 'c2' }, [{ t: NOW - 5000, v: 2 }]);
    const res = await adminFetch(
      `${server.url}/api/v1/admin/tsdb/delete_series?match[]=${encodeURIComponent('customer_data{customer="c1"}')}`,
      {
        method: 'POST',
      },
    );
    expect(res.status).toBe(204);
    expect(await samples('customer_data{customer="c1"}')).toEqual([]);
    expect(await samples('customer_data{customer="c2"}')).toHaveLength(1);
  });
});
