import { describe, expect, it } from 'vitest';
import { Labels } from '../../lib/labels.js';
import { STALE_NAN, isStaleAt } from '../../lib/stale.js';
import { MemoryStorage, type Storage } from '../../tsdb/index.js';
import type { Expr } from '../ast.js';
import { Matcher } from '../../lib/matcher.js';
import { parseExpr } from '../parser.js';
import { formatAnnotation } from '../annotations.js';
import type { Annotation, MatrixSeries, QueryResult, QueryValue, Sample } from '../value.js';
import {
  almostEqual,
  histogramsEqual,
  runScript,
  summarize,
  synthesizeNHCB,
  type CaseResult,
  type QueryEngine,
  type RunOptions,
} from './runner.js';
import { parseHistogramLiteral, parseScript, type LoadCmd } from './script.js';

describe('float tolerance (DSL.md §7.4)', () => {
  const minNormal = 2.2250738585072014e-308;
  it.each<[string, number, number, boolean]>([
    ['equal', 1, 1, true],
    ['NaN vs NaN', NaN, NaN, true],
    ['NaN vs number', NaN, 1, false],
    ['StaleNaN vs StaleNaN', STALE_NAN, STALE_NAN, true],
    ['StaleNaN vs NaN', STALE_NAN, NaN, false],
    ['NaN vs StaleNaN', NaN, STALE_NAN, false],
    ['+Inf vs +Inf', Infinity, Infinity, true],
    ['+Inf vs -Inf', Infinity, -Infinity, false],
    ['+Inf vs MaxFloat64', Infinity, Number.MAX_VALUE, false],
    ['relative 1e-7', 1, 1 + 1e-7, true],
    ['relative ~1.5e-6 of the sum', 1, 1 + 3e-6, false],
    ['large relative', 1e300, 1e300 * (1 + 1e-7), true],
    ['0 vs 1e-17 (exact against zero)', 0, 1e-17, false],
    ['1e-17 vs 0', 1e-17, 0, false],
    ['0 vs -0', 0, -0, true],
    ['0 vs subnormal above eps*minNormal', 0, 1e-313, false],
    ['0 vs subnormal below eps*minNormal', 0, 1e-315, true],
    ['0 vs tiny subnormal', 0, 5e-324, true],
    ['subnormal sum', 5e-324, 1e-323, true],
    ['just above minNormal', 2 * minNormal, 2 * minNormal * (1 + 1e-7), true],
    ['negative numbers', -5, -5.000001, true],
    ['different signs', -1, 1, false],
  ])('%s', (_, a, b, want) => {
    expect(almostEqual(a, b)).toBe(want);
    expect(almostEqual(b, a)).toBe(want);
  });
});

describe('annotations', () => {
  it('renders Prometheus-style with 1-based line:col of the start', () => {
    const a: Annotation = { kind: 'warning', message: 'something odd', pos: { start: 4, end: 9 } };
    expect(formatAnnotation(a, 'sum(foo)')).toBe('PromQL warning: something odd (1:5)');
    expect(formatAnnotation({ kind: 'info', message: 'fyi', pos: { start: 6, end: 7 } }, 'a +\n  b')).toBe(
      'PromQL info: fyi (2:3)',
    );
    expect(formatAnnotation({ kind: 'info', message: 'fyi' }, 'x')).toBe('PromQL info: fyi');
  });

  it('counts columns in UTF-8 bytes', () => {
    expect(formatAnnotation({ kind: 'info', message: 'm', pos: { start: 8, end: 9 } }, '{"é"} + x')).toBe(
      'PromQL info: m (1:10)',
    );
  });
});

