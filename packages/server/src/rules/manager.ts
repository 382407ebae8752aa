/**
 * The rule manager: loads rule files into groups, runs every group on its schedule on the
 * clock, writes results to storage, hands alerts to the AlertSink, and keeps state across
 * reloads (Prometheus's rules.Manager).
 */
import type { Registry } from 'prom-client';
import type { Clock } from '../lib/clock.js';
import { Labels } from '../lib/labels.js';
import { STALE_NAN } from '../lib/stale.js';
import type { Expr, QueryResult } from '../promql/index.js';
import type { Appendable, Queryable } from '../tsdb/index.js';
import { type AlertSink, toPostableAlerts } from './alert-sink.js';
import { type Alert, AlertingRule } from './alerting-rule.js';
import { GlobPatternError, goGlob } from './glob.js';
import { type GroupRunDeps, type Rule, RuleGroup } from './group.js';
import { RuleMetrics } from './metrics.js';
import { RecordingRule } from './recording-rule.js';
import { type RuleFile, RuleFileError, loadRuleFile } from './rule-file.js';
import { RuleEvalError, type RuleQueryFunc, type RuleSample } from './rule.js';

/** The query side of the engine the rules need. */
export interface InstantQueryEngine {
  instantQuery(query: string | Expr, timeMs: number): Promise<QueryResult>;
}

/** Prometheus's rules.EngineQueryFunc: a vector, or a scalar as one sample without labels. */
export function engineQueryFunc(engine: InstantQueryEngine): RuleQueryFunc {
  return async (expr, timeMs) => {
    const { value } = await engine.instantQuery(expr, timeMs);
    switch (value.type) {
      case 'vector':
        return value.samples.map((s): RuleSample =>
          s.h ? { labels: s.labels, v: s.v, h: s.h } : { labels: s.labels, v: s.v },
        );
      case 'scalar':
        return [{ labels: Labels.EMPTY, v: value.v }];
      default:
        throw new RuleEvalError('rule result is not a vector or scalar');
    }
  };
}

export interface RuleManagerOptions {
  readonly engine: InstantQueryEngine;
  /** Where results go and where ALERTS_FOR_STATE is read back from after a restart. */
  readonly storage: Queryable & Appendable;
  readonly clock: Clock;
  /** Receives the alerts to send after each evaluation. */
  readonly sink?: AlertSink;
  /** The interval of groups that set none (global.evaluation_interval). */
  readonly evaluationIntervalMs: number;
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Prometheus's --web.external-url: `$externalURL` in templates and the alerts' generator URL. */
  readonly externalURL?: string;
  /** Firing alerts are resent at most this often. @default 60_000 */
  readonly resendDelayMs?: number;
  /** @default 3_600_000 */
  readonly outageToleranceMs?: number;
  /** @default 600_000 */
  readonly forGracePeriodMs?: number;
  readonly registry?: Registry;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

/** Rule files that could not be loaded: every problem of every file, as `check rules` prints them. */
export class RuleLoadError extends Error {
  readonly code = 'WK_RULES_LOAD';
  constructor(
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`cannot load rule files:\n  ${problems.join('\n  ')}`, options);
    this.name = 'RuleLoadError';
  }
}

/** Options for building groups from rule files. */
export interface LoadGroupsOptions {
  readonly defaultIntervalMs: number;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalURL?: string;
  /** Whether rules write ALERTS from the first evaluation (no `for` state to restore). */
  readonly restored: boolean;
  readonly shouldRestore: boolean;
}

/** Builds groups from parsed rule files (Prometheus's Manager.LoadGroups). */
export function buildGroups(files: readonly RuleFile[], o: LoadGroupsOptions): RuleGroup[] {
  const groups: RuleGroup[] = [];
  for (const f of files) {
    f.groups.forEach((g, gi) => {
      const rules: Rule[] = g.rules.map((r, ri) => {
        const expr = f.exprs[gi]![ri]!;
        if (r.alert !== '') {
          return new AlertingRule({
            name: r.alert,
            expr,
            holdDurationMs: r.forMs,
            keepFiringForMs: r.keepFiringForMs,
            labels: r.labels,
            annotations: r.annotations,
            externalLabels: o.externalLabels,
            externalURL: o.externalURL,
            restored: o.restored,
          });
        }
        return new RecordingRule(r.record, expr, r.labels);
      });
      groups.push(
        new RuleGroup({
          name: g.name,
          file: f.file,
          intervalMs: g.intervalMs !== 0 ? g.intervalMs : o.defaultIntervalMs,
          limit: g.limit,
          queryOffsetMs: g.queryOffsetMs,
          rules,
          shouldRestore: o.shouldRestore,
        }),
      );
    });
  }
  return groups;
}

/** Expands `rule_files` patterns (Go's filepath.Glob); a bad pattern is a load problem. */
export function expandRuleFiles(patterns: readonly string[]): string[] {
  const files: string[] = [];
  const problems: string[] = [];
  for (const p of patterns) {
    try {
      for (const f of goGlob(p)) if (!files.includes(f)) files.push(f);
    } catch (e) {
      if (!(e instanceof GlobPatternError)) throw e;
      problems.push(`${p}: ${e.message}`);
    }
  }
  if (problems.length > 0) throw new RuleLoadError(problems);
  return files;
}

