/**
 * The Go value types of alertmanager.yml with their parsers and Go's error messages: Prometheus
 * durations (`model.Duration`), Go durations (`time.ParseDuration`), URLs (`net/url.Parse` plus
 * Alertmanager's http/https check) and `host:port` (`net.SplitHostPort`).
 */
import { goQuote } from '../go-strings.js';

const MAX_INT64 = 2n ** 63n - 1n;

const PROM_DURATION_RE =
  /^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;
const PROM_UNITS_MS = [31_536_000_000n, 604_800_000n, 86_400_000n, 3_600_000n, 60_000n, 1000n, 1n];

/**
 * Prometheus's model.ParseDuration (`1h30m`, `2d`, `0`) in milliseconds.
 * @throws Error with Prometheus's message.
 */
export function parseModelDurationMs(s: string): number {
  if (s === '0') return 0;
  if (s === '') throw new Error('empty duration string');
  const m = PROM_DURATION_RE.exec(s);
  if (!m) throw new Error(`not a valid duration string: ${goQuote(s)}`);
  let totalMs = 0n;
  for (let i = 0; i < PROM_UNITS_MS.length; i++) {
    if (m[i + 1] === undefined) continue;
    totalMs += BigInt(m[i + 1]!) * PROM_UNITS_MS[i]!;
    if (totalMs * 1_000_000n > MAX_INT64) throw new Error('duration out of range');
  }
  return Number(totalMs);
}

const GO_UNITS_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** The quoting of Go's time package (non-ASCII and control bytes as `\xNN`). */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x80 || cp < 0x20) {
      for (const b of Buffer.from(ch, 'utf8')) out += `\\x${b.toString(16).padStart(2, '0')}`;
    } else {
      out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
    }
  }
  return `${out}"`;
}

/**
 * Go's time.ParseDuration (`300ms`, `1.5h`, `2h45m`) in milliseconds (fractions of a millisecond
 * are dropped).
 * @throws Error with Go's message (`time: unknown unit "x" in duration "1x"`).
 */
export function parseGoDurationMs(orig: string): number {
  let s = orig;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  const invalid = (): Error => new Error(`time: invalid duration ${timeQuote(orig)}`);
  if (s === '') throw invalid();
  let totalNs = 0n;
  while (s !== '') {
    const num = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const intPart = num[1]!;
    const frac = num[2];
    if (intPart === '' && (frac === undefined || frac === '')) throw invalid();
    s = s.slice(num[0].length);
    const unitMatch = /^[^0-9.]*/.exec(s)![0];
    if (unitMatch === '') throw new Error(`time: missing unit in duration ${timeQuote(orig)}`);
    const unit = GO_UNITS_NS[unitMatch];
    if (unit === undefined)
      throw new Error(`time: unknown unit ${timeQuote(unitMatch)} in duration ${timeQuote(orig)}`);
    s = s.slice(unitMatch.length);
    let v = BigInt(intPart === '' ? '0' : intPart) * unit;
    if (frac) v += BigInt(Math.floor(Number(`0.${frac}`) * Number(unit)));
    totalNs += v;
    if (totalNs > 2n ** 63n) throw invalid();
  }
  if (!neg && totalNs > MAX_INT64) throw invalid();
  const ms = Number(totalNs / 1_000_000n);
  return neg ? -ms : ms;
}

// ---------------------------------------------------------------------------------------------
// net/url

