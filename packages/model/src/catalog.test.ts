import { describe, expect, it } from 'vitest';
import {
  CATALOG,
  PII_LABELS,
  REQUIRED_LABELS,
  findMetric,
  findMetricForSeriesName,
  isCataloguedSeriesName,
  isRestrictedMetricName,
  type MetricDefinition,
} from './index.js';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const entries: readonly MetricDefinition[] = CATALOG;

describe('metrics catalog', () => {
  it('has unique, valid names', () => {
    const names = entries.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(METRIC_NAME);
  });

  it('marks exactly the _sms_ metrics restricted', () => {
    for (const m of entries) expect(m.restricted, m.name).toBe(isRestrictedMetricName(m.name));
    expect(entries.filter((m) => m.restricted).length).toBeGreaterThanOrEqual(6);
  });

  it('defines no PII label, no required label and no reserved label', () => {
    for (const m of entries) {
      for (const label of m.labels) {
        expect(label, m.name).toMatch(LABEL_NAME);
        expect(label.startsWith('__'), `${m.name}.${label}`).toBe(false);
        expect((PII_LABELS as readonly string[]).includes(label), `${m.name}.${label}`).toBe(false);
        expect((REQUIRED_LABELS as readonly string[]).includes(label), `${m.name}.${label}`).toBe(false);
        expect(['job', 'instance', 'le', 'quantile'].includes(label), `${m.name}.${label}`).toBe(false);
      }
      expect(new Set(m.labels).size, m.name).toBe(m.labels.length);
    }
  });

  it('gives histograms increasing buckets and nothing else buckets', () => {
    for (const m of entries) {
      if (m.type !== 'histogram') {
        expect(m.buckets, m.name).toBeUndefined();
        continue;
      }
      const buckets = m.buckets ?? [];
      expect(buckets.length, m.name).toBeGreaterThan(0);
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]!, m.name).toBeGreaterThan(buckets[i - 1]!);
    }
  });

  it('names counters with _total except where the plan names them otherwise', () => {
    const planNamed = new Set(['_sms_parts_markup_realized_dollars', '_sms_parts_supplier_cost_dollars']);
    for (const m of entries) {
      if (m.type === 'counter' && !planNamed.has(m.name)) expect(m.name, m.name).toMatch(/_total$/);
    }
  });

  it('uses the plan §2.2 latency buckets', () => {
    expect(findMetric('http_request_duration_seconds')?.buckets).toEqual([0.01, 0.05, 0.1, 0.5, 1, 5]);
  });

  it('resolves stored series names to their family', () => {
    expect(findMetricForSeriesName('http_request_duration_seconds_bucket')?.name).toBe('http_request_duration_seconds');
    expect(findMetricForSeriesName('http_response_size_bytes_sum')?.name).toBe('http_response_size_bytes');
    expect(findMetricForSeriesName('sms_mrr_dollars')?.name).toBe('sms_mrr_dollars');
    expect(findMetricForSeriesName('sms_mrr_dollars_bucket')).toBeUndefined();
    expect(findMetricForSeriesName('http_requests_total_count')).toBeUndefined();
    expect(findMetricForSeriesName('no_such_metric')).toBeUndefined();
    expect(isCataloguedSeriesName('process_cpu_seconds_total')).toBe(true);
    expect(isCataloguedSeriesName('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(isCataloguedSeriesName('made_up_total')).toBe(false);
  });
});
