import { describe, expect, it } from 'vitest';
import type { RelabelConfig } from '../../config/index.js';
import { Labels } from '../../lib/labels.js';
import { compileRelabelRegex, expandTemplate, hashMod, relabel } from './relabel.js';

/** A relabel config with Prometheus's defaults for the fields a case leaves out. */
function rc(partial: Partial<RelabelConfig>): RelabelConfig {
  return { separator: ';', regex: '(.*)', replacement: '$1', action: 'replace', ...partial };
}

interface RelabelCase {
  name: string;
  input: Record<string, string>;
  configs: Partial<RelabelConfig>[];
  /** `undefined` = dropped. */
  output: Record<string, string> | undefined;
}

// The cases of Prometheus's model/relabel TestRelabel, re-expressed, plus edge cases of our own.
const RELABEL_CASES: RelabelCase[] = [
  {
    name: 'replace with ${1} twice',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    configs: [{ source_labels: ['a'], regex: 'f(.*)', target_label: 'd', replacement: 'ch${1}-ch${1}' }],
    output: { a: 'foo', b: 'bar', c: 'baz', d: 'choo-choo' },
  },
  {
    name: 'two replaces reading what the first wrote',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    configs: [
      { source_labels: ['a', 'b'], regex: 'f(.*);(.*)r', target_label: 'a', replacement: 'b${1}${2}m' },
      { source_labels: ['c', 'a'], regex: '(b).*b(.*)ba(.*)', target_label: 'd', replacement: '$1$2$2$3' },
    ],
    output: { a: 'boobam', b: 'bar', c: 'baz', d: 'boooom' },
  },
  {
    name: 'drop stops the rules that follow',
    input: { a: 'foo' },
    configs: [
      { source_labels: ['a'], regex: '.*o.*', action: 'drop' },
      { source_labels: ['a'], regex: 'f(.*)', target_label: 'd', replacement: 'ch$1-ch$1' },
    ],
    output: undefined,
  },
  {
    name: 'drop on match',
    input: { a: 'foo', b: 'bar' },
    configs: [{ source_labels: ['a'], regex: '.*o.*', action: 'drop' }],
    output: undefined,
  },
  {
    name: 'replace with a group in the middle',
    input: { a: 'abc' },
    configs: [{ source_labels: ['a'], regex: '.*(b).*', target_label: 'd', replacement: '$1' }],
    output: { a: 'abc', d: 'b' },
  },
  {
    name: 'drop without a match keeps',
    input: { a: 'foo' },
    configs: [{ source_labels: ['a'], regex: 'no-match', action: 'drop' }],
    output: { a: 'foo' },
  },
  {
    name: 'the regex is anchored: f|o does not match foo',
    input: { a: 'foo' },
    configs: [{ source_labels: ['a'], regex: 'f|o', action: 'drop' }],
    output: { a: 'foo' },
  },
  {
    name: 'keep without a match drops',
    input: { a: 'foo' },
    configs: [{ source_labels: ['a'], regex: 'no-match', action: 'keep' }],
    output: undefined,
  },
  {
    name: 'keep on match',
    input: { a: 'foo' },
    configs: [{ source_labels: ['a'], regex: 'f.*', action: 'keep' }],
    output: { a: 'foo' },
  },
  {
    name: 'no replacement without a match',
    input: { a: 'boo' },
    configs: [{ source_labels: ['a'], regex: 'f', target_label: 'b', replacement: 'bar' }],
    output: { a: 'boo' },
  },
  {
    name: 'hashmod',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    configs: [{ source_labels: ['c'], target_label: 'd', action: 'hashmod', modulus: 1000 }],
    output: { a: 'foo', b: 'bar', c: 'baz', d: '976' },
  },
  {
    name: 'hashmod of a value with a newline',
    input: { a: 'foo\nbar' },
    configs: [{ source_labels: ['a'], target_label: 'b', action: 'hashmod', modulus: 1000 }],
    output: { a: 'foo\nbar', b: '734' },
  },
  {
    name: 'labelmap',
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    configs: [{ regex: '(b.*)', replacement: 'bar_${1}', action: 'labelmap' }],
    output: { a: 'foo', b1: 'bar', b2: 'baz', bar_b1: 'bar', bar_b2: 'baz' },
  },
  {
    name: 'labelmap of meta labels',
    input: { a: 'foo', __meta_my_bar: 'aaa', __meta_my_baz: 'bbb', __meta_other: 'ccc' },
    configs: [{ regex: '__meta_(my.*)', replacement: '${1}', action: 'labelmap' }],
    output: {
      a: 'foo',
      __meta_my_bar: 'aaa',
      __meta_my_baz: 'bbb',
      __meta_other: 'ccc',
      my_bar: 'aaa',
      my_baz: 'bbb',
    },
  },
  {
    name: 'target label from a group',
    input: { a: 'some-name-value' },
    configs: [{ source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', replacement: '${2}', target_label: '${1}' }],
    output: { a: 'some-name-value', name: 'value' },
  },
  {
    name: 'a replacement that expands to nothing deletes nothing that is not there',
    input: { a: 'some-name-value' },
    configs: [{ source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', replacement: '${3}', target_label: '${1}' }],
    output: { a: 'some-name-value' },
  },
  {
    name: 'invalid target labels are skipped',
    input: { a: 'some-name-0' },
    configs: [
      { source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', replacement: '${1}', target_label: '${3}' },
      { source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', replacement: '${1}', target_label: '${3}' },
      { source_labels: ['a'], regex: 'some-([^-]+)(-[^,]+)', replacement: '${1}', target_label: '${3}' },
    ],
    output: { a: 'some-name-0' },
  },
  {
    name: 'a real-life chain: metrics path, job and a label from SD tags',
    input: { __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar' },
    configs: [
      {
        source_labels: ['__meta_sd_tags'],
        regex: '(?:.+,|^)path:(/[^,]+).*',
        replacement: '${1}',
        target_label: '__metrics_path__',
      },
      { source_labels: ['__meta_sd_tags'], regex: '(?:.+,|^)job:([^,]+).*', replacement: '${1}', target_label: 'job' },
      {
        source_labels: ['__meta_sd_tags'],
        regex: '(?:.+,|^)label:([^=]+)=([^,]+).*',
        replacement: '${2}',
        target_label: '${1}',
      },
    ],
    output: {
      __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar',
      __metrics_path__: '/secret',
      job: 'some-job',
      foo: 'bar',
    },
  },
  {
    name: 'labeldrop then replace then keep (prometheus#12283)',
    input: {
      __meta_kubernetes_pod_container_port_name: 'foo',
      __meta_kubernetes_pod_annotation_XXX_metrics_port: '9091',
    },
    configs: [
      { regex: '^__meta_kubernetes_pod_container_port_name$', action: 'labeldrop' },
      {
        source_labels: ['__meta_kubernetes_pod_annotation_XXX_metrics_port'],
        regex: '(.+)',
        replacement: 'metrics',
        target_label: '__meta_kubernetes_pod_container_port_name',
      },
      { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: '^metrics$', action: 'keep' },
    ],
    output: {
      __meta_kubernetes_pod_annotation_XXX_metrics_port: '9091',
      __meta_kubernetes_pod_container_port_name: 'metrics',
    },
  },
  {
    name: 'labelkeep',
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    configs: [{ regex: '(b.*)', action: 'labelkeep' }],
    output: { b1: 'bar', b2: 'baz' },
  },
  {
    name: 'labeldrop',
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    configs: [{ regex: '(b.*)', action: 'labeldrop' }],
    output: { a: 'foo' },
  },
  {
    name: 'uppercase and lowercase',
    input: { foo: 'bAr123Foo' },
    configs: [
      { source_labels: ['foo'], action: 'uppercase', target_label: 'foo_uppercase' },
      { source_labels: ['foo'], action: 'lowercase', target_label: 'foo_lowercase' },
    ],
    output: { foo: 'bAr123Foo', foo_lowercase: 'bar123foo', foo_uppercase: 'BAR123FOO' },
  },
  {
    name: 'keepequal keeps when equal',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    configs: [{ source_labels: ['__tmp_port'], action: 'keepequal', target_label: '__port1' }],
    output: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
  },
  {
    name: 'dropequal drops when equal',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    configs: [{ source_labels: ['__tmp_port'], action: 'dropequal', target_label: '__port1' }],
    output: undefined,
  },
  {
    name: 'dropequal keeps when different',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    configs: [{ source_labels: ['__tmp_port'], action: 'dropequal', target_label: '__port2' }],
    output: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
  },
  {
    name: 'keepequal drops when different',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    configs: [{ source_labels: ['__tmp_port'], action: 'keepequal', target_label: '__port2' }],
    output: undefined,
  },
  // Our own edge cases.
  {
    name: 'the default replace copies a label',
    input: { a: 'x' },
    configs: [{ source_labels: ['a'], target_label: 'b' }],
    output: { a: 'x', b: 'x' },
  },
  {
    name: 'a replace whose result is empty deletes the target label',
    input: { a: '', b: 'old' },
    configs: [{ source_labels: ['a'], target_label: 'b' }],
    output: {},
  },
  {
    name: 'fast path: no sources and the default regex set a literal label',
    input: { a: 'x' },
    configs: [{ target_label: 'env', replacement: 'prod' }],
    output: { a: 'x', env: 'prod' },
  },
  {
    name: 'missing source labels join as empty strings with the separator',
    input: { b: 'y' },
    configs: [{ source_labels: ['a', 'b'], separator: '/', regex: '/(.*)', target_label: 'c' }],
    output: { b: 'y', c: 'y' },
  },
  {
    name: 'named groups, RE2 and JS syntax',
    input: { addr: 'db-1:9100' },
    configs: [
      { source_labels: ['addr'], regex: '(?P<host>[^:]+):(?<port>\\d+)', target_label: 'host', replacement: '${host}' },
      { source_labels: ['addr'], regex: '(?P<host>[^:]+):(?<port>\\d+)', target_label: 'port', replacement: '$port' },
    ],
    output: { addr: 'db-1:9100', host: 'db-1', port: '9100' },
  },
  {
    name: '$1x names a group 1x (empty); ${1}x is group 1 then x',
    input: { a: 'v' },
    configs: [
      { source_labels: ['a'], regex: '(v)', target_label: 'b', replacement: '$1x' },
      { source_labels: ['a'], regex: '(v)', target_label: 'c', replacement: '${1}x' },
    ],
    output: { a: 'v', c: 'vx' },
  },
  {
    name: '$$ is a dollar and a lone $ stays',
    input: { a: 'v' },
    configs: [{ source_labels: ['a'], regex: '(v)', target_label: 'b', replacement: '$$1-$-${' }],
    output: { a: 'v', b: '$1-$-${' },
  },
  {
    name: 'case-insensitive flag',
    input: { a: 'FOO' },
    configs: [{ source_labels: ['a'], regex: '(?i)foo', action: 'keep' }],
    output: { a: 'FOO' },
  },
  {
    name: 'dot matches a newline, as in Prometheus',
    input: { a: 'foo\nbar' },
    configs: [{ source_labels: ['a'], regex: 'foo.bar', action: 'drop' }],
    output: undefined,
  },
  {
    name: 'labelmap with the default replacement',
    input: { __meta_x_team: 'core' },
    configs: [{ regex: '__meta_x_(.+)', action: 'labelmap' }],
    output: { __meta_x_team: 'core', team: 'core' },
  },
];

describe('relabel', () => {
  it.each(RELABEL_CASES)('$name', ({ input, configs, output }) => {
    const result = relabel(Labels.from(input), configs.map(rc));
    if (output === undefined) expect(result).toBeUndefined();
    else expect(result?.toRecord()).toEqual(Labels.from(output).toRecord());
  });

  it('returns the same label set when there are no configs', () => {
    const l = Labels.from({ a: 'b' });
    expect(relabel(l, [])).toBe(l);
  });

  it('compiles each config once and reuses it', () => {
    const configs = [rc({ source_labels: ['a'], regex: 'x+', action: 'keep' })];
    for (let i = 0; i < 3; i++) expect(relabel(Labels.from({ a: 'xxx' }), configs)).toBeDefined();
    expect(relabel(Labels.from({ a: 'y' }), configs)).toBeUndefined();
  });
});

describe('hashMod', () => {
  interface HashCase {
    value: string;
    modulus: bigint;
    want: bigint;
  }
  // Prometheus reads the last 8 bytes of the MD5 digest; the expected values come from its tests
  // and from md5 computed by hand (md5("") = d41d8cd98f00b204e9800998ecf8427e).
  const HASH_CASES: HashCase[] = [
    { value: 'baz', modulus: 1000n, want: 976n },
    { value: 'foo\nbar', modulus: 1000n, want: 734n },
    { value: '', modulus: 2n ** 64n, want: 0xe9800998ecf8427en },
    { value: '', modulus: 7n, want: 0xe9800998ecf8427en % 7n },
  ];
  it.each(HASH_CASES)('hashmod($value, $modulus)', ({ value, modulus, want }) => {
    expect(hashMod(value, modulus)).toBe(want);
  });
});

describe('expandTemplate', () => {
  interface ExpandCase {
    regex: string;
    input: string;
    template: string;
    want: string;
  }
  const EXPAND_CASES: ExpandCase[] = [
    { regex: '(a)(b)', input: 'ab', template: '$2$1', want: 'ba' },
    { regex: '(a)(b)?', input: 'a', template: '[$2]', want: '[]' },
    { regex: '(a)', input: 'a', template: '$9', want: '' },
    { regex: '(a)', input: 'a', template: '$01', want: '' },
    { regex: '(a)', input: 'a', template: '${1', want: '${1' },
    { regex: '(a)', input: 'a', template: '$', want: '$' },
    { regex: '(a)', input: 'a', template: 'x$-y', want: 'x$-y' },
    { regex: '(?<n>a)', input: 'a', template: '$n.$n', want: 'a.a' },
    { regex: '(a)', input: 'a', template: 'no dollars', want: 'no dollars' },
  ];
  it.each(EXPAND_CASES)('$template on $input', ({ regex, input, template, want }) => {
    const m = compileRelabelRegex(regex).exec(input);
    expect(m).not.toBeNull();
    expect(expandTemplate(template, m!)).toBe(want);
  });
});
