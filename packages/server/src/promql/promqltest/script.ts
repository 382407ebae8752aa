/**
 * Parser for Prometheus's PromQL `.test` script language (specification: the conformance suite's
 * DSL.md). A script is parsed completely before anything runs; any error fails the whole file.
 * Semantics follow the 3.x/main reference runner, including its quirks (e.g. `_xK` is K positions
 * while `axK` is K+1, expected-series positions count `expect range vector` lines).
 */
import { Labels, METRIC_NAME } from '../../lib/labels.js';
import type { Expr } from '../ast.js';
import type { FloatHistogram } from '../value.js';

/** One position of a value sequence. */
export type SeqValue =
  | { kind: 'omitted' }
  | { kind: 'float'; value: number }
  | { kind: 'stale' }
  | { kind: 'histogram'; h: FloatHistogram; hintSet: boolean };

const OMITTED: SeqValue = { kind: 'omitted' };
const STALE: SeqValue = { kind: 'stale' };

export interface LoadSeries {
  labels: Labels;
  values: SeqValue[];
  /** Per position: start-timestamp offset in ms from the sample's time (`@st` lines), `undefined` = none. */
  startOffsetsMs?: (number | undefined)[];
  /** 1-based line of the series definition. */
  line: number;
}

export interface LoadCmd {
  kind: 'load';
  line: number;
  intervalMs: number;
  withNHCB: boolean;
  series: LoadSeries[];
}

export interface ClearCmd {
  kind: 'clear';
  line: number;
}

export type ExpectType = 'ordered' | 'fail' | 'warn' | 'no_warn' | 'info' | 'no_info';
export const EXPECT_TYPES: readonly ExpectType[] = ['ordered', 'fail', 'warn', 'no_warn', 'info', 'no_info'];

/** An `expect <type> [msg|regex: <text>]` line. Without a suffix it matches anything. */
export interface ExpectLine {
  match: 'msg' | 'regex' | 'any';
  text: string;
  regex?: RegExp;
}

export interface ExpectedSeries {
  labels: Labels;
  values: SeqValue[];
  /** 1-based position among the body lines (for ordered results). */
  pos: number;
}

export interface EvalCmd {
  kind: 'eval';
  /** 1-based line of the `eval` header. */
  line: number;
  expr: string;
  /** The parsed expression, when the script was parsed with a PromQL parser. */
  parsed: Expr | undefined;
  isRange: boolean;
  /** For range evals (and `expect range vector`): the time range. For plain instant evals: start = eval time, end = step = 0. */
  startMs: number;
  endMs: number;
  stepMs: number;
  /** Instant evaluation time. */
  evalMs: number;
  /** Legacy header variants `eval_fail`, `eval_warn`, `eval_info`, `eval_ordered`. */
  legacy: { fail: boolean; warn: boolean; info: boolean; ordered: boolean };
  expectedFailMessage?: string;
  expectedFailRegexp?: RegExp;
  expects: Record<ExpectType, ExpectLine[]>;
  /** A bare number line was given: the result must be a scalar. */
  expectScalar: boolean;
  scalar?: SeqValue;
  /** Keyed by `Labels.key`; a later line with the same labels replaces an earlier one. */
  expected: Map<string, ExpectedSeries>;
  expectedString?: string;
  expectRangeVector: boolean;
  /** `expect range vector` / `expect string`: no range-mode cross-check. */
  excludeFromRangeQuery: boolean;
}

export type Command = LoadCmd | ClearCmd | EvalCmd;

export interface Script {
  commands: Command[];
}

export class ScriptParseError extends Error {
  constructor(
    /** 1-based line. */
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = 'ScriptParseError';
  }
}

export interface ParseScriptOptions {
  /** Parses (and so validates) each eval expression; its error fails the file. */
  parseExpr?: (expr: string) => Expr;
}

export function isOrdered(cmd: EvalCmd): boolean {
  return cmd.legacy.ordered || cmd.expects.ordered.length > 0;
}

export function isFail(cmd: EvalCmd): boolean {
  return cmd.legacy.fail || cmd.expects.fail.length > 0;
}

export function expectMatches(e: ExpectLine, s: string): boolean {
  switch (e.match) {
    case 'any':
      return true;
    case 'msg':
      return e.text === s;
    case 'regex':
      return e.regex!.test(s);
  }
}

// ---------------------------------------------------------------------------------------------
// Durations and numbers

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Prometheus duration syntax (`1h30m`, `10s53ms`, a bare `0`), in ms. Throws on bad input. */
export function parseDuration(s: string): number {
  if (s === '') throw new Error('empty duration string');
  if (s === '0') return 0;
  const m = DURATION_RE.exec(s);
  if (!m) throw new Error(`not a valid duration string: "${s}"`);
  let ms = 0;
  for (let i = 0; i < DURATION_UNIT_MS.length; i++) {
    const g = m[i + 1];
    if (g !== undefined) ms += Number(g) * DURATION_UNIT_MS[i]!;
  }
  return ms;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const GO_INT_RE = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const GO_FLOAT_RE = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)$/;
const GO_INF_RE = /^([+-]?)inf(?:inity)?$/i;

/**
 * Go's `strconv.ParseInt(s, 0, 64)` then `strconv.ParseFloat(s, 64)`, as Prometheus parses
 * numbers in series values and expected scalars (so `010` is octal 8, `1e400` is an error).
 */
