import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashMod } from '../relabel/relabel.js';
import { SCRAPE_ACCEPT_HEADER } from './http.js';
import { ScrapeHarness, START_MS, TestTarget } from './test-harness.js';

const INTERVAL_MS = 10_000;
const job = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  job_name: 'app',
  scrape_interval: '10s',
  scrape_timeout: '5s',
  ...extra,
});

let h: ScrapeHarness;
const servers: TestTarget[] = [];
async function serve(body = ''): Promise<TestTarget> {
  const t = await TestTarget.start(body);
  servers.push(t);
  return t;
}

beforeEach(() => {
  h = new ScrapeHarness();
});
afterEach(async () => {
  await h.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('ScrapeManager: scraping and synthetic series', () => {
  it('stores the samples with target labels and writes up and the scrape_* series', async () => {
    const t = await serve('# TYPE a gauge\na 1\nb{x="y"} 2\n');
    await h.apply([job({ static_configs: [{ targets: [t.address], labels: { team: 'core' } }] })]);
    expect(h.manager.targets().activeTargets[0]).toMatchObject({
      health: 'unknown',
      lastScrape: '0001-01-01T00:00:00Z',
    });

    await h.step(INTERVAL_MS);
    const target = { job: 'app', instance: t.address, team: 'core' };
    expect(h.series('a')).toEqual([{ labels: { __name__: 'a', ...target }, samples: [[expect.any(Number), 1]] }]);
    expect(h.values('b', { x: 'y' })).toEqual([2]);
    expect(h.values('up', target)).toEqual([1]);
    expect(h.values('scrape_samples_scraped', target)).toEqual([2]);
    expect(h.values('scrape_samples_post_metric_relabeling', target)).toEqual([2]);
    expect(h.values('scrape_series_added', target)).toEqual([2]);
    expect(h.values('scrape_duration_seconds', target)).toEqual([0]);

    // The first scrape happens at the target's offset within the interval, and every interval after.
    const firstMs = h.series('up')[0]!.samples[0]![0];
    expect(firstMs).toBeGreaterThan(START_MS);
    expect(firstMs).toBeLessThanOrEqual(START_MS + INTERVAL_MS);
    await h.step(INTERVAL_MS);
    expect(h.series('up')[0]!.samples.map((s) => s[0])).toEqual([firstMs, firstMs + INTERVAL_MS]);
    expect(h.values('scrape_series_added', target)).toEqual([2, 0]);

    const [req] = t.requests;
    expect(req!.url).toBe('/metrics');
    expect(req!.headers.accept).toBe(SCRAPE_ACCEPT_HEADER);
    expect(req!.headers['accept-encoding']).toBe('gzip');
    expect(req!.headers['x-prometheus-scrape-timeout-seconds']).toBe('5');
    expect(req!.headers['user-agent']).toBe('Watchkeeper');

    const { activeTargets, droppedTargets } = h.manager.targets();
    expect(droppedTargets).toEqual([]);
    expect(activeTargets).toHaveLength(1);
    const { lastScrape, ...info } = activeTargets[0]!;
    expect(info).toEqual({
      discoveredLabels: {
        __address__: t.address,
        __metrics_path__: '/metrics',
        __scheme__: 'http',
        __scrape_interval__: '10s',
        __scrape_timeout__: '5s',
        job: 'app',
        team: 'core',
      },
      labels: target,
      scrapePool: 'app',
      scrapeUrl: `http://${t.address}/metrics`,
      globalUrl: `http://${t.address}/metrics`,
      lastError: '',
      lastScrapeDuration: 0,
      health: 'up',
      scrapeInterval: '10s',
      scrapeTimeout: '5s',
    });
    expect(lastScrape).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/);
    expect(Date.parse(lastScrape)).toBe(firstMs + INTERVAL_MS);
    expect(await h.counter('watchkeeper_scrapes_total', { job: 'app' })).toBe(2);
    expect(await h.counter('watchkeeper_scrape_samples_appended_total', { job: 'app' })).toBe(4);
  });

  it('collects the metadata of the targets for /api/v1/metadata', async () => {
    const a = await serve('# HELP reqs Requests.\n# TYPE reqs counter\nreqs 1\n# TYPE temp gauge\ntemp 3\n');
    const b = await serve('# HELP reqs Requests served.\n# TYPE reqs counter\nreqs 2\n# TYPE temp gauge\ntemp 4\n');
    await h.apply([job({ static_configs: [{ targets: [a.address, b.address] }] })]);
    await h.step(INTERVAL_MS);
    const metadata = h.manager.metadata();
    expect(metadata.get('temp')).toEqual([{ type: 'gauge', help: '', unit: '' }]);
    expect(metadata.get('reqs')).toHaveLength(2);
    expect(metadata.get('reqs')).toContainEqual({ type: 'counter', help: 'Requests served.', unit: '' });
  });

  it('negotiates OpenMetrics and decodes gzip', async () => {
    const t = await serve();
    t.handler = (req, res) => {
      const body = '# TYPE c counter\nc_total 3\n# EOF\n';
      const gzip = String(req.headers['accept-encoding']).includes('gzip');
      res.writeHead(200, {
        'Content-Type': 'application/openmetrics-text; version=1.0.0; charset=utf-8',
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
      });
      res.end(gzip ? gzipSync(body) : body);
    };
    await h.apply([job({ static_configs: [{ targets: [t.address] }] })]);
    await h.step(INTERVAL_MS);
    expect(h.values('c_total')).toEqual([3]);
    expect(h.values('up')).toEqual([1]);
  });

  it('stores the good lines of a payload with bad lines and counts the issues', async () => {
    const t = await serve('good 1\nthis is { not a sample\nalso_good{a="b"} 2\nbad_value x\n');
    await h.apply([job({ static_configs: [{ targets: [t.address] }] })]);
    await h.step(INTERVAL_MS);
    expect(h.values('good')).toEqual([1]);
    expect(h.values('also_good')).toEqual([2]);
    expect(h.values('up')).toEqual([1]);
    expect(h.values('scrape_samples_scraped')).toEqual([2]);
    expect(await h.counter('watchkeeper_scrape_exposition_issues_total', { job: 'app' })).toBe(2);
    expect(h.logs.some((l) => l.level === 'warn' && String(l.fields.first).startsWith('line 2'))).toBe(true);
  });

  it('fails a body without a single parseable sample', async () => {
    const t = await serve('<html>\n<body>Service Unavailable</body>\n');
    t.contentType = 'text/html';
    await h.apply([job({ static_configs: [{ targets: [t.address] }] })]);
    await h.step(INTERVAL_MS);
    expect(h.values('up')).toEqual([0]);
    expect(h.manager.targets().activeTargets[0]!.lastError).toMatch(/^line 1, column 1: /);
    expect(await h.counter('watchkeeper_scrapes_failed_total', { reason: 'parse' })).toBe(1);
  });

  it('honors exposed timestamps unless honor_timestamps is false; such series are not staled', async () => {
    const exposedMs = START_MS - 60_000;
    const t = await serve(`with_ts 1 ${exposedMs}\nwithout_ts 2\n`);
    await h.apply([job({ static_configs: [{ targets: [t.address] }] })]);
    await h.step(INTERVAL_MS);
    expect(h.series('with_ts')[0]!.samples).toEqual([[exposedMs, 1]]);
    t.body = '';
    await h.step(INTERVAL_MS);
    expect(h.series('with_ts')[0]!.samples).toEqual([[exposedMs, 1]]);
    expect(h.values('without_ts')).toEqual([2, 'stale']);

    const h2 = new ScrapeHarness();
    try {
      t.body = `with_ts 1 ${exposedMs}\n`;
      await h2.apply([job({ honor_timestamps: false, static_configs: [{ targets: [t.address] }] })]);
      await h2.step(INTERVAL_MS);
      expect(h2.series('with_ts')[0]!.samples[0]![0]).toBeGreaterThan(START_MS);
    } finally {
      await h2.close();
    }
  });
});

describe('ScrapeManager: staleness', () => {
  it('marks a series that is missing from the next scrape stale', async () => {
    const t = await serve('a 1\nb 2\n');
    await h.apply([job({ static_configs: [{ targets: [t.address] }] })]);
    await h.step(INTERVAL_MS);
    t.body = 'a 1\n';
    await h.step(INTERVAL_MS);
    expect(h.values('a')).toEqual([1, 1]);
    expect(h.values('b')).toEqual([2, 'stale']);
    const [first, second] = h.series('b')[0]!.samples;
    expect(second![0] - first![0]).toBe(INTERVAL_MS);
    // It comes back as a new series.
    t.body = 'a 1\nb 3\n';
    await h.step(INTERVAL_MS);
    expect(h.values('b')).toEqual([2, 'stale', 3]);
    expect(h.values('scrape_series_added')).toEqual([2, 0, 1]);
  });

  it('writes staleness markers for all series of a removed target, synthetic ones included', async () => {
    const t = await serve('a 1\n');
    const keep = await serve('k 1\n');
    await h.apply([job({ static_configs: [{ targets: [t.address, keep.address] }] })]);
    await h.step(INTERVAL_MS);
    await h.apply([job({ static_configs: [{ targets: [keep.address] }] })]);
    expect(h.manager.targets().activeTargets.map((x) => x.labels.instance)).toEqual([keep.address]);
    // Prometheus waits for the next scrape time plus just over one interval before writing them.
    await h.steps(3, INTERVAL_MS);
    expect(h.values('a')).toEqual([1, 'stale']);
    for (const name of ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_series_added']) {
      expect(h.values(name, { instance: t.address }).at(-1)).toBe('stale');
    }
    expect(h.values('k')).toEqual([1, 1, 1, 1]);
    expect(h.values('up', { instance: keep.address })).toEqual([1, 1, 1, 1]);
    expect(await h.counter('watchkeeper_scrape_stale_markers_total', { job: 'app' })).toBe(6);
  });

  it('stales the series of a job removed from the configuration', async () => {
    const t = await serve('a 1\n');
    await h.apply([job({ static_configs: [{ targets: [t.address] }] })]);
    await h.step(INTERVAL_MS);
    await h.apply([]);
    expect(h.manager.targets().activeTargets).toEqual([]);
    await h.steps(3, INTERVAL_MS);
    expect(h.values('a')).toEqual([1, 'stale']);
    expect(h.values('up')).toEqual([1, 'stale']);
  });

  it('keeps scraping without staleness markers when a job is reconfigured', async () => {
    const t = await serve('a 1\n');
    await h.apply([job({ static_configs: [{ targets: [t.address] }] })]);
    await h.step(INTERVAL_MS);
    await h.apply([job({ sample_limit: 100, static_configs: [{ targets: [t.address] }] })]);
    await h.step(INTERVAL_MS);
    // A change of metric relabeling drops the cache of resolved label sets: the series count as added.
    await h.apply([
      job({
        sample_limit: 100,
        metric_relabel_configs: [{ target_label: 'env', replacement: 'prod' }],
        static_configs: [{ targets: [t.address] }],
      }),
    ]);
    await h.steps(2, INTERVAL_MS);
    expect(h.values('a', { env: 'prod' })).toEqual([1, 1]);
    expect(h.values('a', { env: '' })).toEqual([1, 1, 'stale']);
    expect(h.values('scrape_series_added')).toEqual([1, 0, 1, 0]);
  });

  it('writes no staleness markers when the manager stops', async () => {
    const t = await serve('a 1\n');
    await h.apply([job({ static_configs: [{ targets: [t.address] }] })]);
    await h.step(INTERVAL_MS);
    await h.manager.stop();
    h.clock.advance(10 * INTERVAL_MS);
    expect(h.values('a')).toEqual([1]);
  });
});

describe('ScrapeManager: failed scrapes', () => {
  it('times out a target that hangs: up=0, duration = timeout, previous series stale', async () => {
    const t = await serve('a 1\n');
    await h.apply([job({ static_configs: [{ targets: [t.address] }] })]);
    await h.step(INTERVAL_MS);
    t.handler = () => undefined; // never answers
    const requested = t.nextRequest();
    h.fireNextTimer();
    await requested;
    await h.step(5_000);
    expect(h.values('up')).toEqual([1, 0]);
    expect(h.values('scrape_duration_seconds')).toEqual([0, 5]);
    expect(h.values('a')).toEqual([1, 'stale']);
    const info = h.manager.targets().activeTargets[0]!;
    expect(info.health).toBe('down');
    expect(info.lastError).toBe(`Get "http://${t.address}/metrics": context deadline exceeded`);
    expect(info.lastScrapeDuration).toBe(5);
    expect(await h.counter('watchkeeper_scrapes_failed_total', { job: 'app', reason: 'timeout' })).toBe(1);
  });

  it('fails a body that reaches body_size_limit (after gzip decoding)', async () => {
    const t = await serve();
    const body = Array.from({ length: 50 }, (_, i) => `metric_${i} ${i}\n`).join('');
    t.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' });
      res.end(gzipSync(body));
    };
    await h.apply([job({ body_size_limit: '200B', static_configs: [{ targets: [t.address] }] })]);
    await h.step(INTERVAL_MS);
    expect(h.values('up')).toEqual([0]);
    expect(h.series('metric_0')).toEqual([]);
    expect(h.manager.targets().activeTargets[0]!.lastError).toBe('body size limit exceeded');
    expect(await h.counter('watchkeeper_scrapes_failed_total', { reason: 'body-size-limit' })).toBe(1);
  });

  it('fails a scrape over sample_limit: nothing stored, previous series stale', async () => {
    const t = await serve('a 1\n');
    await h.apply([job({ sample_limit: 2, static_configs: [{ targets: [t.address] }] })]);
    await h.step(INTERVAL_MS);
    t.body = 'a 1\nb 2\nc 3\n';
    await h.step(INTERVAL_MS);
    expect(h.values('up')).toEqual([1, 0]);
    expect(h.values('a')).toEqual([1, 'stale']);
    expect(h.series('b')).toEqual([]);
    expect(h.values('scrape_samples_scraped')).toEqual([1, 3]);
    expect(h.manager.targets().activeTargets[0]!.lastError).toBe('sample limit exceeded');
  });

  it('counts sample_limit after metric relabeling', async () => {
    const t = await serve('a 1\nb 2\nc 3\n');
    await h.apply([
      job({
        sample_limit: 2,
        metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'c', action: 'drop' }],
        static_configs: [{ targets: [t.address] }],
      }),
    ]);
    await h.step(INTERVAL_MS);
    expect(h.values('up')).toEqual([1]);
    expect(h.values('scrape_samples_post_metric_relabeling')).toEqual([2]);
  });

  it('fails a scrape with a series over label_limit', async () => {
    const t = await serve('a{x="1",y="2"} 1\n');
    await h.apply([job({ label_limit: 4, static_configs: [{ targets: [t.address] }] })]);
    await h.step(INTERVAL_MS);
    expect(h.values('up')).toEqual([0]);
    expect(h.manager.targets().activeTargets[0]!.lastError).toBe(
      'label_limit exceeded (metric: a{x="1", y="2"}, number of labels: 5, limit: 4)',
    );
  });

  it('reports HTTP errors and refused connections as up=0', async () => {
    const t = await serve('a 1\n');
    t.status = 500;
    const closed = await serve();
    const closedAddress = closed.address;
    await closed.close();
    servers.splice(servers.indexOf(closed), 1);
    await h.apply([job({ static_configs: [{ targets: [t.address, closedAddress] }] })]);
    await h.step(INTERVAL_MS);
    const byInstance = new Map(h.manager.targets().activeTargets.map((x) => [x.labels.instance, x]));
    expect(byInstance.get(t.address)!.lastError).toBe('server returned HTTP status 500 Internal Server Error');
    expect(byInstance.get(closedAddress)!.lastError).toMatch(
      /^Get "http:\/\/127\.0\.0\.1:\d+\/metrics": .*ECONNREFUSED/,
    );
    expect(h.values('up', { instance: t.address })).toEqual([0]);
    expect(h.values('up', { instance: closedAddress })).toEqual([0]);
    expect(await h.counter('watchkeeper_scrapes_failed_total', { reason: 'network' })).toBe(1);
    expect(await h.counter('watchkeeper_scrapes_failed_total', { reason: 'http-status' })).toBe(1);
  });
});

