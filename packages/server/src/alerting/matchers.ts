/**
 * Alertmanager's label matchers (pkg/labels of Alertmanager 0.25): the `matchers:` syntax of routes
 * and inhibition rules (`foo="bar"`, `foo=~"b.*"`, `{a="b",c!~"d"}`, unquoted values, escapes), the
 * fully anchored Go regexps, the sort order and the printed form used in route keys.
 */
import { compileGoRegexp, GoRegexpError } from './go-regexp.js';
import { compareGoStrings } from './go-strings.js';

export type AlertMatchType = '=' | '!=' | '=~' | '!~';

const TYPE_ORDER: Record<AlertMatchType, number> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };

/** A matcher that is not valid Alertmanager syntax; `message` is Alertmanager's error text. */
export class MatcherParseError extends Error {
  readonly code = 'WK_ALERTING_BAD_MATCHER';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MatcherParseError';
  }
}

/** Label names as Alertmanager 0.25 accepts them (before UTF-8 names). */
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One label matcher; a missing label has the value `''`, as in Alertmanager. */
export class AlertMatcher {
  private readonly re: RegExp | undefined;

  private constructor(
    readonly type: AlertMatchType,
    readonly name: string,
    readonly value: string,
    re: RegExp | undefined,
  ) {
    this.re = re;
  }

  /**
   * Creates a matcher; regexps are compiled as Go's `^(?:value)$`.
   * @throws MatcherParseError for a regexp Go rejects.
   */
  static create(type: AlertMatchType, name: string, value: string): AlertMatcher {
    let re: RegExp | undefined;
    if (type === '=~' || type === '!~') {
      try {
        re = compileGoRegexp(`^(?:${value})$`);
      } catch (err) {
        if (err instanceof GoRegexpError) throw new MatcherParseError(err.message, { cause: err });
        throw err;
      }
    }
    return new AlertMatcher(type, name, value, re);
  }

  /** Whether the matcher accepts a label value (`''` for a missing label). */
  matches(value: string): boolean {
    switch (this.type) {
      case '=':
        return value === this.value;
      case '!=':
        return value !== this.value;
      case '=~':
        return this.re!.test(value);
      case '!~':
        return !this.re!.test(value);
    }
  }

  /** Alertmanager's printed form: `name="value"` with OpenMetrics escaping (`\\`, `\n`, `\"`). */
  toString(): string {
    return `${this.name}${this.type}"${openMetricsEscape(this.value)}"`;
  }
}

function openMetricsEscape(s: string): string {
  return s.replace(/[\\\n"]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** Sorts as Alertmanager's `labels.Matchers` (name, then value, then type); returns a new array. */
export function sortMatchers(matchers: readonly AlertMatcher[]): AlertMatcher[] {
  return [...matchers].sort(
    (a, b) =>
      compareGoStrings(a.name, b.name) || compareGoStrings(a.value, b.value) || TYPE_ORDER[a.type] - TYPE_ORDER[b.type],
  );
}

/** `{a="b",c!~"d"}`, as Alertmanager prints a list of matchers. */
export function formatMatchers(matchers: readonly AlertMatcher[]): string {
  return `{${matchers.map((m) => m.toString()).join(',')}}`;
}

/** A label lookup: a missing label is `''`. */
export type LabelLookup = (name: string) => string;

/** Whether every matcher accepts the label set. */
export function matchesAll(matchers: readonly AlertMatcher[], label: LabelLookup): boolean {
  for (const m of matchers) if (!m.matches(label(m.name))) return false;
  return true;
}

// Go's strings.TrimSpace (unicode.IsSpace).
const GO_SPACE_EDGES =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

// Go's \s is ASCII whitespace only.
const MATCHER_RE = /^[\t\n\f\r ]*([a-zA-Z_:][a-zA-Z0-9_:]*)[\t\n\f\r ]*(=~|=|!=|!~)[\t\n\f\r ]*([^]*?)[\t\n\f\r ]*$/;

/**
 * Parses one matcher (`name="value"`, `name=~value`, ...) as Alertmanager 0.25's ParseMatcher:
 * the value may be quoted; `\"`, `\\` and `\n` are escapes, any other backslash is literal.
 * @throws MatcherParseError with Alertmanager's message.
 */
export function parseMatcher(s: string): AlertMatcher {
  const m = MATCHER_RE.exec(s);
  if (!m) throw new MatcherParseError(`bad matcher format: ${s}`);
  const name = m[1]!;
  const type = m[2] as AlertMatchType;
  const raw = m[3]!;
  let chars = Array.from(raw);
  let expectTrailingQuote = false;
  if (chars[0] === '"') {
    chars = chars.slice(1);
    expectTrailingQuote = true;
  }
  let value = '';
  let escaped = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (escaped) {
      escaped = false;
      value += c === 'n' ? '\n' : c === '"' || c === '\\' ? c : `\\${c}`;
      continue;
    }
    if (c === '\\') {
      if (i < chars.length - 1) escaped = true;
      else value += '\\';
    } else if (c === '"') {
      if (!expectTrailingQuote || i < chars.length - 1) {
        throw new MatcherParseError(`matcher value contains unescaped double quote: ${raw}`);
      }
      expectTrailingQuote = false;
    } else {
      value += c;
    }
  }
  if (expectTrailingQuote) throw new MatcherParseError(`matcher value contains unescaped double quote: ${raw}`);
  return AlertMatcher.create(type, name, value);
}

/**
 * Parses a comma-separated list of matchers, optionally in braces (`{a="b", c=~"d|e"}`), as
 * Alertmanager 0.25's ParseMatchers. Commas inside double quotes do not separate.
 * @throws MatcherParseError with Alertmanager's message.
 */
export function parseMatchers(input: string): AlertMatcher[] {
  let s = input.startsWith('{') ? input.slice(1) : input;
  if (s.endsWith('}')) s = s.slice(0, -1);
  const tokens: string[] = [];
  let token = '';
  let insideQuotes = false;
  let escaped = false;
  for (const c of s) {
    if (c === ',') {
      if (!insideQuotes) {
        tokens.push(token);
        token = '';
        continue;
      }
    } else if (c === '"') {
      if (!escaped) insideQuotes = !insideQuotes;
      else escaped = false;
    } else if (c === '\\') {
      escaped = !escaped;
    } else {
      escaped = false;
    }
    token += c;
  }
  const last = token.replace(GO_SPACE_EDGES, '');
  if (last !== '') tokens.push(last);
  return tokens.map(parseMatcher);
}
