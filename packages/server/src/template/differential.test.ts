/**
 * Differential tests against the real tools: Debian's promtool 2.42 (alert annotation templates,
 * `promtool test rules` prints what it expanded) and amtool 0.25 (`amtool template render`).
 * Each part skips, with a message, when its binary is absent (PROMTOOL_BIN / AMTOOL_BIN point
 * elsewhere). Nothing else in the module's tests needs these tools.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertTemplate, AlertmanagerTemplates, AmData, KV, type Sample } from './index.js';
import { Alerts, AmAlert } from './alertmanager.js';
import { unquote } from './strconv.js';
import { GoTime } from './time.js';

const PROMTOOL = process.env['PROMTOOL_BIN'] ?? '/usr/bin/promtool';
const AMTOOL = process.env['AMTOOL_BIN'] ?? '/usr/bin/amtool';
const hasPromtool = existsSync(PROMTOOL);
const hasAmtool = existsSync(AMTOOL);

const dir = mkdtempSync(join(tmpdir(), 'wk-template-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The series both sides see; our query stub answers the expressions the cases use. */
const SERIES: { series: string; labels: Record<string, string>; value: number }[] = [
  {
    series: 'probe_value{endpoint="/api/vessels"}',
    labels: { __name__: 'probe_value', endpoint: '/api/vessels' },
    value: 0.0734,
  },
  { series: 'metric{instance="a"}', labels: { __name__: 'metric', instance: 'a' }, value: 11 },
  { series: 'metric{instance="b"}', labels: { __name__: 'metric', instance: 'b' }, value: 21 },
];

const QUERIES: Record<string, Sample[]> = {
  metric: SERIES.slice(1).map((s) => ({ labels: s.labels, value: s.value })),
  "metric{instance='a'}": [{ labels: SERIES[1]!.labels, value: 11 }],
  probe_value: [{ labels: SERIES[0]!.labels, value: 0.0734 }],
  missing: [],
  '1.5': [{ labels: {}, value: 1.5 }],
};

async function query(expr: string): Promise<Sample[]> {
  const r = QUERIES[expr];
  if (r === undefined) throw new Error(`no stub for ${expr}`);
  return r;
}

