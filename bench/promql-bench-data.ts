/**
 * The PromQL benchmark's data set: exactly 10,000 series of the SMS portal's metrics (plan §2-§4),
 * 24 h at a 15 s scrape interval (5,760 samples per series, 57.6 M samples), from a seeded PRNG so
 * that every run and every machine sees the same data.
 *
 * Counters grow with a daily traffic curve and restart now and then (value back near zero, as
 * after a process restart); histogram buckets are cumulative and consistent with `_count`; every
 * scrape target has its own fixed offset inside the scrape interval, as Prometheus spreads them.
 */
import { Labels } from '../packages/server/src/lib/labels.js';
import type { Appendable } from '../packages/server/src/tsdb/index.js';

export const SCRAPE_INTERVAL_MS = 15_000;
export const DATA_DURATION_MS = 24 * 3_600_000;
export const SAMPLES_PER_SERIES = DATA_DURATION_MS / SCRAPE_INTERVAL_MS;
export const SERIES_COUNT = 10_000;
/** Monday 2025-01-06 00:00 UTC: a fixed start keeps the data identical from run to run. */
export const DATA_START_MS = Date.UTC(2025, 0, 6);
export const DATA_END_MS = DATA_START_MS + DATA_DURATION_MS;
export const DEFAULT_SEED = 42;

/** Upper bounds of `http_request_duration_seconds`, plan §2.2, plus `+Inf`. */
export const LATENCY_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 5, Infinity] as const;

export interface DataSetStats {
  seriesCount: number;
  sampleCount: number;
  /** Series per metric name, in generation order. */
  seriesByMetric: Map<string, number>;
  /** Counter restarts generated (one per counter series that restarted). */
  counterResets: number;
  /** Appends the storage refused (should be 0). */
  rejectedSamples: number;
}

/** Deterministic PRNG (mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// --- The portal's shape --------------------------------------------------------------------------

const SERVICES = ['portal-web', 'parts-api', 'payment-processor', 'auth', 'sync', 'reporting'] as const;
const INSTANCES_PER_SERVICE = 3;
const NODE_HOSTS = 48;
const CPUS_PER_HOST = 8;
const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
const NODE_MEMORY_METRICS = ['MemTotal', 'MemAvailable', 'MemFree', 'Cached', 'Buffers'] as const;
const DB_POOLS = ['primary', 'replica', 'reporting', 'sessions'] as const;
const DB_INSTANCES = 3;
const STATUSES = ['200', '400', '403', '404', '500', '503'] as const;
/** Share of each status in STATUSES among an endpoint's requests. */
const STATUS_SHARES = [0.9, 0.04, 0.02, 0.025, 0.01, 0.005] as const;
const ORDER_TYPES = ['standard', 'urgent', 'aog'] as const;
const LOGIN_FAILURE_REASONS = ['bad_password', 'unknown_user', 'locked', 'mfa_failed'] as const;
const ERROR_TYPES = ['timeout', 'db', 'validation', 'upstream', 'internal'] as const;
const ROLES = ['technician', 'superintendent', 'admin'] as const;
const PLATFORMS = ['web', 'mobile'] as const;
const TIERS = [
  { tier: 'basic', dollarsPerVessel: 49, share: 0.55 },
  { tier: 'professional', dollarsPerVessel: 199, share: 0.35 },
  { tier: 'enterprise', dollarsPerVessel: 999, share: 0.1 },
] as const;
const ORDERING_COMPANIES = 50;
const SESSION_COMPANIES = 50;
const ONBOARDING_COMPANIES = 40;

/** Share of the busy time per CPU mode (idle is what is left). */
const CPU_MODE_SHARES: Record<(typeof CPU_MODES)[number], number> = {
  user: 0.6,
  nice: 0.03,
  system: 0.25,
  idle: 0,
  iowait: 0.05,
  irq: 0.02,
  softirq: 0.03,
  steal: 0.02,
};

interface Endpoint {
  method: string;
  path: string;
  /** Median latency; the bucket shares follow a log-normal distribution around it. */
  medianSeconds: number;
  requestsPerSecond: number;
  responseBytes: number;
}

