/**
 * What `decodeWriteRequest` produces from a Prometheus remote write 1.0 body
 * (`prometheus.WriteRequest`, prompb/remote.proto and types.proto), and what
 * `encodeWriteRequest` takes.
 */
import type { Labels } from '../../lib/labels.js';
import type { MetricType } from '../exposition/types.js';
import type { WriteDecodeError } from './errors.js';

export interface DecodedExemplar {
  /** The exemplar's labels (usually a trace id); empty values dropped. */
  labels: Labels;
  value: number;
  timestampMs: number;
}

export interface BucketSpan {
  /** Gap to the previous span (or the starting bucket index for the first span). */
  offset: number;
  /** Number of consecutive buckets. */
  length: number;
}

export type HistogramResetHint = 'unknown' | 'yes' | 'no' | 'gauge';

/**
 * A native histogram sample. Integer histograms (`count_int`, `*_deltas`) have `isFloat` false and
 * their bucket counts delta-encoded in `*Deltas`; float histograms have absolute `*Counts`.
 * 64-bit counts and deltas are converted to numbers (exact up to 2^53).
 */
export interface DecodedHistogram {
  timestampMs: number;
  isFloat: boolean;
  count: number;
  sum: number;
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  negativeSpans: BucketSpan[];
  negativeDeltas: number[];
  negativeCounts: number[];
  positiveSpans: BucketSpan[];
  positiveDeltas: number[];
  positiveCounts: number[];
  resetHint: HistogramResetHint;
  /** Upper bounds of custom buckets (schema -53); not for remote write clients, kept as sent. */
  customValues: number[];
}

export interface DecodedSeries {
  /** Sorted, unique names, `__name__` present and non-empty; empty values dropped. */
  labels: Labels;
  /**
   * Float samples in the order sent: `timestampsMs[i]` (Unix ms) holds the time of `values[i]`.
   * Views over arrays shared by the whole request; values keep their exact bits, so staleness
   * markers survive (lib/stale.ts).
   */
  timestampsMs: Float64Array;
  values: Float64Array;
  /** Shared frozen empty arrays when the series has none. */
  exemplars: readonly DecodedExemplar[];
  histograms: readonly DecodedHistogram[];
}

export interface DecodedMetadata {
  type: MetricType;
  family: string;
  help: string;
  unit: string;
}

/**
 * Something the decoder left out, and why: a series, one of its exemplars or histograms, or a
 * metadata entry. The rest of the request is still written.
 */
export interface WriteIssue {
  /** 0-based index of the series in the request's `timeseries`; -1 for an issue in `metadata`. */
  seriesIndex: number;
  /** 0-based index in the request's `metadata`, for an issue there. */
  metadataIndex?: number;
  /** Says what was dropped (`series dropped (3 samples): duplicate label name "job" in {...}`). */
  message: string;
}

export interface DecodedWriteRequest {
  series: DecodedSeries[];
  metadata: DecodedMetadata[];
  issues: WriteIssue[];
  /** Float samples in `series` (excludes those of series left out). */
  sampleCount: number;
}

export type DecodeWriteRequestResult = DecodedWriteRequest | { error: WriteDecodeError };

export interface DecodeWriteRequestOptions {
  /** Largest decompressed body accepted, in bytes; checked against the snappy header before allocating. */
  maxDecompressedBytes: number;
}

/** One series for `encodeWriteRequest`; a `DecodedSeries` is one. */
export interface WriteSeriesInput {
  /** A `Labels`, or name/value pairs written in the given order (unsorted or duplicate pairs, for tests). */
  labels: Labels | readonly (readonly [string, string])[];
  timestampsMs?: ArrayLike<number>;
  /** Same length as `timestampsMs`; a `Float64Array` keeps NaN payloads (staleness markers) exactly. */
  values?: ArrayLike<number>;
  exemplars?: readonly DecodedExemplar[];
  histograms?: readonly DecodedHistogram[];
}
