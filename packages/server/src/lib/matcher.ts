/** Label matchers (`=`, `!=`, `=~`, `!~`) with Prometheus's fully anchored RE2 semantics. */
export type MatchType = '=' | '!=' | '=~' | '!~';

export class Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  private readonly re: RegExp | undefined;

  constructor(type: MatchType, name: string, value: string) {
    this.type = type;
    this.name = name;
    this.value = value;
    if (type === '=~' || type === '!~') this.re = compileAnchoredRegex(value);
  }

  /** Whether a label value (`''` when the label is absent) matches. */
  matches(v: string): boolean {
    switch (this.type) {
      case '=':
        return v === this.value;
      case '!=':
        return v !== this.value;
      case '=~':
        return this.re!.test(v);
      case '!~':
        return !this.re!.test(v);
    }
  }

  /** Whether the matcher matches the empty string (and so selects series without the label). */
  matchesEmpty(): boolean {
    return this.matches('');
  }

  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}

/** Error thrown for a regular expression RE2 would reject or JS cannot compile. */
export class RegexError extends Error {
  readonly code = 'WK_PROMQL_BAD_REGEX';
}

/**
 * Compiles a Prometheus (RE2) regex anchored at both ends. RE2 syntax is close to JS's with the
 * `s` flag (`.` matches newline in Prometheus); `(?i)` style flags at the start are translated.
 */
export function compileAnchoredRegex(src: string): RegExp {
  let flags = 's';
  // RE2's named groups (?P<name>...) are (?<name>...) in JS.
  let body = src.replace(/\(\?P</g, '(?<');
  const m = /^\(\?([imsU]+)\)/.exec(body);
  if (m) {
    if (m[1]!.includes('i')) flags += 'i';
    body = body.slice(m[0].length);
  }
  try {
    return new RegExp(`^(?:${body})$`, flags + 'u');
  } catch {
    try {
      return new RegExp(`^(?:${body})$`, flags);
    } catch (err) {
      throw new RegexError(`error parsing regexp: ${(err as Error).message}`, { cause: err });
    }
  }
}
