/**
 * The remote-write workload of bench/prometheus-compare.ts: the label sets and values of the PromQL
 * benchmark's data set (promql-bench-data.ts: exactly 10,000 series of the SMS plan's metrics,
 * seeded), repeated for `regions` regional deployments of the portal (label `region`), so 10 regions
 * make 100,000 active series. Values are the data set's first samples, re-timed: sample k of a
 * series is at T0 + offset + k × 15 s, where offset is the series' scrape offset inside the interval
 * moved into 1-14 s (never on a multiple of 15 s, so Prometheus 2.42's closed and Watchkeeper's
 * left-open windows select the same samples and the two servers' answers can be compared).
 *
 * A remote-write request holds `batch` consecutive series × 1 sample (one scrape round of those
 * series), as Prometheus's queue manager sends them.
 */
import type { Labels } from '../packages/server/src/lib/labels.js';
import { encodeWriteRequest } from '../packages/server/src/ingest/index.js';
import type { Appendable, Appender } from '../packages/server/src/tsdb/index.js';
import { DATA_START_MS, DEFAULT_SEED, SCRAPE_INTERVAL_MS, generateDataSet } from './promql-bench-data.js';

export const REGIONS = [
  'eu-north',
  'eu-west',
  'eu-central',
  'us-east',
  'us-west',
  'ap-south',
  'ap-east',
  'sa-east',
  'me-south',
  'af-south',
  'ca-central',
  'ap-north',
] as const;

export interface BaseSeries {
  labels: Labels;
  /** 1-14 s: where this series' samples sit inside each 15 s interval. */
  offsetMs: number;
  values: Float64Array;
}

/** Keeps the first `samples` values of every series the data set generator appends. */
class Capture implements Appendable {
  readonly series = new Map<string, BaseSeries & { n: number }>();

  constructor(private readonly samples: number) {}

  append(labels: Labels, timestampMs: number, value: number): boolean {
    let s = this.series.get(labels.key);
    if (s === undefined) {
      const orig = (timestampMs - DATA_START_MS) % SCRAPE_INTERVAL_MS;
      const offsetMs = 1000 + (orig % 13_000);
      this.series.set(labels.key, (s = { labels, offsetMs, values: new Float64Array(this.samples), n: 0 }));
    }
    if (s.n < this.samples) s.values[s.n++] = value;
    return true;
  }

  appender(): Appender {
    throw new Error('not used');
  }
}

/** The 10,000 series of the PromQL benchmark's data set with their first `samples` values. */
export function baseSeries(samples: number, seed = DEFAULT_SEED): BaseSeries[] {
  const capture = new Capture(samples);
  generateDataSet(capture, seed);
  return [...capture.series.values()].map(({ labels, offsetMs, values }) => ({ labels, offsetMs, values }));
}

/** One active series of the workload: a base series in one region. */
export interface WorkloadSeries {
  labels: Labels;
  offsetMs: number;
  values: Float64Array;
}

export function workloadSeries(base: readonly BaseSeries[], regions: number): WorkloadSeries[] {
  if (regions > REGIONS.length) throw new Error(`at most ${REGIONS.length} regions`);
  const out: WorkloadSeries[] = [];
  for (let r = 0; r < regions; r++) {
    for (const b of base)
      out.push({ labels: b.labels.with('region', REGIONS[r]!), offsetMs: b.offsetMs, values: b.values });
  }
  return out;
}

/** The requests of scrape round `k` (sample k of every series, at t0Ms + offset + k × 15 s). */
export function encodeRound(series: readonly WorkloadSeries[], k: number, t0Ms: number, batch: number): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  if (series.some((s) => k >= s.values.length)) throw new Error(`round ${k} is beyond the generated samples`);
  for (let from = 0; from < series.length; from += batch) {
    const slice = series.slice(from, from + batch).map((s) => ({
      labels: s.labels,
      timestampsMs: [t0Ms + s.offsetMs + k * SCRAPE_INTERVAL_MS],
      values: Float64Array.of(s.values[k]!),
    }));
    bodies.push(encodeWriteRequest(slice));
  }
  return bodies;
}

export { SCRAPE_INTERVAL_MS };
