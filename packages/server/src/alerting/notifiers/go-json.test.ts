import { describe, expect, it } from 'vitest';
import { encodeGoJson, encodeGoJsonLine, formatRfc3339Nano, goMap, type GoJsonValue } from './go-json.js';

interface EncodeCase {
  readonly name: string;
  readonly value: GoJsonValue;
  readonly want: string;
}

const ENCODE_CASES: EncodeCase[] = [
  {
    name: 'HTML characters escaped as Go does',
    value: '<a href="x?a=1&b=2">',
    want: '"\\u003ca href=\\"x?a=1\\u0026b=2\\"\\u003e"',
  },
  {
    name: 'short escapes only for \\n \\r \\t; others as \\u00XX',
    value: '\n\r\t\b\f\u0001\u001f',
    want: '"\\n\\r\\t\\u0008\\u000c\\u0001\\u001f"',
  },
  { name: 'line and paragraph separators', value: '\u2028\u2029', want: '"\\u2028\\u2029"' },
  { name: 'non-ASCII kept as UTF-8', value: 'Ålesund 🚢 /', want: '"Ålesund 🚢 /"' },
  { name: 'a lone surrogate becomes U+FFFD', value: 'a\ud800b', want: '"a\\ufffdb"' },
  {
    name: 'struct fields in order, undefined left out',
    value: { b: 1, a: undefined, c: [true, null] },
    want: '{"b":1,"c":[true,null]}',
  },
  {
    name: 'map keys sorted bytewise, integer-like keys included',
    value: goMap({ b: '1', '10': 'x', '9': 'y', A: 'z' }),
    want: '{"10":"x","9":"y","A":"z","b":"1"}',
  },
  {
    name: 'map keys by code point, not UTF-16 unit',
    value: goMap({ '\uffff': 'bmp', '😀': 'astral' }),
    want: '{"\uffff":"bmp","😀":"astral"}',
  },
  { name: 'empty map', value: goMap({}), want: '{}' },
];

describe('encodeGoJson', () => {
  it.each(ENCODE_CASES)('$name', ({ value, want }) => {
    expect(encodeGoJson(value)).toBe(want);
  });

  it("ends Encoder.Encode's output with a newline", () => {
    expect(encodeGoJsonLine({ version: '4' })).toBe('{"version":"4"}\n');
  });

  it('refuses non-finite numbers, as Go does', () => {
    expect(() => encodeGoJson(NaN)).toThrow(/unsupported value/);
  });
});

describe('formatRfc3339Nano', () => {
  it.each([
    [undefined, '0001-01-01T00:00:00Z'],
    [Date.UTC(2026, 10, 27, 12, 40, 44), '2026-11-27T12:40:44Z'],
    [Date.UTC(2026, 10, 27, 12, 40, 44, 500), '2026-11-27T12:40:44.5Z'],
    [Date.UTC(2026, 10, 27, 12, 40, 44, 971), '2026-11-27T12:40:44.971Z'],
    [Date.UTC(2026, 10, 27, 12, 40, 44, 30), '2026-11-27T12:40:44.03Z'],
  ])('%s → %s', (ms, want) => {
    expect(formatRfc3339Nano(ms)).toBe(want);
  });
});
