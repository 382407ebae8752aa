import { describe, expect, it } from 'vitest';
import { formatFloatF, formatFloatG, formatPromTimestamp, formatPromValue } from './format-number.js';
import { parseGoFloat } from './parse-float.js';

interface Case {
  v: number;
  f: string;
  g: string;
}

// Expected strings are what Go's strconv.FormatFloat(v, 'f'|'g', -1, 64) prints.
const CASES: Case[] = [
  { v: 0, f: '0', g: '0' },
  { v: -0, f: '-0', g: '-0' },
  { v: 1, f: '1', g: '1' },
  { v: -1.5, f: '-1.5', g: '-1.5' },
  { v: 0.1, f: '0.1', g: '0.1' },
  { v: 1e-7, f: '0.0000001', g: '1e-07' },
  { v: 0.0001, f: '0.0001', g: '0.0001' },
  { v: 0.00001, f: '0.00001', g: '1e-05' },
  { v: 100000, f: '100000', g: '100000' },
  { v: 1000000, f: '1000000', g: '1e+06' },
  { v: 1e21, f: '1000000000000000000000', g: '1e+21' },
  { v: 123456789, f: '123456789', g: '1.23456789e+08' },
  { v: 1.5e300, f: '15' + '0'.repeat(299), g: '1.5e+300' },
  { v: NaN, f: 'NaN', g: 'NaN' },
  { v: Infinity, f: '+Inf', g: '+Inf' },
  { v: -Infinity, f: '-Inf', g: '-Inf' },
];

describe('Go float formatting', () => {
  it.each(CASES)('formats $v', ({ v, f, g }) => {
    expect(formatFloatF(v)).toBe(f);
    expect(formatFloatG(v)).toBe(g);
  });
});

describe('parseGoFloat', () => {
  const ok: [string, number][] = [
    ['1', 1],
    ['+Inf', Infinity],
    ['-inf', -Infinity],
    ['Infinity', Infinity],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['0x1p-2', 0.25],
  ];
  it.each(ok)('parses %s', (s, v) => expect(parseGoFloat(s)).toBe(v));
  it('parses NaN', () => expect(parseGoFloat('NaN')).toBeNaN());
  it.each(['', ' 1', 'abc', '1.2.3', 'Hello World', '1_000'])('rejects %j', (s) =>
    expect(parseGoFloat(s)).toBeUndefined(),
  );
});

describe('Prometheus API number formatting', () => {
  const values: [number, string][] = [
    [0, '0'],
    [-0, '-0'],
    [1e-7, '1e-07'],
    [1e-6, '0.000001'],
    [0.1, '0.1'],
    [1000000, '1000000'],
    [1e21, '1e+21'],
    [-2.5e-9, '-2.5e-09'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ];
  it.each(values)('value %d → %s', (v, s) => expect(formatPromValue(v)).toBe(s));
  const times: [number, string][] = [
    [1700000000000, '1700000000'],
    [1700000000500, '1700000000.500'],
    [1700000000005, '1700000000.005'],
    [-500, '-0.500'],
  ];
  it.each(times)('timestamp %d → %s', (t, s) => expect(formatPromTimestamp(t)).toBe(s));
});
