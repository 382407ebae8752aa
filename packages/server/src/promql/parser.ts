/**
 * PromQL parser: text → typed `Expr` (ast.ts), with Prometheus's static checks and error texts.
 *
 * The syntax is recognised by the official grammar (@prometheus-io/lezer-promql). That grammar is
 * written for editors and differs from Prometheus's Go parser in a few ways this module corrects:
 * - Tree shape: lezer gives postfix modifiers (`offset`, `@`, `[..]`, `anchored`) the lowest
 *   precedence (`a + b offset 1m` → `(a + b) offset 1m`) and lexes `-1` as one literal
 *   (`-1 ^ 2` → `(-1) ^ 2`). Expression chains are therefore flattened back into source order and
 *   re-associated with Go's precedence rules (postfix binds tightest, unary minus at `*` level,
 *   `^` right-associative, unary minus folded into a directly following number literal).
 * - Tokens: an unknown name before `(` must parse as a call (so that we can say
 *   "unknown function"), `STEP()` and friends are case-insensitive, `offset` may be a metric name,
 *   and Go accepts number spellings (`5.`, `0X1F`) lezer does not. A wrapped specializer and a
 *   same-length rewrite of such numbers handle these without moving any position.
 * - Errors: a port of Prometheus's lexer runs first; its lexical errors (unterminated strings,
 *   bad escapes, unbalanced parentheses, bad numbers/durations) win over lezer's syntax errors
 *   when they occur earlier in the input, like in Prometheus where the parser pulls tokens lazily.
 *
 * Phases mirror Prometheus: building the tree reports "parse-time" errors (unknown functions,
 * argument counts of aggregations, modifiers in the wrong place, ...), and the type checks of
 * `checkAST` run only when building succeeded. The first error is thrown as a `ParseError`.
 */
import type { SyntaxNode } from '@lezer/common';
import type { LRParser, Stack } from '@lezer/lr';
import { parser as basePromqlParser } from '@prometheus-io/lezer-promql';
import {
  exprType,
  type AggregateExpr,
  type AggregateOp,
  type AtModifier,
  type BinaryExpr,
  type BinaryOp,
  type Call,
  type Duration,
  type DurationExpr,
  type Expr,
  type MatrixSelector,
  type NumberLiteral,
  type PosRange,
  type SubqueryExpr,
  type ValueType,
  type VectorMatching,
  type VectorSelector,
} from './ast.js';
import { getFunction } from './functions/signatures.js';
import { Matcher, RegexError, type MatchType } from '../lib/matcher.js';
import { formatFloatF, formatMatcher, formatSignedDuration, goQuote } from './printer.js';

export interface ParseOptions {
  /** Experimental functions, `limitk`/`limit_ratio`, duration expressions, `anchored`/`smoothed`, `fill*()`. */
  enableExperimental?: boolean;
}

/** A syntax or static-check error, rendered like Prometheus's `ParseErr.Error()`. */
export class ParseError extends Error {
  readonly code = 'WK_PROMQL_PARSE';
  /** 0-based offsets into the query, as Prometheus reports them. */
  readonly positionRange: PosRange;
  readonly query: string;
  /** The message without the `<line>:<col>: parse error: ` prefix. */
  readonly detail: string;

  constructor(query: string, positionRange: PosRange, detail: string) {
    super(`${formatPosition(query, positionRange.start)}: parse error: ${detail}`);
    this.name = 'ParseError';
    this.positionRange = positionRange;
    this.query = query;
    this.detail = detail;
  }
}

/** `<line>:<col>` of a 0-based offset (1-based line and column), as `PositionRange.StartPosInput`. */
function formatPosition(query: string, pos: number): string {
  if (query === '') return 'unknown position';
  if (pos < 0 || pos > query.length) return 'invalid position';
  const before = query.slice(0, pos);
  let line = 1;
  for (const ch of before) if (ch === '\n') line++;
  return `${line}:${pos - before.lastIndexOf('\n')}`;
}

export function parseExpr(input: string, opts: ParseOptions = {}): Expr {
  const lexed = lexPromql(input);
  const tree = promqlParser.parse(lezerInput(input, lexed.tokens));
  const syntaxErrorNode = firstErrorNode(tree.topNode);
  if (lexed.error && (syntaxErrorNode === undefined || lexed.error.at <= syntaxErrorNode.from)) {
    throw new ParseError(input, lexed.error.pos, lexed.error.msg);
  }
  const significant = lexed.tokens.filter((t) => t.cat !== 'COMMENT' && t.cat !== 'EOF');
  if (significant.length === 0) throw new ParseError(input, { start: 0, end: 0 }, 'no expression found in input');
  if (syntaxErrorNode !== undefined) throw syntaxError(input, syntaxErrorNode, lexed.tokens);

  const root = children(tree.topNode)[0];
  if (root === undefined) throw new ParseError(input, { start: 0, end: 0 }, 'no expression found in input');
  const builder = new Builder(input, lexed.tokens, opts.enableExperimental ?? false);
  const expr = builder.expr(root);
  new Checker(input).check(expr);
  return expr;
}

// ---------------------------------------------------------------------------------------------
// The lezer parser, with specializers adjusted to Prometheus's lexer.

type Specializer = (value: string, stack: Stack) => number;
interface SpecializerSpec {
  external?: Specializer;
  get?: Specializer;
}

function termId(name: string): number {
  const t = basePromqlParser.nodeSet.types.find((n) => n.name === name);
  if (!t) throw new Error(`lezer-promql has no node ${name}`);
  return t.id;
}

/** Words that Prometheus's lexer always turns into keywords, operators or numbers. */
// prettier-ignore
const GO_KEYWORDS = new Set([
  'and', 'or', 'unless', 'atan2', 'sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'topk',
  'bottomk', 'count_values', 'quantile', 'limitk', 'limit_ratio', 'offset', 'smoothed', 'anchored', 'by',
  'without', 'on', 'ignoring', 'group_left', 'group_right', 'fill', 'fill_left', 'fill_right', 'bool',
  'start', 'end', 'step', 'range', 'inf', 'nan',
]);

function buildParser(): LRParser {
  const specs = (basePromqlParser as unknown as { specializerSpecs?: SpecializerSpec[] }).specializerSpecs;
  const specialize = specs?.[0]?.external;
  const extend = specs?.[1]?.external;
  const builtin = specs?.[2]?.get;
  if (!specialize || !extend || !builtin) return basePromqlParser;

  // External tokens use their node ids as terms; `@extend` words have their own terms, which the
  // built-in table returns shifted left with the "extend" bit set.
  const wordTerm = (word: string): number => {
    const t = builtin(word, undefined as unknown as Stack);
    if (t < 0) throw new Error(`lezer-promql does not know ${word}`);
    return t >> 1;
  };
  const OFFSET = termId('Offset');
  const ANY_FUNCTION = wordTerm('abs');
  const caseInsensitive: Record<string, number> = {
    step: wordTerm('step'),
    range: wordTerm('range'),
    min_of: wordTerm('min_of'),
    max_of: wordTerm('max_of'),
    start: termId('StartFn'),
    end: termId('EndFn'),
  };
  // `offset` is a keyword only where an offset can follow; elsewhere it is a metric name.
  const newSpecialize: Specializer = (value, stack) =>
    value.toLowerCase() === 'offset' ? -1 : specialize(value, stack);
  const newExtend: Specializer = (value, stack) => {
    const r = extend(value, stack);
    if (r >= 0) return r;
    const lower = value.toLowerCase();
    if (lower === 'offset') return stack.canShift(OFFSET) ? OFFSET : -1;
    const term = caseInsensitive[lower];
    if (term !== undefined && stack.canShift(term)) return term;
    if (term === undefined && builtin(value, stack) >= 0) return -1;
    if (value.includes(':') || GO_KEYWORDS.has(lower)) return -1;
    // Any other name may start a function call; the builder reports unknown names.
    return stack.canShift(ANY_FUNCTION) ? ANY_FUNCTION : -1;
  };
  return basePromqlParser.configure({
    specializers: [
      { from: specialize, to: newSpecialize },
      { from: extend, to: newExtend },
    ],
  });
}

const promqlParser = buildParser();

const LEZER_NUMBER =
  /^(?:(?:\d+(?:_?\d)*(?:\.\d+(?:_?\d)*)?|\.\d+(?:_?\d)*)(?:[eE][+-]?\d+(?:_?\d)*)?|0x[0-9a-fA-F]+|(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?)$/;

/** The input given to lezer: numbers Go accepts but lezer does not (`5.`, `0X1F`) become `1…1`. */
function lezerInput(input: string, tokens: readonly Token[]): string {
  let out = input;
  for (const t of tokens) {
    if ((t.cat === 'NUMBER' || t.cat === 'DURATION') && /^[0-9.]/.test(t.val) && !LEZER_NUMBER.test(t.val)) {
      out = out.slice(0, t.start) + '1'.repeat(t.end - t.start) + out.slice(t.end);
    }
  }
  return out;
}

/** The first (leftmost) error node of lezer's tree. */
function firstErrorNode(top: SyntaxNode): SyntaxNode | undefined {
  let first: SyntaxNode | undefined;
  top.toTree().iterate({
    enter(n) {
      if (n.type.isError && (first === undefined || n.from < first.from)) first = n.node;
    },
  });
  return first;
}

/** Named children, without comments. */
function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== 'LineComment') out.push(c);
  return out;
}

