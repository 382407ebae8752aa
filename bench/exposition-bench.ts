/**
 * Exposition parser benchmark: a generated scrape body of exactly 10,000 series (counters, gauges
 * and classic histograms of the SMS portal's kind, with HELP and TYPE lines), parsed as Prometheus
 * text 0.0.4 and as OpenMetrics 1.0, from a string and from the bytes a scrape receives.
 *
 *   node --import tsx bench/exposition-bench.ts             median of 20 runs per case
 *   node --import tsx bench/exposition-bench.ts --runs 50
 *   node --import tsx bench/exposition-bench.ts --series 100000
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseExposition } from '../packages/server/src/ingest/exposition/index.js';
import type { ExpositionFormat } from '../packages/server/src/ingest/exposition/index.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    series: { type: 'string', default: '10000' },
  },
});
const RUNS = Number(args.runs);
const SERIES = Number(args.series);

const ROUTES = ['/api/v1/vessels', '/api/v1/voyages', '/api/v1/crew', '/api/v1/reports', '/api/v1/certificates'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const CODES = ['200', '201', '400', '404', '500'];
const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

/** A body of exactly `count` series; `om` adds `_total` suffixes, float timestamps and `# EOF`. */
function generate(count: number, om: boolean): { body: string; lines: number } {
  const out: string[] = [];
  let series = 0;
  let family = 0;
  const tsMs = 1_700_000_000_000;
  const ts = (i: number): string => (om ? ((tsMs + i) / 1000).toFixed(3) : String(tsMs + i));
  while (series < count) {
    const kind = family % 3;
    const name = `sms_portal_${['requests', 'queue_depth', 'request_duration_seconds'][kind]}_${family}`;
    out.push(`# HELP ${name} Generated family ${family} of the SMS portal: requests, queues and latency.`);
    out.push(`# TYPE ${name} ${['counter', 'gauge', 'histogram'][kind]}`);
    for (let k = 0; k < 50 && series < count; k++) {
      const labels =
        `instance="vessel-${k % 7}.fleet.example:9100",job="sms-api",method="${METHODS[k % 4]}",` +
        `route="${ROUTES[k % 5]}",status="${CODES[k % 5]}"`;
      if (kind === 0) {
        out.push(`${name}${om ? '_total' : ''}{${labels}} ${1000 + k * 17} ${ts(k)}`);
        series++;
      } else if (kind === 1) {
        out.push(`${name}{${labels}} ${(k * 0.37).toFixed(2)}`);
        series++;
      } else {
        let cumulative = 0;
        for (const le of BUCKETS) {
          if (series >= count) break;
          cumulative += k + 1;
          out.push(`${name}_bucket{${labels},le="${le}"} ${cumulative}`);
          series++;
        }
        if (series < count) {
          out.push(`${name}_sum{${labels}} ${(cumulative * 0.123).toFixed(3)}`);
          series++;
        }
        if (series < count) {
          out.push(`${name}_count{${labels}} ${cumulative}`);
          series++;
        }
      }
    }
    family++;
  }
  if (om) out.push('# EOF');
  return { body: out.join('\n') + '\n', lines: out.length };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function bench(label: string, body: string | Uint8Array, format: ExpositionFormat, lines: number): void {
  const first = parseExposition(body, format);
  if (first.samples.length !== SERIES || first.issues.length > 0) {
    throw new Error(
      `${label}: expected ${SERIES} samples and no issues, got ${first.samples.length} and ${JSON.stringify(first.issues.slice(0, 3))}`,
    );
  }
  for (let i = 0; i < 5; i++) parseExposition(body, format); // warm-up
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    parseExposition(body, format);
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  const linesPerSec = lines / (ms / 1000);
  const samplesPerSec = SERIES / (ms / 1000);
  console.log(
    `| ${label.padEnd(30)} | ${ms.toFixed(2).padStart(8)} | ${Math.min(...times)
      .toFixed(2)
      .padStart(
        8,
      )} | ${(linesPerSec / 1e6).toFixed(2).padStart(10)} | ${(samplesPerSec / 1e6).toFixed(2).padStart(12)} |`,
  );
}

const text = generate(SERIES, false);
const om = generate(SERIES, true);
console.log(
  `exposition-bench: ${SERIES} series; 0.0.4 body ${text.lines} lines / ${(text.body.length / 1024).toFixed(0)} KiB, ` +
    `OpenMetrics ${om.lines} lines / ${(om.body.length / 1024).toFixed(0)} KiB; median of ${RUNS} runs; node ${process.version}`,
);
console.log('| case                           | ms/parse |   min ms | M lines/s  | M samples/s  |');
console.log('| ------------------------------ | -------- | -------- | ---------- | ------------ |');
bench('text 0.0.4, string', text.body, 'text-0.0.4', text.lines);
bench('text 0.0.4, bytes (UTF-8)', Buffer.from(text.body), 'text-0.0.4', text.lines);
bench('OpenMetrics 1.0, string', om.body, 'openmetrics-1.0', om.lines);
bench('OpenMetrics 1.0, bytes (UTF-8)', Buffer.from(om.body), 'openmetrics-1.0', om.lines);
