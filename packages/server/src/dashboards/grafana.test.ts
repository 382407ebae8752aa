import { fileURLToPath } from 'node:url';
import { dashboardSchema } from '@watchkeeper/model';
import { describe, expect, it } from 'vitest';
import { GRAFANA_DATASOURCE_INPUT, layout, loadDashboards, toGrafanaDashboard, type GrafanaJson } from './index.js';

const CONFIG_DASHBOARDS = fileURLToPath(new URL('../../../../config/dashboards/', import.meta.url));
const DASHBOARDS = loadDashboards([CONFIG_DASHBOARDS]).map((f) => f.dashboard);

interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlap = (a: GridPos, b: GridPos): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe.each(DASHBOARDS.map((d) => [d.id, d] as const))('Grafana export of %s', (_id, d) => {
  const json = toGrafanaDashboard(d);
  const panels = json['panels'] as GrafanaJson[];
  const content = panels.filter((p) => p['type'] !== 'row');

  it("has Grafana's envelope: schema 39, one Prometheus input, uid, time, refresh", () => {
    expect(json).toMatchObject({
      schemaVersion: 39,
      uid: d.id,
      title: d.title,
      id: null,
      time: d.time,
      refresh: d.refresh,
      __inputs: [{ name: GRAFANA_DATASOURCE_INPUT, type: 'datasource', pluginId: 'prometheus' }],
    });
    expect(json['__inputs']).toHaveLength(1);
    const requires = json['__requires'] as { type: string; id: string }[];
    for (const p of content) expect(requires).toContainEqual(expect.objectContaining({ type: 'panel', id: p['type'] }));
    expect(JSON.stringify(json)).not.toMatch(/"uid":"(?!\$\{DS_WATCHKEEPER\}|-- Grafana --|[a-z-]+")/);
  });

  it('has every panel, with its title, help and queries', () => {
    const expected = d.rows.flatMap((r) => r.panels);
    expect(content.map((p) => p['title'])).toEqual(expected.map((p) => p.title));
    expect(panels.filter((p) => p['type'] === 'row').map((p) => p['title'])).toEqual(d.rows.map((r) => r.title));
    content.forEach((p, i) => {
      const panel = expected[i]!;
      expect(p['description']).toContain(panel.help);
      if (panel.plan_query !== undefined) expect(p['description']).toContain(panel.plan_query);
      if (panel.type === 'logs') {
        expect(p['type']).toBe('text');
        expect((p['options'] as { content: string }).content).toContain(panel.queries[0]!.expr);
        return;
      }
      const targets = p['targets'] as GrafanaJson[];
      expect(targets.map((t) => t['expr'])).toEqual(panel.queries.map((q) => q.expr));
      expect(targets.map((t) => t['instant'])).toEqual(panel.queries.map((q) => q.instant === true));
      expect(targets.map((t) => t['legendFormat'])).toEqual(panel.queries.map((q) => q.legend ?? '__auto'));
      for (const t of targets) expect(t['datasource']).toEqual({ type: 'prometheus', uid: '${DS_WATCHKEEPER}' });
      expect(new Set(targets.map((t) => t['refId'])).size).toBe(targets.length);
    });
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    const boxes = panels.map((p) => p['gridPos'] as GridPos);
    for (const b of boxes) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.w).toBeLessThanOrEqual(24);
      expect(b.h).toBeGreaterThan(0);
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) expect(overlap(boxes[i]!, boxes[j]!), `${i} and ${j}`).toBe(false);
    }
    // Widths follow the panels' widths of 12; ids are unique.
    expect(content.map((p) => (p['gridPos'] as GridPos).w)).toEqual(
      d.rows.flatMap((r) => r.panels.map((p) => p.width * 2)),
    );
    expect(new Set(panels.map((p) => p['id'])).size).toBe(panels.length);
  });

  it('has the variables as label_values query variables', () => {
    const list = (json['templating'] as { list: GrafanaJson[] }).list;
    expect(list.map((v) => v['name'])).toEqual(d.variables.map((v) => v.name));
    list.forEach((v, i) => {
      const variable = d.variables[i]!;
      const query = `label_values(${variable.metric}, ${variable.source_label})`;
      expect(v).toMatchObject({
        type: 'query',
        definition: query,
        query: { query, qryType: 1 },
        multi: variable.multi,
        includeAll: variable.include_all,
        datasource: { type: 'prometheus', uid: '${DS_WATCHKEEPER}' },
      });
    });
  });
});