describe('histogram comparison', () => {
  const h = (s: string) => parseHistogramLiteral(s);
  it('compacts both sides and compares with tolerance', () => {
    const a = h('schema:0 count:3 sum:5 buckets:[1 0 2]').h;
    const b = h('schema:0 count:3.0000001 sum:5 buckets:[1] offset:0').h;
    b.positiveSpans = [
      { offset: 0, length: 1 },
      { offset: 1, length: 1 },
    ];
    b.positiveBuckets = [1, 2];
    expect(histogramsEqual(a, b, false)).toBe(true);
    expect(histogramsEqual(a, h('schema:0 count:3 sum:5 buckets:[1 2]').h, false)).toBe(false);
    expect(histogramsEqual(a, h('schema:1 count:3 sum:5 buckets:[1 0 2]').h, false)).toBe(false);
  });

  it('compares the counter reset hint only when spelled out', () => {
    const exp = h('schema:0 count:1 sum:1 counter_reset_hint:gauge');
    const act = h('schema:0 count:1 sum:1').h;
    expect(histogramsEqual(exp.h, act, exp.hintSet)).toBe(false);
    expect(histogramsEqual(h('schema:0 count:1 sum:1').h, { ...act, counterResetHint: 'reset' }, false)).toBe(true);
  });

  it('compares custom bounds exactly', () => {
    const a = h('schema:-53 count:1 sum:1 custom_values:[5 10] buckets:[1]').h;
    expect(histogramsEqual(a, h('schema:-53 count:1 sum:1 custom_values:[5 10] buckets:[1]').h, false)).toBe(true);
    expect(histogramsEqual(a, h('schema:-53 count:1 sum:1 custom_values:[5 11] buckets:[1]').h, false)).toBe(false);
  });
});

describe('load_with_nhcb', () => {
  it('converts classic histograms into custom-bucket histograms per timestamp', () => {
    const s = parseScript(`load_with_nhcb 1m
  m_bucket{le="1", j="a"} 1 2
  m_bucket{le="+Inf", j="a"} 3 4
  m_bucket{le="2", j="a"} 2 4
  m_count{j="a"} 3 4
  m_sum{j="a"} 10 20
  m_bucket{le="x", j="a"} 100 100
`);
    const [series] = synthesizeNHCB(s.commands[0] as LoadCmd);
    expect(series!.labels.toRecord()).toEqual({ __name__: 'm', j: 'a' });
    expect(series!.samples.map((x) => x.t)).toEqual([0, 60_000]);
    expect(series!.samples[0]!.h).toMatchObject({ schema: -53, count: 3, sum: 10, customValues: [1, 2] });
    expect(series!.samples[0]!.h.positiveBuckets).toEqual([1, 1, 1]);
    expect(series!.samples[1]!.h.positiveSpans).toEqual([{ offset: 0, length: 2 }]);
    expect(series!.samples[1]!.h.positiveBuckets).toEqual([2, 2]);
  });
});

/**
 * A tiny engine for the runner's own logic: bare vector selectors (with `@`), number literals and
 * `time()`, 5m lookback. Records every query it receives.
 */
class FakeEngine implements QueryEngine {
  readonly calls: { kind: 'instant' | 'range'; query: string; start: number; end?: number }[] = [];
  /** Lets a test alter what comes back. */
  transform?: (v: QueryValue, kind: 'instant' | 'range', query: string, t: number) => QueryValue;
  annotations: Annotation[] = [];
  fail?: string;

  constructor(readonly storage: Storage) {}

  private evalAt(e: Expr, t: number): QueryValue {
    switch (e.type) {
      case 'NumberLiteral':
        return { type: 'scalar', timestampMs: t, v: e.value };
      case 'StringLiteral':
        return { type: 'string', timestampMs: t, s: e.value };
      case 'Call':
        if (e.func === 'time') return { type: 'scalar', timestampMs: t, v: t / 1000 };
        throw new Error(`fake engine: unsupported function ${e.func}`);
      case 'VectorSelector': {
        const at = e.at?.timestampMs ?? t;
        const samples: Sample[] = [];
        for (const s of this.storage.select(e.matchers, at - 300_000 + 1, at)) {
          const n = s.values.length;
          if (n === 0 || isStaleAt(s.values, n - 1)) continue;
          samples.push({ labels: s.labels, timestampMs: t, v: s.values[n - 1]! });
        }
        samples.sort((a, b) => Labels.compare(a.labels, b.labels));
        return { type: 'vector', samples };
      }
      default:
        throw new Error(`fake engine: unsupported ${e.type}`);
    }
  }

