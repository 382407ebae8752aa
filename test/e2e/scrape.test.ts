/**
 * Scraping through the whole server: a watchkeeper.yml with scrape_configs (static and file SD,
 * relabeling), a real exposition endpoint, and the results seen through the query and targets APIs.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../packages/server/src/config/index.js';
import { startServer, type RunningServer } from '../../packages/server/src/main.js';
import { adminFetch, TEST_ADMIN_TOKEN } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'wk-scrape-e2e-'));
let exporter: Server;
let exporterPort = 0;
let server: RunningServer;
let requests = 0;

beforeAll(async () => {
  exporter = createServer((req, res) => {
    requests++;
    if (req.headers.authorization !== 'Bearer s3cret') {
      res.writeHead(401).end('unauthorized');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      [
        '# HELP sms_parts_quotes_requested_total Total quote requests',
        '# TYPE sms_parts_quotes_requested_total counter',
        `sms_parts_quotes_requested_total{urgency="normal"} ${requests * 10}`,
        'this line is not valid exposition',
        '# TYPE internal_debug gauge',
        'internal_debug 1',
        '',
      ].join('\n'),
    );
  });
  await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
  const addr = exporter.address();
  exporterPort = typeof addr === 'object' && addr ? addr.port : 0;
  writeFileSync(
    join(dir, 'targets.json'),
    JSON.stringify([{ targets: [`127.0.0.1:${exporterPort}`], labels: { team: 'revenue' } }]),
  );
  writeFileSync(
    join(dir, 'watchkeeper.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 500ms',
      'web:',
      '  listen_address: 127.0.0.1:0',
      'storage:',
      '  path: ./data',
      'scrape_configs:',
      '  - job_name: parts-api',
      '    authorization: { credentials: s3cret }',
      '    file_sd_configs: [{ files: [targets.json] }]',
      '    metric_relabel_configs:',
      '      - { source_labels: [__name__], regex: internal_.*, action: drop }',
      '',
    ].join('\n'),
  );
  server = await startServer({ config: loadConfig(join(dir, 'watchkeeper.yml'), { adminToken: TEST_ADMIN_TOKEN }) });
});

afterAll(async () => {
  await server.close();
  await new Promise<void>((r) => exporter.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = (await (await adminFetch(`${server.url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return res.data.result;
}

describe('scraping through the server', () => {
  it('scrapes the target, relabels, and exposes up and the targets API', { timeout: 20_000 }, async () => {
    for (let i = 0; i < 100 && (await query('up{job="parts-api"}')).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await query('up{job="parts-api"}')).toEqual([
      {
        metric: { __name__: 'up', instance: `127.0.0.1:${exporterPort}`, job: 'parts-api', team: 'revenue' },
        value: [expect.any(Number), '1'],
      },
    ]);
    const quotes = await query('sms_parts_quotes_requested_total');
    expect(quotes[0]?.metric).toEqual({
      __name__: 'sms_parts_quotes_requested_total',
      instance: `127.0.0.1:${exporterPort}`,
      job: 'parts-api',
      team: 'revenue',
      urgency: 'normal',
    });
    expect(await query('internal_debug')).toEqual([]);
    expect((await query('scrape_samples_post_metric_relabeling{job="parts-api"}'))[0]?.value[1]).toBe('1');
    const targets = (await (await adminFetch(`${server.url}/api/v1/targets?state=active`)).json()) as {
      data: { activeTargets: { labels: Record<string, string>; health: string; scrapePool: string }[] };
    };
    const parts = targets.data.activeTargets.find((t) => t.scrapePool === 'parts-api');
    expect(parts?.health).toBe('up');
    const metadata = (await (
      await adminFetch(`${server.url}/api/v1/metadata?metric=sms_parts_quotes_requested_total`)
    ).json()) as {
      data: Record<string, { type: string; help: string }[]>;
    };
    expect(metadata.data.sms_parts_quotes_requested_total?.[0]).toMatchObject({
      type: 'counter',
      help: 'Total quote requests',
    });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/watchkeeper_scrape_exposition_issues_total\{[^}]*job="parts-api"[^}]*\} [1-9]/);
  });
});