/** Reads and validates rule files; throws RuleLoadError with every problem of every file. */
export function loadRuleFiles(files: readonly string[]): RuleFile[] {
  const out: RuleFile[] = [];
  const problems: string[] = [];
  for (const f of files) {
    try {
      out.push(loadRuleFile(f));
    } catch (e) {
      if (!(e instanceof RuleFileError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new RuleLoadError(problems);
  return out;
}

/**
 * Runs rule groups on the clock.
 *
 * @example
 * const manager = new RuleManager({ engine, storage, clock, sink, evaluationIntervalMs: 15_000 });
 * await manager.update(expandRuleFiles(['rules/*.yml']));
 * manager.start();
 * // ...
 * await manager.stop();
 */
export class RuleManager {
  private groupsByKey = new Map<string, RuleGroup>();
  private running = false;
  /** False until the first load: groups of the first load restore their alerts' `for` state. */
  private restored = false;
  private readonly deps: GroupRunDeps;
  private readonly metrics: RuleMetrics;
  private readonly staleTimers = new Set<() => void>();
  private readonly externalURL: string;
  private readonly externalLabels: Readonly<Record<string, string>>;

  constructor(private readonly opts: RuleManagerOptions) {
    this.metrics = new RuleMetrics(opts.registry);
    this.externalURL = opts.externalURL ?? 'http://localhost:9800';
    this.externalLabels = opts.externalLabels ?? {};
    const sink = opts.sink;
    this.deps = {
      query: engineQueryFunc(opts.engine),
      appendable: opts.storage,
      queryable: opts.storage,
      clock: opts.clock,
      resendDelayMs: opts.resendDelayMs ?? 60_000,
      outageToleranceMs: opts.outageToleranceMs ?? 3_600_000,
      forGracePeriodMs: opts.forGracePeriodMs ?? 600_000,
      metrics: this.metrics,
      log: opts.log,
      notify: sink ? (rule, alerts) => this.notify(sink, rule, alerts) : undefined,
    };
  }

  private async notify(sink: AlertSink, rule: AlertingRule, alerts: Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    this.metrics.alertsSent.inc(alerts.length);
    try {
      await sink.send(toPostableAlerts(alerts, rule.query, this.externalURL, this.externalLabels));
    } catch (e) {
      this.opts.log?.('Sending alerts failed', { rule: rule.name, err: (e as Error).message });
    }
  }

  /**
   * Loads rule files (paths, already expanded) and replaces the groups: unchanged groups keep
   * running untouched, changed ones take over the state of the group they replace, removed ones
   * stop and their series are marked stale two intervals later. Throws RuleLoadError (and changes
   * nothing) when a file is invalid.
   */
  async update(files: readonly string[]): Promise<void> {
    const parsed = loadRuleFiles(files);
    const fresh = buildGroups(parsed, {
      defaultIntervalMs: this.opts.evaluationIntervalMs,
      externalLabels: this.externalLabels,
      externalURL: this.externalURL,
      restored: this.restored,
      shouldRestore: !this.restored,
    });
    const next = new Map<string, RuleGroup>();
    for (const g of fresh) {
      const old = this.groupsByKey.get(g.key);
      if (old && old.equals(g)) {
        next.set(g.key, old);
        continue;
      }
      if (old) {
        await old.stop();
        g.copyState(old);
      }
      next.set(g.key, g);
      if (this.running) g.start(this.deps);
    }
    for (const [key, old] of this.groupsByKey) {
      if (next.has(key)) continue;
      await old.stop();
      this.markStaleLater(old);
    }
    for (const key of [...this.groupsByKey.keys()]) {
      if (!next.has(key)) {
        this.metrics.groupIntervalSeconds.remove({ rule_group: key });
        this.metrics.groupRules.remove({ rule_group: key });
      }
    }
    for (const g of next.values()) {
      this.metrics.groupIntervalSeconds.set({ rule_group: g.key }, g.intervalMs / 1000);
      this.metrics.groupRules.set({ rule_group: g.key }, g.rules.length);
    }
    this.groupsByKey = next;
    this.restored = true;
  }

  private markStaleLater(group: RuleGroup): void {
    const series = group.lastSeries();
    if (series.length === 0) return;
    const atMs = this.opts.clock.nowMs();
    // Two intervals give a renamed rule the time to write its series first.
    const cancel = this.opts.clock.setTimeout(() => {
      this.staleTimers.delete(cancel);
      const app = this.opts.storage.appender();
      for (const labels of series) app.append(labels, atMs, STALE_NAN);
      void app.commit().catch(() => undefined);
    }, 2 * group.intervalMs);
    this.staleTimers.add(cancel);
  }

  /** Starts evaluating every group. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const g of this.groupsByKey.values()) g.start(this.deps);
  }

  /** Stops every group and waits for running evaluations. */
  async stop(): Promise<void> {
    this.running = false;
    for (const cancel of this.staleTimers) cancel();
    this.staleTimers.clear();
    await Promise.all([...this.groupsByKey.values()].map((g) => g.stop()));
  }

  /** Resolves when no evaluation is running (tests on a ManualClock). */
  async idle(): Promise<void> {
    await Promise.all([...this.groupsByKey.values()].map((g) => g.idle()));
  }

  /** The groups, sorted by file then name (as Prometheus's API lists them). */
  ruleGroups(): RuleGroup[] {
    return [...this.groupsByKey.values()].sort((a, b) =>
      a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  alertingRules(): AlertingRule[] {
    return this.ruleGroups().flatMap((g) => g.alertingRules());
  }
}
