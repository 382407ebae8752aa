import { describe, expect, it } from 'vitest';
import { Labels } from './labels.js';
import { isStaleAt, isStaleNaN, STALE_NAN, writeStaleNaN } from './stale.js';

describe('Labels', () => {
  it('sorts by name and drops empty values', () => {
    const l = Labels.from({ b: '2', a: '1', c: '' });
    expect([...l]).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(l.toString()).toBe('{a="1", b="2"}');
  });
  it('sets, removes and filters without mutating', () => {
    const l = Labels.from({ a: '1', c: '3' });
    expect(l.with('b', '2').toRecord()).toEqual({ a: '1', b: '2', c: '3' });
    expect(l.with('a', '').toRecord()).toEqual({ c: '3' });
    expect(l.without('c').toRecord()).toEqual({ a: '1' });
    expect(l.filter(new Set(['a']), true).toRecord()).toEqual({ a: '1' });
    expect(l.toRecord()).toEqual({ a: '1', c: '3' });
  });
  it('compares like Prometheus labels.Compare', () => {
    const a = Labels.from({ a: '1' });
    const b = Labels.from({ a: '1', b: '1' });
    const c = Labels.from({ a: '2' });
    expect(Labels.compare(a, b)).toBeLessThan(0);
    expect(Labels.compare(c, b)).toBeGreaterThan(0);
    expect(Labels.compare(a, Labels.from({ a: '1' }))).toBe(0);
  });
  it('quotes non-legacy names', () => {
    expect(Labels.from({ 'my.label': 'x' }).toString()).toBe('{"my.label"="x"}');
  });
});

describe('StaleNaN', () => {
  it('keeps its payload through typed arrays', () => {
    const a = new Float64Array(3);
    writeStaleNaN(a, 1);
    a[2] = NaN;
    expect(isStaleAt(a, 1)).toBe(true);
    expect(isStaleAt(a, 2)).toBe(false);
    expect(isStaleAt(a, 0)).toBe(false);
    expect(isStaleNaN(STALE_NAN)).toBe(true);
    expect(isStaleNaN(NaN)).toBe(false);
  });
});