/** Eight endpoints per service; `/api/reports/export` is slow on purpose (APIHighLatency fires). */
const ENDPOINTS: Record<(typeof SERVICES)[number], readonly Endpoint[]> = {
  'portal-web': [
    { method: 'GET', path: '/', medianSeconds: 0.02, requestsPerSecond: 12, responseBytes: 40_000 },
    { method: 'GET', path: '/vessels', medianSeconds: 0.06, requestsPerSecond: 6, responseBytes: 90_000 },
    { method: 'GET', path: '/vessels/:id', medianSeconds: 0.05, requestsPerSecond: 9, responseBytes: 60_000 },
    { method: 'GET', path: '/equipment', medianSeconds: 0.08, requestsPerSecond: 5, responseBytes: 120_000 },
    { method: 'POST', path: '/equipment', medianSeconds: 0.12, requestsPerSecond: 1.5, responseBytes: 2_000 },
    { method: 'GET', path: '/dashboard', medianSeconds: 0.15, requestsPerSecond: 4, responseBytes: 150_000 },
    { method: 'GET', path: '/static/:asset', medianSeconds: 0.005, requestsPerSecond: 30, responseBytes: 25_000 },
    { method: 'GET', path: '/healthz', medianSeconds: 0.002, requestsPerSecond: 1, responseBytes: 100 },
  ],
  'parts-api': [
    { method: 'GET', path: '/api/parts', medianSeconds: 0.07, requestsPerSecond: 8, responseBytes: 80_000 },
    { method: 'GET', path: '/api/parts/:id', medianSeconds: 0.03, requestsPerSecond: 10, responseBytes: 8_000 },
    { method: 'POST', path: '/api/parts/quotes', medianSeconds: 0.25, requestsPerSecond: 1.2, responseBytes: 4_000 },
    { method: 'GET', path: '/api/parts/quotes/:id', medianSeconds: 0.04, requestsPerSecond: 2, responseBytes: 5_000 },
    { method: 'POST', path: '/api/parts/orders', medianSeconds: 0.35, requestsPerSecond: 0.4, responseBytes: 3_000 },
    { method: 'GET', path: '/api/parts/orders', medianSeconds: 0.09, requestsPerSecond: 1.5, responseBytes: 30_000 },
    { method: 'GET', path: '/api/suppliers', medianSeconds: 0.06, requestsPerSecond: 0.8, responseBytes: 20_000 },
    { method: 'GET', path: '/healthz', medianSeconds: 0.002, requestsPerSecond: 1, responseBytes: 100 },
  ],
  'payment-processor': [
    { method: 'POST', path: '/api/payments', medianSeconds: 0.6, requestsPerSecond: 0.3, responseBytes: 1_500 },
    { method: 'GET', path: '/api/payments/:id', medianSeconds: 0.05, requestsPerSecond: 0.6, responseBytes: 2_000 },
    { method: 'POST', path: '/api/refunds', medianSeconds: 0.7, requestsPerSecond: 0.02, responseBytes: 1_500 },
    { method: 'GET', path: '/api/invoices', medianSeconds: 0.12, requestsPerSecond: 0.5, responseBytes: 40_000 },
    { method: 'GET', path: '/api/invoices/:id', medianSeconds: 0.08, requestsPerSecond: 0.7, responseBytes: 12_000 },
    { method: 'POST', path: '/api/subscriptions', medianSeconds: 0.4, requestsPerSecond: 0.05, responseBytes: 2_000 },
    { method: 'POST', path: '/webhooks/stripe', medianSeconds: 0.03, requestsPerSecond: 0.4, responseBytes: 200 },
    { method: 'GET', path: '/healthz', medianSeconds: 0.002, requestsPerSecond: 1, responseBytes: 100 },
  ],
  auth: [
    { method: 'POST', path: '/api/login', medianSeconds: 0.18, requestsPerSecond: 2, responseBytes: 1_000 },
    { method: 'POST', path: '/api/logout', medianSeconds: 0.01, requestsPerSecond: 1, responseBytes: 200 },
    { method: 'POST', path: '/api/token/refresh', medianSeconds: 0.02, requestsPerSecond: 6, responseBytes: 800 },
    { method: 'POST', path: '/api/mfa/verify', medianSeconds: 0.05, requestsPerSecond: 0.8, responseBytes: 300 },
    { method: 'GET', path: '/api/me', medianSeconds: 0.01, requestsPerSecond: 10, responseBytes: 1_200 },
    { method: 'POST', path: '/api/password/reset', medianSeconds: 0.3, requestsPerSecond: 0.05, responseBytes: 300 },
    { method: 'GET', path: '/api/roles', medianSeconds: 0.02, requestsPerSecond: 1, responseBytes: 3_000 },
    { method: 'GET', path: '/healthz', medianSeconds: 0.002, requestsPerSecond: 1, responseBytes: 100 },
  ],
  sync: [
    { method: 'POST', path: '/api/sync/upload', medianSeconds: 0.9, requestsPerSecond: 1.5, responseBytes: 500 },
    { method: 'GET', path: '/api/sync/changes', medianSeconds: 0.2, requestsPerSecond: 3, responseBytes: 200_000 },
    { method: 'POST', path: '/api/sync/photos', medianSeconds: 1.2, requestsPerSecond: 0.8, responseBytes: 300 },
    { method: 'GET', path: '/api/sync/status', medianSeconds: 0.01, requestsPerSecond: 4, responseBytes: 400 },
    { method: 'POST', path: '/api/sync/ack', medianSeconds: 0.02, requestsPerSecond: 3, responseBytes: 100 },
    { method: 'GET', path: '/api/sync/manifest', medianSeconds: 0.15, requestsPerSecond: 1, responseBytes: 50_000 },
    { method: 'DELETE', path: '/api/sync/session', medianSeconds: 0.02, requestsPerSecond: 0.3, responseBytes: 100 },
    { method: 'GET', path: '/healthz', medianSeconds: 0.002, requestsPerSecond: 1, responseBytes: 100 },
  ],
  reporting: [
    { method: 'GET', path: '/api/reports', medianSeconds: 0.3, requestsPerSecond: 0.5, responseBytes: 30_000 },
    { method: 'GET', path: '/api/reports/:id', medianSeconds: 0.5, requestsPerSecond: 0.4, responseBytes: 400_000 },
    {
      method: 'POST',
      path: '/api/reports/export',
      medianSeconds: 2.5,
      requestsPerSecond: 0.1,
      responseBytes: 5_000_000,
    },
    { method: 'GET', path: '/api/kpis', medianSeconds: 0.4, requestsPerSecond: 0.6, responseBytes: 20_000 },
    { method: 'GET', path: '/api/fleet/summary', medianSeconds: 0.35, requestsPerSecond: 0.7, responseBytes: 60_000 },
    { method: 'GET', path: '/api/audit', medianSeconds: 0.45, requestsPerSecond: 0.1, responseBytes: 250_000 },
    { method: 'POST', path: '/api/reports/schedule', medianSeconds: 0.1, requestsPerSecond: 0.05, responseBytes: 500 },
    { method: 'GET', path: '/healthz', medianSeconds: 0.002, requestsPerSecond: 1, responseBytes: 100 },
  ],
};

