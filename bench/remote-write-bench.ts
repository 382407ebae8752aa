/**
 * Remote write decoder benchmark: generated `WriteRequest`s of the shapes that arrive at
 * /api/v1/write, decoded from their snappy-compressed bodies (the whole path: snappy, protobuf,
 * label validation). Also times snappy alone and the encoder.
 *
 *   node --import tsx bench/remote-write-bench.ts            median of 30 runs per case
 *   node --import tsx bench/remote-write-bench.ts --runs 100
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Labels } from '../packages/server/src/lib/labels.js';
import {
  decodeWriteRequest,
  encodeWriteRequest,
  type WriteSeriesInput,
} from '../packages/server/src/ingest/remote-write/index.js';
import { snappyUncompress } from '../packages/server/src/ingest/remote-write/snappy.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const RUNS = Number(args.runs);
const MAX_BYTES = 256 << 20;

const ROUTES = ['/api/v1/vessels', '/api/v1/voyages', '/api/v1/crew', '/api/v1/reports', '/api/v1/certificates'];

/** `seriesCount` series of 6 labels each, `samplesPerSeries` samples at 15 s. */
function generate(seriesCount: number, samplesPerSeries: number): WriteSeriesInput[] {
  const out: WriteSeriesInput[] = [];
  const t0 = 1_700_000_000_000;
  for (let s = 0; s < seriesCount; s++) {
    const timestampsMs = new Float64Array(samplesPerSeries);
    const values = new Float64Array(samplesPerSeries);
    for (let i = 0; i < samplesPerSeries; i++) {
      timestampsMs[i] = t0 + i * 15_000;
      values[i] = s % 3 === 0 ? 1000 + i * 17 : Math.sin(s + i) * 100;
    }
    out.push({
      labels: Labels.from({
        __name__: `sms_portal_metric_${s % 200}`,
        instance: `vessel-${s % 37}.fleet.example:9100`,
        job: 'sms-api',
        method: ['GET', 'POST', 'PUT', 'DELETE'][s % 4]!,
        route: ROUTES[s % 5]!,
        status: String(200 + (s % 7)),
        series: String(s),
      }),
      timestampsMs,
      values,
    });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function time(fn: () => void): { ms: number; minMs: number } {
  for (let i = 0; i < 5; i++) fn();
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), minMs: Math.min(...times) };
}

console.log(`remote-write-bench: median of ${RUNS} runs; node ${process.version}`);
console.log(
  '| request                          | body KiB | raw KiB | decode ms | min ms | M samples/s | snappy ms | encode ms |',
);
console.log(
  '| -------------------------------- | -------- | ------- | --------- | ------ | ----------- | --------- | --------- |',
);
for (const [name, seriesCount, perSeries] of [
  ['2,000 series x 1 (Prometheus)', 2_000, 1],
  ['10,000 series x 1', 10_000, 1],
  ['1,000 series x 100 (agent backlog)', 1_000, 100],
] as const) {
  const series = generate(seriesCount, perSeries);
  const body = encodeWriteRequest(series);
  const raw = snappyUncompress(body, MAX_BYTES);
  const check = decodeWriteRequest(body, { maxDecompressedBytes: MAX_BYTES });
  if ('error' in check || check.sampleCount !== seriesCount * perSeries || check.issues.length > 0) {
    throw new Error(`${name}: the generated request does not decode cleanly`);
  }
  const decode = time(() => {
    decodeWriteRequest(body, { maxDecompressedBytes: MAX_BYTES });
  });
  const snappy = time(() => {
    snappyUncompress(body, MAX_BYTES);
  });
  const encode = time(() => {
    encodeWriteRequest(series);
  });
  const samplesPerSec = (seriesCount * perSeries) / (decode.ms / 1000);
  console.log(
    `| ${name.padEnd(32)} | ${(body.length / 1024).toFixed(0).padStart(8)} | ${(raw.length / 1024).toFixed(0).padStart(7)} | ${decode.ms.toFixed(2).padStart(9)} | ${decode.minMs.toFixed(2).padStart(6)} | ${(samplesPerSec / 1e6).toFixed(2).padStart(11)} | ${snappy.ms.toFixed(2).padStart(9)} | ${encode.ms.toFixed(2).padStart(9)} |`,
  );
}
