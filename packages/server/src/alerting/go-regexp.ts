/**
 * Go's `regexp` (RE2 syntax, `syntax.Perl` flags) translated to a JavaScript `RegExp` with the same
 * match semantics, and Go's parse errors (`error parsing regexp: missing closing ): ...`) for
 * patterns Go rejects. Alertmanager compiles every `match_re` value and every `=~`/`!~` matcher with
 * Go's regexp, so a pattern must be accepted or rejected here exactly as there.
 *
 * Differences from JS that matter: `.` does not match `\n` unless `(?s)`; `^`/`$` are text anchors
 * unless `(?m)` (and then only `\n` separates lines); `\d`, `\s`, `\w`, `\b` are ASCII; `(?i)` can
 * switch mid-pattern; a lone `{` or `]` is a literal; lookarounds and backreferences do not exist.
 */

/** A pattern Go's regexp package rejects; `message` is Go's error text. */
export class GoRegexpError extends Error {
  readonly code = 'WK_ALERTING_BAD_REGEXP';
  constructor(message: string) {
    super(message);
    this.name = 'GoRegexpError';
  }
}

const MAX_RUNE = 0x10ffff;
const MAX_REPEAT = 1000;

type Range = readonly [number, number];

interface Flags {
  /** (?i) */
  fold: boolean;
  /** not (?m): ^ and $ match at the text's ends only */
  oneLine: boolean;
  /** (?s) */
  dotNL: boolean;
  /** (?U) */
  nonGreedy: boolean;
}

type Node =
  | { t: 'lit'; cp: number; fold: boolean }
  | { t: 'class'; ranges: Range[]; props: string[]; negated: boolean }
  | { t: 'assert'; js: string }
  | { t: 'group'; capture: boolean; name: string | undefined; alts: Node[][] }
  | { t: 'repeat'; min: number; max: number; greedy: boolean; sub: Node };

const ERR = {
  missingParen: 'missing closing )',
  unexpectedParen: 'unexpected )',
  missingBracket: 'missing closing ]',
  invalidEscape: 'invalid escape sequence',
  invalidCharRange: 'invalid character class range',
  invalidNamedCapture: 'invalid named capture',
  invalidPerlOp: 'invalid or unsupported Perl syntax',
  invalidRepeatOp: 'invalid nested repetition operator',
  invalidRepeatSize: 'invalid repeat count',
  missingRepeatArgument: 'missing argument to repetition operator',
  trailingBackslash: 'trailing backslash at end of expression',
} as const;

function fail(code: string, expr: string): never {
  throw new GoRegexpError(`error parsing regexp: ${code}: \`${expr}\``);
}

const ASCII_DIGIT: Range[] = [[0x30, 0x39]];
const ASCII_SPACE: Range[] = [
  [0x09, 0x0a],
  [0x0c, 0x0d],
  [0x20, 0x20],
];
const ASCII_WORD: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];

const PERL_GROUPS: Record<string, { ranges: Range[]; negated: boolean }> = {
  '\\d': { ranges: ASCII_DIGIT, negated: false },
  '\\D': { ranges: ASCII_DIGIT, negated: true },
  '\\s': { ranges: ASCII_SPACE, negated: false },
  '\\S': { ranges: ASCII_SPACE, negated: true },
  '\\w': { ranges: ASCII_WORD, negated: false },
  '\\W': { ranges: ASCII_WORD, negated: true },
};

const POSIX_GROUPS: Record<string, Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: ASCII_DIGIT,
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: ASCII_WORD,
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

/** Go's Unicode general categories (unicode.Categories); anything else must be a script name. */
const GO_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

/** Case-fold orbits beyond plain lower/upper case (Go's unicode.SimpleFold). */
const EXTRA_FOLDS: Record<number, number[]> = {
  0x4b: [0x212a],
  0x6b: [0x212a],
  0x212a: [0x4b, 0x6b],
  0x53: [0x17f],
  0x73: [0x17f],
  0x17f: [0x53, 0x73],
  0xc5: [0x212b],
  0xe5: [0x212b],
  0x212b: [0xc5, 0xe5],
  0xb5: [0x39c, 0x3bc],
  0x39c: [0xb5],
  0x3bc: [0xb5],
};

function foldsOf(cp: number): number[] {
  const out = new Set<number>([cp]);
  const s = String.fromCodePoint(cp);
  for (const v of [s.toLowerCase(), s.toUpperCase()]) {
    const c = v.codePointAt(0)!;
    if (v.length === String.fromCodePoint(c).length) out.add(c);
  }
  for (const c of [...out]) for (const e of EXTRA_FOLDS[c] ?? []) out.add(e);
  return [...out];
}