function child(n: SyntaxNode, name: string): SyntaxNode | undefined {
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.name === name) return c;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Syntax errors: Prometheus's "unexpected <token>[ in <context>][, expected <what>]".

function syntaxError(input: string, errNode: SyntaxNode, tokens: readonly Token[]): ParseError {
  const at = errNode.from;
  const tokIndex = tokens.findIndex((t) => t.cat !== 'COMMENT' && t.end > at);
  const tok: Token =
    tokIndex >= 0 ? tokens[tokIndex]! : { cat: 'EOF', start: input.length, end: input.length, val: '' };
  let prev: Token | undefined;
  for (let i = (tokIndex >= 0 ? tokIndex : tokens.length) - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.cat !== 'COMMENT' && t.cat !== 'EOF') {
      prev = t;
      break;
    }
  }
  const parent = errNode.parent;
  if (prev && prev.val === ',' && tok.val === ')' && parent?.name === 'FunctionCallBody') {
    return new ParseError(
      input,
      { start: prev.start, end: prev.end },
      'trailing commas not allowed in function call args',
    );
  }
  const context = parent ? errorContext(parent, errNode) : '';
  return new ParseError(input, { start: tok.start, end: tok.end }, `unexpected ${describeToken(tok)}${context}`);
}

function errorContext(parent: SyntaxNode, errNode: SyntaxNode): string {
  let before: SyntaxNode | null = errNode.prevSibling;
  while (before && (before.type.isError || before.name === 'LineComment')) before = before.prevSibling;
  const b = before?.name;
  switch (parent.name) {
    case 'LabelMatchers':
    case 'UnquotedLabelMatcher':
    case 'QuotedLabelMatcher':
      if (b === 'MatchOp') return ' in label matching, expected string';
      if (b === 'LabelName' || (parent.name === 'QuotedLabelMatcher' && b === 'QuotedLabelName')) {
        return ' in label matching, expected label matching operator';
      }
      if (b === 'UnquotedLabelMatcher' || b === 'QuotedLabelMatcher' || b === 'QuotedLabelName') {
        return ' in label matching, expected "," or "}"';
      }
      return ' in label matching, expected identifier or "}"';
    case 'GroupingLabels':
      return b === 'LabelName' || b === 'QuotedLabelName'
        ? ' in grouping opts, expected "," or ")"'
        : ' in grouping opts, expected label';
    case 'AggregateModifier':
      return ' in grouping opts, expected "("';
    case 'OffsetExpr':
    case 'OffsetDurationExpr':
      return ' in offset, expected number, duration, step(), or range()';
    case 'StepInvariantExpr':
      return ' in @, expected timestamp';
    case 'MatrixSelector':
    case 'SubqueryExpr':
    case 'DurationExpr':
    case 'NumberDurationLiteralInDurationContext':
      return ' in subquery or range selector, expected number, duration, step(), or range()';
    default:
      return '';
  }
}

/** Prometheus's `Item.desc()`. */
function describeToken(t: Token): string {
  const short = (s: string): string =>
    [...s].length > 10 ? goQuote([...s].slice(0, 10).join('')) + '...' : goQuote(s);
  switch (t.cat) {
    case 'EOF':
      return 'end of input';
    case 'IDENT':
      return `identifier ${goQuote(t.val)}`;
    case 'METRIC_IDENT':
      return `metric identifier ${goQuote(t.val)}`;
    case 'NUMBER':
      return `number ${short(t.val)}`;
    case 'DURATION':
      return `duration ${short(t.val)}`;
    case 'STRING':
      return `string ${short(t.val)}`;
    case 'KEYWORD':
      return `<${t.val}>`;
    case 'OP':
      return `<op:${t.val}>`;
    case 'AGGR':
      return `<aggr:${t.val}>`;
    default:
      return short(t.val);
  }
}

// ---------------------------------------------------------------------------------------------
// A port of Prometheus's lexer (promql/parser/lex.go), used for its error messages and
// positions and to describe tokens in syntax errors. Series descriptions are not supported.

type TokenCat =
  'EOF' | 'COMMENT' | 'IDENT' | 'METRIC_IDENT' | 'NUMBER' | 'DURATION' | 'STRING' | 'KEYWORD' | 'OP' | 'AGGR' | 'PUNCT';

interface Token {
  cat: TokenCat;
  start: number;
  end: number;
  val: string;
}

interface LexError {
  msg: string;
  /** The range Prometheus reports. */
  pos: PosRange;
  /** Where the offending text starts, to order this error against syntax errors. */
  at: number;
}

// prettier-ignore
const KEYWORD_CATS: Record<string, TokenCat> = {
  and: 'OP', or: 'OP', unless: 'OP', atan2: 'OP',
  sum: 'AGGR', avg: 'AGGR', count: 'AGGR', min: 'AGGR', max: 'AGGR', group: 'AGGR', stddev: 'AGGR',
  stdvar: 'AGGR', topk: 'AGGR', bottomk: 'AGGR', count_values: 'AGGR', quantile: 'AGGR', limitk: 'AGGR',
  limit_ratio: 'AGGR',
  offset: 'KEYWORD', smoothed: 'KEYWORD', anchored: 'KEYWORD', by: 'KEYWORD', without: 'KEYWORD',
  on: 'KEYWORD', ignoring: 'KEYWORD', group_left: 'KEYWORD', group_right: 'KEYWORD', fill: 'KEYWORD',
  fill_left: 'KEYWORD', fill_right: 'KEYWORD', bool: 'KEYWORD',
  start: 'PUNCT', end: 'PUNCT', step: 'PUNCT', range: 'PUNCT',
  inf: 'NUMBER', nan: 'NUMBER',
};

const EOF_RUNE = -1;
const isSpace = (r: number): boolean => r === 0x20 || r === 0x09 || r === 0x0a || r === 0x0d;
const isDigit = (r: number): boolean => r >= 0x30 && r <= 0x39;
const isAlpha = (r: number): boolean => r === 0x5f || (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a);
const isAlphaNumeric = (r: number): boolean => isAlpha(r) || isDigit(r);

/** Go's `%q` of a rune. */
function goQuoteRune(r: number): string {
  if (r === EOF_RUNE) return "'\uFFFD'";
  const ch = String.fromCodePoint(r);
  if (ch === "'") return "'\\''";
  if (ch === '"') return `'"'`;
  return "'" + goQuote(ch).slice(1, -1) + "'";
}

/** Go's `%#U` of a rune: `U+0063 'c'`. */
function goSharpU(r: number): string {
  const hex = 'U+' + r.toString(16).toUpperCase().padStart(4, '0');
  const printable = goQuote(String.fromCodePoint(r)).length === 3 || r === 0x22 || r === 0x5c;
  return printable ? `${hex} '${String.fromCodePoint(r)}'` : hex;
}

function lexPromql(input: string): { tokens: Token[]; error?: LexError } {
  const lx = new GoLexer(input);
  lx.run();
  return lx.error ? { tokens: lx.tokens, error: lx.error } : { tokens: lx.tokens };
}

class GoLexer {
  readonly tokens: Token[] = [];
  error: LexError | undefined;
  private pos = 0;
  private start = 0;
  private width = 0;
  private parenDepth = 0;
  private braceOpen = false;
  private bracketOpen = false;
  private gotColon = false;
  private gotDuration = false;
  private state: 'statements' | 'braces' | 'duration' = 'statements';

  constructor(private readonly input: string) {}

  run(): void {
    for (let guard = 0; !this.error && guard <= this.input.length * 4 + 16; guard++) {
      const done =
        this.state === 'braces'
          ? this.lexInsideBraces()
          : this.state === 'duration'
            ? this.lexDuration()
            : this.lexStatements();
      if (done) return;
    }
  }

