import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkDashboardPaths,
  DashboardLoadError,
  loadDashboardFolder,
  loadDashboards,
  parseDashboardText,
} from './index.js';

const CONFIG_DASHBOARDS = fileURLToPath(new URL('../../../../config/dashboards/', import.meta.url));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'wk-dashboards-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A valid dashboard; `panel` lines are indented as a panel's keys, `top` lines as top-level keys. */
function dashboard(
  opts: { id?: string; top?: string; panel?: string; query?: string; extraPanels?: string } = {},
): string {
  return `id: ${opts.id ?? 'test'}
title: Test
description: A test dashboard.
${opts.top ?? ''}
rows:
  - title: Row
    panels:
      - id: p1
        title: Panel one
        type: stat
        help: Help text.
        queries:
          - expr: ${opts.query ?? 'sum(up)'}
${opts.panel ?? ''}
${opts.extraPanels ?? ''}`;
}

const problemsOf = (text: string): string[] => parseDashboardText(text, 'd.yml').problems;

describe('the repository dashboards (config/dashboards)', () => {
  it('load without a problem: the four dashboards of the plan', () => {
    const loaded = loadDashboards([CONFIG_DASHBOARDS]);
    expect(loaded.map((f) => f.dashboard.id)).toEqual([
      'executive',
      'operations',
      'revenue-protection',
      'user-behaviour',
    ]);
    const revenue = loaded.find((f) => f.dashboard.id === 'revenue-protection')!.dashboard;
    expect(revenue.access).toBe('restricted_internal');
    for (const { dashboard: d } of loaded) {
      for (const row of d.rows) for (const p of row.panels) expect(p.help.length, p.id).toBeGreaterThan(20);
    }
  });

  it('cover every visualization of the plan', () => {
    const types = new Set(
      loadDashboards([CONFIG_DASHBOARDS]).flatMap((f) => f.dashboard.rows.flatMap((r) => r.panels.map((p) => p.type))),
    );
    expect([...types].sort()).toEqual(
      [
        'area',
        'bars',
        'distribution',
        'funnel',
        'gauge',
        'heatmap',
        'histogram',
        'horizontal_bars',
        'leaderboard',
        'line',
        'logs',
        'pie',
        'stat',
        'status_grid',
        'table',
        'timeseries',
      ].sort(),
    );
  });
});

