/**
 * The differential test's data: about 350 series shaped like the SMS plan's metrics (§2-§4), the
 * same values on every run from a seeded PRNG, timestamps relative to the run's END.
 *
 * Timestamps. END is a multiple of 5 minutes (Unix epoch), at least two minutes in the past, and
 * every query of the test evaluates at multiples of 15 s. Every sample sits 1-14 s (never 0) after
 * a multiple of 15 s, so no sample ever lies exactly on the boundary of a range window `[5m]`, a
 * lookback window or an `offset`: Prometheus 2.42 selects closed windows `[t - range, t]`,
 * Watchkeeper implements Prometheus 3's left-open `(t - range, t]`, and with this spacing both
 * select exactly the same samples. (Subqueries are the one place where an evaluation grid meets a
 * window boundary; see prometheus-diff-queries.ts.)
 *
 * What is in it:
 * - recent data: samples every 15 s over the hour before END, per scrape target at a fixed offset;
 * - counters that restart (every counter of target auth-0 restarts in the middle of the hour, as
 *   after a process restart), gauges, classic histograms (`_bucket{le}`, `_sum`, `_count`);
 * - staleness markers: target sync-1 disappears 20 minutes before END (a StaleNaN on each of its
 *   series, as Prometheus's scrape loop writes them) and vessel v03's `sms_vessel_online` goes stale
 *   30 minutes before END and comes back 15 minutes later;
 * - late data: vessels report hours-old data (6 h to 5 h before END, every 60 s) that is written
 *   before any recent data (Prometheus accepts no sample more than 1 h older than its head's newest
 *   sample, so a store-and-forward agent's backlog must arrive first); two of the vessels then
 *   report again in the last 40 minutes (in order for each series);
 * - values that exercise number formatting: tiny (1e-7) and huge (1e22) gauges, big integers
 *   (memory bytes), fractions.
 */
import { Labels } from '../../packages/server/src/lib/labels.js';
import { writeStaleNaN } from '../../packages/server/src/lib/stale.js';
import { encodeWriteRequest } from '../../packages/server/src/ingest/index.js';

export const SCRAPE_MS = 15_000;
export const HOUR_MS = 3_600_000;
/** Recent data: samples in [END - RECENT_MS, END). */
export const RECENT_MS = HOUR_MS;
/** Late vessel data: [END - 6h, END - 5h). */
export const OLD_START_BEFORE_END_MS = 6 * HOUR_MS;
export const OLD_END_BEFORE_END_MS = 5 * HOUR_MS;
/** The recent data is sent in requests of this many milliseconds of samples each, oldest first. */
const REQUEST_SPAN_MS = 5 * 60_000;

export interface GeneratedSeries {
  labels: Labels;
  timestampsMs: number[];
  /** Staleness markers keep their StaleNaN bits here. */
  values: Float64Array;
  stale: boolean[];
}

export interface DiffDataSet {
  endMs: number;
  series: GeneratedSeries[];
  /** Remote-write bodies in the order they must be sent: the late vessel data first. */
  bodies: Uint8Array[];
  /** Samples that are not staleness markers, by series, for the "both have it" check. */
  floatSamples: number;
  staleMarkers: number;
}

/** END for a run starting now: a multiple of 5 minutes, two to seven minutes ago. */
export function chooseEndMs(nowMs = Date.now()): number {
  return Math.floor((nowMs - 120_000) / 300_000) * 300_000;
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A target's fixed offset inside the 15 s interval: 1 s to 14 s in 250 ms steps, never 0. */
function scrapeOffsetMs(target: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < target.length; i++) h = Math.imul(h ^ target.charCodeAt(i), 0x01000193);
  return 1000 + ((h >>> 0) % 53) * 250;
}

class SeriesBuilder {
  private readonly byKey = new Map<string, { labels: Labels; ts: number[]; vals: number[]; stale: boolean[] }>();

