/**
 * Keeping secrets out of outcomes: every error string a notifier returns goes through a
 * `SecretMasker` that knows the configuration's secrets (URLs with keys, routing keys, passwords,
 * tokens, and what `*_file`s held).
 */

/** What replaces a secret in error strings. */
export const MASK = '<secret>';

/** Shorter values are not masked: they would garble messages and are not credentials worth the name. */
const MIN_SECRET_LENGTH = 4;

export class SecretMasker {
  private readonly secrets = new Set<string>();

  /** Registers secret values, and the encoded forms they may appear in (URL, base64 of `user:pass`). */
  add(...values: readonly (string | undefined)[]): this {
    for (const v of values) {
      if (v === undefined) continue;
      const trimmed = v.trim();
      for (const form of [v, trimmed, encodeURIComponent(trimmed), encodeURI(trimmed)]) {
        if (form.length >= MIN_SECRET_LENGTH) this.secrets.add(form);
      }
    }
    return this;
  }

  /** Registers a secret URL: all of it, its path and query (the key of a Slack or SMS gateway URL), its password. */
  addUrl(url: string | undefined): this {
    if (url === undefined || url === '') return this;
    this.add(url);
    try {
      const u = new URL(url);
      this.add(
        u.href,
        u.pathname.length > 1 ? u.pathname + u.search : u.search,
        u.password,
        decodeURIComponent(u.password),
      );
      if (u.username !== '' && u.password !== '') this.add(`${u.username}:${u.password}`);
    } catch {
      // Not a URL: the whole string is already registered.
    }
    return this;
  }

  /** Registers the credentials of a basic-auth header too (`Basic base64(user:pass)`). */
  addBasicAuth(username: string, password: string): this {
    this.add(password);
    if (password !== '') this.add(Buffer.from(`${username}:${password}`).toString('base64'));
    return this;
  }

  /** A copy that also knows the secrets of `other` (per notification: contents of `*_file`s). */
  with(...values: readonly (string | undefined)[]): SecretMasker {
    const m = new SecretMasker();
    for (const s of this.secrets) m.secrets.add(s);
    return m.add(...values);
  }

  /** The text with every known secret replaced by `<secret>`, longest first. */
  mask(text: string): string {
    let out = text;
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(MASK);
    return out;
  }
}

/**
 * A secret URL for messages: scheme and host only (`https://hooks.slack.com/<secret>`), as
 * Alertmanager's RedactURL keeps keys in paths out of its logs.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/${MASK}`;
  } catch {
    return MASK;
  }
}
