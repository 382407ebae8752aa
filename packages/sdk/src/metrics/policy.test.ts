import { describe, expect, it } from 'vitest';
import { SeriesGuard, type DropReason } from './policy.js';

const LIMITS = { maxSeriesPerMetric: 4, maxLabelValues: 3, maxLabelValueLength: 10 };

interface ValidateCase {
  readonly name: string;
  readonly labels: unknown;
  readonly reason: DropReason | 'ok';
}

const VALIDATE_CASES: readonly ValidateCase[] = [
  { name: 'exact labels', labels: { tier: 'basic', company_id: 'cmp_1' }, reason: 'ok' },
  { name: 'empty value', labels: { tier: '', company_id: 'cmp_1' }, reason: 'ok' },
  { name: 'no object', labels: 'tier=basic', reason: 'invalid_labels' },
  { name: 'null', labels: null, reason: 'invalid_labels' },
  { name: 'array', labels: ['basic', 'cmp_1'], reason: 'invalid_labels' },
  { name: 'missing label', labels: { tier: 'basic' }, reason: 'missing_label' },
  { name: 'undefined value', labels: { tier: 'basic', company_id: undefined }, reason: 'missing_label' },
  { name: 'extra label', labels: { tier: 'basic', company_id: 'cmp_1', user_id: 'usr_1' }, reason: 'unknown_label' },
  { name: 'number value', labels: { tier: 'basic', company_id: 1 }, reason: 'invalid_label_value' },
  {
    name: 'object value',
    labels: { tier: 'basic', company_id: { toString: () => 'x' } },
    reason: 'invalid_label_value',
  },
  { name: 'too long value', labels: { tier: 'basic', company_id: 'x'.repeat(11) }, reason: 'label_value_too_long' },
  { name: 'restricted value', labels: { tier: '_sms_x', company_id: 'cmp_1' }, reason: 'restricted_label_value' },
  {
    name: 'inherited label only',
    labels: Object.create({ tier: 'basic', company_id: 'cmp_1' }) as object,
    reason: 'missing_label',
  },
  {
    name: 'throwing proxy',
    labels: new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('hostile');
        },
      },
    ),
    reason: 'invalid_labels',
  },
];

describe('SeriesGuard', () => {
  it.each(VALIDATE_CASES)('validates $name', ({ labels, reason }) => {
    const guard = new SeriesGuard(['tier', 'company_id'], LIMITS, false);
    const result = guard.validate(labels);
    expect(result.ok ? 'ok' : result.reason).toBe(reason);
  });

  it('accepts restricted label values on restricted metrics', () => {
    const guard = new SeriesGuard(['parts_category'], LIMITS, true);
    expect(guard.validate({ parts_category: '_sms_x' }).ok).toBe(true);
  });

  it('keeps a copy of exactly the metric labels', () => {
    const guard = new SeriesGuard(['tier'], LIMITS, false);
    const labels = { tier: 'basic' };
    const result = guard.admit(labels);
    expect(result).toMatchObject({ ok: true, labels: { tier: 'basic' } });
    expect(result.ok && result.labels).not.toBe(labels);
  });

  it('caps series per metric; existing series keep working', () => {
    const guard = new SeriesGuard(['a', 'b'], { ...LIMITS, maxLabelValues: 100 }, false);
    for (let i = 0; i < 4; i++) expect(guard.admit({ a: `a${i}`, b: 'b' }).ok).toBe(true);
    expect(guard.admit({ a: 'a4', b: 'b' })).toEqual({ ok: false, reason: 'series_limit' });
    expect(guard.admit({ a: 'a0', b: 'b' }).ok).toBe(true);
    expect(guard.seriesCount).toBe(4);
  });

  it('caps distinct values per label, counted per label', () => {
    const guard = new SeriesGuard(['a', 'b'], { ...LIMITS, maxSeriesPerMetric: 100 }, false);
    for (const a of ['x', 'y', 'z']) expect(guard.admit({ a, b: 'same' }).ok).toBe(true);
    expect(guard.admit({ a: 'w', b: 'same' })).toEqual({ ok: false, reason: 'label_values_limit' });
    // New combinations of known values are still fine.
    expect(guard.admit({ a: 'x', b: 'other' }).ok).toBe(true);
  });

  it('frees a series and its label values on release', () => {
    const guard = new SeriesGuard(['a'], { ...LIMITS, maxLabelValues: 1 }, false);
    const first = guard.admit({ a: 'x' });
    expect(guard.admit({ a: 'y' })).toEqual({ ok: false, reason: 'label_values_limit' });
    if (!first.ok) throw new Error('unexpected');
    expect(guard.release(first)).toBe(true);
    expect(guard.release(first)).toBe(false);
    expect(guard.admit({ a: 'y' }).ok).toBe(true);
  });
});
