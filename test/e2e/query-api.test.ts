/**
 * Black-box test of the query API: start the server on a free port, put samples in, and check
 * Prometheus's JSON shapes, number formatting and error bodies over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Labels } from '../../packages/server/src/lib/labels.js';
import { ManualClock } from '../../packages/server/src/lib/clock.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../packages/server/src/config/index.js';
import { startServer, type RunningServer } from '../../packages/server/src/main.js';
import { adminFetch, TEST_ADMIN_TOKEN } from './helpers.js';

let server: RunningServer;
const T0 = 1_700_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'wk-query-api-'));

beforeAll(async () => {
  const config = resolveConfig(
    {
      web: { listen_address: '127.0.0.1:0' },
      storage: { path: dir },
      global: { scrape_interval: '1h', scrape_timeout: '10s' },
    },
    'test',
    { adminToken: TEST_ADMIN_TOKEN },
  );
  server = await startServer({ config, clock: new ManualClock(T0) });
  for (let i = 0; i <= 20; i++) {
    const t = T0 + i * 15_000;
    server.storage.append(Labels.from({ __name__: 'http_requests_total', job: 'parts-api', status: '200' }), t, i * 30);
    server.storage.append(Labels.from({ __name__: 'http_requests_total', job: 'parts-api', status: '500' }), t, i * 3);
    server.storage.append(Labels.from({ __name__: 'tiny', job: 'x' }), t, 1e-7);
  }
  // Only in the 10th minute: a label name and a job nothing else has.
  for (let i = 40; i < 44; i++) {
    server.storage.append(Labels.from({ __name__: 'late_gauge', job: 'late', vessel: 'v1' }), T0 + i * 15_000, -1);
  }
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await adminFetch(server.url + path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('query API', () => {
  it('answers instant queries with a vector and Prometheus number formatting', async () => {
    const q = encodeURIComponent('sum by (status) (http_requests_total) / 60');
    const { status, body } = await get(`/api/v1/query?query=${q}&time=${(T0 + 300_000) / 1000}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { status: '200' }, value: [1700000300, '10'] },
          { metric: { status: '500' }, value: [1700000300, '1'] },
        ],
      },
    });
  });

  it('answers range queries with a matrix, with fractional timestamps and exponent values', async () => {
    const { body } = await get(`/api/v1/query_range?query=tiny&start=${T0 / 1000}&end=${(T0 + 1500) / 1000}&step=0.5`);
    expect(body).toEqual({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { __name__: 'tiny', job: 'x' },
            values: [
              [1700000000, '1e-07'],
              [1700000000.5, '1e-07'],
              [1700000001, '1e-07'],
              [1700000001.5, '1e-07'],
            ],
          },
        ],
      },
    });
  });

  it('accepts POST form bodies', async () => {
    const res = await adminFetch(server.url + '/api/v1/query', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent('count(http_requests_total)')}&time=${(T0 + 60_000) / 1000}`,
    });
    expect(await res.json()).toEqual({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1700000060, '2'] }] },
    });
  });

  it('returns bad_data with the position for a malformed query', async () => {
    const { status, body } = await get(`/api/v1/query?query=${encodeURIComponent('sum(rate(x[5m])')}`);
    expect(status).toBe(400);
    expect(body.status).toBe('error');
    expect(body.errorType).toBe('bad_data');
    expect(body.error).toMatch(/^1:\d+: parse error: unclosed left parenthesis/);
  });

  it('returns warnings and infos as Prometheus does', async () => {
    const q = encodeURIComponent('rate(tiny[1m])');
    const { body } = await get(`/api/v1/query?query=${q}&time=${(T0 + 60_000) / 1000}`);
    expect(body.infos).toEqual([
      'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "tiny" (1:6)',
    ]);
  });

  it('answers range queries of strings and range vectors with bad_data, as Prometheus does', async () => {
    const range = `start=${T0 / 1000}&end=${(T0 + 60_000) / 1000}&step=15`;
    for (const [query, type] of [
      ['"foo"', 'string'],
      ['up[5m]', 'range vector'],
    ]) {
      const { status, body } = await get(`/api/v1/query_range?query=${encodeURIComponent(query!)}&${range}`);
      expect(status).toBe(400);
      expect(body).toEqual({
        status: 'error',
        errorType: 'bad_data',
        error: `invalid expression type "${type}" for range query, must be Scalar or instant Vector`,
      });
    }
  });

  it('writes negative zero as "-0"', async () => {
    const q = encodeURIComponent('late_gauge * 0');
    const { body } = await get(`/api/v1/query?query=${q}&time=${(T0 + 600_000) / 1000}`);
    expect(body.data).toEqual({
      resultType: 'vector',
      result: [{ metric: { job: 'late', vessel: 'v1' }, value: [1700000600, '-0'] }],
    });
  });

  it('rejects too many points and bad steps', async () => {
    const tooMany = await get(`/api/v1/query_range?query=up&start=0&end=100000&step=1`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatch(/exceeded maximum resolution of 11,000 points/);
    const badStep = await get(`/api/v1/query_range?query=up&start=0&end=10&step=0`);
    expect(badStep.status).toBe(400);
  });

  it('lists labels and label values', async () => {
    expect((await get('/api/v1/labels')).body.data).toEqual(expect.arrayContaining(['__name__', 'job', 'status']));
    expect((await get('/api/v1/label/status/values')).body.data).toEqual(['200', '500']);
  });

  it('lists only labels and label values of series with samples between start and end', async () => {
    const range = (fromMs: number, toMs: number): string => `start=${fromMs / 1000}&end=${toMs / 1000}`;
    const before = range(T0 - 3_600_000, T0 - 1000);
    expect((await get(`/api/v1/labels?${before}`)).body).toEqual({ status: 'success', data: [] });
    expect((await get(`/api/v1/label/job/values?${before}`)).body).toEqual({ status: 'success', data: [] });
    // The first minute: everything but late_gauge.
    const first = range(T0, T0 + 60_000);
    expect((await get(`/api/v1/labels?${first}`)).body.data).not.toContain('vessel');
    expect((await get(`/api/v1/label/job/values?${first}`)).body.data).toEqual(['parts-api', 'x']);
    // The 10th minute: late_gauge too; start alone, end alone.
    expect((await get(`/api/v1/labels?start=${(T0 + 600_000) / 1000}`)).body.data).toContain('vessel');
    expect((await get(`/api/v1/label/job/values?start=${(T0 + 600_000) / 1000}`)).body.data).toEqual(['late']);
    expect((await get(`/api/v1/label/job/values?end=${(T0 + 60_000) / 1000}`)).body.data).toEqual(['parts-api', 'x']);
    // match[] with a range.
    const m = `match[]=${encodeURIComponent('{job=~"late|x"}')}`;
    expect((await get(`/api/v1/label/job/values?${m}&${first}`)).body.data).toEqual(['x']);
    expect((await get(`/api/v1/labels?${m}&${first}`)).body.data).toEqual(['__name__', 'job']);
    expect((await get(`/api/v1/labels?${m}`)).body.data).toEqual(['__name__', 'job', 'vessel']);
    // A bad time.
    const bad = await get('/api/v1/labels?start=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.errorType).toBe('bad_data');
  });

  it('formats queries', async () => {
    const { body } = await get(`/api/v1/format_query?query=${encodeURIComponent('sum(foo)by(job)')}`);
    expect(body.data).toBe('sum by (job) (foo)');
  });

  it('serves health and self-metrics', async () => {
    expect((await fetch(server.url + '/-/healthy')).status).toBe(200);
    const metrics = await (await fetch(server.url + '/metrics')).text();
    expect(metrics).toContain('process_cpu_seconds_total');
    expect(metrics).toContain('watchkeeper_tsdb_head_series');
  });
});
