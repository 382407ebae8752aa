import { describe, expect, it } from 'vitest';
import {
  AlertMatcher,
  MatcherParseError,
  formatMatchers,
  parseMatcher,
  parseMatchers,
  sortMatchers,
} from './matchers.js';

interface ParseCase {
  input: string;
  /** The matchers as Alertmanager prints them, in input order. */
  want?: string[];
  error?: string;
}

// Alertmanager 0.25's ParseMatchers behaviour (checked against amtool's printing of each).
const PARSE_CASES: ParseCase[] = [
  { input: '{foo="bar"}', want: ['foo="bar"'] },
  { input: '{foo=~"bar.*"}', want: ['foo=~"bar.*"'] },
  { input: '{foo!="bar"}', want: ['foo!="bar"'] },
  { input: '{foo!~"bar.*"}', want: ['foo!~"bar.*"'] },
  { input: '{foo="bar", baz!="quux"}', want: ['foo="bar"', 'baz!="quux"'] },
  { input: 'foo=bar,dings!=bums', want: ['foo="bar"', 'dings!="bums"'] },
  { input: '{foo = "bar", dings != "bums", }', want: ['foo="bar"', 'dings!="bums"'] },
  { input: '{foo="bar,quux", job="job1"}', want: ['foo="bar,quux"', 'job="job1"'] },
  { input: '{foo=""}', want: ['foo=""'] },
  { input: 'job=', want: ['job=""'] },
  { input: '{foo=bar}}', want: ['foo="bar}"'] },
  { input: '{foo=,bar=}}', want: ['foo=""', 'bar="}"'] },
  { input: 'statuscode=~"5.."', want: ['statuscode=~"5.."'] },
  { input: 'trickier==\\\\=\\=\\"', want: ['trickier="=\\\\=\\\\=\\""'] },
  {
    input: 'contains_quote != "\\"" , contains_comma !~ "foo,bar" , ',
    want: ['contains_quote!="\\""', 'contains_comma!~"foo,bar"'],
  },
  {
    input: '{quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""}',
    want: ['quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""'],
  },
  { input: 'a="\\n\\\\x\\q"', want: ['a="\\n\\\\x\\\\q"'] },
  { input: '{}', want: [] },
  { input: '  ', want: [] },
  { input: 'a=b,', want: ['a="b"'] },
  { input: '{,}', error: 'bad matcher format: ' },
  { input: 'job="value', error: 'matcher value contains unescaped double quote: "value' },
  { input: 'job=value"', error: 'matcher value contains unescaped double quote: value"' },
  { input: '{name-with-dashes = "bar"}', error: 'bad matcher format: name-with-dashes = "bar"' },
  { input: 'a=~"("', error: 'error parsing regexp: missing closing ): `^(?:()$`' },
];

describe('parseMatchers (Alertmanager 0.25 syntax)', () => {
  for (const c of PARSE_CASES) {
    it(c.input, () => {
      if (c.error !== undefined) {
        expect(() => parseMatchers(c.input)).toThrow(MatcherParseError);
        expect(() => parseMatchers(c.input)).toThrow(c.error);
      } else {
        expect(parseMatchers(c.input).map(String)).toEqual(c.want);
      }
    });
  }
});

describe('AlertMatcher', () => {
  it('treats a missing label as the empty string and anchors regexps', () => {
    expect(parseMatcher('env=""').matches('')).toBe(true);
    expect(parseMatcher('team!="portal"').matches('')).toBe(true);
    expect(parseMatcher('severity=~"crit.*"').matches('xcritical')).toBe(false);
    expect(parseMatcher('severity=~"crit.*"').matches('critical')).toBe(true);
    expect(parseMatcher('service!~"vessel"').matches('vessel-api')).toBe(true);
    expect(parseMatcher('a=~"x|y"').matches('xy')).toBe(false);
  });

  it('sorts by name, value, then type and prints as Alertmanager', () => {
    const sorted = sortMatchers([
      AlertMatcher.create('=~', 'b', 'x'),
      AlertMatcher.create('=', 'b', 'x'),
      AlertMatcher.create('!=', 'a', 'z'),
      AlertMatcher.create('=', 'B', 'y'),
    ]);
    expect(formatMatchers(sorted)).toBe('{B="y",a!="z",b="x",b=~"x"}');
  });
});
