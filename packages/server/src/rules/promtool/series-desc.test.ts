import { describe, expect, it } from 'vitest';
import { isStaleNaN } from '../../lib/stale.js';
import { parseMetricText, parseSeriesDescription, type SeriesValue } from './series-desc.js';

const V = (v: number): SeriesValue => ({ kind: 'value', v });
const STALE: SeriesValue = { kind: 'stale' };
const GAP: SeriesValue = { kind: 'omitted' };

interface ExpansionCase {
  values: string;
  expected: SeriesValue[];
}

const EXPANSIONS: ExpansionCase[] = [
  { values: '1 2 3', expected: [V(1), V(2), V(3)] },
  { values: '1+2x3', expected: [V(1), V(3), V(5), V(7)] },
  { values: '10-2.5x2', expected: [V(10), V(7.5), V(5)] },
  { values: '-1-1x2', expected: [V(-1), V(-2), V(-3)] },
  { values: '7x2', expected: [V(7), V(7), V(7)] },
  { values: '0x10', expected: Array.from({ length: 11 }, () => V(0)) },
  { values: '_ 1 _x2 stale', expected: [GAP, V(1), GAP, GAP, STALE] },
  { values: '1 +2 1e3 .5', expected: [V(1), V(2), V(1000), V(0.5)] },
  { values: 'Inf -Inf', expected: [V(Infinity), V(-Infinity)] },
  { values: '_x0 4', expected: [V(4)] },
];

describe('series descriptions (expanding notation)', () => {
  it.each(EXPANSIONS)('$values', ({ values, expected }) => {
    expect(parseSeriesDescription(`m{a="b"} ${values}`).values).toEqual(expected);
  });

  it('reads NaN and keeps staleness markers apart from it', () => {
    const [nan, stale] = parseSeriesDescription('m NaN stale').values;
    expect(nan).toEqual({ kind: 'value', v: NaN });
    expect(stale).toEqual(STALE);
    expect(isStaleNaN(NaN)).toBe(false);
  });

  it('reads the metric and its labels', () => {
    expect(parseSeriesDescription(`up{job="a b", instance='x\\'y'} 1`).labels).toEqual([
      ['__name__', 'up'],
      ['job', 'a b'],
      ['instance', "x'y"],
    ]);
    expect(parseMetricText('{a="1"}')).toEqual([['a', '1']]);
    expect(parseMetricText('job:x:rate5m')).toEqual([['__name__', 'job:x:rate5m']]);
  });

  // Messages and columns as promtool 2.42 prints them (the columns count from the metric).
  it.each([
    [
      'm{a="b"} 1+1x3 foo',
      '1:16: parse error: unexpected identifier "foo" in series values, expected number or "stale"',
    ],
    ['m{a="b"} x', '1:10: parse error: unexpected "x"'],
    ['m{a="b"} 1 2x', '1:14: parse error: unexpected end of input in series values'],
    ['m{a="b"} 1 2xa', '1:14: parse error: unexpected identifier "a" in series values'],
    ['m{a="b"} 1 + 2', '1:13: parse error: unexpected " " in series values'],
    ['m{a="b"} _+1x2', '1:11: parse error: unexpected <op:+>'],
    ['m{a="b"} 1 2 3x-1', '1:16: parse error: unexpected <op:-> in series values'],
    [
      'm{a="b"} 1 2x1.5',
      '1:14: parse error: invalid repetition in series values: strconv.ParseUint: parsing "1.5": invalid syntax',
    ],
    ['m{a="b"} sum', '1:10: parse error: unexpected <aggr:sum>'],
    ['m{a="b"} 1,2', "1:11: parse error: unexpected character in series sequence: ','"],
    ['m{a="b"} 1_000', '1:10: parse error: bad number syntax: "1"'],
    ['m{a="b" 1 2', "1:9: parse error: unexpected character inside braces: '1'"],
  ])("%j fails with promtool's message", (line, message) => {
    expect(() => parseSeriesDescription(line)).toThrow(message);
  });
});
