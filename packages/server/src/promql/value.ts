/**
 * Query results as the API and the test DSL see them (Prometheus's `parser.Value`), plus
 * annotations. Inside the engine, values are column-wise over all steps (see engine.ts); these
 * shapes are produced only at the end of a query.
 */
import type { Labels } from '../lib/labels.js';
import type { FloatHistogram } from '../lib/histogram.js';
import type { PosRange } from './ast.js';

export type { FloatHistogram };

/** One sample of an instant vector. `h` is set instead of `v` for histogram samples. */
export interface Sample {
  labels: Labels;
  timestampMs: number;
  v: number;
  h?: FloatHistogram;
}

/** One series of a range vector (matrix): float points in `timestampsMs`/`values`, histograms apart. */
export interface MatrixSeries {
  labels: Labels;
  timestampsMs: Float64Array;
  values: Float64Array;
  histograms?: { timestampMs: number; h: FloatHistogram }[];
}

export type QueryValue =
  | { type: 'scalar'; timestampMs: number; v: number }
  | { type: 'string'; timestampMs: number; s: string }
  | { type: 'vector'; samples: Sample[] }
  | { type: 'matrix'; series: MatrixSeries[] };

/**
 * A warning or info annotation, rendered as Prometheus renders them:
 * `PromQL warning: <text> (line:col)` where the position is the offending sub-expression's start.
 */
export interface Annotation {
  kind: 'warning' | 'info';
  message: string;
  pos?: PosRange;
}

export interface QueryResult {
  value: QueryValue;
  annotations: Annotation[];
  /** Samples loaded from storage or produced by subqueries over the whole query. */
  totalSamples: number;
}
