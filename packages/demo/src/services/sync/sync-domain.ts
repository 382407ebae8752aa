/**
 * The rules of technicians' offline sync, free of I/O: the upload checksum, the field-wise merge of
 * a record with what the server already has, and the documentation quality score.
 */
import { createHash } from 'node:crypto';
import { expectedFields } from '../shared/equipment-types.js';

/**
 * sha256 hex of `JSON.stringify(records)` of the records as the client sent them: the raw parsed
 * JSON (key order preserved), not the schema-parsed copy, whose key order is the schema's.
 */
export function recordsChecksum(rawRecords: unknown): string {
  return createHash('sha256').update(JSON.stringify(rawRecords)).digest('hex');
}

/** A record as the server stores it: each field remembers when it was last written. */
export interface StoredRecord {
  readonly equipmentType: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly fieldUpdatedAtMs: Readonly<Record<string, number>>;
  readonly photos: number;
  readonly updatedAtMs: number;
}

export interface IncomingRecord {
  readonly equipmentType: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly photos: number;
  readonly updatedAtMs: number;
}

export interface MergeResult {
  readonly record: StoredRecord;
  /** Whether anything the server stores changed. */
  readonly changed: boolean;
  /** Fields where the server kept a newer value than the upload's (a merged conflict). */
  readonly conflictingFields: readonly string[];
  /** Photos the server had not seen before. */
  readonly newPhotos: number;
}

/**
 * Merges an upload into the stored record field by field: the newer write of each field wins (the
 * upload's `updated_at` dates all its fields; on a tie the upload wins). A field only one side
 * has is kept. Photos only accumulate: the count is the larger of the two.
 */
export function mergeRecord(existing: StoredRecord | undefined, incoming: IncomingRecord): MergeResult {
  if (existing === undefined) {
    const fieldUpdatedAtMs: Record<string, number> = {};
    for (const name of Object.keys(incoming.fields)) fieldUpdatedAtMs[name] = incoming.updatedAtMs;
    return {
      record: { ...incoming, fields: { ...incoming.fields }, fieldUpdatedAtMs },
      changed: true,
      conflictingFields: [],
      newPhotos: incoming.photos,
    };
  }
  const fields: Record<string, string> = { ...existing.fields };
  const fieldUpdatedAtMs: Record<string, number> = { ...existing.fieldUpdatedAtMs };
  const conflictingFields: string[] = [];
  let changed = false;
  for (const [name, value] of Object.entries(incoming.fields)) {
    const current = existing.fields[name];
    const currentAtMs = existing.fieldUpdatedAtMs[name] ?? Number.NEGATIVE_INFINITY;
    if (current === value) {
      fieldUpdatedAtMs[name] = Math.max(currentAtMs, incoming.updatedAtMs);
      continue;
    }
    if (current !== undefined && currentAtMs > incoming.updatedAtMs) {
      conflictingFields.push(name);
      continue;
    }
    fields[name] = value;
    fieldUpdatedAtMs[name] = incoming.updatedAtMs;
    changed = true;
  }
  const photos = Math.max(existing.photos, incoming.photos);
  const newerType = incoming.updatedAtMs >= existing.updatedAtMs ? incoming.equipmentType : existing.equipmentType;
  if (photos !== existing.photos || newerType !== existing.equipmentType) changed = true;
  return {
    record: {
      equipmentType: newerType,
      fields,
      fieldUpdatedAtMs,
      photos,
      updatedAtMs: Math.max(existing.updatedAtMs, incoming.updatedAtMs),
    },
    changed,
    conflictingFields,
    newPhotos: photos - existing.photos,
  };
}

/** Photos that make a record's photo documentation complete. */
export const PHOTOS_FOR_FULL_SCORE = 3;

/**
 * Documentation quality, 0–100: 70 points for the share of the equipment type's expected fields
 * that are filled, 30 for photos (full at three).
 */
export function qualityScore(equipmentType: string, fields: Readonly<Record<string, string>>, photos: number): number {
  const expected = expectedFields(equipmentType);
  const filled = expected.filter((name) => (fields[name] ?? '').trim() !== '').length;
  const score =
    (70 * filled) / expected.length + (30 * Math.min(photos, PHOTOS_FOR_FULL_SCORE)) / PHOTOS_FOR_FULL_SCORE;
  return Math.round(score);
}

/** The `data_size_category` label of an upload of this many bytes. */
export function dataSizeCategory(sizeBytes: number): 'small' | 'medium' | 'large' | 'xlarge' {
  if (sizeBytes < 10_000) return 'small';
  if (sizeBytes < 100_000) return 'medium';
  if (sizeBytes < 1_000_000) return 'large';
  return 'xlarge';
}