describe('ScrapeManager: labels', () => {
  it('renames conflicting exposed labels to exported_*, or keeps them with honor_labels', async () => {
    const t = await serve('m{job="other",instance="x",exported_job="taken"} 1\nn 2\n');
    await h.apply([
      job({ static_configs: [{ targets: [t.address] }] }),
      job({ job_name: 'honoring', honor_labels: true, static_configs: [{ targets: [t.address] }] }),
    ]);
    await h.step(INTERVAL_MS);
    expect(h.series('m').map((s) => s.labels)).toEqual([
      {
        __name__: 'm',
        exported_exported_job: 'other',
        exported_instance: 'x',
        exported_job: 'taken',
        instance: t.address,
        job: 'app',
      },
      { __name__: 'm', exported_job: 'taken', instance: 'x', job: 'other' },
    ]);
    // Without the conflict, target labels are added under both settings.
    expect(h.series('n').map((s) => s.labels.job)).toEqual(['app', 'honoring']);
    // Synthetic series always carry the target's labels.
    expect(h.series('up').map((s) => s.labels.job)).toEqual(['app', 'honoring']);
  });

  it('applies metric_relabel_configs: drop, replace, labeldrop; the synthetic series are not relabeled', async () => {
    const t = await serve('keep_me{path="/a",noise="1"} 1\ndrop_me 2\nkeep_too 3\n');
    await h.apply([
      job({
        metric_relabel_configs: [
          { source_labels: ['__name__'], regex: 'drop_.*', action: 'drop' },
          { source_labels: ['path'], regex: '/(.*)', target_label: 'route', replacement: 'r_$1' },
          { regex: 'noise|path', action: 'labeldrop' },
          { source_labels: ['__name__'], regex: 'up', action: 'drop' },
        ],
        static_configs: [{ targets: [t.address] }],
      }),
    ]);
    await h.step(INTERVAL_MS);
    expect(h.series('keep_me').map((s) => s.labels)).toEqual([
      { __name__: 'keep_me', instance: t.address, job: 'app', route: 'r_a' },
    ]);
    expect(h.series('drop_me')).toEqual([]);
    expect(h.values('keep_too')).toEqual([3]);
    expect(h.values('scrape_samples_scraped')).toEqual([3]);
    expect(h.values('scrape_samples_post_metric_relabeling')).toEqual([2]);
    expect(h.values('up')).toEqual([1]);
  });

  it('drops samples that metric relabeling leaves without a name', async () => {
    const t = await serve('a 1\nb 2\n');
    await h.apply([
      job({
        metric_relabel_configs: [
          { source_labels: ['__name__'], regex: 'a', target_label: '__name__', replacement: '' },
        ],
        static_configs: [{ targets: [t.address] }],
      }),
    ]);
    await h.step(INTERVAL_MS);
    expect(h.values('b')).toEqual([2]);
    expect(h.values('up')).toEqual([1]);
    expect(await h.counter('watchkeeper_scrape_samples_rejected_total', { reason: 'missing-metric-name' })).toBe(1);
  });

  it('relabels targets: keep, drop, labelmap and hashmod sharding', async () => {
    const targets = await Promise.all([serve('x 1\n'), serve('x 1\n'), serve('x 1\n'), serve('x 1\n')]);
    const addresses = targets.map((t) => t.address);
    const shard = (a: string): bigint => hashMod(a, 2n);
    const mine = addresses.filter((a) => shard(a) === 1n);
    await h.apply([
      job({
        static_configs: [
          { targets: addresses.slice(0, 3), labels: { __meta_team: 'core', env: 'prod' } },
          { targets: [addresses[3]], labels: { env: 'dev' } },
        ],
        relabel_configs: [
          { source_labels: ['env'], regex: 'prod', action: 'keep' },
          { source_labels: ['__address__'], target_label: '__tmp_shard', modulus: 2, action: 'hashmod' },
          { source_labels: ['__tmp_shard'], regex: '1', action: 'keep' },
          { regex: '__meta_(.+)', action: 'labelmap' },
          { source_labels: ['__address__'], regex: '127\\.0\\.0\\.1:(\\d+)', target_label: 'port' },
        ],
      }),
    ]);
    const { activeTargets, droppedTargets } = h.manager.targets();
    const expectedActive = mine.filter((a) => addresses.indexOf(a) < 3);
    expect(activeTargets.map((a) => a.labels.instance).sort()).toEqual([...expectedActive].sort());
    expect(droppedTargets).toHaveLength(4 - expectedActive.length);
    for (const a of activeTargets) {
      expect(a.labels).toEqual({
        env: 'prod',
        instance: a.discoveredLabels.__address__,
        job: 'app',
        port: a.discoveredLabels.__address__!.split(':')[1],
        team: 'core',
      });
    }
    await h.step(INTERVAL_MS);
    expect(
      h
        .series('x')
        .map((s) => s.labels.instance)
        .sort(),
    ).toEqual([...expectedActive].sort());
  });

  it('sends params, with __param_ labels replacing the first value', async () => {
    const t = await serve('a 1\n');
    await h.apply([
      job({
        metrics_path: '/probe',
        params: { module: ['http_2xx', 'second'], target: ['ignored'] },
        static_configs: [{ targets: ['example.com/health?x=1 y'] }],
        relabel_configs: [
          { source_labels: ['__address__'], target_label: '__param_target' },
          { source_labels: ['__param_target'], target_label: 'instance' },
          { target_label: '__address__', replacement: t.address },
        ],
      }),
    ]);
    const [info] = h.manager.targets().activeTargets;
    expect(info!.scrapeUrl).toBe(
      `http://${t.address}/probe?module=http_2xx&module=second&target=example.com%2Fhealth%3Fx%3D1+y`,
    );
    await h.step(INTERVAL_MS);
    expect(t.requests[0]!.url).toBe('/probe?module=http_2xx&module=second&target=example.com%2Fhealth%3Fx%3D1+y');
    expect(h.series('a')[0]!.labels.instance).toBe('example.com/health?x=1 y');
  });
});

