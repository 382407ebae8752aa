import { describe, expect, it } from 'vitest';
import { dataSizeCategory, mergeRecord, qualityScore, recordsChecksum, type StoredRecord } from './sync-domain.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const HOUR = 3_600_000;

function stored(fields: Record<string, string>, atMs: number, photos = 0): StoredRecord {
  return {
    equipmentType: 'main_engine',
    fields,
    fieldUpdatedAtMs: Object.fromEntries(Object.keys(fields).map((k) => [k, atMs])),
    photos,
    updatedAtMs: atMs,
  };
}

describe('recordsChecksum', () => {
  it('hashes JSON.stringify of the records as sent', () => {
    const records = [{ equipment_id: 'e1', fields: { a: '1' } }];
    // echo -n '[{"equipment_id":"e1","fields":{"a":"1"}}]' | sha256sum
    expect(recordsChecksum(records)).toBe('78953a8c4cc9a5a5b35caa2882ceed6dc8c1e1c44044a060af5578b26c811837');
    expect(recordsChecksum([{ fields: { a: '1' }, equipment_id: 'e1' }])).not.toBe(recordsChecksum(records));
  });
});

describe('mergeRecord', () => {
  it('stores a new record as it came', () => {
    const result = mergeRecord(undefined, {
      equipmentType: 'radar',
      fields: { model: 'X' },
      photos: 2,
      updatedAtMs: T0,
    });
    expect(result.changed).toBe(true);
    expect(result.newPhotos).toBe(2);
    expect(result.record.fieldUpdatedAtMs).toEqual({ model: T0 });
  });

  it('keeps newer server fields, takes newer and missing upload fields, and counts the conflict', () => {
    const existing: StoredRecord = {
      ...stored({ manufacturer: 'MAN', running_hours: '12000' }, T0),
      fieldUpdatedAtMs: { manufacturer: T0, running_hours: T0 + 2 * HOUR },
      updatedAtMs: T0 + 2 * HOUR,
    };
    // An offline edit made at T0+1h reaches the server after the T0+2h edit of running_hours.
    const result = mergeRecord(existing, {
      equipmentType: 'main_engine',
      fields: { manufacturer: 'MAN B&W', running_hours: '11950', serial_number: 'SN-1' },
      photos: 1,
      updatedAtMs: T0 + HOUR,
    });
    expect(result.record.fields).toEqual({ manufacturer: 'MAN B&W', running_hours: '12000', serial_number: 'SN-1' });
    expect(result.conflictingFields).toEqual(['running_hours']);
    expect(result.changed).toBe(true);
    expect(result.newPhotos).toBe(1);
    expect(result.record.updatedAtMs).toBe(T0 + 2 * HOUR);
  });

  it('lets the upload win a tie and changes nothing on a replayed upload', () => {
    const existing = stored({ model: 'A' }, T0, 3);
    expect(
      mergeRecord(existing, { equipmentType: 'main_engine', fields: { model: 'B' }, photos: 3, updatedAtMs: T0 }).record
        .fields,
    ).toEqual({ model: 'B' });
    const replay = mergeRecord(existing, {
      equipmentType: 'main_engine',
      fields: { model: 'A' },
      photos: 1,
      updatedAtMs: T0,
    });
    expect(replay.changed).toBe(false);
    expect(replay.conflictingFields).toEqual([]);
    expect(replay.newPhotos).toBe(0);
  });
});

describe('qualityScore', () => {
  it.each([
    [{}, 0, 0],
    [{}, 3, 30],
    [
      {
        manufacturer: 'MAN',
        model: 'x',
        serial_number: '1',
        installed_on: '2010',
        condition: 'good',
        running_hours: '1',
        last_overhaul: '2024',
        rated_power_kw: '9000',
      },
      5,
      100,
    ],
    [{ manufacturer: 'MAN', model: ' ', serial_number: '1', installed_on: '2010' }, 1, 36],
  ])('%j with %i photos → %i', (fields, photos, score) => {
    expect(qualityScore('main_engine', fields, photos)).toBe(score);
  });

  it('scores unknown equipment against the common fields', () => {
    expect(
      qualityScore(
        'coffee_machine',
        { manufacturer: 'a', model: 'b', serial_number: 'c', installed_on: 'd', condition: 'e' },
        0,
      ),
    ).toBe(70);
  });
});

describe('dataSizeCategory', () => {
  it.each([
    [0, 'small'],
    [9_999, 'small'],
    [10_000, 'medium'],
    [500_000, 'large'],
    [5_000_000, 'xlarge'],
  ] as const)('%i bytes → %s', (size, category) => {
    expect(dataSizeCategory(size)).toBe(category);
  });
});
