import { describe, expect, it } from 'vitest';
import { formatGoDuration, formatModelDuration, formatRfc3339, goQuote, parseModelDuration } from './go-format.js';
import { parseRuleText } from './rule-file.js';

interface ProblemCase {
  name: string;
  text: string;
  problems: string[];
}

// Messages and positions as promtool check rules 2.42 prints them (without the file prefix).
const PROBLEMS: ProblemCase[] = [
  {
    name: 'a bad expression, at the expression',
    text: 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(up\n',
    problems: ['5:15: group "g", rule 1, "A": could not parse expression: 1:7: parse error: unclosed left parenthesis'],
  },
  {
    name: 'a missing expr has no position',
    text: 'groups:\n  - name: g\n    rules:\n      - record: r\n',
    problems: [`0:0: group "g", rule 1, "r": field 'expr' must be set in rule`],
  },
  {
    name: 'type errors are collected over the file',
    text: 'groups:\n  - name: g\n    limit: x\n    rules:\n      - alert: A\n        expr: up\n        labels: 3\n        nope: 1\n',
    problems: [
      'yaml: unmarshal errors:\n  line 3: cannot unmarshal !!str `x` into int\n  line 7: cannot unmarshal !!int `3` into map[string]string\n  line 8: field nope not found in type rulefmt.RuleNode',
    ],
  },
  {
    name: 'a bad duration stops decoding',
    text: 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: 1h30\n',
    problems: ['not a valid duration string: "1h30"'],
  },
  {
    name: 'label templates are parsed for alerts only',
    text: "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        labels: {x: '{{ .'}\n      - record: r\n        expr: up\n        labels: {x: '{{ .'}\n",
    problems: ['group "g", rule 1, "A": label "x": template: __alert_A:1: illegal number syntax: "."'],
  },
];

describe('rule files', () => {
  it.each(PROBLEMS)('$name', ({ text, problems }) => {
    const r = parseRuleText(text);
    expect(r.ok ? [] : r.problems).toEqual(problems);
  });

  it('reads groups with interval, limit, query_offset and every rule field', () => {
    const r = parseRuleText(`
groups:
  - name: g
    interval: 30s
    limit: 10
    query_offset: 1m
    rules:
      - alert: A
        expr: up == 0
        for: 5m
        keep_firing_for: 1h
        labels: {b: "2", a: "1"}
        annotations: {summary: s}
      - record: job:up:sum
        expr: sum by (job) (up)
`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [g] = r.groups;
    expect(g).toMatchObject({ name: 'g', intervalMs: 30_000, limit: 10, queryOffsetMs: 60_000 });
    expect(g!.rules[0]).toMatchObject({
      alert: 'A',
      record: '',
      expr: 'up == 0',
      forMs: 300_000,
      keepFiringForMs: 3_600_000,
      labels: [
        ['b', '2'],
        ['a', '1'],
      ],
      annotations: [['summary', 's']],
    });
    expect(g!.rules[1]).toMatchObject({ record: 'job:up:sum', alert: '' });
  });

  it('accepts an empty file and a file without groups', () => {
    expect(parseRuleText('')).toEqual({ ok: true, groups: [] });
    expect(parseRuleText('# nothing\n')).toEqual({ ok: true, groups: [] });
    expect(parseRuleText('groups:\n')).toEqual({ ok: true, groups: [] });
  });
});

describe('Go formatting', () => {
  it.each([
    [0, '0s', '0s'],
    [500, '500ms', '500ms'],
    [60_000, '1m', '1m0s'],
    [90_500, '1m30s500ms', '1m30.5s'],
    [86_400_000, '1d', '24h0m0s'],
    [7 * 86_400_000, '1w', '168h0m0s'],
    [8 * 86_400_000, '8d', '192h0m0s'],
  ])('%d ms is %s (model) and %s (time)', (ms, model, time) => {
    expect(formatModelDuration(ms)).toBe(model);
    expect(formatGoDuration(ms)).toBe(time);
  });

  it('parses durations as prometheus/common does', () => {
    expect(parseModelDuration('1h30m')).toEqual({ ms: 5_400_000 });
    expect(parseModelDuration('0')).toEqual({ ms: 0 });
    expect(parseModelDuration('')).toEqual({ error: 'empty duration string' });
    expect(parseModelDuration('30m1h')).toEqual({ error: 'not a valid duration string: "30m1h"' });
  });

  it("quotes as Go's %q and prints times as Go's JSON", () => {
    expect(goQuote('a"b\\c\n\u00e9\u0007')).toBe('"a\\"b\\\\c\\né\\a"');
    expect(formatRfc3339(Date.UTC(2026, 0, 5, 8, 0, 0))).toBe('2026-01-05T08:00:00Z');
    expect(formatRfc3339(Date.UTC(2026, 0, 5, 8, 0, 0, 120))).toBe('2026-01-05T08:00:00.12Z');
  });
});