/** Series of every family but `sms_mrr_dollars`, which takes the rest up to SERIES_COUNT. */
function fixedSeriesCount(): number {
  const combos = SERVICES.length * 8 * STATUSES.length;
  const histogram = combos * (LATENCY_BUCKETS_SECONDS.length + 2);
  const requests = combos * INSTANCES_PER_SERVICE;
  const responseSize = SERVICES.length * 8 * INSTANCES_PER_SERVICE;
  const up = SERVICES.length * INSTANCES_PER_SERVICE + NODE_HOSTS;
  const cpu = NODE_HOSTS * CPUS_PER_HOST * CPU_MODES.length;
  const memory = NODE_HOSTS * NODE_MEMORY_METRICS.length;
  const pools = DB_POOLS.length * DB_INSTANCES * 2;
  const orders = ORDERING_COMPANIES * ORDER_TYPES.length * 2;
  const logins = INSTANCES_PER_SERVICE * LOGIN_FAILURE_REASONS.length;
  const sessions = SESSION_COMPANIES * ROLES.length * PLATFORMS.length;
  const errors = SERVICES.length * ERROR_TYPES.length;
  const onboarding = ONBOARDING_COMPANIES * 2;
  return (
    histogram + requests + responseSize + up + cpu + memory + pools + orders + logins + sessions + errors + onboarding
  );
}

// --- Shapes over the day ---------------------------------------------------------------------------

/** Traffic factor per sample index: quietest at 03:00 UTC (0.3), busiest at 15:00 UTC (1.0). */
const DAILY_TRAFFIC = (() => {
  const out = new Float64Array(SAMPLES_PER_SERIES);
  for (let i = 0; i < SAMPLES_PER_SERIES; i++) {
    const hours = (i * SCRAPE_INTERVAL_MS) / 3_600_000;
    out[i] = 0.3 + 0.7 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hours - 3)) / 24));
  }
  return out;
})();

