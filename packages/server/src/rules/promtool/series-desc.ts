/**
 * The series descriptions of promtool's `input_series` (Prometheus's load command):
 * `metric{label="value"} 1 2 _ stale 1+2x10 _x3 -1-1x2 Inf NaN`, lexed and parsed as Prometheus
 * 2.42's series-description mode does, with its error messages and columns.
 *
 * `a+bxn` and `a-bxn` expand to n+1 values starting at a; `axn` repeats a n+1 times; `_` is a
 * missing value and `_xn` n missing values; `stale` is a staleness marker.
 */
import { parseGoFloat } from '../../lib/parse-float.js';

/** One value of a series: a number, a staleness marker, or nothing at that step. */
export type SeriesValue = { kind: 'value'; v: number } | { kind: 'stale' } | { kind: 'omitted' };

export interface SeriesDescription {
  /** Label pairs in the order written (`__name__` first when a metric name is given). */
  readonly labels: readonly (readonly [string, string])[];
  readonly values: readonly SeriesValue[];
}

/** A parse error as Prometheus prints it: `1:18: parse error: <message>`. */
export class SeriesParseError extends Error {
  readonly code = 'WK_RULES_SERIES_PARSE';
  constructor(
    readonly column: number,
    readonly detail: string,
  ) {
    super(`1:${column}: parse error: ${detail}`);
  }
}

type TokenType = 'SPACE' | 'ADD' | 'SUB' | 'TIMES' | 'BLANK' | 'NUMBER' | 'IDENT' | 'KEYWORD' | 'ERROR' | 'EOF';

interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly pos: number;
}

const KEYWORDS: Readonly<Record<string, string>> = {
  and: 'op',
  or: 'op',
  unless: 'op',
  atan2: 'op',
  sum: 'aggr',
  avg: 'aggr',
  count: 'aggr',
  min: 'aggr',
  max: 'aggr',
  group: 'aggr',
  stddev: 'aggr',
  stdvar: 'aggr',
  topk: 'aggr',
  bottomk: 'aggr',
  count_values: 'aggr',
  quantile: 'aggr',
  offset: 'kw',
  by: 'kw',
  without: 'kw',
  on: 'kw',
  ignoring: 'kw',
  group_left: 'kw',
  group_right: 'kw',
  bool: 'kw',
  start: 'kw',
  end: 'kw',
};

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && (c === '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlphaNumeric = (c: string | undefined): boolean => isAlpha(c) || isDigit(c);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** Go's %q for one rune, as the lexer's messages print it. */
function quoteRune(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '\\') return "'\\\\'";
  if (c === '\t') return "'\\t'";
  if (c === '\n') return "'\\n'";
  return `'${c}'`;
}

/** The value-sequence lexer, from `start` (just after the metric) to the end of the line. */
function lexValues(line: string, start: number): Token[] {
  const out: Token[] = [];
  let i = start;
  while (i < line.length) {
    const c = line[i]!;
    const pos = i;
    if (isSpace(c)) {
      while (isSpace(line[i])) i++;
      out.push({ type: 'SPACE', text: ' ', pos });
    } else if (c === '+') {
      out.push({ type: 'ADD', text: '+', pos });
      i++;
    } else if (c === '-') {
      out.push({ type: 'SUB', text: '-', pos });
      i++;
    } else if (c === 'x') {
      out.push({ type: 'TIMES', text: 'x', pos });
      i++;
    } else if (c === '_') {
      out.push({ type: 'BLANK', text: '_', pos });
      i++;
    } else if (isDigit(c) || (c === '.' && isDigit(line[i + 1]))) {
      let j = i;
      while (isDigit(line[j])) j++;
      if (line[j] === '.') {
        j++;
        while (isDigit(line[j])) j++;
      }
      if (line[j] === 'e' || line[j] === 'E') {
        j++;
        if (line[j] === '+' || line[j] === '-') j++;
        while (isDigit(line[j])) j++;
      }
      const next = line[j];
      if (next !== 'x' && isAlphaNumeric(next)) {
        out.push({ type: 'ERROR', text: `bad number syntax: "${line.slice(i, j)}"`, pos });
        return out;
      }
      out.push({ type: 'NUMBER', text: line.slice(i, j), pos });
      i = j;
    } else if (isAlpha(c)) {
      let j = i;
      while (isAlphaNumeric(line[j]) || line[j] === ':') j++;
      const word = line.slice(i, j);
      const lower = word.toLowerCase();
      if (lower === 'inf' || lower === 'nan') out.push({ type: 'NUMBER', text: word, pos });
      else if (KEYWORDS[lower] !== undefined) out.push({ type: 'KEYWORD', text: word, pos });
      else out.push({ type: 'IDENT', text: word, pos });
      i = j;
    } else {
      out.push({ type: 'ERROR', text: `unexpected character in series sequence: ${quoteRune(c)}`, pos });
      return out;
    }
  }
  out.push({ type: 'EOF', text: '', pos: line.length });
  return out;
}