  private next(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF_RUNE;
    }
    const r = this.input.codePointAt(this.pos)!;
    this.width = r > 0xffff ? 2 : 1;
    this.pos += this.width;
    return r;
  }

  private peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  private backup(): void {
    this.pos -= this.width;
  }

  private accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF_RUNE && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  private is(valid: string): boolean {
    const r = this.peek();
    return r !== EOF_RUNE && valid.includes(String.fromCodePoint(r));
  }

  private emit(cat: TokenCat): void {
    this.tokens.push({ cat, start: this.start, end: this.pos, val: this.input.slice(this.start, this.pos) });
    this.start = this.pos;
  }

  private fail(msg: string, at = this.start): true {
    this.error = { msg, pos: { start: this.start, end: this.input.length }, at };
    return true;
  }

  private skipSpaces(): void {
    while (isSpace(this.peek())) this.next();
    this.start = this.pos;
  }

  /** Returns true when lexing is finished (end of input or error). */
  private lexStatements(): boolean {
    if (this.input.startsWith('#', this.pos)) return this.lexComment();
    const r = this.next();
    switch (true) {
      case r === EOF_RUNE:
        if (this.parenDepth !== 0) return this.fail('unclosed left parenthesis');
        if (this.bracketOpen) return this.fail('unclosed left bracket');
        this.emit('EOF');
        return true;
      case r === 0x2c: // ,
        this.emit('PUNCT');
        return false;
      case isSpace(r):
        this.skipSpaces();
        return false;
      case r === 0x2a || r === 0x2f || r === 0x25 || r === 0x2b || r === 0x2d || r === 0x5e: // * / % + - ^
        this.emit('OP');
        return false;
      case r === 0x3d: {
        // =
        const t = this.peek();
        if (t === 0x3d) {
          this.next();
          this.emit('OP');
        } else if (t === 0x7e) {
          return this.fail(`unexpected character after '=': ${goQuoteRune(t)}`);
        } else this.emit('PUNCT');
        return false;
      }
      case r === 0x21: {
        // !
        const t = this.next();
        if (t !== 0x3d) return this.fail(`unexpected character after '!': ${goQuoteRune(t)}`);
        this.emit('OP');
        return false;
      }
      case r === 0x3c || r === 0x3e: // < >
        if (this.peek() === 0x3d || this.peek() === 0x2f) this.next();
        this.emit('OP');
        return false;
      case isDigit(r) || (r === 0x2e && isDigit(this.peek())):
        this.backup();
        return this.lexNumberOrDuration();
      case r === 0x22 || r === 0x27:
        return this.lexString(r);
      case r === 0x60:
        return this.lexRawString();
      case isAlpha(r) || r === 0x3a: {
        if (!this.bracketOpen) {
          this.backup();
          return this.lexKeywordOrIdentifier();
        }
        if (r === 0x3a) {
          if (this.gotColon) return this.fail(`unexpected colon ${goQuoteRune(r)}`);
          this.emit('PUNCT');
          this.gotColon = true;
          this.state = 'duration';
          return false;
        }
        if ('sSmMrR'.includes(String.fromCodePoint(r)) && this.scanDurationKeyword()) return false;
        return this.fail(`unexpected character: ${goQuoteRune(r)}, expected ':'`);
      }
      case r === 0x28:
        this.emit('PUNCT');
        this.parenDepth++;
        return false;
      case r === 0x29:
        this.emit('PUNCT');
        this.parenDepth--;
        if (this.parenDepth < 0) return this.fail(`unexpected right parenthesis ${goQuoteRune(r)}`, this.start - 1);
        return false;
      case r === 0x7b:
        this.emit('PUNCT');
        this.braceOpen = true;
        this.state = 'braces';
        return false;
      case r === 0x5b:
        if (this.bracketOpen) return this.fail(`unexpected left bracket ${goQuoteRune(r)}`);
        this.gotColon = false;
        this.gotDuration = false;
        this.emit('PUNCT');
        this.skipSpaces();
        this.bracketOpen = true;
        this.state = 'duration';
        return false;
      case r === 0x5d:
        if (!this.bracketOpen) return this.fail(`unexpected right bracket ${goQuoteRune(r)}`);
        this.emit('PUNCT');
        this.bracketOpen = false;
        return false;
      case r === 0x40:
        this.emit('OP');
        return false;
      default:
        return this.fail(`unexpected character: ${goQuoteRune(r)}`);
    }
  }

  private lexComment(): boolean {
    this.pos++;
    for (let r = this.next(); r !== 0x0a && r !== 0x0d && r !== EOF_RUNE; r = this.next());
    if (this.width > 0) this.backup();
    this.emit('COMMENT');
    return false;
  }

  private lexInsideBraces(): boolean {
    if (this.input.startsWith('#', this.pos)) return this.lexComment();
    const r = this.next();
    switch (true) {
      case r === EOF_RUNE:
        return this.fail('unexpected end of input inside braces');
      case isSpace(r):
        this.skipSpaces();
        return false;
      case isAlpha(r):
        while (isAlphaNumeric(this.next()));
        if (this.width > 0) this.backup();
        this.emit('IDENT');
        return false;
      case r === 0x2c:
        this.emit('PUNCT');
        return false;
      case r === 0x22 || r === 0x27:
        return this.lexString(r);
      case r === 0x60:
        return this.lexRawString();
      case r === 0x3d:
        if (this.next() === 0x7e) this.emit('OP');
        else {
          this.backup();
          this.emit('PUNCT');
        }
        return false;
      case r === 0x21: {
        const nr = this.next();
        if (nr === 0x7e || nr === 0x3d) {
          this.emit('OP');
          return false;
        }
        return this.fail(`unexpected character after '!' inside braces: ${goQuoteRune(nr)}`);
      }
      case r === 0x7b:
        return this.fail(`unexpected left brace ${goQuoteRune(r)}`);
      case r === 0x7d:
        this.emit('PUNCT');
        this.braceOpen = false;
        this.state = 'statements';
        return false;
      default:
        return this.fail(`unexpected character inside braces: ${goQuoteRune(r)}`);
    }
  }

  private lexDuration(): boolean {
    const r = this.next();
    switch (true) {
      case r === EOF_RUNE:
        return this.fail('unexpected end of input in duration expression');
      case r === 0x5d:
        this.emit('PUNCT');
        this.bracketOpen = false;
        this.gotColon = false;
        this.state = 'statements';
        return false;
      case r === 0x3a:
        this.emit('PUNCT');
        if (!this.gotDuration) return this.fail('unexpected colon before duration in duration expression');
        if (this.gotColon) return this.fail('unexpected repeated colon in duration expression');
        this.gotColon = true;
        return false;
      case r === 0x28:
        this.emit('PUNCT');
        this.parenDepth++;
        return false;
      case r === 0x29:
        this.emit('PUNCT');
        this.parenDepth--;
        if (this.parenDepth < 0) return this.fail(`unexpected right parenthesis ${goQuoteRune(r)}`, this.start - 1);
        return false;
      case isSpace(r):
        this.skipSpaces();
        return false;
      case r === 0x2b || r === 0x2d || r === 0x2a || r === 0x2f || r === 0x25 || r === 0x5e:
        this.emit('OP');
        return false;
      case r === 0x2c:
        this.emit('PUNCT');
        return false;
      case 'sSmMrR'.includes(String.fromCodePoint(Math.max(r, 0))):
        if (this.scanDurationKeyword()) return false;
        return this.fail(`unexpected character in duration expression: ${goQuoteRune(r)}`);
      case isDigit(r) || (r === 0x2e && isDigit(this.peek())):
        this.backup();
        this.gotDuration = true;
        return this.lexNumberOrDuration();
      default:
        return this.fail(`unexpected character in duration expression: ${goQuoteRune(r)}`);
    }
  }

  private scanDurationKeyword(): boolean {
    while (isAlpha(this.next()));
    if (this.width > 0) this.backup();
    const word = this.input.slice(this.start, this.pos).toLowerCase();
    if (['step', 'range', 'min', 'max', 'min_of', 'max_of'].includes(word)) {
      this.emit('PUNCT');
      return true;
    }
    return false;
  }

  private lexNumberOrDuration(): boolean {
    if (this.scanNumber()) {
      this.emit('NUMBER');
      this.state = 'statements';
      return false;
    }
    if (this.acceptRemainingDuration()) {
      this.backup();
      this.emit('DURATION');
      this.state = 'statements';
      return false;
    }
    return this.fail(`bad number or duration syntax: ${goQuote(this.input.slice(this.start, this.pos))}`);
  }

  private acceptRemainingDuration(): boolean {
    if (!this.accept('smhdwy')) return false;
    this.accept('s');
    while (this.accept('0123456789')) {
      while (this.accept('0123456789'));
      if (!this.accept('smhdw')) return false;
      this.accept('s');
    }
    return !isAlphaNumeric(this.next());
  }

  private scanNumber(): boolean {
    const initial = this.pos;
    let digits = '0123456789';
    if (this.accept('0') && this.accept('xX')) {
      this.accept('_');
      digits = '0123456789abcdefABCDEF';
    }
    this.accept('.');
    this.accept(digits);
    let dot = false;
    let exponent = false;
    while (this.is(digits + '._eE')) {
      if (this.is('.') && dot) {
        this.accept('.');
        return false;
      }
      if (this.is('eE') && exponent) {
        this.accept('eE');
        return false;
      }
      if (this.accept('.')) {
        dot = true;
        if (this.accept('_.')) return false;
        if (digits.length > 10) return false;
        continue;
      }
      if (this.accept('eE')) {
        exponent = true;
        this.accept('+-');
        if (this.accept('._eE') || this.peek() === EOF_RUNE) return false;
        continue;
      }
      if (this.accept('_')) {
        if (this.accept('._eE') || this.peek() === EOF_RUNE) return false;
        continue;
      }
      while (this.accept(digits));
    }
    if (this.pos === initial) return false;
    return !isAlphaNumeric(this.peek());
  }

  private lexKeywordOrIdentifier(): boolean {
    for (let r = this.next(); isAlphaNumeric(r) || r === 0x3a; r = this.next());
    if (this.width > 0) this.backup();
    const word = this.input.slice(this.start, this.pos);
    const lower = word.toLowerCase();
    const cat = KEYWORD_CATS[lower];
    if (cat !== undefined && !(lower.startsWith('fill') && !/^\s*\(/.test(this.input.slice(this.pos)))) this.emit(cat);
    else this.emit(word.includes(':') ? 'METRIC_IDENT' : 'IDENT');
    return false;
  }

  private lexString(quote: number): boolean {
    for (;;) {
      const r = this.next();
      if (r === 0x5c) {
        if (this.lexEscape(quote)) return true;
        continue;
      }
      if (r === 0xfffd || (r >= 0xd800 && r < 0xe000)) return this.fail('invalid UTF-8 rune');
      if (r === EOF_RUNE || r === 0x0a) return this.fail('unterminated quoted string');
      if (r === quote) break;
    }
    this.emit('STRING');
    return false;
  }

  /** Validates one escape sequence after a backslash; true on error. */
  private lexEscape(quote: number): boolean {
    let ch = this.next();
    let n: number;
    let base: number;
    let max: number;
    switch (true) {
      case ch === EOF_RUNE:
        return this.fail('escape sequence not terminated');
      case 'abfnrtv\\'.includes(String.fromCodePoint(ch)) || ch === quote:
        return false;
      case ch >= 0x30 && ch <= 0x37:
        [n, base, max] = [3, 8, 255];
        break;
      case ch === 0x78:
        ch = this.next();
        [n, base, max] = [2, 16, 255];
        break;
      case ch === 0x75:
        ch = this.next();
        [n, base, max] = [4, 16, 0x10ffff];
        break;
      case ch === 0x55:
        ch = this.next();
        [n, base, max] = [8, 16, 0x10ffff];
        break;
      default:
        return this.fail(`unknown escape sequence ${goSharpU(ch)}`);
    }
    let x = 0;
    while (n > 0) {
      const d = digitValue(ch);
      if (d >= base) {
        if (ch === EOF_RUNE) return this.fail('escape sequence not terminated');
        return this.fail(`illegal character ${goSharpU(ch)} in escape sequence`);
      }
      x = x * base + d;
      n--;
      if (n > 0) ch = this.next();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) return this.fail('escape sequence is an invalid Unicode code point');
    return false;
  }

  private lexRawString(): boolean {
    for (;;) {
      const r = this.next();
      if (r === 0xfffd || (r >= 0xd800 && r < 0xe000)) return this.fail('invalid UTF-8 rune');
      if (r === EOF_RUNE) return this.fail('unterminated raw string');
      if (r === 0x60) break;
    }
    this.emit('STRING');
    return false;
  }
}