/** Templates that parse in Go: promtool expands each as an annotation of one alert. */
const EXEC_CASES: string[] = [
  // literals and printing
  '{{ 1 }}|{{ 1.0 }}|{{ 1e6 }}|{{ 1000000 }}|{{ 0x1F }}|{{ 0o17 }}|{{ 0b101 }}|{{ 1_000 }}|{{ .5 }}|{{ -0 }}|{{ -0.0 }}|{{ 0x1p4 }}',
  "{{ 'a' }}|{{ '\\n' }}|{{ '\\u00e9' }}|{{ true }}|{{ false }}|{{ \"a\\tb\" }}|{{ `raw\\n` }}|{{ \"\\x41\\101\\u0042\" }}",
  '{{ 1e21 }}|{{ 123456789.0 }}|{{ 0.000001 }}|{{ 1e-7 }}|{{ 100000.0 }}|{{ 9007199254740993 }}|{{ -12 }}|{{ +5 }}',
  '{{ $value }}|{{ .Value }}|{{ $ }}|{{ .Labels }}|{{ $labels }}|{{ .ExternalLabels }}|{{ .ExternalURL }}',
  '{{ $labels.endpoint }}|{{ $labels.missing }}|{{ index $labels "endpoint" }}|{{ index $labels "nope" }}|{{ .Labels.endpoint }}',
  // variables, assignment, scoping
  '{{ $x := 1 }}{{ $x = 2 }}{{ $x }}|{{ $y := "a" }}{{ if true }}{{ $y = "b" }}{{ $z := 3 }}{{ end }}{{ $y }}',
  '{{ with $x := 5 }}{{ $x }}{{ . }}{{ end }}|{{ range $i, $v := $labels }}{{ $i }}={{ $v }};{{ end }}',
  '{{ $a := index $labels "endpoint" }}{{ $a | len }}|{{ len $labels }}|{{ len "héllo" }}|{{ len .Labels }}',
  // control structures
  '{{ if gt $value 0.5 }}big{{ else if gt $value 0.05 }}mid{{ else }}small{{ end }}',
  '{{ if and $labels.endpoint (not $labels.missing) }}yes{{ end }}|{{ if or $labels.missing "" 0 }}x{{ else }}none{{ end }}',
  '{{ with $labels.missing }}a{{ else }}b{{ end }}|{{ with $labels.endpoint }}[{{ . }}]{{ end }}',
  '{{ range $labels }}{{ . }},{{ end }}|{{ range $k, $v := .ExternalLabels }}x{{ else }}empty{{ end }}',
  '{{ range $i, $e := $labels }}{{ if eq $i "endpoint" }}{{ break }}{{ end }}{{ $i }};{{ end }}|{{ range $labels }}{{ continue }}x{{ end }}y',
  '{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" "a" }}{{ template "x" }}{{ template "x" $value }}',
  '{{ block "b" $labels.endpoint }}<{{ . }}>{{ end }}|{{ define "args" }}{{ .arg0 }} {{ .arg1 }} {{ .arg2 }}{{ end }}{{ template "args" (args 1 "2") }}',
  '{{- "trim" -}}  \n  {{- 1 }}  {{ 2 -}}  \n3{{/* comment */}}4{{- /* c2 */ -}}  5',
  '{{ (print "a" "b") | printf "%s!" }}|{{ "x" | printf "%s-%s" "y" }}|{{ $value | printf "%.3f" }}',
  // comparisons
  '{{ eq 1 1 }}{{ eq "a" "b" "a" }}{{ ne 1 2 }}{{ lt 1 2 }}{{ le 2 2 }}{{ gt "b" "a" }}{{ ge 1.5 2.5 }}{{ eq true true }}{{ eq nil nil }}{{ eq $labels.x nil }}',
  '{{ eq .Labels .Labels }}',
  '{{ lt true false }}',
  '{{ eq 1 1.0 }}',
  '{{ lt $labels 1 }}',
  // builtins
  '{{ print 1 2 "a" "b" 3 nil }}|{{ println 1 "a" }}|{{ print }}|{{ print "a" 1 "b" }}|{{ print 1.5 true }}',
  '{{ html "<a href=\'x\'>&\\"</a>" }}|{{ js "<a\'b\\"\\n é=&>" }}|{{ urlquery "a b&c/é?=+" }}|{{ html 1 "<" }}|{{ html nil }}',
  '{{ index "héllo" 1 }}|{{ slice "héllo" 1 3 }}|{{ slice "hello" 2 }}|{{ slice "hello" }}',
  '{{ index "abc" 5 }}',
  '{{ not 0 }}{{ not 1 }}{{ not "" }}{{ not nil }}{{ and 1 0 2 }}{{ or 0 "" 3 }}{{ and 1 2 }}{{ or 0 "" }}',
  // fmt
  '{{ printf "%5.1f|%-10s|%x|%X|%q|%e|%g|%08.3f|%+d|% d|%o|%b|%c|%U|%#U|%t" 3.14159 "ab" 255 "hi" "q\\"é\\n" 123456.789 0.0000123 -3.14159 5 5 8 5 65 65 233 true }}',
  '{{ printf "%d %s" }}|{{ printf "%d" 1 2 }}|{{ printf "%!" }}|{{ printf "%" }}|{{ printf "%z" 1 }}|{{ printf "%[2]d %[1]d" 1 2 }}|{{ printf "%[3]d" 1 }}',
  '{{ printf "%.2f" 1 }}|{{ printf "%-10s|" 5 }}|{{ printf "%5.1d" "x" }}|{{ printf "%s" 1.5 }}|{{ printf "%d" "s" }}|{{ printf "%t" 1 }}',
  '{{ printf "%v" 1e21 }}|{{ printf "%.3g" 1234567.0 }}|{{ printf "%.0f %.0f %.0f" 0.5 1.5 2.5 }}|{{ printf "%.2f" 1.005 }}|{{ printf "%6.2f|%-8.3e|%+.1e" 3.14159 1234.5678 -0.000123 }}',
  '{{ printf "%x %X %#x %x" 3.5 -1.0 255 "" }}|{{ printf "%b" 1.0 }}|{{ printf "%e" 0.0 }}|{{ printf "%g" 100000.0 }}|{{ printf "%G" 1e-7 }}|{{ printf "%.3x" 1.0 }}',
  '{{ printf "%s" .Labels }}|{{ printf "%d" .Labels }}|{{ printf "%q" .Labels }}|{{ printf "%v" $ }}|{{ printf "%+v" $ }}',
  '{{ printf "%T %T %T %T %T %T" 1 1.5 "s" $labels nil $ }}|{{ printf "%5t|%-7v|%07.2f|%+.3e|%x" true nil -1.5 12345.678 -255 }}',
  '{{ printf "%#v %#v %#v %#v" 1 "s" 1.5 $labels }}',
  '{{ printf "%08d|%-08d|%+08d|%.5d|%8.5d|%x|%#o|%O|%q|%#q|%#U" 42 42 42 42 42 -42 8 8 97 96 128512 }}',
  '{{ printf "%10.3s|%-10q|% x|%#X|% #x" "héllo" "a" "hi" "hi" "hi" }}',
  '{{ printf "%*d|%-*d|%.*f|%*.*f" 5 42 5 42 2 3.14159 8 3 3.14159 }}',
  '{{ printf "%p|%.2p|%08p|%#q|%+q|%O|%#.5x|% 06z" 1.5 "s" 0 255 233 (args 1 2) 1i 255 }}',
  '{{ printf "%g|%g|%g|%g|%g|%g" 0.0001 0.00001 123456.0 1234567.0 1e100 -0.0 }}',
  '{{ printf "%.1f|%.1f|%.1f|%.1f" 0.05 0.15 0.25 0.35 }}|{{ printf "%.10f" 0.1 }}|{{ printf "%.20f" 0.1 }}|{{ printf "%.3e" 1e-300 }}',
  '{{ printf "%f|%e|%g" 1e300 1e300 1e300 }}|{{ printf "%.0e" 15.0 }}|{{ printf "%#.0f|%#g|%#.3g|%#e" 1.0 1.0 1.0 1.0 }}',
  // functions
  '{{ $value | humanize }}|{{ $value | humanize1024 }}|{{ $value | humanizePercentage }}|{{ $value | humanizeDuration }}|{{ $value | humanizeTimestamp }}',
  '{{ 1234567 | humanize }}|{{ "1234" | humanize }}|{{ -1500.0 | humanize1024 }}|{{ 0.000123 | humanizeDuration }}|{{ -90061 | humanizeDuration }}|{{ 1 | humanizePercentage }}',
  '{{ humanize "one" }}',
  '{{ humanize (len $labels) }}|{{ toTime "1.5" }}|{{ humanize1024 "0x10p0" }}|{{ humanize "1_000" }}|{{ humanize "inf" }}|{{ humanize "-Infinity" }}|{{ humanize ".5e1" }}|{{ humanize "0x_1p4" }}|{{ humanize "1e-400" }}|{{ humanize "+.5" }}',
  '{{ printf "%v|%s" (toTime 1) (toTime 1) }}|{{ (toTime 1).UTC }}|{{ (toTime 1).Unix }}|{{ (toTime 90061.5).Weekday }}|{{ printf "%T" (toTime 1).Month }}|{{ (toTime 1).Sub (toTime 0) }}|{{ ((toTime 1).Add 1500000000).Format "15:04:05.000" }}',
  '{{ humanize (index "a" 0) }}',
  '{{ humanize " 1" }}',
  '{{ humanize (toTime 1) }}',
  '{{ humanize true }}',
  '{{ humanize "1e400" }}',
  '{{ "aa bb CC" | title }}|{{ "/api/vessels" | title }}|{{ "dont\'t foo.bar x_y a-b 1st ǆemal ßa héllo" | title }}|{{ "aA bB" | toUpper }}|{{ "ΣΑΣ İ ß ǅ" | toLower }}|{{ "ß ǆ ﬁ" | toUpper }}',
  '{{ match "^/api" $labels.endpoint }}|{{ match "a+" "b" }}|{{ match "(?i)API" $labels.endpoint }}|{{ match "^$" "" }}|{{ match "a.c" "a\\nc" }}|{{ match "(?s)a.c" "a\\nc" }}',
  '{{ reReplaceAll "/api/(.*)" "$1" $labels.endpoint }}|{{ reReplaceAll "a*" "x" "baaac" }}|{{ reReplaceAll "(?P<first>\\\\w+) (\\\\w+)" "${2}_$first$$" "hello world" }}|{{ reReplaceAll "b" "$1x" "abc" }}|{{ reReplaceAll "" "-" "abc" }}',
  '{{ reReplaceAll "[[:digit:]]+" "#" "a12b3" }}|{{ reReplaceAll "\\\\s+" "_" "a b\\tc" }}|{{ reReplaceAll "(a|ab)(c|bcd)(d*)" "[$1,$2,$3]" "abcd" }}|{{ reReplaceAll "\\\\Q.*\\\\E" "!" "a.*b" }}',
  // regular expressions (RE2 semantics: leftmost-first submatches, empty matches, flags, classes)
  '{{ reReplaceAll "(a|ab)(c|bcd)(d*)" "<$1|$2|$3>" "abcd" }}|{{ reReplaceAll "a*?" "-" "baaa" }}|{{ reReplaceAll "a+?" "-" "baaa" }}|{{ reReplaceAll "(a*)+" "<$1>" "b" }}',
  '{{ reReplaceAll "^" "#" "a\\nb" }}|{{ reReplaceAll "(?m)^" "#" "a\\nb\\n" }}|{{ reReplaceAll "(?m)$" "#" "a\\nb\\n" }}|{{ reReplaceAll "$" "#" "a\\nb\\n" }}|{{ reReplaceAll "\\\\b" "|" "ab cd-ef" }}|{{ reReplaceAll "\\\\B" "." "ab cd" }}',
  '{{ reReplaceAll "(?i)straße" "X" "STRASSE Straße STRAßE" }}|{{ reReplaceAll "(?i)k" "X" "kK\u212a" }}|{{ reReplaceAll "(?i)[a-c]+" "X" "xAbCd" }}|{{ reReplaceAll "a(?i)b(?-i)c" "X" "aBc aBC ABc" }}|{{ reReplaceAll "(?i:a)b" "X" "Ab AB" }}',
  '{{ reReplaceAll "[^a-c]" "." "abcdé\\n" }}|{{ reReplaceAll "[]a]" "." "a]b" }}|{{ reReplaceAll "[a-]" "." "a-b" }}|{{ reReplaceAll "[\\\\d\\\\s]" "." "a1 b" }}|{{ reReplaceAll "[^\\\\D]" "." "a1b2" }}|{{ reReplaceAll "[[:^alpha:]]" "." "a1-b" }}',
  '{{ reReplaceAll "\\\\pL+" "L" "héllo 123 wörld" }}|{{ reReplaceAll "\\\\p{Greek}" "G" "αβc" }}|{{ reReplaceAll "\\\\PN" "." "a1" }}|{{ reReplaceAll "[\\\\p{Lu}\\\\d]" "." "aB3" }}|{{ reReplaceAll "\\\\x41\\\\x{42}\\\\101" "X" "ABA" }}',
  '{{ reReplaceAll "a{2,3}" "X" "aaaaaaa" }}|{{ reReplaceAll "a{2,}?" "X" "aaaaa" }}|{{ reReplaceAll "(ab){2}" "X" "ababab" }}|{{ reReplaceAll "a{0}b" "X" "ab" }}|{{ reReplaceAll "x{" "X" "x{" }}|{{ reReplaceAll "a{,2}" "X" "a{,2}" }}',
  '{{ reReplaceAll "(?U)a+" "X" "aaa" }}|{{ reReplaceAll "(?U)a+?" "X" "aaa" }}|{{ reReplaceAll "(?s).+" "X" "a\\nb" }}|{{ reReplaceAll ".+" "X" "a\\nb" }}|{{ reReplaceAll "\\\\Aa|b\\\\z" "X" "aab" }}',
  '{{ reReplaceAll "(?P<y>\\\\d{4})-(?P<m>\\\\d\\\\d)" "${m}/${y} $3 $1x ${1}x $0 $$ $" "2024-05" }}|{{ reReplaceAll "(a)|b" "[$1]" "ab" }}|{{ reReplaceAll "é+" "E" "ééa" }}|{{ reReplaceAll "" "-" "héé" }}',
  '{{ match "(a+)+$" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" }}|{{ match "^(a|aa)*b$" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac" }}|{{ match "\\\\.com$" "x.com" }}|{{ match "^\\\\Qa.b\\\\E$" "a.b" }}',
  '{{ match "a**" "a" }}',
  '{{ match "*a" "a" }}',
  '{{ match "a{1001}" "a" }}',
  '{{ match "a{2,1}" "a" }}',
  '{{ match "[z-a]" "a" }}',
  '{{ match "(?P<n>a)(?P<n>b)" "ab" }}',
  '{{ match "(?<n>a)" "a" }}',
  '{{ match "(?=a)" "a" }}',
  '{{ match "\\\\1" "a" }}',
  '{{ match "a)" "a" }}',
  '{{ match "\\\\p{Foo}" "a" }}',
  '{{ match "[[:foo:]]" "a" }}',
  '{{ match "a\\\\" "a" }}',
  '{{ match "x*?*" "a" }}',
  '{{ reReplaceAll "(" "x" "y" }}',
  '{{ match "[a" "y" }}',
  '{{ graphLink "up{job=\\"x\\"}" }}|{{ tableLink "rate(x[5m])" }}',
  '{{ pathPrefix }}',
  '{{ externalURL }}',
  '{{ 1i }}|{{ 1+2i }}|{{ 0i }}|{{ -1.5-0.5i }}|{{ 2i | printf "%v %T %.2f %d" 3i }}|{{ eq 1i 1i }}|{{ if 0i }}t{{ else }}f{{ end }}|{{ printf "%T" 0i }}|{{ 1e3i }}|{{ printf "%T %v" 010i 1.5i }}',
  '{{ lt 1i 2i }}',
  '{{ "db-1.example.com:9100" | stripPort }}|{{ "db-1.example.com:9100" | stripDomain }}|{{ "[::1]:80" | stripPort }}|{{ "10.0.0.1:80" | stripDomain }}|{{ "a.b" | stripDomain }}|{{ "[fe80::1]:80" | stripDomain }}',
  '{{ parseDuration "1h30m" }}|{{ parseDuration "1y2w3d4h5m6s7ms" }}|{{ parseDuration "0" }}|{{ printf "%.2f" (parseDuration "90s") }}',
  '{{ parseDuration "1.5h" }}',
  '{{ parseDuration "-1h" }}',
  '{{ (1435065584.128 | toTime).Format "2006-01-02T15:04:05.000Z07:00 Mon Jan _2 3:4:5 PM MST .999 ,000" }}|{{ (0 | toTime).Unix }}|{{ (90061.5 | toTime).YearDay }}|{{ (1.5 | toTime) }}',
  '{{ (1435065584.128 | toTime).Format "January Monday 06 01 02 15 03 04 05 pm -0700 -07:00 Z0700 002 __2 _2006" }}|{{ (86400 | toTime).Format "002|__2|_2|2" }}|{{ (1435065584 | toTime).Weekday }} {{ (1435065584 | toTime).Month }}',
  '{{ 1435065584.128 | humanizeTimestamp }}|{{ -0.22222 | humanizeTimestamp }}|{{ 0.99999 | humanizeTimestamp }}|{{ "NaN" | humanizeTimestamp }}',
  '{{ with query "probe_value" }}{{ . | first | value | humanize }}{{ end }}|{{ query "1.5" | first | value }}|{{ query "metric{instance=\'a\'}" | first | label "instance" }}|{{ (query "metric{instance=\'a\'}" | first).Labels.instance }}',
  '{{ range query "metric" | sortByLabel "instance" }}{{ .Labels.instance }}:{{ .Value }}:{{ . | strvalue }}|{{ end }}|{{ len (query "metric") }}',
  '{{ query "missing" | first }}',
  '{{ query "1.5" | first }}',
  '{{ $x := query "metric" | sortByLabel "instance" | first }}{{ $x.Labels.foo }}|{{ $x.Value }}|{{ label "__name__" $x }}',
  '{{ safeHtml "<b>" }}|{{ "<b>" }}',
  // execution errors
  '{{ .Foo }}',
  '{{ .Labels.endpoint.x }}',
  '{{ $labels.endpoint 1 }}',
  '{{ template "nope" }}',
  '{{ index $labels 1 }}',
  '{{ index 1 1 }}',
  '{{ len 3 }}',
  '{{ range 5 }}x{{ end }}',
  '{{ printf 1 }}',
  '{{ reReplaceAll 1 "a" "b" }}',
  '{{ first "x" }}',
  '{{ label "a" "b" }}',
  '{{ humanize }}',
  '{{ title "a" "b" }}',
  '{{ 1 | humanize "x" }}',
  '{{ call 1 }}',
  '{{ .Value.X }}',
  '{{ $x := 1 }}{{ $x.Y }}',
  '{{ slice "abc" 2 1 }}',
  '{{ slice $labels 1 }}',
  '{{ with $v := 0 }}{{ else }}{{ $v }}{{ end }}',
  '{{ $value | toTime | printf "%v" }}',
  '{{ "NaN" | toTime }}',
  '\n\n  {{ "line3" }}\n{{ .Nope }}',
  '{{ "héllo" }} {{ .Nope }}',
  '{{ humanize "abcdefghijklmnopqrstuvwxyz0123456789" }}',
  '{{ if .Foo }}x{{ end }}',
  '{{ (query "metric").Labels }}',
];

