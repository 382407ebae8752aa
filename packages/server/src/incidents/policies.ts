/** Escalation policies as the engine uses them: matchers parsed, targets resolved to receivers. */
import type { AlertMatcher } from '../alerting/index.js';
import type { EscalationConfig } from '../config/index.js';
import { buildMatchers, formatLabels, matches } from './label-match.js';

export interface EscalationLevel {
  /** The level's number ("level 2"). */
  level: number;
  /** From the start of the incident (of the run, with repeat). */
  delayMs: number;
  /** As configured: receiver names or named targets. */
  targets: string[];
  /** alertmanager.yml receivers the targets stand for, without duplicates. */
  receivers: string[];
}

export interface EscalationPolicy {
  name: string;
  matchers: AlertMatcher[];
  /** Labels that make one incident; `'all'` for `['...']`. */
  groupBy: string[] | 'all';
  repeat: number;
  repeatIntervalMs?: number;
  levels: EscalationLevel[];
}

/**
 * Builds the policies in file order. A target is a name from `escalation.targets` or, when
 * `receiverNames` is given, one of alertmanager.yml's receivers; anything else is a problem.
 */
export function buildPolicies(
  config: EscalationConfig,
  receiverNames: ReadonlySet<string> | undefined,
  problems: string[],
): EscalationPolicy[] {
  for (const [name, receivers] of Object.entries(config.targets)) {
    receivers.forEach((r, i) => {
      if (receiverNames && !receiverNames.has(r)) {
        problems.push(`At escalation.targets.${name}.${i}: "${r}" is not a receiver of alertmanager.yml`);
      }
    });
  }
  return config.policies.map((p) => {
    const path = `escalation.policies.${p.name}`;
    const levels = p.levels.map((l, li): EscalationLevel => {
      const receivers: string[] = [];
      l.targets.forEach((t, ti) => {
        const named = config.targets[t];
        if (named) receivers.push(...named);
        else if (!receiverNames || receiverNames.has(t)) receivers.push(t);
        else {
          problems.push(
            `At ${path}.levels.${li}.targets.${ti}: "${t}" is neither in escalation.targets nor a receiver of alertmanager.yml`,
          );
        }
      });
      return { level: l.level, delayMs: l.delayMs, targets: [...l.targets], receivers: [...new Set(receivers)] };
    });
    return {
      name: p.name,
      matchers: buildMatchers(p.match, p.matchers, path, problems),
      groupBy: p.groupBy.includes('...') ? 'all' : [...p.groupBy],
      repeat: p.repeat,
      ...(p.repeatIntervalMs !== undefined && { repeatIntervalMs: p.repeatIntervalMs }),
      levels,
    };
  });
}

/** The first policy whose matchers all match, in file order. */
export function selectPolicy(
  policies: readonly EscalationPolicy[],
  labels: Readonly<Record<string, string>>,
): EscalationPolicy | undefined {
  return policies.find((p) => matches(p.matchers, labels));
}

/** The labels of `labels` that make the incident of `policy`. */
export function incidentGroupLabels(
  policy: EscalationPolicy,
  labels: Readonly<Record<string, string>>,
): Record<string, string> {
  if (policy.groupBy === 'all') return { ...labels };
  const out: Record<string, string> = {};
  for (const name of policy.groupBy) {
    const v = labels[name];
    if (v !== undefined && v !== '') out[name] = v;
  }
  return out;
}

/** `revenue_critical{alertname="PartsOrderingSystemDown"}`: at most one open incident per key. */
export function incidentKey(policy: string, groupLabels: Readonly<Record<string, string>>): string {
  return `${policy}${formatLabels(groupLabels)}`;
}

/** When the level `index` of run `cycle` is due for an incident started at `startedAtMs`. */
export function levelDueAtMs(policy: EscalationPolicy, startedAtMs: number, cycle: number, index: number): number {
  return startedAtMs + cycle * (policy.repeatIntervalMs ?? 0) + policy.levels[index]!.delayMs;
}

/** The step after (cycle, index), or undefined when the policy is done. */
export function nextStep(
  policy: EscalationPolicy,
  cycle: number,
  index: number,
): { cycle: number; index: number } | undefined {
  if (index + 1 < policy.levels.length) return { cycle, index: index + 1 };
  if (cycle < policy.repeat) return { cycle: cycle + 1, index: 0 };
  return undefined;
}
