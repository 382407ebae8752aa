/**
 * Inhibition as Alertmanager 0.25's inhibitor (inhibit/inhibit.go): an alert matching a rule's
 * target matchers is muted while a firing alert matching its source matchers has the same values
 * for the rule's `equal` labels (a missing label is `''` on both sides). When the target alert
 * also matches the source side, sources that also match the target side do not count, so that
 * alerts do not inhibit themselves or each other. Each rule keeps a cache of its source alerts,
 * fed by the alert store's subscription.
 */
import type { InhibitRule } from '../config/load.js';
import type { Alert } from '../dispatch/alert.js';
import type { AlertChange } from '../dispatch/alert-store.js';
import { matchesAll, type LabelLookup } from '../matchers.js';

/** What the inhibitor needs from the alert store. */
export interface AlertSubscription {
  subscribe(listener: (change: AlertChange) => void, options?: { replay?: boolean }): () => void;
}

function lookup(labels: Readonly<Record<string, string>>): LabelLookup {
  return (n) => (Object.hasOwn(labels, n) ? labels[n]! : '');
}

class RuleState {
  /** Source alerts by fingerprint, in the order they were first seen. */
  readonly sources = new Map<string, Alert>();
  constructor(readonly rule: InhibitRule) {}
}

export class Inhibitor {
  private readonly rules: RuleState[];
  private readonly unsubscribe: () => void;

  constructor(rules: readonly InhibitRule[], alerts: AlertSubscription) {
    this.rules = rules.map((r) => new RuleState(r));
    this.unsubscribe = alerts.subscribe((c) => this.onChange(c), { replay: true });
  }

  /**
   * The fingerprint of an alert that inhibits the labels at `nowMs`, or undefined when none does
   * (the API shows it in `inhibitedBy`).
   */
  inhibitedBy(labels: Readonly<Record<string, string>>, nowMs: number): string | undefined {
    const target = lookup(labels);
    for (const { rule, sources } of this.rules) {
      if (!matchesAll(rule.targetMatchers, target)) continue;
      const excludeTwoSided = matchesAll(rule.sourceMatchers, target);
      for (const source of sources.values()) {
        if (source.endsAtMs <= nowMs) continue;
        const s = lookup(source.labels);
        if (!rule.equal.every((n) => s(n) === target(n))) continue;
        if (excludeTwoSided && matchesAll(rule.targetMatchers, s)) continue;
        return source.fingerprint;
      }
    }
    return undefined;
  }

  close(): void {
    this.unsubscribe();
  }

  private onChange(c: AlertChange): void {
    for (const state of this.rules) {
      if (c.cause === 'deleted') {
        if (state.sources.get(c.alert.fingerprint) === c.alert) state.sources.delete(c.alert.fingerprint);
      } else if (matchesAll(state.rule.sourceMatchers, lookup(c.alert.labels))) {
        state.sources.set(c.alert.fingerprint, c.alert);
      }
    }
  }
}
