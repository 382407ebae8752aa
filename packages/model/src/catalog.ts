/**
 * The metrics catalog: every metric the SMS plan names — §2's catalog, the metrics its alerts (§3)
 * and dashboards (§4) use beyond it, and the revenue-internal `_sms_` series — with type, help,
 * unit, the labels the instrumented code sets, buckets, and whether access is restricted.
 *
 * One source of truth: the SDK only creates metrics defined here (typed by name and label names),
 * and tests check that every rule and dashboard names only catalog metrics.
 *
 * Where the plan is inconsistent, the entry's `note` says what we chose and why.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/**
 * Where a series comes from: the portal's code (through the SDK), the SDK's own self-monitoring,
 * a host exporter, or the scraper.
 */
export type MetricSource = 'application' | 'sdk' | 'host' | 'scrape';

export interface MetricDefinition {
  /** The metric family name; histograms expose `<name>_bucket`, `_sum`, `_count`. */
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** The unit named by the metric's suffix (`seconds`, `bytes`, `dollars`, `percent`, ...), if any. */
  readonly unit?: string;
  /**
   * The labels the instrumented code sets. `environment`, `service` and `version` (plan §10.1)
   * are added to every series by the SDK and are not listed; neither are target labels (`job`,
   * `instance`) that the scraper attaches.
   */
  readonly labels: readonly string[];
  /** Histogram bucket upper bounds (without +Inf). */
  readonly buckets?: readonly number[];
  /** Revenue-internal: only the internal, credential-protected endpoint may expose it. */
  readonly restricted: boolean;
  readonly source: MetricSource;
  /** The plan section that names it. */
  readonly plan: string;
  /** Where we deviate from or interpret the plan, and why. */
  readonly note?: string;
}

/** Labels every series carries (plan §10.1 `labels.required`); the SDK adds them. */
export const REQUIRED_LABELS = ['environment', 'service', 'version'] as const;
/** Labels that would carry personal data (plan §10.1 `labels.avoid`); a metric may not define them. */
export const PII_LABELS = ['user_id', 'email', 'ip_address'] as const;
/** Plan §10.1 cardinality limits. */
export const MAX_SERIES_PER_METRIC = 10_000;
export const MAX_LABEL_VALUES = 100;

/** Names of revenue-internal metrics start with this prefix (plan §2.1, §4.3). */
export const RESTRICTED_PREFIX = '_sms_';

export function isRestrictedMetricName(name: string): boolean {
  return name.startsWith(RESTRICTED_PREFIX);
}

const LATENCY_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 5] as const;
const SIZE_BUCKETS_BYTES = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000] as const;
const DB_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] as const;

/**
 * The catalog, `as const` so the SDK can type metric names and label names from it. Add a metric
 * here before any code, rule or dashboard uses it.
 */