describe('parseDashboardText', () => {
  it('applies the defaults of the schema', () => {
    const r = parseDashboardText(dashboard(), 'd.yml');
    expect(r.problems).toEqual([]);
    expect(r.dashboard).toMatchObject({
      access: 'public',
      time: { from: 'now-6h', to: 'now' },
      refresh: '30s',
      variables: [],
      rows: [{ panels: [{ unit: 'short', width: 4 }] }],
    });
  });

  it('reports invalid YAML with its line', () => {
    expect(problemsOf('id: x\ntitle: [unclosed\n')).toEqual([
      expect.stringMatching(
        /^d\.yml:3:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a \]$/,
      ),
    ]);
    expect(problemsOf('id: x\nid: y\n')[0]).toMatch(/^d\.yml:2:1: invalid YAML: Map keys must be unique/);
  });

  it('reports an empty file', () => {
    expect(problemsOf('')).toEqual(['d.yml: empty file']);
  });

  it('names file, line, column and path of a schema error', () => {
    const text = dashboard().replace('type: stat', 'type: pi');
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(
        /^d\.yml:10:15: rows\.0\.panels\.0\.type: Invalid enum value\. Expected 'stat' \| .*received 'pi'$/,
      ),
    ]);
  });

  it('points at an unknown key', () => {
    const text = dashboard({ panel: '        colour: red' });
    expect(problemsOf(text)).toEqual(['d.yml:14:9: rows.0.panels.0: unknown key(s) "colour"']);
  });

  it('points at the object that lacks a required key', () => {
    const text = dashboard().replace('        help: Help text.\n', '');
    expect(problemsOf(text)).toEqual(['d.yml:8:9: rows.0.panels.0.help: Required']);
  });

  it('reports a query that is not PromQL, at the query', () => {
    const p = problemsOf(dashboard({ query: 'sum(rate(up[5m])' }));
    expect(p).toEqual([
      expect.stringMatching(/^d\.yml:13:19: rows\.0\.panels\.0\.queries\.0\.expr: invalid PromQL: .*\(near /),
    ]);
  });

  it('reports the plan-style queries that are not valid PromQL', () => {
    expect(problemsOf(dashboard({ query: '"sum(sms_mrr_dollars) by (month) by (x)"' }))[0]).toMatch(/invalid PromQL/);
    expect(problemsOf(dashboard({ query: '_sms_quote_to_order_conversion by (price_band)' }))[0]).toMatch(
      /invalid PromQL/,
    );
  });

  it('substitutes variables and built-ins before parsing', () => {
    const top =
      'variables:\n  - { name: company, label: Company, metric: sms_company_active, source_label: company_id }';
    const query = `'sum(increase(sms_revenue_total{company_id=~"$company"}[$__range])) / $__range_s + 0 * sum(rate(up[$__rate_interval])) + 0 * sum(rate(up[\${__interval}]))'`;
    expect(problemsOf(dashboard({ top, query }))).toEqual([]);
  });

  it('reports undefined variables and unknown built-ins', () => {
    expect(problemsOf(dashboard({ query: `'up{job=~"$service"}'` }))).toEqual([
      expect.stringMatching(/rows\.0\.panels\.0\.queries\.0\.expr: refers to undefined variable\(s\) \$service$/),
    ]);
    expect(problemsOf(dashboard({ query: `'rate(up[$__range_typo])'` }))[0]).toMatch(
      /unknown built-in\(s\) \$__range_typo/,
    );
  });

  it('requires a regex matcher for a variable (its value is a regex of the selected values)', () => {
    const top = 'variables: [{ name: service, label: Service, metric: up, source_label: job }]';
    expect(problemsOf(dashboard({ top, query: `'up{job="$service"}'` }))).toEqual([
      expect.stringMatching(/queries\.0\.expr: \$service in an = or != matcher: .* match it with =~ or !~$/),
    ]);
    expect(problemsOf(dashboard({ top, query: `'up{job!~"$service", x="a"}'` }))).toEqual([]);
  });

  it('does not parse the LogQL of a logs panel', () => {
    const text = dashboard().replace('type: stat', 'type: logs').replace('sum(up)', `'{level="error"} |= "exception"'`);
    expect(problemsOf(text)).toEqual([]);
  });

  it("checks a variable's metric: a series selector, using earlier variables only", () => {
    const ok = `variables:
  - { name: company, label: Company, metric: sms_company_active, source_label: company_id }
  - { name: vessel, label: Vessel, metric: 'sms_vessel_active{company_id=~"$company"}', source_label: vessel_id }`;
    expect(problemsOf(dashboard({ top: ok }))).toEqual([]);
    const bad = `variables:
  - { name: vessel, label: Vessel, metric: 'sum(sms_vessel_active)', source_label: vessel_id }
  - { name: other, label: Other, metric: 'up{job=~"$later"}', source_label: job }
  - { name: later, label: Later, metric: up, source_label: job }
  - { name: later, label: Again, metric: up, source_label: job }`;
    expect(problemsOf(dashboard({ top: bad }))).toEqual([
      'd.yml:5:44: variables.0.metric: "sum(sms_vessel_active)" is not a series selector (metric{label="value"})',
      'd.yml:6:42: variables.1.metric: refers to undefined variable(s) $later',
      'd.yml:8:13: variables.3.name: duplicate variable "later"',
    ]);
  });

  it('reports duplicate panel ids, unordered thresholds, a target off a gauge, bad links and times', () => {
    const extra = `      - id: p1
        title: Again
        type: timeseries
        help: Help.
        target: 20
        thresholds: [{ value: 10, color: ok }, { value: 5, color: critical }]
        links: [{ title: Somewhere, target: 'dashbord:x' }]
        queries: [{ expr: up }]`;
    const text = dashboard({ top: 'time: { from: yesterday }', extraPanels: extra });
    expect(problemsOf(text)).toEqual([
      'd.yml:4:15: time.from: "yesterday" is not "now" or "now-<duration>" (now-6h, now-30d)',
      'd.yml:15:13: rows.0.panels.1.id: duplicate panel id "p1" (also at rows.0.panels.0)',
      'd.yml:20:57: rows.0.panels.1.thresholds.1.value: thresholds must ascend',
      'd.yml:19:17: rows.0.panels.1.target: a target is drawn on gauge panels only, not on timeseries',
      'd.yml:21:45: rows.0.panels.1.links.0.target: "dashbord:x" is not dashboard:<id>[?var=value&...], explore, or an http(s) or /path URL',
    ]);
  });
});

