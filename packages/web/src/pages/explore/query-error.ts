/**
 * Positions in the server's query errors and annotations, turned into offsets in the editor.
 *
 * Parse errors come as Prometheus writes them: `1:5: parse error: unexpected ...` (1-based line and
 * column; our server counts the column in characters). Warnings and infos end with the position of
 * the expression they are about: `PromQL info: metric might not be a counter ... (1:6)`, where
 * the column counts UTF-8 bytes, as Prometheus does.
 */

export interface QueryPosition {
  line: number;
  col: number;
}

export interface ParsedQueryError {
  /** Where the error is, when the message names a position. */
  position?: QueryPosition;
  /** The message without its position prefix (and without `parse error: `). */
  detail: string;
  /** Whether this is a parse error (`<pos>: parse error: ...`). */
  parse: boolean;
}

const ERROR_RE = /^(?:(\d+):(\d+)|unknown position|invalid position):\s*(parse error:\s*)?([\s\S]*)$/;

/** Splits a server error message into its position and its text. */
export function parseQueryError(message: string): ParsedQueryError {
  const m = ERROR_RE.exec(message.trim());
  if (!m) return { detail: message, parse: false };
  const parse = m[3] !== undefined;
  const detail = m[4] ?? '';
  if (m[1] === undefined || m[2] === undefined) return { detail, parse };
  return { position: { line: Number(m[1]), col: Number(m[2]) }, detail, parse };
}

const ANNOTATION_RE = /^(PromQL (warning|info):\s*)?([\s\S]*?)(?:\s*\((\d+):(\d+)\))?$/;

export interface ParsedAnnotation {
  kind: 'warning' | 'info';
  detail: string;
  position?: QueryPosition;
}

/** A `warnings[]` or `infos[]` entry of a query response. */
export function parseAnnotation(text: string, fallbackKind: 'warning' | 'info'): ParsedAnnotation {
  const m = ANNOTATION_RE.exec(text.trim());
  if (!m) return { kind: fallbackKind, detail: text };
  const kind = (m[2] as 'warning' | 'info' | undefined) ?? fallbackKind;
  const detail = m[3] ?? text;
  if (m[4] === undefined || m[5] === undefined) return { kind, detail };
  return { kind, detail, position: { line: Number(m[4]), col: Number(m[5]) } };
}

/**
 * The 0-based offset in `text` of a 1-based line and column, clamped to the text (a column past
 * the end of its line lands at the line's end). `unit` says what the column counts.
 */
export function positionToOffset(text: string, pos: QueryPosition, unit: 'char' | 'byte' = 'char'): number {
  let lineStart = 0;
  for (let line = 1; line < pos.line; line++) {
    const nl = text.indexOf('\n', lineStart);
    if (nl < 0) return text.length;
    lineStart = nl + 1;
  }
  const nl = text.indexOf('\n', lineStart);
  const lineEnd = nl < 0 ? text.length : nl;
  const col = Math.max(1, pos.col);
  if (unit === 'char') return Math.min(lineStart + col - 1, lineEnd);
  // Walk the line's characters until `col - 1` UTF-8 bytes are behind us.
  const encoder = new TextEncoder();
  let bytes = 0;
  let i = lineStart;
  while (i < lineEnd && bytes < col - 1) {
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    bytes += encoder.encode(ch).length;
    i += ch.length;
  }
  return i;
}

/**
 * The range to mark for an error at `offset`: the token there (a word, a number or one other
 * character), or the last character when the error is at the end of the text.
 */
export function errorRange(text: string, offset: number): { from: number; to: number } {
  if (text.length === 0) return { from: 0, to: 0 };
  const at = Math.min(Math.max(0, offset), text.length);
  if (at >= text.length) return { from: text.length - 1, to: text.length };
  const word = /[A-Za-z0-9_:.]/;
  if (!word.test(text[at]!)) return { from: at, to: at + 1 };
  let to = at;
  while (to < text.length && word.test(text[to]!)) to++;
  return { from: at, to };
}