/** Templates Go refuses to parse: `promtool check rules` prints each one's error. */
const PARSE_CASES: string[] = [
  '{{ foo }}',
  '{{ if }}',
  '{{ end }}',
  '{{ else }}',
  '{{ .Foo',
  '{{ if true }}x',
  '{{ if true }}x{{ else }}y{{ else }}z{{ end }}',
  '{{ $x }}',
  '{{ $x = 1 }}',
  '{{ range $a, $b, $c := . }}{{ end }}',
  '{{ with $a, $b := . }}{{ end }}',
  '{{ 1 | 2 }}',
  '{{ "x" | . }}',
  '{{ ( 1 }}',
  '{{ 1 ) }}',
  '{{ "unterminated }}',
  '{{ `raw }}',
  "{{ 'ab' }}",
  "{{ '' }}",
  '{{ "\\q" }}',
  '{{ 1e400 }}',
  '{{ 08 }}',
  '{{ 0x }}',
  '{{ 1a }}',
  '{{ a# }}',
  '{{ .x# }}',
  '{{ \u00a0 }}',
  '{{ : }}',
  '{{ break }}',
  '{{ range . }}{{ else }}{{ break }}{{ end }}',
  '{{ define "a" }}x{{ end }}{{ define "a" }}y{{ end }}',
  '{{ define "a" 1 }}{{ end }}',
  '{{ define a }}{{ end }}',
  '{{ template a }}',
  '{{ template "a" 1 | 2 }}',
  '{{ block "b" }}{{ end }}',
  '{{ /* c */ }}',
  '{{/* unclosed',
  '{{/* c */ x }}',
  '{{ .A.B. }}',
  '{{ 1.x }}',
  '{{ "s".x }}',
  '{{ nil.x }}',
  '{{ if true }}\n{{ .Foo\n\n',
  '{{ printf "%d" (1 }}',
  '{{ else if true }}',
  '{{ with 1 }}{{ else if 2 }}{{ end }}',
  '{{ $x := 1 }}{{ range $x }}{{ $y := 2 }}{{ end }}{{ $y }}',
  '{{ (1) (2) }}',
  '{{- 3 -}}\n\n{{ foo }}',
  '{{ 0x10i }}',
  '{{ 1 2 }}',
  '{{ "x" | 1 }}',
  '{{ 99999999999999999999 }}',
];

