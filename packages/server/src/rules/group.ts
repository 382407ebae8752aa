/**
 * A rule group, as Prometheus 2.42's rules.Group: its rules run one after the other at the same
 * evaluation timestamp, on slots `offset + k × interval` where the offset comes from a hash of
 * the file and group name (so groups spread over the interval, and the same group keeps its
 * slots across restarts). Results are appended to storage; series a rule stops returning get a
 * staleness marker. After a restart, the `for` state of alerts is restored from ALERTS_FOR_STATE.
 */
import type { Clock } from '../lib/clock.js';
import type { Labels } from '../lib/labels.js';
import { Matcher } from '../lib/matcher.js';
import { isStaleAt, STALE_NAN } from '../lib/stale.js';
import type { Appendable, AppendRejection, Queryable } from '../tsdb/index.js';
import { type Alert, AlertingRule } from './alerting-rule.js';
import { evalSlotMs, ruleGroupHash } from './group-hash.js';
import type { RuleMetrics } from './metrics.js';
import type { RecordingRule } from './recording-rule.js';
import type { OutputSample, RuleQueryFunc } from './rule.js';

export type Rule = AlertingRule | RecordingRule;

/** What a group needs to evaluate. */
export interface GroupDeps {
  readonly query: RuleQueryFunc;
  readonly appendable: Appendable;
  /** Called after each successful evaluation of an alerting rule with the alerts to send (possibly none). */
  readonly notify?: (rule: AlertingRule, alerts: Alert[]) => Promise<void>;
  readonly resendDelayMs: number;
  readonly metrics?: RuleMetrics;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

/** What the schedule needs beyond evaluation. */
export interface GroupRunDeps extends GroupDeps {
  readonly clock: Clock;
  readonly queryable: Queryable;
  /** Restoration window: ALERTS_FOR_STATE older than this is not used. @default 1h */
  readonly outageToleranceMs: number;
  /** Minimum time an alert restored as pending still waits before firing. @default 10m */
  readonly forGracePeriodMs: number;
}

export interface RuleGroupOptions {
  readonly name: string;
  readonly file: string;
  readonly intervalMs: number;
  readonly limit: number;
  readonly queryOffsetMs: number;
  readonly rules: readonly Rule[];
  /** Restore the `for` state of alerts after the second evaluation (first load after a start). */
  readonly shouldRestore: boolean;
}

/** Prometheus's storage errors, by our rejection reason. */
const APPEND_ERRORS: Readonly<Record<AppendRejection, string>> = {
  'out-of-order': 'out of order sample',
  'duplicate-timestamp': 'duplicate sample for timestamp',
  'bad-timestamp': 'out of bounds',
  'bad-labels': 'invalid labels',
};

export class RuleGroup {
  readonly name: string;
  readonly file: string;
  readonly intervalMs: number;
  readonly limit: number;
  readonly queryOffsetMs: number;
  readonly rules: readonly Rule[];
  /** Wall time of the last whole evaluation, seconds. */
  evaluationSeconds = 0;
  /** Clock time the last evaluation started; undefined before the first. */
  lastEvaluationMs: number | undefined;
  shouldRestore: boolean;
  /** Series each rule wrote at its last evaluation (to mark them stale when they disappear). */
  private seriesInPreviousEval: Map<string, Labels>[];
  private staleSeries: Labels[] = [];
  private readonly hash: bigint;
  private cancelTimer: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private evalTimestampMs = 0;

  constructor(o: RuleGroupOptions) {
    this.name = o.name;
    this.file = o.file;
    this.intervalMs = o.intervalMs;
    this.limit = o.limit;
    this.queryOffsetMs = o.queryOffsetMs;
    this.rules = o.rules;
    this.shouldRestore = o.shouldRestore;
    this.seriesInPreviousEval = o.rules.map(() => new Map<string, Labels>());
    this.hash = ruleGroupHash(o.file, o.name);
  }

  /** Prometheus's GroupKey: `file;name`. */
  get key(): string {
    return `${this.file};${this.name}`;
  }

  alertingRules(): AlertingRule[] {
    return this.rules.filter((r): r is AlertingRule => r instanceof AlertingRule);
  }

  /** The latest slot of this group at or before `nowMs` (Prometheus's EvalTimestamp). */
  evalTimestamp(nowMs: number): number {
    return evalSlotMs(this.hash, this.intervalMs, nowMs);
  }

