/**
 * Cascade prevention: while an alert matching `condition` fires (the plan's DatabaseDown), the
 * alerts named in `suppress` are muted for `duration` from that alert's start (its startsAt). The
 * muting ends early when the source resolves; after `duration` the muted alerts notify even if the
 * source still fires. With `equal`, the source and the muted alert must agree on those labels (as
 * an inhibition rule's `equal`). An alert never mutes itself.
 */
import type { AlertMatcher } from '../../alerting/index.js';
import { formatLabels, matches } from '../label-match.js';
import type { IncidentAlert, MuteCandidate } from '../ports.js';
import {
  formatDuration,
  type RuleDecision,
  type RuleStatus,
  type SuppressionRule,
  type TargetSelector,
} from './rule.js';

export interface CascadeOptions {
  name: string;
  condition: readonly AlertMatcher[];
  targets: TargetSelector;
  durationMs: number;
  equal: readonly string[];
}

interface Source {
  fingerprint: string;
  labels: Readonly<Record<string, string>>;
  startsAtMs: number;
}

export class CascadeRule implements SuppressionRule {
  readonly kind = 'cascade' as const;
  readonly name: string;
  private readonly sources = new Map<string, Source>();

  constructor(private readonly opts: CascadeOptions) {
    this.name = opts.name;
  }

  observe(alert: IncidentAlert): void {
    if (!matches(this.opts.condition, alert.labels)) return;
    if (alert.status === 'firing') {
      this.sources.set(alert.fingerprint, {
        fingerprint: alert.fingerprint,
        labels: alert.labels,
        startsAtMs: alert.startsAtMs,
      });
    } else {
      this.sources.delete(alert.fingerprint);
    }
  }

  decide(alert: MuteCandidate, nowMs: number): RuleDecision | undefined {
    if (!this.opts.targets.matches(alert.labels)) return undefined;
    let expired: Source | undefined;
    for (const s of this.sources.values()) {
      if (s.fingerprint === alert.fingerprint) continue;
      if (!this.opts.equal.every((l) => (s.labels[l] ?? '') === (alert.labels[l] ?? ''))) continue;
      if (nowMs < s.startsAtMs + this.opts.durationMs) {
        return {
          muted: true,
          reason:
            `cascade prevention "${this.name}": ${sourceName(s)} firing since ${new Date(s.startsAtMs).toISOString()}, ` +
            `muted until ${new Date(s.startsAtMs + this.opts.durationMs).toISOString()}`,
        };
      }
      expired = s;
    }
    if (!expired) return undefined;
    return {
      muted: false,
      reason: `cascade prevention "${this.name}": ${sourceName(expired)} has fired longer than ${formatDuration(this.opts.durationMs)} — notifying`,
    };
  }

  status(nowMs: number): RuleStatus {
    const sources = [...this.sources.values()];
    const muting = sources.filter((s) => nowMs < s.startsAtMs + this.opts.durationMs);
    return {
      name: this.name,
      kind: this.kind,
      active: muting.length > 0,
      detail:
        muting.length === 0
          ? sources.length === 0
            ? 'no source alert firing'
            : `source firing for longer than ${formatDuration(this.opts.durationMs)}: not muting`
          : `muting ${this.opts.targets.suppress.join(', ')} while ${muting.map(sourceName).join(', ')} fires`,
      duration: formatDuration(this.opts.durationMs),
      suppress: this.opts.targets.suppress,
      sources: sources.map((s) => ({
        labels: s.labels,
        startsAt: new Date(s.startsAtMs).toISOString(),
        mutesUntil: new Date(s.startsAtMs + this.opts.durationMs).toISOString(),
      })),
    };
  }
}

function sourceName(s: Source): string {
  return s.labels.alertname ?? formatLabels(s.labels);
}