/** The parts of a URL Alertmanager's checks use. */
export interface ParsedUrl {
  readonly href: string;
  readonly scheme: string;
  readonly host: string;
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

const HOST_ALLOWED = new Set('!$&\'()*+,;=:[]<>"-_.~'.split(''));

/** Go's url unescape() checks for the host (`encodeHost`) and path/fragment modes. */
function checkEscapes(s: string, host: boolean): void {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) {
        throw new Error(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      }
      if (host && parseInt(s[i + 1]!, 16) < 8 && s.slice(i, i + 3) !== '%25') {
        throw new Error(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      }
      i += 2;
      continue;
    }
    if (host && c.charCodeAt(0) < 0x80 && !/[0-9A-Za-z]/.test(c) && !HOST_ALLOWED.has(c)) {
      throw new Error(`invalid character ${goQuote(c)} in host name`);
    }
  }
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

function parseUrlBody(raw: string): { scheme: string; host: string } {
  // Go rejects ASCII control bytes in URLs.
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new Error('net/url: invalid control character in URL');
  if (raw === '*') return { scheme: '', host: '' };
  let scheme = '';
  let rest = raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new Error('missing protocol scheme');
      scheme = raw.slice(0, i).toLowerCase();
      rest = raw.slice(i + 1);
    }
    break;
  }
  if (rest.endsWith('?') && rest.split('?').length === 2) rest = rest.slice(0, -1);
  else rest = rest.split('?')[0]!;
  if (!rest.startsWith('/')) {
    if (scheme !== '') return { scheme, host: '' };
    if (rest.split('/')[0]!.includes(':')) throw new Error('first path segment in URL cannot contain colon');
  }
  let host = '';
  if ((scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    const slash = authority.indexOf('/');
    rest = slash >= 0 ? authority.slice(slash) : '';
    if (slash >= 0) authority = authority.slice(0, slash);
    const at = authority.lastIndexOf('@');
    const hostPart = at < 0 ? authority : authority.slice(at + 1);
    if (hostPart.startsWith('[')) {
      const end = hostPart.lastIndexOf(']');
      if (end < 0) throw new Error("missing ']' in host");
      const colonPort = hostPart.slice(end + 1);
      if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${goQuote(colonPort)} after host`);
    } else {
      const colon = hostPart.lastIndexOf(':');
      if (colon >= 0 && !validOptionalPort(hostPart.slice(colon))) {
        throw new Error(`invalid port ${goQuote(hostPart.slice(colon))} after host`);
      }
    }
    checkEscapes(hostPart, true);
    host = hostPart;
    if (at >= 0 && !/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(authority.slice(0, at))) {
      throw new Error('net/url: invalid userinfo');
    }
  }
  checkEscapes(rest, false);
  return { scheme, host };
}

/**
 * Go's url.Parse, as far as its errors and the scheme and host go.
 * @throws Error with Go's message (`parse "http://x y": invalid character " " in host name`).
 */
export function parseGoUrl(raw: string): ParsedUrl {
  const hash = raw.indexOf('#');
  const u = hash >= 0 ? raw.slice(0, hash) : raw;
  let parsed: { scheme: string; host: string };
  try {
    parsed = parseUrlBody(u);
  } catch (err) {
    throw new Error(`parse ${goQuote(u)}: ${(err as Error).message}`);
  }
  if (hash >= 0) {
    try {
      checkEscapes(raw.slice(hash + 1), false);
    } catch (err) {
      throw new Error(`parse ${goQuote(raw)}: ${(err as Error).message}`);
    }
  }
  return { href: raw, ...parsed };
}

/**
 * Alertmanager's URL type: Go's url.Parse, then an http or https scheme and a host.
 * @throws Error with Alertmanager's message.
 */
export function parseAlertmanagerUrl(raw: string): ParsedUrl {
  const u = parseGoUrl(raw);
  if (u.scheme !== 'http' && u.scheme !== 'https') throw new Error(`unsupported scheme ${goQuote(u.scheme)} for URL`);
  if (u.host === '') throw new Error('missing host for URL');
  return u;
}

/** Alertmanager's SecretURL: a URL, or the `<secret>` placeholder of a configuration read back from the API. */
export function parseSecretUrl(raw: string): ParsedUrl {
  if (raw === '<secret>') return { href: raw, scheme: '', host: '' };
  return parseAlertmanagerUrl(raw);
}

/** `host:port` of Alertmanager's HostPort (net.SplitHostPort, and the port may not be empty). */
export interface HostPort {
  readonly host: string;
  readonly port: string;
}

/**
 * Go's net.SplitHostPort plus Alertmanager's non-empty port check.
 * @throws Error with Go's message (`address x: missing port in address`).
 */
export function parseHostPort(s: string): HostPort {
  const err = (why: string): Error => new Error(`address ${s}: ${why}`);
  const i = s.lastIndexOf(':');
  if (i < 0) throw err('missing port in address');
  let host: string;
  let j = 0;
  let k = 0;
  if (s[0] === '[') {
    const end = s.indexOf(']');
    if (end < 0) throw err("missing ']' in address");
    if (end + 1 === s.length) throw err('missing port in address');
    if (end + 1 !== i) throw err(s[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    host = s.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = s.slice(0, i);
    if (host.includes(':')) throw err('too many colons in address');
  }
  if (s.slice(j).includes('[')) throw err("unexpected '[' in address");
  if (s.slice(k).includes(']')) throw err("unexpected ']' in address");
  const port = s.slice(i + 1);
  if (port === '') throw new Error(`address ${goQuote(s)}: port cannot be empty`);
  return { host, port };
}
