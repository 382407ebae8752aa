import { describe, expect, it } from 'vitest';
import { Labels } from '../../lib/labels.js';
import { isStaleAt, writeStaleNaN } from '../../lib/stale.js';
import { Prng } from '../exposition/fuzz-support.js';
import { decodeWriteRequest, decodeWriteRequestProto } from './decode.js';
import { encodeWriteRequest, encodeWriteRequestProto } from './encode.js';
import { WriteDecodeError } from './errors.js';
import { ProtoWriter, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './proto-writer.js';
import { snappyCompress } from './snappy.js';
import type { DecodedHistogram, DecodedWriteRequest, DecodeWriteRequestResult, WriteSeriesInput } from './types.js';

const OPTS = { maxDecompressedBytes: 64 << 20 };

/** `expect.stringContaining`, typed (the matcher is `any`). */
function containing(s: string): unknown {
  return expect.stringContaining(s);
}

function ok(r: DecodeWriteRequestResult): DecodedWriteRequest {
  if ('error' in r) throw r.error;
  return r;
}

function errorOf(r: DecodeWriteRequestResult): WriteDecodeError {
  if (!('error' in r)) throw new Error(`expected an error, got ${r.series.length} series`);
  return r.error;
}

/** A series in a comparable shape. */
function plain(s: WriteSeriesInput): unknown {
  const labels = s.labels instanceof Labels ? s.labels : Labels.from(s.labels);
  return {
    labels: labels.toString(),
    timestampsMs: Array.from(s.timestampsMs ?? []),
    values: Array.from(s.values ?? []),
    exemplars: (s.exemplars ?? []).map((e) => ({ ...e, labels: e.labels.toString() })),
    histograms: s.histograms ?? [],
  };
}

function histogram(overrides: Partial<DecodedHistogram>): DecodedHistogram {
  return {
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
    ...overrides,
  };
}

/** One TimeSeries with the given label pairs (raw bytes allowed) and one sample. */
function rawSeries(w: ProtoWriter, pairs: [string | Uint8Array, string | Uint8Array][], value = 1): void {
  w.begin(1);
  for (const [n, v] of pairs) {
    w.begin(1);
    w.tag(1, WIRE_LEN);
    if (typeof n === 'string') w.string(n);
    else w.bytes(n);
    w.tag(2, WIRE_LEN);
    if (typeof v === 'string') w.string(v);
    else w.bytes(v);
    w.end();
  }
  w.begin(2).tag(1, WIRE_I64).double(value).tag(2, WIRE_VARINT).int64(1000).end();
  w.end();
}

describe('encodeWriteRequest → decodeWriteRequest round trip', () => {
  it('keeps labels, samples, exemplars, native histograms and metadata', () => {
    const values = new Float64Array([1, NaN, Infinity, -Infinity, -0, 5e-324, 1.7976931348623157e308, 0]);
    writeStaleNaN(values, 7);
    const series: WriteSeriesInput[] = [
      {
        labels: Labels.from({
          __name__: 'sms_requests_total',
          job: 'sms-api',
          'route.name': '/ä/🚢',
          instance: 'v1:9100',
        }),
        timestampsMs: [1_700_000_000_000, 1_700_000_015_000, -1, 0, 2 ** 53 - 1, -(2 ** 53) + 1, 1, 2],
        values,
        exemplars: [{ labels: Labels.from({ trace_id: 'abc123' }), value: 0.25, timestampMs: 1_700_000_000_001 }],
      },
      {
        labels: Labels.from({ __name__: 'latency_seconds', job: 'api' }),
        histograms: [
          histogram({
            timestampMs: 1_700_000_000_000,
            count: 12,
            sum: 3.5,
            schema: 3,
            zeroThreshold: 1e-128,
            zeroCount: 2,
            negativeSpans: [{ offset: -2, length: 2 }],
            negativeDeltas: [1, -1],
            positiveSpans: [
              { offset: 0, length: 2 },
              { offset: 3, length: 1 },
            ],
            positiveDeltas: [3, 2, -4],
            resetHint: 'no',
          }),
          histogram({
            timestampMs: 1_700_000_015_000,
            isFloat: true,
            count: 2.5,
            sum: -1,
            schema: -4,
            zeroCount: 0.5,
            positiveSpans: [{ offset: 1, length: 2 }],
            positiveCounts: [1.5, 0.5],
            resetHint: 'gauge',
          }),
          histogram({
            schema: -53,
            isFloat: true,
            count: 1,
            positiveSpans: [{ offset: 0, length: 1 }],
            positiveCounts: [1],
            customValues: [0.1, 0.5, 1],
          }),
        ],
      },
      { labels: Labels.from({ __name__: 'empty_series' }) },
    ];
    const metadata = [
      { type: 'counter' as const, family: 'sms_requests', help: 'Requests, "quoted"\nnext line', unit: '' },
      { type: 'gaugehistogram' as const, family: 'x', help: '', unit: 'seconds' },
      { type: 'unknown' as const, family: '', help: '', unit: '' },
    ];
    const r = ok(decodeWriteRequest(encodeWriteRequest(series, metadata), OPTS));
    expect(r.issues).toEqual([]);
    expect(r.series.map(plain)).toEqual(series.map(plain));
    expect(r.metadata).toEqual(metadata);
    expect(r.sampleCount).toBe(8);
    // Exact bits: the staleness marker is not an ordinary NaN after the trip, -0 stays -0.
    expect(isStaleAt(r.series[0]!.values, 7)).toBe(true);
    expect(isStaleAt(r.series[0]!.values, 1)).toBe(false);
    expect(Object.is(r.series[0]!.values[4], -0)).toBe(true);
  });

  it('keeps thousands of samples per series (the sample arrays grow) with their bits', () => {
    const n = 5_000;
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = 1_700_000_000_000 + i * 15_000;
      vs[i] = i % 97 === 0 ? NaN : i * 0.5;
    }
    writeStaleNaN(vs, n - 1);
    const series = [
      { labels: Labels.from({ __name__: 'a' }), timestampsMs: ts.subarray(0, 3000), values: vs.subarray(0, 3000) },
      { labels: Labels.from({ __name__: 'b' }), timestampsMs: ts.subarray(3000), values: vs.subarray(3000) },
    ];
    const r = ok(decodeWriteRequest(encodeWriteRequest(series), OPTS));
    expect(r.series.map(plain)).toEqual(series.map(plain));
    expect(isStaleAt(r.series[1]!.values, 1999)).toBe(true);
  });

  it('random requests round-trip (seeded)', () => {
    const rng = new Prng(20240607);
    const alphabet = ['a', 'b', 'z', '_', '.', 'é', '🚢', '"', '\\', '\n', '0', ' '];
    const word = (min: number): string => {
      let s = '';
      const n = min + rng.int(12);
      for (let i = 0; i < n; i++) s += rng.pick(alphabet);
      return s;
    };
    const specials = [NaN, Infinity, -Infinity, -0, 0, 1e308, -5e-324];
    for (let k = 0; k < 200; k++) {
      const series: WriteSeriesInput[] = [];
      const count = rng.int(20);
      for (let s = 0; s < count; s++) {
        const record: Record<string, string> = { __name__: word(1) };
        for (let l = rng.int(6); l > 0; l--) record[word(1)] = word(0);
        const n = rng.int(10);
        const timestampsMs = Array.from({ length: n }, () =>
          rng.int(2) === 0 ? rng.next() * 1000 + rng.int(1000) : -rng.int(1e9),
        );
        const values = Array.from({ length: n }, () =>
          rng.int(4) === 0 ? rng.pick(specials) : (rng.next() - 2 ** 31) / 7,
        );
        series.push({ labels: Labels.from(record), timestampsMs, values });
      }
      const r = ok(decodeWriteRequest(encodeWriteRequest(series), OPTS));
      expect(r.issues).toEqual([]);
      expect(r.series.map(plain)).toEqual(series.map(plain));
    }
  });
});

