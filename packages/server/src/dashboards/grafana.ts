/**
 * A dashboard as Grafana's dashboard JSON (the classic model, schemaVersion 39, Grafana 10.4 and
 * later), ready for Dashboards → Import: one Prometheus data source input `DS_WATCHKEEPER` (point
 * it at Watchkeeper's URL), panels on Grafana's 24-column grid from each panel's `width` (of 12)
 * and the rows, targets with `expr`, `legendFormat` and `instant`, units and thresholds in
 * `fieldConfig`, the help as the panel's description, variables as `label_values(metric, label)`
 * query variables. Grafana expands `$__range`, `$__interval`, `$__rate_interval` and variables as
 * Watchkeeper's UI does, so the queries are the same text.
 *
 * Panel types Grafana lacks are mapped to the nearest it has: funnel → horizontal bar gauge,
 * leaderboard → table sorted by value, histogram/distribution → bar gauge over the buckets
 * (`format: heatmap` turns cumulative `le` buckets into counts per bucket), heatmap of series
 * (no `le`) → status history, status grid → stat tiles coloured by thresholds, logs → a text
 * panel (Watchkeeper has no logs to query yet; the LogQL query is kept in it). Grafana does not
 * enforce `access: restricted_internal`: the export of such a dashboard says so in its
 * description and tags, and only a principal who may read restricted series can download it.
 */
import type { Dashboard, Panel, PanelType, Unit } from '@watchkeeper/model';
import { parseDashboardLink } from './load.js';

/** Grafana's JSON: plain objects. */
export type GrafanaJson = Record<string, unknown>;

export const GRAFANA_SCHEMA_VERSION = 39;
export const GRAFANA_DATASOURCE_INPUT = 'DS_WATCHKEEPER';
const GRID_COLUMNS = 24;
const DATASOURCE = { type: 'prometheus', uid: `\${${GRAFANA_DATASOURCE_INPUT}}` } as const;

const UNIT_IDS: Readonly<Record<Unit, string>> = {
  none: 'none',
  short: 'short',
  dollars: 'currencyUSD',
  percent: 'percent',
  percentunit: 'percentunit',
  seconds: 's',
  bytes: 'bytes',
  reqps: 'reqps',
};

const COLORS: Readonly<Record<string, string>> = { ok: 'green', warning: 'orange', critical: 'red' };

/** Height in grid rows (30 px each) by panel type. */
function heightOf(type: PanelType): number {
  switch (type) {
    case 'stat':
      return 5;
    case 'gauge':
    case 'status_grid':
      return 7;
    default:
      return 9;
  }
}

/** Whether a query returns histogram buckets: its legend is `{{le}}`, or it is `sum by (le) (...)`. */
function isBucketQuery(expr: string, legend: string | undefined): boolean {
  return legend === '{{le}}' || /^\s*sum\s*by\s*\(\s*le\s*\)/.test(expr);
}

function grafanaType(panel: Panel): string {
  const anyRange = panel.queries.some((q) => q.instant !== true);
  switch (panel.type) {
    case 'stat':
    case 'status_grid':
      return 'stat';
    case 'timeseries':
    case 'area':
    case 'line':
      return 'timeseries';
    case 'bars':
      return anyRange ? 'timeseries' : 'bargauge';
    case 'horizontal_bars':
    case 'funnel':
    case 'histogram':
    case 'distribution':
      return 'bargauge';
    case 'gauge':
      return 'gauge';
    case 'heatmap':
      return panel.queries.some((q) => isBucketQuery(q.expr, q.legend)) ? 'heatmap' : 'status-history';
    case 'table':
    case 'leaderboard':
      return 'table';
    case 'pie':
      return 'piechart';
    case 'logs':
      return 'text';
  }
}

const PANEL_NAMES: Readonly<Record<string, string>> = {
  stat: 'Stat',
  timeseries: 'Time series',
  bargauge: 'Bar gauge',
  gauge: 'Gauge',
  heatmap: 'Heatmap',
  'status-history': 'Status history',
  table: 'Table',
  piechart: 'Pie chart',
  text: 'Text',
};

function thresholdSteps(panel: Panel): { color: string; value: number | null }[] {
  const color = (c: string): string => COLORS[c] ?? c;
  if (panel.thresholds === undefined) {
    // A gauge's target: red below it, green from it.
    return panel.target === undefined
      ? [{ color: 'green', value: null }]
      : [
          { color: 'red', value: null },
          { color: 'green', value: panel.target },
        ];
  }
  const given = [...panel.thresholds];
  if (panel.target !== undefined && !given.some((t) => t.value === panel.target)) {
    given.push({ value: panel.target, color: 'ok' });
    given.sort((a, b) => a.value - b.value);
  }
  // Grafana's first step is the base (value null): what is below every threshold.
  const [first, ...rest] = given;
  if (first === undefined) return [{ color: 'green', value: null }];
  const base =
    first.value <= (panel.min ?? 0)
      ? [{ color: color(first.color), value: null }]
      : [
          { color: 'green', value: null },
          { color: color(first.color), value: first.value },
        ];
  return [...base, ...rest.map((t) => ({ color: color(t.color), value: t.value }))];
}