/** Adds the case variants of a range (exactly for small ranges; ASCII letters for huge ones). */
function foldRange(lo: number, hi: number, into: Range[]): void {
  into.push([lo, hi]);
  const limit = hi - lo > 4096 ? Math.min(hi, 0x7f) : hi;
  for (let c = lo; c <= limit; c++) for (const f of foldsOf(c)) if (f !== c) into.push([f, f]);
}

function complement(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

function isWordByte(c: string): boolean {
  return /^[0-9A-Za-z_]$/.test(c);
}

function isAlnum(c: string): boolean {
  return /^[0-9A-Za-z]$/.test(c);
}

function unhex(c: string | undefined): number {
  if (c === undefined) return -1;
  return /^[0-9a-fA-F]$/.test(c) ? parseInt(c, 16) : -1;
}

/** Resolves a Go Unicode class name to a JS property escape body (`L`, `Script=Greek`), or undefined. */
function unicodeProperty(name: string): string | undefined {
  if (name === 'Any') return 'Any';
  const candidate = GO_CATEGORIES.has(name) ? name : `Script=${name}`;
  try {
    new RegExp(`\\p{${candidate}}`, 'u');
    return candidate;
  } catch {
    return undefined;
  }
}

class Parser {
  /** The pattern as code points; errors quote slices of it as Go does. */
  private readonly s: string[];
  private pos = 0;
  private flags: Flags = { fold: false, oneLine: true, dotNL: false, nonGreedy: false };

  constructor(private readonly src: string) {
    this.s = Array.from(src);
  }

  private rest(from = this.pos): string {
    return this.s.slice(from).join('');
  }

  private slice(from: number, to: number): string {
    return this.s.slice(from, to).join('');
  }

  parse(): Node[][] {
    const alts = this.parseAlternation(0);
    if (this.pos < this.s.length) fail(ERR.unexpectedParen, this.src);
    return alts;
  }

  /** Parses until an unmatched `)` (depth > 0) or the end. */
  private parseAlternation(depth: number): Node[][] {
    const alts: Node[][] = [[]];
    const saved = { ...this.flags };
    let lastRepeatStart = -1;
    while (this.pos < this.s.length) {
      const c = this.s[this.pos]!;
      let repeatStart = -1;
      const seq = alts[alts.length - 1]!;
      if (c === ')') {
        if (depth === 0) fail(ERR.unexpectedParen, this.src);
        break;
      }
      switch (c) {
        case '|':
          alts.push([]);
          this.pos++;
          break;
        case '(':
          this.parseGroup(seq, depth);
          break;
        case '^':
          seq.push({ t: 'assert', js: this.flags.oneLine ? '^' : '(?<![^\\n])' });
          this.pos++;
          break;
        case '$':
          seq.push({ t: 'assert', js: this.flags.oneLine ? '$' : '(?![^\\n])' });
          this.pos++;
          break;
        case '.':
          seq.push({
            t: 'class',
            ranges: this.flags.dotNL ? [[0, MAX_RUNE]] : complement([[10, 10]]),
            props: [],
            negated: false,
          });
          this.pos++;
          break;
        case '[':
          seq.push(this.parseClass());
          break;
        case '*':
        case '+':
        case '?': {
          const start = this.pos;
          this.pos++;
          const [min, max] = c === '*' ? [0, -1] : c === '+' ? [1, -1] : [0, 1];
          this.repeat(seq, min, max, start, lastRepeatStart);
          repeatStart = start;
          break;
        }
        case '{': {
          const start = this.pos;
          const r = this.parseRepeatBraces();
          if (r === undefined) {
            seq.push({ t: 'lit', cp: 0x7b, fold: false });
            this.pos++;
            break;
          }
          const [min, max] = r;
          if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
            fail(ERR.invalidRepeatSize, this.slice(start, this.pos));
          }
          this.repeat(seq, min, max, start, lastRepeatStart);
          repeatStart = start;
          break;
        }
        case '\\':
          this.parseBackslash(seq);
          break;
        default:
          this.pos++;
          seq.push({ t: 'lit', cp: c.codePointAt(0)!, fold: this.flags.fold });
      }
      lastRepeatStart = repeatStart;
    }
    this.flags = saved;
    return alts;
  }

  private repeat(seq: Node[], min: number, max: number, start: number, lastRepeatStart: number): void {
    let greedy = !this.flags.nonGreedy;
    if (this.s[this.pos] === '?') {
      this.pos++;
      greedy = !greedy;
    }
    if (lastRepeatStart >= 0) fail(ERR.invalidRepeatOp, this.slice(lastRepeatStart, this.pos));
    const sub = seq.pop();
    if (sub === undefined) fail(ERR.missingRepeatArgument, this.slice(start, this.pos));
    const node: Node = { t: 'repeat', min, max, greedy, sub };
    if (!repeatIsValid(node, MAX_REPEAT)) fail(ERR.invalidRepeatSize, this.slice(start, this.pos));
    seq.push(node);
  }

  /** `{n}`, `{n,}`, `{n,m}` at pos; undefined when it is not a repeat (then `{` is a literal). */
  private parseRepeatBraces(): [number, number] | undefined {
    let i = this.pos + 1;
    const int = (): number | undefined => {
      const start = i;
      if (!/^[0-9]$/.test(this.s[i] ?? '')) return undefined;
      if (this.s[i] === '0' && /^[0-9]$/.test(this.s[i + 1] ?? '')) return undefined;
      while (/^[0-9]$/.test(this.s[i] ?? '')) i++;
      const digits = this.slice(start, i);
      return digits.length > 8 ? -1 : Number(digits);
    };
    let min = int();
    if (min === undefined || i >= this.s.length) return undefined;
    let max: number;
    if (this.s[i] !== ',') {
      max = min;
    } else {
      i++;
      if (i >= this.s.length) return undefined;
      if (this.s[i] === '}') {
        max = -1;
      } else {
        const m = int();
        if (m === undefined) return undefined;
        max = m;
        if (max < 0) min = -1;
      }
    }
    if (this.s[i] !== '}') return undefined;
    this.pos = i + 1;
    return [min, max];
  }

  private parseGroup(seq: Node[], depth: number): void {
    const start = this.pos;
    if (this.s[this.pos + 1] !== '?') {
      this.pos++;
      seq.push(this.finishGroup(true, undefined, depth, start));
      return;
    }
    const t = this.rest(start);
    if (t.length > 4 && t[2] === 'P' && t[3] === '<') {
      const end = t.indexOf('>');
      if (end < 0) fail(ERR.invalidNamedCapture, t);
      const name = t.slice(4, end);
      if (!/^[0-9A-Za-z_]+$/.test(name)) fail(ERR.invalidNamedCapture, t.slice(0, end + 1));
      this.pos = start + Array.from(t.slice(0, end + 1)).length;
      seq.push(this.finishGroup(true, name, depth, start));
      return;
    }
    // Flags, optionally opening a non-capturing group: (?i) (?i-s:...) (?:...)
    let i = start + 2;
    const flags = { ...this.flags };
    let negate = false;
    let sawFlag = false;
    while (i < this.s.length) {
      const c = this.s[i++]!;
      if (c === 'i' || c === 'm' || c === 's' || c === 'U') {
        const on = !negate;
        if (c === 'i') flags.fold = on;
        if (c === 'm') flags.oneLine = !on;
        if (c === 's') flags.dotNL = on;
        if (c === 'U') flags.nonGreedy = on;
        sawFlag = true;
        continue;
      }
      if (c === '-') {
        if (negate) break;
        negate = true;
        sawFlag = false;
        continue;
      }
      if (c === ':' || c === ')') {
        if (negate && !sawFlag) break;
        this.pos = i;
        if (c === ')') {
          this.flags = flags;
          return;
        }
        const outer = this.flags;
        this.flags = flags;
        const group = this.finishGroup(false, undefined, depth, start);
        this.flags = outer;
        seq.push(group);
        return;
      }
      break;
    }
    fail(ERR.invalidPerlOp, this.slice(start, i));
  }

  private finishGroup(capture: boolean, name: string | undefined, depth: number, _start: number): Node {
    const alts = this.parseAlternation(depth + 1);
    if (this.s[this.pos] !== ')') fail(ERR.missingParen, this.src);
    this.pos++;
    return { t: 'group', capture, name, alts };
  }

  private parseBackslash(seq: Node[]): void {
    const next = this.s[this.pos + 1];
    switch (next) {
      case 'A':
        seq.push({ t: 'assert', js: '^' });
        this.pos += 2;
        return;
      case 'z':
        seq.push({ t: 'assert', js: '$' });
        this.pos += 2;
        return;
      case 'b':
        seq.push({ t: 'assert', js: '\\b' });
        this.pos += 2;
        return;
      case 'B':
        seq.push({ t: 'assert', js: '\\B' });
        this.pos += 2;
        return;
      case 'C':
        fail(ERR.invalidEscape, '\\C');
        break;
      case 'Q': {
        const t = this.rest(this.pos + 2);
        const end = t.indexOf('\\E');
        const lit = end < 0 ? t : t.slice(0, end);
        for (const ch of lit) seq.push({ t: 'lit', cp: ch.codePointAt(0)!, fold: this.flags.fold });
        this.pos += 2 + Array.from(lit).length + (end < 0 ? 0 : 2);
        return;
      }
    }
    const cls = this.parseUnicodeClass() ?? this.parsePerlClass();
    if (cls) {
      seq.push(cls);
      return;
    }
    const cp = this.parseEscape();
    seq.push({ t: 'lit', cp, fold: this.flags.fold });
  }

  /** `\pL`, `\p{Greek}`, `\P{^Lu}` at pos, or undefined. */
  private parseUnicodeClass(): Node | undefined {
    if (this.s[this.pos] !== '\\' || (this.s[this.pos + 1] !== 'p' && this.s[this.pos + 1] !== 'P')) {
      return undefined;
    }
    let negated = this.s[this.pos + 1] === 'P';
    const start = this.pos;
    const c = this.s[this.pos + 2];
    let name: string;
    let seqText: string;
    if (c !== '{') {
      name = c ?? '';
      this.pos += 3;
      seqText = this.slice(start, this.pos);
    } else {
      const t = this.rest(start);
      const end = t.indexOf('}');
      if (end < 0) fail(ERR.invalidCharRange, t);
      seqText = t.slice(0, end + 1);
      name = t.slice(3, end);
      this.pos = start + Array.from(seqText).length;
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const prop = unicodeProperty(name);
    if (prop === undefined) fail(ERR.invalidCharRange, seqText);
    return { t: 'class', ranges: [], props: [`\\${negated ? 'P' : 'p'}{${prop}}`], negated: false };
  }

  private parsePerlClass(): Node | undefined {
    const g = PERL_GROUPS[this.slice(this.pos, this.pos + 2)];
    if (!g) return undefined;
    this.pos += 2;
    return { t: 'class', ranges: [...g.ranges], props: [], negated: g.negated };
  }

  /** An escaped single character at pos (`\n`, `\x41`, `\x{263a}`, `\101`, `\.`). */
  private parseEscape(): number {
    const start = this.pos;
    this.pos++;
    const c = this.s[this.pos];
    if (c === undefined) fail(ERR.trailingBackslash, '');
    this.pos++;
    const bad = (): never => fail(ERR.invalidEscape, this.slice(start, this.pos));
    if (c.codePointAt(0)! < 0x80 && !isAlnum(c)) return c.codePointAt(0)!;
    switch (c) {
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        // \1-\7 alone would be a backreference: only an octal escape of two or three digits is allowed.
        if (c !== '0' && !/^[0-7]$/.test(this.s[this.pos] ?? '')) return bad();
        let r = Number(c);
        for (let i = 1; i < 3 && /^[0-7]$/.test(this.s[this.pos] ?? ''); i++) r = r * 8 + Number(this.s[this.pos++]);
        return r;
      }
      case 'x': {
        if (this.pos >= this.s.length) return bad();
        const d = this.s[this.pos++];
        if (d === '{') {
          let r = 0;
          let n = 0;
          for (;;) {
            if (this.pos >= this.s.length) return bad();
            const h = this.s[this.pos++]!;
            if (h === '}') break;
            const v = unhex(h);
            if (v < 0) return bad();
            r = r * 16 + v;
            if (r > MAX_RUNE) return bad();
            n++;
          }
          if (n === 0) return bad();
          return r;
        }
        const x = unhex(d);
        const y = unhex(this.s[this.pos++]);
        if (x < 0 || y < 0) return bad();
        return x * 16 + y;
      }
      case 'a':
        return 7;
      case 'f':
        return 12;
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'v':
        return 11;
    }
    return bad();
  }

  private parseClass(): Node {
    const wholeStart = this.pos;
    const whole = (): string => this.rest(wholeStart);
    this.pos++;
    let negated = false;
    if (this.s[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: Range[] = [];
    const props: string[] = [];
    const add = (lo: number, hi: number): void => {
      if (this.flags.fold) foldRange(lo, hi, ranges);
      else ranges.push([lo, hi]);
    };
    let first = true;
    while (this.pos >= this.s.length || this.s[this.pos] !== ']' || first) {
      first = false;
      if (this.pos >= this.s.length) fail(ERR.missingBracket, whole());
      if (this.s[this.pos] === '[' && this.s[this.pos + 1] === ':') {
        const t = this.rest();
        const end = t.indexOf(':]', 2);
        if (end >= 0) {
          const text = t.slice(0, end + 2);
          let name = text.slice(2, -2);
          let neg = false;
          if (name.startsWith('^')) {
            neg = true;
            name = name.slice(1);
          }
          const g = POSIX_GROUPS[name];
          if (!g) fail(ERR.invalidCharRange, text);
          this.pos += Array.from(text).length;
          const rs = neg ? complement(g) : g;
          for (const [lo, hi] of rs) add(lo, hi);
          continue;
        }
      }
      const uni = this.parseUnicodeClass();
      if (uni && uni.t === 'class') {
        props.push(...uni.props);
        continue;
      }
      const perl = this.parsePerlClass();
      if (perl && perl.t === 'class') {
        for (const [lo, hi] of perl.negated ? complement(perl.ranges) : perl.ranges) add(lo, hi);
        continue;
      }
      const rangeStart = this.pos;
      const lo = this.parseClassChar(whole);
      let hi = lo;
      if (this.s[this.pos] === '-' && this.pos + 1 < this.s.length && this.s[this.pos + 1] !== ']') {
        this.pos++;
        hi = this.parseClassChar(whole);
        if (hi < lo) fail(ERR.invalidCharRange, this.slice(rangeStart, this.pos));
      }
      add(lo, hi);
    }
    this.pos++;
    return { t: 'class', ranges, props, negated };
  }

  private parseClassChar(whole: () => string): number {
    if (this.pos >= this.s.length) fail(ERR.missingBracket, whole());
    if (this.s[this.pos] === '\\') return this.parseEscape();
    return this.s[this.pos++]!.codePointAt(0)!;
  }
}

/** Go's check that nested repeat counts do not multiply beyond 1000. */
function repeatIsValid(node: Node, n: number): boolean {
  if (node.t === 'repeat') {
    let m = node.max;
    if (m === 0) return true;
    if (m < 0) m = node.min;
    if (m > n) return false;
    if (m > 0) n = Math.floor(n / m);
    return repeatIsValid(node.sub, n);
  }
  if (node.t === 'group') return node.alts.every((alt) => alt.every((sub) => repeatIsValid(sub, n)));
  return true;
}

function cpEscape(cp: number): string {
  const c = String.fromCodePoint(cp);
  return isWordByte(c) ? c : `\\u{${cp.toString(16)}}`;
}

function emitClass(node: Extract<Node, { t: 'class' }>): string {
  const body =
    node.ranges.map(([lo, hi]) => (lo === hi ? cpEscape(lo) : `${cpEscape(lo)}-${cpEscape(hi)}`)).join('') +
    node.props.join('');
  return `[${node.negated ? '^' : ''}${body}]`;
}

function emit(node: Node): string {
  switch (node.t) {
    case 'lit': {
      if (!node.fold) return cpEscape(node.cp);
      const variants = foldsOf(node.cp);
      return variants.length === 1 ? cpEscape(node.cp) : `[${variants.map(cpEscape).join('')}]`;
    }
    case 'class':
      return emitClass(node);
    case 'assert':
      return node.js;
    case 'group': {
      const body = node.alts.map((alt) => alt.map(emit).join('')).join('|');
      return node.capture ? `(${body})` : `(?:${body})`;
    }
    case 'repeat': {
      const q =
        node.min === 0 && node.max === -1
          ? '*'
          : node.min === 1 && node.max === -1
            ? '+'
            : node.min === 0 && node.max === 1
              ? '?'
              : node.max === -1
                ? `{${node.min},}`
                : node.min === node.max
                  ? `{${node.min}}`
                  : `{${node.min},${node.max}}`;
      // JS refuses to repeat an assertion; a group around it is allowed.
      const sub = node.sub.t === 'assert' ? `(?:${emit(node.sub)})` : emit(node.sub);
      return `${sub}${q}${node.greedy ? '' : '?'}`;
    }
  }
}

/**
 * Compiles a Go regular expression (unanchored, as `regexp.Compile` does) to an equivalent JS
 * RegExp. Throws GoRegexpError with Go's message for patterns Go rejects.
 *
 * @example compileGoRegexp('^(?:' + value + ')$') // what Alertmanager does for a =~ matcher
 */
export function compileGoRegexp(src: string): RegExp {
  const alts = new Parser(src).parse();
  const body = alts.map((alt) => alt.map(emit).join('')).join('|');
  return new RegExp(body, 'u');
}
