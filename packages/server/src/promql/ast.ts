/**
 * The typed PromQL syntax tree. Produced by `parser.ts` from @prometheus-io/lezer-promql's tree,
 * checked by the parser's static checks, evaluated by `engine.ts`, printed by `printer.ts`.
 * Positions are 0-based character offsets into the query string: `[start, end)`.
 */
import type { Matcher } from '../lib/matcher.js';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export interface PosRange {
  start: number;
  end: number;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | Call
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr;

/**
 * A duration written in a query. Usually a constant (`ms`), but duration expressions
 * (`foo[1h + step()]`, experimental) are kept as an expression and resolved at query start.
 */
export interface Duration {
  /** Resolved value when constant; for expressions with step()/range() the value at parse time is NaN. */
  ms: number;
  /** Present only when the duration was written as an expression; printed and evaluated from it. */
  expr?: DurationExpr;
}

export type DurationExpr =
  | { kind: 'literal'; ms: number; text: string }
  | { kind: 'number'; value: number; text: string } // a bare number inside a duration expression, seconds
  | { kind: 'step' }
  | { kind: 'range' }
  | { kind: 'unary'; op: '-' | '+'; arg: DurationExpr }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '%' | '^'; lhs: DurationExpr; rhs: DurationExpr }
  | { kind: 'call'; fn: 'min' | 'max'; args: [DurationExpr, DurationExpr] }
  | { kind: 'paren'; arg: DurationExpr };

/** `@ <timestamp>`, `@ start()`, `@ end()` on a selector or subquery. */
export interface AtModifier {
  /** Absolute evaluation time in Unix ms, when given as a number. */
  timestampMs?: number;
  /** `start()` / `end()` of the query. */
  preprocessor?: 'start' | 'end';
}

export interface NumberLiteral {
  type: 'NumberLiteral';
  value: number;
  /** Set when the literal was written as a duration (`1h` evaluates to 3600). */
  durationText?: string;
  pos: PosRange;
}

export interface StringLiteral {
  type: 'StringLiteral';
  value: string;
  pos: PosRange;
}

export interface VectorSelector {
  type: 'VectorSelector';
  /**
   * The metric name written before the braces, if any (as Prometheus's `Name`: `{"name"}` and
   * `{__name__="name"}` leave it unset and only add the matcher).
   */
  name?: string;
  /** All matchers, including the one for `__name__` implied by `name`. */
  matchers: Matcher[];
  offset?: Duration;
  at?: AtModifier;
  /**
   * Experimental `anchored` / `smoothed` on an instant vector selector (`metric smoothed`).
   * Inside a range selector the modifier is on the `MatrixSelector` instead.
   */
  modifier?: 'anchored' | 'smoothed';
  pos: PosRange;
}

export interface MatrixSelector {
  type: 'MatrixSelector';
  vectorSelector: VectorSelector;
  range: Duration;
  /** Experimental `anchored` / `smoothed` range modifiers. */
  modifier?: 'anchored' | 'smoothed';
  pos: PosRange;
}

export interface SubqueryExpr {
  type: 'SubqueryExpr';
  expr: Expr;
  range: Duration;
  /** Absent means the engine's default subquery step (the query step for range queries, 1m in tests). */
  step?: Duration;
  offset?: Duration;
  at?: AtModifier;
  pos: PosRange;
}

export interface Call {
  type: 'Call';
  /** Function name as known to `functions.ts` (lower case as written). */
  func: string;
  args: Expr[];
  pos: PosRange;
}

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'count'
  | 'min'
  | 'max'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'count_values'
  | 'quantile'
  | 'limitk'
  | 'limit_ratio';

export interface AggregateExpr {
  type: 'AggregateExpr';
  op: AggregateOp;
  expr: Expr;
  /** The first argument of topk, bottomk, quantile, count_values, limitk, limit_ratio. */
  param?: Expr;
  grouping: string[];
  /** True for `without (...)`. */
  without: boolean;
  /** True when `by`/`without` was written at all (distinguishes `sum by () (x)` from `sum(x)`). */
  groupingWritten: boolean;
  pos: PosRange;
}

export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | 'atan2'
  | '=='
  | '!='
  | '>'
  | '<'
  | '>='
  | '<='
  /** Experimental native-histogram trim operators: `</` (TRIM_UPPER) and `>/` (TRIM_LOWER). */
  | '</'
  | '>/'
  | 'and'
  | 'or'
  | 'unless';

export interface VectorMatching {
  card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** The labels written in `on(...)` / `ignoring(...)`. */
  matchingLabels: string[];
  /** True for `on`, false for `ignoring` (and when neither was written). */
  on: boolean;
  /** True when `on`/`ignoring` was written. */
  written: boolean;
  /** The labels of `group_left(...)` / `group_right(...)`. */
  include: string[];
  /** Experimental `fill(...)`, `fill_left(...)`, `fill_right(...)` values. */
  fillLeft?: number;
  fillRight?: number;
}

export interface BinaryExpr {
  type: 'BinaryExpr';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** Present when both sides are vectors (the parser fills defaults when nothing was written). */
  matching?: VectorMatching;
  /** The `bool` modifier of comparison operators. */
  returnBool: boolean;
  pos: PosRange;
}

export interface UnaryExpr {
  type: 'UnaryExpr';
  op: '-' | '+';
  expr: Expr;
  pos: PosRange;
}

export interface ParenExpr {
  type: 'ParenExpr';
  expr: Expr;
  pos: PosRange;
}

/** The type an expression evaluates to (Prometheus's `Expr.Type()`). */
export function exprType(e: Expr): ValueType {
  switch (e.type) {
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'Call':
      return callReturnType(e.func);
    case 'AggregateExpr':
      return 'vector';
    case 'BinaryExpr':
      return exprType(e.lhs) === 'scalar' && exprType(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'UnaryExpr':
    case 'ParenExpr':
      return exprType(e.expr);
  }
}

// Filled by functions.ts to avoid a cycle: the return type of each known function.
const returnTypes = new Map<string, ValueType>();
export function registerReturnType(name: string, t: ValueType): void {
  returnTypes.set(name, t);
}
function callReturnType(name: string): ValueType {
  return returnTypes.get(name) ?? 'vector';
}
