/**
 * Go's fmt (Sprint, Sprintln, Sprintf) over the template value model: verbs, flags, width,
 * precision, argument indexes, and Go's error forms (`%!d(string=x)`, `%!(EXTRA int=2)`,
 * `%!d(MISSING)`, `%!(NOVERB)`). Pointers cannot be printed as addresses: a placeholder stands in.
 */
import { formatFloat, type FloatFormat } from './float-format.js';
import { canBackquote, isPrint, quote, quoteRune, runeCount, truncateRunes, utf8Bytes } from './strconv.js';
import { GoComplex, GoScalar, kindOf, mapEntries, stringerOf, structFields, typeNameOf } from './value.js';

/** What Go prints for a pointer or func value in place of its address. */
const PLACEHOLDER_ADDRESS = 0xc000010000n;

class Printer {
  out = '';
  // fmt flags
  plus = false;
  minus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  wid = 0;
  widPresent = false;
  prec = 0;
  precPresent = false;
  // print state
  arg: unknown = undefined;
  argSet = false;
  value: unknown = undefined;
  valueSet = false;
  erroring = false;
  goodArgNum = true;
  /** Print a pointer argument as the value it points to (templates' printableValue). */
  indirectTop = false;
  reordered = false;

  clearFlags(): void {
    this.plus = this.minus = this.sharp = this.space = this.zero = false;
    this.plusV = this.sharpV = false;
    this.wid = 0;
    this.widPresent = false;
    this.prec = 0;
    this.precPresent = false;
  }

