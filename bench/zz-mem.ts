import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../packages/server/src/lib/clock.js';
import { Labels } from '../packages/server/src/lib/labels.js';
import { DiskStorage } from '../packages/server/src/tsdb/index.js';
const N = 100000;
const gc = (globalThis as { gc?: () => void }).gc!;
const s = DiskStorage.open({ dir: mkdtempSync(join(tmpdir(), 'm')), clock: new ManualClock(1_700_003_600_000), checkpointIntervalMs: 1e12 });
gc(); const before = process.memoryUsage().heapUsed; console.log(process.memoryUsage());
for (let k = 0; k < 4; k++) for (let f = 0; f < N; f += 10000) { const a = s.appender(); for (let i = f; i < f + 10000; i++) a.append(Labels.from({ __name__: 'http_requests_total', service: `svc-${i % 50}`, endpoint: `/api/e${Math.floor(i / 50) % 200}`, instance: `host-${Math.floor(i / 10000)}:9100`, series: String(i) }), 1_700_000_000_000 + k * 15000, i); await a.commit(); }
gc(); const after = process.memoryUsage().heapUsed; console.log(process.memoryUsage());
console.log(s.stats().series, 'heap per series', ((after - before) / N).toFixed(0), 'bytes', 'rss', (process.memoryUsage().rss/1e6).toFixed(0));
