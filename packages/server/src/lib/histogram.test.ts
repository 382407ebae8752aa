import { describe, expect, it } from 'vitest';
import {
  CUSTOM_BUCKETS_SCHEMA,
  type CounterResetHint,
  type FloatHistogram,
  HistogramSum,
  IncompatibleSchemaError,
  addHistograms,
  allBuckets,
  combineHints,
  compact,
  detectReset,
  divideHistogram,
  expandBuckets,
  getBoundExponential,
  hasOverflow,
  histogramEquals,
  histogramString,
  reduceToSchema,
  scaleHistogram,
  subHistograms,
  trimBuckets,
} from './histogram.js';

interface Spec {
  schema?: number;
  count?: number;
  sum?: number;
  zt?: number;
  zc?: number;
  /** Positive buckets from index `offset` (one span). */
  pos?: number[];
  offset?: number;
  neg?: number[];
  nOffset?: number;
  cv?: number[];
  hint?: CounterResetHint;
}

/** A histogram as the test DSL writes one: `{{schema:0 count:4 buckets:[1 2 1]}}`. */
function hist(s: Spec): FloatHistogram {
  const pos = s.pos ?? [];
  const neg = s.neg ?? [];
  const h: FloatHistogram = {
    schema: s.schema ?? 0,
    count: s.count ?? 0,
    sum: s.sum ?? 0,
    zeroThreshold: s.zt ?? 0,
    zeroCount: s.zc ?? 0,
    positiveSpans: pos.length > 0 ? [{ offset: s.offset ?? 0, length: pos.length }] : [],
    positiveBuckets: pos,
    negativeSpans: neg.length > 0 ? [{ offset: s.nOffset ?? 0, length: neg.length }] : [],
    negativeBuckets: neg,
  };
  if (s.cv !== undefined) h.customValues = s.cv;
  if (s.hint !== undefined) h.counterResetHint = s.hint;
  return h;
}

/** Index → count of the non-empty buckets of one side, for layout-independent comparisons. */
function buckets(h: FloatHistogram, positive = true): Record<number, number> {
  const list = positive
    ? expandBuckets(h.positiveSpans, h.positiveBuckets)
    : expandBuckets(h.negativeSpans, h.negativeBuckets);
  const out: Record<number, number> = {};
  list.idx.forEach((i, k) => {
    if (list.cnt[k] !== 0) out[i] = list.cnt[k]!;
  });
  return out;
}

describe('getBoundExponential', () => {
  it.each([
    [0, 0, 1],
    [1, 0, 2],
    [-1, 0, 0.5],
    [3, 0, 8],
    [1, 1, Math.SQRT2],
    [2, 1, 2],
    [-1, 1, Math.SQRT1_2],
    [1, 2, 2 ** 0.25],
    [0, -1, 1],
    [1, -1, 4],
    [-1, -1, 0.25],
    [1, -2, 16],
    [1024, 0, Number.MAX_VALUE],
    [1023, 0, 2 ** 1023],
    [256, -2, Number.MAX_VALUE],
  ])('bucket %d of schema %d ends at %d', (idx, schema, want) => {
    expect(getBoundExponential(idx, schema)).toBeCloseTo(want, 12);
  });

  it('is a power of two at every whole exponent and within an ulp of 2^(i/2^s) elsewhere', () => {
    for (let schema = 1; schema <= 8; schema++) {
      const n = 2 ** schema;
      for (let i = -n; i <= 2 * n; i++) {
        const got = getBoundExponential(i, schema);
        const want = Math.pow(2, i / n);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(want * 2.3e-16);
        if (i % n === 0) expect(got).toBe(want);
      }
    }
  });

  it('is increasing', () => {
    for (let i = -300; i < 300; i++) expect(getBoundExponential(i + 1, 3)).toBeGreaterThan(getBoundExponential(i, 3));
  });
});