function digitValue(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
  if (ch >= 0x61 && ch <= 0x66) return ch - 0x61 + 10;
  if (ch >= 0x41 && ch <= 0x46) return ch - 0x41 + 10;
  return 16;
}

// ---------------------------------------------------------------------------------------------
// Literal values with Go's semantics.

/** Go's `strconv.ParseInt(s, 0, 64)` then `ParseFloat(s, 64)`, as Prometheus's `parser.number`. */
function parseGoNumber(s: string): number | { error: string } {
  const lower = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(lower)) return NaN;
  const asInt = parseGoInt(s);
  if (asInt !== undefined) return asInt;
  return parseGoFloat(s);
}

function underscoresOk(s: string): boolean {
  if (!s.includes('_')) return true;
  // Underscores only between digits, or between a base prefix and a digit.
  let body = s;
  let saw = '^';
  let hex = false;
  if (/^0[xXbBoO]/.test(body)) {
    saw = '0';
    hex = /^0[xX]/.test(body);
    body = body.slice(2);
  }
  for (const c of body) {
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) saw = '0';
    else if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

function parseGoInt(s: string): number | undefined {
  if (!underscoresOk(s)) return undefined;
  const t = s.replace(/_/g, '');
  let digits: string;
  let base: number;
  if (/^0[xX]/.test(t)) [digits, base] = [t.slice(2), 16];
  else if (/^0[bB]/.test(t)) [digits, base] = [t.slice(2), 2];
  else if (/^0[oO]/.test(t)) [digits, base] = [t.slice(2), 8];
  else if (/^0[0-9]/.test(t)) [digits, base] = [t.slice(1), 8];
  else [digits, base] = [t, 10];
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base];
  if (!valid || !valid.test(digits)) return undefined;
  const v = BigInt((base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '') + digits);
  if (v > 0x7fffffffffffffffn) return undefined;
  return Number(v);
}

function parseGoFloat(s: string): number | { error: string } {
  const bad = { error: `strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax` };
  if (!underscoresOk(s)) return bad;
  const t = s.replace(/_/g, '');
  let v: number;
  if (/^[+-]?0[xX]/.test(t)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(t);
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) return bad;
    const mant = parseInt((m[2] ?? '') + (m[3] ?? ''), 16) / Math.pow(16, (m[3] ?? '').length);
    v = (m[1] === '-' ? -1 : 1) * mant * Math.pow(2, Number(m[4]));
  } else {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return bad;
    v = Number(t);
  }
  if (!Number.isFinite(v)) return { error: `strconv.ParseFloat: parsing ${goQuote(s)}: value out of range` };
  return v;
}

const DURATION_UNITS: Record<string, [order: number, ms: number]> = {
  y: [1, 365 * 24 * 3600_000],
  w: [2, 7 * 24 * 3600_000],
  d: [3, 24 * 3600_000],
  h: [4, 3600_000],
  m: [5, 60_000],
  s: [6, 1000],
  ms: [7, 1],
};
const MAX_DURATION_MS = 9223372036854.775; // 2^63 ns

/** Prometheus's `model.ParseDuration`, in milliseconds. */
function parseGoDuration(s: string): number | { error: string } {
  if (s === '') return { error: 'empty duration string' };
  if (s === '0') return 0;
  const invalid = { error: `not a valid duration string: ${goQuote(s)}` };
  let rest = s;
  let total = 0;
  let lastOrder = 0;
  while (rest !== '') {
    const m = /^(\d*)(\D*)/.exec(rest)!;
    const num = m[1] ?? '';
    const unit = m[2] ?? '';
    if (num === '' || unit === '') return invalid;
    rest = rest.slice(num.length + unit.length);
    const u = DURATION_UNITS[unit];
    if (!u) return { error: `unknown unit ${goQuote(unit)} in duration ${goQuote(s)}` };
    if (u[0] <= lastOrder) return invalid;
    lastOrder = u[0];
    total += Number(num) * u[1];
    if (total > MAX_DURATION_MS) return { error: 'duration out of range' };
  }
  return total;
}

/**
 * Prometheus's `strutil.Unquote`. Bytes from `\x`/octal escapes that do not form valid UTF-8 are
 * kept as lone surrogates U+DC80..U+DCFF, so they stay visible (`isWellFormed()` is false) and the
 * printer can write them back as `\xNN`.
 */
function unquoteString(s: string): string | undefined {
  const quote = s[0];
  if (s.length < 2 || quote !== s[s.length - 1]) return undefined;
  const body = s.slice(1, -1);
  if (quote === '`') return body.includes('`') ? undefined : body;
  if (quote !== '"' && quote !== "'") return undefined;
  if (body.includes('\n')) return undefined;
  if (!body.includes('\\') && !body.includes(quote)) return body;
  const bytes: number[] = [];
  const pushRune = (r: number): void => {
    for (const b of new TextEncoder().encode(String.fromCodePoint(r))) bytes.push(b);
  };
  const cps = [...body];
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === quote) return undefined;
    if (c !== '\\') {
      pushRune(c.codePointAt(0)!);
      continue;
    }
    const e = cps[++i];
    if (e === undefined) return undefined;
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
    if (simple[e] !== undefined) bytes.push(simple[e]);
    else if (e === "'" || e === '"') {
      if (e !== quote) return undefined;
      bytes.push(e.charCodeAt(0));
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = cps.slice(i + 1, i + 1 + n).join('');
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return undefined;
      i += n;
      const v = parseInt(hex, 16);
      if (e === 'x') bytes.push(v);
      else if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return undefined;
      else pushRune(v);
    } else if (e >= '0' && e <= '7') {
      const oct = cps.slice(i, i + 3).join('');
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      i += 2;
      const v = parseInt(oct, 8);
      if (v > 255) return undefined;
      bytes.push(v);
    } else return undefined;
  }
  return decodeUtf8Lossless(bytes);
}

function decodeUtf8Lossless(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    let need = 0;
    let cp = 0;
    let min = 0;
    if (b < 0x80) [need, cp] = [0, b];
    else if (b >= 0xc2 && b <= 0xdf) [need, cp, min] = [1, b & 0x1f, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, cp, min] = [2, b & 0x0f, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, cp, min] = [3, b & 0x07, 0x10000];
    else need = -1;
    let ok = need >= 0;
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (ok && need > 0 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))) ok = false;
    if (ok) {
      out += String.fromCodePoint(cp);
      i += need + 1;
    } else {
      out += String.fromCharCode(0xdc00 + b);
      i++;
    }
  }
  return out;
}

/** Go's `math.Round`: halves away from zero. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Go's `%f` (six decimals). */
function formatGoF6(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (Math.abs(v) < 1e21) return v.toFixed(6);
  return BigInt(v).toString() + '.000000';
}