export const CATALOG = [
  // ── §2.1 Business metrics: parts ordering ─────────────────────────────────────────────────
  {
    name: 'sms_parts_quotes_requested_total',
    type: 'counter',
    help: 'Total parts quote requests.',
    labels: ['vessel_id', 'company_id', 'urgency'],
    restricted: false,
    source: 'application',
    plan: '2.1',
  },
  {
    name: 'sms_parts_orders_completed_total',
    type: 'counter',
    help: 'Parts orders completed (paid).',
    labels: ['vessel_id', 'company_id', 'order_type'],
    restricted: false,
    source: 'application',
    plan: '2.1',
  },
  {
    name: 'sms_parts_order_value_dollars',
    type: 'histogram',
    unit: 'dollars',
    help: 'Value of completed parts orders, customer price only.',
    labels: ['vessel_id', 'company_id'],
    buckets: [50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000],
    restricted: false,
    source: 'application',
    plan: '2.1',
  },
  {
    name: 'sms_parts_orders_total',
    type: 'counter',
    help: 'Parts orders attempted (completed or failed).',
    labels: ['order_type'],
    restricted: false,
    source: 'application',
    plan: '3.1',
    note: 'Same labels as sms_parts_orders_failed_total so that PartsOrderFailureRate divides series one to one; few of them, all created at 0 at start, so the first failures show in rate() (a counter series that appears at 1 shows no increase).',
  },
  {
    name: 'sms_parts_orders_failed_total',
    type: 'counter',
    help: 'Parts orders that failed (payment declined, payment processor unavailable, validation).',
    labels: ['order_type'],
    restricted: false,
    source: 'application',
    plan: '3.1',
  },
  // ── §2.1 Revenue-internal (restricted) ──────────────────────────────────────────────────
  {
    name: '_sms_parts_markup_realized_dollars',
    type: 'counter',
    unit: 'dollars',
    help: 'Markup captured on completed orders (customer price minus supplier cost). INTERNAL ONLY.',
    labels: ['parts_category'],
    restricted: true,
    source: 'application',
    plan: '2.1',
    note: 'The plan lists "labels: [internal_only]", which marks access, not a label; we label by parts category.',
  },
  {
    name: '_sms_parts_markup_realized_percent',
    type: 'gauge',
    unit: 'percent',
    help: 'Realised markup over supplier cost on recent orders, percent. INTERNAL ONLY.',
    labels: ['parts_category'],
    restricted: true,
    source: 'application',
    plan: '3.1',
  },
  {
    name: '_sms_parts_supplier_cost_dollars',
    type: 'counter',
    unit: 'dollars',
    help: 'Supplier cost of completed orders. INTERNAL ONLY.',
    labels: ['parts_category', 'supplier'],
    restricted: true,
    source: 'application',
    plan: '4.3',
  },
  {
    name: '_sms_supplier_cost_trend',
    type: 'gauge',
    unit: 'ratio',
    help: "Latest supplier quote relative to that supplier's 7-day average (1 = unchanged). INTERNAL ONLY.",
    labels: ['supplier', 'parts_category'],
    restricted: true,
    source: 'application',
    plan: '4.3',
  },
  {
    name: '_sms_margin_by_parts_category',
    type: 'gauge',
    unit: 'percent',
    help: 'Gross margin by parts category over recent orders, percent of customer price. INTERNAL ONLY.',
    labels: ['parts_category'],
    restricted: true,
    source: 'application',
    plan: '4.3',
  },
  {
    name: '_sms_quote_to_order_conversion',
    type: 'gauge',
    unit: 'ratio',
    help: 'Share of quotes that became orders, by customer price band. INTERNAL ONLY.',
    labels: ['price_band'],
    restricted: true,
    source: 'application',
    plan: '4.3',
  },
  {
    name: '_sms_ml_markup_recommendations',
    type: 'gauge',
    unit: 'percent',
    help: 'Recommended markup percent by parts category (conversion-weighted). INTERNAL ONLY.',
    labels: ['parts_category'],
    restricted: true,
    source: 'application',
    plan: '4.3',
  },
  // ── §2.1 Subscriptions ──────────────────────────────────────────────────────────────────
  {
    name: 'sms_mrr_dollars',
    type: 'gauge',
    unit: 'dollars',
    help: 'Monthly recurring revenue of active subscriptions.',
    labels: ['tier', 'company_id'],
    restricted: false,
    source: 'application',
    plan: '2.1',
  },
  {
    name: 'sms_churn_rate_percent',
    type: 'gauge',
    unit: 'percent',
    help: 'Customers lost over the last 30 days, percent of customers at the start of the window.',
    labels: ['tier', 'reason'],
    restricted: false,
    source: 'application',
    plan: '2.1',
  },
  {
    name: 'sms_ltv_dollars',
    type: 'gauge',
    unit: 'dollars',
    help: 'Estimated customer lifetime value (average MRR divided by monthly churn).',
    labels: ['tier', 'cohort'],
    restricted: false,
    source: 'application',
    plan: '2.1',
  },
  {
    name: 'sms_revenue_total',
    type: 'counter',
    unit: 'dollars',
    help: 'Revenue billed, subscriptions and parts, in dollars.',
    labels: ['company', 'company_id'],
    restricted: false,
    source: 'application',
    plan: '4.1',
    note: "Named by the plan without a unit suffix; counts dollars. company_id (1:1 with company) added so that the executive dashboard's company variable filters it and its top-customers table drills down to the user behaviour dashboard, whose series carry company_id.",
  },
  {
    name: 'sms_company_active',
    type: 'gauge',
    help: 'One series per company with an active subscription (value 1); absent when not active.',
    labels: ['company_id', 'tier'],
    restricted: false,
    source: 'application',
    plan: '4.1',
    note: 'The plan counts it by (month); there is no month label — the dashboard counts it over time.',
  },
  {
    name: 'sms_vessel_active',
    type: 'gauge',
    help: 'One series per vessel of an active company (value 1); absent when not active.',
    labels: ['company_id', 'vessel_id'],
    restricted: false,
    source: 'application',
    plan: '4.1',
  },
  {
    name: 'sms_churn_risk_score',
    type: 'gauge',
    unit: 'ratio',
    help: 'Churn risk of a company between 0 (none) and 1 (certain), from usage trend and payment history.',
    labels: ['company', 'company_id'],
    restricted: false,
    source: 'application',
    plan: '4.1',
    note: "company_id (1:1 with company) added for the executive dashboard's company variable and drill-down.",
  },
  {
    name: 'sms_onboarding_progress_percent',
    type: 'gauge',
    unit: 'percent',
    help: 'Onboarding progress of a company (vessels created, equipment documented), percent.',
    labels: ['company'],
    restricted: false,
    source: 'application',
    plan: '3.4',
  },
  {
    name: 'sms_onboarding_started_timestamp',
    type: 'gauge',
    unit: 'seconds',
    help: 'Unix time in seconds at which the company started onboarding.',
    labels: ['company'],
    restricted: false,
    source: 'application',
    plan: '3.4',
    note: "The plan's name; by convention it would end in _timestamp_seconds.",
  },
  // ── §2.2 Application performance ────────────────────────────────────────────────────────
  {
    name: 'http_request_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'HTTP request latency.',
    labels: ['method', 'endpoint', 'status'],
    buckets: LATENCY_BUCKETS_SECONDS,
    restricted: false,
    source: 'application',
    plan: '2.2',
    note: 'endpoint is the route template (/api/vessels/:id), never the raw URL.',
  },
  {
    name: 'http_requests_total',
    type: 'counter',
    help: 'HTTP requests handled.',
    labels: ['method', 'endpoint', 'status'],
    restricted: false,
    source: 'application',
    plan: '2.2',
  },
  {
    name: 'http_request_size_bytes',
    type: 'histogram',
    unit: 'bytes',
    help: 'HTTP request body size.',
    labels: ['method', 'endpoint'],
    buckets: SIZE_BUCKETS_BYTES,
    restricted: false,
    source: 'application',
    plan: '2.2',
  },
  {
    name: 'http_response_size_bytes',
    type: 'histogram',
    unit: 'bytes',
    help: 'HTTP response body size.',
    labels: ['method', 'endpoint'],
    buckets: SIZE_BUCKETS_BYTES,
    restricted: false,
    source: 'application',
    plan: '3.3',
  },
  {
    name: 'errors_total',
    type: 'counter',
    help: 'Errors by kind: unhandled exceptions, failed dependencies, rejected input.',
    labels: ['type'],
    restricted: false,
    source: 'application',
    plan: '4.2',
  },
  {
    name: 'db_query_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Database query execution time.',
    labels: ['query_type', 'table'],
    buckets: DB_BUCKETS_SECONDS,
    restricted: false,
    source: 'application',
    plan: '2.2',
  },
  {
    name: 'db_connection_pool_size',
    type: 'gauge',
    help: 'Connections the pool may open.',
    labels: ['pool_name'],
    restricted: false,
    source: 'application',
    plan: '2.2',
    note: 'The plan describes it as "Active connections"; DatabaseConnectionPoolExhausted divides used by size, so this is the pool\'s capacity and db_connection_pool_used the active ones.',
  },
  {
    name: 'db_connection_pool_used',
    type: 'gauge',
    help: 'Connections of the pool in use.',
    labels: ['pool_name'],
    restricted: false,
    source: 'application',
    plan: '3.2',
  },
  {
    name: 'db_transaction_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Database transaction duration.',
    labels: ['transaction_type'],
    buckets: DB_BUCKETS_SECONDS,
    restricted: false,
    source: 'application',
    plan: '2.2',
  },
  // ── §2.3 User behaviour ──────────────────────────────────────────────────────────────────
  {
    name: 'sms_user_sessions_total',
    type: 'counter',
    help: 'User sessions started (successful logins).',
    labels: ['role', 'platform', 'company'],
    restricted: false,
    source: 'application',
    plan: '2.3',
    note: "company added: HighChurnRisk's summary names {{ $labels.company }}.",
  },
  {
    name: 'sms_login_failures_total',
    type: 'counter',
    help: 'Failed login attempts.',
    labels: ['reason'],
    restricted: false,
    source: 'application',
    plan: '3.3',
  },
  {
    name: 'sms_user_active',
    type: 'gauge',
    help: 'Users with a session active in the last 15 minutes.',
    labels: ['role', 'company_id'],
    restricted: false,
    source: 'application',
    plan: '4.4',
    note: 'The plan counts series by role; one series per user would need a user label (PII), so the value is the number of users and the dashboard sums it.',
  },
  {
    name: 'sms_feature_usage_total',
    type: 'counter',
    help: 'Feature usage counts.',
    labels: ['feature', 'role'],
    restricted: false,
    source: 'application',
    plan: '2.3',
  },
  {
    name: 'sms_time_to_complete_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Task completion time.',
    labels: ['task_type', 'role'],
    buckets: [30, 60, 120, 300, 600, 1_200, 1_800, 3_600],
    restricted: false,
    source: 'application',
    plan: '2.3',
    note: 'The §4.4 panel filters on {task="document_equipment"}; the catalog\'s label is task_type.',
  },
  {
    name: 'sms_equipment_documented_total',
    type: 'counter',
    help: 'Equipment items documented.',
    labels: ['vessel_id', 'tech_id'],
    restricted: false,
    source: 'application',
    plan: '2.3',
    note: 'tech_id is a pseudonymous technician code, not a user id.',
  },
  {
    name: 'sms_photos_uploaded_total',
    type: 'counter',
    help: 'Photos uploaded.',
    labels: ['vessel_id', 'equipment_type'],
    restricted: false,
    source: 'application',
    plan: '2.3',
  },
  {
    name: 'sms_offline_sync_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Time to apply an offline sync upload.',
    labels: ['vessel_id', 'data_size_category'],
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300],
    restricted: false,
    source: 'application',
    plan: '2.3',
  },
  {
    name: 'sms_quality_score',
    type: 'histogram',
    help: 'Documentation quality score of synced equipment records, 0 to 100.',
    labels: ['equipment_type'],
    buckets: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
    restricted: false,
    source: 'application',
    plan: '4.4',
  },
  // ── §2.4 Infrastructure (host exporter) ─────────────────────────────────────────────────
  {
    name: 'node_cpu_seconds_total',
    type: 'counter',
    unit: 'seconds',
    help: 'Seconds the CPUs spent in each mode.',
    labels: ['cpu', 'mode'],
    restricted: false,
    source: 'host',
    plan: '4.2',
  },
  {
    name: 'node_memory_MemTotal_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Memory information field MemTotal_bytes.',
    labels: [],
    restricted: false,
    source: 'host',
    plan: '4.2',
  },
  {
    name: 'node_memory_MemAvailable_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Memory information field MemAvailable_bytes.',
    labels: [],
    restricted: false,
    source: 'host',
    plan: '4.2',
  },
  {
    name: 'node_cpu_usage_percent',
    type: 'gauge',
    unit: 'percent',
    help: 'CPU utilisation since the previous scrape, percent.',
    labels: ['cpu'],
    restricted: false,
    source: 'host',
    plan: '2.4',
  },
  {
    name: 'node_memory_usage_percent',
    type: 'gauge',
    unit: 'percent',
    help: 'Memory utilisation, percent.',
    labels: [],
    restricted: false,
    source: 'host',
    plan: '2.4',
  },
  {
    name: 'node_disk_io_rate_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Disk I/O rate since the previous scrape, bytes per second.',
    labels: ['device', 'operation'],
    restricted: false,
    source: 'host',
    plan: '2.4',
  },
  {
    name: 'node_network_throughput_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Network throughput since the previous scrape, bytes per second.',
    labels: ['interface', 'direction'],
    restricted: false,
    source: 'host',
    plan: '2.4',
  },
  {
    name: 'node_network_errors_total',
    type: 'counter',
    help: 'Network errors.',
    labels: ['interface', 'type'],
    restricted: false,
    source: 'host',
    plan: '2.4',
  },
  // ── SDK self-monitoring (@watchkeeper/sdk, on every service's public /metrics) ──────────────
  {
    name: 'watchkeeper_sdk_dropped_samples_total',
    type: 'counter',
    help: 'Samples the instrumentation SDK dropped instead of recording them (label policy, cardinality limits, restricted series), by metric and reason.',
    labels: ['metric', 'reason'],
    restricted: false,
    source: 'sdk',
    plan: '10.1',
    note: 'Drops of restricted (_sms_) metrics are counted with metric="(restricted)", so that no _sms_ name reaches a public endpoint.',
  },
  {
    name: 'watchkeeper_sdk_metric_series',
    type: 'gauge',
    help: 'Series the instrumentation SDK currently holds per metric; new series past the per-metric limit are dropped.',
    labels: ['metric'],
    restricted: false,
    source: 'sdk',
    plan: '10.1',
    note: 'Restricted (_sms_) metrics are summed into metric="(restricted)".',
  },
  // ── Series the scraper writes for every target ──────────────────────────────────────────
  {
    name: 'up',
    type: 'gauge',
    help: '1 if the last scrape of the target succeeded, 0 if not.',
    labels: [],
    restricted: false,
    source: 'scrape',
    plan: '3.1',
  },
  {
    name: 'scrape_duration_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Duration of the last scrape of the target.',
    labels: [],
    restricted: false,
    source: 'scrape',
    plan: '1.2',
  },
  {
    name: 'scrape_samples_scraped',
    type: 'gauge',
    help: 'Samples the target exposed at the last scrape.',
    labels: [],
    restricted: false,
    source: 'scrape',
    plan: '1.2',
  },
] as const satisfies readonly MetricDefinition[];