describe('allBuckets', () => {
  it('orders negative, zero and positive buckets and cuts buckets at the zero threshold', () => {
    const h = hist({ schema: 0, count: 7, zt: 0.75, zc: 1, pos: [1, 2], neg: [3] });
    expect(allBuckets(h).map((b) => [b.lower, b.upper, b.count])).toEqual([
      [-1, -0.75, 3],
      [-0.75, 0.75, 1],
      [0.75, 1, 1],
      [1, 2, 2],
    ]);
  });

  it('gives custom buckets their bounds, from -Inf to +Inf', () => {
    const h = hist({ schema: CUSTOM_BUCKETS_SCHEMA, count: 6, pos: [1, 2, 3], cv: [5, 10] });
    expect(allBuckets(h).map((b) => [b.lower, b.upper, b.count])).toEqual([
      [-Infinity, 5, 1],
      [5, 10, 2],
      [10, Infinity, 3],
    ]);
  });
});

describe('compact', () => {
  it.each<[string, FloatHistogram, Record<number, number>, number]>([
    ['drops empty buckets', hist({ pos: [0, 1, 0, 2, 0] }), { 1: 1, 3: 2 }, 2],
    ['keeps a compact histogram as it is', hist({ pos: [1, 2], offset: 3 }), { 3: 1, 4: 2 }, 1],
    ['empties a histogram of zeros', hist({ pos: [0, 0] }), {}, 0],
  ])('%s', (_name, h, want, spans) => {
    const c = compact(h);
    expect(buckets(c)).toEqual(want);
    expect(c.positiveSpans).toHaveLength(spans);
    expect(c.positiveBuckets.every((b) => b !== 0)).toBe(true);
  });
});

describe('reduceToSchema', () => {
  it.each<[string, FloatHistogram, number, Record<number, number>]>([
    ['merges pairs of buckets', hist({ schema: 1, pos: [1, 2, 3, 4], offset: 1 }), 0, { 1: 3, 2: 7 }],
    ['merges four buckets into one', hist({ schema: 2, pos: [1, 1, 1, 1] }), 0, { 0: 1, 1: 3 }],
    ['keeps the same schema', hist({ schema: 0, pos: [1, 2] }), 0, { 0: 1, 1: 2 }],
  ])('%s', (_name, h, target, want) => {
    const r = reduceToSchema(h, target);
    expect(r.schema).toBe(target);
    expect(buckets(r)).toEqual(want);
  });
});

