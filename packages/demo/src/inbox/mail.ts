/**
 * Just enough of RFC 5322 and MIME to show a notification mail: the headers (unfolded, RFC 2047
 * encoded words decoded) and a readable text — the first text/plain part, or the first text/html
 * part with its tags removed — with base64 and quoted-printable undone. Anything it does not
 * understand is shown as it is rather than refused.
 */

export interface ParsedMail {
  /** Lower-case names; the first occurrence of each. */
  readonly headers: ReadonlyMap<string, string>;
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  /** The readable text of the message (may be empty). */
  readonly text: string;
  /** The first text/html part, decoded, when there is one. */
  readonly html?: string;
}

/** Multipart nesting followed at most (notification mail has one level). */
const MAX_DEPTH = 5;

interface Entity {
  headers: Map<string, string>;
  /** The body as a binary string (one char per byte). */
  body: string;
}

interface Bodies {
  text?: string;
  html?: string;
}

/** `raw`: the message as received (DATA, dot-unstuffed, CRLF or LF line ends). */
export function parseMail(raw: Buffer): ParsedMail {
  const entity = splitEntity(raw.toString('latin1'));
  const bodies: Bodies = {};
  collectBodies(entity, bodies, 0);
  const text = bodies.text ?? (bodies.html === undefined ? '' : htmlToText(bodies.html));
  return {
    headers: entity.headers,
    from: entity.headers.get('from') ?? '',
    to: entity.headers.get('to') ?? '',
    subject: entity.headers.get('subject') ?? '',
    text: text.replace(/\r\n/g, '\n'),
    ...(bodies.html === undefined ? {} : { html: bodies.html }),
  };
}

function splitEntity(binary: string): Entity {
  const match = /\r?\n\r?\n/.exec(binary);
  const head = match === null ? binary : binary.slice(0, match.index);
  const body = match === null ? '' : binary.slice(match.index + match[0].length);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, decodeHeaderValue(line.slice(colon + 1).trim()));
  }
  return { headers, body };
}

function collectBodies(entity: Entity, out: Bodies, depth: number): void {
  const { type, params } = contentType(entity.headers.get('content-type'));
  if (type.startsWith('multipart/') && params.has('boundary') && depth < MAX_DEPTH) {
    for (const part of multipartParts(entity.body, params.get('boundary')!)) {
      collectBodies(splitEntity(part), out, depth + 1);
    }
    return;
  }
  if (type !== 'text/plain' && type !== 'text/html') return;
  if ((entity.headers.get('content-disposition') ?? '').toLowerCase().startsWith('attachment')) return;
  const bytes = transferDecode(entity.body, entity.headers.get('content-transfer-encoding') ?? '7bit');
  const text = decodeCharset(bytes, params.get('charset') ?? 'utf-8');
  if (type === 'text/plain') out.text ??= text;
  else out.html ??= text;
}

/** `text/plain; charset="utf-8"` → type and lower-case parameter names. Missing: text/plain. */
function contentType(value: string | undefined): { type: string; params: Map<string, string> } {
  const [type = '', ...rest] = (value ?? 'text/plain').split(';');
  const params = new Map<string, string>();
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    params.set(
      param.slice(0, eq).trim().toLowerCase(),
      param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1'),
    );
  }
  return { type: type.trim().toLowerCase() || 'text/plain', params };
}

function multipartParts(body: string, boundary: string): string[] {
  const parts: string[] = [];
  const delimiter = `--${boundary}`;
  let current: string[] | undefined;
  for (const line of body.split(/\r?\n/)) {
    const trimmed = line.trimEnd();
    if (trimmed === `${delimiter}--`) break;
    if (trimmed === delimiter) {
      if (current !== undefined) parts.push(current.join('\r\n'));
      current = [];
    } else {
      current?.push(line);
    }
  }
  if (current !== undefined) parts.push(current.join('\r\n'));
  return parts;
}

function transferDecode(body: string, encoding: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return quotedPrintable(body);
    default:
      return Buffer.from(body, 'latin1');
  }
}

function quotedPrintable(body: string): Buffer {
  const unwrapped = body.replace(/[ \t]+(?=\r?\n)/g, '').replace(/=\r?\n/g, '');
  return Buffer.from(
    unwrapped.replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );
}

function decodeCharset(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

/**
 * RFC 2047: `=?utf-8?Q?caf=C3=A9?=` and `=?UTF-8?B?Y2Fmw6k=?=`; white space between two encoded
 * words is dropped. The rest of the value is read as UTF-8 (mail sent with SMTPUTF8).
 */
function decodeHeaderValue(binary: string): string {
  const value = Buffer.from(binary, 'latin1').toString('utf8');
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g, (word, charset: string, encoding: string, text: string) => {
      const bytes =
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : quotedPrintable(text.replace(/_/g, ' ').replace(/=(?![0-9A-Fa-f]{2})/g, '=3D'));
      const decoded = decodeCharset(bytes, charset.split('*')[0]!);
      return decoded === '' && text !== '' ? word : decoded;
    });
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** A readable text of an HTML body: no head, styles or scripts, tags become spaces or line breaks. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(head|style|script)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<(br|\/p|\/div|\/h[1-6]|\/li|\/tr)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
      if (name.startsWith('#')) {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : entity;
      }
      return ENTITIES[name.toLowerCase()] ?? entity;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
