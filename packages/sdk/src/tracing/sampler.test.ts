import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { RandomIdGenerator, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createSampler, isRevenueOperation } from './sampler.js';

interface RevenueCase {
  readonly name: string;
  readonly attributes?: Record<string, string>;
  readonly revenue: boolean;
}

const REVENUE_CASES: readonly RevenueCase[] = [
  { name: 'parts.quote', revenue: true },
  { name: 'payment.charge', revenue: true },
  { name: 'PartsService.getSupplierQuotes', revenue: true },
  { name: 'PaymentProcessor.charge', revenue: true },
  { name: 'HTTP POST /api/parts/quote', revenue: true },
  { name: 'HTTP POST /api/payments/charge', revenue: true },
  { name: 'HTTP POST /api/payment-processor/charge', revenue: true },
  { name: 'HTTP GET /api/vessels/:vesselId', revenue: false },
  { name: 'MarkupService.calculatePrice', revenue: false },
  { name: 'HTTP GET /api/departs', revenue: false },
  { name: 'Database.saveQuote', revenue: false },
  { name: 'HTTP POST', attributes: { 'url.path': '/api/parts/quote' }, revenue: true },
  { name: 'HTTP POST', attributes: { 'url.path': '/api/sync/upload' }, revenue: false },
  { name: 'HTTP GET', attributes: { 'http.route': '/api/payments/:id' }, revenue: true },
];

describe('revenue operations (plan §6.3 "parts.*|payment.*")', () => {
  it.each(REVENUE_CASES)('$name $attributes → $revenue', ({ name, attributes, revenue }) => {
    expect(isRevenueOperation(name, attributes)).toBe(revenue);
  });
});

const ids = new RandomIdGenerator();

function sampledShare(sampler: ReturnType<typeof createSampler>, spanName: string, runs: number): number {
  let sampled = 0;
  for (let i = 0; i < runs; i++) {
    const result = sampler.shouldSample(ROOT_CONTEXT, ids.generateTraceId(), spanName, SpanKind.SERVER, {}, []);
    if (result.decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
  }
  return sampled / runs;
}

describe('head sampler', () => {
  it('samples revenue root spans at 0.5 and others at 0.1 by default ratios', () => {
    const sampler = createSampler(0.5, 0.1);
    expect(sampledShare(sampler, 'HTTP POST /api/parts/quote', 8_000)).toBeGreaterThan(0.46);
    expect(sampledShare(sampler, 'HTTP POST /api/parts/quote', 8_000)).toBeLessThan(0.54);
    expect(sampledShare(sampler, 'HTTP GET /api/vessels/:id', 8_000)).toBeGreaterThan(0.08);
    expect(sampledShare(sampler, 'HTTP GET /api/vessels/:id', 8_000)).toBeLessThan(0.12);
  });

  it('uses the configured ratios', () => {
    const sampler = createSampler(1, 0);
    expect(sampledShare(sampler, 'payment.charge', 200)).toBe(1);
    expect(sampledShare(sampler, 'Cache.invalidate', 200)).toBe(0);
  });

  it('follows the parent decision', () => {
    const sampler = createSampler(1, 1);
    const parent = (flags: TraceFlags) =>
      trace.setSpanContext(ROOT_CONTEXT, {
        traceId: ids.generateTraceId(),
        spanId: ids.generateSpanId(),
        traceFlags: flags,
        isRemote: true,
      });
    const unsampled = sampler.shouldSample(
      parent(TraceFlags.NONE),
      ids.generateTraceId(),
      'parts.x',
      SpanKind.SERVER,
      {},
      [],
    );
    expect(unsampled.decision).toBe(SamplingDecision.NOT_RECORD);
    const never = createSampler(0, 0);
    const sampled = never.shouldSample(
      parent(TraceFlags.SAMPLED),
      ids.generateTraceId(),
      'other',
      SpanKind.SERVER,
      {},
      [],
    );
    expect(sampled.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });
});
