/**
 * Head sampling as plan §6.3 allows it at span start: revenue operations (`parts.*|payment.*`)
 * at one ratio, everything else at another, and a span with a parent follows its parent's
 * decision. The plan's other rules — always keep errors, always keep requests slower than 1 s —
 * need the finished span and belong to tail sampling in the collector (the traces issue), not here.
 */
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import {
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_HTTP_ROUTE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';

/** The plan's operation name pattern `parts.*|payment.*`, matched case-insensitively. */
const REVENUE_OPERATION = /^(?:parts|payment)/i;
/** A route or path with a segment starting `parts` or `payment` (`/api/parts/quote`, `/api/payments/x`). */
const REVENUE_PATH = /(?:^|\/)(?:parts|payment)/i;
/** `HTTP <METHOD> <route>`, the name of the SDK's server spans. */
const HTTP_SPAN = /^HTTP [A-Z]+ (\S+)/;

/**
 * True when a span is a revenue operation: its name matches `parts.*|payment.*` (any case), or it
 * is an HTTP span whose route (in the name or `http.route`), or failing that whose path
 * (`url.path`), has a segment starting with `parts` or `payment`.
 */
export function isRevenueOperation(spanName: string, attributes: Attributes = {}): boolean {
  if (REVENUE_OPERATION.test(spanName)) return true;
  const route = HTTP_SPAN.exec(spanName)?.[1] ?? attributes[ATTR_HTTP_ROUTE] ?? attributes[ATTR_URL_PATH];
  return typeof route === 'string' && REVENUE_PATH.test(route);
}

/** Root-span sampler: a trace-id ratio chosen by {@link isRevenueOperation}. */
class RevenueAwareSampler implements Sampler {
  readonly #revenue: TraceIdRatioBasedSampler;
  readonly #other: TraceIdRatioBasedSampler;

  constructor(
    private readonly revenueRatio: number,
    private readonly otherRatio: number,
  ) {
    this.#revenue = new TraceIdRatioBasedSampler(revenueRatio);
    this.#other = new TraceIdRatioBasedSampler(otherRatio);
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    _spanKind: SpanKind,
    attributes: Attributes,
    _links: Link[],
  ): SamplingResult {
    const sampler = isRevenueOperation(spanName, attributes) ? this.#revenue : this.#other;
    return sampler.shouldSample(context, traceId);
  }

  toString(): string {
    return `RevenueAwareSampler{revenue=${this.revenueRatio}, other=${this.otherRatio}}`;
  }
}

/** The SDK's sampler: parent-based, with {@link RevenueAwareSampler} for root spans. */
export function createSampler(revenueRatio: number, otherRatio: number): Sampler {
  return new ParentBasedSampler({ root: new RevenueAwareSampler(revenueRatio, otherRatio) });
}