describe('checks across files', () => {
  it('rejects duplicate dashboard ids, naming both files', () => {
    const dir = tempDir({ 'a.yml': dashboard({ id: 'same' }), 'b.yml': dashboard({ id: 'same' }) });
    const [a, b] = checkDashboardPaths([dir]);
    expect(a!.problems).toEqual([]);
    expect(b!.problems).toEqual([
      `${join(dir, 'b.yml')}:1:5: id: duplicate dashboard id "same" (also in ${join(dir, 'a.yml')})`,
    ]);
  });

  it('checks drill-down links: the dashboard and its variables exist', () => {
    const target = dashboard({
      id: 'target',
      top: 'variables: [{ name: company, label: Company, metric: sms_company_active, source_label: company_id }]',
    });
    const links = `        links:
          - { title: Good, target: 'dashboard:target?company=\${company_id}' }
          - { title: Implicit, target: 'dashboard:target' }
          - { title: No variable, target: 'dashboard:target?vessel=x' }
          - { title: Nowhere, target: 'dashboard:nowhere' }
          - { title: Explore, target: explore }
          - { title: URL, target: 'https://example.com/x?c=\${company}' }`;
    const dir = tempDir({ 'source.yml': dashboard({ id: 'source', panel: links }), 'target.yml': target });
    const source = checkDashboardPaths([join(dir, 'source.yml')]);
    // target.yml was not named, but links may point at it: it is beside source.yml.
    expect(source.map((f) => f.file)).toEqual([join(dir, 'source.yml')]);
    expect(source[0]!.problems).toEqual([
      expect.stringMatching(
        /:17:43: rows\.0\.panels\.0\.links\.2\.target: dashboard "target" has no variable\(s\) "vessel"$/,
      ),
      expect.stringMatching(
        /:18:39: rows\.0\.panels\.0\.links\.3\.target: links to dashboard "nowhere", which does not exist$/,
      ),
    ]);
  });

  it('loadDashboards throws every problem at once', () => {
    const dir = tempDir({ 'a.yml': dashboard({ query: 'sum(' }), 'b.yml': 'id: 1\n' });
    let error: unknown;
    try {
      loadDashboards([dir]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DashboardLoadError);
    expect((error as DashboardLoadError).problems).toHaveLength(5); // a: PromQL; b: id (a number), no title, description, rows
  });
});

describe('loadDashboardFolder', () => {
  it('treats a missing folder as no dashboards unless the configuration names it', () => {
    const dir = tempDir({});
    expect(loadDashboardFolder(join(dir, 'none'), false)).toEqual([]);
    expect(() => loadDashboardFolder(join(dir, 'none'), true)).toThrow(/the dashboards folder does not exist/);
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'x.yaml'), dashboard({ id: 'x' }));
    writeFileSync(join(dir, 'sub', 'notes.txt'), 'not a dashboard');
    expect(loadDashboardFolder(join(dir, 'sub'), true).map((f) => f.dashboard.id)).toEqual(['x']);
  });
});
