/**
 * The PromQL evaluator. (Being written: the public API below is stable.)
 */
import type { Queryable } from '../tsdb/index.js';
import type { Expr } from './ast.js';
import type { QueryResult } from './value.js';

export interface EngineOptions {
  /** @default 300_000 (5m) */
  lookbackDeltaMs?: number;
  /** Maximum samples loaded or held at once by one query. @default 50_000_000 */
  maxSamples?: number;
  /** @default 120_000 (2m) */
  timeoutMs?: number;
  /** Step of subqueries written without `:step`. @default 60_000 */
  defaultSubqueryStepMs?: number;
  /** Experimental functions, duration expressions, anchored/smoothed, fill modifiers. @default false */
  enableExperimental?: boolean;
}

export interface QueryOptions {
  signal?: AbortSignal;
}

export class Engine {
  constructor(
    readonly storage: Queryable,
    readonly options: EngineOptions = {},
  ) {}

  /** Evaluates at one time. A string is parsed first (throws ParseError). */
  async instantQuery(query: string | Expr, timeMs: number, opts: QueryOptions = {}): Promise<QueryResult> {
    return this.rangeQuery(query, timeMs, timeMs, 0, opts);
  }

  /** Evaluates at start, start+step, ... <= end. Always returns a matrix (or string for strings). */
  async rangeQuery(
    _query: string | Expr,
    _startMs: number,
    _endMs: number,
    _stepMs: number,
    _opts: QueryOptions = {},
  ): Promise<QueryResult> {
    throw new Error('not implemented yet');
  }
}
