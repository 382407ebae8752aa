/**
 * Go's strconv and unicode helpers that the template language needs: quoting (`%q`, error
 * messages), unquoting of string and character literals, printable runes, UTF-8 byte lengths.
 * Go strings are bytes; JS strings are UTF-16. Positions and lengths that Go reports in bytes
 * (`len`, error columns) are computed with `utf8Length`.
 */

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;
const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

/** Go's unicode.IsLetter. */
export function isLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return LETTER.test(String.fromCodePoint(cp));
}

/** Go's unicode.IsDigit. */
export function isDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return DIGIT.test(String.fromCodePoint(cp));
}

/** Number of bytes of the UTF-8 encoding of `s` (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Number of runes (code points) in `s`, as Go's utf8.RuneCountInString. */
export function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The first `n` runes of `s`. */
export function truncateRunes(s: string, n: number): string {
  let i = 0;
  let count = 0;
  while (i < s.length && count < n) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
    count++;
  }
  return s.slice(0, i);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Decodes UTF-8 bytes; invalid sequences become U+FFFD (Go keeps the raw bytes, JS strings cannot). */
export function utf8Decode(b: Uint8Array): string {
  return decoder.decode(b);
}

const HEX = '0123456789abcdef';

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function appendEscapedRune(out: string[], cp: number, quote: number, asciiOnly: boolean): void {
  if (cp === quote || cp === 0x5c) {
    out.push('\\', String.fromCodePoint(cp));
    return;
  }
  if (asciiOnly ? cp < 0x80 && isPrint(cp) : isPrint(cp)) {
    out.push(String.fromCodePoint(cp));
    return;
  }
  switch (cp) {
    case 0x07:
      out.push('\\a');
      return;
    case 0x08:
      out.push('\\b');
      return;
    case 0x0c:
      out.push('\\f');
      return;
    case 0x0a:
      out.push('\\n');
      return;
    case 0x0d:
      out.push('\\r');
      return;
    case 0x09:
      out.push('\\t');
      return;
    case 0x0b:
      out.push('\\v');
      return;
  }
  if (cp < 0x20 || cp === 0x7f) out.push('\\x', HEX[cp >> 4]!, HEX[cp & 15]!);
  else if (cp >= 0xd800 && cp <= 0xdfff) out.push('\\ufffd');
  else if (cp < 0x10000) out.push('\\u', hex(cp, 4));
  else out.push('\\U', hex(cp, 8));
}

/** Go's strconv.Quote (`asciiOnly`: strconv.QuoteToASCII). */
export function quote(s: string, asciiOnly = false): string {
  const out: string[] = ['"'];
  for (const ch of s) appendEscapedRune(out, ch.codePointAt(0)!, 0x22, asciiOnly);
  out.push('"');
  return out.join('');
}

/** Go's strconv.QuoteRune (`asciiOnly`: QuoteRuneToASCII). */
export function quoteRune(cp: number, asciiOnly = false): string {
  const out: string[] = ["'"];
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0) cp = 0xfffd;
  appendEscapedRune(out, cp, 0x27, asciiOnly);
  out.push("'");
  return out.join('');
}

/** Go's strconv.CanBackquote. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x60 || cp === 0xfeff) return false;
    if (cp < 0x20 && cp !== 0x09) return false;
    if (cp === 0x7f) return false;
  }
  return true;
}

/** Go's `%#U` of a rune: `U+0041 'A'`, or `U+00A0` when it is not printable. */
export function formatRuneU(cp: number): string {
  const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return isPrint(cp) ? `${u} '${String.fromCodePoint(cp)}'` : u;
}