describe('Grafana export details', () => {
  const byId = (id: string) => DASHBOARDS.find((d) => d.id === id)!;
  const panel = (json: GrafanaJson, title: string): GrafanaJson =>
    (json['panels'] as GrafanaJson[]).find((p) => p['title'] === title)!;

  it("turns a gauge's target into its thresholds", () => {
    const json = toGrafanaDashboard(byId('revenue-protection'));
    const gauge = panel(json, 'Realized Markup %');
    expect(gauge['type']).toBe('gauge');
    expect(gauge['fieldConfig']).toMatchObject({
      defaults: {
        unit: 'percent',
        min: 0,
        max: 50,
        thresholds: {
          mode: 'absolute',
          steps: [
            { color: 'red', value: null },
            { color: 'orange', value: 18 },
            { color: 'green', value: 20 },
          ],
        },
      },
    });
    // A target without thresholds: red below it, green from it.
    const bare = dashboardSchema.parse({
      id: 'g',
      title: 'G',
      description: 'G.',
      rows: [
        {
          title: 'R',
          panels: [{ id: 'a', title: 'A', type: 'gauge', help: 'H.', target: 20, queries: [{ expr: 'up' }] }],
        },
      ],
    });
    expect(panel(toGrafanaDashboard(bare), 'A')['fieldConfig']).toMatchObject({
      defaults: {
        thresholds: {
          steps: [
            { color: 'red', value: null },
            { color: 'green', value: 20 },
          ],
        },
      },
    });
  });

  it('maps units, drill-down links to data links, and marks the restricted dashboard', () => {
    const exec = toGrafanaDashboard(byId('executive'));
    const top = panel(exec, 'Top Customers by Revenue');
    expect(top['type']).toBe('table');
    expect(top['fieldConfig']).toMatchObject({
      defaults: {
        unit: 'currencyUSD',
        links: [
          {
            title: 'User behaviour of ${__field.labels.company}',
            url: '/d/user-behaviour?var-company=${__field.labels.company_id}&${__url_time_range}',
          },
        ],
      },
    });
    expect(panel(exec, 'Customer Growth')['targets']).toEqual([expect.objectContaining({ interval: '1d' })]);
    const revenue = toGrafanaDashboard(byId('revenue-protection'));
    expect(revenue['tags']).toContain('restricted-internal');
    expect(revenue['description']).toMatch(/^INTERNAL ONLY/);
    // Histogram buckets are de-cumulated by Grafana's heatmap format.
    const quality = panel(toGrafanaDashboard(byId('user-behaviour')), 'Documentation Quality Scores');
    expect((quality['targets'] as GrafanaJson[]).map((t) => t['format'])).toEqual(['heatmap', 'time_series']);
  });

  it('starts a new line when a row is full', () => {
    const d = dashboardSchema.parse({
      id: 'l',
      title: 'L',
      description: 'L.',
      rows: [
        {
          title: 'R',
          panels: [
            { id: 'a', title: 'A', type: 'stat', help: 'H.', width: 8, queries: [{ expr: 'up' }] },
            { id: 'b', title: 'B', type: 'timeseries', help: 'H.', width: 8, queries: [{ expr: 'up' }] },
            { id: 'c', title: 'C', type: 'stat', help: 'H.', width: 12, queries: [{ expr: 'up' }] },
          ],
        },
      ],
    });
    expect(layout(d).map((l) => l.gridPos)).toEqual([
      { x: 0, y: 0, w: 24, h: 1 },
      { x: 0, y: 1, w: 16, h: 5 },
      { x: 0, y: 6, w: 16, h: 9 },
      { x: 0, y: 15, w: 24, h: 5 },
    ]);
  });
});