describe('ScrapeManager: authentication', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wk-scrape-auth-'));

  function requireAuth(t: TestTarget, expected: () => string): void {
    t.handler = (req, res) => {
      if (req.headers.authorization !== expected()) {
        res.writeHead(401).end('unauthorized');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('secret_metric 1\n');
    };
  }

  it('sends basic auth, reading password_file at every scrape', async () => {
    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, 'first\n');
    let password = 'first';
    const t = await serve();
    requireAuth(t, () => `Basic ${Buffer.from(`scraper:${password}`).toString('base64')}`);
    await h.apply([
      job({
        basic_auth: { username: 'scraper', password_file: passwordFile },
        static_configs: [{ targets: [t.address] }],
      }),
    ]);
    await h.step(INTERVAL_MS);
    password = 'rotated';
    await h.step(INTERVAL_MS); // the file still holds the old password
    writeFileSync(passwordFile, 'rotated');
    await h.step(INTERVAL_MS);
    expect(h.values('up')).toEqual([1, 0, 1]);
    expect(h.manager.targets().activeTargets[0]!.lastError).toBe('');
  });

  it('sends bearer tokens from bearer_token, bearer_token_file and authorization', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, ' file-token \n');
    const a = await serve();
    requireAuth(a, () => 'Bearer inline-token');
    const b = await serve();
    requireAuth(b, () => 'Bearer file-token');
    const c = await serve();
    requireAuth(c, () => 'Custom creds');
    await h.apply([
      job({ job_name: 'a', bearer_token: 'inline-token', static_configs: [{ targets: [a.address] }] }),
      job({ job_name: 'b', bearer_token_file: tokenFile, static_configs: [{ targets: [b.address] }] }),
      job({
        job_name: 'c',
        authorization: { type: 'Custom', credentials: 'creds' },
        static_configs: [{ targets: [c.address] }],
      }),
      job({ job_name: 'd', bearer_token_file: join(dir, 'missing'), static_configs: [{ targets: [c.address] }] }),
    ]);
    await h.step(INTERVAL_MS);
    expect(
      h
        .series('secret_metric')
        .map((s) => s.labels.job)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    const d = h.manager.targets({ scrapePool: 'd' }).activeTargets[0]!;
    expect(d.health).toBe('down');
    expect(d.lastError).toMatch(/^unable to read bearer token file .*missing/);
  });
});

