/**
 * The HTTP contract between the reference SMS portal's services and their clients (the fleet
 * simulator, the other services, tests): ports, paths, request and response bodies as zod
 * schemas. Both sides import this file, so a change here is a change to both.
 */
import { z } from 'zod';

/** The portal's services, each its own HTTP server, scrape target and Prometheus job. */
export const SERVICE_NAMES = ['auth', 'billing', 'vessels', 'sync', 'parts-api', 'payment-processor'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Default ports on 127.0.0.1 (`watchkeeper-demo portal --base-port` shifts them all). */
export const DEFAULT_PORTS: Readonly<Record<ServiceName | 'host-exporter' | 'control' | 'inbox' | 'smtp', number>> = {
  control: 9200,
  auth: 9201,
  billing: 9202,
  vessels: 9203,
  sync: 9204,
  'parts-api': 9205,
  'payment-processor': 9206,
  'host-exporter': 9207,
  /** The notification inbox's HTTP side: Slack, PagerDuty, SMS and webhook receivers, GET / and /inbox. */
  inbox: 9208,
  /** The notification inbox's SMTP side (mail of `email_configs`). */
  smtp: 9209,
};

/** Paths every service serves (through the SDK). */
export const COMMON_PATHS = {
  /** Public Prometheus exposition: never any `_sms_` series. */
  metrics: '/metrics',
  /** Restricted series only, `Authorization: Bearer <internal metrics token>`. */
  internalMetrics: '/internal/metrics',
  healthz: '/healthz',
  readyz: '/readyz',
} as const;

// ── Identifiers ──────────────────────────────────────────────────────────────────────────────
const companyId = z.string().regex(/^cmp_[a-z0-9]+$/);
const vesselId = z.string().regex(/^vsl_[a-z0-9]+$/);
export const TIERS = ['basic', 'professional', 'enterprise'] as const;
export const ROLES = ['technician', 'fleet_manager', 'purchaser', 'customer_admin', 'support'] as const;
export const PLATFORMS = ['web', 'ios', 'android', 'offline_app'] as const;
export const URGENCIES = ['routine', 'urgent', 'aog'] as const;
export const ORDER_TYPES = ['standard', 'express', 'emergency'] as const;

// ── Access: who may call what ────────────────────────────────────────────────────────────────
const ALL_ROLES = ROLES;
/**
 * The roles each client endpoint accepts (`Authorization: Bearer <token from auth>`): no or a bad
 * token → 401, another role → 403; `'public'` needs no token. A user acts only for their own
 * company (403 otherwise), except `support`, who may act for any. The services enforce this table.
 */
export const ACCESS = {
  'POST /api/auth/users': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': ALL_ROLES,
  'POST /api/companies': 'public',
  'GET /api/companies/:company_id': ['fleet_manager', 'purchaser', 'customer_admin', 'support'],
  'PUT /api/companies/:company_id/subscription': ['customer_admin', 'support'],
  'DELETE /api/companies/:company_id/subscription': ['customer_admin', 'support'],
  'GET /api/companies/export': ['customer_admin', 'support'],
  'POST /api/vessels/create': ['fleet_manager', 'customer_admin', 'support'],
  'GET /api/vessels': ALL_ROLES,
  'GET /api/vessels/:vessel_id/equipment': ALL_ROLES,
  'GET /api/vessels/export': ['fleet_manager', 'customer_admin', 'support'],
  'POST /api/sync/upload': ['technician', 'support'],
  'GET /api/sync/records': ALL_ROLES,
  /** Server-sent events: `data: {"vessel_id", "equipment_ids", "applied"}` after each upload of the vessel. */
  'GET /api/sync/events': ALL_ROLES,
  'POST /api/parts/quote': ['fleet_manager', 'purchaser', 'customer_admin'],
  'GET /api/parts/quotes': ['fleet_manager', 'purchaser', 'customer_admin', 'support'],
  'POST /api/parts/order': ['fleet_manager', 'purchaser', 'customer_admin'],
  'GET /api/parts/orders/export': ['purchaser', 'customer_admin', 'support'],
} as const satisfies Record<string, 'public' | readonly (typeof ROLES)[number][]>;
export type Endpoint = keyof typeof ACCESS;

// ── auth (all other services accept the token it issues: `Authorization: Bearer <token>`) ────
/** POST /api/auth/users — create a portal user (the simulator seeds its population this way). */
export const CreateUserRequest = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(8).max(200),
  role: z.enum(ROLES),
  company_id: companyId,
  company: z.string().min(1).max(100),
});
/** POST /api/auth/login → 200 LoginResponse | 401 (counted in sms_login_failures_total). */
export const LoginRequest = z.object({
  username: z.string().max(200),
  password: z.string().max(200),
  platform: z.enum(PLATFORMS),
});
export const LoginResponse = z.object({
  token: z.string(),
  role: z.enum(ROLES),
  company_id: companyId,
  expires_at: z.string(),
});
// POST /api/auth/logout (Bearer) → 204

