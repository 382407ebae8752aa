/**
 * Hand-written decoder of `prometheus.WriteRequest` (remote write 1.0) for its fixed schema:
 *
 *   WriteRequest   { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
 *   TimeSeries     { repeated Label labels = 1; repeated Sample samples = 2;
 *                    repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
 *   Label          { string name = 1; string value = 2; }
 *   Sample         { double value = 1; int64 timestamp = 2; }
 *   Exemplar       { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
 *   Histogram      { oneof count { uint64 count_int = 1; double count_float = 2; } double sum = 3;
 *                    sint32 schema = 4; double zero_threshold = 5;
 *                    oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
 *                    repeated BucketSpan negative_spans = 8; repeated sint64 negative_deltas = 9;
 *                    repeated double negative_counts = 10; repeated BucketSpan positive_spans = 11;
 *                    repeated sint64 positive_deltas = 12; repeated double positive_counts = 13;
 *                    ResetHint reset_hint = 14; int64 timestamp = 15; repeated double custom_values = 16; }
 *   BucketSpan     { sint32 offset = 1; uint32 length = 2; }
 *   MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
 *
 * Samples go straight into two growing typed arrays for the whole request (no object per sample);
 * values are copied as their 8 bytes, so NaN payloads (staleness markers) survive. Unknown fields
 * are skipped, as protobuf requires; repeated scalars are accepted packed and unpacked.
 */
import { Labels, METRIC_NAME } from '../../lib/labels.js';
import type { MetricType } from '../exposition/types.js';
import { WriteDecodeError } from './errors.js';
import { snappyUncompress } from './snappy.js';
import { decodeUtf8 } from './strings.js';
import type {
  BucketSpan,
  DecodedExemplar,
  DecodedHistogram,
  DecodedMetadata,
  DecodedSeries,
  DecodeWriteRequestOptions,
  DecodeWriteRequestResult,
  HistogramResetHint,
  WriteIssue,
} from './types.js';

const WT_VARINT = 0;
const WT_I64 = 1;
const WT_LEN = 2;
const WT_I32 = 5;
const WIRE_TYPE_NAMES = ['varint', '64-bit', 'length-delimited', 'start-group', 'end-group', '32-bit', '6', '7'];

const METRIC_TYPES: readonly MetricType[] = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
];
const RESET_HINTS: readonly HistogramResetHint[] = ['unknown', 'yes', 'no', 'gauge'];
/** Longest label-set rendering in an issue message. */
const MAX_ISSUE_LABELS_CHARS = 300;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Internal: malformed protobuf. Turned into a `WriteDecodeError` at the top; never escapes. */
class ProtoError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly field: number,
  ) {
    super(message);
  }
}

/** Label pairs of the message being decoded; `undefined` marks a string that was not valid UTF-8. */
class PairScratch {
  count = 0;
  readonly names: (string | undefined)[] = [];
  readonly values: (string | undefined)[] = [];

  add(name: string | undefined, value: string | undefined): void {
    const k = this.count++;
    this.names[k] = name;
    this.values[k] = value;
  }
}

class WriteRequestDecoder {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private pos = 0;
  /** The series being decoded (for error messages), -1 outside `timeseries`. */
  private seriesIndex = -1;
  /** The message and field being decoded (for error messages). */
  private message = 'WriteRequest';
  private field = 0;
  /** Where the last tag started (wire-type errors point at it). */
  private tagPos = 0;

  private timestamps = new Float64Array(1024);
  private values = new Float64Array(1024);
  private valueBytes = new Uint8Array(this.values.buffer);
  private sampleCount = 0;

