/**
 * What the exposition parsers (Prometheus text format 0.0.4 and OpenMetrics 1.0) produce. The
 * scrape loop consumes this; parsers never throw on bad input: every problem is an issue with a
 * line and column, and the rest of the payload is still parsed where the format allows.
 */
import type { Labels } from '../../lib/labels.js';

export type MetricType =
  'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';

export interface ParsedSample {
  /** Includes `__name__`. Label names are unique (a duplicate is an issue and the line is dropped). */
  labels: Labels;
  value: number;
  /** Unix ms when the line carries a timestamp (0.0.4: ms; OpenMetrics: seconds, converted). */
  timestampMs?: number;
}

export interface MetricMetadata {
  /** The metric family name (without `_total`/`_bucket`/... suffixes for OpenMetrics). */
  family: string;
  type: MetricType;
  help?: string;
  unit?: string;
}

export interface ParseIssue {
  /** 1-based line and column of the problem in the payload. */
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