describe('per-series problems are issues; the valid series are kept', () => {
  const cases: { name: string; pairs: [string | Uint8Array, string | Uint8Array][]; message: string }[] = [
    {
      name: 'duplicate label name',
      pairs: [
        ['__name__', 'm'],
        ['job', 'a'],
        ['job', 'b'],
      ],
      message: 'duplicate label name "job"',
    },
    {
      name: 'duplicate pair',
      pairs: [
        ['__name__', 'm'],
        ['job', 'a'],
        ['job', 'a'],
      ],
      message: 'duplicate label name "job"',
    },
    {
      name: 'duplicate unsorted',
      pairs: [
        ['job', 'a'],
        ['__name__', 'm'],
        ['job', 'b'],
      ],
      message: 'duplicate label name "job"',
    },
    { name: 'no metric name', pairs: [['job', 'a']], message: 'no metric name' },
    {
      name: 'empty metric name',
      pairs: [
        ['__name__', ''],
        ['job', 'a'],
      ],
      message: 'empty metric name',
    },
    {
      name: 'empty label name',
      pairs: [
        ['__name__', 'm'],
        ['', 'a'],
      ],
      message: 'label 1 has an empty name',
    },
    {
      name: 'invalid UTF-8 value',
      pairs: [
        ['__name__', 'm'],
        ['job', Uint8Array.from([0x61, 0xff])],
      ],
      message: 'label value of "job" is not valid UTF-8',
    },
    {
      name: 'invalid UTF-8 name',
      pairs: [
        ['__name__', 'm'],
        [Uint8Array.from([0xc3, 0x28]), 'v'],
      ],
      message: 'label 1 name is not valid UTF-8',
    },
    {
      name: 'surrogate in UTF-8',
      pairs: [
        [Uint8Array.from([0xed, 0xa0, 0x80]), 'v'],
        ['__name__', 'm'],
      ],
      message: 'label 0 name is not valid UTF-8',
    },
  ];
  it.each(cases)('$name', ({ pairs, message }) => {
    const w = new ProtoWriter();
    rawSeries(w, [['__name__', 'before']]);
    rawSeries(w, pairs);
    rawSeries(w, [['__name__', 'after']]);
    const r = ok(decodeWriteRequestProto(w.finish()));
    expect(r.series.map((s) => s.labels.get('__name__'))).toEqual(['before', 'after']);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.seriesIndex).toBe(1);
    expect(r.issues[0]!.message).toMatch(/^series dropped \(1 sample\): /);
    expect(r.issues[0]!.message).toContain(message);
    expect(r.sampleCount).toBe(2);
    // The dropped series' sample is not in the views of the next one.
    expect([...r.series[1]!.timestampsMs]).toEqual([1000]);
  });

  it('unsorted labels are fine (sorted), empty values are dropped, metric names may be UTF-8', () => {
    const w = new ProtoWriter();
    rawSeries(w, [
      ['z', '1'],
      ['__name__', 'my.metric'],
      ['a', ''],
      ['b', '2'],
    ]);
    const r = ok(decodeWriteRequestProto(w.finish()));
    expect(r.issues).toEqual([]);
    expect(r.series[0]!.labels.toString()).toBe('{__name__="my.metric", b="2", z="1"}');
  });

  it('a bad exemplar or histogram is dropped with an issue, its series kept', () => {
    const w = new ProtoWriter();
    w.begin(1);
    w.begin(1).tag(1, WIRE_LEN).string('__name__').tag(2, WIRE_LEN).string('m').end();
    w.begin(3);
    w.begin(1)
      .tag(1, WIRE_LEN)
      .string('t')
      .tag(2, WIRE_LEN)
      .bytes(Uint8Array.from([0xfe]))
      .end();
    w.tag(2, WIRE_I64).double(1);
    w.end();
    w.end();
    const good = histogram({ count: 1, positiveSpans: [{ offset: 0, length: 1 }], positiveDeltas: [1] });
    const proto = new Uint8Array([
      ...w.finish(),
      ...encodeWriteRequestProto([
        {
          labels: Labels.from({ __name__: 'h' }),
          histograms: [
            histogram({ count: 1, positiveSpans: [{ offset: 0, length: 2 }], positiveDeltas: [1] }),
            good,
            histogram({
              isFloat: true,
              count: 1,
              positiveSpans: [{ offset: 0, length: 1 }],
              positiveDeltas: [1],
              positiveCounts: [1],
            }),
          ],
        },
      ]),
    ]);
    const r = ok(decodeWriteRequestProto(proto));
    expect(r.series.map((s) => [s.labels.toString(), s.exemplars.length, s.histograms.length])).toEqual([
      ['{__name__="m"}', 0, 0],
      ['{__name__="h"}', 0, 1],
    ]);
    expect(r.series[1]!.histograms[0]).toEqual(good);
    expect(r.issues).toEqual([
      { seriesIndex: 0, message: containing('exemplar dropped: label value of "t" is not valid UTF-8') },
      { seriesIndex: 1, message: containing('positive spans cover 2 buckets, but 1 bucket counts were sent') },
      { seriesIndex: 1, message: containing('float histogram has positive_deltas') },
    ]);
  });

  it('metadata with invalid UTF-8 is dropped with an issue naming its index', () => {
    const w = new ProtoWriter();
    w.begin(3).tag(1, WIRE_VARINT).uint(1).tag(2, WIRE_LEN).string('ok').end();
    w.begin(3)
      .tag(2, WIRE_LEN)
      .string('bad')
      .tag(4, WIRE_LEN)
      .bytes(Uint8Array.from([0x80]))
      .end();
    w.begin(3).tag(1, WIRE_VARINT).uint(99).tag(2, WIRE_LEN).string('unknown_type').end();
    const r = ok(decodeWriteRequestProto(w.finish()));
    expect(r.metadata).toEqual([
      { type: 'counter', family: 'ok', help: '', unit: '' },
      { type: 'unknown', family: 'unknown_type', help: '', unit: '' },
    ]);
    expect(r.issues).toEqual([
      { seriesIndex: -1, metadataIndex: 1, message: 'metadata dropped: help is not valid UTF-8' },
    ]);
  });
});