export function parseGoNumber(s: string): number | undefined {
  const im = GO_INT_RE.exec(s);
  if (im) {
    const digits = im[2]!;
    const lit = /^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits;
    let n = BigInt(lit);
    if (im[1] === '-') n = -n;
    if (n >= INT64_MIN && n <= INT64_MAX) return Number(n);
  }
  return parseGoFloat(s);
}

/** Go's `strconv.ParseFloat(s, 64)` (decimal, `Inf`/`Infinity`, `NaN`); `undefined` when invalid. */
export function parseGoFloat(s: string): number | undefined {
  if (GO_FLOAT_RE.test(s)) {
    const f = Number(s);
    return Number.isFinite(f) ? f : undefined; // Go reports out-of-range literals as errors
  }
  const inf = GO_INF_RE.exec(s);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// String literals

/** Go-style unquoting of a "…", '…' or `…` literal (the whole input). Throws on bad input. */
export function unquoteString(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || lit[lit.length - 1] !== q || (q !== '"' && q !== "'" && q !== '`')) {
    throw new Error(`invalid quoted string ${lit}`);
  }
  const body = lit.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new Error(`invalid quoted string ${lit}`);
    return body;
  }
  if (!body.includes('\\')) {
    if (body.includes(q)) throw new Error(`invalid quoted string ${lit}`);
    return body;
  }
  const bytes: number[] = [];
  const enc = new TextEncoder();
  const pushChar = (s: string): void => {
    for (const b of enc.encode(s)) bytes.push(b);
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === q) throw new Error(`invalid quoted string ${lit}`);
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      pushChar(ch);
      i += ch.length - 1;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, "'": 39, '"': 34 };
    if (e === undefined) throw new Error(`invalid escape in ${lit}`);
    if (simple[e] !== undefined) {
      bytes.push(simple[e]);
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw new Error(`invalid escape in ${lit}`);
      const v = parseInt(hex, 16);
      if (e === 'x') bytes.push(v);
      else if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new Error(`invalid escape in ${lit}`);
      else pushChar(String.fromCodePoint(v));
      i += n;
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) throw new Error(`invalid escape in ${lit}`);
      bytes.push(parseInt(oct, 8));
      i += 2;
    } else {
      throw new Error(`invalid escape \\${e} in ${lit}`);
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

// ---------------------------------------------------------------------------------------------
// Series descriptions: `<labels> <value sequence>`

const IDENT_START = /[a-zA-Z_:]/;
const IDENT_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function isWs(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** Reads a quoted string starting at `s[i]`; returns the value and the index after it. */
function readQuoted(s: string, i: number): [string, number] {
  const q = s[i]!;
  let j = i + 1;
  while (j < s.length && s[j] !== q) {
    if (s[j] === '\\' && q !== '`') j++;
    j++;
  }
  if (j >= s.length) throw new Error(`unterminated quoted string`);
  return [unquoteString(s.slice(i, j + 1)), j + 1];
}

/** Parses the label part of a series description; returns the labels and the index after it. */
export function parseSeriesLabels(s: string): [Labels, number] {
  let i = 0;
  const pairs: [string, string][] = [];
  if (i < s.length && IDENT_START.test(s[i]!)) {
    let j = i + 1;
    while (j < s.length && IDENT_CHAR.test(s[j]!)) j++;
    pairs.push([METRIC_NAME, s.slice(i, j)]);
    i = j;
  }
  const braces = s[i] === '{';
  if (braces) {
    i++;
    for (;;) {
      while (isWs(s[i])) i++;
      if (s[i] === '}') {
        i++;
        break;
      }
      let name: string;
      let quotedName = false;
      const c = s[i];
      if (c === '"' || c === "'" || c === '`') {
        [name, i] = readQuoted(s, i);
        quotedName = true;
      } else {
        let j = i;
        while (j < s.length && /[a-zA-Z0-9_]/.test(s[j]!)) j++;
        name = s.slice(i, j);
        if (!LABEL_NAME_RE.test(name))
          throw new Error(`unexpected character in label set: ${JSON.stringify(s[i] ?? 'end')}`);
        i = j;
      }
      while (isWs(s[i])) i++;
      if (s[i] === '=' && s[i + 1] !== '~') {
        i++;
        while (isWs(s[i])) i++;
        const vq = s[i];
        if (vq !== '"' && vq !== "'" && vq !== '`') throw new Error(`expected a quoted label value for ${name}`);
        let value: string;
        [value, i] = readQuoted(s, i);
        pairs.push([name, value]);
      } else if (quotedName && (s[i] === ',' || s[i] === '}')) {
        pairs.push([METRIC_NAME, name]);
      } else {
        throw new Error(`unexpected ${JSON.stringify(s[i] ?? 'end of input')} in label set (only "=" is allowed)`);
      }
      while (isWs(s[i])) i++;
      if (s[i] === ',') i++;
      else if (s[i] !== '}') throw new Error(`unexpected ${JSON.stringify(s[i] ?? 'end of input')} in label set`);
    }
  }
  if (pairs.length === 0 && !braces) throw new Error(`expected a metric name or label set, got ${JSON.stringify(s)}`);
  const seen = new Set<string>();
  for (const [n] of pairs) {
    if (seen.has(n)) throw new Error(`duplicate label name ${JSON.stringify(n)}`);
    seen.add(n);
  }
  return [Labels.from(pairs), i];
}

type Tok =
  | { t: 'num'; text: string }
  | { t: 'ident'; text: string }
  | { t: 'hist'; text: string }
  | { t: '+' | '-' | 'x' | '_' };

/** Splits a value sequence into items (separated by spaces/tabs), each a list of tokens. */
function tokenizeValues(s: string): Tok[][] {
  const items: Tok[][] = [];
  let cur: Tok[] = [];
  let i = 0;
  const flush = (): void => {
    if (cur.length > 0) items.push(cur);
    cur = [];
  };
  while (i < s.length) {
    const c = s[i]!;
    if (isWs(c)) {
      flush();
      i++;
    } else if (c === '{' && s[i + 1] === '{') {
      const end = s.indexOf('}}', i + 2);
      if (end < 0) throw new Error('unterminated histogram literal');
      cur.push({ t: 'hist', text: s.slice(i + 2, end) });
      i = end + 2;
    } else if (c === '+' || c === '-' || c === 'x' || c === '_') {
      cur.push({ t: c });
      i++;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(s[i + 1] ?? ''))) {
      const m = /^(?:\d*\.?\d*)(?:[eE][+-]?\d+)?/.exec(s.slice(i))!;
      const next = s[i + m[0].length];
      if (next !== undefined && next !== 'x' && /[a-zA-Z0-9_]/.test(next)) {
        throw new Error(`bad number syntax: ${JSON.stringify(s.slice(i, i + m[0].length + 1))}`);
      }
      cur.push({ t: 'num', text: m[0] });
      i += m[0].length;
    } else if (/[a-zA-Z]/.test(c)) {
      let j = i + 1;
      while (j < s.length && /[a-zA-Z0-9_:]/.test(s[j]!)) j++;
      const word = s.slice(i, j);
      cur.push(/^(inf|nan)$/i.test(word) ? { t: 'num', text: word } : { t: 'ident', text: word });
      i = j;
    } else {
      throw new Error(`unexpected character in series sequence: ${JSON.stringify(c)}`);
    }
  }
  flush();
  return items;
}

function numberOf(text: string): number {
  const v = parseGoNumber(text);
  if (v === undefined) throw new Error(`error parsing number: ${JSON.stringify(text)}`);
  return v;
}

function repetitions(tok: Tok | undefined): number {
  if (tok?.t !== 'num' || !/^\d+$/.test(tok.text)) {
    throw new Error(`invalid repetition in series values: ${tok && 'text' in tok ? tok.text : 'missing count'}`);
  }
  const n = Number(tok.text);
  if (!Number.isSafeInteger(n)) throw new Error(`invalid repetition in series values: ${tok.text}`);
  return n;
}

/** Expands one value-sequence item (tokens between spaces) into positions, appended to `out`. */
function expandItem(toks: Tok[], out: SeqValue[]): void {
  let k = 0;
  const at = (i: number): Tok | undefined => toks[i];
  const end = (): void => {
    if (k !== toks.length) throw new Error('unexpected token in series values');
  };
  const first = at(0)!;
  if (first.t === '_') {
    if (toks.length === 1) {
      out.push(OMITTED);
      return;
    }
    if (at(1)?.t !== 'x') throw new Error('unexpected token after "_" in series values');
    const n = repetitions(at(2));
    k = 3;
    end();
    for (let j = 0; j < n; j++) out.push(OMITTED);
    return;
  }
  if (first.t === 'hist') {
    const base = parseHistogramLiteral(first.text);
    k = 1;
    if (k === toks.length) {
      out.push({ kind: 'histogram', h: base.h, hintSet: base.hintSet });
      return;
    }
    const op = at(1)!;
    if (op.t === 'x') {
      const n = repetitions(at(2));
      k = 3;
      end();
      for (let j = 0; j <= n; j++) out.push({ kind: 'histogram', h: base.h, hintSet: base.hintSet });
      return;
    }
    const inc = at(2);
    if ((op.t !== '+' && op.t !== '-') || inc?.t !== 'hist' || at(3)?.t !== 'x') {
      throw new Error('expected {{…}}x<N> or {{…}}+{{…}}x<N> in series values');
    }
    const d = parseHistogramLiteral(inc.text).h;
    const n = repetitions(at(4));
    k = 5;
    end();
    let cur = base.h;
    out.push({ kind: 'histogram', h: cur, hintSet: base.hintSet });
    for (let j = 1; j <= n; j++) {
      if (cur.schema > d.schema) {
        throw new Error(`error combining histograms: cannot merge from schema ${d.schema} to ${cur.schema}`);
      }
      cur = combineHistograms(cur, d, op.t === '+' ? 1 : -1);
      out.push({ kind: 'histogram', h: cur, hintSet: base.hintSet });
    }
    return;
  }
  // A float item: value [x N] | value (+|-) number x N, where value = stale | [+|-] number.
  let value: number;
  let stale = false;
  if (first.t === 'ident') {
    if (first.text !== 'stale')
      throw new Error(
        `unexpected identifier ${JSON.stringify(first.text)} in series values, expected number or "stale"`,
      );
    stale = true;
    value = NaN;
    k = 1;
  } else if (first.t === 'num') {
    value = numberOf(first.text);
    k = 1;
  } else if ((first.t === '+' || first.t === '-') && at(1)?.t === 'num') {
    const v = numberOf((at(1) as { text: string }).text);
    value = first.t === '-' ? -v : v;
    k = 2;
  } else {
    throw new Error('unexpected token in series values');
  }
  const one = (v: number): SeqValue => (stale ? STALE : { kind: 'float', value: v });
  if (k === toks.length) {
    out.push(one(value));
    return;
  }
  const next = at(k)!;
  if (next.t === 'x') {
    const n = repetitions(at(k + 1));
    k += 2;
    end();
    for (let j = 0; j <= n; j++) out.push(one(value));
    return;
  }
  if ((next.t === '+' || next.t === '-') && at(k + 1)?.t === 'num' && at(k + 2)?.t === 'x') {
    const d = numberOf((at(k + 1) as { text: string }).text);
    const delta = next.t === '-' ? -d : d;
    const n = repetitions(at(k + 3));
    k += 4;
    end();
    out.push(one(value));
    // Repeated addition, not value + j*delta: the expected results were computed this way.
    for (let j = 1; j <= n; j++) {
      value += delta;
      out.push(one(value));
    }
    return;
  }
  throw new Error('unexpected token in series values');
}

/** Expands a value sequence (`1 _ 3 stale 0+10x5 {{…}}x2 …`). */
export function parseValueSequence(s: string): SeqValue[] {
  const out: SeqValue[] = [];
  for (const item of tokenizeValues(s)) expandItem(item, out);
  return out;
}

/** Parses a series description line: `<labels> <value sequence>`. */
export function parseSeriesDesc(line: string): { labels: Labels; values: SeqValue[] } {
  const [labels, i] = parseSeriesLabels(line);
  const rest = line.slice(i);
  if (rest !== '' && !isWs(rest[0])) throw new Error(`unexpected ${JSON.stringify(rest[0])} after the label set`);
  return { labels, values: parseValueSequence(rest) };
}

// ---------------------------------------------------------------------------------------------
// Native histogram literals

const BUCKET_LIST_KEYS = new Set(['buckets', 'n_buckets', 'custom_values']);
const NUMBER_KEYS = new Set(['sum', 'count', 'z_bucket', 'z_bucket_w']);
const INT_KEYS = new Set(['schema', 'offset', 'n_offset']);
const HINTS = new Set(['unknown', 'reset', 'not_reset', 'gauge']);

/** Parses the inside of a `{{ … }}` literal. */
export function parseHistogramLiteral(body: string): { h: FloatHistogram; hintSet: boolean } {
  const nums = new Map<string, number>();
  const lists = new Map<string, number[]>();
  let hint: FloatHistogram['counterResetHint'];
  let i = 0;
  for (;;) {
    while (isWs(body[i])) i++;
    if (i >= body.length) break;
    const km = /^[a-z_]+/.exec(body.slice(i));
    if (!km || body[i + km[0].length] !== ':')
      throw new Error(`bad histogram descriptor near ${JSON.stringify(body.slice(i))}`);
    const key = km[0];
    i += key.length + 1;
    while (isWs(body[i])) i++;
    if (BUCKET_LIST_KEYS.has(key)) {
      if (body[i] !== '[') throw new Error(`expected "[" after ${key}:`);
      const close = body.indexOf(']', i);
      if (close < 0) throw new Error(`unterminated bucket list for ${key}`);
      const items = body.slice(i + 1, close).trim();
      lists.set(key, items === '' ? [] : items.split(/[ \t]+/).map(numberOf));
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < body.length && !isWs(body[j])) j++;
    const tok = body.slice(i, j);
    i = j;
    if (key === 'counter_reset_hint') {
      if (!HINTS.has(tok)) throw new Error(`invalid counter_reset_hint ${JSON.stringify(tok)}`);
      hint = tok as FloatHistogram['counterResetHint'];
    } else if (NUMBER_KEYS.has(key)) {
      nums.set(key, numberOf(tok));
    } else if (INT_KEYS.has(key)) {
      if (!/^[+-]?\d+$/.test(tok)) throw new Error(`expected an integer for ${key}, got ${JSON.stringify(tok)}`);
      nums.set(key, Number(tok));
    } else {
      throw new Error(`unknown histogram descriptor ${JSON.stringify(key)}`);
    }
  }
  const span = (buckets: number[], offset: number): { offset: number; length: number }[] =>
    buckets.length > 0 ? [{ offset, length: buckets.length }] : [];
  const pos = lists.get('buckets') ?? [];
  const neg = lists.get('n_buckets') ?? [];
  const h: FloatHistogram = {
    schema: nums.get('schema') ?? 0,
    count: nums.get('count') ?? 0,
    sum: nums.get('sum') ?? 0,
    zeroThreshold: nums.get('z_bucket_w') ?? 0,
    zeroCount: nums.get('z_bucket') ?? 0,
    positiveSpans: span(pos, nums.get('offset') ?? 0),
    positiveBuckets: pos,
    negativeSpans: span(neg, nums.get('n_offset') ?? 0),
    negativeBuckets: neg,
    counterResetHint: hint ?? 'unknown',
  };
  const cv = lists.get('custom_values');
  if (cv !== undefined) h.customValues = cv;
  return { h, hintSet: hint !== undefined };
}

export const CUSTOM_BUCKETS_SCHEMA = -53;

/** Bucket index → count, following span offsets (the first offset is absolute, later ones are gaps). */
export function bucketMap(
  spans: readonly { offset: number; length: number }[],
  buckets: readonly number[],
): Map<number, number> {
  const m = new Map<number, number>();
  let idx = 0;
  let b = 0;
  for (let s = 0; s < spans.length; s++) {
    const sp = spans[s]!;
    idx += sp.offset;
    for (let j = 0; j < sp.length; j++) {
      m.set(idx, buckets[b] ?? 0);
      idx++;
      b++;
    }
  }
  return m;
}

/** Spans and buckets covering exactly the given indexes (sorted ascending). */
export function spansFromMap(m: ReadonlyMap<number, number>): {
  spans: { offset: number; length: number }[];
  buckets: number[];
} {
  const idxs = [...m.keys()].sort((a, b) => a - b);
  const spans: { offset: number; length: number }[] = [];
  const buckets: number[] = [];
  let next = 0;
  for (const i of idxs) {
    const last = spans[spans.length - 1];
    if (last !== undefined && i === next) last.length++;
    else spans.push({ offset: spans.length === 0 ? i : i - next, length: 1 });
    buckets.push(m.get(i)!);
    next = i + 1;
  }
  return { spans, buckets };
}

function reduceResolution(m: Map<number, number>, from: number, to: number): Map<number, number> {
  if (from === to) return m;
  const out = new Map<number, number>();
  const shift = from - to;
  for (const [i, v] of m) {
    const t = ((i - 1) >> shift) + 1;
    out.set(t, (out.get(t) ?? 0) + v);
  }
  return out;
}

function bucketUpperBound(idx: number, schema: number): number {
  return Math.pow(2, idx * Math.pow(2, -schema));
}

/** Moves buckets entirely inside the zero bucket `[-zt, zt]` into the zero count. */
function absorbIntoZero(m: Map<number, number>, schema: number, zt: number): number {
  let moved = 0;
  for (const [i, v] of m) {
    if (bucketUpperBound(i, schema) <= zt) {
      moved += v;
      m.delete(i);
    }
  }
  return moved;
}

type Hint = NonNullable<FloatHistogram['counterResetHint']>;

/** Prometheus's counter-reset hint rule for adding/subtracting histograms. */
function combineHints(a: Hint, b: Hint): Hint {
  if (a === b) return a;
  if (a === 'gauge' || b === 'gauge') return 'gauge';
  return 'unknown';
}

/** `a + sign*b` for native histograms (the `{{a}}+{{b}}xN` / `{{a}}-{{b}}xN` load syntax). */
export function combineHistograms(a: FloatHistogram, b: FloatHistogram, sign: 1 | -1): FloatHistogram {
  const aCustom = a.schema === CUSTOM_BUCKETS_SCHEMA;
  const bCustom = b.schema === CUSTOM_BUCKETS_SCHEMA;
  if (aCustom !== bCustom) throw new Error('cannot combine histograms with exponential and custom bucket schemas');
  if (aCustom) {
    const x = a.customValues ?? [];
    const y = b.customValues ?? [];
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) {
      throw new Error('cannot combine custom-bucket histograms with different bounds');
    }
  }
  const schema = Math.min(a.schema, b.schema);
  const reduce = (m: Map<number, number>, s: number): Map<number, number> =>
    aCustom ? m : reduceResolution(m, s, schema);
  const ap = reduce(bucketMap(a.positiveSpans, a.positiveBuckets), a.schema);
  const an = reduce(bucketMap(a.negativeSpans, a.negativeBuckets), a.schema);
  const bp = reduce(bucketMap(b.positiveSpans, b.positiveBuckets), b.schema);
  const bn = reduce(bucketMap(b.negativeSpans, b.negativeBuckets), b.schema);
  const zt = Math.max(a.zeroThreshold, b.zeroThreshold);
  let az = a.zeroCount;
  let bz = b.zeroCount;
  if (!aCustom && a.zeroThreshold < zt) az += absorbIntoZero(ap, schema, zt) + absorbIntoZero(an, schema, zt);
  if (!aCustom && b.zeroThreshold < zt) bz += absorbIntoZero(bp, schema, zt) + absorbIntoZero(bn, schema, zt);
  const merge = (x: Map<number, number>, y: Map<number, number>): Map<number, number> => {
    const out = new Map(x);
    for (const [i, v] of y) out.set(i, (out.get(i) ?? 0) + sign * v);
    return out;
  };
  const pos = spansFromMap(merge(ap, bp));
  const neg = spansFromMap(merge(an, bn));
  const h: FloatHistogram = {
    schema,
    count: a.count + sign * b.count,
    sum: a.sum + sign * b.sum,
    zeroThreshold: zt,
    zeroCount: az + sign * bz,
    positiveSpans: pos.spans,
    positiveBuckets: pos.buckets,
    negativeSpans: neg.spans,
    negativeBuckets: neg.buckets,
    counterResetHint: combineHints(a.counterResetHint ?? 'unknown', b.counterResetHint ?? 'unknown'),
  };
  if (aCustom) h.customValues = [...(a.customValues ?? [])];
  return h;
}