const DOCUMENTED_TYPE: Record<ValueType, string> = {
  scalar: 'scalar',
  string: 'string',
  vector: 'instant vector',
  matrix: 'range vector',
};

// ---------------------------------------------------------------------------------------------
// Building the AST.

// prettier-ignore
const BINARY_OPS: Record<string, BinaryOp> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^', Atan2: 'atan2', Eql: '==', Neq: '!=',
  Lte: '<=', Lss: '<', Gte: '>=', Gtr: '>', TrimUpper: '</', TrimLower: '>/', And: 'and', Or: 'or',
  Unless: 'unless',
};

// prettier-ignore
const PRECEDENCE: Record<BinaryOp, number> = {
  or: 1, and: 2, unless: 2, '==': 3, '!=': 3, '<=': 3, '<': 3, '>=': 3, '>': 3, '</': 3, '>/': 3,
  '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, atan2: 5, '^': 6,
};
/** Unary `-`/`+` take their operand at `*` precedence: only `^` binds tighter. */
const UNARY_OPERAND_PRECEDENCE = 6;

const COMPARISON_OPS = new Set<BinaryOp>(['==', '!=', '<=', '<', '>=', '>']);
const SET_OPS = new Set<BinaryOp>(['and', 'or', 'unless']);
const PARAM_AGGREGATIONS = new Set<AggregateOp>([
  'topk',
  'bottomk',
  'count_values',
  'quantile',
  'limitk',
  'limit_ratio',
]);
// prettier-ignore
const AGGREGATE_OPS = new Set<string>([
  'sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'count_values',
  'quantile', 'limitk', 'limit_ratio',
]);
const POSTFIX_NODES = new Set([
  'OffsetExpr',
  'StepInvariantExpr',
  'MatrixSelector',
  'SubqueryExpr',
  'AnchoredExpr',
  'SmoothedExpr',
]);

/** One element of an expression chain in source order. */
type ChainItem =
  | { kind: 'prefix'; op: '-' | '+'; start: number; end: number }
  | { kind: 'operand'; node: SyntaxNode }
  | { kind: 'number'; start: number; end: number }
  | { kind: 'postfix'; node: SyntaxNode }
  | { kind: 'binary'; node: SyntaxNode; op: BinaryOp; opNode: SyntaxNode };

/** A duration expression under construction; `literal` is set while it is a plain (signed) number. */
interface DurNode {
  expr: DurationExpr;
  pos: PosRange;
  literal?: { seconds: number; ms?: number };
}

type DurItem =
  | { kind: 'prefix'; op: '-' | '+'; start: number; end: number }
  | { kind: 'operand'; node: SyntaxNode }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '%' | '^'; opNode: SyntaxNode };

const DURATION_OPS: Record<string, '+' | '-' | '*' | '/' | '%' | '^'> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
};
const DURATION_PRECEDENCE: Record<'+' | '-' | '*' | '/' | '%' | '^', number> = {
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '^': 6,
};
const MAX_DURATION_SECONDS = 2 ** 63 / 1e9;

class Builder {
  private tokensByStart: Map<number, Token> | undefined;

  constructor(
    private readonly input: string,
    private readonly tokens: readonly Token[],
    private readonly experimental: boolean,
  ) {}

  private fail(pos: PosRange, msg: string): never {
    throw new ParseError(this.input, pos, msg);
  }

  private text(n: SyntaxNode | PosRange): string {
    return 'from' in n ? this.input.slice(n.from, n.to) : this.input.slice(n.start, n.end);
  }

  private range(n: SyntaxNode): PosRange {
    return { start: n.from, end: n.to };
  }

  /** First position at or after `pos` that is not whitespace or a comment. */
  private skipBlank(pos: number): number {
    const s = this.input;
    for (;;) {
      while (pos < s.length && /\s/.test(s[pos]!)) pos++;
      if (s[pos] !== '#') return pos;
      while (pos < s.length && s[pos] !== '\n') pos++;
    }
  }

  // ---- expression chains

  expr(node: SyntaxNode): Expr {
    const items: ChainItem[] = [];
    this.flatten(node, items);
    const state = { i: 0 };
    const e = this.parseChain(items, state, 0);
    if (state.i !== items.length) this.fail(this.range(node), 'unexpected token in expression');
    return e;
  }

  private flatten(node: SyntaxNode, out: ChainItem[]): void {
    const ch = children(node);
    switch (node.name) {
      case 'BinaryExpr': {
        const lhs = ch[0];
        const opNode = ch[1];
        const rhs = ch[ch.length - 1];
        const op = opNode && BINARY_OPS[opNode.name];
        if (!lhs || !opNode || !rhs || !op) this.fail(this.range(node), 'malformed binary expression');
        this.flatten(lhs, out);
        out.push({ kind: 'binary', node, op, opNode });
        this.flatten(rhs, out);
        return;
      }
      case 'UnaryExpr': {
        const opNode = ch[0];
        const operand = ch[1];
        if (!opNode || !operand) this.fail(this.range(node), 'malformed unary expression');
        out.push({ kind: 'prefix', op: this.text(opNode) === '-' ? '-' : '+', start: opNode.from, end: opNode.to });
        this.flatten(operand, out);
        return;
      }
      case 'NumberDurationLiteral': {
        const first = this.input[node.from];
        if (first === '-' || first === '+') {
          out.push({ kind: 'prefix', op: first, start: node.from, end: node.from + 1 });
          out.push({ kind: 'number', start: this.skipBlank(node.from + 1), end: node.to });
        } else out.push({ kind: 'number', start: node.from, end: node.to });
        return;
      }
      default:
        if (POSTFIX_NODES.has(node.name)) {
          const base = ch[0];
          if (!base) this.fail(this.range(node), 'malformed expression');
          this.flatten(base, out);
          out.push({ kind: 'postfix', node });
          return;
        }
        out.push({ kind: 'operand', node });
    }
  }

  private parseChain(items: readonly ChainItem[], st: { i: number }, minPrec: number): Expr {
    let lhs = this.parseUnary(items, st);
    for (;;) {
      const item = items[st.i];
      if (item?.kind !== 'binary') return lhs;
      const prec = PRECEDENCE[item.op];
      if (prec < minPrec) return lhs;
      st.i++;
      const rhs = this.parseChain(items, st, item.op === '^' ? prec : prec + 1);
      lhs = this.binary(lhs, item, rhs);
    }
  }

  private parseUnary(items: readonly ChainItem[], st: { i: number }): Expr {
    const item = items[st.i];
    if (item === undefined) this.fail({ start: this.input.length, end: this.input.length }, 'unexpected end of input');
    if (item.kind === 'prefix') {
      st.i++;
      const operand = this.parseChain(items, st, UNARY_OPERAND_PRECEDENCE);
      const pos = { start: item.start, end: operand.pos.end };
      if (operand.type === 'NumberLiteral') {
        // Prometheus folds the sign into a number literal that directly follows it.
        const value = item.op === '-' ? -operand.value : operand.value;
        const lit: NumberLiteral = { type: 'NumberLiteral', value, pos };
        // Duration literals are whole milliseconds, so rounding undoes the float error of ms/1000.
        if (operand.durationText !== undefined) lit.durationText = formatSignedDuration(Math.round(value * 1000));
        return lit;
      }
      return { type: 'UnaryExpr', op: item.op, expr: operand, pos };
    }
    let e: Expr;
    if (item.kind === 'number') e = this.numberLiteral({ start: item.start, end: item.end });
    else if (item.kind === 'operand') e = this.operand(item.node);
    else this.fail(item.kind === 'binary' ? this.range(item.opNode) : this.range(item.node), 'unexpected operator');
    st.i++;
    for (let p = items[st.i]; p?.kind === 'postfix'; p = items[++st.i]) e = this.postfix(e, p.node);
    return e;
  }

  private binary(lhs: Expr, item: Extract<ChainItem, { kind: 'binary' }>, rhs: Expr): Expr {
    const node = item.node;
    const pos = { start: lhs.pos.start, end: rhs.pos.end };
    const matching: VectorMatching = { card: 'one-to-one', matchingLabels: [], on: false, written: false, include: [] };
    const clause = child(node, 'MatchingModifierClause');
    if (clause) {
      const ch = children(clause);
      matching.written = true;
      matching.on = ch[0]?.name === 'On';
      const labels = ch[1];
      if (labels?.name === 'GroupingLabels') matching.matchingLabels = this.groupingLabels(labels);
      const group = ch[2];
      if (group?.name === 'GroupLeft' || group?.name === 'GroupRight') {
        matching.card = group.name === 'GroupLeft' ? 'many-to-one' : 'one-to-many';
        const inc = ch[3];
        if (inc?.name === 'GroupingLabels') matching.include = this.groupingLabels(inc);
      }
    }
    const fill = child(node, 'FillModifier');
    if (fill) {
      for (const c of children(fill)) {
        const lit = children(c).find((n) => n.name === 'NumberDurationLiteral');
        if (!lit) continue;
        const v = this.signedNumber(lit);
        if (c.name === 'FillClause') matching.fillLeft = matching.fillRight = v;
        else if (c.name === 'FillLeftClause') matching.fillLeft = v;
        else if (c.name === 'FillRightClause') matching.fillRight = v;
      }
      if (!this.experimental) this.fail(pos, 'binop fill modifiers are experimental and not enabled');
    }
    return {
      type: 'BinaryExpr',
      op: item.op,
      lhs,
      rhs,
      matching,
      returnBool: child(node, 'BoolModifier') !== undefined,
      pos,
    };
  }