  instantQuery(query: string, timeMs: number): Promise<QueryResult> {
    this.calls.push({ kind: 'instant', query, start: timeMs });
    if (this.fail !== undefined) return Promise.reject(new Error(this.fail));
    let v = this.evalAt(parseExpr(query, { enableExperimental: true }), timeMs);
    if (this.transform) v = this.transform(v, 'instant', query, timeMs);
    return Promise.resolve({ value: v, annotations: this.annotations, totalSamples: 0 });
  }

  rangeQuery(query: string, startMs: number, endMs: number, stepMs: number): Promise<QueryResult> {
    this.calls.push({ kind: 'range', query, start: startMs, end: endMs });
    if (this.fail !== undefined) return Promise.reject(new Error(this.fail));
    const expr = parseExpr(query, { enableExperimental: true });
    const bySeries = new Map<string, { labels: Labels; ts: number[]; vs: number[] }>();
    for (let t = startMs; t <= endMs; t += stepMs) {
      const v = this.evalAt(expr, t);
      const samples = v.type === 'scalar' ? [{ labels: Labels.EMPTY, v: v.v }] : v.type === 'vector' ? v.samples : [];
      for (const s of samples) {
        let e = bySeries.get(s.labels.key);
        if (!e) bySeries.set(s.labels.key, (e = { labels: s.labels, ts: [], vs: [] }));
        e.ts.push(t);
        e.vs.push(s.v);
      }
    }
    const series: MatrixSeries[] = [...bySeries.values()]
      .sort((a, b) => Labels.compare(a.labels, b.labels))
      .map((e) => ({ labels: e.labels, timestampsMs: Float64Array.from(e.ts), values: Float64Array.from(e.vs) }));
    let v: QueryValue = { type: 'matrix', series };
    if (this.transform) v = this.transform(v, 'range', query, startMs);
    return Promise.resolve({ value: v, annotations: this.annotations, totalSamples: 0 });
  }
}

async function run(
  text: string,
  opts: RunOptions & { setup?: (e: FakeEngine) => void } = {},
): Promise<{ results: CaseResult[]; engines: FakeEngine[]; storages: Storage[] }> {
  const engines: FakeEngine[] = [];
  const storages: Storage[] = [];
  const results = await runScript('fake.test', text, {
    skipList: [],
    ...opts,
    newStorage: () => {
      const s = opts.newStorage?.() ?? new MemoryStorage();
      storages.push(s);
      return s;
    },
    newEngine: (s) => {
      const e = new FakeEngine(s);
      opts.setup?.(e);
      engines.push(e);
      return e;
    },
  });
  return { results, engines, storages };
}

const LOAD = `
load 1m
  foo{a="1"} 1 2 3
  foo{a="2"} 10 20 30
`;

function statuses(results: CaseResult[]): string[] {
  return results.map((r) => `${r.line}:${r.status}`);
}