function yamlQuote(s: string): string {
  return JSON.stringify(s);
}

function ruleFile(templates: readonly string[]): string {
  const lines = ['groups:', '- name: g', '  rules:', '  - alert: V', '    expr: probe_value', '    annotations:'];
  templates.forEach((t, i) => lines.push(`      a${String(i).padStart(3, '0')}: ${yamlQuote(t)}`));
  return lines.join('\n') + '\n';
}

/** Runs promtool on EXEC_CASES; returns the expanded annotations by case index. */
function promtoolExpand(templates: readonly string[]): Map<number, string> {
  writeFileSync(join(dir, 'rules.yml'), ruleFile(templates));
  const series = SERIES.map((s) => `  - series: '${s.series}'\n    values: '${s.value}'`).join('\n');
  writeFileSync(
    join(dir, 'test.yml'),
    `rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n- interval: 1m\n  input_series:\n${series}\n  alert_rule_test:\n  - eval_time: 0m\n    alertname: V\n    exp_alerts: []\n`,
  );
  const r = spawnSync(PROMTOOL, ['test', 'rules', 'test.yml'], { cwd: dir, encoding: 'utf8' });
  const out = r.stdout + r.stderr;
  const m = /Annotations:\{(.*)\}\n/.exec(out);
  if (!m) throw new Error(`unexpected promtool output:\n${out}`);
  const result = new Map<number, string>();
  for (const [, key, val] of m[1]!.matchAll(/a(\d{3})="((?:[^"\\]|\\.)*)"/g)) {
    result.set(Number(key), unquote(`"${val}"`));
  }
  return result;
}

