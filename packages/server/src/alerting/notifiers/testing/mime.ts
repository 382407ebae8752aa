/**
 * Just enough MIME to read the mail our email notifier sends (tests only): headers (unfolded,
 * RFC 2047 words decoded), multipart bodies, quoted-printable and base64 parts.
 */

export interface ParsedPart {
  /** Header names in lower case. */
  readonly headers: ReadonlyMap<string, string>;
  /** The decoded body (a multipart's preamble is dropped). */
  readonly body: string;
  readonly parts: readonly ParsedPart[];
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`). */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  return headers;
}

/** Parses a message or a part. */
export function parseMime(raw: string): ParsedPart {
  const sep = raw.search(/\r?\n\r?\n/);
  const headerBlock = sep < 0 ? raw : raw.slice(0, sep);
  const rest = sep < 0 ? '' : raw.slice(sep).replace(/^\r?\n\r?\n/, '');
  const headers = parseHeaders(headerBlock);
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith('multipart/') && boundary !== undefined) {
    const parts = rest
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .map((p) => parseMime(p.replace(/^\r?\n/, '').replace(/\r?\n$/, '')));
    return { headers, body: '', parts };
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const decoded =
    encoding === 'base64'
      ? Buffer.from(rest.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(rest)
        : rest;
  // SMTP carries CRLF line ends; tests compare with LF.
  return { headers, body: decoded.replace(/\r\n/g, '\n'), parts: [] };
}

/** The first part (depth first) whose content type starts with `type`. */
export function findPart(part: ParsedPart, type: string): ParsedPart | undefined {
  if ((part.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith(type) && part.parts.length === 0) {
    return part;
  }
  for (const p of part.parts) {
    const found = findPart(p, type);
    if (found) return found;
  }
  return undefined;
}