export type Catalog = typeof CATALOG;
export type CatalogMetric = Catalog[number];
export type CatalogMetricName = CatalogMetric['name'];
/** The catalog entry for a name, as a type. */
export type CatalogEntry<N extends CatalogMetricName> = Extract<CatalogMetric, { name: N }>;
/** The label names an instrumented metric sets, as a union type. */
export type CatalogLabelName<N extends CatalogMetricName> = CatalogEntry<N>['labels'][number];

const BY_NAME: ReadonlyMap<string, MetricDefinition> = new Map(CATALOG.map((m) => [m.name, m]));

/** The catalog entry for a metric family name, or undefined. */
export function findMetric(name: string): MetricDefinition | undefined {
  return BY_NAME.get(name);
}

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;
const SUMMARY_SUFFIXES = ['_sum', '_count'] as const;

/**
 * The catalog entry a stored series name belongs to: the family itself, or a histogram's
 * `_bucket`/`_sum`/`_count` series, or a summary's `_sum`/`_count`. Undefined when none.
 */
export function findMetricForSeriesName(seriesName: string): MetricDefinition | undefined {
  const direct = BY_NAME.get(seriesName);
  if (direct !== undefined) return direct;
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (!seriesName.endsWith(suffix)) continue;
    const family = BY_NAME.get(seriesName.slice(0, -suffix.length));
    if (family === undefined) continue;
    if (family.type === 'histogram') return family;
    if (family.type === 'summary' && (SUMMARY_SUFFIXES as readonly string[]).includes(suffix)) return family;
  }
  return undefined;
}

/**
 * prom-client's default runtime metrics (process CPU, memory, event loop, GC), which the SDK
 * registers for every service. They are not listed one by one: their names are prom-client's.
 */
export const RUNTIME_METRIC_PREFIXES = ['process_', 'nodejs_'] as const;

/** True when a stored series name belongs to the catalog or to the SDK's runtime metrics. */
export function isCataloguedSeriesName(seriesName: string): boolean {
  return (
    findMetricForSeriesName(seriesName) !== undefined ||
    RUNTIME_METRIC_PREFIXES.some((prefix) => seriesName.startsWith(prefix))
  );
}