  private operand(node: SyntaxNode): Expr {
    switch (node.name) {
      case 'VectorSelector':
        return this.vectorSelector(node);
      case 'StringLiteral':
        return { type: 'StringLiteral', value: this.stringValue(node), pos: this.range(node) };
      case 'ParenExpr': {
        const inner = children(node)[0];
        if (!inner) this.fail(this.range(node), 'unexpected end of input');
        return { type: 'ParenExpr', expr: this.expr(inner), pos: this.range(node) };
      }
      case 'FunctionCall':
        return this.call(node);
      case 'AggregateExpr':
        return this.aggregate(node);
      default:
        if (POSTFIX_NODES.has(node.name) || node.name === 'BinaryExpr' || node.name === 'UnaryExpr')
          return this.expr(node);
        return this.fail(this.range(node), `unexpected ${node.name}`);
    }
  }

  // ---- leaves

  private tokenAt(start: number): Token | undefined {
    if (!this.tokensByStart) {
      this.tokensByStart = new Map();
      for (const t of this.tokens) if (t.cat !== 'COMMENT') this.tokensByStart.set(t.start, t);
    }
    return this.tokensByStart.get(start);
  }

  /** The literal's text as Prometheus's lexer saw it (lezer may have seen a same-length stand-in). */
  private literalText(r: PosRange): string {
    return this.tokenAt(r.start)?.val ?? this.text(r);
  }

  private numberLiteral(r: PosRange): NumberLiteral {
    const v = this.literalValue(r);
    const lit: NumberLiteral = { type: 'NumberLiteral', value: v.seconds, pos: r };
    if (v.ms !== undefined) lit.durationText = formatSignedDuration(v.ms);
    return lit;
  }

  /** Value of a NUMBER or DURATION token in seconds; `ms` is set for durations. */
  private literalValue(r: PosRange): { seconds: number; ms?: number } {
    const text = this.literalText(r);
    if (/^[0-9]/.test(text) && /[a-zA-Z]$/.test(text) && !/^0[xX]/.test(text)) {
      const ms = parseGoDuration(text);
      if (typeof ms !== 'number') this.fail(r, ms.error);
      return { seconds: ms / 1000, ms };
    }
    const v = parseGoNumber(text);
    if (typeof v !== 'number') this.fail(r, `error parsing number: ${v.error}`);
    return { seconds: v };
  }

  private signedNumber(node: SyntaxNode): number {
    const first = this.input[node.from];
    if (first === '-' || first === '+') {
      const v = this.literalValue({ start: this.skipBlank(node.from + 1), end: node.to }).seconds;
      return first === '-' ? -v : v;
    }
    return this.literalValue(this.range(node)).seconds;
  }

  private stringValue(node: SyntaxNode): string {
    const raw = this.text(node);
    const v = unquoteString(raw);
    if (v === undefined) this.fail(this.range(node), `error unquoting string ${goQuote(raw)}: invalid syntax`);
    return v;
  }

  private groupingLabels(node: SyntaxNode): string[] {
    const out: string[] = [];
    for (const c of children(node)) {
      if (c.name === 'LabelName') out.push(this.text(c));
      else if (c.name === 'QuotedLabelName') {
        const s = children(c)[0] ?? c;
        const v = this.stringValue(s);
        if (v === '' || !v.isWellFormed()) this.fail(this.range(s), `invalid label name for grouping: ${goQuote(v)}`);
        out.push(v);
      }
    }
    return out;
  }