  /** Evaluates every rule at `tsMs`, in order, and writes the results. */
  async eval(tsMs: number, deps: GroupDeps): Promise<void> {
    let samplesTotal = 0;
    for (const [i, rule] of this.rules.entries()) {
      const started = performance.now();
      const startedAt = tsMs;
      deps.metrics?.evaluations.inc({ rule_group: this.key });
      try {
        let vector: OutputSample[];
        try {
          vector = await rule.eval(tsMs, deps.query, this.limit, this.queryOffsetMs);
        } catch (e) {
          const err = e instanceof Error ? e : new Error(String(e));
          rule.status.setError(err);
          deps.metrics?.evaluationFailures.inc({ rule_group: this.key });
          deps.log?.('Evaluating rule failed', { group: this.name, rule: rule.name, index: i, err: err.message });
          continue;
        }
        rule.status.setOk();
        samplesTotal += vector.length;
        if (rule instanceof AlertingRule && deps.notify) {
          await deps.notify(rule, rule.alertsToSend(tsMs, deps.resendDelayMs, this.intervalMs));
        }
        await this.write(i, rule, vector, tsMs, deps);
      } finally {
        rule.status.evaluationSeconds = (performance.now() - started) / 1000;
        rule.status.lastEvaluationMs = startedAt;
        deps.metrics?.ruleEvaluationSeconds.observe((performance.now() - started) / 1000);
      }
    }
    deps.metrics?.groupSamples.set({ rule_group: this.key }, samplesTotal);
    await this.cleanupStaleSeries(tsMs, deps.appendable);
  }

  private async write(i: number, rule: Rule, vector: OutputSample[], tsMs: number, deps: GroupDeps): Promise<void> {
    const app = deps.appendable.appender();
    const returned = new Map<string, Labels>();
    let outOfOrder = 0;
    let duplicates = 0;
    for (const s of vector) {
      let rejection: AppendRejection | undefined;
      if (s.h !== undefined) {
        const ok = deps.appendable.appendHistogram?.(s.labels, s.timestampMs, s.h) ?? false;
        rejection = ok ? undefined : 'out-of-order';
      } else {
        rejection = app.append(s.labels, s.timestampMs, s.v);
      }
      if (rejection === undefined) {
        returned.set(s.labels.key, s.labels);
        continue;
      }
      rule.status.setError(new Error(APPEND_ERRORS[rejection]));
      if (rejection === 'out-of-order') outOfOrder++;
      else if (rejection === 'duplicate-timestamp') duplicates++;
      else deps.log?.('Rule evaluation result discarded', { rule: rule.name, reason: rejection });
    }
    if (outOfOrder > 0) {
      deps.log?.('Error on ingesting out-of-order result from rule evaluation', {
        rule: rule.name,
        numDropped: outOfOrder,
      });
    }
    if (duplicates > 0) {
      deps.log?.('Error on ingesting results from rule evaluation with different value but same timestamp', {
        rule: rule.name,
        numDropped: duplicates,
      });
    }
    for (const [key, labels] of this.seriesInPreviousEval[i]!) {
      // Series no longer returned get a staleness marker; a rejection means another rule wrote it.
      if (!returned.has(key)) app.append(labels, tsMs, STALE_NAN);
    }
    try {
      await app.commit();
      this.seriesInPreviousEval[i] = returned;
    } catch (e) {
      rule.status.setError(e instanceof Error ? e : new Error(String(e)));
      deps.metrics?.evaluationFailures.inc({ rule_group: this.key });
    }
  }

  private async cleanupStaleSeries(tsMs: number, appendable: Appendable): Promise<void> {
    if (this.staleSeries.length === 0) return;
    const app = appendable.appender();
    for (const labels of this.staleSeries) app.append(labels, tsMs, STALE_NAN);
    this.staleSeries = [];
    await app.commit().catch(() => undefined);
  }

  /**
   * Restores the `for` state of active alerts from the last ALERTS_FOR_STATE sample within the
   * outage tolerance (Prometheus's RestoreForState): an alert that had been pending for part of
   * its `for` before a restart resumes, shifted by the downtime; one that would fire within the
   * grace period waits the grace period.
   */
  restoreForState(nowMs: number, queryable: Queryable, outageToleranceMs: number, forGracePeriodMs: number): void {
    const minMs = nowMs - outageToleranceMs;
    for (const rule of this.alertingRules()) {
      if (rule.holdDurationMs < forGracePeriodMs) {
        rule.restored = true;
        continue;
      }
      for (const a of rule.active.values()) {
        const labels = rule.forStateLabels(a);
        const matchers = [...labels].map(([n, v]) => new Matcher('=', n, v));
        const series = queryable
          .select(matchers, minMs, nowMs)
          .find((s) => s.labels.size === matchers.length && s.timestampsMs.length > 0);
        if (!series) continue;
        const last = series.timestampsMs.length - 1;
        if (isStaleAt(series.values, last)) continue;
        const downAtMs = Math.floor(series.timestampsMs[last]! / 1000) * 1000;
        let restoredActiveAtMs = Math.trunc(series.values[last]!) * 1000;
        const remainingMs = rule.holdDurationMs - (downAtMs - restoredActiveAtMs);
        if (remainingMs <= 0) {
          // Firing when the server went down: the next evaluation fires it again if still true.
        } else if (remainingMs < forGracePeriodMs) {
          restoredActiveAtMs = nowMs + forGracePeriodMs - rule.holdDurationMs;
        } else {
          restoredActiveAtMs += nowMs - downAtMs;
        }
        a.activeAtMs = restoredActiveAtMs;
      }
      rule.restored = true;
    }
  }