/** Runs `promtool check rules` on PARSE_CASES; returns each case's error. */
function promtoolParseErrors(templates: readonly string[]): Map<number, string> {
  writeFileSync(join(dir, 'bad.yml'), ruleFile(templates));
  const r = spawnSync(PROMTOOL, ['check', 'rules', 'bad.yml'], { cwd: dir, encoding: 'utf8' });
  const out = r.stdout + r.stderr;
  const result = new Map<number, string>();
  for (const [, key, msg] of out.matchAll(/annotation "a(\d{3})": (.*)/g)) result.set(Number(key), msg!);
  return result;
}

describe('differential: promtool 2.42 (alert templates)', () => {
  if (!hasPromtool) console.warn(`promtool differential tests SKIPPED: ${PROMTOOL} not found (set PROMTOOL_BIN).`);

  it.skipIf(!hasPromtool)('expands every template as promtool does', async () => {
    const expected = promtoolExpand(EXEC_CASES);
    const diffs: string[] = [];
    for (const [i, tpl] of EXEC_CASES.entries()) {
      const t = new AlertTemplate('V', tpl);
      const r = await t.expand({ labels: SERIES[0]!.labels, value: 0.0734 }, { query });
      if (r.text !== expected.get(i)) diffs.push(`${tpl}\n   promtool: ${expected.get(i)}\n   ours:     ${r.text}`);
    }
    expect(diffs, diffs.join('\n')).toEqual([]);
  });

  it.skipIf(!hasPromtool)("rejects every malformed template with promtool's message", () => {
    const expected = promtoolParseErrors(PARSE_CASES);
    const diffs: string[] = [];
    for (const [i, tpl] of PARSE_CASES.entries()) {
      const err = new AlertTemplate('V', tpl).parseError?.message;
      if (err !== expected.get(i))
        diffs.push(`${JSON.stringify(tpl)}\n   promtool: ${expected.get(i)}\n   ours:     ${err}`);
    }
    expect(diffs, diffs.join('\n')).toEqual([]);
  });
});