describe('protobuf wire format', () => {
  it('skips unknown fields of every wire type, at every level, and the reserved field 2', () => {
    const w = new ProtoWriter();
    w.tag(2, WIRE_LEN).string('cortex source');
    w.tag(99, WIRE_VARINT).uint(2 ** 40);
    w.begin(1);
    w.tag(7, WIRE_I32).raw(new Uint8Array(4));
    w.begin(1).tag(1, WIRE_LEN).string('__name__').tag(9, WIRE_I64).double(1).tag(2, WIRE_LEN).string('m').end();
    w.begin(2).tag(5, WIRE_LEN).string('x').tag(1, WIRE_I64).double(2).tag(2, WIRE_VARINT).int64(7).end();
    w.tag(10, WIRE_LEN).bytes(new Uint8Array(300));
    w.end();
    w.tag(1000, WIRE_I64).double(0);
    const r = ok(decodeWriteRequestProto(w.finish()));
    expect(r.issues).toEqual([]);
    expect(r.series.map(plain)).toEqual([
      plain({ labels: Labels.from({ __name__: 'm' }), timestampsMs: [7], values: [2] }),
    ]);
  });

  it('reads repeated histogram scalars both packed and unpacked, and multi-byte tags and lengths', () => {
    const w = new ProtoWriter();
    w.begin(1);
    w.begin(1).tag(1, WIRE_LEN).string('__name__').tag(2, WIRE_LEN).string('h'.repeat(200)).end();
    w.begin(4);
    w.tag(1, WIRE_VARINT).uint(3);
    w.begin(11).tag(2, WIRE_VARINT).uint(3).end();
    w.tag(12, WIRE_VARINT).sint(1); // unpacked
    w.begin(12).sint(-1).sint(2).end(); // packed
    w.tag(16, WIRE_I64).double(0.5); // unpacked double
    w.begin(16).double(1).end(); // packed double
    w.end();
    w.end();
    const r = ok(decodeWriteRequestProto(w.finish()));
    expect(r.issues).toEqual([]);
    const h = r.series[0]!.histograms[0]!;
    expect([h.count, h.positiveDeltas, h.customValues, h.positiveSpans]).toEqual([
      3,
      [1, -1, 2],
      [0.5, 1],
      [{ offset: 0, length: 3 }],
    ]);
  });

  it('missing fields take their defaults: value 0, timestamp 0', () => {
    const w = new ProtoWriter();
    w.begin(1);
    w.begin(1).tag(1, WIRE_LEN).string('__name__').tag(2, WIRE_LEN).string('m').end();
    w.begin(2).end();
    w.end();
    const r = ok(decodeWriteRequestProto(w.finish()));
    expect([...r.series[0]!.timestampsMs, ...r.series[0]!.values]).toEqual([0, 0]);
  });

  /** `[name, protobuf bytes, offset, field, part of the message]`. */
  const MALFORMED: [string, number[], number, number | undefined, string][] = [
    ['truncated tag varint', [0x8a], 0, 0, 'truncated varint'],
    ['field number 0', [0x02, 0x00], 0, 0, 'field number 0 is invalid'],
    ['start-group wire type', [0x0b], 0, 1, 'unsupported wire type start-group'],
    ['wire type 7', [0x0f], 0, 1, 'unsupported wire type 7'],
    [
      'timeseries with a varint wire type',
      [0x08, 0x01],
      0,
      1,
      'WriteRequest.timeseries (field 1): wire type varint, expected length-delimited',
    ],
    ['length past the end', [0x0a, 0x05, 0x00], 1, 1, 'length 5 runs past the end of its message (1 bytes left)'],
    [
      'nested length past its parent',
      [0x0a, 0x02, 0x0a, 0x05, 0, 0, 0, 0, 0],
      3,
      1,
      'TimeSeries field 1: length 5 runs past the end of its message (0 bytes left) in timeseries[0]',
    ],
    [
      'sample value truncated',
      [0x0a, 0x04, 0x12, 0x02, 0x09, 0x00],
      5,
      1,
      'Sample.value (field 1): double runs past the end',
    ],
    ['sample timestamp truncated', [0x0a, 0x04, 0x12, 0x02, 0x10, 0x80], 5, 2, 'truncated varint in timeseries[0]'],
    [
      'sample value with a varint wire type',
      [0x0a, 0x04, 0x12, 0x02, 0x08, 0x01],
      4,
      1,
      'Sample.value (field 1): wire type varint, expected 64-bit',
    ],
    [
      'varint longer than 10 bytes',
      [0x20, ...new Array<number>(10).fill(0xff), 0x01],
      1,
      4,
      'varint longer than 10 bytes',
    ],
    [
      'packed doubles not a multiple of 8',
      [0x0a, 0x05, 0x22, 0x03, 0x52, 0x01, 0x00],
      6,
      10,
      'packed doubles of 1 bytes, not a multiple of 8',
    ],
    ['truncated fixed32 of an unknown field', [0x0a, 0x03, 0x3d, 0x00, 0x00], 3, 7, 'truncated 32-bit value'],
  ];
  it.each(MALFORMED)('%s', (_name, bytes, offset, field, message) => {
    const e = errorOf(decodeWriteRequestProto(Uint8Array.from(bytes)));
    expect(e).toBeInstanceOf(WriteDecodeError);
    expect(e.code).toBe('WK_REMOTE_WRITE_PROTOBUF');
    expect(e.offset).toBe(offset);
    expect(e.field).toBe(field);
    expect(e.message).toContain(`invalid protobuf WriteRequest at byte ${offset}: `);
    expect(e.message).toContain(message);
  });

  it('a negative timestamp takes ten bytes and decodes exactly', () => {
    const w = new ProtoWriter();
    w.begin(1);
    w.begin(1).tag(1, WIRE_LEN).string('__name__').tag(2, WIRE_LEN).string('m').end();
    w.begin(2).tag(2, WIRE_VARINT).int64(-1).end();
    w.begin(2).tag(2, WIRE_VARINT).int64(-1_700_000_000_000).end();
    w.end();
    const bytes = w.finish();
    const r = ok(decodeWriteRequestProto(bytes));
    expect([...r.series[0]!.timestampsMs]).toEqual([-1, -1_700_000_000_000]);
  });
});