describe('runner: comparisons', () => {
  it('passes matching vectors, order-independent', async () => {
    const { results } = await run(`${LOAD}
eval instant at 2m foo
  foo{a="2"} 30
  foo{a="1"} 3.0000001
`);
    expect(results).toEqual([{ file: 'fake.test', line: 6, query: 'foo', status: 'passed', reason: '' }]);
  });

  it('reports wrong values, extra and missing series with expected and got', async () => {
    const { results } = await run(`${LOAD}
eval instant at 2m foo
  foo{a="1"} 3
  foo{a="2"} 31

eval instant at 2m foo
  foo{a="1"} 3

eval instant at 2m foo{a="1"}
  foo{a="1"} 3
  foo{a="3"} 3
`);
    expect(statuses(results)).toEqual(['6:failed', '10:failed', '13:failed']);
    expect(results[0]!.reason).toMatch(
      /^expected 31 for foo\{a="2"\} but got 30\nexpected:\n {2}foo\{a="1"\} 3\n {2}foo\{a="2"\} 31\ngot:\n/,
    );
    expect(results[1]!.reason).toMatch(/^unexpected metric foo\{a="2"\} in result, has value 30/);
    expect(results[2]!.reason).toMatch(/^expected metric foo\{a="3"\} not found/);
  });

  it('an empty expectation needs an empty vector; scalars need a scalar expectation', async () => {
    const { results } = await run(`${LOAD}
eval instant at 2m nothing

eval instant at 2m foo

eval instant at 0 1

eval instant at 0 1
  1

eval instant at 2m foo{a="1"}
  3
`);
    expect(statuses(results)).toEqual(['6:passed', '8:failed', '10:failed', '12:passed', '15:failed']);
    expect(results[2]!.reason).toMatch(/^expected vector or matrix result, but got scalar 1/);
    expect(results[4]!.reason).toMatch(/^expected scalar result, but got a vector/);
  });

  it('checks order only when asked', async () => {
    const { results } = await run(`${LOAD}
eval_ordered instant at 2m foo
  foo{a="1"} 3
  foo{a="2"} 30

eval instant at 2m foo
  expect ordered
  foo{a="2"} 30
  foo{a="1"} 3
`);
    expect(statuses(results)).toEqual(['6:passed', '10:failed']);
    expect(results[1]!.reason).toMatch(/^expected metric foo\{a="1"\} at position 2 but was at 1/);
  });

  it('range evals: _ means no point, shorter lists mean no later points', async () => {
    const { results } = await run(`${LOAD}
eval range from 0 to 4m step 1m foo{a="1"}
  foo{a="1"} 1 2 3 3 3

eval range from 0 to 4m step 1m foo{a="1"}
  foo{a="1"} 1 _ 3 3 3

eval range from 0 to 2m step 1m foo{a="1"}
  foo{a="1"} 1 2

eval range from 0 to 1m step 1m foo{a="1"}
  foo{a="1"} 1 2 3

eval range from 0 to 2m step 1m 7
  {} 7 7 7
`);
    expect(statuses(results)).toEqual(['6:passed', '9:failed', '12:failed', '15:failed', '18:passed']);
    expect(results[1]!.reason).toMatch(
      /^expected 4 float points and 0 histogram points for foo\{a="1"\}, but got 5 and 0/,
    );
    expect(results[3]!.reason).toMatch(/cannot return this many points/);
  });

  it('requires matrices sorted by labels', async () => {
    const { results } = await run(
      `${LOAD}
eval range from 0 to 1m step 1m foo
  foo{a="1"} 1 2
  foo{a="2"} 10 20
`,
      {
        setup: (e) => {
          e.transform = (v) => (v.type === 'matrix' ? { type: 'matrix', series: [...v.series].reverse() } : v);
        },
      },
    );
    expect(results[0]!.status).toBe('failed');
    expect(results[0]!.reason).toMatch(/sorted by labels/);
  });

  it('expected failures', async () => {
    const text = `${LOAD}
eval instant at 0 foo
  expect fail

eval instant at 0 foo
  expect fail msg: boom

eval instant at 0 foo
  expect fail regex: bo+m$

eval_fail instant at 0 foo
  expected_fail_message nope

eval_fail instant at 0 foo
  expected_fail_regexp ^bo

eval instant at 0 foo
`;
    const failing = await run(text, { setup: (e) => (e.fail = 'boom') });
    expect(statuses(failing.results)).toEqual([
      '6:passed',
      '9:passed',
      '12:passed',
      '15:failed',
      '18:passed',
      '21:failed',
    ]);
    expect(failing.results[3]!.reason).toBe('expected error "nope", but got: boom');
    expect(failing.results[5]!.reason).toBe('error evaluating the query: boom');
    const succeeding = await run(text);
    expect(
      succeeding.results.slice(0, 5).every((r) => r.status === 'failed' && /expected the query to fail/.test(r.reason)),
    ).toBe(true);
  });

  it('annotations: matched both ways when asked, ignored otherwise', async () => {
    const warn: Annotation = { kind: 'warning', message: 'odd thing', pos: { start: 0, end: 3 } };
    const text = `${LOAD}
eval instant at 2m foo{a="1"}
  expect warn msg: PromQL warning: odd thing (1:1)
  foo{a="1"} 3

eval instant at 2m foo{a="1"}
  expect warn regex: odd
  expect warn msg: PromQL warning: other thing (1:1)
  foo{a="1"} 3

eval instant at 2m foo{a="1"}
  expect no_warn
  foo{a="1"} 3

eval instant at 2m foo{a="1"}
  foo{a="1"} 3

eval instant at 2m foo{a="1"}
  expect info
  foo{a="1"} 3

eval_warn instant at 2m foo{a="1"}
  foo{a="1"} 3

eval instant at 2m foo{a="1"}
  expect no_info
  foo{a="1"} 3
`;
    const { results } = await run(text, { extraChecks: false, setup: (e) => (e.annotations = [warn]) });
    expect(statuses(results)).toEqual([
      '6:passed',
      '10:failed',
      '15:failed',
      '19:passed',
      '22:failed',
      '26:passed',
      '29:passed',
    ]);
    expect(results[1]!.reason).toMatch(/expected warn annotation "PromQL warning: other thing \(1:1\)"/);
    expect(results[2]!.reason).toMatch(/unexpected warning annotations/);
    const unmatched = await run(
      `${LOAD}
eval instant at 2m foo{a="1"}
  expect warn msg: PromQL warning: something else (1:1)
  foo{a="1"} 3
`,
      { extraChecks: false, setup: (e) => (e.annotations = [warn]) },
    );
    expect(unmatched.results[0]!.reason).toMatch(/no matching annotation was found/);
  });

  it('string results', async () => {
    const { results } = await run(`
eval instant at 0 "hello"
  expect string "hello"

eval instant at 0 "hello"
  expect string "bye"
`);
    expect(statuses(results)).toEqual(['2:passed', '5:failed']);
  });
});

