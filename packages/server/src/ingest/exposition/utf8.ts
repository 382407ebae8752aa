/**
 * Turns a scrape body into the string the parser scans, and finds the lines that are not valid
 * UTF-8 (bytes) or not valid Unicode (lone surrogates in a string) so that the parser can skip
 * exactly those lines. Valid bodies, the common case, cost one native decode and no JS scan.
 */

/** Where a line's text first stops being valid, and why. */
export interface BadLine {
  /** 1-based column (code points) of the first bad byte or code unit. */
  column: number;
  message: string;
}

export interface DecodedBody {
  text: string;
  /** 1-based line number → the problem; undefined when the whole body is valid. */
  badLines: Map<number, BadLine> | undefined;
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true });
const lenientDecoder = new TextDecoder('utf-8');
const LF = 0x0a;

export function decodeBody(body: string | Uint8Array): DecodedBody {
  if (typeof body === 'string') {
    const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
    return { text, badLines: text.isWellFormed() ? undefined : findLoneSurrogates(text) };
  }
  try {
    // The decoders drop a leading byte-order mark.
    return { text: fatalDecoder.decode(body), badLines: undefined };
  } catch {
    // Invalid UTF-8 somewhere: replacement characters keep every '\n' where it was, so the line
    // numbers of the lenient decoding match the bytes'.
    return { text: lenientDecoder.decode(body), badLines: findInvalidUtf8(body) };
  }
}

/** The first invalid UTF-8 sequence of every line that has one (RFC 3629: no overlongs, no surrogates). */
export function findInvalidUtf8(b: Uint8Array): Map<number, BadLine> {
  const bad = new Map<number, BadLine>();
  const n = b.length;
  let line = 1;
  let lineStart = 0;
  let i = 0;
  // A leading byte-order mark is dropped by the decoder: columns start after it.
  if (n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = lineStart = 3;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      if (c === LF) {
        line++;
        lineStart = i + 1;
      }
      i++;
      continue;
    }
    let need = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
    } else if (c === 0xe0) {
      need = 2;
      lo = 0xa0;
    } else if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) {
      need = 2;
    } else if (c === 0xed) {
      need = 2;
      hi = 0x9f;
    } else if (c === 0xf0) {
      need = 3;
      lo = 0x90;
    } else if (c >= 0xf1 && c <= 0xf3) {
      need = 3;
    } else if (c === 0xf4) {
      need = 3;
      hi = 0x8f;
    }
    let ok = need > 0 && i + need < n;
    if (ok) {
      const c1 = b[i + 1]!;
      ok = c1 >= lo && c1 <= hi;
      for (let k = 2; ok && k <= need; k++) {
        const ck = b[i + k]!;
        ok = ck >= 0x80 && ck <= 0xbf;
      }
    }
    if (ok) {
      i += need + 1;
      continue;
    }
    bad.set(line, {
      column: countCodePoints(b, lineStart, i) + 1,
      message: `invalid UTF-8: byte 0x${c.toString(16).padStart(2, '0')}`,
    });
    // The rest of this line is dropped anyway: go on at its end.
    const nl = b.indexOf(LF, i);
    if (nl < 0) break;
    i = nl;
  }
  return bad;
}

/** Code points in valid UTF-8 `b[start, end)`: every byte that is not a continuation byte starts one. */
function countCodePoints(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if ((b[i]! & 0xc0) !== 0x80) n++;
  return n;
}

/** The first lone surrogate of every line that has one. */
function findLoneSurrogates(s: string): Map<number, BadLine> {
  const bad = new Map<number, BadLine>();
  let line = 1;
  let column = 1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === LF) {
      line++;
      column = 1;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        column++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff && !bad.has(line)) {
      bad.set(line, { column, message: `invalid Unicode: lone surrogate U+${c.toString(16).toUpperCase()}` });
    }
    column++;
  }
  return bad;
}