/** `${label}` of a link → Grafana's data link variable for a series label. */
function grafanaLinkText(text: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, label: string) =>
    label.startsWith('__') ? `\${${label}}` : `\${__field.labels.${label}}`,
  );
}

/** Data links (clicking a series): dashboards by uid with their variables, and URLs. Explore links are Grafana's own menu. */
function dataLinks(panel: Panel): { title: string; url: string }[] {
  const out: { title: string; url: string }[] = [];
  for (const link of panel.links ?? []) {
    if (link.target === 'explore') continue;
    const dash = parseDashboardLink(link.target);
    let url: string;
    if (dash !== undefined) {
      const query = link.target.includes('?') ? link.target.slice(link.target.indexOf('?') + 1) : '';
      const vars = query
        .split('&')
        .filter((kv) => kv !== '')
        .map((kv) => `var-${kv}`);
      url = `/d/${dash.id}?${[...vars, '${__url_time_range}'].join('&')}`;
    } else {
      url = link.target;
    }
    out.push({ title: grafanaLinkText(link.title), url: grafanaLinkText(url) });
  }
  return out;
}

function refId(i: number): string {
  return String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : '');
}

function description(panel: Panel): string {
  return panel.plan_query === undefined ? panel.help : `${panel.help}\n\nThe plan's query: \`${panel.plan_query}\``;
}

function targets(panel: Panel, type: string): GrafanaJson[] {
  return panel.queries.map((q, i) => {
    const buckets = isBucketQuery(q.expr, q.legend) && (type === 'bargauge' || type === 'heatmap');
    const table = type === 'table';
    return {
      datasource: DATASOURCE,
      refId: refId(i),
      expr: q.expr,
      legendFormat: q.legend ?? '__auto',
      instant: q.instant === true,
      range: q.instant !== true,
      editorMode: 'code',
      ...(buckets ? { format: 'heatmap' } : table ? { format: 'table' } : { format: 'time_series' }),
      ...(q.interval !== undefined && { interval: q.interval }),
    };
  });
}

function options(panel: Panel, type: string): GrafanaJson {
  const reduce = { calcs: ['lastNotNull'], fields: '', values: false };
  const legend = { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] };
  switch (type) {
    case 'stat':
      return panel.type === 'status_grid'
        ? {
            reduceOptions: reduce,
            colorMode: 'background',
            graphMode: 'none',
            textMode: 'value_and_name',
            justifyMode: 'auto',
            orientation: 'auto',
          }
        : {
            reduceOptions: reduce,
            colorMode: 'value',
            graphMode: 'area',
            textMode: 'auto',
            justifyMode: 'auto',
            orientation: 'auto',
          };
    case 'gauge':
      return { reduceOptions: reduce, showThresholdLabels: false, showThresholdMarkers: true, orientation: 'auto' };
    case 'bargauge':
      return {
        reduceOptions: reduce,
        orientation:
          panel.type === 'bars' || panel.type === 'histogram' || panel.type === 'distribution'
            ? 'vertical'
            : 'horizontal',
        displayMode: 'gradient',
        showUnfilled: true,
        valueMode: 'color',
      };
    case 'piechart':
      return {
        reduceOptions: reduce,
        pieType: 'pie',
        legend: { ...legend, placement: 'right' },
        tooltip: { mode: 'single' },
      };
    case 'table':
      return { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' } };
    case 'status-history':
      return { showValue: 'never', rowHeight: 0.9, colWidth: 0.9, legend, tooltip: { mode: 'single' } };
    case 'heatmap':
      return {
        calculate: false,
        yAxis: { axisPlacement: 'left' },
        cellGap: 1,
        color: { mode: 'scheme', scheme: 'Oranges' },
      };
    case 'text':
      return {
        mode: 'markdown',
        content: [
          `**${panel.title}**: ${panel.help}`,
          '',
          'Watchkeeper does not collect logs yet. The query, for a Loki data source:',
          '',
          '```',
          panel.queries[0]?.expr ?? '',
          '```',
        ].join('\n'),
      };
    default:
      return { legend, tooltip: { mode: 'multi', sort: 'desc' } };
  }
}

function custom(panel: Panel, type: string): GrafanaJson | undefined {
  if (type !== 'timeseries') return undefined;
  const bars = panel.type === 'bars';
  return {
    drawStyle: bars ? 'bars' : 'line',
    lineWidth: 1,
    fillOpacity: panel.type === 'area' ? 40 : bars ? 80 : panel.type === 'line' ? 0 : 10,
    gradientMode: panel.type === 'area' ? 'opacity' : 'none',
    showPoints: 'never',
    spanNulls: false,
    stacking: { mode: panel.type === 'area' ? 'normal' : 'none', group: 'A' },
    thresholdsStyle: { mode: panel.thresholds !== undefined ? 'dashed' : 'off' },
  };
}

