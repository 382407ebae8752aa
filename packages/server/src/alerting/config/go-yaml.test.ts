import { describe, expect, it } from 'vitest';
import { DecodeContext, list, map, parseGoYaml, resolvePlainTag, str, struct, bool, int } from './go-yaml.js';

describe('resolvePlainTag (yaml.v2 resolve)', () => {
  const cases: [string, string][] = [
    ['', '!!null'],
    ['~', '!!null'],
    ['null', '!!null'],
    ['yes', '!!bool'],
    ['Off', '!!bool'],
    ['y', '!!bool'],
    ['true', '!!bool'],
    ['TRUE', '!!bool'],
    ['tRue', '!!str'],
    ['12', '!!int'],
    ['0x1F', '!!int'],
    ['0o17', '!!int'],
    ['017', '!!int'],
    ['1_000', '!!int'],
    ['-5', '!!int'],
    ['08', '!!float'],
    ['1.5', '!!float'],
    ['1e3', '!!float'],
    ['.5', '!!float'],
    ['.inf', '!!float'],
    ['-.Inf', '!!float'],
    ['2024-01-01', '!!timestamp'],
    ['1h', '!!str'],
    ['<<', '!!str'],
    ['...', '!!str'],
  ];
  for (const [s, tag] of cases) it(JSON.stringify(s), () => expect(resolvePlainTag(s)).toBe(tag));
});

const point = struct('main.point', {
  x: int(),
  label: str(),
  on: bool(),
  tags: list(str(), '[]string'),
  attrs: map(str()),
});

function decode(yaml: string): { value: unknown; errors: string[] } {
  const ctx = new DecodeContext();
  const value = point.decode(parseGoYaml(yaml)!, ctx, '');
  return { value, errors: ctx.typeErrors.map((e) => e.text) };
}

describe('struct decoding (yaml.v2 UnmarshalStrict)', () => {
  it('takes scalars as written for strings and YAML 1.1 booleans', () => {
    expect(decode('x: 0x10\nlabel: 2\non: on\n').value).toMatchObject({ x: 16, label: '2', on: true });
  });

  it('collects unknown, duplicate and mistyped fields with their lines', () => {
    expect(decode('x: a\ny: 1\nlabel: [1]\nlabel: b\nattrs: {a: 1, a: 2}\n').errors).toEqual([
      'line 1: cannot unmarshal !!str `a` into int',
      'line 2: field y not found in type main.point',
      'line 3: cannot unmarshal !!seq into string',
      'line 4: field label already set in type main.point',
      'line 5: key "a" already set in map',
    ]);
  });

  it('shortens long values in messages as yaml.v2 does', () => {
    expect(decode('on: abcdefghijklmnop\n').errors).toEqual(['line 1: cannot unmarshal !!str `abcdefg...` into bool']);
  });

  it('follows aliases and merge keys', () => {
    const { value, errors } = decode('base: &b {x: 1, label: a}\n');
    expect(errors).toEqual(['line 1: field base not found in type main.point']);
    expect(value).toMatchObject({ x: 0 });
    const doc = parseGoYaml('a: &p {x: 1, label: a}\nb: {<<: *p, label: b}\n')!;
    const ctx = new DecodeContext();
    const both = struct('main.pair', { a: point, b: point }).decode(doc, ctx, '');
    expect(ctx.typeErrors).toEqual([]);
    expect(both.b).toMatchObject({ x: 1, label: 'b' });
  });

  it('reads only the first document', () => {
    expect(parseGoYaml('x: 1\n---\n[')).toMatchObject({ kind: 'map' });
    expect(parseGoYaml('')).toBeUndefined();
    expect(parseGoYaml('# only a comment\n')).toBeUndefined();
  });
});