  add(labels: Record<string, string>, timestampMs: number, value: number | 'stale'): void {
    const l = Labels.from(labels);
    let s = this.byKey.get(l.key);
    if (s === undefined) this.byKey.set(l.key, (s = { labels: l, ts: [], vals: [], stale: [] }));
    const last = s.ts[s.ts.length - 1];
    if (last !== undefined && timestampMs <= last) throw new Error(`out of order: ${l.toString()} at ${timestampMs}`);
    s.ts.push(timestampMs);
    s.vals.push(value === 'stale' ? 0 : value);
    s.stale.push(value === 'stale');
  }

  build(): GeneratedSeries[] {
    return [...this.byKey.values()].map((s) => {
      const values = Float64Array.from(s.vals);
      s.stale.forEach((st, i) => {
        if (st) writeStaleNaN(values, i);
      });
      return { labels: s.labels, timestampsMs: s.ts, values, stale: s.stale };
    });
  }
}

const JOBS = ['parts-api', 'payment-processor', 'auth', 'sync'] as const;
const ENDPOINTS: Record<(typeof JOBS)[number], readonly { path: string; medianSeconds: number }[]> = {
  'parts-api': [
    { path: '/api/parts', medianSeconds: 0.07 },
    { path: '/api/parts/orders', medianSeconds: 0.35 },
  ],
  'payment-processor': [
    { path: '/api/payments', medianSeconds: 0.6 },
    { path: '/api/invoices', medianSeconds: 0.12 },
  ],
  auth: [
    { path: '/api/login', medianSeconds: 0.18 },
    { path: '/api/me', medianSeconds: 0.01 },
  ],
  sync: [
    { path: '/api/sync/upload', medianSeconds: 1.2 },
    { path: '/api/sync/changes', medianSeconds: 3 },
  ],
};
const LE = [0.01, 0.05, 0.1, 0.5, 1, 5, Infinity] as const;
const METHODS = ['GET', 'POST'] as const;
const STATUSES = [
  { status: '200', share: 0.9 },
  { status: '403', share: 0.05 },
  { status: '500', share: 0.04 },
  { status: '503', share: 0.01 },
] as const;

