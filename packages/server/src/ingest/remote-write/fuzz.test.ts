/**
 * Fuzz tests of the remote write decoder, bounded in time (FUZZ_MS, default 2.5 s per target) and
 * reproducible (FUZZ_SEED; the seed is printed and named in every failure). Mutates valid requests
 * both after compression (mostly snappy errors) and before it (protobuf errors and issues behind a
 * valid snappy block). The decoder must never throw or hang, and return either an error with a
 * known code or well-formed series.
 */
import { describe, expect, it } from 'vitest';
import { Labels, METRIC_NAME } from '../../lib/labels.js';
import { writeStaleNaN } from '../../lib/stale.js';
import { fuzzBudgetMs, fuzzSeed, invariant, mutate, Prng, runFor } from '../exposition/fuzz-support.js';
import { decodeWriteRequest } from './decode.js';
import { encodeWriteRequest, encodeWriteRequestProto } from './encode.js';
import { WriteDecodeError } from './errors.js';
import { snappyCompress } from './snappy.js';
import type { DecodeWriteRequestResult, DecodedHistogram, WriteSeriesInput } from './types.js';

const SEED = fuzzSeed(process.env['FUZZ_SEED']);
const BUDGET_MS = fuzzBudgetMs(process.env['FUZZ_MS'], 2_500);
const MAX_DECODE_MS = 250;
const MAX_DECOMPRESSED_BYTES = 1 << 20;
const CODES = new Set(['WK_REMOTE_WRITE_SNAPPY', 'WK_REMOTE_WRITE_TOO_LARGE', 'WK_REMOTE_WRITE_PROTOBUF']);

function seedRequests(): Uint8Array[] {
  const values = new Float64Array([1, NaN, -Infinity, 0.5]);
  writeStaleNaN(values, 3);
  const h: DecodedHistogram = {
    timestampMs: 1_700_000_000_000,
    isFloat: false,
    count: 5,
    sum: 2.5,
    schema: 2,
    zeroThreshold: 0.001,
    zeroCount: 1,
    negativeSpans: [{ offset: -1, length: 1 }],
    negativeDeltas: [1],
    negativeCounts: [],
    positiveSpans: [{ offset: 0, length: 2 }],
    positiveDeltas: [2, -1],
    positiveCounts: [],
    resetHint: 'no',
    customValues: [],
  };
  const series: WriteSeriesInput[] = [
    {
      labels: Labels.from({ __name__: 'sms_requests_total', job: 'sms-api', instance: 'vessel-1:9100', route: '/ä' }),
      timestampsMs: [1_700_000_000_000, 1_700_000_015_000, -5, 0],
      values,
      exemplars: [{ labels: Labels.from({ trace_id: 'abc' }), value: 1, timestampMs: 1_700_000_000_000 }],
    },
    {
      labels: Labels.from({ __name__: 'latency_seconds', job: 'api' }),
      histograms: [
        h,
        { ...h, isFloat: true, positiveDeltas: [], positiveCounts: [1, 2], negativeDeltas: [], negativeCounts: [3] },
      ],
    },
    {
      labels: [
        ['b', '1'],
        ['__name__', 'unsorted'],
        ['a', ''],
      ],
      timestampsMs: [1],
      values: [2],
    },
  ];
  const metadata = [{ type: 'counter' as const, family: 'sms_requests', help: 'Requests.', unit: '' }];
  return [
    encodeWriteRequestProto(series, metadata),
    encodeWriteRequestProto(series.slice(0, 1)),
    encodeWriteRequestProto([]),
  ];
}

const PROTO_DICTIONARY = [
  new Uint8Array([0x0a]),
  new Uint8Array([0x12]),
  new Uint8Array([0x09]),
  new Uint8Array([0x10]),
  new Uint8Array([0x22]),
  new Uint8Array([0x1a]),
  new Uint8Array([0x00]),
  new Uint8Array([0x80]),
  new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  new Uint8Array([0x0b]),
  new Uint8Array([0x0f]),
  new Uint8Array([0x7f]),
  new Uint8Array([0xc3, 0x28]),
  new Uint8Array([0xed, 0xa0, 0x80]),
  '__name__',
  'job',
];
const SNAPPY_DICTIONARY = [
  new Uint8Array([0xfc, 0xfa, 0xff, 0xff, 0xff]),
  new Uint8Array([0x01, 0x00]),
  new Uint8Array([0x03, 0xff, 0xff, 0xff, 0x7f]),
  new Uint8Array([0xf0, 0xff]),
  new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]),
];

