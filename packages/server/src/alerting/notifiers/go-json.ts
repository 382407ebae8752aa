/**
 * JSON as Go's encoding/json writes it (Go 1.19, the toolchain of Debian's Alertmanager 0.25), so
 * that our payloads are byte for byte what Alertmanager sends: struct fields in declaration order
 * (plain objects, insertion order), map keys sorted bytewise (`Map`s, see `goMap`), `<`, `>`, `&`,
 * U+2028 and U+2029 escaped, and `Encoder.Encode`'s trailing newline (`encodeGoJsonLine`).
 */

/** A value the encoder accepts. An `undefined` object member is left out (Go's `omitempty`). */
export type GoJsonValue =
  | string
  | number
  | boolean
  | null
  | readonly GoJsonValue[]
  | ReadonlyMap<string, GoJsonValue>
  | { readonly [field: string]: GoJsonValue | undefined };

const HEX = '0123456789abcdef';

/** Go's string comparison: UTF-8 byte order, which is code point order. */
export function compareGoStrings(a: string, b: string): number {
  const ca = Array.from(a);
  const cb = Array.from(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const d = ca[i]!.codePointAt(0)! - cb[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

/** A Go `map[string]string` for the encoder: keys in Go's order (JS objects reorder integer-like keys). */
export function goMap(record: Readonly<Record<string, string>> | ReadonlyMap<string, unknown>): Map<string, string> {
  const entries: [string, string][] =
    record instanceof Map
      ? [...(record as ReadonlyMap<string, unknown>)].map(([k, v]) => [k, String(v)])
      : Object.entries(record as Readonly<Record<string, string>>);
  entries.sort((x, y) => compareGoStrings(x[0], y[0]));
  return new Map(entries);
}

function encodeString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate is not valid UTF-8; Go writes the replacement character.
      out += '\\ufffd';
    } else if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) out += `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16)}`;
    else out += s[i];
  }
  return `${out}"`;
}

/** Encodes a value as Go's json.Marshal does (no trailing newline). */
export function encodeGoJson(value: GoJsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`json: unsupported value: ${value}`);
      return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${(value as readonly GoJsonValue[]).map(encodeGoJson).join(',')}]`;
  const entries =
    value instanceof Map ? [...(value as ReadonlyMap<string, GoJsonValue>)] : Object.entries(value as object);
  const parts: string[] = [];
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    parts.push(`${encodeString(k)}:${encodeGoJson(v as GoJsonValue)}`);
  }
  return `{${parts.join(',')}}`;
}

/** Go's `json.NewEncoder(w).Encode(v)`: the encoding and a newline (what Alertmanager POSTs). */
export function encodeGoJsonLine(value: GoJsonValue): string {
  return `${encodeGoJson(value)}\n`;
}

/**
 * Go's `time.Time` in RFC 3339 with nanoseconds (`2026-11-27T12:40:44.5Z`; trailing zeros of the
 * fraction dropped) in UTC; `undefined` is Go's zero time `0001-01-01T00:00:00Z`.
 */
export function formatRfc3339Nano(unixMs: number | undefined): string {
  if (unixMs === undefined) return '0001-01-01T00:00:00Z';
  const iso = new Date(unixMs).toISOString(); // 2026-11-27T12:40:44.500Z
  const [whole, frac = ''] = iso.slice(0, -1).split('.');
  const trimmed = frac.replace(/0+$/, '');
  return `${whole}${trimmed === '' ? '' : `.${trimmed}`}Z`;
}