/** The `{{…}}` test expression of a histogram (buckets written out contiguously), for messages. */
export function formatHistogram(h: FloatHistogram): string {
  const parts = [`schema:${h.schema}`, `count:${formatFloat(h.count)}`, `sum:${formatFloat(h.sum)}`];
  if (h.zeroCount !== 0) parts.push(`z_bucket:${formatFloat(h.zeroCount)}`);
  if (h.zeroThreshold !== 0) parts.push(`z_bucket_w:${formatFloat(h.zeroThreshold)}`);
  const side = (spans: FloatHistogram['positiveSpans'], buckets: number[], offKey: string, key: string): void => {
    const m = bucketMap(spans, buckets);
    if (m.size === 0) return;
    const idxs = [...m.keys()];
    const lo = Math.min(...idxs);
    const hi = Math.max(...idxs);
    if (lo !== 0) parts.push(`${offKey}:${lo}`);
    const vals: string[] = [];
    for (let i = lo; i <= hi; i++) vals.push(formatFloat(m.get(i) ?? 0));
    parts.push(`${key}:[${vals.join(' ')}]`);
  };
  side(h.positiveSpans, h.positiveBuckets, 'offset', 'buckets');
  side(h.negativeSpans, h.negativeBuckets, 'n_offset', 'n_buckets');
  if (h.customValues !== undefined && h.customValues.length > 0) {
    parts.push(`custom_values:[${h.customValues.map(formatFloat).join(' ')}]`);
  }
  if (h.counterResetHint !== undefined && h.counterResetHint !== 'unknown') {
    parts.push(`counter_reset_hint:${h.counterResetHint}`);
  }
  return `{{${parts.join(' ')}}}`;
}