  private readonly labels = new PairScratch();
  private readonly exemplarLabels = new PairScratch();
  /** The series kept so far, and where their samples start in the shared arrays. */
  private readonly kept: DecodedSeries[] = [];
  private readonly keptStarts: number[] = [];
  private readonly metadata: DecodedMetadata[] = [];
  private readonly issues: WriteIssue[] = [];
  /** Why the series being decoded is left out (first reason), if it is. */
  private seriesProblem: string | undefined;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  decode(): DecodeWriteRequestResult {
    const end = this.buf.length;
    let seriesIndex = 0;
    let metadataIndex = 0;
    while (this.pos < end) {
      const tag = this.tag(end);
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 1) {
        this.expectWireType(wt, WT_LEN, 'timeseries');
        const e = this.lengthEnd(end);
        this.seriesIndex = seriesIndex;
        this.timeSeries(e, seriesIndex++);
        this.seriesIndex = -1;
        this.message = 'WriteRequest';
      } else if (field === 3) {
        this.expectWireType(wt, WT_LEN, 'metadata');
        const e = this.lengthEnd(end);
        this.metricMetadata(e, metadataIndex++);
        this.message = 'WriteRequest';
      } else {
        this.skip(wt, end);
      }
    }
    // Views are made last: the arrays may have been reallocated while they grew.
    const timestamps = this.timestamps;
    const values = this.values;
    const kept = this.kept;
    const starts = this.keptStarts;
    for (let k = 0; k < kept.length; k++) {
      const from = starts[k]!;
      const to = k + 1 < kept.length ? starts[k + 1]! : this.sampleCount;
      const s = kept[k]!;
      s.timestampsMs = timestamps.subarray(from, to);
      s.values = values.subarray(from, to);
    }
    return { series: kept, metadata: this.metadata, issues: this.issues, sampleCount: this.sampleCount };
  }

  // ---- messages -------------------------------------------------------------------------------

  private timeSeries(end: number, index: number): void {
    this.labels.count = 0;
    this.seriesProblem = undefined;
    const sampleStart = this.sampleCount;
    let exemplars: DecodedExemplar[] | undefined;
    let histograms: DecodedHistogram[] | undefined;
    const buf = this.buf;
    while (this.pos < end) {
      this.message = 'TimeSeries';
      // The tags of the four fields are single bytes: 0x0a, 0x12, 0x1a, 0x22.
      const b = buf[this.pos]!;
      let tag: number;
      if (b === 0x12 || b === 0x0a || b === 0x1a || b === 0x22) {
        this.tagPos = this.pos++;
        tag = b;
      } else {
        tag = this.tag(end);
      }
      const field = tag >>> 3;
      if (field >= 1 && field <= 4) {
        this.field = field;
        this.expectWireType(tag & 7, WT_LEN, ['labels', 'samples', 'exemplars', 'histograms'][field - 1]!);
        const e = this.lengthEnd(end);
        if (field === 1) {
          this.label(e, this.labels);
        } else if (field === 2) {
          this.sample(e);
        } else if (field === 3) {
          const ex = this.exemplar(e, index);
          if (ex !== undefined) (exemplars ??= []).push(ex);
        } else {
          const h = this.histogram(e, index);
          if (h !== undefined) (histograms ??= []).push(h);
        }
      } else {
        this.skip(tag & 7, end);
      }
    }
    const labels = this.buildSeriesLabels();
    if (labels === undefined) {
      this.issues.push({
        seriesIndex: index,
        message: `series dropped (${plural(this.sampleCount - sampleStart, 'sample')}): ${this.seriesProblem ?? 'invalid labels'} in ${renderPairs(this.labels)}`,
      });
      this.sampleCount = sampleStart;
      return;
    }
    const series: DecodedSeries = {
      labels,
      timestampsMs: EMPTY_F64,
      values: EMPTY_F64,
      exemplars: exemplars ?? NO_EXEMPLARS,
      histograms: histograms ?? NO_HISTOGRAMS,
    };
    this.kept.push(series);
    this.keptStarts.push(sampleStart);
  }

  private label(end: number, into: PairScratch): void {
    let name: string | undefined = '';
    let value: string | undefined = '';
    const outer = this.message;
    const outerField = this.field;
    this.message = 'Label';
    const buf = this.buf;
    while (this.pos < end) {
      // Fast path: tag 0x0a or 0x12 and a one-byte length, as every label short of 128 bytes has.
      const b = buf[this.pos]!;
      if ((b === 0x0a || b === 0x12) && this.pos + 1 < end && buf[this.pos + 1]! < 0x80) {
        const len = buf[this.pos + 1]!;
        const start = this.pos + 2;
        if (len <= end - start) {
          const s = decodeUtf8(buf, start, start + len);
          if (b === 0x0a) name = s;
          else value = s;
          this.pos = start + len;
          continue;
        }
      }
      const tag = this.tag(end);
      const field = tag >>> 3;
      if (field === 1 || field === 2) {
        this.field = field;
        this.expectWireType(tag & 7, WT_LEN, field === 1 ? 'name' : 'value');
        const e = this.lengthEnd(end);
        const s = decodeUtf8(buf, this.pos, e);
        if (field === 1) name = s;
        else value = s;
        this.pos = e;
      } else {
        this.skip(tag & 7, end);
      }
    }
    into.add(name, value);
    this.message = outer;
    this.field = outerField;
  }

  private sample(end: number): void {
    const buf = this.buf;
    let valuePos = -1;
    let timestampMs = 0;
    this.message = 'Sample';
    while (this.pos < end) {
      const b = buf[this.pos]!;
      let tag: number;
      if (b === 0x09 || b === 0x10) {
        this.tagPos = this.pos++;
        tag = b;
      } else {
        tag = this.tag(end);
      }
      if (tag === 0x09) {
        if (this.pos + 8 > end) this.fail('value', 1, 'double runs past the end of its message');
        valuePos = this.pos;
        this.pos += 8;
      } else if (tag === 0x10) {
        timestampMs = this.int64(end, 2);
      } else {
        const field = tag >>> 3;
        this.field = field;
        if (field === 1) this.expectWireType(tag & 7, WT_I64, 'value');
        if (field === 2) this.expectWireType(tag & 7, WT_VARINT, 'timestamp');
        this.skip(tag & 7, end);
      }
    }
    const k = this.sampleCount;
    if (k === this.timestamps.length) this.grow();
    this.timestamps[k] = timestampMs;
    if (valuePos < 0) {
      this.values[k] = 0;
    } else if (littleEndian) {
      const o = k * 8;
      const vb = this.valueBytes;
      for (let b = 0; b < 8; b++) vb[o + b] = buf[valuePos + b]!;
    } else {
      this.values[k] = this.view.getFloat64(valuePos, true);
    }
    this.sampleCount = k + 1;
  }

  private exemplar(end: number, seriesIndex: number): DecodedExemplar | undefined {
    const scratch = this.exemplarLabels;
    scratch.count = 0;
    let value = 0;
    let timestampMs = 0;
    while (this.pos < end) {
      this.message = 'Exemplar';
      const tag = this.tag(end);
      const field = tag >>> 3;
      const wt = tag & 7;
      this.field = field;
      if (field === 1) {
        this.expectWireType(wt, WT_LEN, 'labels');
        this.label(this.lengthEnd(end), scratch);
      } else if (field === 2) {
        this.expectWireType(wt, WT_I64, 'value');
        value = this.double(end);
      } else if (field === 3) {
        this.expectWireType(wt, WT_VARINT, 'timestamp');
        timestampMs = this.int64(end, 3);
      } else {
        this.skip(wt, end);
      }
    }
    const problem = pairsProblem(scratch, false);
    if (problem !== undefined) {
      this.issues.push({ seriesIndex, message: `exemplar dropped: ${problem} in ${renderPairs(scratch)}` });
      return undefined;
    }
    return { labels: pairsToLabels(scratch), value, timestampMs };
  }

  private histogram(end: number, seriesIndex: number): DecodedHistogram | undefined {
    const h: DecodedHistogram = {
      timestampMs: 0,
      isFloat: false,
      count: 0,
      sum: 0,
      schema: 0,
      zeroThreshold: 0,
      zeroCount: 0,
      negativeSpans: [],
      negativeDeltas: [],
      negativeCounts: [],
      positiveSpans: [],
      positiveDeltas: [],
      positiveCounts: [],
      resetHint: 'unknown',
      customValues: [],
    };
    while (this.pos < end) {
      this.message = 'Histogram';
      const tag = this.tag(end);
      const field = tag >>> 3;
      const wt = tag & 7;
      this.field = field;
      switch (field) {
        case 1:
          this.expectWireType(wt, WT_VARINT, 'count_int');
          h.count = this.uint64(end);
          h.isFloat = false;
          break;
        case 2:
          this.expectWireType(wt, WT_I64, 'count_float');
          h.count = this.double(end);
          h.isFloat = true;
          break;
        case 3:
          this.expectWireType(wt, WT_I64, 'sum');
          h.sum = this.double(end);
          break;
        case 4:
          this.expectWireType(wt, WT_VARINT, 'schema');
          h.schema = zigzag32(this.varint32(end));
          break;
        case 5:
          this.expectWireType(wt, WT_I64, 'zero_threshold');
          h.zeroThreshold = this.double(end);
          break;
        case 6:
          this.expectWireType(wt, WT_VARINT, 'zero_count_int');
          h.zeroCount = this.uint64(end);
          break;
        case 7:
          this.expectWireType(wt, WT_I64, 'zero_count_float');
          h.zeroCount = this.double(end);
          break;
        case 8:
        case 11: {
          this.expectWireType(wt, WT_LEN, field === 8 ? 'negative_spans' : 'positive_spans');
          const span = this.bucketSpan(this.lengthEnd(end));
          (field === 8 ? h.negativeSpans : h.positiveSpans).push(span);
          break;
        }
        case 9:
        case 12:
          this.repeatedSint64(
            wt,
            end,
            field === 9 ? h.negativeDeltas : h.positiveDeltas,
            field === 9 ? 'negative_deltas' : 'positive_deltas',
          );
          break;
        case 10:
        case 13:
        case 16:
          this.repeatedDouble(
            wt,
            end,
            field === 10 ? h.negativeCounts : field === 13 ? h.positiveCounts : h.customValues,
            field === 10 ? 'negative_counts' : field === 13 ? 'positive_counts' : 'custom_values',
          );
          break;
        case 14:
          this.expectWireType(wt, WT_VARINT, 'reset_hint');
          h.resetHint = RESET_HINTS[this.varint32(end)] ?? 'unknown';
          break;
        case 15:
          this.expectWireType(wt, WT_VARINT, 'timestamp');
          h.timestampMs = this.int64(end, 15);
          break;
        default:
          this.skip(wt, end);
      }
    }
    const problem = histogramProblem(h);
    if (problem !== undefined) {
      this.issues.push({ seriesIndex, message: `histogram dropped (timestamp ${h.timestampMs}): ${problem}` });
      return undefined;
    }
    return h;
  }

  private bucketSpan(end: number): BucketSpan {
    let offset = 0;
    let length = 0;
    this.message = 'BucketSpan';
    while (this.pos < end) {
      const tag = this.tag(end);
      const field = tag >>> 3;
      this.field = field;
      if (field === 1) {
        this.expectWireType(tag & 7, WT_VARINT, 'offset');
        offset = zigzag32(this.varint32(end));
      } else if (field === 2) {
        this.expectWireType(tag & 7, WT_VARINT, 'length');
        length = this.varint32(end) >>> 0;
      } else {
        this.skip(tag & 7, end);
      }
    }
    this.message = 'Histogram';
    return { offset, length };
  }

  private metricMetadata(end: number, index: number): void {
    let type: MetricType = 'unknown';
    let family: string | undefined = '';
    let help: string | undefined = '';
    let unit: string | undefined = '';
    this.message = 'MetricMetadata';
    while (this.pos < end) {
      const tag = this.tag(end);
      const field = tag >>> 3;
      const wt = tag & 7;
      this.field = field;
      if (field === 1) {
        this.expectWireType(wt, WT_VARINT, 'type');
        type = METRIC_TYPES[this.varint32(end)] ?? 'unknown';
      } else if (field === 2 || field === 4 || field === 5) {
        this.expectWireType(wt, WT_LEN, field === 2 ? 'metric_family_name' : field === 4 ? 'help' : 'unit');
        const e = this.lengthEnd(end);
        const s = decodeUtf8(this.buf, this.pos, e);
        this.pos = e;
        if (field === 2) family = s;
        else if (field === 4) help = s;
        else unit = s;
      } else {
        this.skip(wt, end);
      }
    }
    if (family === undefined || help === undefined || unit === undefined) {
      const which = family === undefined ? 'metric_family_name' : help === undefined ? 'help' : 'unit';
      this.issues.push({
        seriesIndex: -1,
        metadataIndex: index,
        message: `metadata dropped: ${which} is not valid UTF-8`,
      });
      return;
    }
    this.metadata.push({ type, family, help, unit });
  }

  // ---- series labels --------------------------------------------------------------------------

  /** The series' label set, or undefined with `seriesProblem` set. */
  private buildSeriesLabels(): Labels | undefined {
    const scratch = this.labels;
    const problem = pairsProblem(scratch, true);
    if (problem !== undefined) {
      this.seriesProblem = problem;
      return undefined;
    }
    return pairsToLabels(scratch);
  }

  // ---- wire format ----------------------------------------------------------------------------

  private grow(): void {
    const n = this.timestamps.length * 2;
    const t = new Float64Array(n);
    t.set(this.timestamps);
    const v = new Float64Array(n);
    // Copy bytes, not numbers: a NaN's payload must not be touched.
    new Uint8Array(v.buffer).set(this.valueBytes);
    this.timestamps = t;
    this.values = v;
    this.valueBytes = new Uint8Array(v.buffer);
  }

  private fail(fieldName: string, field: number, what: string, at = this.pos): never {
    this.field = field;
    throw this.error(`${this.message}.${fieldName} (field ${field}): ${what}`, at);
  }

  /** A ProtoError for the current field; the message names the series when inside one. */
  private error(what: string, at: number): ProtoError {
    const where = this.seriesIndex >= 0 ? ` in timeseries[${this.seriesIndex}]` : '';
    return new ProtoError(`${what}${where}`, at, this.field);
  }

  private expectWireType(wt: number, expected: number, fieldName: string): void {
    if (wt !== expected) {
      this.fail(
        fieldName,
        this.field,
        `wire type ${WIRE_TYPE_NAMES[wt]}, expected ${WIRE_TYPE_NAMES[expected]}`,
        this.tagPos,
      );
    }
  }

  private tag(end: number): number {
    const at = (this.tagPos = this.pos);
    const tag = this.varint32(end);
    const field = tag >>> 3;
    const wt = tag & 7;
    this.field = field;
    if (field === 0) throw this.error(`${this.message}: field number 0 is invalid`, at);
    if (wt === 3 || wt === 4 || wt > 5) {
      throw this.error(`${this.message}: field ${field} has unsupported wire type ${WIRE_TYPE_NAMES[wt]}`, at);
    }
    return tag;
  }

  /** Reads a length prefix and returns where that field ends; checks it against `end`. */
  private lengthEnd(end: number): number {
    const at = this.pos;
    const len = this.uint64(end);
    if (len > end - this.pos) {
      throw this.error(
        `${this.message} field ${this.field}: length ${len} runs past the end of its message (${end - this.pos} bytes left)`,
        at,
      );
    }
    return this.pos + len;
  }

  private skip(wt: number, end: number): void {
    const at = this.pos;
    switch (wt) {
      case WT_VARINT:
        this.uint64(end);
        return;
      case WT_I64:
        if (this.pos + 8 > end) break;
        this.pos += 8;
        return;
      case WT_LEN:
        this.pos = this.lengthEnd(end);
        return;
      case WT_I32:
        if (this.pos + 4 > end) break;
        this.pos += 4;
        return;
    }
    throw this.error(`${this.message} field ${this.field}: truncated ${WIRE_TYPE_NAMES[wt]} value`, at);
  }

  private double(end: number): number {
    if (this.pos + 8 > end) {
      throw this.error(`${this.message} field ${this.field}: double runs past the end of its message`, this.pos);
    }
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** The low 32 bits of a varint of up to 10 bytes (uint32, int32, enum, sint32 before zigzag, tags). */
  private varint32(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let v = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= end) throw this.error(`${this.message} field ${this.field}: truncated varint`, this.pos);
      const b = buf[pos++]!;
      if (shift < 32) v |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return v >>> 0;
      }
    }
    throw this.error(`${this.message} field ${this.field}: varint longer than 10 bytes`, this.pos);
  }

  /** A varint as unsigned 64-bit, as a number (exact below 2^53). */
  private uint64(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw this.error(`${this.message} field ${this.field}: truncated varint`, this.pos);
      const b = buf[pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return v;
      }
      mul *= 128;
    }
    throw this.error(`${this.message} field ${this.field}: varint longer than 10 bytes`, this.pos);
  }

  /** A varint as signed 64-bit (two's complement; negative values take 10 bytes). */
  private int64(end: number, field: number): number {
    const buf = this.buf;
    let pos = this.pos;
    // Fast path: up to 7 bytes (49 bits, every positive timestamp in ms) add up exactly.
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (pos >= end) this.fail('timestamp', field, 'truncated varint');
      const b = buf[pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return v;
      }
      mul *= 128;
    }
    return this.int64Slow(end);
  }

  private int64Slow(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw this.error(`${this.message} field ${this.field}: truncated varint`, this.pos);
      const b = buf[pos++]! & 0xff;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) {
        this.pos = pos;
        return (hi | 0) * 4294967296 + (lo >>> 0);
      }
    }
    throw this.error(`${this.message} field ${this.field}: varint longer than 10 bytes`, this.pos);
  }

  private sint64(end: number): number {
    const at = this.pos;
    // Read as unsigned (lo, hi) through int64Slow's logic, then undo zigzag.
    const buf = this.buf;
    let pos = at;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw this.error(`${this.message} field ${this.field}: truncated varint`, at);
      const b = buf[pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) {
        this.pos = pos;
        const magnitude = (hi >>> 1) * 4294967296 + (((lo >>> 1) | (hi << 31)) >>> 0);
        return lo & 1 ? -magnitude - 1 : magnitude;
      }
    }
    throw this.error(`${this.message} field ${this.field}: varint longer than 10 bytes`, at);
  }

  private repeatedSint64(wt: number, end: number, out: number[], fieldName: string): void {
    if (wt === WT_VARINT) {
      out.push(this.sint64(end));
      return;
    }
    this.expectWireType(wt, WT_LEN, fieldName);
    const e = this.lengthEnd(end);
    while (this.pos < e) out.push(this.sint64(e));
  }

  private repeatedDouble(wt: number, end: number, out: number[], fieldName: string): void {
    if (wt === WT_I64) {
      out.push(this.double(end));
      return;
    }
    this.expectWireType(wt, WT_LEN, fieldName);
    const e = this.lengthEnd(end);
    if ((e - this.pos) % 8 !== 0)
      this.fail(fieldName, this.field, `packed doubles of ${e - this.pos} bytes, not a multiple of 8`);
    while (this.pos < e) out.push(this.double(e));
  }
}