/** Notification data for amtool (JSON) and for us. */
const AM_DATA = {
  receiver: 'hook',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'DiskFull', cluster: 'c1', severity: 'warning', instance: 'a:9100' },
      annotations: { summary: 'disk a' },
      startsAt: '2023-01-02T03:04:05.678Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prom/graph',
      fingerprint: 'f1',
    },
    {
      status: 'resolved',
      labels: { alertname: 'DiskFull', cluster: 'c1', severity: 'warning', instance: 'b:9100' },
      annotations: { summary: 'disk b' },
      startsAt: '2023-01-02T03:04:05Z',
      endsAt: '2023-01-02T04:00:00Z',
      generatorURL: 'http://prom/graph',
      fingerprint: 'f2',
    },
  ],
  groupLabels: { alertname: 'DiskFull', cluster: 'c1' },
  commonLabels: { alertname: 'DiskFull', cluster: 'c1', severity: 'warning' },
  commonAnnotations: {},
  externalURL: 'http://127.0.0.1:19093',
};

function amData(): AmData {
  const alerts = new Alerts();
  for (const a of AM_DATA.alerts) {
    const time = (s: string) => (s.startsWith('0001') ? GoTime.zero() : GoTime.fromUnixMs(Date.parse(s)));
    alerts.push(
      new AmAlert(
        a.status,
        KV.of(a.labels),
        KV.of(a.annotations),
        time(a.startsAt),
        time(a.endsAt),
        a.generatorURL,
        a.fingerprint,
      ),
    );
  }
  return new AmData(
    AM_DATA.receiver,
    AM_DATA.status,
    alerts,
    KV.of(AM_DATA.groupLabels),
    KV.of(AM_DATA.commonLabels),
    KV.of(AM_DATA.commonAnnotations),
    AM_DATA.externalURL,
  );
}

