/**
 * What recording and alerting rules share: the query they run, their result samples, health and
 * the last error, and the label pairs type for annotations (which, unlike label sets, keep empty
 * values).
 */
import type { FloatHistogram } from '../lib/histogram.js';
import type { Labels } from '../lib/labels.js';
import type { Expr } from '../promql/index.js';

/** One sample of an instant query result, as rules see it. `h` is set for native histograms. */
export interface RuleSample {
  readonly labels: Labels;
  readonly v: number;
  readonly h?: FloatHistogram;
}

/**
 * Runs an instant query at `timeMs` (Prometheus's rules.QueryFunc): a vector, or a scalar as one
 * sample without labels; anything else is an error. Rejects with the query's error.
 */
export type RuleQueryFunc = (expr: Expr | string, timeMs: number) => Promise<RuleSample[]>;

/** A sample a rule produces for storage. */
export interface OutputSample {
  readonly labels: Labels;
  readonly timestampMs: number;
  readonly v: number;
  readonly h?: FloatHistogram;
}

/** Prometheus's rule health: `unknown` until the first evaluation. */
export type RuleHealth = 'unknown' | 'ok' | 'err';

/** Name/value pairs sorted by name; empty values are kept (annotations). */
export type LabelPairs = readonly (readonly [string, string])[];

export function sortedPairs(pairs: Iterable<readonly [string, string]>): LabelPairs {
  return [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function pairsToRecord(pairs: LabelPairs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) out[k] = v;
  return out;
}

/** Evaluation state every rule keeps for the API. */
export class RuleStatus {
  health: RuleHealth = 'unknown';
  lastError: Error | undefined = undefined;
  /** Wall time the last evaluation took, seconds. */
  evaluationSeconds = 0;
  /** When the last evaluation started (clock ms); undefined before the first. */
  lastEvaluationMs: number | undefined = undefined;

  setOk(): void {
    this.health = 'ok';
    this.lastError = undefined;
  }

  setError(err: Error): void {
    this.health = 'err';
    this.lastError = err;
  }
}

/** A failed rule evaluation whose message is Prometheus's (the limit, duplicate label sets). */
export class RuleEvalError extends Error {
  readonly code = 'WK_RULES_EVAL';
}
