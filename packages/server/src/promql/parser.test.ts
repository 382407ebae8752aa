import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exprType, type Expr } from './ast.js';
import { FUNCTIONS } from './functions/signatures.js';
import { Matcher } from '../lib/matcher.js';
import { ParseError, parseExpr, type ParseOptions } from './parser.js';
import { formatExpr } from './printer.js';

/** A plain copy of an AST without positions (matchers as `name op "value"` strings). */
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

const exp = { enableExperimental: true };

function parseError(q: string, opts: ParseOptions = exp): ParseError {
  try {
    parseExpr(q, opts);
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(q)} to fail`);
}

const vs = (name: string, ...more: string[]) => ({
  type: 'VectorSelector',
  name,
  matchers: [...more, `__name__="${name}"`],
});
const num = (value: number) => ({ type: 'NumberLiteral', value });
const oneToOne = { card: 'one-to-one', matchingLabels: [], on: false, written: false, include: [] };

describe('parseExpr: AST shape', () => {
  const cases: [string, unknown][] = [
    ['1', num(1)],
    ['+Inf', num(Infinity)],
    ['-inf', num(-Infinity)],
    ['.5', num(0.5)],
    ['5.', num(5)],
    ['5e-3', num(0.005)],
    ['0xc', num(12)],
    ['0X1F', num(31)],
    ['0755', num(493)],
    ['1_000', num(1000)],
    ['-0755', num(-493)],
    ['+5.5e-3', num(0.0055)],
    ['1h30m', { type: 'NumberLiteral', value: 5400, durationText: '1h30m' }],
    ['90m', { type: 'NumberLiteral', value: 5400, durationText: '1h30m' }],
    ['-1m', { type: 'NumberLiteral', value: -60, durationText: '-1m' }],
    ['"double \\" quoted"', { type: 'StringLiteral', value: 'double " quoted' }],
    ["'single \\' quoted'", { type: 'StringLiteral', value: "single ' quoted" }],
    ['`raw \\n string`', { type: 'StringLiteral', value: 'raw \\n string' }],
    [
      '"\\a\\b\\f\\n\\r\\t\\v\\\\ \\x41\\101\\u00e9\\U0001F600"',
      { type: 'StringLiteral', value: '\x07\b\f\n\r\t\v\\ AAé😀' },
    ],
    // Invalid UTF-8 from byte escapes survives as lone surrogates U+DC80..U+DCFF.
    ['"a\\xc5z"', { type: 'StringLiteral', value: 'a\udcc5z' }],
    ['"\\xc3\\xa9"', { type: 'StringLiteral', value: 'é' }],
    ['foo', vs('foo')],
    ['foo{a="b", c!="d", e=~"f", g!~"h"}', vs('foo', 'a="b"', 'c!="d"', 'e=~"f"', 'g!~"h"')],
    ['foo{b="1",a="2",}', vs('foo', 'a="2"', 'b="1"')],
    ['{"some.metric"}', { type: 'VectorSelector', matchers: ['__name__="some.metric"'] }],
    ['{"foo", "a.b"="c"}', { type: 'VectorSelector', matchers: ['a.b="c"', '__name__="foo"'] }],
    ['foo:bar{NaN="x"}', vs('foo:bar', 'NaN="x"')],
    ['offset{step="1s"}', vs('offset', 'step="1s"')],
    ['sum', vs('sum')],
    ['start{end="foo"}', vs('start', 'end="foo"')],
    ['foo offset 5m', { ...vs('foo'), offset: { ms: 300_000 } }],
    ['foo OFFSET -7m', { ...vs('foo'), offset: { ms: -420_000 } }],
    ['foo offset 1m30ms', { ...vs('foo'), offset: { ms: 60_030 } }],
    ['foo offset 0', vs('foo')],
    ['foo @ 1603774568', { ...vs('foo'), at: { timestampMs: 1_603_774_568_000 } }],
    ['foo @ -3.3335', { ...vs('foo'), at: { timestampMs: -3334 } }],
    ['foo @ 1m', { ...vs('foo'), at: { timestampMs: 60_000 } }],
    ['foo @ start()', { ...vs('foo'), at: { preprocessor: 'start' } }],
    ['foo @ END()', { ...vs('foo'), at: { preprocessor: 'end' } }],
    ['foo[5m]', { type: 'MatrixSelector', vectorSelector: vs('foo'), range: { ms: 300_000 } }],
    ['foo[4.018]', { type: 'MatrixSelector', vectorSelector: vs('foo'), range: { ms: 4018 } }],
    [
      'foo[5m] offset 1m @ 100',
      {
        type: 'MatrixSelector',
        vectorSelector: { ...vs('foo'), offset: { ms: 60_000 }, at: { timestampMs: 100_000 } },
      },
    ],
    ['foo[5m:]', { type: 'SubqueryExpr', expr: vs('foo'), range: { ms: 300_000 } }],
    [
      'foo[10m:6s] offset -1m @ end()',
      {
        type: 'SubqueryExpr',
        range: { ms: 600_000 },
        step: { ms: 6000 },
        offset: { ms: -60_000 },
        at: { preprocessor: 'end' },
      },
    ],
    [
      'some_metric OFFSET 1m [10m:5s]',
      { type: 'SubqueryExpr', expr: { ...vs('some_metric'), offset: { ms: 60_000 } } },
    ],
    ['rate(foo[5m])', { type: 'Call', func: 'rate', args: [{ type: 'MatrixSelector' }] }],
    ['time()', { type: 'Call', func: 'time', args: [] }],
    ['STEP()', { type: 'Call', func: 'step', args: [] }],
    [
      'sum by (a, "b.c") (x)',
      { type: 'AggregateExpr', op: 'sum', grouping: ['a', 'b.c'], without: false, groupingWritten: true },
    ],
    ['SUM(x) BY (a)', { type: 'AggregateExpr', op: 'sum', grouping: ['a'], groupingWritten: true }],
    ['sum without (a) (x)', { type: 'AggregateExpr', grouping: ['a'], without: true }],
    ['sum by () (x)', { type: 'AggregateExpr', grouping: [], groupingWritten: true }],
    ['sum(x)', { type: 'AggregateExpr', grouping: [], groupingWritten: false }],
    [
      'sum without(and, by, avg, count, alert)(x)',
      { type: 'AggregateExpr', grouping: ['and', 'by', 'avg', 'count', 'alert'] },
    ],
    ['topk(5, x)', { type: 'AggregateExpr', op: 'topk', param: num(5), expr: vs('x') }],
    [
      'count_values("v", x)',
      { type: 'AggregateExpr', op: 'count_values', param: { type: 'StringLiteral', value: 'v' } },
    ],
    ['limitk(2, x)', { type: 'AggregateExpr', op: 'limitk', param: num(2) }],
    ['(x)', { type: 'ParenExpr', expr: vs('x') }],
    ['-x', { type: 'UnaryExpr', op: '-', expr: vs('x') }],
    ['+x', { type: 'UnaryExpr', op: '+', expr: vs('x') }],
    ['-(1)', { type: 'UnaryExpr', op: '-', expr: { type: 'ParenExpr', expr: num(1) } }],
    ['- 1', num(-1)],
    ['--1', num(1)],
    [
      'foo * bar',
      { type: 'BinaryExpr', op: '*', lhs: vs('foo'), rhs: vs('bar'), matching: oneToOne, returnBool: false },
    ],
    ['foo + 1', { type: 'BinaryExpr', op: '+', lhs: vs('foo'), rhs: num(1), returnBool: false }],
    ['1 == bool 2', { type: 'BinaryExpr', op: '==', returnBool: true }],
    ['foo and bar', { type: 'BinaryExpr', op: 'and', matching: { ...oneToOne, card: 'many-to-many' } }],
    [
      'foo * on(a, b) group_left(c) bar',
      {
        type: 'BinaryExpr',
        matching: { card: 'many-to-one', matchingLabels: ['a', 'b'], on: true, written: true, include: ['c'] },
      },
    ],
    [
      'foo / ignoring(a) group_right bar',
      {
        type: 'BinaryExpr',
        matching: { card: 'one-to-many', matchingLabels: ['a'], on: false, written: true, include: [] },
      },
    ],
    ['foo unless on() bar', { type: 'BinaryExpr', matching: { card: 'many-to-many', on: true, written: true } }],
    ['foo + fill(0) bar', { type: 'BinaryExpr', matching: { ...oneToOne, fillLeft: 0, fillRight: 0 } }],
    [
      'foo + fill_left(1) fill_right(-2) bar',
      { type: 'BinaryExpr', matching: { ...oneToOne, fillLeft: 1, fillRight: -2 } },
    ],
    ['fill + fill', { type: 'BinaryExpr', lhs: vs('fill'), rhs: vs('fill') }],
    ['h </ 1.5', { type: 'BinaryExpr', op: '</' }],
    ['h >/ 0', { type: 'BinaryExpr', op: '>/' }],
    ['a atan2 b', { type: 'BinaryExpr', op: 'atan2' }],
    ['metric smoothed', { ...vs('metric'), modifier: 'smoothed' }],
    [
      'rate(x[5m] anchored)',
      { type: 'Call', args: [{ type: 'MatrixSelector', modifier: 'anchored', vectorSelector: vs('x') }] },
    ],
    ['x smoothed [5m]', { type: 'MatrixSelector', modifier: 'smoothed', vectorSelector: vs('x') }],
    ['# a comment\nfoo # another\n', vs('foo')],
  ];
  for (const [q, want] of cases) {
    it(q, () => expect(shape(parseExpr(q, exp))).toMatchObject(want as object));
  }
  it('NaN', () => {
    const e = parseExpr('NaN');
    expect(e.type === 'NumberLiteral' && Number.isNaN(e.value)).toBe(true);
  });
});

describe('parseExpr: precedence and associativity as Prometheus', () => {
  // Rendered with explicit grouping to compare tree shapes.
  function tree(e: Expr): string {
    switch (e.type) {
      case 'BinaryExpr':
        return `(${tree(e.lhs)} ${e.op} ${tree(e.rhs)})`;
      case 'UnaryExpr':
        return `${e.op}${tree(e.expr)}`;
      case 'ParenExpr':
        return `[${tree(e.expr)}]`;
      case 'NumberLiteral':
        return String(e.value);
      case 'VectorSelector':
        return (e.name ?? '{}') + (e.offset ? ` offset ${e.offset.ms}` : '') + (e.at ? ' @' : '');
      case 'MatrixSelector':
        return `${tree(e.vectorSelector)}[${e.range.ms}]`;
      case 'SubqueryExpr':
        return `${tree(e.expr)}[${e.range.ms}:]` + (e.offset ? ` offset ${e.offset.ms}` : '');
      default:
        return formatExpr(e);
    }
  }
  const cases: [string, string][] = [
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['1 * 2 + 3', '((1 * 2) + 3)'],
    ['2 ^ 3 ^ 4', '(2 ^ (3 ^ 4))'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['-1 ^ 2', '-(1 ^ 2)'],
    ['-1 ^ -2', '-(1 ^ -2)'],
    ['2 ^ -1 ^ 2', '(2 ^ -(1 ^ 2))'],
    ['2 * -1 ^ 2', '(2 * -(1 ^ 2))'],
    ['-1 * 2', '(-1 * 2)'],
    ['-1 + 2', '(-1 + 2)'],
    ['-foo ^ 2', '-(foo ^ 2)'],
    ['-foo * 2', '(-foo * 2)'],
    ['a ^ -b * c', '((a ^ -b) * c)'],
    ['a + b offset 5m', '(a + b offset 300000)'],
    ['a ^ b offset 1m', '(a ^ b offset 60000)'],
    ['-foo offset 5m', '-foo offset 300000'],
    ['a * b @ 5', '(a * b @)'],
    ['a and b or c unless d', '((a and b) or (c unless d))'],
    ['a or b and c', '(a or (b and c))'],
    ['a == b + c', '(a == (b + c))'],
    ['a + b > c and d', '(((a + b) > c) and d)'],
    ['foo offset 100 + 2', '(foo offset 100000 + 2)'],
    ['foo offset -2 ^ 2', '(foo offset -2000 ^ 2)'],
    ['foo offset -1^1', '(foo offset -1000 ^ 1)'],
    ['(foo + bar)[5m:] offset 1m', '[(foo + bar)][300000:] offset 60000'],
  ];
  for (const [q, want] of cases) it(q, () => expect(tree(parseExpr(q, exp))).toBe(want));
});

describe('parseExpr: positions', () => {
  it('covers modifiers and folded signs', () => {
    expect(parseExpr('foo offset 5m').pos).toEqual({ start: 0, end: 13 });
    expect(parseExpr(' +some_metric').pos).toEqual({ start: 1, end: 13 });
    expect(parseExpr('-1').pos).toEqual({ start: 0, end: 2 });
    const m = parseExpr('test[5h] OFFSET 5m');
    expect(m.pos).toEqual({ start: 0, end: 18 });
    expect(m.type === 'MatrixSelector' && m.vectorSelector.pos).toEqual({ start: 0, end: 4 });
    const b = parseExpr('sum by (job)(rate(http_requests_total[30m]))');
    expect(b.pos).toEqual({ start: 0, end: 44 });
    expect(b.type === 'AggregateExpr' && b.expr.pos).toEqual({ start: 13, end: 43 });
    const s = parseExpr('foo[10m:6s] @ start()');
    expect(s.pos).toEqual({ start: 0, end: 21 });
    const bin = parseExpr('1 + 2/(3*1)');
    expect(bin.type === 'BinaryExpr' && bin.rhs.pos).toEqual({ start: 4, end: 11 });
  });
});

describe('parseExpr: durations', () => {
  it('keeps duration expressions and precomputes constant ones', () => {
    const e = parseExpr('foo[2m*(10+5)]', exp);
    expect(e.type === 'MatrixSelector' && e.range).toEqual({
      ms: 1_800_000,
      expr: {
        kind: 'binary',
        op: '*',
        lhs: { kind: 'literal', ms: 120_000, text: '2m' },
        rhs: {
          kind: 'paren',
          arg: {
            kind: 'binary',
            op: '+',
            lhs: { kind: 'number', value: 10, text: '10' },
            rhs: { kind: 'number', value: 5, text: '5' },
          },
        },
      },
    });
  });
  it('leaves step() and range() for evaluation time', () => {
    const e = parseExpr('x offset -step()', exp);
    expect(e.type === 'VectorSelector' && e.offset?.expr).toEqual({ kind: 'unary', op: '-', arg: { kind: 'step' } });
    expect(e.type === 'VectorSelector' && Number.isNaN(e.offset?.ms)).toBe(true);
    const r = parseExpr('x[range()]', exp);
    expect(r.type === 'MatrixSelector' && r.range.expr).toEqual({ kind: 'range' });
  });
  it('parses min_of/max_of and keywords case-insensitively', () => {
    const e = parseExpr('x[MAX_of(min_of(STEP()+1,1h),1ms)]', exp);
    expect(e.type === 'MatrixSelector' && e.range.expr?.kind).toBe('call');
    expect(formatExpr(e)).toBe('x[max_of(min_of(step() + 1, 1h), 1ms)]');
  });
  it('folds signs into literals and keeps a sign on expressions', () => {
    const e = parseExpr('foo[-5m+35m]', exp);
    expect(e.type === 'MatrixSelector' && e.range.ms).toBe(1_800_000);
    expect(formatExpr(e)).toBe('foo[-5m + 35m]');
    expect(formatExpr(parseExpr('foo[-2^2]', exp))).toBe('foo[-2 ^ 2]');
    expect(formatExpr(parseExpr('foo offset -(1^2)', exp))).toBe('foo offset -(1 ^ 2)');
    expect(formatExpr(parseExpr('foo offset ((5m))', exp))).toBe('foo offset (5m)');
  });
  it('requires the experimental flag for duration expressions', () => {
    expect(parseError('foo[1h+5m]', {}).detail).toBe('experimental duration expression is not enabled');
    expect(parseError('foo offset step()', {}).detail).toBe('experimental duration expression is not enabled');
    expect(() => parseExpr('foo[1h] offset -5m')).not.toThrow();
  });
});

describe('parseExpr: errors', () => {
  // [query, message (without position prefix), 1-based column of the reported position]
  const cases: [string, string, number][] = [
    // Syntax and lexical errors.
    ['', 'no expression found in input', 0],
    ['# just a comment\n\n', 'no expression found in input', 1],
    ['1+', 'unexpected end of input', 3],
    ['1 /', 'unexpected end of input', 4],
    ['*1', 'unexpected <op:*>', 1],
    ['.', "unexpected character: '.'", 1],
    ['2.5.', 'bad number or duration syntax: "2.5."', 1],
    ['100..4', 'bad number or duration syntax: "100.."', 1],
    ['0deadbeef', 'bad number or duration syntax: "0de"', 1],
    ['(1))', "unexpected right parenthesis ')'", 5],
    ['((1)', 'unclosed left parenthesis', 5],
    ['(', 'unclosed left parenthesis', 2],
    ['sum(', 'unclosed left parenthesis', 5],
    ['sum(rate(', 'unclosed left parenthesis', 10],
    ['foo[5m', 'unclosed left bracket', 7],
    ['foo]', "unexpected right bracket ']'", 4],
    ['1 !~ 1', "unexpected character after '!': '~'", 3],
    ['1 =~ 1', "unexpected character after '=': '~'", 3],
    ['foo bar', 'unexpected identifier "bar"', 5],
    ['@@', 'unexpected <op:@>', 1],
    ['-=', 'unexpected "="', 2],
    ['++-++-+-+-<', 'unexpected <op:<>', 11],
    ['a - on(b) ignoring(c) d', 'unexpected <ignoring>', 11],
    ['foo + group_left(baz) bar', 'unexpected <group_left>', 7],
    ['sum (some_metric) without (test) by (test)', 'unexpected <by>', 34],
    ['sum some_metric by (test)', 'unexpected identifier "some_metric"', 5],
    ['sum (some_metric) by test', 'unexpected identifier "test" in grouping opts, expected "("', 22],
    ['sum without(==)(x)', 'unexpected <op:==> in grouping opts, expected label', 13],
    ['{', 'unexpected end of input inside braces', 2],
    ['}', "unexpected character: '}'", 1],
    ['some_metric{a=b}', 'unexpected identifier "b" in label matching, expected string', 15],
    ['some_metric{a:b="b"}', "unexpected character inside braces: ':'", 14],
    ['foo{1}', "unexpected character inside braces: '1'", 5],
    ['foo{gibberish}', 'unexpected "}" in label matching, expected label matching operator', 14],
    ['foo{__name__="bar" lol}', 'unexpected identifier "lol" in label matching, expected "," or "}"', 20],
    ['foo{,}', 'unexpected "," in label matching, expected identifier or "}"', 5],
    ['foo[5mm]', 'bad number or duration syntax: "5mm"', 5],
    ['foo[5m1]', 'bad number or duration syntax: "5m1"', 5],
    ['foo[5m:1m1]', 'bad number or duration syntax: "1m1"', 8],
    ['foo[5y1hs]', 'unknown unit "hs" in duration "5y1hs"', 5],
    ['foo[5m1h]', 'not a valid duration string: "5m1h"', 5],
    ['foo[5x]', 'bad number or duration syntax: "5"', 5],
    ['foo["5m"]', `unexpected character in duration expression: '"'`, 5],
    ['foo{bar="baz"}[', 'unexpected end of input in duration expression', 16],
    ['foo[5s x 5s]', "unexpected character: 'x', expected ':'", 8],
    ['some_metric[5m] OFFSET 1mm', 'bad number or duration syntax: "1mm"', 24],
    ['some_metric[5m] OFFSET', 'unexpected end of input in offset, expected number, duration, step(), or range()', 23],
    ['some_metric[5m] @', 'unexpected end of input in @, expected timestamp', 18],
    ['"\\c"', "unknown escape sequence U+0063 'c'", 1],
    ['"\\x."', "illegal character U+002E '.' in escape sequence", 1],
    ['"\\', 'escape sequence not terminated', 1],
    ['"\\ud800"', 'escape sequence is an invalid Unicode code point', 1],
    ['"abc', 'unterminated quoted string', 1],
    ['`\\``', 'unterminated raw string', 4],
    ['sum by ("foo)(some_metric{})', 'unterminated quoted string', 9],
    ['vector(1e400)', 'error parsing number: strconv.ParseFloat: parsing "1e400": value out of range', 8],
    ['rate(x[1m],)', 'trailing commas not allowed in function call args', 11],
    // Parse-time semantic errors.
    ['non_existent_function_far_bar()', 'unknown function with name "non_existent_function_far_bar"', 1],
    ['a>b()', 'unknown function with name "b"', 3],
    ['RATE(x[5m])', 'unknown function with name "RATE"', 1],
    ['holt_winters(x[5m], 0.5, 0.5)', 'unknown function with name "holt_winters"', 1],
    ['sum () by (test)', 'no arguments for aggregate expression provided', 1],
    ['topk(some_metric)', 'wrong number of arguments for aggregate expression provided, expected 2, got 1', 1],
    ['sum(a, b)', 'wrong number of arguments for aggregate expression provided, expected 1, got 2', 1],
    [
      '1 offset 1d',
      'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      1,
    ],
    ['foo offset 1s offset 2s', 'offset may not be set multiple times', 1],
    ['foo @ 1 @ 2', '@ <timestamp> may not be set multiple times', 1],
    [
      'rate(some_metric[5m]) @ 1234',
      '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      1,
    ],
    ['foo @ +Inf', 'timestamp out of bounds for @ modifier: +Inf', 1],
    ['foo @ NaN', 'timestamp out of bounds for @ modifier: NaN', 1],
    ['some_metric OFFSET 1m[5m]', 'no offset modifiers allowed before range', 22],
    ['some_metric @ 1234 [5m]', 'no @ modifiers allowed before range', 20],
    ['(foo + bar)[5m]', 'ranges only allowed for vector selectors', 12],
    ['rate(food[1m])[1h] offset 1h', 'ranges only allowed for vector selectors', 15],
    ['foo[0m]', 'duration must be greater than 0', 5],
    ['foo[-1]', 'duration must be greater than 0', 5],
    ['foo[5m:0s]', 'duration must be greater than 0', 8],
    ['foo offset 9.5e10', 'duration out of range', 12],
    ['foo[5s/0d]', 'division by zero', 7],
    ['foo[5s%0d]', 'modulo by zero', 7],
    ['foo{x=~"(.*"}', 'error parsing regexp', 5],
    ['sum by ("") (x)', 'invalid label name for grouping: ""', 9],
    ['x[5m:1m] anchored', 'anchored modifier is not supported for subqueries', 1],
    ['x[5m] anchored smoothed', 'anchored and smoothed modifiers cannot be used together', 1],
    // checkAST.
    ['1 and 1', 'set operator "and" not allowed in binary scalar expression', 1],
    ['foo or 1', 'set operator "or" not allowed in binary scalar expression', 1],
    ['1 == 1', 'comparisons between scalars must use BOOL modifier', 3],
    ['foo + bool bar', 'bool modifier can only be used on comparison operators', 5],
    ['1 or on(bar) foo', 'vector matching only allowed between instant vectors', 1],
    ['foo == on(bar) 10', 'vector matching only allowed between instant vectors', 1],
    ['foo and on(bar) group_left(baz) bar', 'no grouping allowed for "and" operation', 1],
    ['foo unless on(bar) group_right(baz) bar', 'no grouping allowed for "unless" operation', 1],
    [
      'a + on(instance) group_left(job,instance) b',
      'label "instance" must not occur in ON and GROUP clause at once',
      3,
    ],
    ['foo + fill(0) 1', 'filling in missing series only allowed between instant vectors', 1],
    ['foo and fill(0) bar', 'filling in missing series not allowed for set operators', 1],
    ['foo[5m] + 1', 'binary expression must contain only scalar and instant vector types', 1],
    ['1 + "a"', 'binary expression must contain only scalar and instant vector types', 5],
    ['-"string"', 'unary expression only allowed on expressions of type scalar or instant vector, got "string"', 1],
    [
      '-test[5m]',
      'unary expression only allowed on expressions of type scalar or instant vector, got "range vector"',
      1,
    ],
    [
      '-foo[5m:1m]',
      'unary expression only allowed on expressions of type scalar or instant vector, got "range vector"',
      1,
    ],
    ['test[5d] OFFSET 10s [10m:5s]', 'subquery is only allowed on instant vector, got matrix instead', 1],
    ['rate(some_metric)', 'expected type range vector in call to function "rate", got instant vector', 6],
    ['rate(avg)', 'expected type range vector in call to function "rate", got instant vector', 6],
    ['floor(1)', 'expected type instant vector in call to function "floor", got scalar', 7],
    ['floor()', 'expected 1 argument(s) in call to "floor", got 0', 1],
    ['abs(a, b)', 'expected 1 argument(s) in call to "abs", got 2', 1],
    ['hour(a, a, a)', 'expected at most 1 argument(s) in call to "hour", got 3', 1],
    ['label_join(a, "b")', 'expected at least 3 argument(s) in call to "label_join", got 2', 1],
    ['time(some_metric)', 'expected 0 argument(s) in call to "time", got 1', 1],
    ['label_join(a, "b", "c", "d", 1)', 'expected type string in call to function "label_join", got scalar', 30],
    ['topk(some_metric, other_metric)', 'expected type scalar in aggregation parameter, got instant vector', 6],
    ['count_values(5, other_metric)', 'expected type string in aggregation parameter, got scalar', 14],
    ['sum(1)', 'expected type instant vector in aggregation expression, got scalar', 5],
    ['{}', 'vector selector must contain at least one non-empty matcher', 1],
    ['{x=~".*"}', 'vector selector must contain at least one non-empty matcher', 1],
    ['{x!="a"}', 'vector selector must contain at least one non-empty matcher', 1],
    ['foo{__name__="bar"}', 'metric name must not be set twice: "foo" or "bar"', 1],
    ['info(rate(x[5m]), target_info{foo="bar"})', 'expected label selectors only, got vector selector instead', 19],
    ['info(x, {foo="bar"} == 1)', 'expected label selectors only', 9],
  ];
  for (const [q, msg, col] of cases) {
    it(JSON.stringify(q), () => {
      const err = parseError(q);
      expect(err.code).toBe('WK_PROMQL_PARSE');
      expect(err.detail.startsWith(msg)).toBe(true);
      expect(err.detail).toContain(msg);
      if (q === '') expect(err.message).toBe('unknown position: parse error: no expression found in input');
      else expect(err.message).toBe(`1:${col}: parse error: ${err.detail}`);
      expect(err.positionRange.start).toBe(Math.max(col - 1, 0));
    });
  }
  it('reports line and column on multi-line queries', () => {
    const err = parseError('sum(\n  rate(x[5m])\n) by (job) foo');
    expect(err.message).toBe('3:12: parse error: unexpected identifier "foo"');
    expect(err.positionRange).toEqual({ start: 30, end: 33 });
  });
  it('names the regex problem at the matcher position', () => {
    const err = parseError('foo{bar=~"a(b"}');
    expect(err.message).toMatch(/^1:5: parse error: error parsing regexp/);
    expect(err.positionRange).toEqual({ start: 4, end: 14 });
  });
  it('accepts empty matchers as info() selectors', () => {
    expect(() => parseExpr('info(x, {foo=""})', exp)).not.toThrow();
  });
});