  /** Takes over evaluation state from the group this one replaces on a reload (Prometheus's CopyState). */
  copyState(from: RuleGroup): void {
    this.evaluationSeconds = from.evaluationSeconds;
    this.lastEvaluationMs = from.lastEvaluationMs;
    const byIdentity = new Map<string, number[]>();
    from.rules.forEach((r, i) => byIdentity.set(r.identity, [...(byIdentity.get(r.identity) ?? []), i]));
    this.rules.forEach((rule, i) => {
      const indexes = byIdentity.get(rule.identity);
      if (!indexes || indexes.length === 0) return;
      const fi = indexes[0]!;
      byIdentity.set(rule.identity, indexes.slice(1));
      this.seriesInPreviousEval[i] = from.seriesInPreviousEval[fi]!;
      const old = from.rules[fi];
      if (rule instanceof AlertingRule && old instanceof AlertingRule) {
        for (const [k, a] of old.active) rule.active.set(k, a);
      }
    });
    this.staleSeries = [...from.staleSeries];
    from.rules.forEach((r, fi) => {
      if ((byIdentity.get(r.identity)?.length ?? 0) > 0)
        this.staleSeries.push(...from.seriesInPreviousEval[fi]!.values());
    });
  }

  /** Every series the group wrote at its last evaluation (marked stale when the group is removed). */
  lastSeries(): Labels[] {
    return this.seriesInPreviousEval.flatMap((m) => [...m.values()]);
  }

  /** Whether `o` has the same definition (an unchanged group keeps running on a reload). */
  equals(o: RuleGroup): boolean {
    if (
      this.name !== o.name ||
      this.file !== o.file ||
      this.intervalMs !== o.intervalMs ||
      this.limit !== o.limit ||
      this.queryOffsetMs !== o.queryOffsetMs ||
      this.rules.length !== o.rules.length
    ) {
      return false;
    }
    return this.rules.every((r, i) => {
      const other = o.rules[i]!;
      if (r instanceof AlertingRule) return other instanceof AlertingRule && r.equals(other);
      return !(other instanceof AlertingRule) && r.equals(other);
    });
  }

  /**
   * Starts evaluating on the clock: first at the slot after `now`, then every interval. An
   * evaluation that overruns makes the next slots missed (counted, not queued).
   */
  start(deps: GroupRunDeps): void {
    if (!this.stopped) return;
    this.stopped = false;
    const now = deps.clock.nowMs();
    this.evalTimestampMs = this.evalTimestamp(now) + this.intervalMs;
    this.schedule(deps, this.evalTimestampMs - now, true);
  }

  private schedule(deps: GroupRunDeps, delayMs: number, first: boolean): void {
    this.cancelTimer = deps.clock.setTimeout(() => {
      this.cancelTimer = undefined;
      if (this.stopped) return;
      this.running = this.tick(deps, first).finally(() => {
        this.running = undefined;
      });
    }, delayMs);
  }

  private async tick(deps: GroupRunDeps, first: boolean): Promise<void> {
    const key = { rule_group: this.key };
    if (!first) {
      const missed = Math.floor((deps.clock.nowMs() - this.evalTimestampMs) / this.intervalMs) - 1;
      if (missed > 0) {
        deps.metrics?.iterationsMissed.inc(key, missed);
        deps.metrics?.iterationsScheduled.inc(key, missed);
      }
      this.evalTimestampMs += (Math.max(missed, 0) + 1) * this.intervalMs;
    }
    deps.metrics?.iterationsScheduled.inc(key);
    const startMs = deps.clock.nowMs();
    const started = performance.now();
    try {
      await this.eval(this.evalTimestampMs, deps);
    } catch (e) {
      deps.log?.('Rule group evaluation failed', { group: this.name, err: (e as Error).message });
    }
    this.evaluationSeconds = (performance.now() - started) / 1000;
    this.lastEvaluationMs = startMs;
    deps.metrics?.groupLastDurationSeconds.set(key, this.evaluationSeconds);
    deps.metrics?.iterationDurationSeconds.observe(this.evaluationSeconds);
    if (this.stopped) return;
    // Restoration waits for the second evaluation: recording rules the alerts read have run by then.
    if (this.shouldRestore && !first) {
      this.restoreForState(deps.clock.nowMs(), deps.queryable, deps.outageToleranceMs, deps.forGracePeriodMs);
      this.shouldRestore = false;
    }
    const next = this.evalTimestampMs + this.intervalMs;
    this.schedule(deps, Math.max(0, next - deps.clock.nowMs()), false);
  }

  /** Stops scheduling and waits for a running evaluation to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.running;
  }

  /** Resolves when no evaluation is running (tests on a ManualClock). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
