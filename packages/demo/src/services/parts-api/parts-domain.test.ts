import { describe, expect, it } from 'vitest';
import {
  BASE_MARKUP,
  SUPPLIERS,
  bestQuote,
  checkPartNumber,
  customerPrice,
  markupBandKey,
  markupFor,
  priceBand,
  recommendMarkup,
  supplierQuotes,
} from './parts-domain.js';

interface PartNumberCase {
  input: string;
  ok: boolean;
  injection?: boolean;
}

const PART_NUMBERS: PartNumberCase[] = [
  { input: 'ENG-4411-A', ok: true },
  { input: 'nav/radar.02', ok: true },
  { input: 'PMP-1', ok: true },
  { input: 'AB', ok: false, injection: false },
  { input: 'PART NUMBER 7', ok: false, injection: false },
  { input: "ENG-1' OR '1'='1", ok: false, injection: true },
  { input: 'ENG-1; DROP TABLE quotes', ok: false, injection: true },
  { input: '1 UNION SELECT password FROM users', ok: false, injection: true },
  { input: 'ENG-1--', ok: true },
  { input: "' OR 1=1 --", ok: false, injection: true },
  { input: "1; EXEC xp_cmdshell('dir') --", ok: false, injection: true },
  { input: "admin'--", ok: false, injection: true },
  { input: 'x/**/or/**/1=1', ok: false, injection: true },
  { input: "PMP-7' AND SLEEP(5)", ok: false, injection: true },
];

describe('checkPartNumber', () => {
  it.each(PART_NUMBERS)('$input', ({ input, ok, injection }) => {
    const result = checkPartNumber(input);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.suspectedInjection).toBe(injection);
  });

  it('normalises case and maps known prefixes to categories', () => {
    expect(checkPartNumber(' eng-77 ')).toEqual({ ok: true, partNumber: 'ENG-77', category: 'engine' });
    expect(checkPartNumber('SAF-LIFEJACKET-2')).toMatchObject({ category: 'safety' });
    expect(checkPartNumber('VLV-2040-QX')).toMatchObject({ category: 'pumps_valves' });
    expect(checkPartNumber('GSK-1001-AB')).toMatchObject({ category: 'seals_bearings' });
  });
});

describe('supplier quotes and markup', () => {
  const now = Date.UTC(2026, 0, 5);

  it('always has a supplier, prices quantities linearly and charges expediting for urgent parts', () => {
    for (const part of ['ENG-1', 'PMP-22', 'NAV-333', 'XYZ-4444']) {
      const routine = supplierQuotes(part, 'engine', 1, 'routine', now, () => 0.5);
      expect(routine.some((q) => q.supplier === 'harbor_express_logistics')).toBe(true);
      const ten = supplierQuotes(part, 'engine', 10, 'routine', now, () => 0.5);
      expect(ten[0]!.costDollars).toBeCloseTo(routine[0]!.costDollars * 10, 0);
      const aog = supplierQuotes(part, 'engine', 1, 'aog', now, () => 0.5);
      for (const q of aog) expect(q.leadTimeDays).toBeLessThanOrEqual(1);
    }
    expect(SUPPLIERS.length).toBeGreaterThanOrEqual(3);
  });

  it('picks the cheapest quote', () => {
    const quotes = [
      { supplier: 'a', costDollars: 100, costIndex: 1, leadTimeDays: 5 },
      { supplier: 'b', costDollars: 90, costIndex: 0.9, leadTimeDays: 9 },
      { supplier: 'c', costDollars: 90, costIndex: 0.9, leadTimeDays: 2 },
    ];
    expect(bestQuote(quotes)?.supplier).toBe('c');
    expect(bestQuote([])).toBeUndefined();
  });

  it('marks up by category, urgency and volume', () => {
    expect(markupFor('engine', 'routine', 1)).toBeCloseTo(0.22);
    expect(markupFor('engine', 'aog', 1)).toBeCloseTo(0.34);
    expect(markupFor('engine', 'routine', 150)).toBeCloseTo(0.17);
    expect(customerPrice(1000, 0.22)).toBe(1220);
  });

  it('bands customer prices', () => {
    expect([10, 500, 9_999.99, 10_000].map(priceBand)).toEqual([
      'under_500',
      '500_to_2500',
      '2500_to_10000',
      'over_10000',
    ]);
  });

  it('recommends the markup band with the best expected margin', () => {
    const bands = [
      { markup: 0.2, quotes: 10, orders: 8 },
      { markup: 0.3, quotes: 10, orders: 3 },
      { markup: 0.5, quotes: 2, orders: 2 },
    ];
    expect(recommendMarkup('engine', bands)).toBeCloseTo(0.2);
    expect(recommendMarkup('hydraulics', [])).toBe(BASE_MARKUP.hydraulics);
    expect(markupBandKey(0.205)).toBe(markupBandKey(0.195));
  });
});
