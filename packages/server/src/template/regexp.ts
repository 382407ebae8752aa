/**
 * Go's regexp for templates (`match`, `reReplaceAll`): RE2 syntax parsed with Go's error messages,
 * compiled to a program and run by a Pike VM — linear in the input like RE2, so a pattern such
 * as `(a+)+$` cannot hang the server as it would in JS's backtracking RegExp. Submatches follow
 * Go's leftmost-first rule. Matching works on code points; positions are JS string indexes.
 */
import { canBackquote, quote } from './strconv.js';

export class RegexpError extends Error {}

const MAX_REPEAT = 1000;
const MAX_DEPTH = 1000;
/** Largest program (instructions); Go rejects large expressions too (`expression too large`). */
const MAX_PROGRAM = 100_000;

function fail(code: string, expr: string): never {
  throw new RegexpError(`error parsing regexp: ${code}: \`${expr}\``);
}

// Abstract syntax.

type Pred = (cp: number) => boolean;
type AssertKind = 'bot' | 'eot' | 'bol' | 'eol' | 'wordb' | 'nwordb';

type Ast =
  | { t: 'empty' }
  | { t: 'lit'; cps: number[] } // any of these code points (case variants under (?i))
  | { t: 'class'; pred: Pred }
  | { t: 'any'; nl: boolean }
  | { t: 'assert'; kind: AssertKind }
  | { t: 'cap'; index: number; sub: Ast }
  | { t: 'cat'; subs: Ast[] }
  | { t: 'alt'; subs: Ast[] }
  | { t: 'rep'; sub: Ast; min: number; max: number; greedy: boolean };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

/** Simple case variants of a code point (itself included), as RE2's case folding orbits. */
function caseVariants(cp: number): number[] {
  const out = [cp];
  const ch = String.fromCodePoint(cp);
  for (const v of [ch.toLowerCase(), ch.toUpperCase()]) {
    if (v.length <= 2 && [...v].length === 1) {
      const c = v.codePointAt(0)!;
      if (!out.includes(c)) out.push(c);
    }
  }
  for (const e of FOLD_EXTRA[cp] ?? []) if (!out.includes(e)) out.push(e);
  return out;
}

const FOLD_EXTRA: Readonly<Record<number, readonly number[]>> = {
  0x6b: [0x212a],
  0x4b: [0x212a],
  0x212a: [0x6b, 0x4b],
  0x73: [0x17f],
  0x53: [0x17f],
  0x17f: [0x73, 0x53],
  0xe5: [0x212b],
  0xc5: [0x212b],
  0x212b: [0xe5, 0xc5],
};

/** Ranges as a predicate. */
function rangesPred(ranges: readonly number[]): Pred {
  return (cp) => {
    for (let i = 0; i < ranges.length; i += 2) if (cp >= ranges[i]! && cp <= ranges[i + 1]!) return true;
    return false;
  };
}

const PERL: Record<string, { ranges: number[]; neg: boolean }> = {
  d: { ranges: [0x30, 0x39], neg: false },
  D: { ranges: [0x30, 0x39], neg: true },
  s: { ranges: [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20], neg: false },
  S: { ranges: [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20], neg: true },
  w: { ranges: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a], neg: false },
  W: { ranges: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a], neg: true },
};

const POSIX: Record<string, number[]> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: [0x30, 0x39],
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

const GENERAL_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

/** `\pN`, `\p{Greek}`: a one-character JS test (one character cannot backtrack). */
function unicodePred(name: string, expr: string): { pred: Pred; neg: boolean } {
  let neg = false;
  if (name.startsWith('^')) {
    neg = true;
    name = name.slice(1);
  }
  if (name === 'Any') return { pred: () => true, neg };
  let re: RegExp;
  try {
    re = new RegExp(GENERAL_CATEGORIES.has(name) ? `^\\p{${name}}$` : `^\\p{Script=${name}}$`, 'u');
  } catch {
    fail('invalid character class range', expr);
  }
  return { pred: (cp) => re.test(String.fromCodePoint(cp)), neg };
}

