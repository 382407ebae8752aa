/**
 * The rule manager's self-metrics (prom-client), Prometheus's `prometheus_rule_*` under our
 * prefix. `rule_group` is Prometheus's group key, `file;name`.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class RuleMetrics {
  readonly evaluations: Counter<'rule_group'>;
  readonly evaluationFailures: Counter<'rule_group'>;
  readonly iterationsScheduled: Counter<'rule_group'>;
  readonly iterationsMissed: Counter<'rule_group'>;
  readonly groupLastDurationSeconds: Gauge<'rule_group'>;
  readonly groupIntervalSeconds: Gauge<'rule_group'>;
  readonly groupRules: Gauge<'rule_group'>;
  readonly groupSamples: Gauge<'rule_group'>;
  readonly ruleEvaluationSeconds: Histogram;
  readonly iterationDurationSeconds: Histogram;
  readonly alertsSent: Counter;

  constructor(registry: Registry = new Registry()) {
    const registers = [registry];
    const labelNames = ['rule_group'] as const;
    this.evaluations = new Counter({
      name: 'watchkeeper_rule_evaluations_total',
      help: 'Rule evaluations.',
      labelNames,
      registers,
    });
    this.evaluationFailures = new Counter({
      name: 'watchkeeper_rule_evaluation_failures_total',
      help: 'Rule evaluations that failed (query error, limit, duplicate label sets, storage).',
      labelNames,
      registers,
    });
    this.iterationsScheduled = new Counter({
      name: 'watchkeeper_rule_group_iterations_total',
      help: 'Scheduled evaluations of rule groups, whether run or missed.',
      labelNames,
      registers,
    });
    this.iterationsMissed = new Counter({
      name: 'watchkeeper_rule_group_iterations_missed_total',
      help: 'Evaluations of rule groups missed because an evaluation overran its interval.',
      labelNames,
      registers,
    });
    this.groupLastDurationSeconds = new Gauge({
      name: 'watchkeeper_rule_group_last_duration_seconds',
      help: 'How long the last evaluation of the group took.',
      labelNames,
      registers,
    });
    this.groupIntervalSeconds = new Gauge({
      name: 'watchkeeper_rule_group_interval_seconds',
      help: 'The interval of the group.',
      labelNames,
      registers,
    });
    this.groupRules = new Gauge({
      name: 'watchkeeper_rule_group_rules',
      help: 'Rules in the group.',
      labelNames,
      registers,
    });
    this.groupSamples = new Gauge({
      name: 'watchkeeper_rule_group_last_evaluation_samples',
      help: 'Samples the group returned at its last evaluation.',
      labelNames,
      registers,
    });
    this.ruleEvaluationSeconds = new Histogram({
      name: 'watchkeeper_rule_evaluation_duration_seconds',
      help: 'Duration of rule evaluations.',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.iterationDurationSeconds = new Histogram({
      name: 'watchkeeper_rule_group_duration_seconds',
      help: 'Duration of rule group evaluations.',
      buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 60],
      registers,
    });
    this.alertsSent = new Counter({
      name: 'watchkeeper_rule_alerts_sent_total',
      help: 'Alerts handed to the alert sink (firing and resolved).',
      registers,
    });
  }
}
