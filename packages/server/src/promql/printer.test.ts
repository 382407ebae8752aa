import { describe, expect, it } from 'vitest';
import type { Expr } from './ast.js';
import { Matcher } from '../lib/matcher.js';
import { parseExpr } from './parser.js';
import { formatDuration, formatExpr, formatFloatF, formatFloatG, formatSignedDuration, goQuote } from './printer.js';

const exp = { enableExperimental: true };

function shape(x: unknown): unknown {
  if (x instanceof Matcher) return `${x.name}${x.type}${JSON.stringify(x.value)}`;
  if (Array.isArray(x)) return x.map(shape);
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) if (k !== 'pos' && v !== undefined) out[k] = shape(v);
    return out;
  }
  return x;
}

describe('formatExpr', () => {
  // [input, Prometheus's String() of it]
  const cases: [string, string][] = [
    ['sum by(job)(rate(foo{a="b"}[5m] offset 1m @ 100))', 'sum by (job) (rate(foo{a="b"}[5m] @ 100.000 offset 1m))'],
    ['sum(x) by (a,b)', 'sum by (a, b) (x)'],
    ['SUM without(a)(x)', 'sum without (a) (x)'],
    ['topk(5, x)', 'topk(5, x)'],
    ['count_values("v", x)', 'count_values("v", x)'],
    ['sum by ("a.b", c) (x)', 'sum by ("a.b", c) (x)'],
    ['foo{b="1",a="2"}', 'foo{a="2",b="1"}'],
    ['{"some.metric", "a b"="c"}', '{"a b"="c",__name__="some.metric"}'],
    ['{__name__="foo"}', '{__name__="foo"}'],
    ['foo{x=~"a\\\\.b", y!~"c"}', 'foo{x=~"a\\\\.b",y!~"c"}'],
    ['foo offset 1h30m', 'foo offset 1h30m'],
    ['foo offset 90m', 'foo offset 1h30m'],
    ['foo offset -5m', 'foo offset -5m'],
    ['foo offset 0', 'foo'],
    ['foo @ 1603774568', 'foo @ 1603774568.000'],
    ['foo @ -3.3335', 'foo @ -3.334'],
    ['foo @ start()', 'foo @ start()'],
    ['foo @ end() offset 1m', 'foo @ end() offset 1m'],
    ['foo[1h30m]', 'foo[1h30m]'],
    ['foo[1800]', 'foo[30m]'],
    ['foo[90d]', 'foo[90d]'],
    ['foo[14d]', 'foo[2w]'],
    ['foo[1500ms]', 'foo[1s500ms]'],
    ['foo[5m:]', 'foo[5m:]'],
    ['foo[5m:1m] offset 1m @ 5', 'foo[5m:1m] @ 5.000 offset 1m'],
    ['rate(x[5m])[1h:5m]', 'rate(x[5m])[1h:5m]'],
    ['a + on(b) group_left(c) d', 'a + on (b) group_left (c) d'],
    ['a + on(b) group_left d', 'a + on (b) group_left () d'],
    ['a - ignoring(b) group_right(c, d) e', 'a - ignoring (b) group_right (c, d) e'],
    ['a and on() b', 'a and on () b'],
    ['a > bool b', 'a > bool b'],
    ['1 == bool 2', '1 == bool 2'],
    ['a + fill(0) b', 'a + fill (0) b'],
    ['a + fill_left(1e6) b', 'a + fill_left (1e+06) b'],
    ['a + fill_left(1) fill_right(2) b', 'a + fill_left (1) fill_right (2) b'],
    ['a + fill_left(1) fill_right(1) b', 'a + fill (1) b'],
    ['a + ignoring(x) fill_right(-Inf) b', 'a + ignoring (x) fill_right (-Inf) b'],
    ['a atan2 b', 'a atan2 b'],
    ['h </ 1.5', 'h </ 1.5'],
    ['-foo', '-foo'],
    ['- - foo', '--foo'],
    ['-1', '-1'],
    ['-1 ^ 2', '-1 ^ 2'],
    ['(-1) ^ 2', '(-1) ^ 2'],
    ['2 ^ -1', '2 ^ -1'],
    ['1 - -1', '1 - -1'],
    ['+Inf', '+Inf'],
    ['-Inf', '-Inf'],
    ['NaN', 'NaN'],
    ['1e21', '1000000000000000000000'],
    ['1e-7', '0.0000001'],
    ['0x1F', '31'],
    ['-0', '-0'],
    ['vector(1h30m)', 'vector(1h30m)'],
    ['vector(-90s)', 'vector(-1m30s)'],
    ['"a\\tb\\"c\\\\"', '"a\\tb\\"c\\\\"'],
    ["'it\\'s'", '"it\'s"'],
    ['`raw\\string`', '"raw\\\\string"'],
    ['"\\xc5"', '"\\xc5"'],
    ['"é\\u00a0\\x01"', '"é\\u00a0\\x01"'],
    ['label_join(x, "dst", ",", "a", "b")', 'label_join(x, "dst", ",", "a", "b")'],
    ['metric smoothed', 'metric smoothed'],
    ['metric @ 100 smoothed offset 1m', 'metric @ 100.000 smoothed offset 1m'],
    ['rate(x[5m] anchored @ 10 offset 1m)', 'rate(x[5m] anchored @ 10.000 offset 1m)'],
    ['x[1h+5m]', 'x[1h + 5m]'],
    ['x[(1h)]', 'x[(1h)]'],
    ['x[2m*(10+5)]', 'x[2m * (10 + 5)]'],
    ['x offset (1h*2)', 'x offset (1h * 2)'],
    ['x offset -step()', 'x offset -step()'],
    ['x[5m:step()]', 'x[5m:step()]'],
    ['x[min_of(step(), 1m)]', 'x[min_of(step(), 1m)]'],
    ['STEP()', 'step()'],
    ['min_of(1, 2)', 'min_of(1, 2)'],
    ['sum by () (x)', 'sum by () (x)'],
    ['a and ignoring() b', 'a and ignoring () b'],
    ['(a + b) * c', '(a + b) * c'],
  ];
  for (const [q, want] of cases) {
    it(q, () => {
      const e = parseExpr(q, exp);
      expect(formatExpr(e)).toBe(want);
      expect(shape(parseExpr(want, exp))).toEqual(shape(e));
    });
  }

  it('prints an AST built in code', () => {
    const e: Expr = {
      type: 'BinaryExpr',
      op: '/',
      lhs: {
        type: 'Call',
        func: 'rate',
        args: [
          {
            type: 'MatrixSelector',
            vectorSelector: {
              type: 'VectorSelector',
              name: 'http_requests_total',
              matchers: [new Matcher('=', 'job', 'api'), new Matcher('=', '__name__', 'http_requests_total')],
              at: { timestampMs: 1500 },
              pos: { start: 0, end: 0 },
            },
            range: { ms: 300_000 },
            pos: { start: 0, end: 0 },
          },
        ],
        pos: { start: 0, end: 0 },
      },
      rhs: { type: 'NumberLiteral', value: 2, pos: { start: 0, end: 0 } },
      returnBool: false,
      pos: { start: 0, end: 0 },
    };
    expect(formatExpr(e)).toBe('rate(http_requests_total{job="api"}[5m] @ 1.500) / 2');
  });
});