/** Thrown by `unquote` where Go's strconv returns ErrSyntax. */
export class QuoteSyntaxError extends Error {
  constructor() {
    super('invalid syntax');
  }
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * Go's strconv.UnquoteChar on `s` from index `i`: the rune (or byte, when `isByte`), and the
 * index after it. Throws QuoteSyntaxError.
 */
function unquoteChar(s: string, i: number, q: number): { value: number; isByte: boolean; next: number } {
  const c = s.codePointAt(i);
  if (c === undefined) throw new QuoteSyntaxError();
  if (c === q && (q === 0x27 || q === 0x22)) throw new QuoteSyntaxError();
  if (c !== 0x5c) return { value: c, isByte: false, next: i + (c > 0xffff ? 2 : 1) };
  const e = s.charCodeAt(i + 1);
  if (Number.isNaN(e)) throw new QuoteSyntaxError();
  let j = i + 2;
  switch (e) {
    case 0x61:
      return { value: 7, isByte: false, next: j };
    case 0x62:
      return { value: 8, isByte: false, next: j };
    case 0x66:
      return { value: 12, isByte: false, next: j };
    case 0x6e:
      return { value: 10, isByte: false, next: j };
    case 0x72:
      return { value: 13, isByte: false, next: j };
    case 0x74:
      return { value: 9, isByte: false, next: j };
    case 0x76:
      return { value: 11, isByte: false, next: j };
    case 0x78:
    case 0x75:
    case 0x55: {
      const n = e === 0x78 ? 2 : e === 0x75 ? 4 : 8;
      let v = 0;
      for (let k = 0; k < n; k++) {
        const h = hexVal(s.charCodeAt(j + k));
        if (h < 0) throw new QuoteSyntaxError();
        v = v * 16 + h;
      }
      j += n;
      if (e === 0x78) return { value: v, isByte: true, next: j };
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new QuoteSyntaxError();
      return { value: v, isByte: false, next: j };
    }
    case 0x30:
    case 0x31:
    case 0x32:
    case 0x33:
    case 0x34:
    case 0x35:
    case 0x36:
    case 0x37: {
      let v = e - 0x30;
      for (let k = 0; k < 2; k++) {
        const d = s.charCodeAt(j + k) - 0x30;
        if (!(d >= 0 && d <= 7)) throw new QuoteSyntaxError();
        v = v * 8 + d;
      }
      j += 2;
      if (v > 255) throw new QuoteSyntaxError();
      return { value: v, isByte: true, next: j };
    }
    case 0x5c:
      return { value: 0x5c, isByte: false, next: j };
    case 0x27:
    case 0x22:
      if (e !== q) throw new QuoteSyntaxError();
      return { value: e, isByte: false, next: j };
    default:
      throw new QuoteSyntaxError();
  }
}

function pushUtf8(bytes: number[], cp: number): void {
  if (cp < 0x80) bytes.push(cp);
  else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/** Go's strconv.Unquote for `"..."` and `` `...` `` literals. Throws QuoteSyntaxError. */
export function unquote(lit: string): string {
  if (lit.length < 2) throw new QuoteSyntaxError();
  const q = lit.charCodeAt(0);
  if (q !== lit.charCodeAt(lit.length - 1)) throw new QuoteSyntaxError();
  const body = lit.slice(1, -1);
  if (q === 0x60) {
    if (body.includes('`')) throw new QuoteSyntaxError();
    return body.includes('\r') ? body.replaceAll('\r', '') : body;
  }
  if (q !== 0x22) throw new QuoteSyntaxError();
  if (body.includes('\n')) throw new QuoteSyntaxError();
  if (!body.includes('\\') && !body.includes('"')) return body;
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    const r = unquoteChar(body, i, q);
    if (r.isByte) bytes.push(r.value);
    else pushUtf8(bytes, r.value);
    i = r.next;
  }
  return utf8Decode(Uint8Array.from(bytes));
}

/** A character literal `'x'` as Go's template parser reads it: the rune value. */
export function unquoteCharLiteral(lit: string): { value: number; malformed: boolean } {
  const r = unquoteChar(lit, 1, 0x27);
  return { value: r.value, malformed: lit.slice(r.next) !== "'" };
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  const bytes = utf8Bytes(s);
  let out = '';
  for (const b of bytes) {
    if (
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      (b >= 0x30 && b <= 0x39) ||
      b === 0x2d ||
      b === 0x5f ||
      b === 0x2e ||
      b === 0x7e
    ) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
