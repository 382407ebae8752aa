/** RE2 regular expressions on the Pike VM: Go's syntax, semantics, errors and linear time. */
import { describe, expect, it } from 'vitest';
import { compileRegexp, mustCompile, RegexpError } from './regexp.js';

const MATCHES: [pattern: string, input: string, want: boolean][] = [
  ['a+', 'baa', true],
  ['^a', 'ba', false],
  ['a.c', 'a\nc', false],
  ['(?s)a.c', 'a\nc', true],
  ['(?i)héllo', 'HÉLLO', true],
  ['(?i)k', '\u212a', true],
  ['^\\d{3}-\\w+$', '123-ab_c', true],
  ['\\s', '\u00a0', false],
  ['[[:upper:]][[:digit:]]', 'aB3', true],
  ['\\pL\\p{Greek}', 'xα', true],
  ['[^\\d]', '123', false],
  ['\\bfoo\\b', 'a foo.', true],
  ['\\Bfoo', 'a foo', false],
  ['a$', 'a\n', false],
  ['(?m)a$', 'a\n', true],
  ['\\Qa.b\\E', 'axb', false],
  ['x*', '', true],
  ['😀+', 'a😀😀', true],
];

const REPLACEMENTS: [pattern: string, repl: string, input: string, want: string][] = [
  ['a*', 'x', 'baaac', 'xbxcx'],
  ['', '-', 'abc', '-a-b-c-'],
  ['(a|ab)(c|bcd)(d*)', '[$1,$2,$3]', 'abcd', '[a,bcd,]'],
  ['(\\w+) (\\w+)', '$2 $1', 'hello world', 'world hello'],
  ['(?P<first>\\w+) (\\w+)', '${2}_${first}', 'hello world', 'world_hello'],
  ['(a)', '$1x|${1}x|$$|$', 'a', '|ax|$|$'],
  ['a+?', '<$0>', 'aaa', '<a><a><a>'],
  ['(?U)a+', '<$0>', 'aaa', '<a><a><a>'],
  ['(?m)^', '#', 'a\nb\n', '#a\n#b\n#'],
  ['é', 'e', 'ééa', 'eea'],
  ['(a*)+', '<$1>', 'b', '<>b<>'],
];

describe('Go regexp', () => {
  for (const [p, s, want] of MATCHES) {
    it(`match ${p} ${JSON.stringify(s)} is ${want}`, () => expect(compileRegexp(p).matchString(s)).toBe(want));
  }
  for (const [p, r, s, want] of REPLACEMENTS) {
    it(`replace ${p} in ${JSON.stringify(s)} with ${r}`, () =>
      expect(compileRegexp(p).replaceAllString(s, r)).toBe(want));
  }

  it("reports Go's parse errors", () => {
    const cases: [string, string][] = [
      ['(', 'error parsing regexp: missing closing ): `(`'],
      ['a)', 'error parsing regexp: unexpected ): `a)`'],
      ['[a', 'error parsing regexp: missing closing ]: `[a`'],
      ['a**', 'error parsing regexp: invalid nested repetition operator: `**`'],
      ['*', 'error parsing regexp: missing argument to repetition operator: `*`'],
      ['a{1001}', 'error parsing regexp: invalid repeat count: `{1001}`'],
      ['[z-a]', 'error parsing regexp: invalid character class range: `z-a`'],
      ['\\1', 'error parsing regexp: invalid escape sequence: `\\1`'],
      ['(?=a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
      ['\\p{Foo}', 'error parsing regexp: invalid character class range: `\\p{Foo}`'],
      ['a\\', 'error parsing regexp: trailing backslash at end of expression: ``'],
    ];
    for (const [p, msg] of cases) expect(() => compileRegexp(p), p).toThrow(msg);
    expect(() => mustCompile('(')).toThrow('regexp: Compile(`(`): error parsing regexp: missing closing ): `(`');
    expect(() => compileRegexp('(a{1000}){1000}')).toThrow(RegexpError);
  });

  // A backtracking engine takes hours on these; the test's timeout catches it (no wall-clock assertion).
  it('runs in linear time where backtracking engines explode', { timeout: 20_000 }, () => {
    expect(compileRegexp('(a+)+$').matchString('a'.repeat(5000) + '!')).toBe(false);
    expect(compileRegexp('^(a|aa)*b$').matchString('a'.repeat(5000) + 'c')).toBe(false);
  });
});
