/**
 * The parts business, free of I/O: part number validation (with SQL-injection detection), parts
 * categories, the simulated suppliers' quotes, and the markup that turns a supplier cost into a
 * customer price. Supplier costs and markup are revenue-internal: nothing here may reach a
 * response body or a public metric; the parts service only sends `customerPriceDollars` out.
 */
import { createHash } from 'node:crypto';
import type { URGENCIES } from '../../contract.js';
import { looksLikeSqlInjection } from '../shared/sql-injection.js';

export type Urgency = (typeof URGENCIES)[number];

export const PARTS_CATEGORIES = [
  'engine',
  'fuel_system',
  'pumps_valves',
  'seals_bearings',
  'electrical',
  'navigation',
  'safety',
  'hydraulics',
  'filters',
] as const;
export type PartsCategory = (typeof PARTS_CATEGORIES)[number];

/** Part number families (the first three letters) and their category. */
const PREFIX_CATEGORY: Readonly<Record<string, PartsCategory>> = {
  ENG: 'engine',
  PST: 'engine',
  TRB: 'engine',
  INJ: 'fuel_system',
  FUE: 'fuel_system',
  PMP: 'pumps_valves',
  VLV: 'pumps_valves',
  IMP: 'pumps_valves',
  GSK: 'seals_bearings',
  SEL: 'seals_bearings',
  BRG: 'seals_bearings',
  ELC: 'electrical',
  ELE: 'electrical',
  NAV: 'navigation',
  SAF: 'safety',
  HYD: 'hydraulics',
  FLT: 'filters',
};

const PART_NUMBER = /^[A-Z0-9][A-Z0-9./-]{2,39}$/;

export type PartNumberCheck =
  | { ok: true; partNumber: string; category: PartsCategory }
  | { ok: false; suspectedInjection: boolean; reason: string };

/**
 * Accepts part numbers of 3–40 letters, digits, `.`, `/` and `-` (case-insensitive); flags what
 * looks like an SQL-injection probe. (Queries are parameterised anyway: the check keeps garbage out
 * and makes probes visible.)
 */
export function checkPartNumber(raw: string): PartNumberCheck {
  const normalized = raw.trim().toUpperCase();
  if (PART_NUMBER.test(normalized)) {
    return { ok: true, partNumber: normalized, category: categoryOf(normalized) };
  }
  const suspectedInjection = looksLikeSqlInjection(raw);
  return {
    ok: false,
    suspectedInjection,
    reason: suspectedInjection
      ? 'The part number contains SQL syntax.'
      : 'A part number has 3 to 40 letters, digits, ".", "/" or "-".',
  };
}

function categoryOf(partNumber: string): PartsCategory {
  const byPrefix = PREFIX_CATEGORY[partNumber.slice(0, 3)];
  return byPrefix ?? PARTS_CATEGORIES[hash32(partNumber) % PARTS_CATEGORIES.length]!;
}

