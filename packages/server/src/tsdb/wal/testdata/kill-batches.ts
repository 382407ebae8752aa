/** The batches that kill-writer.ts writes, so that wal-kill.test.ts can check them bit for bit. */
import { writeStaleNaN } from '../../../lib/stale.js';

export const BATCH_SAMPLES = 100;
export const BASE_TIME_MS = 1_700_000_000_000;

/** The values of batch `b`: b × 1000 + i, with StaleNaN at i = 0 of odd batches. */
export function batchValues(b: number): Float64Array {
  const values = Float64Array.from({ length: BATCH_SAMPLES }, (_, i) => b * 1000 + i);
  if (b % 2 === 1) writeStaleNaN(values, 0);
  return values;
}
