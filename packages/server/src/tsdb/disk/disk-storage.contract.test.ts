import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../lib/clock.js';
import { describeStorageContract } from '../storage-contract.js';
import { DiskStorage } from './disk-storage.js';

describeStorageContract('DiskStorage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wk-disk-'));
  const clock = new ManualClock(1_700_000_000_000);
  const storage = DiskStorage.open({ dir, clock, outOfOrderWindowMs: 3_600_000 });
  return Promise.resolve({
    storage,
    outOfOrderWindowMs: 3_600_000,
    async close() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});