/** Events in one interval for a Poisson process of mean `mean` (Knuth below 30, normal above). */
function poisson(random: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean >= 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 for erf; error < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** FNV-1a: a target's fixed scrape offset inside the interval. */
function scrapeOffsetMs(target: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < target.length; i++) h = Math.imul(h ^ target.charCodeAt(i), 0x01000193);
  return (h >>> 0) % SCRAPE_INTERVAL_MS;
}

/** The sample index where a target restarts (-1: none); `probability` is per target and day. */
function restartIndex(random: () => number, probability = 0.25): number {
  return random() < probability ? 1 + Math.floor(random() * (SAMPLES_PER_SERIES - 1)) : -1;
}

// --- Writing ---------------------------------------------------------------------------------------

class SeriesWriter {
  readonly stats: DataSetStats = {
    seriesCount: 0,
    sampleCount: 0,
    seriesByMetric: new Map(),
    counterResets: 0,
    rejectedSamples: 0,
  };

  constructor(private readonly storage: Appendable) {}

  /** Appends one series: `values[i]` at DATA_START_MS + offsetMs + i × SCRAPE_INTERVAL_MS. */
  write(labels: Record<string, string>, values: Float64Array, offsetMs: number): void {
    const series = Labels.from(labels);
    const firstMs = DATA_START_MS + offsetMs;
    for (let i = 0; i < values.length; i++) {
      if (!this.storage.append(series, firstMs + i * SCRAPE_INTERVAL_MS, values[i]!)) this.stats.rejectedSamples++;
    }
    const name = labels['__name__']!;
    this.stats.seriesByMetric.set(name, (this.stats.seriesByMetric.get(name) ?? 0) + 1);
    this.stats.seriesCount++;
    this.stats.sampleCount += values.length;
  }

  /**
   * Writes a counter from per-interval increments: starts at `initial`, restarts from 0 at
   * `restartAt` (-1: never).
   */
  writeCounter(
    labels: Record<string, string>,
    increments: Float64Array,
    initial: number,
    restartAt: number,
    offsetMs: number,
    scratch: Float64Array,
  ): void {
    let value = initial;
    for (let i = 0; i < increments.length; i++) {
      if (i === restartAt) value = 0;
      value += increments[i]!;
      scratch[i] = value;
    }
    if (restartAt >= 0) this.stats.counterResets++;
    this.write(labels, scratch, offsetMs);
  }
}

/**
 * Appends the data set to `storage` (normally an empty `MemoryStorage`) and returns what was
 * written. Same seed, same data.
 */
