/**
 * The web UI in headless Chromium (Debian's `chromium`, driven by playwright-core) against the
 * system `npm start` runs: the launcher starts Watchkeeper with the repository's configuration
 * (config/watchkeeper.yml, its rules, routes, dashboards), the reference portal and the fleet
 * simulator. Only the ports differ (the test picks free ones) and the state lives in a temporary
 * folder. Then, as a user: log in with the one-time admin password the first start printed, open
 * every dashboard and see every panel render data, run a query in Explore, and silence an alert
 * from the alerts page. Screenshots of each dashboard go to test/e2e/screenshots/ (gitignored).
 *
 * Skipped with a reason when /usr/bin/chromium is not installed (`.ci/run` installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, type RunningSystem } from '../../packages/demo/src/launcher/launcher.js';
import { freePort, freePortBlock } from './helpers.js';

const CHROMIUM = process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium';
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = join(REPO, 'test', 'e2e', 'screenshots');
const DASHBOARDS = ['executive', 'operations', 'revenue-protection', 'user-behaviour'] as const;
/** The repository's ports: Watchkeeper 9800, the portal 9200–9209. */
const WK_DEFAULT_PORT = 9800;
const PORTAL_DEFAULT_BASE = 9200;

/**
 * config/ as `npm start` uses it, with the ports moved: watchkeeper.yml and alertmanager.yml are
 * copied with every 127.0.0.1:9800 / 127.0.0.1:92NN rewritten; rules/ and dashboards/ are linked.
 * State paths (`../.watchkeeper/...`) stay relative, so they land in `<dir>/.watchkeeper`.
 */