describe('runner: extra checks', () => {
  it('runs the @-rewritten query at -10t, 0, t/5, t, 10t and each in range mode', async () => {
    const { results, engines } = await run(`${LOAD}
eval instant at 2m foo{a="1"}
  foo{a="1"} 3
`);
    expect(results[0]!.status).toBe('passed');
    const calls = engines[0]!.calls;
    expect(calls[0]).toEqual({ kind: 'instant', query: 'foo{a="1"}', start: 120_000 });
    expect(calls[1]).toEqual({ kind: 'range', query: 'foo{a="1"}', start: 60_000, end: 180_000 });
    const at = calls.filter((c) => c.kind === 'instant').slice(1);
    expect(at.map((c) => c.start)).toEqual([-1_200_000, 0, 24_000, 120_000, 1_200_000]);
    expect(new Set(at.map((c) => c.query))).toEqual(new Set(['foo{a="1"} @ 120.000']));
    expect(calls).toHaveLength(12);
  });

  it('uses -1000, 0, 1000 for t = 0 and skips time-dependent expressions', async () => {
    const { engines } = await run(`${LOAD}
eval instant at 0 foo{a="1"}
  foo{a="1"} 1

eval instant at 1m time()
  60
`);
    const instants = engines[0]!.calls.filter((c) => c.kind === 'instant');
    expect(instants.map((c) => `${c.query}@${c.start}`)).toEqual([
      'foo{a="1"}@0',
      'foo{a="1"} @ 0.000@-1000',
      'foo{a="1"} @ 0.000@0',
      'foo{a="1"} @ 0.000@1000',
      'time()@60000',
    ]);
  });

  it('fails when the range-mode result differs at t', async () => {
    const { results } = await run(
      `${LOAD}
eval instant at 2m foo{a="1"}
  foo{a="1"} 3
`,
      {
        setup: (e) => {
          e.transform = (v, kind) =>
            kind === 'range' && v.type === 'matrix'
              ? { type: 'matrix', series: v.series.map((s) => ({ ...s, values: s.values.map((x) => x + 1) })) }
              : v;
        },
      },
    );
    expect(results[0]!.status).toBe('failed');
    expect(results[0]!.reason).toMatch(
      /^expected 3 for foo\{a="1"\} but got 4 \(range-mode check: foo\{a="1"\} from t-1m to t\+1m step 1m, t=120000ms\)/,
    );
  });

  it('fails when a step-invariance run differs', async () => {
    const { results } = await run(
      `${LOAD}
eval instant at 2m foo{a="1"}
  foo{a="1"} 3
`,
      {
        setup: (e) => {
          e.transform = (v, kind, q, t) =>
            kind === 'instant' && q.includes('@') && t < 0 && v.type === 'vector' ? { type: 'vector', samples: [] } : v;
        },
      },
    );
    expect(results[0]!.reason).toMatch(
      /^expected metric foo\{a="1"\} not found \(@-modifier check: foo\{a="1"\} @ 120.000 evaluated at -1200000ms\)/,
    );
  });

  it('--no-extra-checks runs only the query as written', async () => {
    const { engines } = await run(
      `${LOAD}
eval instant at 2m foo{a="1"}
  foo{a="1"} 3
`,
      { extraChecks: false },
    );
    expect(engines[0]!.calls).toHaveLength(1);
  });
});