const EMPTY_F64 = new Float64Array(0);
const NO_EXEMPLARS: readonly DecodedExemplar[] = Object.freeze([]);
const NO_HISTOGRAMS: readonly DecodedHistogram[] = Object.freeze([]);

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function zigzag32(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}

/** Why a label list is not a valid label set (first problem), or undefined. */
function pairsProblem(scratch: PairScratch, series: boolean): string | undefined {
  const n = scratch.count;
  let hasName = false;
  for (let k = 0; k < n; k++) {
    const name = scratch.names[k];
    const value = scratch.values[k];
    if (name === undefined) return `label ${k} name is not valid UTF-8`;
    if (value === undefined) return `label value of "${name}" is not valid UTF-8`;
    if (name === '') return `label ${k} has an empty name`;
    if (name === METRIC_NAME) {
      if (value === '') return 'empty metric name (__name__="")';
      hasName = true;
    }
  }
  if (series && !hasName) return 'no metric name (__name__ label missing)';
  // Duplicates: sort a copy of the names (label sets are short).
  if (n > 1) {
    const names = scratch.names.slice(0, n) as string[];
    let sorted = true;
    for (let k = 1; k < n; k++) {
      if (names[k - 1]! >= names[k]!) {
        sorted = false;
        break;
      }
    }
    if (!sorted) {
      names.sort();
      for (let k = 1; k < n; k++) if (names[k - 1] === names[k]) return `duplicate label name "${names[k]}"`;
    }
  }
  return undefined;
}

