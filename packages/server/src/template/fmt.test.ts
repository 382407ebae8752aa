/** Go's fmt as templates use it: verbs, flags, width, precision, and Go's error forms. */
import { describe, expect, it } from 'vitest';
import { formatFloat } from './float-format.js';
import { sprint, sprintf, sprintln } from './fmt.js';
import { GoMap, GoScalar, goInt } from './value.js';

interface Case {
  readonly format: string;
  readonly args: readonly unknown[];
  readonly want: string;
}

const CASES: Case[] = [
  { format: '%v %v %v %v', args: [1n, 1.5, 'a', true], want: '1 1.5 a true' },
  {
    format: '%d|%5d|%-5d|%05d|%+d|% d|%.3d',
    args: [42n, 42n, 42n, 42n, 42n, 42n, 7n],
    want: '42|   42|42   |00042|+42| 42|007',
  },
  {
    format: '%x|%X|%#x|%o|%#o|%O|%b|%#b',
    args: [255n, 255n, 255n, 8n, 8n, 8n, 5n, 5n],
    want: 'ff|FF|0xff|10|010|0o10|101|0b101',
  },
  { format: '%c|%q|%U|%#U', args: [65n, 65n, 0x1f600n, 0xe9n], want: "A|'A'|U+1F600|U+00E9 'é'" },
  {
    format: '%s|%10s|%-10s|%.2s|%q|%x|% x|%X',
    args: ['go', 'go', 'go', 'héllo', 'a"b', 'hi', 'hi', 'hi'],
    want: 'go|        go|go        |hé|"a\\"b"|6869|68 69|6869',
  },
  { format: '%#q|%+q', args: ['a`b', 'é'], want: '"a`b"|"\\u00e9"' },
  {
    format: '%f|%.2f|%8.3f|%-8.1f|%+.1f|%e|%.2e|%E|%g|%G',
    args: [3.14159, 3.14159, 3.14159, 3.14159, 3.14159, 1234.5678, 1234.5678, 1234.5678, 1234.5678, 1e-7],
    want: '3.141590|3.14|   3.142|3.1     |+3.1|1.234568e+03|1.23e+03|1.234568E+03|1234.5678|1E-07',
  },
  { format: '%.0f %.0f %.0f %.0f', args: [0.5, 1.5, 2.5, -0.5], want: '0 2 2 -0' },
  { format: '%.2f %.1f %.3g %.4g', args: [1.005, 0.05, 1234567.0, 1234.5], want: '1.00 0.1 1.23e+06 1234' },
  { format: '%.20f', args: [0.1], want: '0.10000000000000000555' },
  { format: '%v %v %v %v %v', args: [1e6, 1e21, 1e-5, 123456.0, -0], want: '1e+06 1e+21 1e-05 123456 -0' },
  { format: '%v %f %5.1f %05.1f', args: [NaN, Infinity, -Infinity, NaN], want: 'NaN +Inf  -Inf   NaN' },
  { format: '%x %X %b', args: [3.5, -1.0, 1.0], want: '0x1.cp+01 -0X1P+00 4503599627370496p-52' },
  { format: '%#.0f|%#g|%#.3g|%#e', args: [1.0, 1.0, 1.0, 1.0], want: '1.|1.00000|1.00|1.000000e+00' },
  { format: '%t %v', args: [false, null], want: 'false <nil>' },
  {
    format: '%T %T %T %T %T %T',
    args: [1n, 1.5, 'x', null, ['a'], goInt('int64', 1n)],
    want: 'int float64 string <nil> []interface {} int64',
  },
  {
    format: '%v|%+v|%d',
    args: [GoMap.ofStrings({ b: '2', a: '1' }), ['x', 1n], [1n, 2n]],
    want: 'map[a:1 b:2]|[x 1]|[1 2]',
  },
  { format: '%v', args: [{ k: null, j: 'x' }], want: 'map[j:x k:<nil>]' },
  { format: '%*d|%-*d|%.*f', args: [5n, 42n, 5n, 42n, 2n, 3.14159], want: '   42|42   |3.14' },
  { format: '%[2]d %[1]d|%[3]d', args: [1n, 2n], want: '2 1|%!d(BADINDEX)' },
  // Go's error forms
  { format: '%d %s', args: [], want: '%!d(MISSING) %!s(MISSING)' },
  { format: '%d', args: [1n, 2n], want: '1%!(EXTRA int=2)' },
  { format: '%z|%!|%', args: [1n], want: '%!z(int=1)|%!!(MISSING)|%!(NOVERB)' },
  {
    format: '%.2f|%-10s|%5.1d|%d',
    args: [1n, 5n, 'x', 'y'],
    want: '%!f(int=01)|%!s(int=5         )|%!d(string=    x)|%!d(string=y)',
  },
  { format: '%s|%x', args: [new GoScalar('template.HTML', 'string', '<b>'), 'é'], want: '<b>|c3a9' },
  { format: '%d', args: [undefined], want: '%!d(<nil>)' },
  { format: '%*d', args: ['x', 1n], want: '%!(BADWIDTH)1' },
];

describe('sprintf', () => {
  for (const c of CASES) {
    it(`${c.format} → ${c.want}`, () => {
      expect(sprintf(c.format, c.args)).toBe(c.want);
    });
  }
});

describe('sprint and sprintln', () => {
  it('adds spaces between operands that are not strings', () => {
    expect(sprint([1n, 2n, 'a', 'b', 3n, null])).toBe('1 2ab3 <nil>');
    expect(sprint(['a', 1n, 'b'])).toBe('a1b');
    expect(sprintln(['x', 1n])).toBe('x 1\n');
  });
});

describe('formatFloat (strconv.FormatFloat)', () => {
  it('rounds ties of the exact binary value half to even', () => {
    expect(formatFloat(1234.5, 'g', 4)).toBe('1234');
    expect(formatFloat(1235.5, 'g', 4)).toBe('1236');
    expect(formatFloat(0.125, 'f', 2)).toBe('0.12');
    expect(formatFloat(0.375, 'f', 2)).toBe('0.38');
    expect(formatFloat(2.675, 'f', 2)).toBe('2.67'); // 2.67499999... in binary
  });

  it('switches %g to exponent form after rounding', () => {
    expect(formatFloat(99995, 'g', 4)).toBe('1e+05');
    expect(formatFloat(9999.5, 'g', 4)).toBe('1e+04');
    expect(formatFloat(0.0001, 'g', 4)).toBe('0.0001');
    expect(formatFloat(0.00001, 'g', 4)).toBe('1e-05');
  });

  it('handles extremes exactly', () => {
    expect(formatFloat(5e-324, 'e', 3)).toBe('4.941e-324');
    expect(formatFloat(1.7976931348623157e308, 'e', 16)).toBe('1.7976931348623157e+308');
    expect(formatFloat(1e21, 'f', 2)).toBe('1000000000000000000000.00');
    expect(formatFloat(0, 'e', 2)).toBe('0.00e+00');
    expect(formatFloat(-0, 'f', 1)).toBe('-0.0');
  });
});