function transformations(panel: Panel, type: string): GrafanaJson[] {
  if (type !== 'table') return [];
  const out: GrafanaJson[] = [{ id: 'organize', options: { excludeByName: { Time: true }, renameByName: {} } }];
  if (panel.type === 'leaderboard' || panel.type === 'table') {
    out.push({ id: 'sortBy', options: { sort: [{ field: 'Value', desc: true }] } });
  }
  if (panel.limit !== undefined) out.push({ id: 'limit', options: { limitField: panel.limit } });
  return out;
}

function panelJson(panel: Panel, id: number, gridPos: GrafanaJson): GrafanaJson {
  const type = grafanaType(panel);
  const links = dataLinks(panel);
  const customConfig = custom(panel, type);
  const tx = transformations(panel, type);
  return {
    id,
    type,
    title: panel.title,
    description: description(panel),
    gridPos,
    ...(type !== 'text' && { datasource: DATASOURCE, targets: targets(panel, type) }),
    fieldConfig: {
      defaults: {
        unit: UNIT_IDS[panel.unit],
        ...(panel.decimals !== undefined && { decimals: panel.decimals }),
        ...(panel.min !== undefined && { min: panel.min }),
        ...(panel.max !== undefined && { max: panel.max }),
        color: {
          mode: panel.thresholds !== undefined || panel.target !== undefined ? 'thresholds' : 'palette-classic',
        },
        thresholds: { mode: 'absolute', steps: thresholdSteps(panel) },
        mappings: [],
        ...(links.length > 0 && { links }),
        ...(customConfig !== undefined && { custom: customConfig }),
      },
      overrides: [],
    },
    options: options(panel, type),
    ...(tx.length > 0 && { transformations: tx }),
  };
}

/**
 * The layout: rows become Grafana row panels (height 1); a row's panels go left to right, `width`
 * of 12 columns being 2 × width of Grafana's 24, onto a new line when the line is full; a line is
 * as high as its highest panel.
 */
export function layout(
  d: Dashboard,
): { panel: Panel | undefined; title: string; gridPos: { x: number; y: number; w: number; h: number } }[] {
  const out: ReturnType<typeof layout> = [];
  let y = 0;
  for (const row of d.rows) {
    out.push({ panel: undefined, title: row.title, gridPos: { x: 0, y, w: GRID_COLUMNS, h: 1 } });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const panel of row.panels) {
      const w = Math.min(GRID_COLUMNS, panel.width * 2);
      const h = heightOf(panel.type);
      if (x + w > GRID_COLUMNS) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      out.push({ panel, title: panel.title, gridPos: { x, y, w, h } });
      x += w;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
  return out;
}

function variableJson(v: Dashboard['variables'][number]): GrafanaJson {
  const query = `label_values(${v.metric}, ${v.source_label})`;
  return {
    type: 'query',
    name: v.name,
    label: v.label,
    datasource: DATASOURCE,
    definition: query,
    query: { qryType: 1, query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2,
    regex: '',
    sort: 1,
    multi: v.multi,
    includeAll: v.include_all,
    ...(v.include_all && { allValue: '.*' }),
    current: {},
    options: [],
    hide: 0,
    skipUrlSync: false,
  };
}

/** Grafana's dashboard JSON for `d`, with `__inputs` and `__requires` as Grafana's "Export for sharing externally" writes them. */
export function toGrafanaDashboard(d: Dashboard, options: { grafanaVersion?: string } = {}): GrafanaJson {
  let nextId = 1;
  const panels = layout(d).map(({ panel, title, gridPos }) =>
    panel === undefined
      ? { id: nextId++, type: 'row', title, collapsed: false, gridPos, panels: [] }
      : panelJson(panel, nextId++, gridPos),
  );
  const panelTypes = [...new Set(panels.map((p) => p.type as string).filter((t) => t !== 'row'))].sort();
  const restricted = d.access === 'restricted_internal';
  return {
    __inputs: [
      {
        name: GRAFANA_DATASOURCE_INPUT,
        label: 'Watchkeeper',
        description: 'Watchkeeper (Prometheus API), e.g. http://127.0.0.1:9800',
        type: 'datasource',
        pluginId: 'prometheus',
        pluginName: 'Prometheus',
      },
    ],
    __elements: {},
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: options.grafanaVersion ?? '10.4.0' },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
      ...panelTypes.map((t) => ({ type: 'panel', id: t, name: PANEL_NAMES[t] ?? t, version: '' })),
    ],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    description: restricted
      ? `INTERNAL ONLY (revenue-internal): restricted series. Grafana does not enforce this; share only with the revenue team. ${d.description}`
      : d.description,
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links: [],
    panels,
    refresh: d.refresh,
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    tags: ['watchkeeper', 'sms', ...(restricted ? ['restricted-internal'] : [])],
    templating: { list: d.variables.map(variableJson) },
    time: { from: d.time.from, to: d.time.to },
    timepicker: {},
    timezone: 'browser',
    title: d.title,
    uid: d.id.slice(0, 40),
    version: 1,
    weekStart: '',
  };
}
