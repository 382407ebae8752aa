import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandOutput } from '../rules/index.js';
import { runCheckDashboards } from './check-dashboards.js';

const CONFIG_DASHBOARDS = fileURLToPath(new URL('../../../../config/dashboards', import.meta.url));

function buffered(): CommandOutput & { out: string; err: string } {
  const o = {
    out: '',
    err: '',
    stdout: (t: string) => void (o.out += t),
    stderr: (t: string) => void (o.err += t),
  };
  return o;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('watchkeeper check dashboards', () => {
  it('reports SUCCESS for every dashboard of config/dashboards, exit code 0', async () => {
    const o = buffered();
    expect(await runCheckDashboards([CONFIG_DASHBOARDS], o)).toBe(0);
    expect(o.err).toBe('');
    expect(o.out).toBe(
      [
        `Checking ${join(CONFIG_DASHBOARDS, 'executive.yml')}`,
        '  SUCCESS: dashboard "executive", 7 panels, 1 variables',
        '',
        `Checking ${join(CONFIG_DASHBOARDS, 'operations.yml')}`,
        '  SUCCESS: dashboard "operations", 6 panels, 1 variables',
        '',
        `Checking ${join(CONFIG_DASHBOARDS, 'revenue-protection.yml')}`,
        '  SUCCESS: dashboard "revenue-protection", 6 panels, 0 variables (restricted_internal)',
        '',
        `Checking ${join(CONFIG_DASHBOARDS, 'user-behaviour.yml')}`,
        '  SUCCESS: dashboard "user-behaviour", 6 panels, 2 variables',
        '',
        '',
      ].join('\n'),
    );
  });

  it('reports FAILED with each problem on stderr, exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-check-dashboards-'));
    dirs.push(dir);
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      [
        'id: bad',
        'title: Bad',
        'description: Broken on purpose.',
        'rows:',
        '  - title: Row',
        '    panels:',
        '      - { id: a, title: A, type: pi, help: H., queries: [{ expr: up }] }',
        '      - { id: b, title: B, type: stat, help: H., queries: [{ expr: "sum(sms_mrr_dollars) by (month) by (x)" }] }',
        '',
      ].join('\n'),
    );
    const o = buffered();
    expect(await runCheckDashboards([bad, join(CONFIG_DASHBOARDS, 'operations.yml')], o)).toBe(1);
    expect(o.out).toContain(`Checking ${bad}\n\nChecking ${join(CONFIG_DASHBOARDS, 'operations.yml')}\n  SUCCESS`);
    expect(o.err).toMatch(
      new RegExp(
        `^  FAILED:\n${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:7:34: rows\\.0\\.panels\\.0\\.type: Invalid enum value\\. Expected 'stat'`,
      ),
    );
    expect(o.err.trim().split('\n')).toHaveLength(2); // FAILED and the schema error: PromQL is checked once the schema passes
  });

  it('refuses missing arguments and paths', async () => {
    const o = buffered();
    expect(await runCheckDashboards([], o)).toBe(1);
    expect(await runCheckDashboards(['/no/such/dir'], o)).toBe(1);
    expect(o.err).toContain("required argument 'dashboard-files' not provided");
    expect(o.err).toContain("path '/no/such/dir' does not exist");
    const help = buffered();
    expect(await runCheckDashboards(['--help'], help)).toBe(0);
    expect(help.out).toMatch(/^Usage: watchkeeper check dashboards DIR\|FILE\.\.\./);
  });
});