// ── billing: companies, subscriptions, revenue ─────────────────────────────────────────────────
/** POST /api/companies — a company signs up (starts onboarding). */
export const CreateCompanyRequest = z.object({
  company_id: companyId,
  name: z.string().min(1).max(100),
  tier: z.enum(TIERS),
});
/** PUT /api/companies/:company_id/subscription — change tier. */
export const ChangeSubscriptionRequest = z.object({ tier: z.enum(TIERS) });
/** DELETE /api/companies/:company_id/subscription — the company churns. */
export const CancelSubscriptionRequest = z.object({
  reason: z.enum(['price', 'competitor', 'fleet_sold', 'low_usage', 'other']),
});
/** POST /api/billing/charges — parts-api reports a paid order (revenue), service to service. */
export const ChargeRequest = z.object({
  company_id: companyId,
  amount_dollars: z.number().positive(),
  kind: z.enum(['parts', 'subscription']),
});
// GET /api/companies/export?format=csv — bulk export of companies and invoices (large responses).

// ── vessels: onboarding ───────────────────────────────────────────────────────────────────────
/** POST /api/vessels/create → 201 { vessel_id, equipment_templates } | 400 invalid IMO number. */
export const CreateVesselRequest = z.object({
  company_id: companyId,
  imo: z.string().max(20),
  name: z.string().min(1).max(100),
  vessel_type: z.enum(['bulk_carrier', 'tanker', 'container', 'offshore_supply', 'ro_ro']),
});
export const CreateVesselResponse = z.object({
  vessel_id: vesselId,
  equipment_templates: z.array(z.object({ equipment_id: z.string(), equipment_type: z.string() })),
});
// GET /api/vessels?company_id=... → { vessels: [{ vessel_id, imo, name, ..., equipment_templates }] };
// GET /api/vessels/:vessel_id/equipment; GET /api/vessels/export → bulk export (CSV).

// ── sync: technicians' offline uploads ────────────────────────────────────────────────────────
export const SyncRecord = z.object({
  equipment_id: z.string().max(100),
  equipment_type: z.string().max(50),
  fields: z.record(z.string(), z.string().max(2000)),
  photos: z.number().int().min(0).max(50),
  /** When the technician edited the record on board (ISO 8601); newer wins field by field. */
  updated_at: z.string(),
  /**
   * Optional: when the technician started documenting this item (ISO 8601); with `updated_at` it
   * gives sms_time_to_complete_seconds{task_type="document_equipment"}.
   */
  started_at: z.string().optional(),
});
/**
 * POST /api/sync/upload (role technician or support) → 200 SyncUploadResponse | 422 checksum
 * mismatch. The checksum covers `records` exactly as sent (`JSON.stringify` of the parsed JSON,
 * key order kept). GET /api/sync/records?vessel_id=... → { records: [...] }.
 */
export const SyncUploadRequest = z.object({
  vessel_id: vesselId,
  tech_id: z.string().regex(/^tech_[a-z0-9]+$/),
  records: z.array(SyncRecord).max(5000),
  /** sha256 hex of JSON.stringify(records). */
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
});
export const SyncUploadResponse = z.object({
  applied: z.number().int(),
  conflicts_merged: z.number().int(),
  quality_score_avg: z.number(),
});

