/**
 * The suppression engine: the rules of `suppression_rules` in file order behind one MuteStage.
 * The first rule that mutes an alert gives the reason. Every decision is counted in
 * `watchkeeper_suppression_decisions_total`, once per rule, alert occurrence (fingerprint and
 * startsAt) and outcome — the dispatcher asks at every flush and API listing, which would otherwise
 * inflate the count — and the recent decisions are kept for the API, so that "why was this alert
 * muted" has an answer.
 */
import type { SuppressionRuleConfig } from '../../config/index.js';
import { buildMatchers } from '../label-match.js';
import type { IncidentsMetrics } from '../metrics.js';
import type { IncidentAlert, MuteCandidate, MuteStage } from '../ports.js';
import { CascadeRule } from './cascade.js';
import { FlakyServiceRule, type FlakyWindowPersistence } from './flaky-service.js';
import { MaintenanceWindowRule } from './maintenance-window.js';
import { TargetSelector, type RuleStatus, type SuppressionKind, type SuppressionRule } from './rule.js';

export interface SuppressionDecision {
  rule: string;
  kind: SuppressionKind;
  fingerprint: string;
  labels: Readonly<Record<string, string>>;
  startsAt: string;
  muted: boolean;
  reason: string;
  firstAt: string;
  lastAt: string;
  /** How many times the same decision was made (the dispatcher asks at every flush). */
  count: number;
}

export interface SuppressionEngineOptions {
  metrics: IncidentsMetrics;
  /** Distinct decisions kept for the API. @default 500 */
  decisionLogSize?: number;
}

/** Builds the rules of the configuration; matcher problems are pushed with their paths. */
export function buildSuppressionRules(
  configs: readonly SuppressionRuleConfig[],
  problems: string[],
  persistence?: FlakyWindowPersistence,
): SuppressionRule[] {
  return configs.map((c, i) => {
    const path = `suppression_rules.${i}`;
    switch (c.kind) {
      case 'maintenance':
        return new MaintenanceWindowRule({
          name: c.name,
          schedule: c.schedule,
          timezone: c.timezone,
          ...(c.durationMs !== undefined && { durationMs: c.durationMs }),
          targets: new TargetSelector(c.suppress, buildMatchers({}, c.matchers, path, problems)),
        });
      case 'flaky':
        return new FlakyServiceRule({
          name: c.name,
          condition: buildMatchers(c.condition, c.matchers, path, problems),
          suppressDurationMs: c.suppressDurationMs,
          maxSuppressions: c.maxSuppressions,
          ...(c.groupBy !== undefined && { groupBy: c.groupBy }),
          ...(persistence !== undefined && { persistence }),
        });
      case 'cascade':
        return new CascadeRule({
          name: c.name,
          condition: buildMatchers(c.condition, [], path, problems),
          targets: new TargetSelector(c.suppress, buildMatchers({}, c.matchers, path, problems)),
          durationMs: c.durationMs,
          equal: c.equal,
        });
    }
  });
}

export class SuppressionEngine implements MuteStage {
  readonly name = 'suppression';
  private readonly log = new Map<string, SuppressionDecision>();
  private readonly logSize: number;

  constructor(
    private readonly rules: readonly SuppressionRule[],
    private readonly opts: SuppressionEngineOptions,
  ) {
    this.logSize = opts.decisionLogSize ?? 500;
  }

  /** The MuteStage: the reason of the first rule that mutes the alert now. */
  isMuted(alert: MuteCandidate, nowMs: number): string | undefined {
    for (const rule of this.rules) {
      const decision = rule.decide(alert, nowMs);
      if (!decision) continue;
      if (this.record(rule, alert, decision.muted, decision.reason, nowMs)) {
        this.opts.metrics.suppressionDecisions.inc({
          rule: rule.name,
          kind: rule.kind,
          decision: decision.muted ? 'muted' : 'notified',
        });
      }
      if (decision.muted) return decision.reason;
    }
    return undefined;
  }

  /** Alert changes from the alert store (cascade sources). */
  observe(alert: IncidentAlert): void {
    for (const rule of this.rules) rule.observe?.(alert);
  }

  status(nowMs: number): RuleStatus[] {
    return this.rules.map((r) => r.status(nowMs));
  }

  /** Recent distinct decisions, newest first. */
  decisions(): SuppressionDecision[] {
    return [...this.log.values()].reverse();
  }

  /** Logs the decision; true when it is a new one (not the same call about the same occurrence again). */
  private record(rule: SuppressionRule, alert: MuteCandidate, muted: boolean, reason: string, nowMs: number): boolean {
    const key = `${rule.name}\u0000${alert.fingerprint}\u0000${alert.startsAtMs}\u0000${muted}`;
    const at = new Date(nowMs).toISOString();
    const previous = this.log.get(key);
    this.log.delete(key);
    this.log.set(
      key,
      previous
        ? { ...previous, reason, lastAt: at, count: previous.count + 1 }
        : {
            rule: rule.name,
            kind: rule.kind,
            fingerprint: alert.fingerprint,
            labels: alert.labels,
            startsAt: new Date(alert.startsAtMs).toISOString(),
            muted,
            reason,
            firstAt: at,
            lastAt: at,
            count: 1,
          },
    );
    if (this.log.size > this.logSize) this.log.delete(this.log.keys().next().value!);
    return previous === undefined;
  }
}
