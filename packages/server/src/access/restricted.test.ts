import { describe, expect, it } from 'vitest';
import { Labels } from '../lib/labels.js';
import { Engine, parseExpr } from '../promql/index.js';
import { MemoryStorage } from '../tsdb/index.js';
import { MemoryAuditLog } from './memory-audit-log.js';
import {
  deriveRestrictedNames,
  type RestrictedRuleInput,
  RestrictedSeriesError,
  RestrictedSeriesPolicy,
} from './restricted.js';
import type { Principal } from './roles.js';

const rec = (name: string, expr: string, labels: [string, string][] = []): RestrictedRuleInput => ({
  kind: 'recording',
  name,
  expr: parseExpr(expr),
  labels,
});
const alert = (
  name: string,
  expr: string,
  labels: [string, string][] = [],
  annotations: [string, string][] = [],
): RestrictedRuleInput => ({ kind: 'alerting', name, expr: parseExpr(expr), labels, annotations });

describe('deriveRestrictedNames', () => {
  it('derives record and alert names from _sms_ series, transitively', () => {
    const names = deriveRestrictedNames([
      rec('level2:margin', 'avg(level1:margin)'),
      rec('level1:margin', 'avg by (parts_category) (_sms_parts_markup_realized_percent)'),
      alert('MarginLow', 'level2:margin < 18'),
      rec('job:up:sum', 'sum by (job) (up)'),
      alert('PartsDown', 'up{job="parts-api"} == 0'),
    ]);
    expect([...names.metrics].sort()).toEqual(['level1:margin', 'level2:margin']);
    expect([...names.alerts]).toEqual(['MarginLow']);
    expect(names.reasons.get('metric:level1:margin')).toMatch(/_sms_parts_markup_realized_percent/);
  });

  it('counts regexes and negative matchers on __name__ that can match a restricted name, and selectors without a name', () => {
    const names = deriveRestrictedNames(
      [
        rec('a', 'count({__name__=~".+"})'),
        rec('b', 'count({__name__!=""})'),
        rec('c', 'count({__name__=~"_sms.*"})'),
        rec('d', 'sum({job="portal"})'),
        rec('e', 'count({__name__=~".*margin.*"})'), // matches a catalogued _sms_ name
        rec('f', 'count({__name__=~"sms_.*"})'), // public names only
        rec('g', 'count({__name__=~".*stored_only"})'), // matches a restricted name present in storage
        rec('h', 'count({__name__!~"_sms_.*", job=~".+"})'), // excludes _sms_ but still matches derived names
        rec('i', 'count({__name__=~"job:.*"})'),
        rec('job:up:sum', 'sum(up)'),
      ],
      ['up', '_sms_stored_only'],
    );
    expect([...names.metrics].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'g', 'h']);
  });

  it('restricts alerts reading ALERTS of restricted alerts, labelled access=restricted, or with templates that leak', () => {
    const names = deriveRestrictedNames([
      alert('Margin', '_sms_parts_markup_realized_percent < 18'),
      rec('alerts:count', 'count(ALERTS)'),
      rec('alerts:public', 'count(ALERTS{alertname="PartsDown"})'),
      alert('Marked', 'vector(1)', [['access', 'restricted']]),
      alert('Templ', 'up == 0', [], [['description', '{{ query "sum(_sms_parts_supplier_cost_dollars)" }}']]),
      alert('TemplComputed', 'up == 0', [], [['description', '{{ query (printf "%s" .Labels.x) }}']]),
      alert('TemplPublic', 'up == 0', [], [['description', '{{ query "up" | first | value }} {{ $labels.job }}']]),
      alert('Mention', 'up == 0', [], [['summary', 'see also Margin']]),
      alert('PartsDown', 'up{job="parts-api"} == 0'),
    ]);
    expect([...names.alerts].sort()).toEqual(['Margin', 'Marked', 'Mention', 'Templ', 'TemplComputed']);
    expect([...names.metrics]).toEqual(['alerts:count']);
  });

  it('knows restricted labels, mentions and scrubbing', () => {
    const names = deriveRestrictedNames([rec('sms:margin', '_sms_x'), alert('MarginLow', 'sms:margin < 1')]);
    expect(names.restrictedSeries(Labels.from({ __name__: '_sms_y' }))).toBe('_sms_y');
    expect(names.restrictedSeries(Labels.from({ __name__: 'sms:margin' }))).toBe('sms:margin');
    expect(names.restrictedSeries(Labels.from({ __name__: 'ALERTS', alertname: 'MarginLow' }))).toBe(
      'ALERTS{alertname="MarginLow"}',
    );
    expect(names.restrictedSeries(Labels.from({ __name__: 'x', name: '_sms_y' }))).toBe('x{name="_sms_y"}');
    expect(names.restrictedSeries(Labels.from({ __name__: 'ALERTS', alertname: 'Other' }))).toBeUndefined();
    expect(names.mentions('route: alertname="MarginLow"')).toBe(true);
    expect(names.mentions('MarginLowish')).toBe(false);
    expect(names.scrub('a _sms_x b sms:margin c MarginLow')).toBe('a <restricted> b <restricted> c <restricted>');
  });
});