function check(r: DecodeWriteRequestResult): void {
  if ('error' in r) {
    invariant(r.error instanceof WriteDecodeError, 'errors are WriteDecodeErrors');
    invariant(CODES.has(r.error.code), `known code ${r.error.code}`);
    invariant(Number.isInteger(r.error.offset) && r.error.offset >= 0, `offset ${r.error.offset}`);
    invariant(r.error.message.length > 0, 'error message');
    return;
  }
  let samples = 0;
  for (const s of r.series) {
    const f = s.labels.flat;
    invariant(s.labels.get(METRIC_NAME) !== '', `series has a metric name: ${s.labels.toString()}`);
    for (let i = 0; i < f.length; i += 2) {
      invariant(f[i]!.length > 0 && f[i + 1]!.length > 0, 'no empty names or values');
      invariant(i === 0 || f[i - 2]! < f[i]!, `sorted, unique labels: ${s.labels.toString()}`);
    }
    invariant(s.timestampsMs.length === s.values.length, 'as many timestamps as values');
    samples += s.values.length;
  }
  invariant(samples === r.sampleCount, `sampleCount ${r.sampleCount} is the number of samples ${samples}`);
  for (const issue of r.issues) {
    invariant(issue.seriesIndex >= -1 && issue.message.length > 0, `issue ${JSON.stringify(issue)}`);
  }
}

function decodeChecked(body: Uint8Array, what: string, run: number): void {
  const t0 = performance.now();
  try {
    const r = decodeWriteRequest(body, { maxDecompressedBytes: MAX_DECOMPRESSED_BYTES });
    const ms = performance.now() - t0;
    invariant(ms < MAX_DECODE_MS, `decode took ${ms.toFixed(0)} ms`);
    check(r);
  } catch (e) {
    throw new Error(
      `remote write fuzz (${what}) run ${run} (FUZZ_SEED=${SEED}): ${String(e)}\nbody: ${Buffer.from(body).toString('hex')}`,
    );
  }
}

describe(`remote write fuzz (FUZZ_SEED=${SEED}, ${BUDGET_MS} ms per target)`, () => {
  const protos = seedRequests();
  const compressed = protos.map((p) => snappyCompress(p));

  it('mutated snappy bodies: an error with a code, or well-formed series', async () => {
    const rng = new Prng(SEED);
    const runs = await runFor(BUDGET_MS, (run) => {
      decodeChecked(mutate(rng, rng.pick(compressed), SNAPPY_DICTIONARY), 'snappy', run);
    });
    console.log(`remote write fuzz, snappy mutations: FUZZ_SEED=${SEED}, ${runs} inputs`);
    expect(runs).toBeGreaterThan(100);
  });

  it('mutated protobuf in a valid snappy block: an error with a code, or well-formed series', async () => {
    const rng = new Prng(SEED ^ 0x5a5a5a5a);
    const runs = await runFor(BUDGET_MS, (run) => {
      decodeChecked(snappyCompress(mutate(rng, rng.pick(protos), PROTO_DICTIONARY)), 'protobuf', run);
    });
    console.log(`remote write fuzz, protobuf mutations: FUZZ_SEED=${SEED}, ${runs} inputs`);
    expect(runs).toBeGreaterThan(100);
  });

  it('random bytes, raw and as snappy blocks', () => {
    const rng = new Prng(SEED ^ 0x1234);
    for (let k = 0; k < 3_000; k++) {
      const b = rng.bytes(rng.int(300));
      decodeChecked(b, 'random', k);
      decodeChecked(snappyCompress(b), 'random protobuf', k);
    }
  });

  it('the valid seeds decode without issues (the mutations start from good input)', () => {
    for (const c of compressed) {
      const r = decodeWriteRequest(c, { maxDecompressedBytes: MAX_DECOMPRESSED_BYTES });
      expect('error' in r ? r.error : r.issues).toEqual([]);
    }
    expect(encodeWriteRequest([])).toEqual(compressed[2]);
  });
});
