/** Silences: matchers from an alert's labels, matching, validation and the body POST /api/v2/silences takes. */
import type { LabelSet, PostableSilence, Silence, SilenceMatcher, SilenceState } from './types';

export type MatcherOp = '=' | '!=' | '=~' | '!~';

export function matcherOp(m: Pick<SilenceMatcher, 'isRegex' | 'isEqual'>): MatcherOp {
  return m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
}

export function opFlags(op: MatcherOp): Pick<SilenceMatcher, 'isRegex' | 'isEqual'> {
  return { isRegex: op === '=~' || op === '!~', isEqual: op === '=' || op === '=~' };
}

/** `name="value"`, `name=~"re"`, as Alertmanager prints a matcher. */
export function formatMatcher(m: SilenceMatcher): string {
  return `${m.name}${matcherOp(m)}${JSON.stringify(m.value)}`;
}

/**
 * Matchers that select exactly the alert with these labels: one equality matcher per label,
 * `alertname` first and the rest by name. Labels in `exclude` are left out.
 */
export function matchersFromLabels(labels: LabelSet, exclude: readonly string[] = []): SilenceMatcher[] {
  return Object.keys(labels)
    .filter((k) => !exclude.includes(k) && k !== '__name__')
    .sort((a, b) => (a === 'alertname' ? -1 : b === 'alertname' ? 1 : a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, value: labels[name]!, isRegex: false, isEqual: true }));
}

/** Compiles a matcher's regex fully anchored, as Alertmanager does; undefined when it is not valid. */
export function compileMatcherRegex(value: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${value})$`, 's');
  } catch {
    return undefined;
  }
}

/** Whether one matcher accepts the labels (a missing label counts as the empty value). */
export function matcherMatches(m: SilenceMatcher, labels: LabelSet): boolean {
  const v = labels[m.name] ?? '';
  let eq: boolean;
  if (m.isRegex) {
    const re = compileMatcherRegex(m.value);
    if (!re) return false;
    eq = re.test(v);
  } else {
    eq = v === m.value;
  }
  return m.isEqual ? eq : !eq;
}

/** Whether every matcher accepts the labels. */
export function silenceMatches(matchers: readonly SilenceMatcher[], labels: LabelSet): boolean {
  return matchers.length > 0 && matchers.every((m) => matcherMatches(m, labels));
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface SilenceDraft {
  matchers: SilenceMatcher[];
  /** How long from `nowMs`, in seconds. */
  durationSec: number | undefined;
  comment: string;
  createdBy: string;
}

/** What is wrong with a draft, in words for the form; empty when it can be sent. */
export function validateSilence(d: SilenceDraft): string[] {
  const errors: string[] = [];
  if (d.matchers.length === 0) errors.push('Add at least one matcher.');
  for (const m of d.matchers) {
    if (!LABEL_NAME.test(m.name)) errors.push(`"${m.name}" is not a valid label name.`);
    if (m.isRegex && !compileMatcherRegex(m.value))
      errors.push(`${formatMatcher(m)}: the regular expression is not valid.`);
  }
  if (d.matchers.length > 0 && d.matchers.every((m) => matcherMatches(m, {}))) {
    // Alertmanager refuses these: such a silence would also match alerts without the labels.
    errors.push('At least one matcher must not match the empty string.');
  }
  if (d.durationSec === undefined || !(d.durationSec > 0)) errors.push('Give a duration such as 2h or 30m.');
  if (d.comment.trim() === '') errors.push('Say why in the comment.');
  if (d.createdBy.trim() === '') errors.push('Created by is empty.');
  return errors;
}

/** The body of POST /api/v2/silences for a draft that validates, starting at `nowMs`. */
export function buildSilence(d: SilenceDraft, nowMs: number): PostableSilence {
  return {
    matchers: d.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual })),
    startsAt: new Date(nowMs).toISOString(),
    endsAt: new Date(nowMs + (d.durationSec ?? 0) * 1000).toISOString(),
    createdBy: d.createdBy.trim(),
    comment: d.comment.trim(),
  };
}

const STATE_ORDER: Record<SilenceState, number> = { active: 0, pending: 1, expired: 2 };

/** Active first (ending soonest first), then pending (starting soonest), then expired (most recent first). */
export function sortSilences(silences: readonly Silence[]): Silence[] {
  return [...silences].sort((a, b) => {
    const s = STATE_ORDER[a.status.state] - STATE_ORDER[b.status.state];
    if (s !== 0) return s;
    if (a.status.state === 'active') return Date.parse(a.endsAt) - Date.parse(b.endsAt);
    if (a.status.state === 'pending') return Date.parse(a.startsAt) - Date.parse(b.startsAt);
    return Date.parse(b.endsAt) - Date.parse(a.endsAt);
  });
}

/** Counts per state. */
export function countSilences(silences: readonly Silence[]): Record<SilenceState, number> {
  const out: Record<SilenceState, number> = { active: 0, pending: 0, expired: 0 };
  for (const s of silences) out[s.status.state]++;
  return out;
}
