/**
 * Child process of wal-kill.test.ts: appends numbered sample batches (kill-batches.ts) to the WAL
 * in DIR and prints `synced <batch>` each time `sync()` resolves, until it is killed.
 *
 *   node --import tsx packages/server/src/tsdb/wal/testdata/kill-writer.ts DIR
 */
import { Labels } from '../../../lib/labels.js';
import { WriteAheadLog } from '../wal.js';
import { BASE_TIME_MS, BATCH_SAMPLES, batchValues } from './kill-batches.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: kill-writer.ts DIR');

// Small segments, so that kills also land near segment rolls.
const wal = WriteAheadLog.open(dir, { segmentSizeBytes: 64 * 1024 });
wal.replay(() => {});
wal.append([
  {
    type: 'series',
    series: Array.from({ length: BATCH_SAMPLES }, (_, ref) => ({
      ref,
      labels: Labels.from({ __name__: 'm', ref: String(ref) }),
    })),
  },
]);
const refs = Float64Array.from({ length: BATCH_SAMPLES }, (_, i) => i);
for (let b = 0; ; b++) {
  const timestampsMs = new Float64Array(BATCH_SAMPLES).fill(BASE_TIME_MS + b * 15_000);
  wal.append([{ type: 'samples', refs, timestampsMs, values: batchValues(b) }]);
  await wal.sync();
  process.stdout.write(`synced ${b}\n`);
}
