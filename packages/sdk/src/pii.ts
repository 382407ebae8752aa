/**
 * Masking of personal data in free text (plan §11.2 "Mask sensitive data in logs"). Used for log
 * messages and string fields, span attributes and recorded exceptions.
 *
 * What is masked, in this order, and with what:
 *
 * | what | mask | matched |
 * | --- | --- | --- |
 * | e-mail addresses | `[email]` | `local@domain.tld` |
 * | IPv4 addresses | `[ip]` | four dotted octets 0-255 (not part of a longer dotted number) |
 * | IPv6 addresses | `[ip]` | eight groups, or a `::`-compressed form with at least one group |
 * | card numbers | `[card]` | 13-19 digits, optionally grouped by single spaces or dashes, **Luhn-valid or not** |
 * | phone numbers | `[phone]` | `+` and 8-15 digits (spaces, dots, dashes, parentheses between), or `(555) 123-4567`, `555-123-4567` |
 *
 * Card numbers are masked without a Luhn check: a mistyped card number is still card data, and a
 * 13-19 digit run in a log message is rarely needed verbatim. The price is that other long digit
 * runs in text (a millisecond timestamp written into a message) are masked too; numbers logged as
 * numbers (not strings) are never touched.
 *
 * Plain digit runs of up to 12 digits (IMO numbers, ids, amounts) and dates and times are left
 * alone, and so are pseudonymous ids such as `usr_123`.
 */

export const PII_MASKS = {
  email: '[email]',
  ip: '[ip]',
  card: '[card]',
  phone: '[phone]',
} as const;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
// Not inside a longer dotted number (1.2.3.4.5) nor glued to a word.
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`, 'g');

const H = '[0-9A-Fa-f]{1,4}';
// Eight groups, or a compressed form: groups, '::', groups (together at most seven groups).
const IPV6 = new RegExp(
  `(?<![\\w:])(?:(?:${H}:){7}${H}|${H}(?::${H}){0,6}::(?:${H}(?::${H}){0,6})?|::${H}(?::${H}){0,6})(?![\\w:])`,
  'g',
);

// 13-19 digits, single space or dash between any two digits.
const CARD = /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g;

// International: '+', then 8-15 digits with single separators; or a North-American style
// (area) 555-0123 / 555-123-4567 / 555.123.4567 with separators (a bare digit run is not a phone).
const PHONE_INTERNATIONAL = /(?<![\w+])\+\d(?:[ .-]?\(?\d\)?){7,14}(?![\w])/g;
const PHONE_LOCAL = /(?<![\w(])(?:\(\d{3}\)\s?|\d{3}[.-])\d{3}[.-]\d{4}(?![\w])/g;

/** True when `text` could contain something a pattern matches: skips the regexes for most strings. */
function mayContainPii(text: string): boolean {
  return /[@:\d]/.test(text);
}

/**
 * Replaces e-mail addresses, IP addresses, card numbers and phone numbers in `text` by
 * `[email]`, `[ip]`, `[card]` and `[phone]`.
 *
 * @example
 * maskPii('mail bob@example.com from 10.1.2.3'); // 'mail [email] from [ip]'
 */
export function maskPii(text: string): string {
  if (!mayContainPii(text)) return text;
  return text
    .replace(EMAIL, PII_MASKS.email)
    .replace(IPV4, PII_MASKS.ip)
    .replace(IPV6, PII_MASKS.ip)
    .replace(CARD, PII_MASKS.card)
    .replace(PHONE_INTERNATIONAL, PII_MASKS.phone)
    .replace(PHONE_LOCAL, PII_MASKS.phone);
}

/**
 * Keys whose values are secrets or personal data as a whole: the value is replaced, not scanned.
 * Secrets by suffix (`password`, `internalMetricsToken`, `csrf_token`, `x-api-key`), personal data
 * by name (`email`, `phone`, `ip_address`, `card_number`).
 */
const REDACTED_KEYS =
  /(?:password|passwd|secret|token|authorization|cookie|api[_-]?key)$|^(?:email|e-mail|phone|phone_number|ip_address|card_?number)$/i;
/** What a redacted value reads. */
export const REDACTED = '[redacted]';
const MAX_DEPTH = 8;

/**
 * A copy of `value` with every string masked by {@link maskPii} and the values of secret-like keys
 * (`...password`, `...token`, `authorization`, `email`, `ip_address`, ...) replaced by `[redacted]`.
 * Numbers, booleans and `null` are kept; objects deeper than 8 levels and cycles become `'[…]'`.
 */
export function maskFields(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return maskPii(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH || seen.has(value)) return '[…]';
  if (value instanceof Date) return value;
  // `seen` holds the objects on the current path only: a shared (not cyclic) object is copied twice.
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map((item: unknown) => maskFields(item, depth + 1, seen));
  } else {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] =
        REDACTED_KEYS.test(key) && item !== undefined && item !== null ? REDACTED : maskFields(item, depth + 1, seen);
    }
    out = copy;
  }
  seen.delete(value);
  return out;
}