/** Numbers as Prometheus prints them in messages (`+Inf`, `-Inf`, `NaN`). */
export function formatFloat(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function formatSeqValue(v: SeqValue): string {
  switch (v.kind) {
    case 'omitted':
      return '_';
    case 'stale':
      return 'stale';
    case 'float':
      return formatFloat(v.value);
    case 'histogram':
      return formatHistogram(v.h);
  }
}

// ---------------------------------------------------------------------------------------------
// Start-timestamp (`@st`) lines

function parseSignedDurationPrefix(s: string): [number, string] {
  const m = /^([+-]?)(\d+)((?:[a-wyzA-Z])*)/.exec(s);
  if (!m) throw new Error(`expected a duration in ${JSON.stringify(s)}`);
  const ms = parseDuration(m[2]! + m[3]!);
  return [m[1] === '-' ? -ms : ms, s.slice(m[0].length)];
}

/** Start-timestamp offsets of an `@st` line: `_`, `_xN`, `<dur>`, `<dur>xN`, `<dur>±<dur>xN`. */
export function parseStartTimestampSequence(s: string): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (const item of s.split(/[ \t]+/)) {
    if (item === '') continue;
    if (item === '_') {
      out.push(undefined);
      continue;
    }
    if (item.startsWith('_x')) {
      const n = Number(item.slice(2));
      if (!/^\d+$/.test(item.slice(2)) || n === 0) throw new Error(`invalid repeat count in ${JSON.stringify(item)}`);
      for (let j = 0; j < n; j++) out.push(undefined);
      continue;
    }
    const [base, rest] = parseSignedDurationPrefix(item);
    if (rest === '') {
      out.push(base);
      continue;
    }
    if (rest[0] === 'x') {
      if (!/^\d+$/.test(rest.slice(1))) throw new Error(`invalid repeat count in ${JSON.stringify(item)}`);
      const n = Number(rest.slice(1));
      for (let j = 0; j <= n; j++) out.push(base);
      continue;
    }
    if (rest[0] !== '+' && rest[0] !== '-')
      throw new Error(`unexpected ${JSON.stringify(rest[0])} in ${JSON.stringify(item)}`);
    const [d, rest2] = parseSignedDurationPrefix(rest.slice(1));
    const delta = rest[0] === '-' ? -d : d;
    if (rest2[0] !== 'x' || !/^\d+$/.test(rest2.slice(1)))
      throw new Error(`expected x<count> in ${JSON.stringify(item)}`);
    const n = Number(rest2.slice(1));
    let off = base;
    for (let j = 0; j <= n; j++) {
      out.push(off);
      off += delta;
    }
  }
  return out;
}