describe('decodeWriteRequest errors', () => {
  it('corrupt snappy and oversized bodies are errors with stable codes', () => {
    const body = encodeWriteRequest([{ labels: Labels.from({ __name__: 'm' }), timestampsMs: [1], values: [1] }]);
    expect(errorOf(decodeWriteRequest(body.subarray(0, body.length - 1), OPTS)).code).toBe('WK_REMOTE_WRITE_SNAPPY');
    expect(errorOf(decodeWriteRequest(body, { maxDecompressedBytes: 4 })).code).toBe('WK_REMOTE_WRITE_TOO_LARGE');
    // Valid snappy around bytes that are not a WriteRequest.
    const notProto = snappyCompress(new TextEncoder().encode('{"json": true}'));
    const e = errorOf(decodeWriteRequest(notProto, OPTS));
    expect(e.code).toBe('WK_REMOTE_WRITE_PROTOBUF');
    // Framed snappy (the stream format) is not the block format remote write uses.
    const framed = Uint8Array.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);
    expect(errorOf(decodeWriteRequest(framed, OPTS)).code).toBe('WK_REMOTE_WRITE_SNAPPY');
  });

  it('an empty request is valid and empty', () => {
    expect(ok(decodeWriteRequest(encodeWriteRequest([]), OPTS))).toEqual({
      series: [],
      metadata: [],
      issues: [],
      sampleCount: 0,
    });
  });
});
