/**
 * Every metric a query of ours names must be in the catalog (packages/model): the plan's alert and
 * dashboard queries, and every rule of config/rules/*.yml; dashboards of config/ join this list as
 * they are added.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isCataloguedSeriesName, isRestrictedMetricName } from '@watchkeeper/model';
import { PLAN_QUERIES } from '../../bench/plan-queries.js';
import { parseExpr, selectorMetricName, vectorSelectors } from '../../packages/server/src/promql/index.js';
import { parseRuleText, type RuleDefinition } from '../../packages/server/src/rules/index.js';

const RULES_DIR = new URL('../../config/rules/', import.meta.url);

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

  it('catches a metric the catalog does not have', () => {
    expect(
      metricNames('rate(sms_parts_quotes_requested_total[5m]) / made_up_total').filter(
        (n) => !isCataloguedSeriesName(n),
      ),
    ).toEqual(['made_up_total']);
  });
});
