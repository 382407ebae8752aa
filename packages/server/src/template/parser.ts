/**
 * The parser of Go's text/template (Go 1.19): the same grammar, the same look-ahead (its error
 * messages depend on which token was read last), the same messages. `parse` returns every tree
 * the text defines: the main one under `name`, and one per `{{define}}` and `{{block}}`.
 */
import { TemplateError } from './errors.js';
import { Item, Lexer, type Token } from './lexer.js';
import {
  isEmptyTree,
  nodeString,
  type ArgNode,
  type BranchNode,
  type CommandNode,
  type DelimNode,
  type ListNode,
  type Node,
  type NumberNode,
  type PipeNode,
  type Source,
  type TemplateNode,
  type VariableNode,
} from './nodes.js';
import { QuoteSyntaxError, quote, truncateRunes, unquote, unquoteCharLiteral } from './strconv.js';

/** A parsed template: its name and body. */
export interface Tree {
  readonly name: string;
  readonly root: ListNode;
  readonly src: Source;
}

export interface ParseOptions {
  readonly leftDelim?: string;
  readonly rightDelim?: string;
  /** Whether a function name exists (builtins and the template's functions). */
  readonly hasFunction: (name: string) => boolean;
  /**
   * Deepest nesting of parenthesized pipelines and of control structures. Go allows 10000
   * parentheses and any control nesting; JS's stack does not, so both are limited.
   */
  readonly maxNestingDepth?: number;
}

const DEFAULT_MAX_NESTING = 1000;

/** Go's item.String(), used by "unexpected %s" messages. */
function itemString(t: Token): string {
  if (t.typ === Item.EOF) return 'EOF';
  if (t.typ === Item.Error) return t.val;
  if (t.typ > Item.Keyword) return `<${t.val}>`;
  if ([...t.val].length > 10) return `${quote(truncateRunes(t.val, 10))}...`;
  return quote(t.val);
}

class TokenStream {
  private i = 0;
  constructor(private readonly items: Token[]) {}
  nextItem(): Token {
    const t = this.items[this.i] ?? this.items[this.items.length - 1]!;
    if (this.i < this.items.length - 1) this.i++;
    return t;
  }
}

/** Go's strconv.ParseUint(s, 0, 64) / ParseInt: the value, or why it failed. */
function parseGoInteger(text: string, signed: boolean): bigint | undefined {
  let s = text;
  let neg = false;
  if (signed && (s[0] === '+' || s[0] === '-')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s.length === 0) return undefined;
  const s0 = s;
  let base = 10;
  if (s[0] === '0') {
    const c = s[1]?.toLowerCase();
    if (s.length >= 3 && c === 'b') {
      base = 2;
      s = s.slice(2);
    } else if (s.length >= 3 && c === 'o') {
      base = 8;
      s = s.slice(2);
    } else if (s.length >= 3 && c === 'x') {
      base = 16;
      s = s.slice(2);
    } else {
      base = 8;
      s = s.slice(1);
    }
  }
  let n = 0n;
  const b = BigInt(base);
  let underscores = false;
  for (const ch of s) {
    if (ch === '_') {
      underscores = true;
      continue;
    }
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    n = n * b + BigInt(d);
  }
  if (underscores && !underscoreOK(s0)) return undefined;
  if (neg) n = -n;
  if (signed ? n > 0x7fffffffffffffffn || n < -0x8000000000000000n : n > 0xffffffffffffffffn) return undefined;
  return n;
}