  writePadding(n: number): void {
    if (n <= 0) return;
    this.out += (this.zero ? '0' : ' ').repeat(n);
  }

  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.out += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (!this.minus) {
      this.writePadding(width);
      this.out += s;
    } else {
      this.out += s;
      this.writePadding(width);
    }
  }

  fmtBoolean(v: boolean): void {
    this.pad(v ? 'true' : 'false');
  }

  fmtInteger(u: bigint, base: number, isSigned: boolean, verb: string, upper: boolean): void {
    const negative = isSigned && u < 0n;
    if (negative) u = -u;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = oldZero;
        return;
      }
    } else if (this.zero && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let digits = u.toString(base);
    if (upper) digits = digits.toUpperCase();
    if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
    if (this.sharp) {
      if (base === 2) digits = '0b' + digits;
      else if (base === 8 && digits[0] !== '0') digits = '0' + digits;
      else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
    }
    if (verb === 'O') digits = '0o' + digits;
    if (negative) digits = '-' + digits;
    else if (this.plus) digits = '+' + digits;
    else if (this.space) digits = ' ' + digits;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(digits);
    this.zero = oldZero;
  }

  fmtUnicode(u: bigint): void {
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    let s = u.toString(16).toUpperCase();
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    s = 'U+' + s;
    if (this.sharp && u <= 0x10ffffn && isPrint(Number(u))) s += ` '${String.fromCodePoint(Number(u))}'`;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  runeOf(u: bigint): number {
    if (u < 0n || u > 0x10ffffn) return 0xfffd;
    const r = Number(u);
    return r >= 0xd800 && r <= 0xdfff ? 0xfffd : r;
  }

  fmtFloat(v: number, verb: string, prec: number): void {
    if (this.precPresent) prec = this.prec;
    let num = formatFloat(v, verb as FloatFormat, prec);
    if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
    if (this.space && num[0] === '+' && !this.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = this.zero;
      this.zero = false;
      if (num[1] === 'N' && !this.space && !this.plus) num = num.slice(1);
      this.pad(num);
      this.zero = oldZero;
      return;
    }
    if (this.sharp && verb !== 'b') {
      let digits = 0;
      if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') {
        digits = prec;
        if (digits === -1) digits = 6;
      }
      let tail = '';
      let body = num;
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      for (let i = 1; i < body.length; i++) {
        const c = body[i]!;
        if (c === '.') {
          hasDecimalPoint = true;
          continue;
        }
        if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
          tail = body.slice(i);
          body = body.slice(0, i);
          break;
        }
        if (c !== '0') sawNonzeroDigit = true;
        if (sawNonzeroDigit) digits--;
      }
      if (!hasDecimalPoint) {
        if (body.length === 2 && body[1] === '0') digits--;
        body += '.';
      }
      while (digits > 0) {
        body += '0';
        digits--;
      }
      num = body + tail;
    }
    if (this.plus || num[0] !== '+') {
      if (this.zero && this.widPresent && this.wid > num.length) {
        this.out += num[0];
        this.writePadding(this.wid - num.length);
        this.out += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  fmtS(s: string): void {
    if (this.precPresent) s = truncateRunes(s, this.prec);
    this.pad(s);
  }

  fmtQ(s: string): void {
    if (this.precPresent) s = truncateRunes(s, this.prec);
    if (this.sharp && canBackquote(s)) {
      this.pad('`' + s + '`');
      return;
    }
    this.pad(quote(s, this.plus));
  }

  fmtSx(s: string, upper: boolean): void {
    const digits = upper ? '0123456789ABCDEF' : '0123456789abcdef';
    const b = utf8Bytes(s);
    let length = b.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) width += 2;
    } else {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    let buf = '';
    if (this.sharp) buf += upper ? '0X' : '0x';
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        buf += ' ';
        if (this.sharp) buf += upper ? '0X' : '0x';
      }
      const c = b[i]!;
      buf += digits[c >> 4]! + digits[c & 15]!;
    }
    this.out += buf;
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  fmtBool(v: boolean, verb: string): void {
    if (verb === 't' || verb === 'v') this.fmtBoolean(v);
    else this.badVerb(verb);
  }

  fmtIntegerVerb(v: bigint, isSigned: boolean, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.sharpV && !isSigned) {
          const oldSharp = this.sharp;
          this.sharp = true;
          this.fmtInteger(v, 16, false, 'v', false);
          this.sharp = oldSharp;
        } else this.fmtInteger(v, 10, isSigned, verb, false);
        return;
      case 'd':
        this.fmtInteger(v, 10, isSigned, verb, false);
        return;
      case 'b':
        this.fmtInteger(v, 2, isSigned, verb, false);
        return;
      case 'o':
      case 'O':
        this.fmtInteger(v, 8, isSigned, verb, false);
        return;
      case 'x':
        this.fmtInteger(v, 16, isSigned, verb, false);
        return;
      case 'X':
        this.fmtInteger(v, 16, isSigned, verb, true);
        return;
      case 'c':
        this.pad(String.fromCodePoint(this.runeOf(isSigned && v < 0n ? -1n : v)));
        return;
      case 'q':
        this.pad(quoteRune(this.runeOf(isSigned && v < 0n ? -1n : v), this.plus));
        return;
      case 'U':
        this.fmtUnicode(isSigned && v < 0n ? v + (1n << 64n) : v);
        return;
      default:
        this.badVerb(verb);
    }
  }

  fmtFloatVerb(v: number, verb: string): void {
    switch (verb) {
      case 'v':
        this.fmtFloat(v, 'g', -1);
        return;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        this.fmtFloat(v, verb, -1);
        return;
      case 'f':
      case 'e':
      case 'E':
        this.fmtFloat(v, verb, 6);
        return;
      case 'F':
        this.fmtFloat(v, 'f', 6);
        return;
      default:
        this.badVerb(verb);
    }
  }

  fmtComplex(v: GoComplex, verb: string): void {
    if (!'vbgGxXfFeE'.includes(verb)) {
      this.badVerb(verb);
      return;
    }
    const oldPlus = this.plus;
    this.out += '(';
    this.fmtFloatVerb(v.re, verb);
    this.plus = true;
    this.fmtFloatVerb(v.im, verb);
    this.out += 'i)';
    this.plus = oldPlus;
  }

  fmtString(v: string, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.sharpV) this.fmtQ(v);
        else this.fmtS(v);
        return;
      case 's':
        this.fmtS(v);
        return;
      case 'x':
        this.fmtSx(v, false);
        return;
      case 'X':
        this.fmtSx(v, true);
        return;
      case 'q':
        this.fmtQ(v);
        return;
      default:
        this.badVerb(verb);
    }
  }

  fmtPointer(v: unknown, verb: string): void {
    const kind = kindOf(v);
    if (kind !== 'ptr' && kind !== 'func' && kind !== 'map' && kind !== 'slice') {
      this.badVerb(verb);
      return;
    }
    const isNil = v === null || v === undefined;
    switch (verb) {
      case 'v':
        if (this.sharpV) {
          this.out += `(${typeNameOf(v)})(`;
          this.out += isNil ? 'nil' : `0x${PLACEHOLDER_ADDRESS.toString(16)}`;
          this.out += ')';
        } else if (isNil) this.pad('<nil>');
        else {
          const oldSharp = this.sharp;
          this.sharp = !this.sharp;
          this.fmtInteger(PLACEHOLDER_ADDRESS, 16, false, 'v', false);
          this.sharp = oldSharp;
        }
        return;
      case 'p': {
        const oldSharp = this.sharp;
        this.sharp = !this.sharp;
        this.fmtInteger(isNil ? 0n : PLACEHOLDER_ADDRESS, 16, false, 'v', false);
        this.sharp = oldSharp;
        return;
      }
      case 'b':
      case 'o':
      case 'd':
      case 'x':
      case 'X': {
        const base = verb === 'b' ? 2 : verb === 'o' ? 8 : verb === 'd' ? 10 : 16;
        this.fmtInteger(isNil ? 0n : PLACEHOLDER_ADDRESS, base, false, verb, verb === 'X');
        return;
      }
      default:
        this.badVerb(verb);
    }
  }

  badVerb(verb: string): void {
    this.erroring = true;
    this.out += '%!' + verb + '(';
    if (this.argSet && this.arg !== undefined && this.arg !== null) {
      this.out += typeNameOf(this.arg) + '=';
      this.printArg(this.arg, 'v');
    } else if (this.valueSet && this.value !== undefined) {
      this.out += typeNameOf(this.value) + '=';
      this.printValue(this.value, 'v', 0);
    } else this.out += '<nil>';
    this.out += ')';
    this.erroring = false;
  }

  handleMethods(verb: string): boolean {
    if (this.erroring || this.sharpV) return false;
    if (verb === 'v' || verb === 's' || verb === 'x' || verb === 'X' || verb === 'q') {
      const s = stringerOf(this.arg);
      if (s) {
        this.fmtString(s(), verb);
        return true;
      }
    }
    return false;
  }

  printArg(arg: unknown, verb: string): void {
    this.arg = arg;
    this.argSet = true;
    this.value = undefined;
    this.valueSet = false;
    if (arg === undefined || arg === null) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb);
      return;
    }
    if (verb === 'T') {
      this.fmtS(typeNameOf(arg));
      return;
    }
    if (verb === 'p') {
      this.fmtPointer(arg, 'p');
      return;
    }
    switch (typeof arg) {
      case 'boolean':
        this.fmtBool(arg, verb);
        return;
      case 'number':
        this.fmtFloatVerb(arg, verb);
        return;
      case 'bigint':
        this.fmtIntegerVerb(arg, true, verb);
        return;
      case 'string':
        this.fmtString(arg, verb);
        return;
    }
    if (!this.handleMethods(verb)) this.printValue(arg, verb, 0);
  }

  printValue(value: unknown, verb: string, depth: number): void {
    if (depth > 0 && value !== undefined) {
      this.arg = value;
      this.argSet = true;
      if (this.handleMethods(verb)) return;
    }
    this.arg = undefined;
    this.argSet = false;
    this.value = value;
    this.valueSet = true;
    if (value === undefined) {
      if (depth === 0) this.out += '<invalid reflect.Value>';
      else if (verb === 'v') this.out += '<nil>';
      else this.badVerb(verb);
      return;
    }
    if (value === null) {
      if (this.sharpV) this.out += 'interface {}(nil)';
      else this.out += '<nil>';
      return;
    }
    if (value instanceof GoComplex) {
      this.fmtComplex(value, verb);
      return;
    }
    if (value instanceof GoScalar) {
      const x = value.value;
      switch (value.kind) {
        case 'bool':
          this.fmtBool(x as boolean, verb);
          return;
        case 'int':
          this.fmtIntegerVerb(x as bigint, true, verb);
          return;
        case 'uint':
          this.fmtIntegerVerb(x as bigint, false, verb);
          return;
        case 'float':
          this.fmtFloatVerb(x as number, verb);
          return;
        case 'string':
          this.fmtString(x as string, verb);
          return;
      }
    }
    switch (typeof value) {
      case 'boolean':
        this.fmtBool(value, verb);
        return;
      case 'number':
        this.fmtFloatVerb(value, verb);
        return;
      case 'bigint':
        this.fmtIntegerVerb(value, true, verb);
        return;
      case 'string':
        this.fmtString(value, verb);
        return;
      case 'function':
        this.fmtPointer(value, verb);
        return;
    }
    const kind = kindOf(value);
    const obj = value;
    switch (kind) {
      case 'map': {
        const entries = mapEntries(obj);
        this.out += this.sharpV ? typeNameOf(value) + '{' : 'map[';
        entries.forEach(([k, v], i) => {
          if (i > 0) this.out += this.sharpV ? ', ' : ' ';
          this.printValue(k, verb, depth + 1);
          this.out += ':';
          this.printValue(v, verb, depth + 1);
        });
        this.out += this.sharpV ? '}' : ']';
        return;
      }
      case 'slice': {
        const items = value as unknown[];
        if (this.sharpV) {
          this.out += typeNameOf(value) + '{';
          items.forEach((v, i) => {
            if (i > 0) this.out += ', ';
            this.printValue(v, verb, depth + 1);
          });
          this.out += '}';
          return;
        }
        this.out += '[';
        items.forEach((v, i) => {
          if (i > 0) this.out += ' ';
          this.printValue(v, verb, depth + 1);
        });
        this.out += ']';
        return;
      }
      case 'ptr':
        if (depth === 0) {
          if (!this.indirectTop) this.out += '&';
          this.printStruct(obj, verb, depth + 1);
          return;
        }
        this.fmtPointer(value, verb);
        return;
      case 'func':
        this.fmtPointer(value, verb);
        return;
      default:
        this.printStruct(obj, verb, depth);
    }
  }

  printStruct(obj: object, verb: string, depth: number): void {
    if (this.sharpV) this.out += typeNameOf(obj).replace(/^\*/, '');
    this.out += '{';
    structFields(obj).forEach(([name, v], i) => {
      if (i > 0) this.out += this.sharpV ? ', ' : ' ';
      if (this.plusV || this.sharpV) this.out += name + ':';
      this.printValue(v, verb, depth + 1);
    });
    this.out += '}';
  }

  argNumber(argNum: number, format: string, i: number, numArgs: number): [number, number, boolean] {
    if (format.length <= i || format[i] !== '[') return [argNum, i, false];
    this.reordered = true;
    const { index, wid, ok } = parseArgNumber(format.slice(i));
    if (ok && index >= 0 && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }

  doPrintf(format: string, a: readonly unknown[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    this.reordered = false;
    formatLoop: for (let i = 0; i < end;) {
      this.goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== '%') i++;
      if (i > lasti) this.out += format.slice(lasti, i);
      if (i >= end) break;
      i++;
      this.clearFlags();
      simpleFormat: for (; i < end; i++) {
        const c = format[i]!;
        switch (c) {
          case '#':
            this.sharp = true;
            break;
          case '0':
            this.zero = !this.minus;
            break;
          case '+':
            this.plus = true;
            break;
          case '-':
            this.minus = true;
            this.zero = false;
            break;
          case ' ':
            this.space = true;
            break;
          default:
            if (c >= 'a' && c <= 'z' && argNum < a.length) {
              if (c === 'v') {
                this.sharpV = this.sharp;
                this.sharp = false;
                this.plusV = this.plus;
                this.plus = false;
              }
              this.printArg(a[argNum], c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simpleFormat;
        }
      }
      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i < end && format[i] === '*') {
        i++;
        [this.wid, this.widPresent, argNum] = intFromArg(a, argNum);
        if (!this.widPresent) this.out += '%!(BADWIDTH)';
        if (this.wid < 0) {
          this.wid = -this.wid;
          this.minus = true;
          this.zero = false;
        }
        afterIndex = false;
      } else {
        [this.wid, this.widPresent, i] = parsenum(format, i, end);
        if (afterIndex && this.widPresent) this.goodArgNum = false;
      }
      if (i + 1 < end && format[i] === '.') {
        i++;
        if (afterIndex) this.goodArgNum = false;
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
        if (i < end && format[i] === '*') {
          i++;
          [this.prec, this.precPresent, argNum] = intFromArg(a, argNum);
          if (this.prec < 0) {
            this.prec = 0;
            this.precPresent = false;
          }
          if (!this.precPresent) this.out += '%!(BADPREC)';
          afterIndex = false;
        } else {
          [this.prec, this.precPresent, i] = parsenum(format, i, end);
          if (!this.precPresent) {
            this.prec = 0;
            this.precPresent = true;
          }
        }
      }
      if (!afterIndex) [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i >= end) {
        this.out += '%!(NOVERB)';
        break;
      }
      const cp = format.codePointAt(i)!;
      const verb = String.fromCodePoint(cp);
      i += verb.length;
      if (verb === '%') this.out += '%';
      else if (!this.goodArgNum) this.out += `%!${verb}(BADINDEX)`;
      else if (argNum >= a.length) this.out += `%!${verb}(MISSING)`;
      else {
        if (verb === 'v') {
          this.sharpV = this.sharp;
          this.sharp = false;
          this.plusV = this.plus;
          this.plus = false;
        }
        this.printArg(a[argNum], verb);
        argNum++;
      }
    }
    if (!this.reordered && argNum < a.length) {
      this.clearFlags();
      this.out += '%!(EXTRA ';
      a.slice(argNum).forEach((arg, i) => {
        if (i > 0) this.out += ', ';
        if (arg === undefined || arg === null) this.out += '<nil>';
        else {
          this.out += typeNameOf(arg) + '=';
          this.printArg(arg, 'v');
        }
      });
      this.out += ')';
    }
  }
}

function tooLarge(x: number): boolean {
  return x > 1e6 || x < -1e6;
}

function parsenum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let isnum = false;
  let i = start;
  for (; i < end && s[i]! >= '0' && s[i]! <= '9'; i++) {
    if (tooLarge(num)) return [0, false, end];
    num = num * 10 + (s.charCodeAt(i) - 48);
    isnum = true;
  }
  return [num, isnum, i];
}

