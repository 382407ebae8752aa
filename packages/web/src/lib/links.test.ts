import { describe, expect, it } from 'vitest';
import type { Variable } from '../model';
import { resolveLink, selectionFromParams, selectionParams } from './links';

const base = {
  expr: 'sum(x{company_id=~".*"})',
  time: { from: 'now-7d', to: 'now' },
  range: { startSec: 0, endSec: 7 * 86400 },
  selections: {},
};
const variable = (name: string, source_label: string): Variable => ({
  name,
  label: name,
  metric: 'm',
  source_label,
  multi: true,
  include_all: true,
});

describe('drill-down links', () => {
  it('opens a dashboard with explicit variables from the clicked series', () => {
    const l = resolveLink('dashboard:user-behaviour?company=${company_id}', {
      ...base,
      labels: { company: 'Acme Shipping', company_id: 'c-7' },
    });
    expect(l.external).toBe(false);
    const u = new URL(l.href, 'http://x');
    expect(u.pathname).toBe('/dashboards/user-behaviour');
    expect(u.searchParams.get('from')).toBe('now-7d');
    expect(u.searchParams.getAll('var-company')).toEqual(['c-7']);
  });

  it("fills the target's variables from the series' labels by source_label, else the current selection", () => {
    const l = resolveLink('dashboard:operations', {
      ...base,
      labels: { job: 'parts-api' },
      selections: { vessel: { all: false, values: ['v1'] } },
      targetVariables: [variable('service', 'job'), variable('vessel', 'vessel_id')],
    });
    const u = new URL(l.href, 'http://x');
    expect(u.searchParams.getAll('var-service')).toEqual(['parts-api']);
    expect(u.searchParams.getAll('var-vessel')).toEqual(['v1']);
  });

  it('a reference the series lacks selects All', () => {
    const u = new URL(resolveLink('dashboard:x?company=${company_id}', { ...base, labels: {} }).href, 'http://x');
    expect(u.searchParams.getAll('var-company')).toEqual(['$__all']);
  });

  it('opens Explore with the query over the same range', () => {
    const u = new URL(resolveLink('explore', { ...base, labels: {} }).href, 'http://x');
    expect(u.pathname).toBe('/explore');
    expect(u.searchParams.get('query')).toBe(base.expr);
    expect(u.searchParams.get('range')).toBe('7d');
    expect(u.searchParams.has('end')).toBe(false);
    const abs = resolveLink('explore', { ...base, labels: {}, time: { from: '0', to: '604800000' } });
    expect(new URL(abs.href, 'http://x').searchParams.get('end')).toBe('604800');
  });

  it('fills URL templates and marks other sites external', () => {
    expect(resolveLink('https://crm.example/c/${company_id}', { ...base, labels: { company_id: 'a b' } })).toEqual({
      href: 'https://crm.example/c/a%20b',
      external: true,
    });
    expect(resolveLink('/alerts', { ...base, labels: {} }).external).toBe(false);
  });

  it('round-trips selections through URL parameters', () => {
    const p = selectionParams({ company: { all: false, values: ['a', 'b'] }, vessel: { all: true } });
    expect(p.toString()).toBe('var-company=a&var-company=b&var-vessel=%24__all');
    expect(selectionFromParams(p, 'company')).toEqual({ all: false, values: ['a', 'b'] });
    expect(selectionFromParams(p, 'vessel')).toEqual({ all: true });
    expect(selectionFromParams(p, 'other')).toBeUndefined();
  });
});
