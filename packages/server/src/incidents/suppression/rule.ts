/** The shape every suppression rule has, and what it mutes (`suppress` + `matchers`). */
import type { AlertMatcher } from '../../alerting/index.js';
import { matches } from '../label-match.js';
import type { IncidentAlert, MuteCandidate } from '../ports.js';

export type SuppressionKind = 'maintenance' | 'flaky' | 'cascade';

/** A rule's call about one alert; `reason` says why, in words for the API and the dispatcher. */
export interface RuleDecision {
  muted: boolean;
  reason: string;
}

export interface SuppressionRule {
  readonly name: string;
  readonly kind: SuppressionKind;
  /**
   * The rule's decision about `alert` at `nowMs`, or undefined when the rule is not in force for
   * it (not one of its alerts, outside its window, no source firing). A decision not to mute is
   * returned only when the rule deliberately lets the alert through (a flaky service over its
   * limit, a cascade past its duration).
   */
  decide(alert: MuteCandidate, nowMs: number): RuleDecision | undefined;
  /** Alert changes from the alert store (cascade sources). */
  observe?(alert: IncidentAlert): void;
  /** The rule's state for the API. */
  status(nowMs: number): RuleStatus;
}

export interface RuleStatus {
  name: string;
  kind: SuppressionKind;
  /** Whether the rule mutes anything right now. */
  active: boolean;
  /** One sentence: what the rule does now. */
  detail: string;
  [extra: string]: unknown;
}

/**
 * What a rule mutes: any of the `suppress` entries — an alert name, `non-critical` (a severity
 * other than `critical`, or none) or `all` — and every one of `matchers`.
 */
export class TargetSelector {
  private readonly all: boolean;
  private readonly nonCritical: boolean;
  private readonly names: ReadonlySet<string>;

  constructor(
    readonly suppress: readonly string[],
    private readonly matchers: readonly AlertMatcher[],
  ) {
    this.all = suppress.includes('all');
    this.nonCritical = suppress.includes('non-critical');
    this.names = new Set(suppress.filter((s) => s !== 'all' && s !== 'non-critical'));
  }

  matches(labels: Readonly<Record<string, string>>): boolean {
    const selected =
      this.all || (this.nonCritical && labels.severity !== 'critical') || this.names.has(labels.alertname ?? '');
    return selected && matches(this.matchers, labels);
  }
}

/** `2024-06-02 04:00 Europe/Oslo`: times in reasons are shown in the rule's zone. */
export function formatInZone(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${timeZone}`;
}

/** `30m`, `1h30m`, `45s`: durations in reasons. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let rest = ms;
  let out = '';
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * size;
    }
  }
  return out === '' ? `${ms}ms` : out;
}