describe('number and duration formatting', () => {
  it('formats durations like model.Duration', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(1)).toBe('1ms');
    expect(formatDuration(5400_000)).toBe('1h30m');
    expect(formatDuration(90 * 86400_000)).toBe('90d');
    expect(formatDuration(14 * 86400_000)).toBe('2w');
    expect(formatDuration(365 * 86400_000)).toBe('1y');
    expect(formatDuration(366 * 86400_000)).toBe('366d');
    expect(formatDuration(3_723_004)).toBe('1h2m3s4ms');
    expect(formatSignedDuration(-60_000)).toBe('-1m');
  });
  it('formats floats like strconv.FormatFloat(v, f, -1)', () => {
    expect(formatFloatF(0.1)).toBe('0.1');
    expect(formatFloatF(123.456)).toBe('123.456');
    expect(formatFloatF(1e21)).toBe('1000000000000000000000');
    expect(formatFloatF(1.5e-7)).toBe('0.00000015');
    expect(formatFloatF(-2.5e22)).toBe('-25000000000000000000000');
    expect(formatFloatF(-0)).toBe('-0');
    expect(formatFloatF(Infinity)).toBe('+Inf');
    expect(formatFloatF(NaN)).toBe('NaN');
  });
  it("formats floats like Go's %v", () => {
    expect(formatFloatG(1e6)).toBe('1e+06');
    expect(formatFloatG(123456)).toBe('123456');
    expect(formatFloatG(1e-5)).toBe('1e-05');
    expect(formatFloatG(0.0001)).toBe('0.0001');
    expect(formatFloatG(1.5e300)).toBe('1.5e+300');
    expect(formatFloatG(-2.5)).toBe('-2.5');
  });
  it('quotes like strconv.Quote', () => {
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote('\x07\n\t\x00\x7f')).toBe('"\\a\\n\\t\\x00\\x7f"');
    expect(goQuote('é☺😀')).toBe('"é☺😀"');
    expect(goQuote('\u00a0\u200b')).toBe('"\\u00a0\\u200b"');
    expect(goQuote('a\udcc5z')).toBe('"a\\xc5z"');
  });
});