function isStartTimestampLine(line: string): boolean {
  const sp = line.search(/[ \t]/);
  return sp >= 0 && line.slice(0, sp).endsWith('@st');
}

// ---------------------------------------------------------------------------------------------
// Script structure

const PAT_SPACE = /[\t ]+/;
const PAT_LOAD = /^load(?:_(with_nhcb))?\s+(.+?)$/;
const PAT_EVAL_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const PAT_EVAL_RANGE = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;
const PAT_EXPECT = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/;
const RANGE_VECTOR_PREFIX = 'expect range vector';
const PAT_EXPECT_RANGE = /^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$/;
const EXPECT_STRING_PREFIX = 'expect string';

/** Trimmed lines with comment lines blanked (a comment line therefore ends a block). */
export function scriptLines(text: string): string[] {
  return text.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
}

/**
 * Compiles a Go RE2 pattern for an unanchored search. Leading `(?flags)` are translated; the rest of
 * RE2 syntax used in test files is also valid JavaScript.
 */
export function compileGoRegex(src: string): RegExp {
  let flags = '';
  let body = src;
  const m = /^\(\?([imsU]+)\)/.exec(body);
  if (m) {
    if (m[1]!.includes('i')) flags += 'i';
    if (m[1]!.includes('s')) flags += 's';
    if (m[1]!.includes('m')) flags += 'm';
    body = body.slice(m[0].length);
  }
  try {
    return new RegExp(body, flags + 'u');
  } catch {
    return new RegExp(body, flags);
  }
}