  private vectorSelector(node: SyntaxNode): VectorSelector {
    const ident = child(node, 'Identifier');
    const matchersNode = child(node, 'LabelMatchers');
    const explicit: Matcher[] = [];
    if (matchersNode) {
      for (const m of children(matchersNode)) {
        if (m.name === 'QuotedLabelName') {
          const s = children(m)[0] ?? m;
          explicit.push(this.matcher('=', '__name__', this.stringValue(s), this.range(s)));
          continue;
        }
        const [nameNode, opNode, valueNode] = children(m);
        if (!nameNode || !opNode || !valueNode) continue;
        const name =
          nameNode.name === 'QuotedLabelName'
            ? this.stringValue(children(nameNode)[0] ?? nameNode)
            : this.text(nameNode);
        const op = this.text(opNode) as MatchType;
        explicit.push(this.matcher(op, name, this.stringValue(valueNode), { start: nameNode.from, end: valueNode.to }));
      }
    }
    // Sorted like the printer writes them, so that printing and parsing again gives the same list.
    const sorted = explicit
      .map((m) => [formatMatcher(m), m] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, m]) => m);
    const vs: VectorSelector = { type: 'VectorSelector', matchers: sorted, pos: this.range(node) };
    if (ident) {
      vs.name = this.text(ident);
      vs.matchers.push(new Matcher('=', '__name__', vs.name));
    }
    return vs;
  }

  private matcher(op: MatchType, name: string, value: string, pos: PosRange): Matcher {
    try {
      return new Matcher(op, name, value);
    } catch (err) {
      if (err instanceof RegexError) this.fail(pos, err.message);
      throw err;
    }
  }

  private call(node: SyntaxNode): Call {
    const ident = child(node, 'FunctionIdentifier');
    const body = child(node, 'FunctionCallBody');
    if (!ident || !body) this.fail(this.range(node), 'malformed function call');
    const args = children(body).map((a) => this.expr(a));
    const written = this.text(ident);
    const lower = written.toLowerCase();
    // Like Prometheus's lexer, these keyword-functions are case-insensitive; other names are not.
    const name = ['step', 'range', 'start', 'end', 'min_of', 'max_of'].includes(lower) ? lower : written;
    const f = getFunction(name);
    const identPos = this.range(ident);
    if (!f) this.fail(identPos, `unknown function with name ${goQuote(name)}`);
    if (f.experimental && !this.experimental) this.fail(identPos, `function ${goQuote(name)} is not enabled`);
    return { type: 'Call', func: name, args, pos: { start: ident.from, end: node.to } };
  }

  private aggregate(node: SyntaxNode): AggregateExpr {
    const opNode = child(node, 'AggregateOp');
    const body = child(node, 'FunctionCallBody');
    if (!opNode || !body) this.fail(this.range(node), 'malformed aggregation');
    const args = children(body).map((a) => this.expr(a));
    const op = this.text(opNode).toLowerCase();
    if (!AGGREGATE_OPS.has(op)) this.fail(this.range(opNode), `unknown aggregation ${goQuote(op)}`);
    const aggOp = op as AggregateOp;
    const pos = this.range(node);
    let grouping: string[] = [];
    let without = false;
    const modifier = child(node, 'AggregateModifier');
    if (modifier) {
      without = child(modifier, 'Without') !== undefined;
      const labels = child(modifier, 'GroupingLabels');
      if (labels) grouping = this.groupingLabels(labels);
    }
    if (args.length === 0) this.fail(pos, 'no arguments for aggregate expression provided');
    let desired = 1;
    if (PARAM_AGGREGATIONS.has(aggOp)) {
      if ((aggOp === 'limitk' || aggOp === 'limit_ratio') && !this.experimental) {
        this.fail(
          pos,
          `${aggOp}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`,
        );
      }
      desired = 2;
    }
    if (args.length !== desired) {
      this.fail(
        pos,
        `wrong number of arguments for aggregate expression provided, expected ${desired}, got ${args.length}`,
      );
    }
    const agg: AggregateExpr = {
      type: 'AggregateExpr',
      op: aggOp,
      expr: args[desired - 1]!,
      grouping,
      without,
      groupingWritten: modifier !== undefined,
      pos,
    };
    if (desired === 2) agg.param = args[0]!;
    return agg;
  }

  // ---- postfix modifiers

  private postfix(base: Expr, node: SyntaxNode): Expr {
    switch (node.name) {
      case 'OffsetExpr':
        return this.offset(base, node);
      case 'StepInvariantExpr':
        return this.at(base, node);
      case 'MatrixSelector':
        return this.matrix(base, node);
      case 'SubqueryExpr':
        return this.subquery(base, node);
      default:
        return this.extendedRange(base, node, node.name === 'AnchoredExpr' ? 'anchored' : 'smoothed');
    }
  }

  /** The selector or subquery that offset/@ attach to (a range selector's inner vector selector). */
  private modifierTarget(base: Expr, what: string): VectorSelector | SubqueryExpr {
    if (base.type === 'VectorSelector' || base.type === 'SubqueryExpr') return base;
    if (base.type === 'MatrixSelector') return base.vectorSelector;
    return this.fail(
      base.pos,
      `${what} modifier must be preceded by an instant vector selector or range vector selector or a subquery`,
    );
  }

  private offset(base: Expr, node: SyntaxNode): Expr {
    const durNode = child(node, 'OffsetDurationExpr');
    if (!durNode)
      this.fail(this.range(node), 'unexpected end of input in offset, expected number, duration, step(), or range()');
    const d = this.duration(durNode, false);
    const target = this.modifierTarget(base, 'offset');
    if (target.offset !== undefined) this.fail(base.pos, 'offset may not be set multiple times');
    if (d.expr !== undefined || d.ms !== 0) target.offset = d;
    this.extendEnd(base, node.to);
    return base;
  }

  private at(base: Expr, node: SyntaxNode): Expr {
    const ch = children(node);
    const value = ch[ch.length - 1];
    if (!value) this.fail(this.range(node), 'unexpected end of input in @, expected timestamp');
    const at: AtModifier = {};
    if (value.name === 'AtModifierPreprocessors') {
      at.preprocessor = child(value, 'AtStart') ? 'start' : 'end';
    } else {
      const ts = this.signedNumber(value);
      if (!Number.isFinite(ts) || ts >= 2 ** 63 || ts <= -(2 ** 63)) {
        this.fail(base.pos, `timestamp out of bounds for @ modifier: ${formatGoF6(ts)}`);
      }
      at.timestampMs = goRound(ts * 1000);
    }
    const target = this.modifierTarget(base, '@');
    if (target.at !== undefined) this.fail(base.pos, '@ <timestamp> may not be set multiple times');
    target.at = at;
    this.extendEnd(base, node.to);
    return base;
  }

  private extendEnd(e: Expr, end: number): void {
    e.pos = { start: e.pos.start, end };
  }

  private matrix(base: Expr, node: SyntaxNode): MatrixSelector {
    const durNode = child(node, 'DurationExpr');
    if (!durNode)
      this.fail(
        this.range(node),
        'unexpected "]" in subquery or range selector, expected number, duration, step(), or range()',
      );
    const range = this.duration(durNode, true);
    const bracket = { start: this.input.lastIndexOf('[', durNode.from), end: node.to };
    if (base.type !== 'VectorSelector') this.fail(bracket, 'ranges only allowed for vector selectors');
    if (base.offset !== undefined) this.fail(bracket, 'no offset modifiers allowed before range');
    if (base.at !== undefined) this.fail(bracket, 'no @ modifiers allowed before range');
    const ms: MatrixSelector = {
      type: 'MatrixSelector',
      vectorSelector: base,
      range,
      pos: { start: base.pos.start, end: node.to },
    };
    if (base.modifier !== undefined) {
      ms.modifier = base.modifier;
      delete base.modifier;
    }
    return ms;
  }

  private subquery(base: Expr, node: SyntaxNode): SubqueryExpr {
    const durs = children(node).filter((c) => c.name === 'DurationExpr');
    const rangeNode = durs[0];
    if (!rangeNode)
      this.fail(
        this.range(node),
        'unexpected ":" in subquery or range selector, expected number, duration, step(), or range()',
      );
    const range = this.duration(rangeNode, true);
    const sq: SubqueryExpr = { type: 'SubqueryExpr', expr: base, range, pos: { start: base.pos.start, end: node.to } };
    if (durs[1]) sq.step = this.duration(durs[1], true);
    return sq;
  }

  private extendedRange(base: Expr, node: SyntaxNode, modifier: 'anchored' | 'smoothed'): Expr {
    if (!this.experimental) this.fail(base.pos, `${modifier} modifier is experimental and not enabled`);
    if (base.type === 'VectorSelector' || base.type === 'MatrixSelector') {
      if (base.modifier !== undefined && base.modifier !== modifier) {
        this.fail(base.pos, 'anchored and smoothed modifiers cannot be used together');
      }
      base.modifier = modifier;
      return base;
    }
    if (base.type === 'SubqueryExpr') this.fail(base.pos, `${modifier} modifier is not supported for subqueries`);
    return this.fail(this.range(node), `${modifier} modifier not implemented`);
  }

  // ---- durations

  /**
   * A range, step or offset. A plain (signed) number or duration gives `{ms}`; anything else is a
   * duration expression (experimental) kept in `expr`, with `ms` precomputed when constant.
   */
  private duration(node: SyntaxNode, positive: boolean): Duration {
    const items: DurItem[] = [];
    this.flattenDuration(node, items);
    const st = { i: 0 };
    const d = this.parseDurationChain(items, st, 0);
    if (d.literal) {
      if (positive && d.literal.seconds <= 0) this.fail(d.pos, 'duration must be greater than 0');
      return { ms: d.literal.ms ?? goRound(d.literal.seconds * 1e9) / 1e6 };
    }
    if (!this.experimental) this.fail(this.range(node), 'experimental duration expression is not enabled');
    return { ms: constantDurationMs(d.expr), expr: d.expr };
  }

  private flattenDuration(node: SyntaxNode, out: DurItem[]): void {
    const ch = children(node);
    const first = ch[0];
    if (!first) this.fail(this.range(node), 'unexpected end of input in duration expression');
    if (
      ch.length === 3 &&
      DURATION_OPS[ch[1]!.name] !== undefined &&
      (first.name === 'DurationExpr' || first.name === 'OffsetDurationExpr')
    ) {
      this.flattenDuration(first, out);
      out.push({ kind: 'binary', op: DURATION_OPS[ch[1]!.name]!, opNode: ch[1]! });
      this.flattenDuration(ch[2]!, out);
      return;
    }
    if (first.name === 'UnaryOp') {
      out.push({ kind: 'prefix', op: this.text(first) === '-' ? '-' : '+', start: first.from, end: first.to });
      const operand = ch[1];
      if (!operand) this.fail(this.range(node), 'unexpected end of input in duration expression');
      this.flattenDuration(operand, out);
      return;
    }
    out.push({ kind: 'operand', node });
  }

  private parseDurationChain(items: readonly DurItem[], st: { i: number }, minPrec: number): DurNode {
    let lhs = this.parseDurationUnary(items, st);
    for (;;) {
      const item = items[st.i];
      if (item?.kind !== 'binary') return lhs;
      const prec = DURATION_PRECEDENCE[item.op];
      if (prec < minPrec) return lhs;
      st.i++;
      const rhs = this.parseDurationChain(items, st, item.op === '^' ? prec : prec + 1);
      if ((item.op === '/' || item.op === '%') && rhs.literal && rhs.literal.seconds === 0) {
        this.fail(this.range(item.opNode), item.op === '/' ? 'division by zero' : 'modulo by zero');
      }
      lhs = {
        expr: { kind: 'binary', op: item.op, lhs: lhs.expr, rhs: rhs.expr },
        pos: { start: lhs.pos.start, end: rhs.pos.end },
      };
    }
  }

  private parseDurationUnary(items: readonly DurItem[], st: { i: number }): DurNode {
    const item = items[st.i];
    if (item === undefined)
      this.fail({ start: this.input.length, end: this.input.length }, 'unexpected end of input in duration expression');
    st.i++;
    if (item.kind === 'prefix') {
      const operand = this.parseDurationChain(items, st, UNARY_OPERAND_PRECEDENCE);
      const pos = { start: item.start, end: operand.pos.end };
      if (operand.literal) {
        const sign = item.op === '-' ? -1 : 1;
        const seconds = sign * operand.literal.seconds;
        if (seconds > MAX_DURATION_SECONDS || seconds < -MAX_DURATION_SECONDS)
          this.fail({ start: item.start, end: item.end }, 'duration out of range');
        return this.durationLiteral(
          seconds,
          operand.literal.ms === undefined ? undefined : sign * operand.literal.ms,
          pos,
        );
      }
      // Like Prometheus, a unary plus on a duration expression is dropped.
      if (item.op === '+') return { expr: operand.expr, pos };
      return { expr: { kind: 'unary', op: '-', arg: operand.expr }, pos };
    }
    if (item.kind !== 'operand') this.fail(this.range(item.opNode), 'unexpected operator in duration expression');
    return this.durationOperand(item.node);
  }

  private durationLiteral(seconds: number, ms: number | undefined, pos: PosRange): DurNode {
    const expr: DurationExpr =
      ms !== undefined
        ? { kind: 'literal', ms, text: formatSignedDuration(ms) }
        : { kind: 'number', value: seconds, text: formatFloatF(seconds) };
    return ms !== undefined ? { expr, pos, literal: { seconds, ms } } : { expr, pos, literal: { seconds } };
  }

  private durationOperand(node: SyntaxNode): DurNode {
    const ch = children(node);
    const first = ch[0];
    const pos = this.range(node);
    if (!first) this.fail(pos, 'unexpected end of input in duration expression');
    switch (first.name) {
      case 'NumberDurationLiteralInDurationContext': {
        const r = this.range(first);
        const v = this.literalValue(r);
        if (v.seconds > MAX_DURATION_SECONDS || v.seconds < -MAX_DURATION_SECONDS)
          this.fail(r, 'duration out of range');
        return this.durationLiteral(v.seconds, v.ms, r);
      }
      case 'DurationStep':
        return { expr: { kind: 'step' }, pos };
      case 'DurationRange':
        return { expr: { kind: 'range' }, pos };
      case 'DurationMinOf':
      case 'DurationMaxOf': {
        const a = ch[1];
        const b = ch[2];
        if (!a || !b) this.fail(pos, 'unexpected end of input in duration expression');
        const args: [DurationExpr, DurationExpr] = [this.durationSubExpr(a).expr, this.durationSubExpr(b).expr];
        return { expr: { kind: 'call', fn: first.name === 'DurationMinOf' ? 'min' : 'max', args }, pos };
      }
      case 'DurationExpr':
      case 'OffsetDurationExpr': {
        // Parentheses: nested ones collapse, as Prometheus marks an expression wrapped only once.
        const inner = this.durationSubExpr(first).expr;
        return { expr: inner.kind === 'paren' ? inner : { kind: 'paren', arg: inner }, pos };
      }
      default:
        return this.fail(pos, `unexpected ${first.name} in duration expression`);
    }
  }

  private durationSubExpr(node: SyntaxNode): DurNode {
    const items: DurItem[] = [];
    this.flattenDuration(node, items);
    const st = { i: 0 };
    return this.parseDurationChain(items, st, 0);
  }
}