export function generateDataSet(storage: Appendable, seed: number = DEFAULT_SEED): DataSetStats {
  const random = mulberry32(seed);
  const writer = new SeriesWriter(storage);
  const n = SAMPLES_PER_SERIES;
  const values = new Float64Array(n);
  const increments = new Float64Array(n);
  const counts = new Float64Array(n);

  const mrrCompanies = SERIES_COUNT - fixedSeriesCount();
  if (mrrCompanies <= 0) throw new Error(`the fixed series families exceed ${SERIES_COUNT} series`);
  const companyId = (k: number): string => `c${String(k + 1).padStart(4, '0')}`;

  // http_request_duration_seconds{service,endpoint,method,status} as buckets, _sum and _count;
  // http_requests_total and http_response_size_bytes_sum per instance.
  for (const service of SERVICES) {
    const instances = Array.from({ length: INSTANCES_PER_SERVICE }, (_, k) => `${service}-${k}:8080`);
    const restarts = instances.map(() => restartIndex(random));
    for (const endpoint of ENDPOINTS[service]) {
      const common = { service, endpoint: endpoint.path, method: endpoint.method };
      for (let s = 0; s < STATUSES.length; s++) {
        const status = STATUSES[s]!;
        // Server errors are slower than the endpoint's usual requests.
        const median = status.startsWith('5') ? endpoint.medianSeconds * 3 : endpoint.medianSeconds;
        const meanPerInterval = (endpoint.requestsPerSecond * STATUS_SHARES[s]! * SCRAPE_INTERVAL_MS) / 1000;
        const perInstance = instances.map(() => new Float64Array(n));
        for (let i = 0; i < n; i++) {
          let total = 0;
          for (const inc of perInstance) {
            const events = poisson(random, (meanPerInterval * DAILY_TRAFFIC[i]!) / INSTANCES_PER_SERVICE);
            inc[i] = events;
            total += events;
          }
          counts[i] = total;
        }
        // The histogram is the service's own, summed over instances; it restarts with instance 0.
        const histogramRestart = restarts[0]!;
        const histogramOffsetMs = scrapeOffsetMs(instances[0]!);
        const initialRequests = Math.round(meanPerInterval * n * random());
        for (const le of LATENCY_BUCKETS_SECONDS) {
          const share = le === Infinity ? 1 : normalCdf(Math.log(le / median) / 0.8);
          for (let i = 0; i < n; i++) increments[i] = Math.round(counts[i]! * share);
          const labels = { __name__: 'http_request_duration_seconds_bucket', ...common, status, le: formatLe(le) };
          const initial = Math.round(initialRequests * share);
          writer.writeCounter(labels, increments, initial, histogramRestart, histogramOffsetMs, values);
        }
        for (let i = 0; i < n; i++) increments[i] = counts[i]! * median * (0.9 + 0.3 * random());
        writer.writeCounter(
          { __name__: 'http_request_duration_seconds_sum', ...common, status },
          increments,
          initialRequests * median,
          histogramRestart,
          histogramOffsetMs,
          values,
        );
        writer.writeCounter(
          { __name__: 'http_request_duration_seconds_count', ...common, status },
          counts,
          initialRequests,
          histogramRestart,
          histogramOffsetMs,
          values,
        );
        for (let k = 0; k < INSTANCES_PER_SERVICE; k++) {
          writer.writeCounter(
            { __name__: 'http_requests_total', ...common, status, instance: instances[k]! },
            perInstance[k]!,
            Math.round((initialRequests / INSTANCES_PER_SERVICE) * (0.8 + 0.4 * random())),
            restarts[k]!,
            scrapeOffsetMs(instances[k]!),
            values,
          );
        }
      }
      for (let k = 0; k < INSTANCES_PER_SERVICE; k++) {
        const meanBytes = (endpoint.requestsPerSecond * endpoint.responseBytes * SCRAPE_INTERVAL_MS) / 1000;
        for (let i = 0; i < n; i++) {
          increments[i] = Math.round(((meanBytes * DAILY_TRAFFIC[i]!) / INSTANCES_PER_SERVICE) * (0.5 + random()));
        }
        writer.writeCounter(
          { __name__: 'http_response_size_bytes_sum', ...common, instance: instances[k]! },
          increments,
          Math.round(meanBytes * n * random()),
          restarts[k]!,
          scrapeOffsetMs(instances[k]!),
          values,
        );
      }
    }
  }

  // up{job,instance}: a few short outages, one of them on parts-api (PartsOrderingSystemDown fires).
  const targets: { job: string; instance: string }[] = [];
  for (const service of SERVICES) {
    for (let k = 0; k < INSTANCES_PER_SERVICE; k++) targets.push({ job: service, instance: `${service}-${k}:8080` });
  }
  for (let h = 0; h < NODE_HOSTS; h++) targets.push({ job: 'node', instance: hostName(h) });
  for (const target of targets) {
    values.fill(1);
    const forcedOutage = target.instance === 'parts-api-1:8080';
    if (forcedOutage || random() < 0.2) {
      const start = Math.floor(random() * (n - 40));
      const length = 4 + Math.floor(random() * 20);
      values.fill(0, start, start + length);
    }
    writer.write({ __name__: 'up', ...target }, values, scrapeOffsetMs(target.instance));
  }

  // node_cpu_seconds_total{instance,cpu,mode} and node_memory_*_bytes{instance}.
  for (let h = 0; h < NODE_HOSTS; h++) {
    const instance = hostName(h);
    const offsetMs = scrapeOffsetMs(instance);
    const reboot = restartIndex(random, 0.05);
    const hostLoad = 0.2 + 0.6 * random();
    const uptimeSeconds = 86_400 * (1 + 60 * random());
    for (let cpu = 0; cpu < CPUS_PER_HOST; cpu++) {
      const busy = new Float64Array(n);
      for (let i = 0; i < n; i++) busy[i] = Math.min(0.98, hostLoad * DAILY_TRAFFIC[i]! * (0.7 + 0.6 * random()));
      for (const mode of CPU_MODES) {
        const share = CPU_MODE_SHARES[mode];
        for (let i = 0; i < n; i++) {
          const fraction = mode === 'idle' ? 1 - busy[i]! : busy[i]! * share;
          increments[i] = (fraction * SCRAPE_INTERVAL_MS) / 1000;
        }
        const initial = uptimeSeconds * (mode === 'idle' ? 1 - hostLoad / 2 : (hostLoad / 2) * share);
        const labels = { __name__: 'node_cpu_seconds_total', instance, cpu: String(cpu), mode };
        writer.writeCounter(labels, increments, initial, reboot, offsetMs, values);
      }
    }
    const totalBytes = [16, 32, 64][h % 3]! * 2 ** 30;
    const available = new Float64Array(n);
    let used = 0.3 + 0.4 * random();
    for (let i = 0; i < n; i++) {
      used = Math.min(0.95, Math.max(0.1, used + 0.002 * gaussian(random)));
      available[i] = Math.round(totalBytes * (1 - used));
    }
    for (const metric of NODE_MEMORY_METRICS) {
      for (let i = 0; i < n; i++) {
        const a = available[i]!;
        values[i] =
          metric === 'MemTotal'
            ? totalBytes
            : metric === 'MemAvailable'
              ? a
              : metric === 'MemFree'
                ? Math.round(a * 0.35)
                : metric === 'Cached'
                  ? Math.round(a * 0.55)
                  : Math.round(a * 0.05);
      }
      writer.write({ __name__: `node_memory_${metric}_bytes`, instance }, values, offsetMs);
    }
  }

  // db_connection_pool_used and db_connection_pool_size{pool_name,instance}; one pool runs hot.
  for (const pool of DB_POOLS) {
    for (let k = 0; k < DB_INSTANCES; k++) {
      const instance = `db-${k}:9187`;
      const size = pool === 'primary' ? 100 : pool === 'sessions' ? 20 : 50;
      const base = pool === 'sessions' ? 0.75 : 0.2 + 0.3 * random();
      for (let i = 0; i < n; i++) {
        const load = base + (1 - base) * 0.3 * DAILY_TRAFFIC[i]! + 0.05 * gaussian(random);
        values[i] = Math.max(0, Math.min(size, Math.round(size * load)));
      }
      writer.write(
        { __name__: 'db_connection_pool_used', pool_name: pool, instance },
        values,
        scrapeOffsetMs(instance),
      );
      values.fill(size);
      writer.write(
        { __name__: 'db_connection_pool_size', pool_name: pool, instance },
        values,
        scrapeOffsetMs(instance),
      );
    }
  }

  // sms_parts_orders_total and sms_parts_orders_failed_total{company_id,order_type}.
  const partsOffsetMs = scrapeOffsetMs('parts-api-0:8080');
  for (let c = 0; c < ORDERING_COMPANIES; c++) {
    for (const orderType of ORDER_TYPES) {
      const ordersPerInterval = ((orderType === 'standard' ? 1 / 300 : 1 / 1200) * SCRAPE_INTERVAL_MS) / 1000;
      const failureShare = 0.01 + 0.07 * random();
      const failed = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        counts[i] = poisson(random, ordersPerInterval * DAILY_TRAFFIC[i]!);
        failed[i] = counts[i]! > 0 && random() < failureShare ? 1 : 0;
      }
      const restart = restartIndex(random);
      const labels = { company_id: companyId(c), order_type: orderType };
      const initial = Math.round(ordersPerInterval * n * 10 * random());
      writer.writeCounter(
        { __name__: 'sms_parts_orders_total', ...labels },
        counts,
        initial,
        restart,
        partsOffsetMs,
        values,
      );
      const initialFailed = Math.round(initial * failureShare);
      const failedLabels = { __name__: 'sms_parts_orders_failed_total', ...labels };
      writer.writeCounter(failedLabels, failed, initialFailed, restart, partsOffsetMs, values);
    }
  }

  // sms_login_failures_total{instance,reason}: one brute-force burst (SuspiciousLoginActivity fires).
  const burstStart = Math.floor(n * 0.6);
  for (let k = 0; k < INSTANCES_PER_SERVICE; k++) {
    const instance = `auth-${k}:8080`;
    for (const reason of LOGIN_FAILURE_REASONS) {
      for (let i = 0; i < n; i++) {
        const inBurst = k === 0 && reason === 'bad_password' && i >= burstStart && i < burstStart + 40;
        const perSecond = inBurst ? 15 : 0.05 * DAILY_TRAFFIC[i]!;
        increments[i] = poisson(random, (perSecond * SCRAPE_INTERVAL_MS) / 1000);
      }
      const labels = { __name__: 'sms_login_failures_total', instance, reason };
      writer.writeCounter(labels, increments, Math.round(5000 * random()), -1, scrapeOffsetMs(instance), values);
    }
  }

  // sms_user_sessions_total{company,role,platform}: some companies are declining (HighChurnRisk).
  const portalOffsetMs = scrapeOffsetMs('portal-web-0:8080');
  for (let c = 0; c < SESSION_COMPANIES; c++) {
    const declining = c % 7 === 0;
    for (const role of ROLES) {
      for (const platform of PLATFORMS) {
        const perSecond = (role === 'technician' ? 0.05 : 0.01) * (platform === 'web' ? 1 : 0.6) * (0.5 + random());
        for (let i = 0; i < n; i++) {
          const trend = declining ? 1 - (0.8 * i) / n : 1;
          increments[i] = poisson(random, (perSecond * trend * DAILY_TRAFFIC[i]! * SCRAPE_INTERVAL_MS) / 1000);
        }
        const labels = { __name__: 'sms_user_sessions_total', company: companyId(c), role, platform };
        writer.writeCounter(
          labels,
          increments,
          Math.round(perSecond * 86_400 * 30 * random()),
          -1,
          portalOffsetMs,
          values,
        );
      }
    }
  }

  // errors_total{service,type}.
  for (const service of SERVICES) {
    const restart = restartIndex(random);
    for (const type of ERROR_TYPES) {
      const perSecond = 0.01 + 0.2 * random();
      for (let i = 0; i < n; i++) {
        increments[i] = poisson(random, (perSecond * DAILY_TRAFFIC[i]! * SCRAPE_INTERVAL_MS) / 1000);
      }
      const labels = { __name__: 'errors_total', service, type };
      const offsetMs = scrapeOffsetMs(`${service}-0:8080`);
      writer.writeCounter(labels, increments, Math.round(perSecond * 86_400 * random()), restart, offsetMs, values);
    }
  }

  // sms_onboarding_progress_percent and sms_onboarding_started_timestamp{company}: the newest
  // companies; some started days ago and are stuck (OnboardingStalled fires).
  for (let c = 0; c < ONBOARDING_COMPANIES; c++) {
    const company = companyId(mrrCompanies - ONBOARDING_COMPANIES + c);
    const startedSeconds = Math.floor(DATA_START_MS / 1000 - 86_400 * 10 * random());
    let progress = Math.floor(100 * random() * 0.6);
    const stuck = random() < 0.3;
    for (let i = 0; i < n; i++) {
      if (!stuck && progress < 100 && random() < 0.002) progress = Math.min(100, progress + 10);
      values[i] = progress;
    }
    writer.write({ __name__: 'sms_onboarding_progress_percent', company }, values, portalOffsetMs);
    values.fill(startedSeconds);
    writer.write({ __name__: 'sms_onboarding_started_timestamp', company }, values, portalOffsetMs);
  }

  // sms_mrr_dollars{tier,company_id}: takes the remaining series; a few upgrades during the day.
  const billingOffsetMs = scrapeOffsetMs('payment-processor-0:8080');
  for (let c = 0; c < mrrCompanies; c++) {
    let pick = random();
    const tier = TIERS.find((t) => (pick -= t.share) < 0) ?? TIERS[0];
    const vessels = 1 + Math.floor(random() * (tier.tier === 'enterprise' ? 60 : 12));
    const mrr = vessels * tier.dollarsPerVessel;
    values.fill(mrr);
    if (random() < 0.02) values.fill(mrr + tier.dollarsPerVessel, Math.floor(random() * n));
    writer.write({ __name__: 'sms_mrr_dollars', tier: tier.tier, company_id: companyId(c) }, values, billingOffsetMs);
  }

  return writer.stats;
}

function hostName(h: number): string {
  return `node-${String(h + 1).padStart(2, '0')}:9100`;
}

/** `le` as Prometheus's client libraries write it. */
function formatLe(le: number): string {
  return le === Infinity ? '+Inf' : String(le);
}