describe('ScrapeManager: file_sd', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wk-file-sd-'));
  });

  const sdJob = (files: string[]): Record<string, unknown> =>
    job({ file_sd_configs: [{ files: files.map((f) => join(dir, f)), refresh_interval: '30s' }] });

  it('discovers targets from JSON files, follows changes and stales removed targets', async () => {
    const a = await serve('from_a 1\n');
    const b = await serve('from_b 1\n');
    const file = join(dir, 'targets.json');
    writeFileSync(file, JSON.stringify([{ targets: [a.address], labels: { env: 'prod' } }]));
    await h.apply([sdJob(['*.json'])]);
    const [info] = h.manager.targets().activeTargets;
    expect(info!.labels).toEqual({ env: 'prod', instance: a.address, job: 'app' });
    expect(info!.discoveredLabels.__meta_filepath).toBe(file);
    await h.step(INTERVAL_MS);

    writeFileSync(file, JSON.stringify([{ targets: [b.address], labels: { env: 'prod' } }]));
    await h.steps(6, INTERVAL_MS); // a refresh (or the file watch) picks it up; stale markers follow
    expect(h.manager.targets().activeTargets.map((t) => t.labels.instance)).toEqual([b.address]);
    expect(h.values('from_a').at(-1)).toBe('stale');
    expect(h.values('up', { instance: a.address }).at(-1)).toBe('stale');
    expect(h.values('from_b').length).toBeGreaterThan(0);
    expect(h.values('from_b')).not.toContain('stale');
  });

  it('reads YAML and keeps the last good targets of a file that turns bad', async () => {
    const a = await serve('x 1\n');
    const file = join(dir, 'targets.yml');
    writeFileSync(file, `- targets: ['${a.address}']\n  labels:\n    team: core\n`);
    await h.apply([sdJob(['targets.yml'])]);
    expect(h.manager.targets().activeTargets.map((t) => t.labels.team)).toEqual(['core']);

    writeFileSync(file, '- targets: [unclosed\n');
    await h.steps(3, INTERVAL_MS);
    expect(h.manager.targets().activeTargets.map((t) => t.labels.team)).toEqual(['core']);
    expect(h.values('x')).not.toContain('stale');
    expect(await h.counter('watchkeeper_sd_file_read_errors_total', { file })).toBeGreaterThanOrEqual(1);
    expect(h.logs.find((l) => l.level === 'error')?.fields).toMatchObject({ job: 'app', file });
  });

  it('picks up a changed file through the folder watch, before refresh_interval', async () => {
    const a = await serve('x 1\n');
    const file = join(dir, 'watched.json');
    writeFileSync(file, '[]');
    await h.apply([sdJob(['watched.json'])]);
    expect(h.manager.targets().activeTargets).toEqual([]);
    writeFileSync(file, JSON.stringify([{ targets: [a.address] }]));
    await expect
      .poll(
        async () => {
          await h.manager.settled();
          return h.manager.targets().activeTargets.length;
        },
        { timeout: 5_000 },
      )
      .toBe(1);
  });
});