describe('addHistograms and subHistograms', () => {
  it.each<[string, FloatHistogram, FloatHistogram, Partial<FloatHistogram>, Record<number, number>]>([
    [
      'adds bucket by bucket',
      hist({ count: 4, sum: 5, pos: [1, 2, 1] }),
      hist({ count: 3, sum: 2, pos: [1, 1, 1], offset: 1 }),
      { count: 7, sum: 7, schema: 0 },
      { 0: 1, 1: 3, 2: 2, 3: 1 },
    ],
    [
      'reduces to the coarser schema',
      hist({ schema: 1, count: 4, pos: [1, 1, 1, 1], offset: 1 }),
      hist({ schema: 0, count: 2, pos: [2], offset: 1 }),
      { count: 6, schema: 0 },
      { 1: 4, 2: 2 },
    ],
    [
      'widens the zero bucket to the larger threshold',
      hist({ count: 3, zt: 0, pos: [1, 2], offset: -1 }),
      hist({ count: 1, zt: 0.5, zc: 1 }),
      { count: 4, zeroThreshold: 0.5, zeroCount: 2 },
      { 0: 2 },
    ],
    [
      'adds custom buckets with the same bounds',
      hist({ schema: CUSTOM_BUCKETS_SCHEMA, count: 3, pos: [1, 2], cv: [5] }),
      hist({ schema: CUSTOM_BUCKETS_SCHEMA, count: 1, pos: [0, 1], cv: [5] }),
      { count: 4, customValues: [5] },
      { 0: 1, 1: 3 },
    ],
  ])('%s', (_name, a, b, fields, want) => {
    const r = addHistograms(a, b);
    expect(r.h).toMatchObject(fields);
    expect(buckets(r.h)).toEqual(want);
    expect(r.nhcbBoundsReconciled).toBe(false);
  });

  it('subtracts, keeping emptied buckets until compacted', () => {
    const r = subHistograms(hist({ count: 4, sum: 5, pos: [1, 2, 1] }), hist({ count: 1, sum: 1, pos: [1] }));
    expect(r.h).toMatchObject({ count: 3, sum: 4 });
    expect(buckets(r.h)).toEqual({ 1: 2, 2: 1 });
    expect(buckets(compact(r.h))).toEqual({ 1: 2, 2: 1 });
  });

  it('reconciles custom buckets with different bounds onto their common bounds', () => {
    const a = hist({ schema: CUSTOM_BUCKETS_SCHEMA, count: 6, pos: [1, 2, 3], cv: [5, 10] });
    const b = hist({ schema: CUSTOM_BUCKETS_SCHEMA, count: 2, pos: [1, 1], cv: [10] });
    const r = addHistograms(a, b);
    expect(r.nhcbBoundsReconciled).toBe(true);
    expect(r.h.customValues).toEqual([10]);
    expect(buckets(r.h)).toEqual({ 0: 4, 1: 4 });
  });

  it('rejects a mix of exponential and custom buckets', () => {
    const exp = hist({ count: 1, pos: [1] });
    const custom = hist({ schema: CUSTOM_BUCKETS_SCHEMA, count: 1, pos: [1], cv: [1] });
    expect(() => addHistograms(exp, custom)).toThrow(IncompatibleSchemaError);
    expect(() => subHistograms(custom, exp)).toThrow(IncompatibleSchemaError);
  });

  it('does not modify its arguments', () => {
    const a = hist({ schema: 1, count: 4, zt: 0, pos: [1, 1, 1, 1] });
    const b = hist({ schema: 0, count: 2, zt: 1, zc: 2 });
    const before = JSON.stringify([a, b]);
    addHistograms(a, b);
    subHistograms(b, a);
    expect(JSON.stringify([a, b])).toBe(before);
  });
});

describe('combineHints', () => {
  it.each<[CounterResetHint, CounterResetHint, CounterResetHint, boolean]>([
    ['not_reset', 'not_reset', 'not_reset', false],
    ['gauge', 'not_reset', 'gauge', false],
    ['unknown', 'gauge', 'gauge', false],
    ['unknown', 'not_reset', 'unknown', false],
    ['reset', 'unknown', 'unknown', false],
    ['reset', 'not_reset', 'unknown', true],
    ['not_reset', 'reset', 'unknown', true],
  ])('%s + %s = %s (collision: %s)', (a, b, hint, collision) => {
    expect(combineHints(a, b)).toEqual({ hint, collision });
  });
});

describe('scaling', () => {
  it.each<[string, FloatHistogram, number, Partial<FloatHistogram>]>([
    ['multiplies everything', hist({ count: 4, sum: 6, zc: 1, pos: [1, 2] }), 2, { count: 8, sum: 12, zeroCount: 2 }],
    ['a negative factor makes a gauge', hist({ count: 1, pos: [1] }), -1, { count: -1, counterResetHint: 'gauge' }],
  ])('scaleHistogram %s', (_name, h, f, want) => {
    expect(scaleHistogram(h, f)).toMatchObject(want);
  });

  it('divideHistogram by zero drops the buckets', () => {
    const d = divideHistogram(hist({ count: 3, sum: 3, pos: [1, 2] }), 0);
    expect(d).toMatchObject({ count: Infinity, sum: Infinity, positiveSpans: [], positiveBuckets: [] });
  });

  it('hasOverflow sees any infinite count', () => {
    expect(hasOverflow(hist({ count: 1, pos: [1] }))).toBe(false);
    expect(hasOverflow(hist({ count: 1, pos: [Infinity] }))).toBe(true);
    expect(hasOverflow(hist({ count: -Infinity }))).toBe(true);
  });
});

