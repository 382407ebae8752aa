/**
 * Every metric a query of ours names must be in the catalog (packages/model): the plan's alert and
 * dashboard queries, every rule of config/rules/*.yml, and every panel query and variable of
 * config/dashboards/*.yml — with the label names their selectors match on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  findMetricForSeriesName,
  isCataloguedSeriesName,
  isRestrictedMetricName,
  REQUIRED_LABELS,
  type Dashboard,
} from '@watchkeeper/model';
import { PLAN_QUERIES } from '../../bench/plan-queries.js';
import { expandQuery, loadDashboards } from '../../packages/server/src/dashboards/index.js';
import { parseExpr, selectorMetricName, vectorSelectors } from '../../packages/server/src/promql/index.js';
import { parseRuleText, type RuleDefinition } from '../../packages/server/src/rules/index.js';

const RULES_DIR = new URL('../../config/rules/', import.meta.url);
const DASHBOARDS_DIR = fileURLToPath(new URL('../../config/dashboards/', import.meta.url));

/** Every rule of config/rules/*.yml, with its file. */
function planRules(): { file: string; rule: RuleDefinition }[] {
  return readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .flatMap((file) => {
      const parsed = parseRuleText(readFileSync(new URL(file, RULES_DIR), 'utf8'));
      if (!parsed.ok) throw new Error(`${file}: ${parsed.problems.join('\n')}`);
      return parsed.groups.flatMap((g) => g.rules.map((rule) => ({ file, rule })));
    });
}

/** Metric names `expr` selects by name; throws when a selector names no metric (we always name one). */
function metricNames(expr: string): string[] {
  return vectorSelectors(parseExpr(expr)).map((sel) => {
    const name = selectorMetricName(sel);
    if (name === undefined) throw new Error(`${expr}: a selector without a metric name`);
    return name;
  });
}

/** Every PromQL text of a dashboard (panel queries but logs, variables' metrics), variables expanded to `.*`. */
function dashboardQueries(d: Dashboard): { where: string; expr: string }[] {
  const ctx = {
    rangeMs: 3_600_000,
    intervalMs: 60_000,
    rateIntervalMs: 60_000,
    variables: Object.fromEntries(d.variables.map((v) => [v.name, '.*'])),
  };
  return [
    ...d.variables.map((v) => ({ where: `${d.id}: variable ${v.name}`, expr: expandQuery(v.metric, ctx) })),
    ...d.rows.flatMap((r) =>
      r.panels
        .filter((p) => p.type !== 'logs')
        .flatMap((p) =>
          p.queries.map((q, i) => ({ where: `${d.id}: ${p.id} query ${i}`, expr: expandQuery(q.expr, ctx) })),
        ),
    ),
  ];
}

/** Label names the selectors of `expr` match on that their metric does not have (catalog labels, SDK's, scraper's, `le` of buckets). */
function unknownMatcherLabels(expr: string): string[] {
  return vectorSelectors(parseExpr(expr)).flatMap((sel) => {
    const name = selectorMetricName(sel) ?? '';
    const metric = findMetricForSeriesName(name);
    if (metric === undefined) return [];
    const known = new Set<string>([...metric.labels, ...REQUIRED_LABELS, 'job', 'instance', '__name__']);
    if (metric.type === 'histogram' && name.endsWith('_bucket')) known.add('le');
    return sel.matchers.filter((m) => !known.has(m.name)).map((m) => `${name}: ${m.name}`);
  });
}

describe('catalog coverage', () => {
  it.each(PLAN_QUERIES.map((q) => [q.name, q.expr]))('%s names only catalog metrics', (_name, expr) => {
    const unknown = metricNames(expr).filter((n) => !isCataloguedSeriesName(n));
    expect(unknown).toEqual([]);
  });

  const rules = planRules();

  it.each(rules.map(({ file, rule }) => [`${file}: ${rule.alert || rule.record}`, rule] as const))(
    '%s names only catalog metrics',
    (_name, rule) => {
      const unknown = metricNames(rule.expr).filter((n) => !isCataloguedSeriesName(n));
      expect(unknown).toEqual([]);
    },
  );

  it("has the plan's alerts in config/rules, with severity and team", () => {
    expect(rules.length).toBeGreaterThanOrEqual(13);
    for (const { rule } of rules) {
      const labels = Object.fromEntries(rule.labels);
      expect(labels['severity'], rule.alert).toMatch(/^(critical|warning|info)$/);
      expect(labels['team'], rule.alert).toBeTruthy();
    }
  });

  it('marks the rules over revenue-internal (restricted) series restricted', () => {
    const restricted = rules.filter(({ rule }) => metricNames(rule.expr).some(isRestrictedMetricName));
    expect(restricted.map(({ rule }) => rule.alert)).toEqual(['MarkupMarginBelowTarget']);
    for (const { rule } of restricted) {
      expect(Object.fromEntries(rule.labels)).toMatchObject({ access: 'restricted', team: 'revenue-internal' });
    }
  });

  const dashboards = loadDashboards([DASHBOARDS_DIR]).map((f) => f.dashboard);
  const queries = dashboards.flatMap(dashboardQueries);

  it.each(queries.map((q) => [q.where, q.expr]))('dashboard %s names only catalog metrics and labels', (_w, expr) => {
    expect(metricNames(expr).filter((n) => !isCataloguedSeriesName(n))).toEqual([]);
    expect(unknownMatcherLabels(expr)).toEqual([]);
  });

  it('has the four dashboards of the plan; only the restricted one reads restricted series', () => {
    expect(dashboards.map((d) => d.id)).toEqual(['executive', 'operations', 'revenue-protection', 'user-behaviour']);
    for (const d of dashboards) {
      const restricted = dashboardQueries(d).some((q) => metricNames(q.expr).some(isRestrictedMetricName));
      expect(restricted, d.id).toBe(d.access === 'restricted_internal');
    }
  });

  it("catches a label the metric does not have (the plan's task= for task_type)", () => {
    expect(unknownMatcherLabels('avg(sms_time_to_complete_seconds_bucket{task="document_equipment"})')).toEqual([
      'sms_time_to_complete_seconds_bucket: task',
    ]);
  });

  it('catches a metric the catalog does not have', () => {
    expect(
      metricNames('rate(sms_parts_quotes_requested_total[5m]) / made_up_total').filter(
        (n) => !isCataloguedSeriesName(n),
      ),
    ).toEqual(['made_up_total']);
  });
});