describe('parseExpr: experimental features', () => {
  const gated: [string, string][] = [
    ['sort_by_label(x, "a")', 'function "sort_by_label" is not enabled'],
    ['mad_over_time(x[5m])', 'function "mad_over_time" is not enabled'],
    ['info(x)', 'function "info" is not enabled'],
    ['step()', 'function "step" is not enabled'],
    [
      'limitk(1, x)',
      'limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions',
    ],
    [
      'limit_ratio(0.5, x)',
      'limit_ratio() is experimental and must be enabled with --enable-feature=promql-experimental-functions',
    ],
    ['rate(x[5m] anchored)', 'anchored modifier is experimental and not enabled'],
    ['x smoothed', 'smoothed modifier is experimental and not enabled'],
    ['x + fill(1) y', 'binop fill modifiers are experimental and not enabled'],
    ['x[5m+1m]', 'experimental duration expression is not enabled'],
  ];
  for (const [q, msg] of gated) {
    it(q, () => {
      expect(parseError(q, {}).detail).toBe(msg);
      expect(() => parseExpr(q, exp)).not.toThrow();
    });
  }
});

describe('function signatures', () => {
  it('registers return types', () => {
    expect(exprType(parseExpr('scalar(x)'))).toBe('scalar');
    expect(exprType(parseExpr('time()'))).toBe('scalar');
    expect(exprType(parseExpr('rate(x[5m])'))).toBe('vector');
  });
  it('covers the functions of the lezer grammar', () => {
    for (const name of [
      'abs',
      'histogram_quantiles',
      'double_exponential_smoothing',
      'ts_of_min_over_time',
      'start_timestamp',
      'sort_by_label_desc',
    ]) {
      expect(FUNCTIONS.has(name)).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Every `eval` expression of Prometheus's own test files must parse and round-trip.

const CONFORMANCE_DIR = '/work/shared/conformance/promql';
const EVAL_LINE = /^eval(?:_\w+)?\s+(?:instant\s+at\s+\S+|range\s+from\s+\S+\s+to\s+\S+\s+step\s+\S+)\s+(.*)$/;

interface EvalCase {
  file: string;
  line: number;
  expr: string;
  expectFail: boolean;
}

function evalCases(): EvalCase[] {
  const out: EvalCase[] = [];
  for (const file of readdirSync(CONFORMANCE_DIR)
    .filter((f) => f.endsWith('.test'))
    .sort()) {
    const lines = readFileSync(`${CONFORMANCE_DIR}/${file}`, 'utf8').split('\n');
    lines.forEach((raw, i) => {
      const m = EVAL_LINE.exec(raw.trim());
      if (!m) return;
      let expectFail = raw.trim().startsWith('eval_fail');
      for (let j = i + 1; j < lines.length && lines[j]!.trim() !== ''; j++) {
        if (/^expect\s+fail\b/.test(lines[j]!.trim())) expectFail = true;
      }
      out.push({ file, line: i + 1, expr: m[1]!, expectFail });
    });
  }
  return out;
}

const haveConformance = existsSync(CONFORMANCE_DIR);
describe.skipIf(!haveConformance)(
  haveConformance ? 'conformance expressions' : `conformance expressions (skipped: ${CONFORMANCE_DIR} not found)`,
  () => {
    it('parse and round-trip through the printer', () => {
      const cases = evalCases();
      expect(cases.length).toBeGreaterThan(1000);
      const problems: string[] = [];
      let roundTripped = 0;
      for (const c of cases) {
        let e: Expr;
        try {
          e = parseExpr(c.expr, exp);
        } catch (err) {
          // Some cases expect a failure, possibly at parse time; anything else must parse.
          if (!(err instanceof ParseError)) problems.push(`${c.file}:${c.line}: crashed: ${String(err)}`);
          else if (!c.expectFail) problems.push(`${c.file}:${c.line}: ${err.message}`);
          continue;
        }
        const printed = formatExpr(e);
        try {
          expect(shape(parseExpr(printed, exp))).toEqual(shape(e));
          roundTripped++;
        } catch (err) {
          problems.push(`${c.file}:${c.line}: ${c.expr} printed as ${printed}: ${String(err).slice(0, 300)}`);
        }
      }
      expect(problems).toEqual([]);
      expect(roundTripped).toBeGreaterThan(1000);
    });

    it('parses non-experimental cases without the experimental flag', () => {
      const tsv = `${CONFORMANCE_DIR}/CASES.tsv`;
      if (!existsSync(tsv)) return;
      const failures: string[] = [];
      for (const row of readFileSync(tsv, 'utf8').split('\n').slice(1)) {
        const cols = row.split('\t');
        if (cols.length < 10 || cols[6] !== '0') continue;
        let header = cols[9]!;
        if (header.startsWith('"')) header = header.slice(1, -1).replace(/""/g, '"');
        const m = EVAL_LINE.exec(header);
        if (!m) continue;
        try {
          parseExpr(m[1]!);
        } catch (err) {
          if (!cols[7]?.includes('fail')) failures.push(`${cols[0]}:${cols[1]}: ${String(err)}`);
        }
      }
      expect(failures).toEqual([]);
    });
  },
);