const VIEWER: Principal = { kind: 'user', name: 'vic', roles: ['viewer'] };
const REVENUE: Principal = { kind: 'user', name: 'rita', roles: ['revenue-internal'] };
const T = 1_700_000_000_000;

function setup() {
  const storage = new MemoryStorage();
  storage.append(Labels.from({ __name__: 'up', job: 'a' }), T, 1);
  storage.append(Labels.from({ __name__: '_sms_margin', job: 'a' }), T, 20);
  storage.append(Labels.from({ __name__: 'sms:margin:avg', job: 'a' }), T, 20);
  const audit = new MemoryAuditLog(() => T);
  const policy = new RestrictedSeriesPolicy({
    storage,
    rules: () => [rec('sms:margin:avg', 'avg(_sms_margin)')],
    audit,
  });
  return { engine: new Engine(storage), policy, audit, storage };
}

describe('RestrictedSeriesPolicy with the engine', () => {
  it('hides restricted series from regexes and audits the filtering', async () => {
    const { engine, policy, audit } = setup();
    const scope = policy.scope(VIEWER, { action: 'query', resource: '{__name__=~".+"}' });
    const res = await engine.instantQuery('{__name__=~".+"}', T, scope.queryOptions());
    scope.finish();
    expect(res.value.type === 'vector' && res.value.samples.map((s) => s.labels.get('__name__'))).toEqual(['up']);
    const [entry] = audit.list();
    expect(entry).toMatchObject({ decision: 'denied', action: 'query', principal: VIEWER });
    expect(entry!.detail).toMatch(/_sms_margin.*sms:margin:avg/);
  });

  it('refuses explicit names with RestrictedSeriesError, inside functions and subqueries too', async () => {
    const { engine, policy, audit } = setup();
    for (const q of [
      '_sms_margin',
      '{__name__="_sms_margin"}',
      'absent(sms:margin:avg)',
      'max_over_time(rate(_sms_margin[5m])[1h:1m])',
      'up + on() group_left sum(_sms_margin)',
    ]) {
      const scope = policy.scope(VIEWER, { action: 'query', resource: q });
      await expect(engine.instantQuery(q, T, scope.queryOptions())).rejects.toThrow(RestrictedSeriesError);
      scope.finish();
    }
    expect(audit.list({ decision: 'denied' })).toHaveLength(5);
    expect(audit.list()[0]!.detail).toMatch(/names restricted series _sms_margin/);
  });

  it('lets revenue-internal read everything and audits it as allowed', async () => {
    const { engine, policy, audit } = setup();
    const scope = policy.scope(REVENUE, { action: 'query', resource: '_sms_margin' });
    const res = await engine.instantQuery('_sms_margin', T, scope.queryOptions());
    scope.finish();
    expect(res.value.type === 'vector' && res.value.samples).toHaveLength(1);
    expect(audit.list()).toMatchObject([{ decision: 'allowed', detail: 'returned: _sms_margin' }]);
  });

  it('writes nothing for queries that do not touch restricted data', async () => {
    const { engine, policy, audit } = setup();
    for (const p of [VIEWER, REVENUE]) {
      const scope = policy.scope(p, { action: 'query', resource: 'up' });
      await engine.instantQuery('up', T, scope.queryOptions());
      scope.finish();
    }
    expect(audit.list()).toEqual([]);
  });

  it('filters label names and values of the storage', () => {
    const { policy, storage } = setup();
    storage.append(Labels.from({ __name__: '_sms_only', secret_label: 'x' }), T, 1);
    const q = policy.scope(VIEWER, { action: 'labels', resource: '' }).queryable(storage);
    expect(q.labelValues('__name__')).toEqual(['up']);
    expect(q.labelNames()).toEqual(['__name__', 'job']);
    expect(q.seriesLabels([], -Infinity, Infinity).map((l) => l.get('__name__'))).toEqual(['up']);
  });
});