describe('ScrapeManager: robustness and the targets API', () => {
  it('logs targets it cannot scrape instead of throwing, and filters by state and pool', async () => {
    const t = await serve('a 1\n');
    await h.apply([
      job({
        static_configs: [{ targets: [t.address, 'host:1/with/path', 'dropped:1'] }],
        relabel_configs: [{ source_labels: ['__address__'], regex: 'dropped:.*', action: 'drop' }],
      }),
      job({ job_name: 'other', static_configs: [{ targets: [t.address] }] }),
    ]);
    const warning = h.logs.find((l) => l.message === 'cannot create the scrape target');
    expect(warning?.fields).toMatchObject({ job: 'app', err: '"host:1/with/path" is not a valid hostname' });
    expect(h.manager.targets({ state: 'active' }).droppedTargets).toEqual([]);
    expect(h.manager.targets({ state: 'dropped' })).toEqual({
      activeTargets: [],
      droppedTargets: [
        {
          discoveredLabels: {
            __address__: 'dropped:1',
            __metrics_path__: '/metrics',
            __scheme__: 'http',
            __scrape_interval__: '10s',
            __scrape_timeout__: '5s',
            job: 'app',
          },
        },
      ],
    });
    expect(h.manager.targets({ scrapePool: 'other' }).activeTargets.map((x) => x.scrapePool)).toEqual(['other']);
    await h.step(INTERVAL_MS);
    expect(h.values('up', { job: 'app' })).toEqual([1]);
  });

  it('survives a storage whose commit fails, and counts it', async () => {
    const t = await serve('a 1\n');
    const failing = new ScrapeHarness({
      appender: () => ({
        append: () => undefined,
        commit: () => Promise.reject(new Error('disk full')),
        rollback: () => undefined,
      }),
    });
    try {
      await failing.apply([job({ static_configs: [{ targets: [t.address] }] })]);
      await failing.steps(2, INTERVAL_MS);
      expect(await failing.counter('watchkeeper_scrape_commit_failures_total', { job: 'app' })).toBe(2);
      expect(failing.logs.filter((l) => l.message === 'scrape commit to storage failed')).toHaveLength(2);
    } finally {
      await failing.close();
    }
  });

  it('reports a globalUrl with the external host for loopback targets', async () => {
    const t = await serve('a 1\n');
    const port = t.address.split(':')[1]!;
    const g = new ScrapeHarness(undefined, { host: 'watchkeeper.example:9800' });
    try {
      await g.apply([job({ static_configs: [{ targets: [t.address, `localhost:${port}`, 'db.internal:9100'] }] })]);
      expect(g.manager.targets().activeTargets.map((x) => x.globalUrl)).toEqual([
        `http://watchkeeper.example:${port}/metrics`,
        'http://db.internal:9100/metrics',
        `http://watchkeeper.example:${port}/metrics`,
      ]);
    } finally {
      await g.close();
    }
  });
});