describe('runner: files, loads and skips', () => {
  it('reports every eval of a file that does not parse as failed', async () => {
    const { results } = await run(`${LOAD}
eval instant at 0 foo
  foo{a="1"} 1

eval instant at 0 foo(
`);
    expect(statuses(results)).toEqual(['6:failed', '9:failed']);
    expect(results[0]!.reason).toMatch(/^the file failed to parse: line 9: invalid expression "foo\("/);
  });

  it('a failed load fails the evals after it', async () => {
    const { results } = await run(`${LOAD}
eval instant at 2m foo{a="1"}
  foo{a="1"} 3

load 1m
  foo{a="1"} 5

eval instant at 2m foo{a="1"}
  foo{a="1"} 3
`);
    expect(statuses(results)).toEqual(['6:passed', '12:failed']);
    expect(results[1]!.reason).toMatch(
      /^not run: the load at line 9 failed: sample foo\{a="1"\} at t=0ms was rejected/,
    );
  });

  it('applies the skip list by file base name and line', async () => {
    const text = `${LOAD}
eval instant at 2m foo{a="1"}
  foo{a="1"} 3

eval instant at 2m foo{a="1"}
  foo{a="1"} 4
`;
    const line = await run(text, { skipList: [{ file: 'some/dir/fake.test', line: 9, reason: 'known bug' }] });
    expect(line.results.map((r) => [r.status, r.reason])).toEqual([
      ['passed', ''],
      ['skipped', 'known bug'],
    ]);
    const whole = await run(text, { skipList: [{ file: 'fake.test', reason: 'not yet' }] });
    expect(summarize(whole.results)).toEqual({ passed: 0, failed: 0, skipped: 2 });
  });

  it('stores staleness markers with their exact bits; clear starts a fresh storage', async () => {
    const { results, storages } = await run(`
load 1m
  foo 1 stale 2

eval instant at 1m foo

clear

eval instant at 1m foo
`);
    expect(statuses(results)).toEqual(['5:passed', '9:passed']);
    expect(storages).toHaveLength(2);
    const [s] = storages[0]!.select([new Matcher('=', '__name__', 'foo')], 0, 200_000);
    expect([...s!.timestampsMs]).toEqual([0, 60_000, 120_000]);
    expect(isStaleAt(s!.values, 1)).toBe(true);
    expect(storages[1]!.select([new Matcher('=', '__name__', 'foo')], 0, 200_000)).toEqual([]);
  });

  it('skips evals that touch series the storage cannot hold, with the reason', async () => {
    // A storage without appendHistogram (as a float-only durable storage would be).
    const floatOnly = (): Storage => {
      const m = new MemoryStorage();
      return {
        append: (l, t, v) => m.append(l, t, v),
        appender: () => m.appender(),
        select: (ms, a, b) => m.select(ms, a, b),
        labelNames: (ms) => m.labelNames(ms),
        labelValues: (n, ms) => m.labelValues(n, ms),
      };
    };
    const { results } = await run(
      `
load 1m
  h {{schema:0 sum:1 count:1}}x2
  f 1 2 3

load_with_nhcb 1m
  c_bucket{le="1"} 1
  c_bucket{le="+Inf"} 2

eval instant at 1m h

eval instant at 1m f
  f 2

eval instant at 1m {__name__=~"c.*"}
`,
      { newStorage: floatOnly },
    );
    expect(results.map((r) => [r.line, r.status])).toEqual([
      [10, 'skipped'],
      [12, 'passed'],
      [15, 'skipped'],
    ]);
    expect(results[0]!.reason).toMatch(
      /^needs native histogram samples: .*: selector .* matches h \(loaded at line 3\)/,
    );
    expect(results[2]!.reason).toMatch(/load_with_nhcb/);
  });
});
