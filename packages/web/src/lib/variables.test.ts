import { describe, expect, it } from 'vitest';
import { interpolate, interpolateLink, regexEscape, selectionRegex } from './variables';

describe('variables in queries', () => {
  it('replaces $var and ${var} by a regex alternation of the selected values', () => {
    const sel = { company: { all: false as const, values: ['acme', 'blue-sea'] } };
    expect(interpolate('sum(x{company_id=~"$company"})', sel)).toBe('sum(x{company_id=~"acme|blue-sea"})');
    expect(interpolate('x{c=~"${company}"}', sel)).toBe('x{c=~"acme|blue-sea"}');
  });

  it('uses .* for All and for an empty selection', () => {
    expect(interpolate('x{c=~"$c"}', { c: { all: true } })).toBe('x{c=~".*"}');
    expect(interpolate('x{c=~"$c"}', { c: { all: false, values: [] } })).toBe('x{c=~".*"}');
  });

  it('escapes regex metacharacters, then for the PromQL string literal', () => {
    expect(regexEscape('a.b|c(d)')).toBe('a\\.b\\|c\\(d\\)');
    // a.b → regex a\.b → in a PromQL string "a\\.b"
    expect(selectionRegex({ all: false, values: ['a.b'] })).toBe('a\\\\.b');
    expect(selectionRegex({ all: false, values: ['say "hi"'] })).toBe('say \\"hi\\"');
    expect(interpolate('x{v=~"$v"}', { v: { all: false, values: ['M/V Nordic (2)'] } })).toBe(
      'x{v=~"M/V Nordic \\\\(2\\\\)"}',
    );
  });

  it('replaces the built-ins verbatim and leaves unknown names for the server to report', () => {
    const b = { __range: '1h', __interval: '15s', __rate_interval: '1m', __interval_ms: '15000' };
    expect(interpolate('rate(x[$__rate_interval]) + increase(x[$__range]) + $__interval_ms', {}, b)).toBe(
      'rate(x[1m]) + increase(x[1h]) + 15000',
    );
    expect(interpolate('x{a=~"$nope"}', {})).toBe('x{a=~"$nope"}');
  });

  it('does not touch $ inside label values that are not variable references', () => {
    expect(interpolate('x{a="$"}', {})).toBe('x{a="$"}');
  });
});

describe('interpolateLink', () => {
  it('replaces ${label} from a series, URL-encoded', () => {
    expect(
      interpolateLink('https://crm.example/c/${company_id}?n=${company}', { company_id: 'c 1', company: 'A&B' }),
    ).toBe('https://crm.example/c/c%201?n=A%26B');
    expect(interpolateLink('/x/${missing}', {})).toBe('/x/${missing}');
  });
});
