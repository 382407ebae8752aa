import { describeStorageContract } from '../storage-contract.js';
import { MemoryStorage } from './memory-storage.js';

describeStorageContract('MemoryStorage', () => {
  const storage = new MemoryStorage();
  storage.outOfOrderWindowMs = 3_600_000;
  return Promise.resolve({ storage, outOfOrderWindowMs: 3_600_000, close: () => Promise.resolve() });
});