/** Prometheus's Item.desc() for the tokens of a value sequence. */
function describe(t: Token): string {
  switch (t.type) {
    case 'EOF':
      return 'end of input';
    case 'IDENT':
      return `identifier "${t.text}"`;
    case 'NUMBER':
      return `number "${t.text}"`;
    case 'SPACE':
      return '" "';
    case 'ADD':
      return '<op:+>';
    case 'SUB':
      return '<op:->';
    case 'KEYWORD': {
      const k = KEYWORDS[t.text.toLowerCase()];
      return k === 'aggr' ? `<aggr:${t.text}>` : k === 'op' ? `<op:${t.text}>` : `<${t.text}>`;
    }
    default:
      return `"${t.text}"`;
  }
}

function parseNumber(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'inf') return Infinity;
  if (lower === 'nan') return NaN;
  return parseGoFloat(text) ?? NaN;
}

/** Parses the metric part: `name`, `name{l="v", ...}` or `{l="v"}`; returns the labels and where values start. */
function parseMetric(line: string): { labels: [string, string][]; end: number } {
  const labels: [string, string][] = [];
  let i = 0;
  const ident = (): string => {
    const s = i;
    while (isAlphaNumeric(line[i]) || line[i] === ':') i++;
    return line.slice(s, i);
  };
  if (isAlpha(line[i]) || line[i] === ':') labels.push(['__name__', ident()]);
  if (line[i] !== '{') {
    if (labels.length === 0) {
      const c = line[i];
      throw new SeriesParseError(
        i + 1,
        c === undefined ? 'unexpected end of input' : `unexpected character: ${quoteRune(c)}`,
      );
    }
    return { labels, end: i };
  }
  i++;
  for (;;) {
    while (isSpace(line[i])) i++;
    const c = line[i];
    if (c === '}') {
      i++;
      break;
    }
    if (c === undefined) throw new SeriesParseError(i + 1, 'unexpected end of input inside braces');
    if (!isAlpha(c)) throw new SeriesParseError(i + 1, `unexpected character inside braces: ${quoteRune(c)}`);
    const name = ident();
    while (isSpace(line[i])) i++;
    if (line[i] !== '=') {
      throw new SeriesParseError(
        i + 1,
        line[i] === undefined
          ? 'unexpected end of input inside braces'
          : `unexpected character inside braces: ${quoteRune(line[i]!)}`,
      );
    }
    i++;
    while (isSpace(line[i])) i++;
    const q = line[i];
    if (q !== '"' && q !== "'" && q !== '`') {
      throw new SeriesParseError(
        i + 1,
        q === undefined
          ? 'unexpected end of input inside braces'
          : `unexpected character inside braces: ${quoteRune(q)}`,
      );
    }
    const startQuote = i;
    i++;
    let value = '';
    for (;;) {
      const ch = line[i];
      if (ch === undefined) throw new SeriesParseError(startQuote + 1, 'unterminated quoted string');
      i++;
      if (ch === q) break;
      if (ch === '\\' && q !== '`') {
        const e = line[i++];
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
        value += e !== undefined && map[e] !== undefined ? map[e] : `\\${e ?? ''}`;
        continue;
      }
      value += ch;
    }
    labels.push([name, value]);
    while (isSpace(line[i])) i++;
    if (line[i] === ',') i++;
  }
  return { labels, end: i };
}