// ── parts-api and payment-processor: the revenue path ─────────────────────────────────────────
/** POST /api/parts/quote → 200 QuoteResponse | 400 invalid (e.g. SQL-injection-like part numbers). */
export const QuoteRequest = z.object({
  company_id: companyId,
  vessel_id: vesselId,
  part_number: z.string().max(200),
  quantity: z.number().int().positive().max(10_000),
  urgency: z.enum(URGENCIES),
});
/** Customer price only: supplier cost and markup never leave parts-api. */
export const QuoteResponse = z.object({
  quote_id: z.string(),
  customer_price_dollars: z.number(),
  valid_until: z.string(),
});
/** POST /api/parts/order → 201 { order_id } | 402 payment declined | 503 payment processor unavailable. */
export const OrderRequest = z.object({
  quote_id: z.string(),
  card_token: z.string().max(100),
  order_type: z.enum(ORDER_TYPES),
});
// GET /api/parts/orders/export?company_id=... → bulk export (large responses).
/**
 * POST /api/payments/charge (payment-processor, service token: parts-api calls it) → 200
 * { payment_id } | 402 declined | 500 processor error. Test cards always declined:
 * `tok_chargeDeclined`, `tok_insufficientFunds`, `tok_expiredCard`.
 */
export const PaymentRequest = z.object({
  order_id: z.string(),
  amount_dollars: z.number().positive(),
  card_token: z.string().max(100),
});

// ── control: fault injection for the simulator (127.0.0.1, not part of the portal) ────────────
/** POST /faults → 204. Faults end by themselves after duration_ms (or DELETE /faults/:id). */
export const FaultRequest = z.discriminatedUnion('kind', [
  /** The service stops listening (connection refused: scrapes fail, `up == 0`), then comes back. */
  z.object({ kind: z.literal('down'), service: z.enum(SERVICE_NAMES), duration_ms: z.number().int().positive() }),
  /** Every request of the service takes extra latency. */
  z.object({
    kind: z.literal('slow'),
    service: z.enum(SERVICE_NAMES),
    extra_latency_ms: z.number().int().positive(),
    duration_ms: z.number().int().positive(),
  }),
  /** The payment processor declines or errors this share of charges. */
  z.object({
    kind: z.literal('payment_failures'),
    failure_ratio: z.number().min(0).max(1),
    duration_ms: z.number().int().positive(),
  }),
  /** The database pool of a service is held busy (db_connection_pool_used near size). */
  z.object({
    kind: z.literal('db_pool_exhaustion'),
    service: z.enum(SERVICE_NAMES),
    duration_ms: z.number().int().positive(),
  }),
]);
export type FaultRequest = z.infer<typeof FaultRequest>;
// GET /faults → { active: [{ id, ...FaultRequest, ends_at }] }; POST's 204 carries `Location: /faults/<id>`;
// DELETE /faults/:id → 204 | 404.

// ── errors: every 4xx/5xx answer of a portal service's /api/ routes has this body ─────────────────
export const ErrorResponse = z.object({
  error: z.string(),
  message: z.string(),
  /** Field path (`records.0.photos`) → messages, for 400 invalid_request. */
  fields: z.record(z.string(), z.array(z.string())).optional(),
});

// ── service to service (Bearer: a service token signed by the portal; not for clients) ────────
/** POST /api/auth/activity — services report the users they saw (sms_user_active). → 204 */
export const ActivityReport = z.object({
  users: z
    .array(z.object({ user_id: z.string().regex(/^usr_[a-z0-9]+$/), seen_at_ms: z.number().int().nonnegative() }))
    .max(10_000),
});
export const USAGE_KINDS = [
  'login',
  'vessel_created',
  'equipment_templates',
  'equipment_documented',
  'sync_upload',
  'parts_quote',
  'parts_order',
] as const;
/** POST /api/billing/usage — services report company usage (churn risk, onboarding progress). → 204 */
export const UsageReport = z.object({
  reports: z
    .array(z.object({ company_id: companyId, kind: z.enum(USAGE_KINDS), count: z.number().int().positive() }))
    .max(10_000),
});
/** POST /api/vessels/company-status — billing tells vessels that a company churned or came back. → 204 */
export const CompanyStatusRequest = z.object({ company_id: companyId, active: z.boolean() });
