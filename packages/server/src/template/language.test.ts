/** The template language itself (Go's text/template), with Go's builtins only. */
import { describe, expect, it } from 'vitest';
import {
  GO_METHODS,
  GO_TYPE,
  GoFuncValue,
  GoMap,
  T_INT,
  T_STRING,
  Template,
  TemplateError,
  goSlice,
  safeHTML,
  type GoMethods,
  type TemplateOptions,
} from './index.js';

function run(text: string, data?: unknown, opts: TemplateOptions = {}): string {
  return new Template(opts).parse('t', text).execute('t', data);
}

function error(text: string, data?: unknown, opts: TemplateOptions = {}): TemplateError {
  try {
    run(text, data, opts);
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error(`no error from ${text}`);
}

/** A struct with methods, as a data model class declares them. */
class Host {
  static readonly [GO_TYPE] = '*main.Host';
  static readonly [GO_METHODS]: GoMethods = {
    Greet: { params: [T_STRING], call: (args, _ctx, r) => `hello ${String(args[0])} from ${(r as Host).Name}` },
    Twice: { params: [T_INT], call: (args) => (args[0] as bigint) * 2n },
  };
  readonly Name: string;
  readonly Ports: bigint[];
  readonly hidden = 'x';
  constructor(name: string) {
    this.Name = name;
    this.Ports = [80n, 443n];
  }
}

interface Case {
  readonly name: string;
  readonly text: string;
  readonly data?: unknown;
  readonly want: string;
  readonly opts?: TemplateOptions;
}

const DATA = {
  labels: GoMap.ofStrings({ job: 'api', instance: 'a:1' }),
  list: ['x', 'y', 'z'],
  empty: [],
  n: 3n,
  f: 1.5,
  s: 'str',
  yes: true,
  nested: { inner: { v: 'deep' } },
  nil: null,
  host: new Host('h1'),
};

const CASES: Case[] = [
  // text, actions, trim markers, comments
  { name: 'plain text', text: 'hello', want: 'hello' },
  { name: 'trim markers', text: 'a  {{- "b" -}}  c', want: 'abc' },
  { name: 'trim across lines', text: 'a\n\t{{- 1 }}\n{{ 2 -}}\n  b', want: 'a1\n2b' },
  { name: 'minus number is not a trim marker', text: '{{-3}}', want: '-3' },
  { name: 'comment', text: 'a{{/* x */}}b{{- /* y */ -}} c', want: 'abc' },
  {
    name: 'custom delimiters',
    text: '<<.s>> {{.s}}',
    data: DATA,
    want: 'str {{.s}}',
    opts: { leftDelim: '<<', rightDelim: '>>' },
  },
  // literals
  {
    name: 'int and float printing',
    text: '{{ 1 }} {{ 1.0 }} {{ 1e6 }} {{ 1000000 }} {{ 2.5e-7 }}',
    want: '1 1 1e+06 1000000 2.5e-07',
  },
  {
    name: 'number bases',
    text: '{{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }} {{ 0x1p-2 }}',
    want: '31 15 15 5 1000 0.25',
  },
  { name: 'chars are ints', text: "{{ 'a' }} {{ '\\n' }} {{ '\\u00e9' }}", want: '97 10 233' },
  { name: 'string escapes', text: '{{ "a\\tb\\x41\\u00e9\\U0001F600\\101" }}', want: 'a\tbAé😀A' },
  { name: 'raw strings', text: '{{ `a\\n"b"` }}', want: 'a\\n"b"' },
  { name: 'booleans', text: '{{ true }} {{ false }}', want: 'true false' },
  { name: 'complex', text: '{{ 1+2i }} {{ 3i }}', want: '(1+2i) (0+3i)' },
  // data access
  { name: 'map field', text: '{{ .labels.job }}', data: DATA, want: 'api' },
  { name: 'missing key, default', text: '{{ .labels.nope }}', data: DATA, want: '<no value>' },
  {
    name: 'missing key, missingkey=zero',
    text: '{{ .labels.nope }}',
    data: DATA,
    want: '',
    opts: { missingKey: 'zero' },
  },
  { name: 'plain object missing key', text: '{{ .nested.nope }}', data: DATA, want: '<no value>' },
  {
    name: 'missingkey=zero on interface map',
    text: '{{ .nested.nope }}',
    data: DATA,
    want: '<no value>',
    opts: { missingKey: 'zero' },
  },
  { name: 'nested plain objects', text: '{{ .nested.inner.v }}', data: DATA, want: 'deep' },
  { name: 'nil data', text: '{{ .Foo }}', want: '<no value>' },
  {
    name: 'struct field and method',
    text: '{{ .host.Name }} {{ .host.Greet "you" }} {{ .host.Twice 21 }}',
    data: DATA,
    want: 'h1 hello you from h1 42',
  },
  { name: 'method with piped argument', text: '{{ "me" | .host.Greet }}', data: DATA, want: 'hello me from h1' },
  { name: 'chained field of a pipeline', text: '{{ (.nested).inner.v }}', data: DATA, want: 'deep' },
  { name: 'root variable', text: '{{ with .nested }}{{ $.s }}{{ end }}', data: DATA, want: 'str' },
  { name: 'print maps sorted', text: '{{ .labels }}', data: DATA, want: 'map[instance:a:1 job:api]' },
  { name: 'print slices', text: '{{ .list }} {{ .empty }}', data: DATA, want: '[x y z] []' },
  { name: 'print structs', text: '{{ .host }}', data: DATA, want: '{h1 [80 443] x}' },
  // variables
  { name: 'declare and assign', text: '{{ $x := 1 }}{{ $x = 2 }}{{ $x }}', want: '2' },
  {
    name: 'assign inside if reaches outside',
    text: '{{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ end }}{{ $x }}',
    want: 'b',
  },
  {
    name: 'declaration inside if is scoped',
    text: '{{ $x := "a" }}{{ if true }}{{ $x := "b" }}{{ $x }}{{ end }}{{ $x }}',
    want: 'ba',
  },
  { name: 'declarations print nothing', text: '{{ $x := 5 }}', want: '' },
  // if / with / range
  {
    name: 'if else if else',
    text: '{{ if eq .n 1 }}one{{ else if eq .n 3 }}three{{ else }}other{{ end }}',
    data: DATA,
    want: 'three',
  },
  {
    name: 'truthiness',
    text: '{{ if .empty }}a{{ end }}{{ if .list }}b{{ end }}{{ if 0 }}c{{ end }}{{ if "" }}d{{ end }}{{ if .nil }}e{{ end }}{{ if .host }}f{{ end }}',
    data: DATA,
    want: 'bf',
  },
  {
    name: 'with else',
    text: '{{ with .nope }}a{{ else }}b{{ end }}{{ with .s }}[{{ . }}]{{ end }}',
    data: DATA,
    want: 'b[str]',
  },
  { name: 'range slice', text: '{{ range .list }}{{ . }},{{ end }}', data: DATA, want: 'x,y,z,' },
  {
    name: 'range with index',
    text: '{{ range $i, $v := .list }}{{ $i }}={{ $v }} {{ end }}',
    data: DATA,
    want: '0=x 1=y 2=z ',
  },
  {
    name: 'range one variable is the element',
    text: '{{ range $v := .list }}{{ $v }}{{ end }}',
    data: DATA,
    want: 'xyz',
  },
  {
    name: 'range map in key order',
    text: '{{ range $k, $v := .labels }}{{ $k }}={{ $v }};{{ end }}',
    data: DATA,
    want: 'instance=a:1;job=api;',
  },
  { name: 'range else', text: '{{ range .empty }}x{{ else }}none{{ end }}', data: DATA, want: 'none' },
  { name: 'range over nothing', text: '{{ range .nope }}x{{ else }}none{{ end }}', data: DATA, want: 'none' },
  {
    name: 'break',
    text: '{{ range .list }}{{ if eq . "y" }}{{ break }}{{ end }}{{ . }}{{ end }}',
    data: DATA,
    want: 'x',
  },
  {
    name: 'continue',
    text: '{{ range .list }}{{ if eq . "y" }}{{ continue }}{{ end }}{{ . }}{{ end }}',
    data: DATA,
    want: 'xz',
  },
  { name: 'range dot and root', text: '{{ range .list }}{{ $.s }}{{ end }}', data: DATA, want: 'strstrstr' },
  // define, template, block
  {
    name: 'define and template',
    text: '{{ define "x" }}<{{ . }}>{{ end }}{{ template "x" "a" }}{{ template "x" }}',
    want: '<a><<no value>>',
  },
  {
    name: 'templates see no caller variables',
    text: '{{ define "x" }}{{ $ }}{{ end }}{{ $y := 1 }}{{ template "x" 2 }}',
    want: '2',
  },
  { name: 'block', text: '{{ block "b" .s }}[{{ . }}]{{ end }}', data: DATA, want: '[str]' },
  {
    name: 'recursion',
    text: '{{ define "r" }}{{ if gt . 0 }}{{ . }}{{ template "r" (slice "" 0) | len }}{{ end }}{{ end }}{{ template "r" 3 }}',
    want: '3',
  },
  // pipelines
  { name: 'pipeline passes the last argument', text: '{{ "b" | printf "%s%s" "a" }}', want: 'ab' },
  { name: 'parenthesized pipelines', text: '{{ printf "%d" (len (print "abc")) }}', want: '3' },
  { name: 'variable in a parenthesized pipeline', text: '{{ ($x := 4) }}{{ $x }}', want: '44' },
  // builtins
  {
    name: 'and or short-circuit',
    text: '{{ and 1 0 (index .list 99) }} {{ or 0 "" "z" }} {{ or 1 (index .list 99) }}',
    data: DATA,
    want: '0 z 1',
  },
  { name: 'not', text: '{{ not 0 }} {{ not .list }}', data: DATA, want: 'true false' },
  { name: 'len', text: '{{ len .list }} {{ len .labels }} {{ len "héllo" }}', data: DATA, want: '3 2 6' },
  {
    name: 'index',
    text: '{{ index .list 1 }} {{ index .labels "job" }} {{ index .labels "nope" }}| {{ index "abc" 0 }} {{ index .nested "inner" "v" }}',
    data: DATA,
    want: 'y api | 97 deep',
  },
  {
    name: 'slice',
    text: '{{ slice .list 1 }} {{ slice .list 0 2 }} {{ slice "hello" 1 3 }}',
    data: DATA,
    want: '[y z] [x y] el',
  },
  {
    name: 'print family',
    text: '{{ print 1 2 "a" "b" 3 }}|{{ println "x" 1 }}|{{ printf "%05.1f" 3.14159 }}',
    want: '1 2ab3|x 1\n|003.1',
  },
  {
    name: 'escapers',
    text: '{{ html "<a href=\'x\'>&" }} {{ js "it\'s <b>" }} {{ urlquery "a b&c" }}',
    want: "&lt;a href=&#39;x&#39;&gt;&amp; it\\'s \\u003Cb\\u003E a+b%26c",
  },
  {
    name: 'eq with several arguments',
    text: '{{ eq .s "a" "b" "str" }} {{ eq 1 2 3 }}',
    data: DATA,
    want: 'true false',
  },
  {
    name: 'comparisons',
    text: '{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }} {{ ne "a" "b" }}',
    want: 'true true true false true',
  },
  {
    name: 'nil comparisons',
    text: '{{ eq nil nil }} {{ eq .nil nil }} {{ eq .s nil }}',
    data: DATA,
    want: 'true true false',
  },
  {
    name: 'call a function value',
    text: '{{ call .f 2 }} {{ call .g "x" }}',
    data: { f: (x: bigint) => x + 1n, g: new GoFuncValue({ params: [T_STRING], call: (a) => `<${String(a[0])}>` }) },
    want: '3 <x>',
  },
  // HTML mode
  {
    name: 'html mode escapes',
    text: '{{ "<b>" }}{{ .s }}',
    data: { s: safeHTML('<i>') },
    want: '&lt;b&gt;<i>',
    opts: { html: true },
  },
  { name: 'html mode prints no value as nothing', text: '[{{ .Foo }}]', want: '[]', opts: { html: true } },
  // typed slices keep their type name
  { name: 'typed slice', text: '{{ printf "%T" . }}', data: goSlice(['a'], '[]string'), want: '[]string' },
];

describe('template language', () => {
  for (const c of CASES) {
    it(c.name, () => {
      expect(run(c.text, c.data, c.opts)).toBe(c.want);
    });
  }

  it('redefines templates in a later parse, unless the new definition is empty', () => {
    const t = new Template().parse('a', '{{ define "x" }}1{{ end }}').parse('b', '{{ define "x" }}2{{ end }}');
    expect(t.execute('b', undefined)).toBe('');
    t.parse('c', '{{ define "x" }}  {{ end }}{{ template "x" }}');
    expect(t.execute('c', undefined)).toBe('2');
    expect(t.names()).toEqual(['a', 'b', 'c', 'x']);
  });

  it('clones are independent', () => {
    const t = new Template().parse('a', '{{ define "x" }}1{{ end }}');
    const c = t.clone().parse('x', '2');
    expect(c.execute('x', undefined)).toBe('2');
    expect(t.execute('x', undefined)).toBe('1');
  });
});

interface ErrorCase {
  readonly text: string;
  readonly data?: unknown;
  readonly message: string;
  readonly opts?: TemplateOptions;
}

const ERRORS: ErrorCase[] = [
  // parse errors: Go's messages, with the line
  { text: '{{ foo }}', message: 'template: t:1: function "foo" not defined' },
  { text: '\n{{ $x }}', message: 'template: t:2: undefined variable "$x"' },
  { text: '{{ if true }}', message: 'template: t:1: unexpected EOF' },
  { text: '{{ end }}', message: 'template: t:1: unexpected {{end}}' },
  { text: '{{ .a', message: 'template: t:1: unclosed action' },
  { text: '{{ if\n\n', message: 'template: t:3: unclosed action started at t:1' },
  { text: '{{ "a }}', message: 'template: t:1: unterminated quoted string' },
  { text: '{{ 1 | 2 }}', message: 'template: t:1: non executable command in pipeline stage 2' },
  { text: '{{ break }}', message: 'template: t:1: {{break}} outside {{range}}' },
  { text: '{{ \u00a0 }}', message: 'template: t:1: unrecognized character in action: U+00A0' },
  {
    text: '{{ define "a" }}x{{ end }}{{ define "a" }}y{{ end }}',
    message: 'template: t:1: template: multiple definition of template "a"',
  },
  { text: '{{ 08 }}', message: 'template: t:1: integer overflow: "08"' },
  // execution errors: Go's messages, with line and byte column
  {
    text: '{{ .a.b }}',
    data: { a: 'x' },
    message: 'template: t:1:5: executing "t" at <.a.b>: can\'t evaluate field b in type string',
  },
  {
    text: 'é\n  {{ .x.y }}',
    data: { x: 1n },
    message: 'template: t:2:7: executing "t" at <.x.y>: can\'t evaluate field y in type int',
  },
  { text: '{{ len 3 }}', message: 'template: t:1:3: executing "t" at <len 3>: error calling len: len of type int' },
  {
    text: '{{ index .l 5 }}',
    data: { l: ['a'] },
    message: 'template: t:1:3: executing "t" at <index .l 5>: error calling index: index out of range: 5',
  },
  {
    text: '{{ template "nope" }}',
    message: 'template: t:1:12: executing "t" at <{{template "nope"}}>: template "nope" not defined',
  },
  {
    text: '{{ define "x" }}{{ .a.b }}{{ end }}{{ template "x" . }}',
    data: { a: 1.5 },
    message: 'template: t:1:21: executing "x" at <.a.b>: can\'t evaluate field b in type float64',
  },
  {
    text: '{{ lt 1 1.5 }}',
    message: 'template: t:1:3: executing "t" at <lt 1 1.5>: error calling lt: incompatible types for comparison',
  },
  { text: '{{ printf 1 }}', message: 'template: t:1:10: executing "t" at <1>: expected string; found 1' },
  {
    text: '{{ .host.Twice "x" }}',
    data: DATA,
    message: 'template: t:1:15: executing "t" at <"x">: expected integer; found "x"',
  },
  {
    text: '{{ .host.hidden }}',
    data: DATA,
    message:
      'template: t:1:8: executing "t" at <.host.hidden>: hidden is an unexported field of struct type *main.Host',
  },
  { text: '{{ range 5 }}{{ end }}', message: 'template: t:1:9: executing "t" at <5>: range can\'t iterate over 5' },
  { text: '{{ nil }}', message: 'template: t:1:3: executing "t" at <nil>: nil is not a command' },
  {
    text: '{{ .Foo }}',
    message: 'template: t:1:3: executing "t" at <.Foo>: nil data; no entry for key "Foo"',
    opts: { missingKey: 'error' },
  },
  {
    text: '{{ .m.x }}',
    data: { m: GoMap.ofStrings({}) },
    message: 'template: t:1:5: executing "t" at <.m.x>: map has no entry for key "x"',
    opts: { missingKey: 'error' },
  },
  {
    text: '{{ call .f }}',
    data: {
      f: () => {
        throw new Error('boom');
      },
    },
    message: 'template: t:1:3: executing "t" at <call .f>: error calling call: boom',
  },
];

describe('template errors', () => {
  for (const c of ERRORS) {
    it(c.message, () => {
      const e = error(c.text, c.data, c.opts);
      expect(e.message).toBe(c.message);
      expect(e.code).toBe(c.message.includes('executing') ? 'WK_TEMPLATE_EXEC' : 'WK_TEMPLATE_PARSE');
    });
  }

  it('gives execution errors a line and column', () => {
    const e = error('ab\ncd {{ .x.y }}', { x: 1n });
    expect([e.line, e.column, e.templateName]).toEqual([2, 8, 't']);
  });
});

describe('limits', () => {
  it('stops runaway output', () => {
    const e = error(
      '{{ range .l }}{{ range $.l }}xxxxxxxxxx{{ end }}{{ end }}',
      { l: Array.from({ length: 1000 }) },
      {
        limits: { maxOutputChars: 1000 },
      },
    );
    expect(e.code).toBe('WK_TEMPLATE_LIMIT');
    expect(e.message).toBe('template: t: output exceeds 1000 characters');
  });

  it('stops exponential template expansion', () => {
    let text = '';
    for (let i = 0; i < 40; i++)
      text += `{{ define "t${i}" }}{{ template "t${i + 1}" }}{{ template "t${i + 1}" }}{{ end }}`;
    text += '{{ define "t40" }}{{ end }}{{ template "t0" }}';
    const e = error(text, undefined, { limits: { maxSteps: 100_000 } });
    expect(e.code).toBe('WK_TEMPLATE_LIMIT');
    expect(e.message).toContain('execution stopped after 100000 steps');
  });

  it('limits template recursion as Go does, at a lower depth', () => {
    const e = error('{{ define "a" }}{{ template "a" }}{{ end }}{{ template "a" }}', undefined, {
      limits: { maxTemplateDepth: 50 },
    });
    expect(e.message).toBe(
      'template: t:1:28: executing "a" at <{{template "a"}}>: exceeded maximum template depth (50)',
    );
  });

  it('limits nesting while parsing', () => {
    expect(error('{{' + '('.repeat(2000) + '1' + ')'.repeat(2000) + '}}').message).toBe(
      'template: t:1: max expression depth exceeded',
    );
    expect(error('{{ if 1 }}'.repeat(2000)).message).toBe('template: t:1: max expression depth exceeded');
  });
});

describe('asynchronous functions', () => {
  const calls: string[] = [];
  const funcs = {
    fetch: {
      params: [T_STRING],
      async: true,
      call: async (args: unknown[]) => {
        calls.push(String(args[0]));
        if (args[0] === 'bad') throw new Error('no such thing');
        return `<${String(args[0])}>`;
      },
    },
  };

  it('awaits them, calling each distinct call once', async () => {
    calls.length = 0;
    const t = new Template({ funcs }).parse(
      't',
      '{{ fetch "a" }}{{ fetch "b" }}{{ fetch "a" }}{{ range .l }}{{ fetch . }}{{ end }}',
    );
    expect(await t.executeAsync('t', { l: ['c', 'a'] })).toBe('<a><b><a><c><a>');
    expect(calls).toEqual(['a', 'b', 'c']);
  });

  it('turns a rejection into a template error', async () => {
    const t = new Template({ funcs }).parse('t', 'x{{ fetch "bad" }}');
    await expect(t.executeAsync('t', undefined)).rejects.toThrow(
      'template: t:1:4: executing "t" at <fetch "bad">: error calling fetch: no such thing',
    );
  });

  it('refuses them in a synchronous execution', () => {
    const t = new Template({ funcs }).parse('t', '{{ fetch "a" }}');
    expect(() => t.execute('t', undefined)).toThrow(TemplateError);
  });

  it('limits the number of distinct calls', async () => {
    const t = new Template({ funcs, limits: { maxAsyncCalls: 3 } }).parse('t', '{{ range .l }}{{ fetch . }}{{ end }}');
    await expect(t.executeAsync('t', { l: ['1', '2', '3', '4'] })).rejects.toThrow('more than 3 distinct fetch calls');
  });
});
