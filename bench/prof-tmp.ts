import { Engine } from '/work/main/packages/server/src/promql/index.js';
import { MemoryStorage } from '/work/main/packages/server/src/tsdb/index.js';
import { generateDataSet, DATA_END_MS, DATA_START_MS } from '/work/main/bench/promql-bench-data.js';
const storage = new MemoryStorage();
generateDataSet(storage);
const engine = new Engine(storage, {});
const q = process.argv[2]!;
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const r = await engine.rangeQuery(q, DATA_START_MS, DATA_END_MS, 60000);
  console.log(q, (performance.now() - t0).toFixed(1), 'ms', r.totalSamples);
}
