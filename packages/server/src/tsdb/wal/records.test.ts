import { describe, expect, it } from 'vitest';
import { Labels } from '../../lib/labels.js';
import { STALE_NAN_HI, STALE_NAN_LO } from '../../lib/stale.js';
import {
  ByteWriter,
  RecordDecodeError,
  decodeRecord,
  encodeRecord,
  validateRecord,
  type WalRecord,
} from './records.js';
import { comparable } from './testdata/comparable.js';

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A Float64Array whose elements have the given bits ([hi, lo] pairs). */
function valuesFromBits(pairs: readonly (readonly [number, number])[]): Float64Array {
  const out = new Float64Array(pairs.length);
  const u = new Uint32Array(out.buffer);
  pairs.forEach(([hi, lo], i) => {
    u[2 * i + (LE ? 1 : 0)] = hi;
    u[2 * i + (LE ? 0 : 1)] = lo;
  });
  return out;
}

function roundTrip(record: WalRecord): { type: number; record: WalRecord }[] {
  validateRecord(record);
  const out: { type: number; record: WalRecord }[] = [];
  encodeRecord(record, new ByteWriter(16), (type, w) => {
    const payload = Buffer.from(w.buf.subarray(0, w.pos));
    out.push({ type, record: decodeRecord(type, payload, 0, payload.length) });
  });
  return out;
}

interface RecordCase {
  name: string;
  record: WalRecord;
}

const CASES: RecordCase[] = [
  {
    name: 'series with unicode labels',
    record: {
      type: 'series',
      series: [
        { ref: 0, labels: Labels.from({ __name__: 'up', job: 'parts-api' }) },
        { ref: 7, labels: Labels.from({ __name__: 'sms_logins_total', vessel: 'Nordlys ⚓', 'ship.name': 'Ægir' }) },
        { ref: MAX_SAFE, labels: Labels.EMPTY },
      ],
    },
  },
  {
    name: 'samples with special values and extreme timestamps',
    record: {
      type: 'samples',
      refs: [5, 3, 3, 1_000_000, 0, MAX_SAFE],
      timestampsMs: [1_700_000_000_000, 1_700_000_000_000, -MAX_SAFE, MAX_SAFE, 0, -1],
      values: valuesFromBits([
        [STALE_NAN_HI, STALE_NAN_LO],
        [0x7ff80000, 0],
        [0x80000000, 0],
        [0x7ff00000, 0],
        [0xfff00000, 0],
        [0x7ff00000, 0xdeadbeef],
      ]),
    },
  },
  {
    name: 'tombstones',
    record: {
      type: 'tombstones',
      tombstones: [
        { ref: 1, minTimeMs: -MAX_SAFE, maxTimeMs: MAX_SAFE },
        { ref: 2, minTimeMs: 5, maxTimeMs: 5 },
      ],
    },
  },
];

describe('WAL records', () => {
  it.each(CASES)('round-trips $name', ({ record }) => {
    const out = roundTrip(record);
    expect(out).toHaveLength(1);
    expect(comparable(out[0]!.record)).toEqual(comparable(record));
  });

  it('splits big records and keeps every entry', () => {
    const n = 300_000;
    const refs = Float64Array.from({ length: n }, (_, i) => i % 1000);
    const ts = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + Math.floor(i / 1000) * 15_000);
    const values = Float64Array.from({ length: n }, (_, i) => i * 0.5);
    const out = roundTrip({ type: 'samples', refs, timestampsMs: ts, values });
    expect(out.length).toBeGreaterThan(1);
    const got = out.flatMap(({ record }) => (record.type === 'samples' ? Array.from(record.values) : []));
    expect(got).toEqual(Array.from(values));

    const series = Array.from({ length: 50_000 }, (_, ref) => ({
      ref,
      labels: Labels.from({ __name__: 'm', id: 'x'.repeat(40) + ref }),
    }));
    const seriesOut = roundTrip({ type: 'series', series });
    expect(seriesOut.length).toBeGreaterThan(1);
    expect(
      seriesOut.flatMap(({ record }) => (record.type === 'series' ? record.series.map((s) => s.ref) : [])),
    ).toEqual(series.map((s) => s.ref));
  });

  it('writes a scrape batch compactly (about 10 bytes per sample)', () => {
    const n = 10_000;
    let bytes = 0;
    encodeRecord(
      {
        type: 'samples',
        refs: Float64Array.from({ length: n }, (_, i) => 20_000 + i),
        timestampsMs: new Float64Array(n).fill(1_700_000_000_000),
        values: Float64Array.from({ length: n }, (_, i) => i),
      },
      new ByteWriter(),
      (_type, w) => (bytes += w.pos),
    );
    expect(bytes / n).toBeLessThan(10.1);
  });

  interface InvalidCase {
    name: string;
    record: WalRecord;
  }
  const INVALID: InvalidCase[] = [
    { name: 'negative ref', record: { type: 'series', series: [{ ref: -1, labels: Labels.EMPTY }] } },
    {
      name: 'fractional ref',
      record: { type: 'samples', refs: [1.5], timestampsMs: [0], values: new Float64Array(1) },
    },
    {
      name: 'fractional timestamp',
      record: { type: 'samples', refs: [1], timestampsMs: [0.5], values: new Float64Array(1) },
    },
    {
      name: 'unsafe timestamp',
      record: { type: 'samples', refs: [1], timestampsMs: [2 ** 60], values: new Float64Array(1) },
    },
    {
      name: 'columns of different lengths',
      record: { type: 'samples', refs: [1, 2], timestampsMs: [0], values: new Float64Array(2) },
    },
    {
      name: 'empty tombstone range',
      record: { type: 'tombstones', tombstones: [{ ref: 1, minTimeMs: 5, maxTimeMs: 4 }] },
    },
  ];
  it.each(INVALID)('rejects $name', ({ record }) => {
    expect(() => validateRecord(record)).toThrow(RangeError);
  });

  it('rejects every truncation of a payload', () => {
    for (const { record } of CASES) {
      encodeRecord(record, new ByteWriter(), (type, w) => {
        const payload = Buffer.from(w.buf.subarray(0, w.pos));
        for (let len = 0; len < payload.length; len++) {
          expect(() => decodeRecord(type, payload, 0, len), `${record.type} cut at ${len}`).toThrow(RecordDecodeError);
        }
        expect(() => decodeRecord(type, Buffer.concat([payload, Buffer.from([0])]), 0, payload.length + 1)).toThrow(
          RecordDecodeError,
        );
        expect(() => decodeRecord(9, payload, 0, payload.length)).toThrow(/unknown record type/);
      });
    }
  });
});
