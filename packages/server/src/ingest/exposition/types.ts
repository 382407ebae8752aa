/**
 * What the exposition parsers (Prometheus text format 0.0.4 and OpenMetrics 1.0) produce. The
 * scrape loop consumes this; parsers never throw on bad input: every problem is an issue with a
 * line and column, and the rest of the payload is still parsed where the format allows.
 */
import type { Labels } from '../../lib/labels.js';

export type MetricType =
  'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';

/** An OpenMetrics exemplar (`value # {trace_id="..."} 0.5 1700000000.123`). */
export interface ParsedExemplar {
  /** The exemplar's own labels (no `__name__`); empty values dropped. */
  labels: Labels;
  value: number;
  /** Unix ms when the exemplar carries a timestamp (OpenMetrics seconds, converted). */
  timestampMs?: number;
}

export interface ParsedSample {
  /** Includes `__name__`. Label names are unique (a duplicate is an issue and the line is dropped). */
  labels: Labels;
  value: number;
  /** Unix ms when the line carries a timestamp (0.0.4: ms; OpenMetrics: seconds, converted). */
  timestampMs?: number;
  /** OpenMetrics only: the exemplar that followed the sample, when it had one. */
  exemplar?: ParsedExemplar;
}

export interface MetricMetadata {
  /** The metric family name (without `_total`/`_bucket`/... suffixes for OpenMetrics). */
  family: string;
  type: MetricType;
  help?: string;
  unit?: string;
}

export interface ParseIssue {
  /** 1-based line and column of the problem in the payload (the column counts Unicode code points). */
  line: number;
  column: number;
  message: string;
}

export interface ParseResult {
  samples: ParsedSample[];
  metadata: MetricMetadata[];
  /** Problems found; a payload with issues may still have samples (the bad lines are skipped). */
  issues: ParseIssue[];
}

export type ExpositionFormat = 'text-0.0.4' | 'openmetrics-1.0';

/** Limits and switches of `parseExposition`. */
export interface ParseExpositionOptions {
  /**
   * Longest accepted line in characters (UTF-16 code units); a longer line is an issue and skipped.
   * @default 65536
   */
  maxLineChars?: number;
  /**
   * Issues recorded before the parser stops recording them (it keeps parsing); the last issue then
   * says how many more there were. Bounds the memory a garbage payload can cost.
   * @default 100
   */
  maxIssues?: number;
  /**
   * OpenMetrics `<family>_created` samples of counters, histograms, summaries and gauge histograms
   * are dropped, as Prometheus does unless created-timestamp ingestion is on; true keeps them as
   * ordinary samples.
   * @default false
   */
  keepCreatedSeries?: boolean;
}