/** Parses a whole script. Throws `ScriptParseError` on the first problem. */
export function parseScript(text: string, opts: ParseScriptOptions = {}): Script {
  const lines = scriptLines(text);
  const commands: Command[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === '') continue;
    const c = l.split(PAT_SPACE, 1)[0]!.toLowerCase();
    if (c === 'clear') {
      commands.push({ kind: 'clear', line: i + 1 });
    } else if (c.startsWith('load')) {
      let cmd: LoadCmd;
      [i, cmd] = parseLoad(lines, i);
      commands.push(cmd);
    } else if (c.startsWith('eval')) {
      let cmd: EvalCmd;
      [i, cmd] = parseEval(lines, i, opts);
      commands.push(cmd);
    } else {
      throw new ScriptParseError(i + 1, `invalid command ${JSON.stringify(l)}`);
    }
  }
  return { commands };
}

function wrap<T>(line: number, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof ScriptParseError) throw err;
    throw new ScriptParseError(line, err instanceof Error ? err.message : String(err));
  }
}

function parseLoad(lines: string[], i: number): [number, LoadCmd] {
  const header = PAT_LOAD.exec(lines[i]!);
  if (!header) throw new ScriptParseError(i + 1, 'invalid load command. (load[_with_nhcb] <step:duration>)');
  const step = header[2]!;
  const intervalMs = wrap(i + 1, () => {
    try {
      return parseDuration(step);
    } catch (err) {
      throw new Error(`invalid step definition ${JSON.stringify(step)}: ${(err as Error).message}`);
    }
  });
  const cmd: LoadCmd = { kind: 'load', line: i + 1, intervalMs, withNHCB: header[1] === 'with_nhcb', series: [] };
  const byKey = new Map<string, LoadSeries>();
  let pendingST: { labels: Labels; offsets: (number | undefined)[]; line: number } | undefined;
  let defaultST: (number | undefined)[] | undefined;
  while (i + 1 < lines.length) {
    i++;
    const def = lines[i]!;
    if (def === '') {
      i--;
      break;
    }
    const lineNo = i + 1;
    if (isStartTimestampLine(def)) {
      if (pendingST) throw new ScriptParseError(pendingST.line, '@st line has no following sample line');
      const sp = def.search(/[ \t]/);
      const metricPart = def.slice(0, sp - 3);
      const offsets = wrap(lineNo, () => parseStartTimestampSequence(def.slice(sp + 1)));
      if (metricPart === '') {
        defaultST = offsets;
        continue;
      }
      const labels = wrap(lineNo, () => {
        const [ls, end] = parseSeriesLabels(metricPart);
        if (end !== metricPart.length) throw new Error(`invalid @st line metric ${JSON.stringify(metricPart)}`);
        return ls;
      });
      pendingST = { labels, offsets, line: lineNo };
      continue;
    }
    const { labels, values } = wrap(lineNo, () => parseSeriesDesc(def));
    const series: LoadSeries = { labels, values, line: lineNo };
    if (pendingST) {
      if (!pendingST.labels.equals(labels)) {
        throw new ScriptParseError(pendingST.line, '@st metric does not match the following sample line metric');
      }
      if (pendingST.offsets.length !== values.length) {
        throw new ScriptParseError(
          pendingST.line,
          `@st line has ${pendingST.offsets.length} values but sample line has ${values.length}`,
        );
      }
      series.startOffsetsMs = pendingST.offsets;
      pendingST = undefined;
    } else if (defaultST !== undefined && defaultST.length > 0) {
      const d = defaultST;
      series.startOffsetsMs = values.map((_, j) => d[j % d.length]);
    }
    byKey.set(labels.key, series);
  }
  if (pendingST) throw new ScriptParseError(pendingST.line, '@st line has no following sample line');
  cmd.series = [...byKey.values()];
  return [i, cmd];
}

