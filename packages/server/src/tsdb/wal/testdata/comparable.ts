/** Test support: records in a form that `toEqual` compares exactly (values as their bits). */
import type { WalRecord } from '../records.js';

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function hexBits(values: Float64Array): string[] {
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  return Array.from({ length: values.length }, (_, i) => {
    const hi = u[2 * i + (LE ? 1 : 0)]!;
    const lo = u[2 * i + (LE ? 0 : 1)]!;
    return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
  });
}

/** A plain, comparable form of a record (typed arrays as arrays, values as bit strings, labels as strings). */
export function comparable(record: WalRecord): unknown {
  switch (record.type) {
    case 'series':
      return { type: 'series', series: record.series.map((s) => ({ ref: s.ref, labels: s.labels.toString() })) };
    case 'tombstones':
      return { type: 'tombstones', tombstones: record.tombstones.map((t) => ({ ...t })) };
    case 'samples':
      return {
        type: 'samples',
        refs: Array.from(record.refs),
        timestampsMs: Array.from(record.timestampsMs),
        values: hexBits(record.values),
      };
  }
}