const AM_CASES: string[] = [
  '{{ "aa bb CC foo.bar don\'t x_y a-b 1st ǆemal ßa hello:world a..b x1y éCOLE o\'neil 3d a,b (x) 中文a σΣ ΣΑΣ" | title }}',
  '{{ "ΣΑΣ İ ß ǅ" | toLower }}|{{ "ß ǆ ŉ ﬁ abc" | toUpper }}',
  '{{ stringSlice "a" "b" | join "," }}|{{ stringSlice }}|{{ join "-" (stringSlice "x") }}',
  '{{ .CommonLabels.SortedPairs }}|{{ .CommonLabels.Names }}|{{ .CommonLabels.Values }}|{{ .GroupLabels.SortedPairs.Values | join " " }}',
  '{{ (.CommonLabels.Remove .GroupLabels.Names).Values }}|{{ .CommonLabels.Remove (stringSlice "severity") }}',
  '{{ .Alerts.Firing | len }}|{{ .Alerts.Resolved | len }}|{{ range .Alerts.Firing }}{{ .Labels.instance }}{{ end }}|{{ len .Alerts }}',
  '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.SortedPairs.Values | join " " }} {{ if gt (len .CommonLabels) (len .GroupLabels) }}({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }}){{ end }}',
  '{{ range .Alerts }}{{ .StartsAt }}|{{ .EndsAt }}|{{ .StartsAt.Format "2006-01-02" }}|{{ .EndsAt.IsZero }}|{{ .Fingerprint }};{{ end }}',
  '{{ range .Alerts }}{{ .EndsAt.Sub .StartsAt }}|{{ .StartsAt.Unix }};{{ end }}',
  '{{ .Receiver }}|{{ .ExternalURL }}|{{ .CommonAnnotations.summary }}|{{ .CommonLabels.nope }}|{{ index .CommonLabels "cluster" }}',
  '{{ range .Alerts }}{{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }};{{ end }}',
  '{{ match "^Disk" .CommonLabels.alertname }}|{{ reReplaceAll "(\\\\w+):(\\\\d+)" "$2/$1" "host:80" }}|{{ safeHtml "<b>" }}',
  '{{ printf "%v" .GroupLabels }}|{{ printf "%v" (index .Alerts 0).Labels.SortedPairs }}',
  '{{ .Alerts.Firing.Firing }}',
  '{{ humanize 1 }}',
  '{{ join "," "a" }}',
  '{{ reReplaceAll "(" "" "" }}',
];