function writeConfig(dir: string, wkPort: number, basePort: number): string {
  const configDir = join(dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const movePorts = (text: string): string =>
    text
      .replaceAll(`127.0.0.1:${WK_DEFAULT_PORT}`, `127.0.0.1:${wkPort}`)
      .replace(/127\.0\.0\.1:92(\d\d)\b/g, (_, nn: string) => `127.0.0.1:${basePort + Number(nn)}`);
  for (const file of ['watchkeeper.yml', 'alertmanager.yml']) {
    writeFileSync(join(configDir, file), movePorts(readFileSync(join(REPO, 'config', file), 'utf8')));
  }
  for (const folder of ['rules', 'dashboards']) symlinkSync(join(REPO, 'config', folder), join(configDir, folder));
  expect(PORTAL_DEFAULT_BASE).toBe(9200);
  return join(configDir, 'watchkeeper.yml');
}

describe.skipIf(!existsSync(CHROMIUM))('web UI in Chromium against the npm start system', () => {
  let dir = '';
  let system: RunningSystem | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let wk = '';
  let adminToken = '';
  const output: string[] = [];

  const api = async (path: string): Promise<unknown> => {
    const res = await fetch(`${wk}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
    return res.json();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wk-ui-'));
    const basePort = await freePortBlock(10);
    const wkPort = await freePort();
    wk = `http://127.0.0.1:${wkPort}`;
    const configFile = writeConfig(dir, wkPort, basePort);
    // The payment processor goes down six simulated hours in (72 s at 300×: orders, markup and
    // margins have data by then) and stays down, so PaymentProcessingDown fires (for: 2m) while
    // the dashboards are being checked.
    writeFileSync(
      join(dir, 'scenario.yml'),
      '- { at: 6h, fault: { kind: down, service: payment-processor, duration_ms: 48h } }\n',
    );
    system = await launch({
      configFile,
      stateDir: join(dir, '.watchkeeper'),
      watchkeeperUrl: wk,
      basePort,
      seed: 3,
      speed: 300,
      simulatorArgs: ['--scenario', join(dir, 'scenario.yml'), '--start', '2026-11-25T08:00:00Z'],
      onOutput: (name, line) => output.push(`[${name}] ${line}`),
    });
    adminToken = readFileSync(system.adminTokenFile, 'utf8').trim();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    mkdirSync(SHOTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('logs in with the one-time admin password that the first start printed', async () => {
    expect(system!.adminPassword).toBeDefined();
    // The launcher also printed it, as `npm start` does.
    await page.goto(`${wk}/dashboards/executive`);
    await page.waitForURL(/\/login/);
    await page.getByLabel(/user/i).fill('admin');
    await page.getByLabel(/password/i).fill('wrong-password');
    await page.getByRole('button', { name: /log in/i }).click();
    // Refused (after a scrypt verification: slow on purpose).
    await page.getByRole('alert').first().waitFor({ timeout: 15_000 });
    await page.getByLabel(/password/i).fill(system!.adminPassword!);
    await page.getByRole('button', { name: /log in/i }).click();
    await page.waitForURL(/\/dashboards\/executive/, { timeout: 15_000 });
    // The session cookie is HttpOnly: the page's script cannot read it.
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'wk_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate('document.cookie')).not.toContain('wk_session');
  });

  for (const id of DASHBOARDS) {
    it(`dashboard ${id}: every panel renders data`, async () => {
      // Evaluated in the page (a string: the test's TypeScript has no DOM types).
      const states = async (): Promise<Record<string, string>> =>
        page.evaluate<Record<string, string>>(
          `Object.fromEntries([...document.querySelectorAll('[data-panel-id]')]` +
            `.map((e) => [e.getAttribute('data-panel-id'), e.getAttribute('data-state')]))`,
        );
      // The simulator feeds the portal at 300×: panels fill as scrapes (every 10 s) arrive.
      // Each visit reloads with the dashboard's default range; wait until nothing is empty.
      const deadline = Date.now() + 150_000;
      let last: Record<string, string> = {};
      for (;;) {
        await page.goto(`${wk}/dashboards/${id}`);
        await page.waitForSelector('[data-panel-id]');
        await expect
          .poll(async () => Object.values(await states()).filter((s) => s === 'loading').length, { timeout: 30_000 })
          .toBe(0);
        last = await states();
        const notReady = Object.entries(last).filter(([, s]) => s !== 'ok' && s !== 'logs');
        if (notReady.length === 0 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 5_000));
      }
      // Data is there; the chart libraries (ECharts is loaded lazily) draw it.
      await expect.poll(() => page.getByText('Loading chart…').count(), { timeout: 30_000 }).toBe(0);
      await page.screenshot({ path: join(SHOTS, `${id}.png`), fullPage: true });
      expect(Object.keys(last).length).toBeGreaterThan(3);
      // 'logs': the honest empty state of the logs panel (no log store yet); nothing else may be
      // empty or an error.
      expect(Object.entries(last).filter(([, s]) => s !== 'ok' && s !== 'logs')).toEqual([]);
    }, 240_000);
  }

  it('explore runs a query and shows it as a graph and a table', async () => {
    const explore = (tab: string): string =>
      `${wk}/explore?query=${encodeURIComponent('sum by (job) (up)')}&range=15m&tab=${tab}`;
    await page.goto(explore('graph'));
    await page.waitForSelector('.uplot canvas');
    await page.screenshot({ path: join(SHOTS, 'explore-graph.png') });
    await page.goto(explore('table'));
    // Label values are shown as JSON strings, as Prometheus's UI does.
    const cell = page.getByText('"parts-api"', { exact: true });
    await cell.first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'explore-table.png') });
  }, 60_000);

  it('creates a silence from a firing alert', async () => {
    // PaymentProcessingDown fires 2 minutes after the payment processor went down.
    await expect
      .poll(
        async () => {
          const alerts = (await api('/api/v2/alerts?active=true')) as { labels: Record<string, string> }[];
          return alerts.some((a) => a.labels['alertname'] === 'PaymentProcessingDown');
        },
        { timeout: 300_000, interval: 2_000 },
      )
      .toBe(true);
    await page.goto(`${wk}/alerts`);
    const alert = page
      .locator('li')
      .filter({ hasText: 'PaymentProcessingDown' })
      .filter({ has: page.getByRole('button', { name: /^silence/i }) })
      .first();
    await alert.getByRole('button', { name: /^silence/i }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByPlaceholder(/why/i).fill('UI test: payment processor failover');
    await dialog.getByRole('button', { name: 'Create silence' }).click();
    await expect
      .poll(
        async () => {
          const silences = (await api('/api/v2/silences')) as {
            status: { state: string };
            comment: string;
            matchers: { name: string; value: string }[];
          }[];
          return silences.some(
            (s) =>
              s.status.state === 'active' &&
              s.comment.includes('UI test') &&
              s.matchers.some((m) => m.name === 'alertname' && m.value === 'PaymentProcessingDown'),
          );
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    await page.screenshot({ path: join(SHOTS, 'alerts-silenced.png') });
  }, 360_000);
});