/** Standard normal CDF (Abramowitz-Stegun 7.1.26). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export function generateDiffData(endMs: number, seed = 7): DiffDataSet {
  const random = prng(seed);
  const b = new SeriesBuilder();
  const recentStart = endMs - RECENT_MS;
  const steps = RECENT_MS / SCRAPE_MS; // 240
  const t = (offsetMs: number, k: number): number => recentStart + offsetMs + k * SCRAPE_MS;

  // --- Service targets: up, http_requests_total, the latency histogram, response bytes.
  for (const job of JOBS) {
    for (let i = 0; i < 2; i++) {
      const instance = `${job}-${i}:8080`;
      const off = scrapeOffsetMs(instance);
      const restartAt = instance === 'auth-0:8080' ? 120 : -1;
      const goneAt = instance === 'sync-1:8080' ? steps - 80 : steps; // stale 20 minutes before END
      // Failed scrapes (`up` 0, nothing else stored): parts-api-1 mid-hour, payment-processor-0 at the end.
      const outage =
        instance === 'parts-api-1:8080' ? [100, 112] : instance === 'payment-processor-0:8080' ? [228, 240] : [-1, -1];
      // sync-0 sends out about 20 GB in five minutes (DataExfiltrationAttempt fires).
      const exfiltration = instance === 'sync-0:8080' ? [200, 220] : [-1, -1];
      const load = 0.5 + random();
      const counters = new Map<string, number>();
      const bump = (key: string, inc: number, k: number, initial: number): number => {
        const prev = k === restartAt ? 0 : (counters.get(key) ?? initial);
        const v = prev + inc;
        counters.set(key, v);
        return v;
      };
      for (let k = 0; k < steps; k++) {
        const ts = t(off, k);
        const emit = (labels: Record<string, string>, v: number): void => b.add(labels, ts, v);
        if (k === goneAt) break;
        emit({ __name__: 'up', job, instance }, k >= outage[0]! && k < outage[1]! ? 0 : 1);
        if (k >= outage[0]! && k < outage[1]!) continue; // a failed scrape stores only `up`
        for (const method of METHODS) {
          for (const { status, share } of STATUSES) {
            const rps = load * share * (method === 'GET' ? 8 : 2) * (job === 'auth' && status === '403' ? 80 : 1);
            const inc = Math.round(rps * 15 * (0.6 + 0.8 * random()));
            const labels = { __name__: 'http_requests_total', job, instance, method, status };
            emit(labels, bump(JSON.stringify(labels), inc, k, Math.round(rps * 5000)));
          }
        }
        for (const { path, medianSeconds } of ENDPOINTS[job]) {
          const requests = Math.round(load * 12 * (0.5 + random()));
          let cumulative = 0;
          let below = 0;
          for (const le of LE) {
            // log-normal around the median: share of requests at or below `le`
            const share = le === Infinity ? 1 : normalCdf(Math.log(le / medianSeconds) / 0.8);
            const n = Math.round(requests * share);
            cumulative = Math.max(cumulative, n);
            below = cumulative;
            const labels = {
              __name__: 'http_request_duration_seconds_bucket',
              job,
              instance,
              endpoint: path,
              le: le === Infinity ? '+Inf' : String(le),
            };
            emit(labels, bump(JSON.stringify(labels), below, k, 1000 * share));
          }
          const common = { job, instance, endpoint: path };
          emit(
            { __name__: 'http_request_duration_seconds_sum', ...common },
            bump(`sum${path}${instance}`, requests * medianSeconds * (0.9 + 0.3 * random()), k, 1000 * medianSeconds),
          );
          emit(
            { __name__: 'http_request_duration_seconds_count', ...common },
            bump(`count${path}${instance}`, requests, k, 1000),
          );
        }
        emit(
          { __name__: 'http_response_size_bytes_sum', job, instance },
          bump(
            'bytes',
            Math.round(load * 4e6 * (0.5 + random())) + (k >= exfiltration[0]! && k < exfiltration[1]! ? 2e10 : 0),
            k,
            1e9,
          ),
        );
      }
      if (goneAt < steps) {
        // The scrape loop's staleness markers: one StaleNaN per series of the vanished target.
        const staleTs = t(off, goneAt);
        const names = new Set<string>();
        for (const s of b.build()) {
          if (s.labels.get('instance') === instance && !names.has(s.labels.key)) {
            names.add(s.labels.key);
            b.add(Object.fromEntries(s.labels), staleTs, 'stale');
          }
        }
      }
    }
  }

  // --- Node exporter: CPU seconds per mode, memory.
  for (let h = 1; h <= 3; h++) {
    const instance = `node-0${h}:9100`;
    const off = scrapeOffsetMs(instance);
    const totalBytes = [16, 32, 64][h - 1]! * 2 ** 30;
    let used = 0.3 + 0.4 * random();
    const cpu = new Map<string, number>();
    for (let k = 0; k < steps; k++) {
      const ts = t(off, k);
      b.add({ __name__: 'up', job: 'node', instance }, ts, 1);
      for (const c of ['0', '1']) {
        const busy = Math.min(0.98, (0.2 + 0.2 * h) * (0.7 + 0.6 * random()));
        for (const mode of ['user', 'system', 'idle', 'iowait']) {
          const fraction =
            mode === 'idle' ? 1 - busy : busy * (mode === 'user' ? 0.7 : mode === 'system' ? 0.25 : 0.05);
          const key = `${c}/${mode}`;
          const v = (cpu.get(key) ?? 86_400 * h * fraction) + fraction * 15;
          cpu.set(key, v);
          b.add({ __name__: 'node_cpu_seconds_total', instance, cpu: c, mode }, ts, v);
        }
      }
      used = Math.min(0.95, Math.max(0.1, used + 0.01 * (random() - 0.5) + (h === 3 ? 0.002 : 0)));
      b.add({ __name__: 'node_memory_MemTotal_bytes', instance }, ts, totalBytes);
      b.add({ __name__: 'node_memory_MemAvailable_bytes', instance }, ts, Math.round(totalBytes * (1 - used)));
    }
  }

  // --- Database pools (one runs hot), business counters and gauges, all on the portal's targets.
  const dbOff = scrapeOffsetMs('db-exporter');
  const bizOff = scrapeOffsetMs('portal-web-0:8080');
  const counters = new Map<string, number>();
  const counter = (labels: Record<string, string>, ts: number, inc: number, initial: number): void => {
    const key = JSON.stringify(labels);
    const v = (counters.get(key) ?? initial) + inc;
    counters.set(key, v);
    b.add(labels, ts, v);
  };
  const companies = ['c01', 'c02', 'c03', 'c04', 'c05'];
  const mrr = Array.from({ length: 10 }, (_, i) => ({
    company: `c${String(i + 1).padStart(2, '0')}`,
    tier: i < 5 ? 'basic' : i < 8 ? 'professional' : 'enterprise',
    dollars: (1 + Math.floor(random() * 12)) * (i < 5 ? 49 : i < 8 ? 199 : 999),
  }));
  const onboarding = ['c06', 'c07', 'c08', 'c09'].map((company, i) => ({
    company,
    startedSeconds: Math.floor(endMs / 1000) - (i + 1) * 43_200 - 17,
    progress: [20, 45, 60, 90][i]!,
  }));
  for (let k = 0; k < steps; k++) {
    const ts = t(dbOff, k);
    for (const pool of ['primary', 'sessions']) {
      for (const instance of ['db-0:9187', 'db-1:9187']) {
        const size = pool === 'primary' ? 100 : 20;
        const base = pool === 'sessions' ? 0.88 : 0.3;
        const used = Math.max(0, Math.min(size, Math.round(size * (base + 0.1 * (random() - 0.5)))));
        b.add({ __name__: 'db_connection_pool_used', pool_name: pool, instance }, ts, used);
        b.add({ __name__: 'db_connection_pool_size', pool_name: pool, instance }, ts, size);
      }
    }
    const bt = t(bizOff, k);
    for (const company_id of companies) {
      for (const order_type of ['standard', 'urgent']) {
        const orders = random() < (order_type === 'standard' ? 0.3 : 0.08) ? 1 : 0;
        const failed = orders > 0 && random() < (company_id === 'c03' ? 0.5 : 0.05) ? 1 : 0;
        counter({ __name__: 'sms_parts_orders_total', company_id, order_type }, bt, orders, 40);
        counter({ __name__: 'sms_parts_orders_failed_total', company_id, order_type }, bt, failed, 2);
      }
      for (const role of ['technician', 'admin']) {
        const declining = company_id === 'c04';
        const p = (role === 'technician' ? 0.6 : 0.2) * (declining ? 1 - k / steps : 1);
        counter(
          { __name__: 'sms_user_sessions_total', company: company_id, role, platform: 'web' },
          bt,
          random() < p ? 1 : 0,
          500,
        );
      }
    }
    for (const instance of ['auth-0:8080', 'auth-1:8080']) {
      for (const reason of ['bad_password', 'mfa_failed']) {
        const burst = instance === 'auth-0:8080' && reason === 'bad_password' && k >= 150 && k < 170;
        const inc = burst ? 150 + Math.floor(random() * 100) : random() < 0.1 ? 1 : 0;
        counter({ __name__: 'sms_login_failures_total', instance, reason }, bt, inc, 300);
      }
    }
    for (const service of JOBS) {
      for (const type of ['timeout', 'db', 'validation']) {
        counter({ __name__: 'errors_total', service, type }, bt, random() < 0.2 ? Math.ceil(random() * 3) : 0, 100);
      }
    }
    for (const o of onboarding) {
      if (o.company !== 'c07' && k % 60 === 59) o.progress = Math.min(100, o.progress + 5);
      b.add({ __name__: 'sms_onboarding_progress_percent', company: o.company }, bt, o.progress);
      b.add({ __name__: 'sms_onboarding_started_timestamp', company: o.company }, bt, o.startedSeconds);
    }
    for (const m of mrr) {
      const upgraded = m.company === 'c09' && k >= 130;
      b.add({ __name__: 'sms_mrr_dollars', tier: m.tier, company_id: m.company }, bt, m.dollars + (upgraded ? 999 : 0));
    }
  }

  // --- Vessels: formatting extremes, a gauge that goes stale and comes back, late data.
  for (let v = 1; v <= 3; v++) {
    const vessel = `v0${v}`;
    const off = scrapeOffsetMs(`vessel-${vessel}`);
    for (let k = 0; k < steps; k++) {
      const lag = v === 1 ? 1e-7 * (1 + (k % 7)) : v === 2 ? 1e22 * (1 + k / 10) : 0.1 + k * 0.3;
      b.add({ __name__: 'sms_sync_lag_seconds', vessel }, t(off, k), lag);
      const staleFrom = v === 3 ? 120 : -1;
      if (k === staleFrom) b.add({ __name__: 'sms_vessel_online', vessel }, t(off, k), 'stale');
      else if (staleFrom < 0 || k < staleFrom || k >= staleFrom + 60) {
        b.add({ __name__: 'sms_vessel_online', vessel }, t(off, k), 1);
      }
    }
  }
  const recent = b.build();

  // Late data, every 60 s at +7 s: in order per series, hours older than the recent data.
  const late = new SeriesBuilder();
  const lateTail = new SeriesBuilder();
  for (let v = 1; v <= 6; v++) {
    const vessel = `v0${v}`;
    let fuel = 200_000 + 10_000 * v;
    let reports = 1000 * v;
    for (let ts = endMs - OLD_START_BEFORE_END_MS + 7_000; ts < endMs - OLD_END_BEFORE_END_MS; ts += 60_000) {
      fuel -= 20 + 5 * random();
      reports += 1;
      late.add({ __name__: 'sms_vessel_fuel_liters', vessel }, ts, Math.round(fuel * 100) / 100);
      late.add({ __name__: 'sms_vessel_position_reports_total', vessel }, ts, reports);
    }
    if (v <= 2) {
      // Back online for the last 40 minutes.
      for (let ts = endMs - 40 * 60_000 + 7_000; ts < endMs; ts += 60_000) {
        fuel -= 20 + 5 * random();
        reports += 1;
        lateTail.add({ __name__: 'sms_vessel_fuel_liters', vessel }, ts, Math.round(fuel * 100) / 100);
        lateTail.add({ __name__: 'sms_vessel_position_reports_total', vessel }, ts, reports);
      }
    }
  }
  const lateSeries = late.build();
  const tailSeries = lateTail.build();

  const bodies: Uint8Array[] = [encodeWriteRequest(lateSeries)];
  for (let from = recentStart; from < endMs; from += REQUEST_SPAN_MS) {
    const slice = (list: GeneratedSeries[]): GeneratedSeries[] =>
      list
        .map((s) => {
          const idx = s.timestampsMs.flatMap((ts, i) => (ts >= from && ts < from + REQUEST_SPAN_MS ? [i] : []));
          const values = new Float64Array(idx.length);
          idx.forEach((i, j) => {
            // Copy the stored bits (a StaleNaN must keep its payload).
            new BigUint64Array(values.buffer)[j] = new BigUint64Array(s.values.buffer)[i]!;
          });
          return {
            labels: s.labels,
            timestampsMs: idx.map((i) => s.timestampsMs[i]!),
            values,
            stale: idx.map((i) => s.stale[i]!),
          };
        })
        .filter((s) => s.timestampsMs.length > 0);
    bodies.push(encodeWriteRequest([...slice(recent), ...slice(tailSeries)]));
  }

  const series = mergeSeries([...recent, ...lateSeries, ...tailSeries]);
  let floatSamples = 0;
  let staleMarkers = 0;
  for (const s of series) {
    for (const st of s.stale) {
      if (st) staleMarkers++;
      else floatSamples++;
    }
  }
  return { endMs, series, bodies, floatSamples, staleMarkers };
}

/** One entry per label set (the late vessel series and their recent tail are the same series). */
function mergeSeries(list: GeneratedSeries[]): GeneratedSeries[] {
  const byKey = new Map<string, GeneratedSeries>();
  for (const s of list) {
    const prev = byKey.get(s.labels.key);
    if (prev === undefined) {
      byKey.set(s.labels.key, s);
      continue;
    }
    const values = new Float64Array(prev.values.length + s.values.length);
    values.set(prev.values);
    values.set(s.values, prev.values.length);
    byKey.set(s.labels.key, {
      labels: s.labels,
      timestampsMs: [...prev.timestampsMs, ...s.timestampsMs],
      values,
      stale: [...prev.stale, ...s.stale],
    });
  }
  return [...byKey.values()];
}
