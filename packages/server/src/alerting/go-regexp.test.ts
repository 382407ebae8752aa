import { describe, expect, it } from 'vitest';
import { GoRegexpError, compileGoRegexp } from './go-regexp.js';

/** Go's full-match semantics as Alertmanager uses them: `^(?:pattern)$`. */
function fullMatch(pattern: string, value: string): boolean {
  return compileGoRegexp(`^(?:${pattern})$`).test(value);
}

interface MatchCase {
  pattern: string;
  yes: string[];
  no: string[];
}

// Each row agrees with Go's regexp (checked against amtool 0.25 with these values).
const MATCH_CASES: MatchCase[] = [
  { pattern: 'a.c', yes: ['abc', 'a.c'], no: ['a\nc', 'ac'] },
  { pattern: '(?s)a.c', yes: ['a\nc'], no: ['ac'] },
  { pattern: '(?i)abc', yes: ['ABC', 'aBc'], no: ['abd'] },
  { pattern: 'a(?i)bc', yes: ['aBC'], no: ['ABC'] },
  { pattern: '(?i)K', yes: ['k', 'K', '\u212a'], no: ['x'] },
  { pattern: '(?i)s', yes: ['S', '\u017f'], no: ['x'] },
  { pattern: '\\d+', yes: ['123'], no: ['١٢', 'a'] },
  { pattern: '\\w+', yes: ['a_1'], no: ['é'] },
  { pattern: '\\s', yes: [' ', '\t', '\n'], no: ['\u00a0'] },
  { pattern: '[[:alpha:]]+', yes: ['abC'], no: ['é', 'a1'] },
  { pattern: '[[:^alpha:]]+', yes: ['12', 'é'], no: ['a'] },
  { pattern: '\\pL+', yes: ['éøΩ'], no: ['1'] },
  { pattern: '\\p{Greek}+', yes: ['αβγ'], no: ['abc'] },
  { pattern: '[^a-c]+', yes: ['xyz', '\n'], no: ['a'] },
  { pattern: 'a{2,}', yes: ['aa', 'aaaa'], no: ['a'] },
  { pattern: 'a{,3}', yes: ['a{,3}'], no: ['aaa'] },
  { pattern: 'x{2}{', yes: ['xx{'], no: ['x{2}{'] },
  { pattern: '}]', yes: ['}]'], no: [''] },
  { pattern: '[]a]', yes: [']', 'a'], no: ['b'] },
  { pattern: '\\Qa.b\\E', yes: ['a.b'], no: ['axb'] },
  { pattern: '\\x41\\x{263a}\\101', yes: ['A☺A'], no: [''] },
  { pattern: '(?m)a$', yes: ['a'], no: ['a\n'] },
  { pattern: '^$', yes: [''], no: ['a'] },
  { pattern: '\\bfoo\\b', yes: ['foo'], no: [] },
  { pattern: '', yes: [''], no: ['a'] },
  { pattern: '|', yes: [''], no: ['|'] },
  { pattern: '(?P<name>a)b', yes: ['ab'], no: ['b'] },
  { pattern: '(?U)a+', yes: ['aaa'], no: [''] },
];

// Go's error text for patterns Go rejects (as Alertmanager reports them, wrapped in ^(?:...)$).
const ERROR_CASES: [string, string][] = [
  ['(', 'missing closing ): `^(?:()$`'],
  ['a)', 'unexpected ): `^(?:a))$`'],
  ['[a', 'missing closing ]: `[a)$`'],
  ['[z-a]', 'invalid character class range: `z-a`'],
  ['a**', 'invalid nested repetition operator: `**`'],
  ['*a', 'missing argument to repetition operator: `*`'],
  ['a{1001}', 'invalid repeat count: `{1001}`'],
  ['(a{2}){501}', 'invalid repeat count: `{501}`'],
  ['\\1', 'invalid escape sequence: `\\1`'],
  ['\\i', 'invalid escape sequence: `\\i`'],
  ['\\Z', 'invalid escape sequence: `\\Z`'],
  ['(?=a)', 'invalid or unsupported Perl syntax: `(?=`'],
  ['(?<a>x)', 'invalid or unsupported Perl syntax: `(?<`'],
  ['(?P<>a)', 'invalid named capture: `(?P<>`'],
  ['\\p{Foo}', 'invalid character class range: `\\p{Foo}`'],
  ['[[:foo:]]', 'invalid character class range: `[:foo:]`'],
];

describe('compileGoRegexp', () => {
  for (const c of MATCH_CASES) {
    it(`matches as Go: ${c.pattern}`, () => {
      for (const v of c.yes) expect(fullMatch(c.pattern, v), JSON.stringify(v)).toBe(true);
      for (const v of c.no) expect(fullMatch(c.pattern, v), JSON.stringify(v)).toBe(false);
    });
  }
  for (const [pattern, message] of ERROR_CASES) {
    it(`rejects as Go: ${pattern}`, () => {
      expect(() => compileGoRegexp(`^(?:${pattern})$`)).toThrow(GoRegexpError);
      expect(() => compileGoRegexp(`^(?:${pattern})$`)).toThrow(`error parsing regexp: ${message}`);
    });
  }
});