/** Go's parser.ParseMetric: `name{l="v", ...}` or `{...}`, nothing after it. */
export function parseMetricText(text: string): [string, string][] {
  const { labels, end } = parseMetric(text);
  let i = end;
  while (isSpace(text[i])) i++;
  if (i < text.length) throw new SeriesParseError(i + 1, `unexpected character: ${quoteRune(text[i]!)}`);
  return labels;
}

/** Parses one series description line (already trimmed, as Prometheus's test loader trims it). */
export function parseSeriesDescription(line: string): SeriesDescription {
  const { labels, end } = parseMetric(line);
  const toks = lexValues(line, end);
  const values: SeriesValue[] = [];
  let p = 0;
  const peek = (): Token => toks[p]!;
  const fail = (t: Token, inItem: boolean, expected?: string): never => {
    if (t.type === 'ERROR') throw new SeriesParseError(t.pos + 1, t.text);
    const context = inItem ? ' in series values' : '';
    throw new SeriesParseError(
      t.pos + 1,
      `unexpected ${describe(t)}${context}${expected ? `, expected ${expected}` : ''}`,
    );
  };
  const number = (): number => {
    const t = peek();
    if (t.type !== 'NUMBER') fail(t, true);
    p++;
    return parseNumber(t.text);
  };
  const signed = (): number => {
    const t = peek();
    p++;
    return t.type === 'SUB' ? -number() : number();
  };
  const repetitions = (): number => {
    const t = peek();
    if (t.type !== 'NUMBER') fail(t, true);
    p++;
    if (!/^[0-9]+$/.test(t.text)) {
      throw new SeriesParseError(
        t.pos + 1,
        `invalid repetition in series values: strconv.ParseUint: parsing "${t.text}": invalid syntax`,
      );
    }
    return Number(t.text);
  };

  for (;;) {
    const sep = peek();
    if (sep.type === 'EOF') break;
    if (sep.type === 'ERROR') fail(sep, false);
    if (sep.type !== 'SPACE') fail(sep, false);
    p++;
    const t = peek();
    if (t.type === 'EOF') break;
    if (t.type === 'SPACE') continue;
    if (t.type === 'BLANK') {
      p++;
      if (peek().type === 'TIMES') {
        p++;
        const n = repetitions();
        for (let k = 0; k < n; k++) values.push({ kind: 'omitted' });
      } else values.push({ kind: 'omitted' });
      continue;
    }
    let start: SeriesValue;
    if (t.type === 'IDENT') {
      if (t.text !== 'stale') fail(t, true, 'number or "stale"');
      p++;
      start = { kind: 'stale' };
    } else if (t.type === 'NUMBER') {
      start = { kind: 'value', v: number() };
    } else if (t.type === 'ADD' || t.type === 'SUB') {
      start = { kind: 'value', v: signed() };
    } else {
      fail(t, false);
      continue;
    }
    const next = peek();
    if (next.type === 'TIMES') {
      p++;
      const n = repetitions();
      for (let k = 0; k <= n; k++) values.push(start);
    } else if (next.type === 'ADD' || next.type === 'SUB') {
      const step = signed();
      if (peek().type !== 'TIMES') fail(peek(), true);
      p++;
      const n = repetitions();
      let v = start.kind === 'value' ? start.v : NaN;
      for (let k = 0; k <= n; k++) {
        values.push(k === 0 && start.kind === 'stale' ? start : { kind: 'value', v });
        v += step;
      }
    } else {
      values.push(start);
      if (next.type !== 'SPACE' && next.type !== 'EOF') fail(next, true);
    }
  }
  return { labels, values };
}
