/**
 * Go's case mappings, which map rune by rune where JS's String methods apply full Unicode
 * mappings: Go's strings.ToUpper leaves `ß` alone (JS: `SS`), strings.ToLower maps `Σ` to `σ`
 * everywhere (JS: `ς` at the end of a word).
 */

/** Title-case digraphs: unicode.ToTitle differs from ToUpper only for these. */
const TITLE_DIGRAPHS: Readonly<Record<number, number>> = {
  0x1c4: 0x1c5,
  0x1c5: 0x1c5,
  0x1c6: 0x1c5,
  0x1c7: 0x1c8,
  0x1c8: 0x1c8,
  0x1c9: 0x1c8,
  0x1ca: 0x1cb,
  0x1cb: 0x1cb,
  0x1cc: 0x1cb,
  0x1f1: 0x1f2,
  0x1f2: 0x1f2,
  0x1f3: 0x1f2,
};

function mapRune(ch: string, f: (s: string) => string): string {
  const m = f(ch);
  return [...m].length === 1 ? m : ch;
}

/** Go's unicode.ToUpper of one rune. */
function upperRune(ch: string): string {
  return mapRune(ch, (s) => s.toUpperCase());
}

/** Go's unicode.ToLower of one rune. */
function lowerRune(ch: string): string {
  if (ch === '\u0130') return 'i';
  return mapRune(ch, (s) => s.toLowerCase());
}

/** Go's unicode.ToTitle of one rune. */
function titleRune(ch: string): string {
  const t = TITLE_DIGRAPHS[ch.codePointAt(0)!];
  return t === undefined ? upperRune(ch) : String.fromCodePoint(t);
}

function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}

/** Go's strings.ToUpper. */
export function goToUpper(s: string): string {
  if (isAscii(s)) return s.toUpperCase();
  let out = '';
  for (const ch of s) out += upperRune(ch);
  return out;
}

/** Go's strings.ToLower. */
export function goToLower(s: string): string {
  if (isAscii(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) out += lowerRune(ch);
  return out;
}

const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;
const SPACE = /[\t\n\v\f\r \u0085\u00a0\p{Zs}\u2028\u2029]/u;

/** strings.Title's word separators. */
function isSeparator(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c <= 0x7f) return !/[0-9A-Za-z_]/.test(ch);
  if (LETTER_OR_DIGIT.test(ch)) return false;
  return SPACE.test(ch);
}

/**
 * Go's strings.Title (Prometheus's `title`): the first letter of each word title-cased, the rest
 * left alone (`aa bb CC` → `Aa Bb CC`); words break at anything but letters, digits and `_`.
 */
export function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? titleRune(ch) : ch;
    prev = ch;
  }
  return out;
}

const CASED = /\p{Cased}/u;
/** Word-break classes that join letters into a word (MidLetter, MidNumLet, Single_Quote). */
const MID = /['.:\u00b7\u0387\u05f4\u2018\u2019\u2024\u2027\ufe13\ufe52\ufe55\uff07\uff0e\uff1a]/u;
/** What continues a word: letters (not ideographs or kana), digits, marks, format characters, `_`. */
const WORD = /[\p{L}\p{N}\p{M}\p{Cf}\p{Pc}]/u;
const NOT_WORD_LETTER =
  /[\p{Ideographic}\p{Script=Hiragana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/** Full title-case mapping of a word's first letter (SpecialCasing: `ß` → `Ss`, `ﬁ` → `Fi`). */
const SPECIAL_TITLE: Readonly<Record<string, string>> = {
  ß: 'Ss',
  ﬀ: 'Ff',
  ﬁ: 'Fi',
  ﬂ: 'Fl',
  ﬃ: 'Ffi',
  ﬄ: 'Ffl',
  ﬅ: 'St',
  ﬆ: 'St',
  ŉ: 'ʼN',
  և: 'Եւ',
};

function fullTitle(ch: string): string {
  const special = SPECIAL_TITLE[ch];
  if (special !== undefined) return special;
  const t = TITLE_DIGRAPHS[ch.codePointAt(0)!];
  return t === undefined ? ch.toUpperCase() : String.fromCodePoint(t);
}

/**
 * golang.org/x/text/cases Title (Alertmanager's `title`): the first letter of each word
 * title-cased and the rest lower-cased (`aa bb CC` → `Aa Bb Cc`); `.`, `'` and `:` between
 * letters do not break words (`foo.bar` → `Foo.bar`), two in a row do.
 */
export function casesTitle(s: string): string {
  const chars = [...s];
  let out = '';
  let midWord = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const mid = MID.test(ch);
    if (CASED.test(ch)) {
      if (!midWord) {
        out += fullTitle(ch);
        midWord = true;
      } else if (ch === 'Σ') {
        // Final sigma: at the end of a word Σ lowers to ς.
        const next = chars[i + 1];
        out += next !== undefined && CASED.test(next) ? 'σ' : 'ς';
      } else out += ch.toLowerCase();
    } else {
      out += ch;
      if (!mid && (!WORD.test(ch) || NOT_WORD_LETTER.test(ch))) midWord = false;
    }
    const next = chars[i + 1];
    if (mid && next !== undefined && MID.test(next)) midWord = false;
  }
  return out;
}