function parseArgNumber(format: string): { index: number; wid: number; ok: boolean } {
  if (format.length < 3) return { index: 0, wid: 1, ok: false };
  for (let i = 1; i < format.length; i++) {
    if (format[i] === ']') {
      const [width, ok, newi] = parsenum(format, 1, i);
      if (!ok || newi !== i) return { index: 0, wid: i + 1, ok: false };
      return { index: width - 1, wid: i + 1, ok: true };
    }
  }
  return { index: 0, wid: 1, ok: false };
}

function intFromArg(a: readonly unknown[], argNum: number): [number, boolean, number] {
  if (argNum >= a.length) return [0, false, argNum];
  const v = a[argNum];
  let num = 0;
  let isInt = false;
  if (typeof v === 'bigint') {
    num = Number(v);
    isInt = true;
  } else if (v instanceof GoScalar && (v.kind === 'int' || v.kind === 'uint')) {
    num = Number(v.value);
    isInt = true;
  }
  if (tooLarge(num)) {
    num = 0;
    isInt = false;
  }
  return [num, isInt, argNum + 1];
}

function isStringKind(v: unknown): boolean {
  return typeof v === 'string' || (v instanceof GoScalar && v.kind === 'string');
}

/** Go's fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.out;
}

/** Go's fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: readonly unknown[], indirectTop = false): string {
  const p = new Printer();
  p.indirectTop = indirectTop;
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = isStringKind(arg);
    if (i > 0 && !isString && !prevString) p.out += ' ';
    p.clearFlags();
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.out;
}

/** Go's fmt.Sprintln: spaces between all operands, a newline at the end. */
export function sprintln(args: readonly unknown[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.out += ' ';
    p.clearFlags();
    p.printArg(arg, 'v');
  });
  return p.out + '\n';
}

/**
 * What an action prints (Go's printableValue, then fmt.Fprint): no value is `<no value>`, and a
 * pointer prints as what it points to.
 */
export function formatPrintable(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '<no value>';
  const p = new Printer();
  p.indirectTop = true;
  p.printArg(v, 'v');
  return p.out;
}

/** fmt.Sprint of printable values (Go's evalArgs for html, js and urlquery). */
export function sprintPrintable(args: readonly unknown[]): string {
  return sprint(
    args.map((a) => (a === undefined || a === null ? '<no value>' : a)),
    true,
  );
}
