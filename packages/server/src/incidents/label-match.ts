/** Matchers from the configuration (label maps and Alertmanager matcher strings), checked with paths. */
import { AlertMatcher, matchesAll, MatcherParseError, parseMatchers, type LabelLookup } from '../alerting/index.js';

/**
 * `match` (label equality) and `matchers` (Alertmanager syntax, one or more per string) as one
 * list. Problems are pushed as `At <path>.matchers.<i>: <message>`.
 */
export function buildMatchers(
  match: Readonly<Record<string, string>>,
  matchers: readonly string[],
  path: string,
  problems: string[],
): AlertMatcher[] {
  const out = Object.entries(match).map(([name, value]) => AlertMatcher.create('=', name, value));
  matchers.forEach((text, i) => {
    try {
      out.push(...parseMatchers(text));
    } catch (err) {
      if (!(err instanceof MatcherParseError)) throw err;
      problems.push(`At ${path}.matchers.${i}: ${err.message}`);
    }
  });
  return out;
}

export function lookup(labels: Readonly<Record<string, string>>): LabelLookup {
  return (name) => labels[name] ?? '';
}

export function matches(matchers: readonly AlertMatcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchesAll(matchers, lookup(labels));
}

/** `{a="1", b="2"}` in name order, for keys and messages. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels).sort();
  return `{${names.map((n) => `${n}=${JSON.stringify(labels[n])}`).join(', ')}}`;
}
