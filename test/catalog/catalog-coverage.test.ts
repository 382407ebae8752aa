/**
 * Every metric a query of ours names must be in the catalog (packages/model): the plan's alert and
 * dashboard queries now; the rule files and dashboards of config/ join this list as they are added.
 */
import { describe, expect, it } from 'vitest';
import { isCataloguedSeriesName } from '@watchkeeper/model';
import { PLAN_QUERIES } from '../../bench/plan-queries.js';
import { parseExpr, selectorMetricName, vectorSelectors } from '../../packages/server/src/promql/index.js';

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

  it('catches a metric the catalog does not have', () => {
    expect(
      metricNames('rate(sms_parts_quotes_requested_total[5m]) / made_up_total').filter(
        (n) => !isCataloguedSeriesName(n),
      ),
    ).toEqual(['made_up_total']);
  });
});
