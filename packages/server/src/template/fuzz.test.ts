/**
 * Fuzzing: random and mutated templates, and hostile inputs. Whatever the text, parsing and
 * execution end quickly, and the only thing they throw is TemplateError (AlertTemplate throws
 * nothing at all). Seeded, so a failure reproduces.
 */
import { describe, expect, it } from 'vitest';
import { AlertTemplate, PROMETHEUS_FUNCS, Template, TemplateError, type Sample } from './index.js';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  '{{',
  '}}',
  '{{- ',
  ' -}}',
  ' ',
  ' ',
  '\n',
  'if ',
  'else ',
  'else if ',
  'end',
  'range ',
  'with ',
  'define ',
  'template ',
  'block ',
  'break',
  'continue',
  '.',
  '.Labels',
  '.Value',
  '.Labels.job',
  '$',
  '$x',
  '$x := ',
  '$x = ',
  '$i, $v := ',
  '$labels',
  '$value',
  '$labels.job',
  '|',
  '(',
  ')',
  '"s"',
  '"%d %s %v %.2f"',
  '`raw`',
  "'c'",
  '1',
  '-1',
  '1.5',
  '1e6',
  '0x1F',
  '1i',
  'nil',
  'true',
  'printf ',
  'print ',
  'len ',
  'index ',
  'slice ',
  'eq ',
  'lt ',
  'and ',
  'or ',
  'not ',
  'call ',
  'html ',
  'js ',
  'humanize ',
  'humanizeDuration ',
  'humanizeTimestamp ',
  'reReplaceAll "(a+)+" "$1" ',
  'match "[" ',
  'query "up" ',
  'first ',
  'value ',
  'label "job" ',
  'toTime ',
  '.Format "2006" ',
  'title ',
  'args 1 ',
  'sortByLabel "a" ',
  '/*',
  '*/',
  ',',
  ':',
  '=',
  'é',
  '\u00a0',
  '"x',
  '\\',
  '#',
  '"a\\nb"',
  'parseDuration "1h" ',
  'stripPort ',
  '(query "up")',
  '.Foo',
  '.Value.X',
  '{{ define "t" }}x{{ end }}',
  '{{ template "t" . }}',
  '{{ range $labels }}{{ . }}{{ end }}',
];

const SEEDS = [
  '{{ $labels.job }} is down ({{ $value | humanizePercentage }})',
  '{{ if gt $value 0.5 }}critical{{ else if gt $value 0.1 }}warning{{ else }}ok{{ end }}',
  '{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}',
  '{{ with query "up" }}{{ range . | sortByLabel "instance" }}{{ .Labels.instance }}:{{ .Value | humanize }} {{ end }}{{ end }}',
  '{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" (printf "%.2f" $value) }}',
  '{{- /* c */ -}} {{ reReplaceAll "(.*):(\\\\d+)" "$2" $labels.instance | toUpper }}',
  '{{ $x := 1 }}{{ range $i, $e := $labels }}{{ if eq $i "job" }}{{ break }}{{ end }}{{ $x = $i }}{{ end }}{{ $x }}',
  '{{ (1435065584.128 | toTime).Format "2006-01-02" }} {{ 90061 | humanizeDuration }} {{ index $labels "job" | len }}',
];

const query = async (q: string): Promise<Sample[]> =>
  q === 'up' ? [{ labels: { instance: 'a', job: 'x' }, value: 1 }] : [];

const LIMITS = { maxSteps: 50_000, maxOutputChars: 50_000, maxTemplateDepth: 100 };

function randomTemplate(rnd: () => number): string {
  const n = Math.floor(rnd() * 30);
  let s = '';
  for (let i = 0; i < n; i++) s += FRAGMENTS[Math.floor(rnd() * FRAGMENTS.length)];
  return s;
}

