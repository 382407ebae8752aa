/**
 * Watchkeeper's Alertmanager API v2 from the outside, with the real clients:
 *  - Debian's amtool 0.25 (`/usr/bin/amtool`, AMTOOL_BIN overrides): `alert query` with its state
 *    flags and matchers, `silence add/query/expire`, byte for byte the same output as against
 *    Debian's Alertmanager 0.25 given the same alerts and silences (when that binary is there too);
 *  - Debian's Prometheus 2.42 (`/usr/bin/prometheus`) with `alerting.alertmanagers` pointing at
 *    Watchkeeper and a rule that fires: the alert arrives, is routed and reaches a webhook.
 * Each part is skipped with a message when its binary is absent.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertmanagerAvailable,
  AMTOOL_BIN,
  CaptureServer,
  postJson,
  startAlertmanager,
  startWatchkeeperAlerting,
  waitFor,
  writeAmtoolHttpConfig,
} from './alertmanager-process.js';
import { adminFetch, freePort, TEST_ADMIN_TOKEN, type ReadyProcess } from './helpers.js';
import { PROMETHEUS_BIN, prometheusAvailable, startPrometheus, type PrometheusProcess } from './prometheus-process.js';

const CONFIG = (hook: string) => `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [cluster]
receivers:
  - name: hook
    webhook_configs: [{ url: '${hook}' }]
`;

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

/** amtool's --http.config.file with the test admin token (written in the first beforeAll). */
let amtoolHttpConfig = '';

