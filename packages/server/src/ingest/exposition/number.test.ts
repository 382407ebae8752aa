import { describe, expect, it } from 'vitest';
import { describeBadFloat, scanFloat, scanInteger } from './number.js';

function float(s: string): number | undefined {
  // Embedded in other text: the scanner must stay inside [start, end).
  const text = `x${s}y`;
  return scanFloat(text, 1, 1 + s.length);
}

describe('scanFloat (Go strconv.ParseFloat as Prometheus uses it)', () => {
  const good: [string, number][] = [
    ['0', 0],
    ['-0', -0],
    ['+1', 1],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['-2.5e+2', -250],
    ['0.1', 0.1],
    ['0.3', 0.3],
    ['123456789012345', 123456789012345],
    ['1234567890123456789', 1234567890123456789],
    ['9007199254740993', 9007199254740992],
    ['1.7976931348623157e308', 1.7976931348623157e308],
    ['4.9e-324', 5e-324],
    ['1e-400', 0],
    ['1.458255915e9', 1458255915],
    ['Inf', Infinity],
    ['+inf', Infinity],
    ['-INF', -Infinity],
    ['Infinity', Infinity],
    ['-infinity', -Infinity],
  ];
  it.each(good)('%s → %d', (s, v) => {
    expect(Object.is(float(s), v)).toBe(true);
  });
  it('NaN in any case, unsigned only', () => {
    expect(float('NaN')).toBeNaN();
    expect(float('nan')).toBeNaN();
    expect(float('+NaN')).toBeUndefined();
    expect(float('-nan')).toBeUndefined();
  });
  it('agrees with Number() on the fast path (exactly rounded)', () => {
    for (const s of ['0.1', '0.7', '1.23456789012345', '9.87654321e-5', '123.456e7', '3.14159', '2.5e-22', '7e22']) {
      expect(float(s)).toBe(Number(s));
    }
  });
  const bad = [
    '',
    '+',
    '-',
    '.',
    'e5',
    '1e',
    '1e+',
    '1.2.3',
    '0x10',
    '0x1p3',
    '1_000',
    'abc',
    'in',
    'infinit',
    ' 1',
    '1 ',
    '1f',
  ];
  it.each(bad)('%j is not a float', (s) => {
    expect(float(s)).toBeUndefined();
  });
  it('overflow is out of range, bad syntax is not a float', () => {
    expect(float('1e309')).toBeUndefined();
    expect(describeBadFloat('1e309', 0, 5)).toBe('out of range');
    expect(describeBadFloat('-1e999', 0, 6)).toBe('out of range');
    expect(describeBadFloat('0x1p3', 0, 5)).toBe('not a float');
    expect(describeBadFloat('nope', 0, 4)).toBe('not a float');
  });
});

describe('scanInteger', () => {
  it.each([
    ['0', 0],
    ['1395066363000', 1395066363000],
    ['-3982045', -3982045],
    ['9007199254740991', 9007199254740991],
  ] as const)('%s → %d', (s, v) => {
    expect(scanInteger(`(${s})`, 1, 1 + s.length)).toBe(v);
  });
  it.each(['', '-', '1.5', '1e3', '+1', '9007199254740992', '99999999999999999999', '12a'])('%j is refused', (s) => {
    expect(scanInteger(s, 0, s.length)).toBeUndefined();
  });
});