function mutate(rnd: () => number, text: string): string {
  let s = text;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let e = 0; e < edits; e++) {
    const pos = Math.floor(rnd() * (s.length + 1));
    const kind = rnd();
    if (kind < 0.3) s = s.slice(0, pos) + s.slice(pos + 1 + Math.floor(rnd() * 5));
    else if (kind < 0.6) s = s.slice(0, pos) + FRAGMENTS[Math.floor(rnd() * FRAGMENTS.length)] + s.slice(pos);
    else if (kind < 0.8) s = s.slice(0, pos) + String.fromCharCode(32 + Math.floor(rnd() * 95)) + s.slice(pos);
    else {
      const other = SEEDS[Math.floor(rnd() * SEEDS.length)]!;
      const from = Math.floor(rnd() * other.length);
      s = s.slice(0, pos) + other.slice(from, from + Math.floor(rnd() * 20)) + s.slice(pos);
    }
  }
  return s;
}

/**
 * Parses and runs `text` both ways; fails the test on anything but TemplateError. A hang or a
 * runaway case is caught by the test's timeout (no wall-clock assertion: CI machines are shared);
 * what bounds the work is the execution limits (steps, output, depth), which are deterministic.
 */
async function exercise(text: string): Promise<void> {
  const r = await new AlertTemplate('Fuzz', text, { limits: LIMITS }).expand(
    { labels: { job: 'api', instance: 'a:1' }, value: 0.25 },
    { query, externalURL: 'http://x/' },
  );
  expect(typeof r.text).toBe('string');
  try {
    const t = new Template({ funcs: PROMETHEUS_FUNCS, missingKey: 'zero', limits: LIMITS }).parse('f', text);
    await t.executeAsync('f', { Labels: { job: 'api' }, Value: 1.5 }, { env: { query } });
  } catch (e) {
    if (!(e instanceof TemplateError)) throw new Error(`non-TemplateError for ${JSON.stringify(text)}: ${String(e)}`);
  }
}

describe('fuzz', () => {
  it('random templates', { timeout: 120_000 }, async () => {
    const rnd = mulberry32(20261127);
    for (let i = 0; i < 3000; i++) await exercise(randomTemplate(rnd));
  });

  it('mutated templates', { timeout: 120_000 }, async () => {
    const rnd = mulberry32(42);
    for (let i = 0; i < 3000; i++) await exercise(mutate(rnd, SEEDS[i % SEEDS.length]!));
  });

  it('hostile inputs fail or finish quickly', { timeout: 120_000 }, async () => {
    const big = 1 << 20;
    const hostile = [
      '{{' + '('.repeat(100_000) + '1' + ')'.repeat(100_000) + '}}',
      '{{ if 1 }}'.repeat(100_000),
      '{{ if 1 }}'.repeat(900) + 'x' + '{{ end }}'.repeat(900),
      '{{ with 1 }}{{ range $labels }}'.repeat(400) + '{{ end }}{{ end }}'.repeat(400),
      '{{ ' + 'a'.repeat(big),
      '{{ "' + 'a'.repeat(big),
      '{{/* ' + 'a'.repeat(big),
      'x'.repeat(big),
      '{{ 1 }}'.repeat(big / 8),
      '{{ $x := 1 }}'.repeat(50_000) + '{{ $x }}',
      '{{ 1' + ' | print'.repeat(50_000) + ' }}',
      '{{ define "a" }}{{ template "a" . }}{{ end }}{{ template "a" . }}',
      '{{ match "(a+)+$" "' + 'a'.repeat(10_000) + '!" }}',
      '{{ reReplaceAll "(x*)*y" "z" "' + 'x'.repeat(5_000) + '" }}',
      '{{ printf "%999999d" 1 }}',
      '{{ printf "%.999999f" 1.5 }}',
      '{{ range $labels }}{{ range $labels }}{{ range $labels }}{{ printf "%1000d" 1 }}{{ end }}{{ end }}{{ end }}',
    ];
    for (const text of hostile) await exercise(text);
  });
});