function not(p: Pred): Pred {
  return (cp) => !p(cp);
}

function withFold(p: Pred): Pred {
  return (cp) => p(cp) || caseVariants(cp).some((v) => v !== cp && p(v));
}

class Parser {
  private i = 0;
  private flags: Flags = { i: false, m: false, s: false, U: false };
  private depth = 0;
  readonly names: string[] = [''];

  constructor(private readonly re: string) {}

  parse(): Ast {
    const ast = this.alternation(true);
    if (this.i < this.re.length) fail('unexpected )', this.re);
    return ast;
  }

  private alternation(top: boolean): Ast {
    const alts: Ast[] = [];
    for (;;) {
      alts.push(this.concat());
      if (this.i >= this.re.length) {
        if (!top) fail('missing closing )', this.re);
        break;
      }
      if (this.re[this.i] === '|') {
        this.i++;
        continue;
      }
      // ')'
      if (top) fail('unexpected )', this.re);
      break;
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', subs: alts };
  }

  private concat(): Ast {
    const items: Ast[] = [];
    let lastRepeat = '';
    while (this.i < this.re.length) {
      const c = this.re[this.i]!;
      if (c === '|' || c === ')') break;
      if (c === '*' || c === '+' || c === '?' || c === '{') {
        const start = this.i;
        const rep = this.repeatOp();
        if (rep !== undefined) {
          const text = this.re.slice(start, this.i);
          if (items.length === 0) fail('missing argument to repetition operator', text);
          if (lastRepeat !== '') fail('invalid nested repetition operator', lastRepeat + text);
          items.push({ t: 'rep', sub: items.pop()!, ...rep });
          lastRepeat = text;
          continue;
        }
      }
      lastRepeat = '';
      const atom = this.atom();
      if (atom !== undefined) items.push(atom);
    }
    if (items.length === 0) return { t: 'empty' };
    return items.length === 1 ? items[0]! : { t: 'cat', subs: items };
  }

  private repeatOp(): { min: number; max: number; greedy: boolean } | undefined {
    const c = this.re[this.i]!;
    let min: number;
    let max: number;
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.re.slice(this.i));
      if (!m) return undefined;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
      if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) fail('invalid repeat count', m[0]);
      this.i += m[0].length;
    } else {
      this.i++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : -1;
    }
    let greedy = true;
    if (this.re[this.i] === '?') {
      greedy = false;
      this.i++;
    }
    if (this.flags.U) greedy = !greedy;
    return { min, max, greedy };
  }

  /** One atom; undefined for a flag group, which matches nothing. */
  private atom(): Ast | undefined {
    const c = this.re.codePointAt(this.i)!;
    switch (c) {
      case 0x28: // (
        return this.group();
      case 0x5b: // [
        return this.charClass();
      case 0x2e: // .
        this.i++;
        return { t: 'any', nl: this.flags.s };
      case 0x5e: // ^
        this.i++;
        return { t: 'assert', kind: this.flags.m ? 'bol' : 'bot' };
      case 0x24: // $
        this.i++;
        return { t: 'assert', kind: this.flags.m ? 'eol' : 'eot' };
      case 0x5c: // \
        return this.escape();
      default:
        this.i += c > 0xffff ? 2 : 1;
        return this.literal(c);
    }
  }

  private literal(cp: number): Ast {
    return { t: 'lit', cps: this.flags.i ? caseVariants(cp) : [cp] };
  }

  private group(): Ast | undefined {
    const start = this.i;
    this.i++;
    if (++this.depth > MAX_DEPTH) fail('expression nests too deeply', this.re);
    try {
      if (this.re[this.i] !== '?') return this.capture('');
      if (this.re.startsWith('?P<', this.i)) {
        const end = this.re.indexOf('>', this.i);
        if (end < 0) fail('invalid named capture', this.re.slice(start));
        const name = this.re.slice(this.i + 3, end);
        if (!/^[A-Za-z0-9_]+$/.test(name)) fail('invalid named capture', this.re.slice(start, end + 1));
        this.i = end + 1;
        return this.capture(name);
      }
      let j = this.i + 1;
      let neg = false;
      let sawFlag = false;
      const f = { ...this.flags };
      for (; j < this.re.length; j++) {
        const ch = this.re[j]!;
        if (ch === 'i' || ch === 'm' || ch === 's' || ch === 'U') {
          f[ch] = !neg;
          sawFlag = true;
        } else if (ch === '-' && !neg) {
          neg = true;
          sawFlag = false;
        } else if (ch === ':' || ch === ')') break;
        else fail('invalid or unsupported Perl syntax', this.re.slice(start, j + 1));
      }
      if (j >= this.re.length) fail('missing closing )', this.re);
      if (neg && !sawFlag) fail('invalid or unsupported Perl syntax', this.re.slice(start, j + 1));
      this.i = j + 1;
      if (this.re[j] === ')') {
        // (?flags) sets the flags for the rest of the enclosing group.
        this.flags = f;
        return undefined;
      }
      const saved = this.flags;
      this.flags = f;
      const sub = this.alternation(false);
      this.i++; // ')'
      this.flags = saved;
      return sub;
    } finally {
      this.depth--;
    }
  }

  private capture(name: string): Ast {
    const index = this.names.length;
    this.names.push(name);
    const saved = { ...this.flags };
    const sub = this.alternation(false);
    this.i++; // ')'
    this.flags = saved;
    return { t: 'cap', index, sub };
  }

  private escape(): Ast {
    const start = this.i;
    const c = this.re[this.i + 1];
    if (c === undefined) fail('trailing backslash at end of expression', '');
    switch (c) {
      case 'A':
        this.i += 2;
        return { t: 'assert', kind: 'bot' };
      case 'z':
        this.i += 2;
        return { t: 'assert', kind: 'eot' };
      case 'b':
        this.i += 2;
        return { t: 'assert', kind: 'wordb' };
      case 'B':
        this.i += 2;
        return { t: 'assert', kind: 'nwordb' };
      case 'Q': {
        const end = this.re.indexOf('\\E', this.i + 2);
        const lit = end < 0 ? this.re.slice(this.i + 2) : this.re.slice(this.i + 2, end);
        this.i = end < 0 ? this.re.length : end + 2;
        const subs = [...lit].map((ch) => this.literal(ch.codePointAt(0)!));
        return subs.length === 1 ? subs[0]! : { t: 'cat', subs };
      }
    }
    const perl = PERL[c];
    if (perl) {
      this.i += 2;
      return this.classAst(rangesPred(perl.ranges), perl.neg);
    }
    if (c === 'p' || c === 'P') {
      const { pred, neg } = this.unicodeEscape(start);
      return this.classAst(pred, neg);
    }
    return this.literal(this.escapedRune(start));
  }

  private classAst(pred: Pred, negated: boolean): Ast {
    const p = this.flags.i ? withFold(pred) : pred;
    return { t: 'class', pred: negated ? not(p) : p };
  }

  private unicodeEscape(start: number): { pred: Pred; neg: boolean } {
    const upper = this.re[this.i + 1] === 'P';
    let name: string;
    if (this.re[this.i + 2] === '{') {
      const end = this.re.indexOf('}', this.i + 3);
      if (end < 0) fail('invalid character class range', this.re.slice(start));
      name = this.re.slice(this.i + 3, end);
      this.i = end + 1;
    } else {
      const cp = this.re.codePointAt(this.i + 2);
      if (cp === undefined) fail('invalid character class range', this.re.slice(start));
      name = String.fromCodePoint(cp);
      this.i += 2 + name.length;
    }
    const u = unicodePred(name, this.re.slice(start, this.i));
    return { pred: u.pred, neg: u.neg !== upper };
  }

  /** A single-rune escape (`\n`, `\x41`, `\x{1F600}`, `\101`, `\.`); the cursor is on the backslash. */
  private escapedRune(start: number): number {
    const c = this.re[this.i + 1]!;
    const cp0 = this.re.codePointAt(this.i + 1)!;
    this.i += 2;
    const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
    if (simple[c] !== undefined) return simple[c];
    if (c === 'x') {
      if (this.re[this.i] === '{') {
        const end = this.re.indexOf('}', this.i);
        const hex = end < 0 ? '' : this.re.slice(this.i + 1, end);
        if (!/^[0-9a-fA-F]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) {
          fail('invalid escape sequence', this.re.slice(start, end < 0 ? this.re.length : end + 1));
        }
        this.i = end + 1;
        return parseInt(hex, 16);
      }
      const hex = this.re.slice(this.i, this.i + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail('invalid escape sequence', this.re.slice(start, this.i + hex.length));
      this.i += 2;
      return parseInt(hex, 16);
    }
    if (c >= '0' && c <= '7') {
      // \1-\7 alone would be backreferences, which RE2 does not have.
      if (c !== '0' && !/[0-7]/.test(this.re[this.i] ?? ''))
        fail('invalid escape sequence', this.re.slice(start, this.i));
      let digits = c;
      while (digits.length < 3 && /[0-7]/.test(this.re[this.i] ?? '')) digits += this.re[this.i++];
      return parseInt(digits, 8);
    }
    if (cp0 < 0x80 && !/[0-9A-Za-z]/.test(c)) return cp0;
    fail('invalid escape sequence', this.re.slice(start, this.i + (cp0 > 0xffff ? 1 : 0)));
  }

  private charClass(): Ast {
    const start = this.i;
    this.i++;
    let negated = false;
    if (this.re[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const ranges: number[] = [];
    const preds: Pred[] = [];
    let first = true;
    for (;;) {
      if (this.i >= this.re.length) fail('missing closing ]', this.re.slice(start));
      const c = this.re[this.i]!;
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      if (c === '[' && this.re[this.i + 1] === ':') {
        const end = this.re.indexOf(':]', this.i + 2);
        if (end >= 0) {
          let name = this.re.slice(this.i + 2, end);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const r = POSIX[name];
          if (r === undefined) fail('invalid character class range', this.re.slice(this.i, end + 2));
          preds.push(neg ? not(rangesPred(r)) : rangesPred(r));
          this.i = end + 2;
          continue;
        }
      }
      if (c === '\\') {
        const e = this.re[this.i + 1];
        if (e === undefined) fail('missing closing ]', this.re.slice(start));
        const perl = PERL[e];
        if (perl) {
          preds.push(perl.neg ? not(rangesPred(perl.ranges)) : rangesPred(perl.ranges));
          this.i += 2;
          continue;
        }
        if (e === 'p' || e === 'P') {
          const u = this.unicodeEscape(this.i);
          preds.push(u.neg ? not(u.pred) : u.pred);
          continue;
        }
      }
      const rangeStart = this.i;
      const lo = this.classRune();
      if (this.re[this.i] === '-' && this.i + 1 < this.re.length && this.re[this.i + 1] !== ']') {
        this.i++;
        const hi = this.classRune();
        if (hi < lo) fail('invalid character class range', this.re.slice(rangeStart, this.i));
        ranges.push(lo, hi);
      } else ranges.push(lo, lo);
    }
    const r = rangesPred(ranges);
    const base: Pred = preds.length === 0 ? r : (cp) => r(cp) || preds.some((p) => p(cp));
    return this.classAst(base, negated);
  }

  private classRune(): number {
    if (this.re[this.i] === '\\') return this.escapedRune(this.i);
    const cp = this.re.codePointAt(this.i)!;
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }
}

// The program.

const enum Op {
  Lit,
  Class,
  Any,
  AnyNotNL,
  Split,
  Jmp,
  Save,
  Assert,
  Match,
}

interface Inst {
  op: Op;
  x: number;
  y: number;
  cps?: number[];
  pred?: Pred;
  kind?: AssertKind;
}

class Compiler {
  readonly prog: Inst[] = [];

  private emit(i: Inst): number {
    if (this.prog.length >= MAX_PROGRAM) throw new RegexpError('expression too large');
    this.prog.push(i);
    return this.prog.length - 1;
  }

  compile(n: Ast): void {
    switch (n.t) {
      case 'empty':
        return;
      case 'lit':
        this.emit({ op: Op.Lit, x: 0, y: 0, cps: n.cps });
        return;
      case 'class':
        this.emit({ op: Op.Class, x: 0, y: 0, pred: n.pred });
        return;
      case 'any':
        this.emit({ op: n.nl ? Op.Any : Op.AnyNotNL, x: 0, y: 0 });
        return;
      case 'assert':
        this.emit({ op: Op.Assert, x: 0, y: 0, kind: n.kind });
        return;
      case 'cap':
        this.emit({ op: Op.Save, x: 2 * n.index, y: 0 });
        this.compile(n.sub);
        this.emit({ op: Op.Save, x: 2 * n.index + 1, y: 0 });
        return;
      case 'cat':
        for (const s of n.subs) this.compile(s);
        return;
      case 'alt': {
        const jumps: number[] = [];
        n.subs.forEach((s, k) => {
          if (k < n.subs.length - 1) {
            const split = this.emit({ op: Op.Split, x: 0, y: 0 });
            this.prog[split]!.x = this.prog.length;
            this.compile(s);
            jumps.push(this.emit({ op: Op.Jmp, x: 0, y: 0 }));
            this.prog[split]!.y = this.prog.length;
          } else this.compile(s);
        });
        for (const j of jumps) this.prog[j]!.x = this.prog.length;
        return;
      }
      case 'rep':
        this.repeat(n.sub, n.min, n.max, n.greedy);
        return;
    }
  }

  /** A split preferring `first` when greedy. */
  private split(greedy: boolean, body: number, skip: number, at: number): void {
    this.prog[at]!.x = greedy ? body : skip;
    this.prog[at]!.y = greedy ? skip : body;
  }

  private repeat(sub: Ast, min: number, max: number, greedy: boolean): void {
    if (max === -1) {
      if (min > 0) {
        // x{n,} is x{n-1} then x+, which loops back over its one copy.
        for (let k = 0; k < min - 1; k++) this.compile(sub);
        const loopStart = this.prog.length;
        this.compile(sub);
        const s = this.emit({ op: Op.Split, x: 0, y: 0 });
        this.split(greedy, loopStart, s + 1, s);
        return;
      }
      const s = this.emit({ op: Op.Split, x: 0, y: 0 });
      this.compile(sub);
      const j = this.emit({ op: Op.Jmp, x: s, y: 0 });
      this.split(greedy, s + 1, j + 1, s);
      return;
    }
    for (let k = 0; k < min; k++) this.compile(sub);
    const splits: number[] = [];
    for (let k = min; k < max; k++) {
      splits.push(this.emit({ op: Op.Split, x: 0, y: 0 }));
      this.compile(sub);
    }
    for (const s of splits) this.split(greedy, s + 1, this.prog.length, s);
  }
}

function isWordChar(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
}

interface Thread {
  pc: number;
  caps: Int32Array;
}

/** A compiled Go regexp. */
export class GoRegexp {
  private readonly prog: Inst[];
  private readonly ncap: number;
  readonly names: readonly string[];

  constructor(readonly source: string) {
    const p = new Parser(source);
    const ast = p.parse();
    const c = new Compiler();
    c.compile({ t: 'cap', index: 0, sub: ast });
    c.prog.push({ op: Op.Match, x: 0, y: 0 });
    this.prog = c.prog;
    this.names = p.names;
    this.ncap = p.names.length * 2;
  }

  private assert(kind: AssertKind, s: string, pos: number): boolean {
    switch (kind) {
      case 'bot':
        return pos === 0;
      case 'eot':
        return pos === s.length;
      case 'bol':
        return pos === 0 || s.charCodeAt(pos - 1) === 0x0a;
      case 'eol':
        return pos === s.length || s.charCodeAt(pos) === 0x0a;
      default: {
        const before = pos > 0 && isWordChar(s.charCodeAt(pos - 1));
        const after = pos < s.length && isWordChar(s.charCodeAt(pos));
        return (before !== after) === (kind === 'wordb');
      }
    }
  }

  /** Adds the thread at `pc` and its epsilon closure to `list`, in priority order. */
  private add(
    list: Thread[],
    seen: Int32Array,
    gen: number,
    pc: number,
    caps: Int32Array,
    s: string,
    pos: number,
  ): void {
    const stack: { pc: number; caps: Int32Array }[] = [{ pc, caps }];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (seen[t.pc] === gen) continue;
      seen[t.pc] = gen;
      const inst = this.prog[t.pc]!;
      switch (inst.op) {
        case Op.Jmp:
          stack.push({ pc: inst.x, caps: t.caps });
          break;
        case Op.Split:
          // y is pushed first so that x, the preferred branch, is explored first.
          stack.push({ pc: inst.y, caps: t.caps });
          stack.push({ pc: inst.x, caps: t.caps });
          break;
        case Op.Save: {
          const c = t.caps.slice();
          c[inst.x] = pos;
          stack.push({ pc: t.pc + 1, caps: c });
          break;
        }
        case Op.Assert:
          if (this.assert(inst.kind!, s, pos)) stack.push({ pc: t.pc + 1, caps: t.caps });
          break;
        default:
          list.push(t);
      }
    }
  }

  /** Leftmost-first match at or after `start`: capture positions (-1 where unset), or null. */
  exec(s: string, start: number, wantCaps = true): Int32Array | null {
    const n = this.prog.length;
    const seen = [new Int32Array(n), new Int32Array(n)];
    let cur = 0;
    let gen = 1;
    let clist: Thread[] = [];
    let nlist: Thread[] = [];
    let matched: Int32Array | null = null;
    const empty = new Int32Array(this.ncap).fill(-1);
    for (let pos = start; ;) {
      // A new attempt starting here has the lowest priority: matches further left win.
      if (matched === null) this.add(clist, seen[cur]!, gen, 0, empty, s, pos);
      if (clist.length === 0 && (matched !== null || pos >= s.length)) break;
      const cp = pos < s.length ? s.codePointAt(pos)! : -1;
      const next = pos + (cp > 0xffff ? 2 : 1);
      const ngen = gen + 1;
      const nseen = seen[1 - cur]!;
      for (const t of clist) {
        const inst = this.prog[t.pc]!;
        let ok = false;
        switch (inst.op) {
          case Op.Match:
            matched = t.caps;
            break;
          case Op.Lit:
            ok = cp >= 0 && inst.cps!.includes(cp);
            break;
          case Op.Class:
            ok = cp >= 0 && inst.pred!(cp);
            break;
          case Op.Any:
            ok = cp >= 0;
            break;
          case Op.AnyNotNL:
            ok = cp >= 0 && cp !== 0x0a;
            break;
        }
        // A match cuts off the threads of lower priority.
        if (inst.op === Op.Match) {
          if (!wantCaps) return matched;
          break;
        }
        if (ok) this.add(nlist, nseen, ngen, t.pc + 1, t.caps, s, next);
      }
      if (pos >= s.length) break;
      [clist, nlist] = [nlist, clist];
      nlist.length = 0;
      cur = 1 - cur;
      gen = ngen;
      pos = next;
    }
    return matched;
  }

  /** Go's Regexp.MatchString: whether the pattern matches anywhere in s. */
  matchString(s: string): boolean {
    return this.exec(s, 0, false) !== null;
  }

  /** Go's Regexp.ReplaceAllString: `$1`, `${name}` expanded in repl. */
  replaceAllString(src: string, repl: string): string {
    let out = '';
    let lastMatchEnd = 0;
    let searchPos = 0;
    while (searchPos <= src.length) {
      const m = this.exec(src, searchPos);
      if (m === null) break;
      const a0 = m[0]!;
      const a1 = m[1]!;
      out += src.slice(lastMatchEnd, a0);
      if (a1 > lastMatchEnd || a0 === 0) out += this.expand(repl, src, m);
      lastMatchEnd = a1;
      const cp = src.codePointAt(searchPos);
      const width = cp === undefined ? 0 : cp > 0xffff ? 2 : 1;
      if (searchPos + width > a1) searchPos += width;
      else if (searchPos + 1 > a1) searchPos++;
      else searchPos = a1;
    }
    return out + src.slice(lastMatchEnd);
  }

  private group(src: string, m: Int32Array, i: number): string {
    const a = m[2 * i];
    const b = m[2 * i + 1];
    return a === undefined || b === undefined || a < 0 || b < 0 ? '' : src.slice(a, b);
  }

  private expand(template: string, src: string, m: Int32Array): string {
    let out = '';
    let t = template;
    for (;;) {
      const i = t.indexOf('$');
      if (i < 0) break;
      out += t.slice(0, i);
      t = t.slice(i);
      if (t.length > 1 && t[1] === '$') {
        out += '$';
        t = t.slice(2);
        continue;
      }
      const ex = extract(t);
      if (ex === undefined) {
        out += '$';
        t = t.slice(1);
        continue;
      }
      t = ex.rest;
      if (ex.num >= 0) {
        if (ex.num < this.names.length) out += this.group(src, m, ex.num);
      } else {
        const idx = this.names.indexOf(ex.name);
        if (idx > 0) out += this.group(src, m, idx);
      }
    }
    return out + t;
  }
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/** Go's regexp extract: `$name` or `${name}` at the start of str. */
function extract(str: string): { name: string; num: number; rest: string } | undefined {
  if (str.length < 2 || str[0] !== '$') return undefined;
  let brace = false;
  let s: string;
  if (str[1] === '{') {
    brace = true;
    s = str.slice(2);
  } else s = str.slice(1);
  let i = 0;
  while (i < s.length) {
    const ch = String.fromCodePoint(s.codePointAt(i)!);
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === 0) return undefined;
  const name = s.slice(0, i);
  if (brace) {
    if (i >= s.length || s[i] !== '}') return undefined;
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 0x30 || c > 0x39 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c - 0x30);
  }
  if (name[0] === '0' && name.length > 1) num = -1;
  return { name, num, rest: s.slice(i) };
}

const cache = new Map<string, GoRegexp | RegexpError>();
const CACHE_SIZE = 500;

/** Go's regexp.Compile, cached. Throws RegexpError with Go's message. */
export function compileRegexp(pattern: string): GoRegexp {
  let r = cache.get(pattern);
  if (r === undefined) {
    try {
      r = new GoRegexp(pattern);
    } catch (e) {
      if (!(e instanceof RegexpError)) throw e;
      r = e.message.startsWith('error parsing regexp')
        ? e
        : new RegexpError(`error parsing regexp: ${e.message}: \`${pattern}\``);
    }
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(pattern, r);
  }
  if (r instanceof RegexpError) throw r;
  return r;
}

/** Go's regexp.MustCompile: its panic message on a bad pattern. */
export function mustCompile(pattern: string): GoRegexp {
  try {
    return compileRegexp(pattern);
  } catch (e) {
    if (!(e instanceof RegexpError)) throw e;
    const q = canBackquote(pattern) ? '`' + pattern + '`' : quote(pattern);
    throw new RegexpError(`regexp: Compile(${q}): ${e.message}`);
  }
}