/** A stable 32-bit hash of a string (the simulated suppliers' catalogs are derived from it). */
export function hash32(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

const CATEGORY_COST_FACTOR: Readonly<Record<PartsCategory, number>> = {
  engine: 1.8,
  fuel_system: 1.4,
  pumps_valves: 1.2,
  seals_bearings: 0.5,
  electrical: 1.0,
  navigation: 2.5,
  safety: 0.9,
  hydraulics: 1.3,
  filters: 0.4,
};

/** A part's list cost per unit in dollars, between about $6 and $9,000 by part and category. */
export function listUnitCostDollars(partNumber: string, category: PartsCategory): number {
  const h = hash32(`list:${partNumber}`);
  return roundCents(15 * 1.6 ** (h % 12) * CATEGORY_COST_FACTOR[category]);
}

export interface Supplier {
  readonly id: string;
  /** Price level relative to list. */
  readonly priceFactor: number;
  readonly leadTimeDays: number;
  /** Share of part numbers in stock, 0–1. */
  readonly stockShare: number;
  /** Amplitude of the supplier's price cycle, 0–1. */
  readonly volatility: number;
  /** Period of the price cycle. */
  readonly cycleDays: number;
}

export const SUPPLIERS: readonly Supplier[] = [
  { id: 'nordic_marine_supply', priceFactor: 1.0, leadTimeDays: 5, stockShare: 0.85, volatility: 0.04, cycleDays: 9 },
  { id: 'pacific_ship_parts', priceFactor: 0.93, leadTimeDays: 9, stockShare: 0.7, volatility: 0.08, cycleDays: 5 },
  { id: 'atlantic_chandlery', priceFactor: 1.07, leadTimeDays: 2, stockShare: 0.6, volatility: 0.03, cycleDays: 13 },
  { id: 'harbor_express_logistics', priceFactor: 1.16, leadTimeDays: 1, stockShare: 1, volatility: 0.02, cycleDays: 7 },
];

const DAY_MS = 86_400_000;

/** The longest lead time an urgency accepts before the supplier must expedite, and the surcharge. */
const URGENCY_TERMS: Readonly<Record<Urgency, { maxLeadTimeDays: number; expediteSurcharge: number }>> = {
  routine: { maxLeadTimeDays: Number.POSITIVE_INFINITY, expediteSurcharge: 0 },
  urgent: { maxLeadTimeDays: 3, expediteSurcharge: 0.15 },
  aog: { maxLeadTimeDays: 1, expediteSurcharge: 0.4 },
};

export interface SupplierQuote {
  readonly supplier: string;
  /** Supplier cost for the whole quantity, expediting included. */
  readonly costDollars: number;
  /** Cost per unit relative to the part's list cost (for the supplier cost trend). */
  readonly costIndex: number;
  readonly leadTimeDays: number;
}

/**
 * Quotes of every supplier that stocks the part, at time `nowMs`. `jitter` (0–1, from the
 * service's random source) adds the day-to-day noise of real price lists.
 */
export function supplierQuotes(
  partNumber: string,
  category: PartsCategory,
  quantity: number,
  urgency: Urgency,
  nowMs: number,
  jitter: () => number,
): SupplierQuote[] {
  const listUnit = listUnitCostDollars(partNumber, category);
  const terms = URGENCY_TERMS[urgency];
  const quotes: SupplierQuote[] = [];
  for (const supplier of SUPPLIERS) {
    if ((hash32(`${supplier.id}:${partNumber}`) % 1000) / 1000 >= supplier.stockShare) continue;
    const phase = (hash32(supplier.id) % 360) * (Math.PI / 180);
    const cycle = Math.sin((2 * Math.PI * nowMs) / (supplier.cycleDays * DAY_MS) + phase);
    const costIndex = supplier.priceFactor * (1 + supplier.volatility * cycle + 0.02 * (jitter() - 0.5));
    const expedite = supplier.leadTimeDays > terms.maxLeadTimeDays ? terms.expediteSurcharge : 0;
    quotes.push({
      supplier: supplier.id,
      costDollars: roundCents(listUnit * costIndex * quantity * (1 + expedite)),
      costIndex,
      leadTimeDays:
        expedite > 0 ? Math.min(supplier.leadTimeDays, Math.ceil(terms.maxLeadTimeDays)) : supplier.leadTimeDays,
    });
  }
  return quotes;
}

/** The cheapest quote; ties go to the shorter lead time. */
export function bestQuote(quotes: readonly SupplierQuote[]): SupplierQuote | undefined {
  let best: SupplierQuote | undefined;
  for (const q of quotes) {
    if (
      best === undefined ||
      q.costDollars < best.costDollars ||
      (q.costDollars === best.costDollars && q.leadTimeDays < best.leadTimeDays)
    ) {
      best = q;
    }
  }
  return best;
}

/** Target markup over supplier cost by category (fraction). */
export const BASE_MARKUP: Readonly<Record<PartsCategory, number>> = {
  engine: 0.22,
  fuel_system: 0.23,
  pumps_valves: 0.2,
  seals_bearings: 0.28,
  electrical: 0.25,
  navigation: 0.18,
  safety: 0.24,
  hydraulics: 0.21,
  filters: 0.3,
};

const URGENCY_PREMIUM: Readonly<Record<Urgency, number>> = { routine: 0, urgent: 0.05, aog: 0.12 };

/** Markup (fraction of supplier cost) for a quote: category base, urgency premium, volume discount. */
export function markupFor(category: PartsCategory, urgency: Urgency, quantity: number): number {
  const volumeDiscount = quantity >= 100 ? 0.05 : quantity >= 20 ? 0.02 : 0;
  return BASE_MARKUP[category] + URGENCY_PREMIUM[urgency] - volumeDiscount;
}

export function customerPrice(costDollars: number, markup: number): number {
  return roundCents(costDollars * (1 + markup));
}

/** The `price_band` label of a customer price (quote-to-order conversion by band). */
export function priceBand(customerPriceDollars: number): string {
  if (customerPriceDollars < 500) return 'under_500';
  if (customerPriceDollars < 2_500) return '500_to_2500';
  if (customerPriceDollars < 10_000) return '2500_to_10000';
  return 'over_10000';
}

export function roundCents(dollars: number): number {
  return Math.round(dollars * 100) / 100;
}

/** Quotes of one category at about the same markup, and how many became orders. */
export interface MarkupBand {
  /** Average markup of the band's quotes, fraction. */
  readonly markup: number;
  readonly quotes: number;
  readonly orders: number;
}

/** Groups quotes into 2-point markup bands (the key the parts service groups by in SQL). */
export function markupBandKey(markup: number): number {
  return Math.round(markup * 50);
}

/**
 * The markup to recommend for a category from recent quotes grouped in markup bands: the band with
 * the highest expected margin per quote (markup × conversion) wins, among bands with at least
 * `minQuotes` quotes. Falls back to the category's base markup.
 */
export function recommendMarkup(category: PartsCategory, bands: readonly MarkupBand[], minQuotes = 5): number {
  let best: { value: number; markup: number } | undefined;
  for (const band of bands) {
    if (band.quotes < minQuotes) continue;
    const value = band.markup * (band.orders / band.quotes);
    if (best === undefined || value > best.value) best = { value, markup: band.markup };
  }
  return best === undefined || best.value === 0 ? BASE_MARKUP[category] : best.markup;
}
