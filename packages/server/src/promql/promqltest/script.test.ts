import { describe, expect, it } from 'vitest';
import { Labels } from '../../lib/labels.js';
import {
  combineHistograms,
  findEvalLines,
  parseDuration,
  parseGoNumber,
  parseHistogramLiteral,
  parseScript,
  parseSeriesDesc,
  parseStartTimestampSequence,
  parseValueSequence,
  unquoteString,
  type EvalCmd,
  type LoadCmd,
  type SeqValue,
} from './script.js';

/** Compact notation of expanded positions: numbers, '_' for omitted, 'stale', 'h' for histograms. */
function seq(s: string): (number | string)[] {
  return parseValueSequence(s).map(show);
}

function show(v: SeqValue): number | string {
  switch (v.kind) {
    case 'omitted':
      return '_';
    case 'stale':
      return 'stale';
    case 'float':
      return v.value;
    case 'histogram':
      return 'h';
  }
}

function evalCmd(text: string, i = 0): EvalCmd {
  const cmd = parseScript(text).commands.filter((c) => c.kind === 'eval')[i];
  if (cmd?.kind !== 'eval') throw new Error('no eval');
  return cmd;
}

describe('durations', () => {
  it.each([
    ['0', 0],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['10s53ms', 10_053],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['0s', 0],
  ])('%s = %d ms', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  it.each(['', '5', '-1m', '1.5m', '30m1h', 'm'])('rejects %j', (s) => {
    expect(() => parseDuration(s)).toThrow();
  });
});

describe('numbers', () => {
  it.each([
    ['1', 1],
    ['-2', -2],
    ['.5', 0.5],
    ['1.', 1],
    ['1e-3', 0.001],
    ['010', 8], // base-0 int parsing: octal
    ['0x10', 16],
    ['Inf', Infinity],
    ['+inf', Infinity],
    ['-Inf', -Infinity],
    ['NaN', NaN],
    ['9223372036854775807', 9223372036854775807],
  ])('%s', (s, v) => {
    expect(parseGoNumber(s)).toBe(v);
  });

  it.each(['', 'x', '1e400', '1 2', 'stale', '+nan', '{} 1'])('rejects %j', (s) => {
    expect(parseGoNumber(s)).toBeUndefined();
  });
});

describe('value sequences', () => {
  it.each<[string, (number | string)[]]>([
    ['1 2 3', [1, 2, 3]],
    ['_', ['_']],
    ['_x3', ['_', '_', '_']], // K positions, not K+1
    ['1x3', [1, 1, 1, 1]],
    ['0+10x3', [0, 10, 20, 30]],
    ['10-2x3', [10, 8, 6, 4]],
    ['-1-1x2', [-1, -2, -3]],
    ['-1+1x2', [-1, 0, 1]],
    ['+5', [5]],
    ['1 _ 3 stale', [1, '_', 3, 'stale']],
    ['Inf -Inf NaN', [Infinity, -Infinity, NaN]],
    ['1e3 .5 1.5e-1', [1000, 0.5, 0.15]],
    ['0x2', [0, 0, 0]], // no hex in series values: x is repetition
    ['1\t\t2', [1, 2]],
    ['', []],
  ])('%j', (s, want) => {
    expect(seq(s)).toEqual(want);
  });

  it('stale repeats with x after a space-separated item only', () => {
    expect(seq('stale')).toEqual(['stale']);
    expect(() => seq('stalex2')).toThrow(/stalex2/);
  });

  it('uses repeated float addition, not start + i*step', () => {
    const got = parseValueSequence('0+0.1x10').map(show);
    let acc = 0;
    const want: number[] = [0];
    for (let i = 0; i < 10; i++) want.push((acc += 0.1));
    expect(got).toEqual(want);
    expect(got[3]).toBe(0.30000000000000004);
    expect(got[10]).not.toBe(0.1 * 10);
  });

  it.each(['1x', '1+1', '1+x3', 'foo', '1_', '1x1.5', '_x', '1 2x-1', '{{schema:0}', '1,2'])('rejects %j', (s) => {
    expect(() => parseValueSequence(s)).toThrow();
  });
});

describe('histogram literals', () => {
  it('parses every descriptor', () => {
    const { h, hintSet } = parseHistogramLiteral(
      'schema:1 sum:-5.5 count:10 z_bucket:2 z_bucket_w:0.001 buckets:[1 2 3] offset:-2 n_buckets:[4] n_offset:3 counter_reset_hint:gauge',
    );
    expect(hintSet).toBe(true);
    expect(h).toEqual({
      schema: 1,
      sum: -5.5,
      count: 10,
      zeroCount: 2,
      zeroThreshold: 0.001,
      positiveSpans: [{ offset: -2, length: 3 }],
      positiveBuckets: [1, 2, 3],
      negativeSpans: [{ offset: 3, length: 1 }],
      negativeBuckets: [4],
      counterResetHint: 'gauge',
    });
  });

  it('defaults everything to zero / empty and the hint to unknown (not spelled out)', () => {
    const { h, hintSet } = parseHistogramLiteral('');
    expect(hintSet).toBe(false);
    expect(h).toMatchObject({
      schema: 0,
      count: 0,
      sum: 0,
      zeroCount: 0,
      positiveSpans: [],
      counterResetHint: 'unknown',
    });
  });

  it('custom buckets', () => {
    const { h } = parseHistogramLiteral('schema:-53 sum:1 count:1 custom_values:[5 10] buckets:[1]');
    expect(h.schema).toBe(-53);
    expect(h.customValues).toEqual([5, 10]);
  });

  it('in value sequences: single, repeated and series', () => {
    const vals = parseValueSequence('{{schema:0 sum:1 count:1}} {{schema:0 sum:5 count:4 buckets:[1 2 1]}}x2 _');
    expect(vals.map(show)).toEqual(['h', 'h', 'h', 'h', '_']);
    const series = parseValueSequence(
      '{{schema:0 count:1 sum:1 buckets:[1] offset:1}}+{{count:1 sum:1 buckets:[1] offset:1}}x3',
    );
    expect(series).toHaveLength(4);
    const last = series[3]!;
    expect(last.kind === 'histogram' && last.h).toMatchObject({
      count: 4,
      sum: 4,
      positiveSpans: [{ offset: 1, length: 1 }],
      positiveBuckets: [4],
    });
    const down = parseValueSequence('{{schema:0 sum:10 count:10 buckets:[10]}}-{{sum:1 count:1 buckets:[1]}}x2');
    expect(down.map((v) => v.kind === 'histogram' && v.h.count)).toEqual([10, 9, 8]);
  });

  it('refuses to combine into a coarser increment schema', () => {
    expect(() => parseValueSequence('{{schema:1 sum:1 count:1}}+{{schema:0 sum:1 count:1}}x2')).toThrow(/schema/);
  });

  it('combines with a finer increment by reducing its resolution', () => {
    const a = parseHistogramLiteral('schema:0 count:1 buckets:[1]').h; // bucket index 0
    const b = parseHistogramLiteral('schema:1 count:2 buckets:[1 1] offset:1').h; // indexes 1,2 → schema 0 index 1
    const c = combineHistograms(a, b, 1);
    expect(c.schema).toBe(0);
    expect(c.positiveSpans).toEqual([{ offset: 0, length: 2 }]);
    expect(c.positiveBuckets).toEqual([1, 2]);
  });

  it.each(['schema:x', 'foo:1', 'buckets:1', 'counter_reset_hint:maybe', 'schema:1.5'])('rejects %j', (s) => {
    expect(() => parseHistogramLiteral(s)).toThrow();
  });
});

describe('series descriptions', () => {
  it.each<[string, Record<string, string>]>([
    ['foo 1', { __name__: 'foo' }],
    ['foo{a="b", c="d"} 1', { __name__: 'foo', a: 'b', c: 'd' }],
    ['{__name__="foo",a="b",} 1', { __name__: 'foo', a: 'b' }],
    ['{} 1', {}],
    ['{"my.metric", "some.label"="x"} 1', { __name__: 'my.metric', 'some.label': 'x' }],
    ["foo{a='q\\'d', b=`raw\\n`} 1", { __name__: 'foo', a: "q'd", b: 'raw\\n' }],
    ['foo:bar{by="x"} 1', { __name__: 'foo:bar', by: 'x' }],
    ['foo{a="\\u00e9\\x41\\n"} 1', { __name__: 'foo', a: 'éA\n' }],
  ])('%s', (line, want) => {
    expect(parseSeriesDesc(line).labels.toRecord()).toEqual(want);
  });

  it.each(['foo{a!="b"} 1', 'foo{a=~"b"} 1', 'foo{a="b" 1', 'foo{a=b} 1', 'foo{a="x", a="y"} 1', 'foo{}1', '1 2'])(
    'rejects %j',
    (line) => {
      expect(() => parseSeriesDesc(line)).toThrow();
    },
  );

  it('unquotes Go-style', () => {
    expect(unquoteString('"a\\tb"')).toBe('a\tb');
    expect(unquoteString('`a\\tb`')).toBe('a\\tb');
    expect(() => unquoteString('"a')).toThrow();
    expect(() => unquoteString('"\\q"')).toThrow();
  });
});

describe('start timestamp sequences', () => {
  it.each<[string, (number | undefined)[]]>([
    ['_ _', [undefined, undefined]],
    ['_x2', [undefined, undefined]],
    ['-1m', [-60_000]],
    ['-1mx2', [-60_000, -60_000, -60_000]],
    ['-30s-1mx2', [-30_000, -90_000, -150_000]],
    ['0-1mx1', [0, -60_000]],
    ['1ms+1sx1', [1, 1001]],
    ['-59999msx1', [-59_999, -59_999]],
  ])('%s', (s, want) => {
    expect(parseStartTimestampSequence(s)).toEqual(want);
  });
});

describe('scripts', () => {
  it('parses loads with timestamps from the interval, last definition wins', () => {
    const s = parseScript(`
load 5m
  foo{a="1"} 1 2
  foo{a="2"} 3
  foo{a="1"} 9

load_with_nhcb 10s53ms
  bar_bucket{le="1"} 1
`);
    const [l1, l2] = s.commands as LoadCmd[];
    expect(l1).toMatchObject({ kind: 'load', line: 2, intervalMs: 300_000, withNHCB: false });
    expect(l1!.series.map((x) => [x.labels.get('a'), x.values.map(show)])).toEqual([
      ['1', [9]],
      ['2', [3]],
    ]);
    expect(l2).toMatchObject({ kind: 'load', line: 7, intervalMs: 10_053, withNHCB: true });
  });

  it('parses @st lines', () => {
    const s = parseScript(`
load 1m
  m{t="a"}@st _ -1mx1
  m{t="a"}    _ 1 2
`);
    const l = s.commands[0] as LoadCmd;
    expect(l.series[0]!.startOffsetsMs).toEqual([undefined, -60_000, -60_000]);
    expect(() => parseScript('load 1m\n  m@st -1m\n  other 1\n')).toThrow(/does not match/);
    expect(() => parseScript('load 1m\n  m@st -1m -1m\n  m 1\n')).toThrow(/2 values/);
    expect(() => parseScript('load 1m\n  m@st -1m\n')).toThrow(/no following sample line/);
  });

  it('a comment line ends a block', () => {
    expect(() => parseScript('load 5m\n  foo 1\n# note\n  foo 2\n')).toThrow(/line 4: invalid command/);
  });

  it('eval headers', () => {
    const inst = evalCmd('eval instant at 1h30m sum by (x) (foo)\n  {} 1\n');
    expect(inst).toMatchObject({
      line: 1,
      expr: 'sum by (x) (foo)',
      isRange: false,
      evalMs: 5_400_000,
      startMs: 5_400_000,
      endMs: 0,
    });
    const rng = evalCmd('eval range from 0 to 10m step 5m foo\n  foo 1 2 3\n');
    expect(rng).toMatchObject({ isRange: true, startMs: 0, endMs: 600_000, stepMs: 300_000, expr: 'foo' });
    expect(rng.expected.get(Labels.from({ __name__: 'foo' }).key)!.values.map(show)).toEqual([1, 2, 3]);
    expect(evalCmd('eval_ordered instant at 0 foo').legacy.ordered).toBe(true);
    expect(evalCmd('eval_fail range from 0 to 1m step 1m foo').legacy.fail).toBe(true);
    expect(() => parseScript('eval_ordered range from 0 to 1m step 1m foo')).toThrow(/invalid evaluation command/);
    expect(() => parseScript('eval range from 10m to 0 step 1m foo')).toThrow(/before start/);
    expect(() => parseScript('eval instant at 5 foo')).toThrow(/invalid timestamp/);
    expect(() => parseScript('eval foo')).toThrow(/invalid evaluation command/);
  });

  it('expect lines', () => {
    const c = evalCmd(`eval instant at 0 foo
  expect warn msg: PromQL warning: something (1:5)
  expect warn regex: some\\w+
  expect info
`);
    expect(c.expects.warn).toEqual([
      { match: 'msg', text: 'PromQL warning: something (1:5)' },
      { match: 'regex', text: 'some\\w+', regex: /some\w+/u },
    ]);
    expect(c.expects.info).toEqual([{ match: 'any', text: '' }]);
    expect(evalCmd('eval instant at 0 foo\n  expect fail msg:bad thing\n').expects.fail).toEqual([
      { match: 'msg', text: 'bad thing' },
    ]);
    expect(() => parseScript('eval instant at 0 foo\n  expect info\n  expect no_info\n')).toThrow(/info and no_info/);
    expect(() => parseScript('eval instant at 0 foo\n  expect warn\n  expect no_warn\n')).toThrow(/warn and no_warn/);
    expect(() => parseScript('eval instant at 0 foo\n  expect fail\n  expect fail\n')).toThrow(/multiple expect fail/);
    expect(() => parseScript('eval instant at 0 foo\n  expect sometimes\n')).toThrow(/invalid expect statement/);
  });

  it('expected series positions skip expect lines', () => {
    const c = evalCmd('eval instant at 0 foo\n  expect ordered\n  a 1\n  expect no_info\n  b 2\n');
    expect([...c.expected.values()].map((e) => e.pos)).toEqual([1, 2]);
  });

  it('a bare number is a scalar expectation and ends the body', () => {
    const c = evalCmd('eval instant at 0 1 + 1\n  2\n');
    expect(c.expectScalar).toBe(true);
    expect(c.scalar).toEqual({ kind: 'float', value: 2 });
    expect(() => parseScript('eval instant at 0 1\n  1\n  {} 1\n')).toThrow(/invalid command/);
  });

  it('legacy failure messages', () => {
    expect(evalCmd('eval_fail instant at 0 foo\n  expected_fail_message bad thing\n').expectedFailMessage).toBe(
      'bad thing',
    );
    expect(evalCmd('eval_fail instant at 0 foo\n  expected_fail_regexp bad.*\n').expectedFailRegexp?.source).toBe(
      'bad.*',
    );
  });

  it('expect string and expect range vector', () => {
    const s = evalCmd('eval instant at 0 "a"\n  expect string "a\\tb"\n');
    expect(s.expectedString).toBe('a\tb');
    expect(s.excludeFromRangeQuery).toBe(true);
    expect(() => parseScript('eval instant at 0 "a"\n  expect string a\n')).toThrow(/quoted/);
    const r = evalCmd('eval instant at 1m foo[1m]\n  expect range vector from 0 to 1m step 30s\n  foo 1 2 3\n');
    expect(r).toMatchObject({ expectRangeVector: true, startMs: 0, endMs: 60_000, stepMs: 30_000, evalMs: 60_000 });
    expect(() => parseScript('eval instant at 1m foo[1m]\n  foo 1 2\n')).toThrow(/multiple values/);
  });

  it('validates expressions with the given parser', () => {
    const parseExpr = (q: string): never => {
      throw new Error(`1:1: parse error: unexpected ${q}`);
    };
    expect(() => parseScript('\neval instant at 0 foo(\n', { parseExpr })).toThrow(/line 2: .*parse error/);
  });

  it.each([
    ['unknown command', 'frobnicate 1\n'],
    ['bad load interval', 'load 5\n'],
    ['bad series line', 'load 5m\n  foo{ 1\n'],
    ['bad expected series', 'eval instant at 0 foo\n  foo{a="b"} x\n'],
  ])('fails on %s', (_, text) => {
    expect(() => parseScript(text)).toThrow();
  });

  it('finds eval lines in a file that does not parse', () => {
    const text =
      'load 5m\n  evaluation_total 1\n\neval instant at 0 foo\n  foo 1\n\n# c\neval range from 0 to 1m step 1m bar\n\nbroken\n';
    expect(findEvalLines(text)).toEqual([
      { line: 4, query: 'foo' },
      { line: 8, query: 'bar' },
    ]);
  });
});