function amtool(url: string, args: string[]): Promise<Out> {
  return new Promise((resolve) => {
    execFile(
      AMTOOL_BIN,
      [`--alertmanager.url=${url}`, `--http.config.file=${amtoolHttpConfig}`, '--no-version-check', ...args],
      { encoding: 'utf8' },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const hasAmtool = existsSync(AMTOOL_BIN);
if (!hasAmtool) console.log(`alertmanager-api: ${AMTOOL_BIN} not found, amtool tests skipped`);
if (!prometheusAvailable()) console.log(`alertmanager-api: ${PROMETHEUS_BIN} not found, Prometheus test skipped`);

describe.skipIf(!hasAmtool)('amtool against Watchkeeper', () => {
  const capture = new CaptureServer();
  let dir = '';
  let wk: ReadyProcess;
  let am: ReadyProcess | undefined;
  const startsAt = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const endsAt = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const alerts = [
    {
      labels: { alertname: 'NodeDown', cluster: 'c1', severity: 'critical' },
      annotations: { summary: 'node down' },
      startsAt,
    },
    {
      labels: { alertname: 'DiskFull', cluster: 'c1', severity: 'warning' },
      annotations: { summary: 'disk 91%' },
      startsAt,
    },
    { labels: { alertname: 'DiskFull', cluster: 'c2', severity: 'warning' }, startsAt },
    { labels: { alertname: 'PortalLatency', team: 'portal' }, startsAt, generatorURL: 'http://prom/graph' },
  ];
  const urls = (): string[] => [wk.url, ...(am ? [am.url] : [])];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wk-amtool-'));
    amtoolHttpConfig = writeAmtoolHttpConfig(dir);
    await capture.start();
    [wk, am] = await Promise.all([
      startWatchkeeperAlerting(join(dir, 'wk'), await freePort(), CONFIG(capture.url('/wk'))),
      alertmanagerAvailable()
        ? startAlertmanager(join(dir, 'am'), await freePort(), CONFIG(capture.url('/am')))
        : Promise.resolve(undefined),
    ]);
    for (const url of urls()) expect((await postJson(`${url}/api/v2/alerts`, alerts)).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([wk?.stop(), am?.stop()]);
    await capture.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the same amtool command against Watchkeeper and (when present) Alertmanager. */
  async function both(args: string[]): Promise<Out> {
    const [ours, theirs] = await Promise.all(urls().map((u) => amtool(u, args)));
    if (theirs) expect({ args, out: ours }).toEqual({ args, out: theirs });
    return ours!;
  }

  it.each([
    [['alert', 'query']],
    [['alert', 'query', '-i']],
    [['alert', 'query', '-a', '-i', '-s', '-u']],
    [['alert', 'query', 'alertname=DiskFull']],
    [['alert', 'query', '-i', 'cluster=~"c."', 'severity!=critical']],
    [['alert', 'query', '-o', 'extended', '-i']],
    [['alert', 'query', '-r', 'ho.*']],
    [['alert', 'query', '-r', 'nobody']],
  ])('%j', async (args) => {
    const out = await both(args);
    expect(out.code).toBe(0);
    if (args.includes('-i') && args.length === 3) {
      expect(out.stdout).toMatch(/DiskFull .*disk 91%/);
    }
  });

  it('shows an inhibited alert only with -i', async () => {
    const plain = await amtool(wk.url, ['alert', 'query', 'cluster=c1']);
    expect(plain.stdout).toContain('NodeDown');
    expect(plain.stdout).not.toContain('DiskFull');
    const inhibited = await amtool(wk.url, ['alert', 'query', '-i', 'cluster=c1']);
    expect(inhibited.stdout).toMatch(/DiskFull .* suppressed/);
  });

  it('silence add, query, expire', async () => {
    const ids: Record<string, string> = {};
    for (const url of urls()) {
      const add = await amtool(url, [
        'silence',
        'add',
        'alertname=PortalLatency',
        'team=~"port.*"',
        `--end=${endsAt}`,
        '--author=ops',
        '--comment=deploy',
      ]);
      expect(add).toMatchObject({ code: 0, stderr: '' });
      expect(add.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
      ids[url] = add.stdout.trim();
    }
    for (const url of urls()) expect((await amtool(url, ['silence', 'query', '-q'])).stdout.trim()).toBe(ids[url]);
    // The table (ids differ between the servers: compared without them).
    const tables = await Promise.all(urls().map((u) => amtool(u, ['silence', 'query'])));
    const strip = (o: Out, u: string) => o.stdout.replace(ids[u]!, '<id>');
    if (am) expect(strip(tables[0]!, wk.url)).toBe(strip(tables[1]!, am.url));
    expect(tables[0]!.stdout).toMatch(/alertname="PortalLatency" team=~"port\.\*" .* ops +deploy/);
    // The silenced alert.
    const silenced = await both(['alert', 'query', '-s', 'alertname=PortalLatency']);
    expect(silenced.stdout).toMatch(/PortalLatency .* suppressed/);
    expect((await both(['alert', 'query', 'alertname=PortalLatency'])).stdout).not.toContain('PortalLatency ');
    for (const url of urls()) expect(await amtool(url, ['silence', 'expire', ids[url]!])).toMatchObject({ code: 0 });
    expect((await both(['silence', 'query'])).stdout.split('\n').filter((l) => l.trim() !== '')).toHaveLength(1);
    const expired = await amtool(wk.url, ['silence', 'query', '--expired', '-q']);
    expect(expired.stdout.trim()).toBe(ids[wk.url]);
  });

  it('rejects what Alertmanager rejects', async () => {
    const out = await both(['silence', 'add', 'alertname=~""', '--comment=x']);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('at least one matcher must not match the empty string');
  });
});

describe.skipIf(!prometheusAvailable())('Prometheus sends its alerts to Watchkeeper', () => {
  const capture = new CaptureServer();
  let dir = '';
  let wk: ReadyProcess;
  let prom: PrometheusProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wk-prom-am-'));
    await capture.start();
    const wkPort = await freePort();
    wk = await startWatchkeeperAlerting(join(dir, 'wk'), wkPort, CONFIG(capture.url('/wk')));
    writeFileSync(
      join(dir, 'rules.yml'),
      `groups:
  - name: demo
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: { severity: warning, team: portal }
        annotations: { summary: 'it fires ({{ $value }})' }
`,
    );
    prom = await startPrometheus({
      port: await freePort(),
      dir,
      // Alertmanager targets are discovered after about 5 s; the first send happened before that.
      extraArgs: ['--rules.alert.resend-delay=1s'],
      config: `global:
  scrape_interval: 1h
  evaluation_interval: 1s
rule_files: [${JSON.stringify(join(dir, 'rules.yml'))}]
alerting:
  alertmanagers:
    - api_version: v2
      authorization: { credentials: ${TEST_ADMIN_TOKEN} }
      static_configs: [{ targets: ['127.0.0.1:${wkPort}'] }]
scrape_configs: []
`,
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([prom?.stop(), wk?.stop()]);
    await capture.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the firing rule arrives through POST /api/v2/alerts, is grouped and notified', async () => {
    type ApiAlert = {
      labels: Record<string, string>;
      annotations: Record<string, string>;
      generatorURL?: string;
      status: { state: string };
    };
    let alerts: ApiAlert[] = [];
    await waitFor(
      async () => {
        alerts = (await (await adminFetch(`${wk.url}/api/v2/alerts`)).json()) as ApiAlert[];
        return alerts.length > 0;
      },
      30_000,
      'the alert from Prometheus',
    );
    expect(alerts[0]).toMatchObject({
      labels: { alertname: 'AlwaysFiring', severity: 'warning', team: 'portal' },
      annotations: { summary: 'it fires (1)' },
      status: { state: 'active' },
    });
    expect(alerts[0]!.generatorURL).toMatch(/^http:\/\/.*\/graph\?g0\.expr=vector%281%29/);
    await waitFor(() => capture.on('/wk').length > 0, 15_000, 'the webhook notification');
    const body = JSON.parse(capture.on('/wk')[0]!.body) as { receiver: string; groupKey: string; alerts: unknown[] };
    expect(body).toMatchObject({ receiver: 'hook', groupKey: '{}:{alertname="AlwaysFiring"}' });
  });
});
