/**
 * A recording rule, as Prometheus 2.42's rules.RecordingRule: the expression's result under a new
 * metric name, with the rule's labels set (an empty value removes the label).
 */
import { Labels, METRIC_NAME } from '../lib/labels.js';
import { type Expr, formatExpr } from '../promql/index.js';
import {
  type LabelPairs,
  type OutputSample,
  RuleEvalError,
  type RuleQueryFunc,
  RuleStatus,
  sortedPairs,
} from './rule.js';

export class RecordingRule {
  readonly kind = 'recording';
  readonly query: string;
  readonly labels: LabelPairs;
  readonly status = new RuleStatus();

  constructor(
    readonly name: string,
    readonly expr: Expr,
    labels: LabelPairs,
  ) {
    this.query = formatExpr(expr);
    this.labels = sortedPairs(labels);
  }

  get identity(): string {
    return `${this.name}${Labels.from(this.labels).toString()}`;
  }

  async eval(tsMs: number, query: RuleQueryFunc, limit: number, queryOffsetMs = 0): Promise<OutputSample[]> {
    const result = await query(this.expr, tsMs - queryOffsetMs);
    const out: OutputSample[] = [];
    const seen = new Set<string>();
    let duplicate = false;
    for (const s of result) {
      let labels = s.labels.with(METRIC_NAME, this.name);
      for (const [k, v] of this.labels) labels = labels.with(k, v);
      if (seen.has(labels.key)) duplicate = true;
      seen.add(labels.key);
      out.push(s.h ? { labels, timestampMs: tsMs, v: s.v, h: s.h } : { labels, timestampMs: tsMs, v: s.v });
    }
    if (duplicate) throw new RuleEvalError('vector contains metrics with the same labelset after applying rule labels');
    if (limit > 0 && out.length > limit) {
      throw new RuleEvalError(`exceeded limit of ${limit} with ${out.length} series`);
    }
    return out;
  }

  equals(o: RecordingRule): boolean {
    return this.name === o.name && this.query === o.query && JSON.stringify(this.labels) === JSON.stringify(o.labels);
  }
}