/** Go's strconv underscoreOK: underscores only between digits or after a base prefix. */
function underscoreOK(str: string): boolean {
  let saw = '^';
  let i = 0;
  let s = str;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1]!.toLowerCase())) {
    i = 2;
    saw = '0';
    hex = s[1]!.toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const DEC_FLOAT = /^[+-]?(?=\.?[0-9])[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX](?=_*\.?_*[0-9a-fA-F])([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9_]+)$/;

/** Whether `s` is syntactically a float for Go's strconv.ParseFloat (it may still be out of range). */
export function isGoFloatSyntax(s: string): boolean {
  const unsigned = s.toLowerCase().replace(/^[+-]/, '');
  if (unsigned === 'inf' || unsigned === 'infinity' || unsigned === 'nan') return true;
  if (!DEC_FLOAT.test(s) && !HEX_FLOAT.test(s)) return false;
  return !s.includes('_') || underscoreOK(s);
}

/** Go's strconv.ParseFloat(s, 64); undefined where Go returns an error (syntax or range). */
export function parseGoFloat(s: string): number | undefined {
  const lower = s.toLowerCase();
  const unsigned = lower.replace(/^[+-]/, '');
  if (unsigned === 'inf' || unsigned === 'infinity') return lower.startsWith('-') ? -Infinity : Infinity;
  if (unsigned === 'nan') return NaN;
  if (DEC_FLOAT.test(s)) {
    if (s.includes('_') && !underscoreOK(s)) return undefined;
    const v = Number(s.replaceAll('_', ''));
    return Number.isFinite(v) ? v : undefined;
  }
  const m = HEX_FLOAT.exec(s);
  if (m) {
    if (s.includes('_') && !underscoreOK(s)) return undefined;
    const intPart = m[2]!.replaceAll('_', '');
    const frac = (m[3] ?? '').replaceAll('_', '');
    const mant = BigInt('0x' + (intPart + frac || '0'));
    let exp = Number(m[4]!.replaceAll('_', '')) - 4 * frac.length;
    let v = Number(mant);
    // Scale in steps: 2^exp alone may overflow or underflow where the product does not.
    while (exp > 0) {
      const k = Math.min(exp, 1000);
      v *= 2 ** k;
      exp -= k;
    }
    while (exp < 0) {
      const k = Math.min(-exp, 1000);
      v /= 2 ** k;
      exp += k;
    }
    if (!Number.isFinite(v)) return undefined;
    return m[1] === '-' ? -v : v;
  }
  return undefined;
}

/** Thrown inside the parser; converted to TemplateError by `parse`. */
class ParseFailure extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

class TreeParser {
  private readonly token: Token[] = [];
  private peekCount = 0;
  private vars: string[] = ['$'];
  /** How many variables of each name are in scope (vars is a stack; this makes lookups O(1)). */
  private varCounts = new Map<string, number>([['$', 1]]);
  private actionLine = 0;
  private rangeDepth = 0;
  private depth = 0;
  name = '';
  root: ListNode | undefined;

  constructor(
    private readonly lex: TokenStream,
    private readonly src: Source,
    private readonly treeSet: Map<string, Tree>,
    private readonly opts: ParseOptions,
    private readonly maxDepth: number,
  ) {}

  // Token handling, as Go's Tree: token[0] is always the last token read from the lexer.
  next(): Token {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lex.nextItem();
    return this.token[this.peekCount]!;
  }
  backup(): void {
    this.peekCount++;
  }
  backup2(t1: Token): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }
  backup3(t2: Token, t1: Token): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }
  peek(): Token {
    if (this.peekCount > 0) return this.token[this.peekCount - 1]!;
    this.peekCount = 1;
    this.token[0] = this.lex.nextItem();
    return this.token[0];
  }
  nextNonSpace(): Token {
    let t: Token;
    do t = this.next();
    while (t.typ === Item.Space);
    return t;
  }
  peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  errorf(message: string): never {
    const line = this.token[0]?.line ?? 1;
    throw new ParseFailure(`template: ${this.src.parseName}:${line}: ${message}`, line);
  }

  expect(expected: Item, context: string): Token {
    const t = this.nextNonSpace();
    if (t.typ !== expected) this.unexpected(t, context);
    return t;
  }

  expectOneOf(e1: Item, e2: Item, context: string): Token {
    const t = this.nextNonSpace();
    if (t.typ !== e1 && t.typ !== e2) this.unexpected(t, context);
    return t;
  }

  unexpected(t: Token, context: string): never {
    if (t.typ === Item.Error) {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.src.parseName}:${this.actionLine}`;
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${itemString(t)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(t)} in ${context}`);
  }

  enter(): void {
    if (++this.depth > this.maxDepth) this.errorf('max expression depth exceeded');
  }

  // Node constructors.
  list(pos: number): ListNode {
    return { type: 'list', pos, src: this.src, nodes: [] };
  }

  /** Go's Tree.parse: the top level of a template. */
  parseTop(): void {
    this.root = this.list(this.peek().pos);
    while (this.peek().typ !== Item.EOF) {
      if (this.peek().typ === Item.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().typ === Item.Define) {
          const sub = new TreeParser(this.lex, this.src, this.treeSet, this.opts, this.maxDepth);
          sub.name = 'definition';
          sub.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      this.root.nodes.push(n);
    }
  }

  parseDefinition(): void {
    const context = 'define clause';
    const name = this.expectOneOf(Item.String, Item.RawString, context);
    this.name = this.unquoteOrFail(name.val);
    this.expect(Item.RightDelim, context);
    const [list, end] = this.itemList();
    this.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add();
  }

  /** Go's Tree.add: registers this tree, refusing two non-empty definitions in one parse. */
  add(): void {
    const existing = this.treeSet.get(this.name);
    if (existing === undefined || isEmptyTree(existing.root)) {
      this.treeSet.set(this.name, { name: this.name, root: this.root!, src: this.src });
      return;
    }
    if (!isEmptyTree(this.root)) this.errorf(`template: multiple definition of template ${quote(this.name)}`);
  }

  unquoteOrFail(lit: string): string {
    try {
      return unquote(lit);
    } catch (e) {
      if (e instanceof QuoteSyntaxError) this.errorf('invalid syntax');
      throw e;
    }
  }

  itemList(): [ListNode, Node] {
    const list = this.list(this.peekNonSpace().pos);
    while (this.peekNonSpace().typ !== Item.EOF) {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  textOrAction(): Node {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case Item.Text:
        return { type: 'text', pos: t.pos, src: this.src, text: t.val };
      case Item.LeftDelim: {
        this.actionLine = t.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      case Item.Comment:
        return { type: 'comment', pos: t.pos, src: this.src, text: t.val };
      default:
        this.unexpected(t, 'input');
    }
  }

  action(): Node {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case Item.Block:
        return this.blockControl();
      case Item.Break:
      case Item.Continue:
        return this.breakControl(t);
      case Item.Else:
        return this.elseControl();
      case Item.End:
        return this.endControl();
      case Item.If:
        return this.branch('if', true);
      case Item.Range:
        return this.branch('range', false);
      case Item.Template:
        return this.templateControl();
      case Item.With:
        return this.branch('with', false);
    }
    this.backup();
    const first = this.peek();
    return {
      type: 'action',
      pos: first.pos,
      src: this.src,
      line: first.line,
      pipe: this.pipeline('command', Item.RightDelim),
    };
  }

  breakControl(t: Token): Node {
    const word = t.typ === Item.Break ? 'break' : 'continue';
    const next = this.nextNonSpace();
    if (next.typ !== Item.RightDelim) this.unexpected(next, `{{${word}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${word}}} outside {{range}}`);
    return { type: word, pos: t.pos, src: this.src, line: t.line };
  }

  elseControl(): DelimNode {
    const p = this.peekNonSpace();
    if (p.typ === Item.If) return { type: 'else', pos: p.pos, src: this.src, line: p.line };
    const t = this.expect(Item.RightDelim, 'else');
    return { type: 'else', pos: t.pos, src: this.src, line: t.line };
  }

  endControl(): DelimNode {
    const t = this.expect(Item.RightDelim, 'end');
    return { type: 'end', pos: t.pos, src: this.src, line: t.line };
  }

  branch(type: 'if' | 'range' | 'with', allowElseIf: boolean): BranchNode {
    this.enter();
    const nvars = this.vars.length;
    try {
      const pipe = this.pipeline(type, Item.RightDelim);
      if (type === 'range') this.rangeDepth++;
      let [list, next] = this.itemList();
      if (type === 'range') this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.type === 'else') {
        if (allowElseIf && this.peek().typ === Item.If) {
          this.next();
          elseList = this.list(next.pos);
          elseList.nodes.push(this.branch('if', true));
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      list = list;
      return { type, pos: pipe.pos, src: this.src, line: pipe.line, pipe, list, elseList };
    } finally {
      this.popVars(nvars);
      this.depth--;
    }
  }

  templateControl(): TemplateNode {
    const context = 'template clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().typ !== Item.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, Item.RightDelim);
    }
    return { type: 'template', pos: t.pos, src: this.src, line: t.line, name, pipe };
  }

  templateName(t: Token, context: string): string {
    if (t.typ === Item.String || t.typ === Item.RawString) return this.unquoteOrFail(t.val);
    this.unexpected(t, context);
  }

  blockControl(): TemplateNode {
    const context = 'block clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const pipe = this.pipeline(context, Item.RightDelim);
    const sub = new TreeParser(this.lex, this.src, this.treeSet, this.opts, this.maxDepth);
    sub.name = name;
    sub.depth = this.depth;
    const [list, end] = sub.itemList();
    sub.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    sub.add();
    return { type: 'template', pos: t.pos, src: this.src, line: t.line, name, pipe };
  }

  pipeline(context: string, end: Item): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = {
      type: 'pipe',
      pos: first.pos,
      src: this.src,
      line: first.line,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== Item.Variable) break;
      this.next();
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.typ === Item.Assign || next.typ === Item.Declare) {
        pipe.isAssign = next.typ === Item.Assign;
        this.nextNonSpace();
        pipe.decl.push(this.variable(v.pos, v.val));
        this.pushVar(v.val);
      } else if (next.typ === Item.Char && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.variable(v.pos, v.val));
        this.pushVar(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().typ;
          if (p === Item.Variable || p === Item.RightDelim || p === Item.RightParen) continue;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (tokenAfterVariable.typ === Item.Space) {
        this.backup3(v, tokenAfterVariable);
      } else {
        this.backup2(v);
      }
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      switch (t.typ) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case Item.Bool:
        case Item.CharConstant:
        case Item.Complex:
        case Item.Dot:
        case Item.Field:
        case Item.Identifier:
        case Item.Number:
        case Item.Nil:
        case Item.RawString:
        case Item.String:
        case Item.Variable:
        case Item.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]!.type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, src: this.src, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== undefined) cmd.args.push(operand);
      const t = this.next();
      if (t.typ === Item.Space) continue;
      if (t.typ === Item.RightDelim || t.typ === Item.RightParen) this.backup();
      else if (t.typ !== Item.Pipe) this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  operand(): ArgNode | undefined {
    const node = this.term();
    if (node === undefined) return undefined;
    if (this.peek().typ !== Item.Field) return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().typ === Item.Field) fields.push(this.next().val.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', pos, src: this.src, ident: [...node.ident, ...fields] };
      case 'variable':
        return { type: 'variable', pos, src: this.src, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.errorf(`unexpected . after term ${quote(nodeString(node))}`);
      // falls through: errorf never returns
      default:
        return { type: 'chain', pos, src: this.src, node, field: fields };
    }
  }

  term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case Item.Identifier:
        if (!this.opts.hasFunction(t.val)) this.errorf(`function ${quote(t.val)} not defined`);
        return { type: 'identifier', pos: t.pos, src: this.src, ident: t.val };
      case Item.Dot:
        return { type: 'dot', pos: t.pos, src: this.src };
      case Item.Nil:
        return { type: 'nil', pos: t.pos, src: this.src };
      case Item.Variable:
        return this.useVar(t.pos, t.val);
      case Item.Field:
        return { type: 'field', pos: t.pos, src: this.src, ident: t.val.slice(1).split('.') };
      case Item.Bool:
        return { type: 'bool', pos: t.pos, src: this.src, value: t.val === 'true' };
      case Item.CharConstant:
      case Item.Complex:
      case Item.Number:
        return this.number(t);
      case Item.LeftParen: {
        this.enter();
        try {
          return this.pipeline('parenthesized pipeline', Item.RightParen);
        } finally {
          this.depth--;
        }
      }
      case Item.String:
      case Item.RawString:
        return { type: 'string', pos: t.pos, src: this.src, quoted: t.val, text: this.unquoteOrFail(t.val) };
    }
    this.backup();
    return undefined;
  }

  pushVar(name: string): void {
    this.vars.push(name);
    this.varCounts.set(name, (this.varCounts.get(name) ?? 0) + 1);
  }

  popVars(n: number): void {
    while (this.vars.length > n) {
      const name = this.vars.pop()!;
      this.varCounts.set(name, this.varCounts.get(name)! - 1);
    }
  }

  variable(pos: number, name: string): VariableNode {
    return { type: 'variable', pos, src: this.src, ident: name.split('.') };
  }

  useVar(pos: number, name: string): VariableNode {
    const v = this.variable(pos, name);
    if (!this.varCounts.get(v.ident[0]!)) this.errorf(`undefined variable ${quote(v.ident[0]!)}`);
    return v;
  }

  number(t: Token): NumberNode {
    const text = t.val;
    if (t.typ === Item.CharConstant) {
      let r: { value: number; malformed: boolean };
      try {
        r = unquoteCharLiteral(text);
      } catch (e) {
        if (e instanceof QuoteSyntaxError) this.errorf('invalid syntax');
        throw e;
      }
      if (r.malformed) this.errorf(`malformed character constant: ${text}`);
      const v = BigInt(r.value);
      return this.numberNode(t, true, true, true, v, v, r.value);
    }
    if (t.typ === Item.Complex) {
      const c = parseComplex(text);
      if (c === undefined) this.errorf(`expected integer; found ${text}`);
      return this.complexNode(t, c);
    }
    if (text.endsWith('i')) {
      const f = parseGoFloat(text.slice(0, -1));
      if (f !== undefined) return this.complexNode(t, [0, f]);
    }
    const u = parseGoInteger(text, false);
    const i = parseGoInteger(text, true);
    if (i !== undefined) return this.numberNode(t, true, u !== undefined || i === 0n, true, i, u ?? 0n, Number(i));
    if (u !== undefined) return this.numberNode(t, false, true, true, 0n, u, Number(u));
    const f = parseGoFloat(text);
    if (f === undefined) this.errorf(`illegal number syntax: ${quote(text)}`);
    if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${quote(text)}`);
    const p = integralParts(f);
    return this.numberNode(t, p.isInt, p.isUint, true, p.int64, p.uint64, f);
  }

  numberNode(
    t: Token,
    isInt: boolean,
    isUint: boolean,
    isFloat: boolean,
    int64: bigint,
    uint64: bigint,
    float64: number,
    complex: readonly [number, number] = NO_COMPLEX,
  ): NumberNode {
    return {
      type: 'number',
      pos: t.pos,
      src: this.src,
      text: t.val,
      isInt,
      isUint,
      isFloat,
      isComplex: complex !== NO_COMPLEX,
      int64,
      uint64,
      float64,
      complex,
    };
  }

  /** A complex constant, simplified as Go's NumberNode.simplifyComplex does. */
  complexNode(t: Token, c: readonly [number, number]): NumberNode {
    const isFloat = c[1] === 0;
    const p = isFloat ? integralParts(c[0]) : { isInt: false, int64: 0n, isUint: false, uint64: 0n };
    return this.numberNode(t, p.isInt, p.isUint, isFloat, p.int64, p.uint64, isFloat ? c[0] : 0, c);
  }
}

const NO_COMPLEX: readonly [number, number] = [0, 0];

/** Whether a float is an int64 or uint64 value too (Go's round-trip test). */
function integralParts(f: number): { isInt: boolean; int64: bigint; isUint: boolean; uint64: bigint } {
  const integral = Number.isInteger(f);
  const isInt = integral && f >= -9223372036854775808 && f < 9223372036854775808;
  const isUint = integral && f >= 0 && f < 18446744073709551616;
  return { isInt, int64: isInt ? BigInt(f) : 0n, isUint, uint64: isUint ? BigInt(f) : 0n };
}

/** `1+2i`, as Go's fmt.Sscan reads a complex128. */
function parseComplex(text: string): [number, number] | undefined {
  for (let i = text.length - 2; i > 0; i--) {
    const c = text[i];
    if ((c === '+' || c === '-') && !/[eEpP]/.test(text[i - 1]!)) {
      const re = parseGoFloat(text.slice(0, i));
      const im = parseGoFloat(text.slice(i, -1));
      return re === undefined || im === undefined ? undefined : [re, im];
    }
  }
  return undefined;
}

/** Parses `text` as the template `name`; returns every tree it defines. Throws TemplateError. */
export function parse(name: string, text: string, opts: ParseOptions): Map<string, Tree> {
  const src: Source = { parseName: name, text };
  const treeSet = new Map<string, Tree>();
  const lexer = new Lexer(
    text,
    opts.leftDelim || '{{',
    opts.rightDelim || '}}',
    !opts.hasFunction('break'),
    !opts.hasFunction('continue'),
  );
  const stream = new TokenStream(lexer.run());
  const p = new TreeParser(stream, src, treeSet, opts, opts.maxNestingDepth ?? DEFAULT_MAX_NESTING);
  p.name = name;
  try {
    p.parseTop();
    p.add();
  } catch (e) {
    if (e instanceof ParseFailure) {
      throw new TemplateError('WK_TEMPLATE_PARSE', e.message, { templateName: name, line: e.line });
    }
    if (e instanceof RangeError) {
      throw new TemplateError('WK_TEMPLATE_PARSE', `template: ${name}: too deeply nested to parse`, {
        templateName: name,
        cause: e,
      });
    }
    throw e;
  }
  return treeSet;
}