describe('HistogramSum', () => {
  it('compensates sums of very different magnitudes (Kahan)', () => {
    const s = new HistogramSum(hist({ count: 1, sum: 1 }));
    for (const sum of [1e100, 1, -1e100]) s.add(hist({ count: 1, sum }));
    expect(s.result()).toMatchObject({ count: 4, sum: 2 });
    expect(s.result(4)).toMatchObject({ count: 1, sum: 0.5 });
  });

  it('reduces to the coarsest schema and tracks the hint', () => {
    const s = new HistogramSum(hist({ schema: 1, count: 2, pos: [1, 1], offset: 1, hint: 'not_reset' }));
    s.add(hist({ schema: 0, count: 1, pos: [1], offset: 1, hint: 'gauge' }));
    const r = s.result();
    expect(r).toMatchObject({ schema: 0, count: 3, counterResetHint: 'gauge' });
    expect(buckets(r)).toEqual({ 1: 3 });
  });

  it('reports reconciled custom bounds and rejects mixed schemas', () => {
    const s = new HistogramSum(hist({ schema: CUSTOM_BUCKETS_SCHEMA, count: 1, pos: [1], cv: [5, 10] }));
    expect(s.add(hist({ schema: CUSTOM_BUCKETS_SCHEMA, count: 1, pos: [1], cv: [10] })).nhcbBoundsReconciled).toBe(
      true,
    );
    expect(s.result()).toMatchObject({ count: 2, customValues: [10] });
    expect(() => s.add(hist({ count: 1 }))).toThrow(IncompatibleSchemaError);
  });

  it('clone is independent; scale and divide act on value and compensation', () => {
    const s = new HistogramSum(hist({ count: 2, sum: 4, pos: [2] }));
    const c = s.clone();
    c.add(hist({ count: 2, sum: 4, pos: [2] }));
    expect(s.result().count).toBe(2);
    c.divide(2);
    c.scale(0.5);
    expect(c.result()).toMatchObject({ count: 1, sum: 2, positiveBuckets: [1] });
  });
});

describe('detectReset', () => {
  it.each<[string, FloatHistogram, FloatHistogram, boolean]>([
    ['more of everything is no reset', hist({ count: 4, pos: [2, 2] }), hist({ count: 2, pos: [1, 1] }), false],
    ['a lower count is a reset', hist({ count: 1, pos: [1] }), hist({ count: 2, pos: [2] }), true],
    ['a lower bucket is a reset', hist({ count: 3, pos: [0, 3] }), hist({ count: 2, pos: [1, 1] }), true],
    [
      'a vanished populated bucket is a reset',
      hist({ count: 5, pos: [5], offset: 1 }),
      hist({ count: 1, pos: [1] }),
      true,
    ],
    [
      'a vanished empty bucket is no reset',
      hist({ count: 5, pos: [5], offset: 1 }),
      hist({ count: 1, pos: [0, 1] }),
      false,
    ],
    ['a lower zero count is a reset', hist({ count: 2, zc: 1 }), hist({ count: 2, zc: 2 }), true],
    ['a higher resolution is a reset', hist({ schema: 1, count: 2 }), hist({ schema: 0, count: 2 }), true],
    [
      'a lower resolution compares merged buckets',
      hist({ schema: 0, count: 4, pos: [4], offset: 1 }),
      hist({ schema: 1, count: 2, pos: [1, 1], offset: 1 }),
      false,
    ],
    ['a smaller zero bucket is a reset', hist({ count: 2, zt: 0.1 }), hist({ count: 2, zt: 0.5 }), true],
    ['the hint reset wins', hist({ count: 4, pos: [4], hint: 'reset' }), hist({ count: 2, pos: [2] }), true],
    ['the hint not_reset wins', hist({ count: 1, hint: 'not_reset' }), hist({ count: 2 }), false],
    [
      'custom buckets with other bounds compare on the common bounds',
      hist({ schema: CUSTOM_BUCKETS_SCHEMA, count: 3, pos: [3], cv: [10] }),
      hist({ schema: CUSTOM_BUCKETS_SCHEMA, count: 2, pos: [1, 1], cv: [5, 10] }),
      false,
    ],
    [
      'exponential after custom buckets is a reset',
      hist({ count: 3, pos: [3] }),
      hist({ schema: CUSTOM_BUCKETS_SCHEMA, count: 2, pos: [2], cv: [1] }),
      true,
    ],
  ])('%s', (_name, curr, prev, want) => {
    expect(detectReset(curr, prev)).toBe(want);
  });
});