/** The value in milliseconds of a duration expression without `step()`/`range()`; NaN otherwise. */
function constantDurationMs(d: DurationExpr): number {
  switch (d.kind) {
    case 'literal':
      return d.ms;
    case 'number':
      return d.value * 1000;
    case 'step':
    case 'range':
      return NaN;
    case 'paren':
      return constantDurationMs(d.arg);
    case 'unary':
      return d.op === '-' ? -constantDurationMs(d.arg) : constantDurationMs(d.arg);
    case 'call': {
      const a = constantDurationMs(d.args[0]);
      const b = constantDurationMs(d.args[1]);
      return d.fn === 'min' ? Math.min(a, b) : Math.max(a, b);
    }
    case 'binary': {
      const a = constantDurationMs(d.lhs) / 1000;
      const b = constantDurationMs(d.rhs) / 1000;
      const v =
        d.op === '+'
          ? a + b
          : d.op === '-'
            ? a - b
            : d.op === '*'
              ? a * b
              : d.op === '/'
                ? a / b
                : d.op === '%'
                  ? a % b
                  : Math.pow(a, b);
      return Number.isFinite(v) ? Math.round(v * 1000) : NaN;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Static checks (Prometheus's checkAST).

class Checker {
  constructor(private readonly input: string) {}

  private fail(pos: PosRange, msg: string): never {
    throw new ParseError(this.input, pos, msg);
  }

  check(e: Expr, bypassEmptyMatcherCheck = false): ValueType {
    switch (e.type) {
      case 'NumberLiteral':
      case 'StringLiteral':
        return exprType(e);
      case 'ParenExpr':
        this.check(e.expr);
        return exprType(e);
      case 'VectorSelector':
        this.vectorSelector(e, bypassEmptyMatcherCheck);
        return 'vector';
      case 'MatrixSelector':
        this.vectorSelector(e.vectorSelector, false);
        return 'matrix';
      case 'SubqueryExpr': {
        const t = this.check(e.expr);
        if (t !== 'vector') this.fail(e.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        return 'matrix';
      }
      case 'UnaryExpr': {
        const t = this.check(e.expr);
        if (t !== 'scalar' && t !== 'vector') {
          this.fail(
            e.pos,
            `unary expression only allowed on expressions of type scalar or instant vector, got ${goQuote(DOCUMENTED_TYPE[t])}`,
          );
        }
        return t;
      }
      case 'AggregateExpr':
        this.aggregate(e);
        return 'vector';
      case 'Call':
        this.call(e);
        return exprType(e);
      case 'BinaryExpr':
        return this.binary(e);
    }
  }

  private expectType(e: Expr, want: ValueType, context: string): void {
    const t = this.check(e);
    if (t !== want) this.fail(e.pos, `expected type ${DOCUMENTED_TYPE[want]} in ${context}, got ${DOCUMENTED_TYPE[t]}`);
  }

  private vectorSelector(e: VectorSelector, bypass: boolean): void {
    if (e.name !== undefined) {
      for (const m of e.matchers.slice(0, -1)) {
        if (m.name === '__name__')
          this.fail(e.pos, `metric name must not be set twice: ${goQuote(e.name)} or ${goQuote(m.value)}`);
      }
      return;
    }
    if (!bypass && !e.matchers.some((m) => !m.matchesEmpty())) {
      this.fail(e.pos, 'vector selector must contain at least one non-empty matcher');
    }
  }

  private aggregate(e: AggregateExpr): void {
    this.expectType(e.expr, 'vector', 'aggregation expression');
    if (e.param === undefined) return;
    if (e.op === 'count_values') this.expectType(e.param, 'string', 'aggregation parameter');
    else this.expectType(e.param, 'scalar', 'aggregation parameter');
  }

  private call(e: Call): void {
    const f = getFunction(e.func);
    if (!f) this.fail(e.pos, `unknown function with name ${goQuote(e.func)}`);
    const nargs = f.argTypes.length;
    const name = goQuote(f.name);
    if (f.variadic === 0) {
      if (nargs !== e.args.length)
        this.fail(e.pos, `expected ${nargs} argument(s) in call to ${name}, got ${e.args.length}`);
    } else {
      const min = nargs - 1;
      if (min > e.args.length)
        this.fail(e.pos, `expected at least ${min} argument(s) in call to ${name}, got ${e.args.length}`);
      if (f.variadic > 0 && min + f.variadic < e.args.length) {
        this.fail(e.pos, `expected at most ${min + f.variadic} argument(s) in call to ${name}, got ${e.args.length}`);
      }
    }
    let infoSelector: Expr | undefined;
    if (f.name === 'info' && e.args.length > 1) {
      const arg = e.args[1]!;
      const t = exprType(arg);
      if (t !== 'vector')
        this.fail(e.pos, `expected type instant vector in call to function ${name}, got ${DOCUMENTED_TYPE[t]}`);
      if (arg.type === 'VectorSelector' && arg.name !== undefined)
        this.fail(arg.pos, 'expected label selectors only, got vector selector instead');
      if (arg.type !== 'VectorSelector') this.fail(arg.pos, 'expected label selectors only');
      infoSelector = arg;
    }
    e.args.forEach((arg, i) => {
      if (i >= nargs && f.variadic === 0) return;
      const want = f.argTypes[Math.min(i, nargs - 1)]!;
      const t = this.check(arg, arg === infoSelector);
      if (t !== want)
        this.fail(
          arg.pos,
          `expected type ${DOCUMENTED_TYPE[want]} in call to function ${name}, got ${DOCUMENTED_TYPE[t]}`,
        );
    });
  }

  private binary(e: BinaryExpr): ValueType {
    const lt = this.check(e.lhs);
    const rt = this.check(e.rhs);
    const opRange = (): PosRange => {
      let start = e.lhs.pos.end;
      while (start < this.input.length && isSpace(this.input.charCodeAt(start))) start++;
      let end = e.rhs.pos.start - 1;
      while (end > 0 && isSpace(this.input.charCodeAt(end))) end--;
      return { start, end };
    };
    const comparison = COMPARISON_OPS.has(e.op);
    const setOp = SET_OPS.has(e.op);
    if (e.returnBool && !comparison) this.fail(opRange(), 'bool modifier can only be used on comparison operators');
    if (comparison && !e.returnBool && lt === 'scalar' && rt === 'scalar') {
      this.fail(opRange(), 'comparisons between scalars must use BOOL modifier');
    }
    const vm = e.matching;
    if (vm) {
      if (setOp && vm.card === 'one-to-one') vm.card = 'many-to-many';
      if (vm.on) {
        for (const l of vm.matchingLabels) {
          if (vm.include.includes(l))
            this.fail(opRange(), `label ${goQuote(l)} must not occur in ON and GROUP clause at once`);
        }
      }
    }
    if (lt !== 'scalar' && lt !== 'vector')
      this.fail(e.lhs.pos, 'binary expression must contain only scalar and instant vector types');
    if (rt !== 'scalar' && rt !== 'vector')
      this.fail(e.rhs.pos, 'binary expression must contain only scalar and instant vector types');
    if (vm && (lt !== 'vector' || rt !== 'vector')) {
      if (vm.matchingLabels.length > 0) this.fail(e.pos, 'vector matching only allowed between instant vectors');
      if (vm.fillLeft !== undefined || vm.fillRight !== undefined) {
        this.fail(e.pos, 'filling in missing series only allowed between instant vectors');
      }
      delete e.matching;
    } else if (vm && setOp) {
      if (vm.card === 'one-to-many' || vm.card === 'many-to-one')
        this.fail(e.pos, `no grouping allowed for ${goQuote(e.op)} operation`);
      if (vm.card !== 'many-to-many') this.fail(e.pos, 'set operations must always be many-to-many');
      if (vm.fillLeft !== undefined || vm.fillRight !== undefined) {
        this.fail(e.pos, 'filling in missing series not allowed for set operators');
      }
    }
    if ((lt === 'scalar' || rt === 'scalar') && setOp) {
      this.fail(e.pos, `set operator ${goQuote(e.op)} not allowed in binary scalar expression`);
    }
    return lt === 'scalar' && rt === 'scalar' ? 'scalar' : 'vector';
  }
}