function parseDurationArg(what: string, s: string): number {
  try {
    return parseDuration(s);
  } catch (err) {
    throw new Error(`invalid ${what} definition ${JSON.stringify(s)}: ${(err as Error).message}`);
  }
}

function parseRange(from: string, to: string, step: string): { startMs: number; endMs: number; stepMs: number } {
  const startMs = parseDurationArg('start timestamp', from);
  const endMs = parseDurationArg('end timestamp', to);
  if (endMs < startMs) {
    throw new Error(`invalid test definition, end timestamp (${to}) is before start timestamp (${from})`);
  }
  return { startMs, endMs, stepMs: parseDurationArg('step', step) };
}

function parseExpectLine(line: string): [ExpectType, ExpectLine] {
  const m = PAT_EXPECT.exec(line.trim());
  if (!m) throw new Error('invalid expect statement, must match `expect <type> <match_type>: <string>` format');
  const type = m[1] as ExpectType;
  if (m[2] === undefined) return [type, { match: 'any', text: '' }];
  const text = m[3]!.trim();
  if (m[2] === 'msg') return [type, { match: 'msg', text }];
  let regex: RegExp;
  try {
    regex = compileGoRegex(text);
  } catch {
    throw new Error(`invalid regex ${text} for ${type}`);
  }
  return [type, { match: 'regex', text, regex }];
}