/** The label set of checked pairs: sorted (senders should sort, but need not), empty values dropped. */
function pairsToLabels(scratch: PairScratch): Labels {
  const n = scratch.count;
  const names = scratch.names as string[];
  const values = scratch.values as string[];
  let sorted = true;
  let empty = false;
  for (let k = 0; k < n; k++) {
    if (values[k] === '') empty = true;
    if (k > 0 && names[k - 1]! > names[k]!) sorted = false;
  }
  if (sorted && !empty) {
    const flat = new Array<string>(2 * n);
    for (let k = 0; k < n; k++) {
      flat[2 * k] = names[k]!;
      flat[2 * k + 1] = values[k]!;
    }
    return Labels.fromSortedFlat(flat);
  }
  const pairs: [string, string][] = [];
  for (let k = 0; k < n; k++) pairs.push([names[k]!, values[k]!]);
  return Labels.from(pairs);
}

/** The pairs as sent, for an issue message: `{a="1", b=<invalid UTF-8>}`, cut at a few hundred characters. */
function renderPairs(scratch: PairScratch): string {
  const parts: string[] = [];
  let len = 0;
  for (let k = 0; k < scratch.count; k++) {
    const n = scratch.names[k];
    const v = scratch.values[k];
    const part = `${n === undefined ? '<invalid UTF-8>' : n}=${v === undefined ? '<invalid UTF-8>' : JSON.stringify(v)}`;
    len += part.length + 2;
    if (len > MAX_ISSUE_LABELS_CHARS) {
      parts.push('...');
      break;
    }
    parts.push(part);
  }
  return `{${parts.join(', ')}}`;
}

