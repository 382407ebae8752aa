/**
 * `encodeWriteRequest`: series → `prometheus.WriteRequest` protobuf → snappy block, the body of a
 * remote write 1.0 request. For tests, benchmarks and the vessel agent.
 */
import { Labels } from '../../lib/labels.js';
import type { MetricType } from '../exposition/types.js';
import { ProtoWriter } from './proto-writer.js';
import { snappyCompress } from './snappy.js';
import type { DecodedExemplar, DecodedHistogram, DecodedMetadata, WriteSeriesInput } from './types.js';

const METRIC_TYPE_NUMBERS: Readonly<Record<MetricType, number>> = {
  unknown: 0,
  counter: 1,
  gauge: 2,
  histogram: 3,
  gaugehistogram: 4,
  summary: 5,
  info: 6,
  stateset: 7,
};
const RESET_HINT_NUMBERS = { unknown: 0, yes: 1, no: 2, gauge: 3 } as const;

/**
 * The uncompressed `WriteRequest` protobuf. Labels are written in the order given (a `Labels` is
 * sorted); fields holding their default value are omitted, as proto3 encoders do.
 */
export function encodeWriteRequestProto(
  series: readonly WriteSeriesInput[],
  metadata: readonly DecodedMetadata[] = [],
): Uint8Array {
  const w = new ProtoWriter(4096);
  for (const s of series) {
    w.begin(1);
    writeLabels(w, 1, s.labels);
    const ts = s.timestampsMs;
    const vs = s.values;
    const n = Math.min(ts?.length ?? 0, vs?.length ?? 0);
    const exact = vs instanceof Float64Array ? vs : undefined;
    for (let i = 0; i < n; i++) {
      w.begin(2);
      w.tag(1, 1);
      if (exact !== undefined) w.doubleAt(exact, i);
      else w.double(vs![i]!);
      const t = ts![i]!;
      if (t !== 0) w.tag(2, 0).int64(t);
      w.end();
    }
    for (const e of s.exemplars ?? []) writeExemplar(w, e);
    for (const h of s.histograms ?? []) writeHistogram(w, h);
    w.end();
  }
  for (const m of metadata) {
    w.begin(3);
    const type = METRIC_TYPE_NUMBERS[m.type];
    if (type !== 0) w.tag(1, 0).uint(type);
    if (m.family !== '') w.tag(2, 2).string(m.family);
    if (m.help !== '') w.tag(4, 2).string(m.help);
    if (m.unit !== '') w.tag(5, 2).string(m.unit);
    w.end();
  }
  return w.finish();
}

/**
 * A remote write 1.0 body: the snappy-compressed `WriteRequest` of `series` (and `metadata`).
 *
 * @example
 * const body = encodeWriteRequest([{ labels: Labels.from({ __name__: 'up', job: 'vessel' }), timestampsMs: [t], values: [1] }]);
 * await fetch(url, { method: 'POST', body, headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' } });
 */
export function encodeWriteRequest(
  series: readonly WriteSeriesInput[],
  metadata: readonly DecodedMetadata[] = [],
): Uint8Array {
  return snappyCompress(encodeWriteRequestProto(series, metadata));
}

function writeLabels(w: ProtoWriter, field: number, labels: Labels | readonly (readonly [string, string])[]): void {
  if (labels instanceof Labels) {
    const f = labels.flat;
    for (let i = 0; i < f.length; i += 2) writeLabel(w, field, f[i]!, f[i + 1]!);
    return;
  }
  for (const [n, v] of labels) writeLabel(w, field, n, v);
}

function writeLabel(w: ProtoWriter, field: number, name: string, value: string): void {
  w.begin(field);
  if (name !== '') w.tag(1, 2).string(name);
  if (value !== '') w.tag(2, 2).string(value);
  w.end();
}

function writeExemplar(w: ProtoWriter, e: DecodedExemplar): void {
  w.begin(3);
  writeLabels(w, 1, e.labels);
  if (!Object.is(e.value, 0)) w.tag(2, 1).double(e.value);
  if (e.timestampMs !== 0) w.tag(3, 0).int64(e.timestampMs);
  w.end();
}

function writeHistogram(w: ProtoWriter, h: DecodedHistogram): void {
  w.begin(4);
  if (h.isFloat) w.tag(2, 1).double(h.count);
  else w.tag(1, 0).uint(h.count);
  if (!Object.is(h.sum, 0)) w.tag(3, 1).double(h.sum);
  if (h.schema !== 0) w.tag(4, 0).sint(h.schema);
  if (!Object.is(h.zeroThreshold, 0)) w.tag(5, 1).double(h.zeroThreshold);
  if (h.isFloat) {
    if (!Object.is(h.zeroCount, 0)) w.tag(7, 1).double(h.zeroCount);
  } else if (h.zeroCount !== 0) {
    w.tag(6, 0).uint(h.zeroCount);
  }
  writeSpans(w, 8, h.negativeSpans);
  writePackedSint(w, 9, h.negativeDeltas);
  writePackedDouble(w, 10, h.negativeCounts);
  writeSpans(w, 11, h.positiveSpans);
  writePackedSint(w, 12, h.positiveDeltas);
  writePackedDouble(w, 13, h.positiveCounts);
  const hint = RESET_HINT_NUMBERS[h.resetHint];
  if (hint !== 0) w.tag(14, 0).uint(hint);
  if (h.timestampMs !== 0) w.tag(15, 0).int64(h.timestampMs);
  writePackedDouble(w, 16, h.customValues);
  w.end();
}

function writeSpans(w: ProtoWriter, field: number, spans: DecodedHistogram['negativeSpans']): void {
  for (const s of spans) {
    w.begin(field);
    if (s.offset !== 0) w.tag(1, 0).sint(s.offset);
    if (s.length !== 0) w.tag(2, 0).uint(s.length);
    w.end();
  }
}

function writePackedSint(w: ProtoWriter, field: number, xs: readonly number[]): void {
  if (xs.length === 0) return;
  w.begin(field);
  for (const x of xs) w.sint(x);
  w.end();
}

function writePackedDouble(w: ProtoWriter, field: number, xs: readonly number[]): void {
  if (xs.length === 0) return;
  w.begin(field);
  for (const x of xs) w.double(x);
  w.end();
}