function amtoolRender(template: string): string {
  writeFileSync(join(dir, 'empty.tmpl'), '');
  writeFileSync(join(dir, 'data.json'), JSON.stringify(AM_DATA));
  const r = spawnSync(
    AMTOOL,
    [
      'template',
      'render',
      `--template.glob=${join(dir, 'empty.tmpl')}`,
      `--template.data=${join(dir, 'data.json')}`,
      `--template.text=${template}`,
    ],
    { encoding: 'utf8' },
  );
  if (r.status === 0) return r.stdout;
  return r.stderr.replace(/^amtool: error: /, 'ERROR: ').replace(/\n+$/, '');
}

describe('differential: amtool 0.25 (notification templates)', () => {
  if (!hasAmtool) console.warn(`amtool differential tests SKIPPED: ${AMTOOL} not found (set AMTOOL_BIN).`);

  it.skipIf(!hasAmtool)('renders every template as amtool does', () => {
    const t = new AlertmanagerTemplates();
    const data = amData();
    const diffs: string[] = [];
    for (const tpl of AM_CASES) {
      const expected = amtoolRender(tpl);
      const r = t.executeText(tpl, data);
      // amtool passes template.Data by value; notifiers (and we) pass *template.Data.
      const ours = r.ok ? r.text : `ERROR: ${r.error.message.replaceAll('*template.Data', 'template.Data')}`;
      if (ours !== expected) diffs.push(`${tpl}\n   amtool: ${expected}\n   ours:   ${ours}`);
    }
    expect(diffs, diffs.join('\n')).toEqual([]);
  });
});