/** Spans must announce exactly the buckets sent; a histogram uses one kind of bucket counts. */
function histogramProblem(h: DecodedHistogram): string | undefined {
  for (const [side, spans, deltas, counts] of [
    ['negative', h.negativeSpans, h.negativeDeltas, h.negativeCounts],
    ['positive', h.positiveSpans, h.positiveDeltas, h.positiveCounts],
  ] as const) {
    let buckets = 0;
    for (const s of spans) buckets += s.length;
    const sent = h.isFloat ? counts.length : deltas.length;
    const other = h.isFloat ? deltas.length : counts.length;
    if (other > 0) {
      return `${h.isFloat ? 'float' : 'integer'} histogram has ${side}_${h.isFloat ? 'deltas' : 'counts'}, which belong to the other kind`;
    }
    if (buckets !== sent) return `${side} spans cover ${buckets} buckets, but ${sent} bucket counts were sent`;
  }
  return undefined;
}

/** Decodes an uncompressed `WriteRequest` protobuf (for tests and callers that did the snappy step). */
export function decodeWriteRequestProto(buf: Uint8Array): DecodeWriteRequestResult {
  try {
    return new WriteRequestDecoder(buf).decode();
  } catch (e) {
    if (e instanceof ProtoError) {
      return {
        error: new WriteDecodeError(
          'WK_REMOTE_WRITE_PROTOBUF',
          `invalid protobuf WriteRequest at byte ${e.offset}: ${e.message}`,
          { offset: e.offset, field: e.field },
        ),
      };
    }
    throw e;
  }
}

/**
 * Decodes a remote write 1.0 body: snappy block format around a `prometheus.WriteRequest`. Never
 * throws on bad input: a body that cannot be decoded is `{ error }` (HTTP 400), and series with bad
 * labels are left out with a `WriteIssue` while the valid ones are returned.
 *
 * @example
 * const r = decodeWriteRequest(body, { maxDecompressedBytes: 32 << 20 });
 * if ('error' in r) return reply.code(400).send(r.error.message);
 */
export function decodeWriteRequest(body: Uint8Array, opts: DecodeWriteRequestOptions): DecodeWriteRequestResult {
  let raw: Uint8Array;
  try {
    raw = snappyUncompress(body, opts.maxDecompressedBytes);
  } catch (e) {
    if (e instanceof WriteDecodeError) return { error: e };
    throw e;
  }
  return decodeWriteRequestProto(raw);
}