function parseEval(lines: string[], i: number, opts: ParseScriptOptions): [number, EvalCmd] {
  const header = lines[i]!;
  const inst = PAT_EVAL_INSTANT.exec(header);
  const rng = inst ? null : PAT_EVAL_RANGE.exec(header);
  if (!inst && !rng) {
    throw new ScriptParseError(
      i + 1,
      "invalid evaluation command. Must be either 'eval[_fail|_warn|_ordered|_info] instant [at <offset:duration>] <query>' or 'eval[_fail|_warn|_info] range from <from> to <to> step <step> <query>'",
    );
  }
  const line = i + 1;
  const mod = (inst ? inst[1] : rng![1]) ?? '';
  const expr = inst ? inst[3]! : rng![5]!;
  let parsed: Expr | undefined;
  if (opts.parseExpr) {
    const pe = opts.parseExpr;
    parsed = wrap(line, () => {
      try {
        return pe(expr);
      } catch (err) {
        throw new Error(`invalid expression ${JSON.stringify(expr)}: ${(err as Error).message}`);
      }
    });
  }
  const fail = (msg: string): never => {
    throw new ScriptParseError(line, `error in eval ${expr}: ${msg}`);
  };
  const cmd: EvalCmd = {
    kind: 'eval',
    line,
    expr,
    parsed,
    isRange: !inst,
    startMs: 0,
    endMs: 0,
    stepMs: 0,
    evalMs: 0,
    legacy: { fail: mod === 'fail', warn: mod === 'warn', info: mod === 'info', ordered: mod === 'ordered' },
    expects: { ordered: [], fail: [], warn: [], no_warn: [], info: [], no_info: [] },
    expectScalar: false,
    expected: new Map(),
    expectRangeVector: false,
    excludeFromRangeQuery: false,
  };
  try {
    if (inst) {
      const at = inst[2] ?? '';
      cmd.evalMs = cmd.startMs = parseDurationArg('timestamp', at);
    } else {
      Object.assign(cmd, parseRange(rng![2]!, rng![3]!, rng![4]!));
    }
  } catch (err) {
    fail((err as Error).message);
  }

  for (let pos = 1; i + 1 < lines.length; pos++) {
    i++;
    const def = lines[i]!;
    if (def === '') {
      i--;
      break;
    }
    if (cmd.legacy.fail && def.startsWith('expected_fail_message')) {
      cmd.expectedFailMessage = def.slice('expected_fail_message'.length).trim();
      break;
    }
    if (cmd.legacy.fail && def.startsWith('expected_fail_regexp')) {
      const pattern = def.slice('expected_fail_regexp'.length).trim();
      try {
        cmd.expectedFailRegexp = compileGoRegex(pattern);
      } catch (err) {
        fail(`invalid regexp '${pattern}' for expected_fail_regexp: ${(err as Error).message}`);
      }
      break;
    }
    if (def.startsWith(RANGE_VECTOR_PREFIX)) {
      const m = PAT_EXPECT_RANGE.exec(def);
      if (!m) fail(`invalid range vector definition ${JSON.stringify(def)}`);
      try {
        const r = parseRange(m![1]!, m![2]!, m![3]!);
        Object.assign(cmd, r);
        cmd.evalMs = r.endMs;
      } catch (err) {
        fail((err as Error).message);
      }
      cmd.expectRangeVector = true;
      cmd.excludeFromRangeQuery = true;
      continue;
    }
    if (def.startsWith(EXPECT_STRING_PREFIX)) {
      if (def === EXPECT_STRING_PREFIX) fail('expected string literal not valid - a quoted string literal is required');
      const rest = def.startsWith(EXPECT_STRING_PREFIX + ' ') ? def.slice(EXPECT_STRING_PREFIX.length + 1) : def;
      try {
        cmd.expectedString = unquoteString(rest);
      } catch {
        fail('expected string literal not valid - check that the string is correctly quoted');
      }
      cmd.excludeFromRangeQuery = true;
      continue;
    }
    // A metric named `expect` can still be written as `expect{}`.
    if (def.split(' ')[0] === 'expect') {
      try {
        const [type, e] = parseExpectLine(def);
        cmd.expects[type].push(e);
      } catch (err) {
        fail((err as Error).message);
      }
      pos--;
      const x = cmd.expects;
      if (x.info.length > 0 && x.no_info.length > 0)
        fail('invalid expect lines, info and no_info cannot be used together');
      if (x.warn.length > 0 && x.no_warn.length > 0)
        fail('invalid expect lines, warn and no_warn cannot be used together');
      if (x.fail.length > 1) fail('invalid expect lines, multiple expect fail lines are not allowed');
      continue;
    }
    const f = parseGoNumber(def);
    if (f !== undefined) {
      cmd.expectScalar = true;
      cmd.scalar = { kind: 'float', value: f };
      break;
    }
    const { labels, values } = wrap(i + 1, () => parseSeriesDesc(def));
    if (values.length > 1 && !cmd.isRange && !cmd.expectRangeVector) {
      fail(
        "expecting multiple values in instant evaluation not allowed. consider using 'expect range vector' directive to enable a range vector result for an instant query",
      );
    }
    cmd.expectScalar = false;
    cmd.expected.set(labels.key, { labels, values, pos });
  }
  return [i, cmd];
}

/**
 * The eval commands a file appears to contain, found without parsing it: lines that are eval
 * headers, or start a block with a word starting with `eval`. Used to report every case of a file
 * that fails to parse.
 */
export function findEvalLines(text: string): { line: number; query: string }[] {
  const lines = scriptLines(text);
  const out: { line: number; query: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const m = PAT_EVAL_INSTANT.exec(l);
    const r = m ? null : PAT_EVAL_RANGE.exec(l);
    const blockStart = l !== '' && (i === 0 || lines[i - 1] === '');
    if (!m && !r && !(blockStart && l.split(PAT_SPACE, 1)[0]!.toLowerCase().startsWith('eval'))) continue;
    out.push({ line: i + 1, query: m ? m[3]! : r ? r[5]! : l });
  }
  return out;
}