describe('histogramEquals', () => {
  it.each<[string, FloatHistogram, FloatHistogram, boolean]>([
    ['equal', hist({ count: 2, sum: 3, pos: [1, 1] }), hist({ count: 2, sum: 3, pos: [1, 1] }), true],
    [
      'spans written differently',
      hist({ count: 2, pos: [1, 1] }),
      {
        ...hist({ count: 2 }),
        positiveSpans: [
          { offset: 0, length: 1 },
          { offset: 0, length: 1 },
        ],
        positiveBuckets: [1, 1],
      },
      true,
    ],
    ['an extra empty bucket', hist({ count: 2, pos: [1, 1] }), hist({ count: 2, pos: [1, 1, 0] }), false],
    ['other sum', hist({ count: 2, sum: 1 }), hist({ count: 2, sum: 2 }), false],
    ['NaN sums', hist({ sum: NaN }), hist({ sum: NaN }), true],
    [
      'other custom bounds',
      hist({ schema: CUSTOM_BUCKETS_SCHEMA, cv: [1] }),
      hist({ schema: CUSTOM_BUCKETS_SCHEMA, cv: [2] }),
      false,
    ],
  ])('%s', (_name, a, b, want) => {
    expect(histogramEquals(a, b)).toBe(want);
  });
});

describe('trimBuckets', () => {
  // native_histograms.test: h_test {{schema:0 sum:123.75 count:34 z_bucket:1 z_bucket_w:0.001
  // buckets:[2 4 8 16] n_buckets:[1 2]}}
  const h = hist({ count: 34, sum: 123.75, zt: 0.001, zc: 1, pos: [2, 4, 8, 16], neg: [1, 2] });

  it.each<[string, number, boolean, Partial<FloatHistogram>, Record<number, number>, Record<number, number>]>([
    [
      'keeps everything below +Inf',
      Infinity,
      true,
      { count: 34, sum: 123.75, zeroCount: 1 },
      { 0: 2, 1: 4, 2: 8, 3: 16 },
      { 0: 1, 1: 2 },
    ],
    ['keeps nothing above +Inf', Infinity, false, { count: 0, sum: 0, zeroCount: 0 }, {}, {}],
    ['keeps the positive half above 0', 0, false, { count: 30.5, zeroCount: 0.5 }, { 0: 2, 1: 4, 2: 8, 3: 16 }, {}],
    [
      'interpolates exponentially inside a bucket',
      1.4142135624,
      true,
      { zeroCount: 1 },
      { 0: 2, 1: 2 },
      { 0: 1, 1: 2 },
    ],
  ])('%s', (_name, rhs, upper, fields, pos, neg) => {
    const t = trimBuckets(h, rhs, upper);
    expect(t).toMatchObject(fields);
    expect(buckets(t)).toEqual(
      Object.fromEntries(Object.entries(pos).map(([k, v]) => [k, expect.closeTo(v, 6) as number])),
    );
    expect(buckets(t, false)).toEqual(neg);
  });

  it('re-estimates count and sum from bucket midpoints', () => {
    expect(trimBuckets(h, 1.4142135624, true).count).toBeCloseTo(8, 6);
    expect(trimBuckets(h, 0, false).sum).toBeCloseTo(120.20840280171308, 9);
    expect(trimBuckets(h, 0, true).sum).toBeCloseTo(-3.5357839059327377, 9);
  });
});

describe('histogramString', () => {
  it('prints as Prometheus does', () => {
    const h = hist({ count: 20, sum: 10, zt: 0.001, zc: 2, pos: [1, 2], offset: 0, neg: [1, 2], nOffset: 0 });
    expect(histogramString(h)).toBe('{count:20, sum:10, [-2,-1):2, [-1,-0.5):1, [-0.001,0.001]:2, (0.5,1]:1, (1,2]:2}');
  });
});
