/**
 * Helpers for tests that run the portal for real (HTTP on 127.0.0.1, ports chosen by the OS): start
 * it on a manual scheduler, call its services, sign up a company with one user per role, read
 * Prometheus exposition text.
 */
import { createHash } from 'node:crypto';
import type { ServiceName } from '../contract.js';
import { ManualScheduler } from '../services/index.js';
import { startPortal, type PortalComponent, type PortalOptions, type RunningPortal } from './portal.js';

export const TEST_INTERNAL_TOKEN = 'test-internal-metrics-token-0123456789';

export interface TestPortal extends RunningPortal {
  readonly scheduler: ManualScheduler;
  call(component: PortalComponent, method: string, path: string, options?: CallOptions): Promise<CallResult>;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  /** A body sent as is (JSON content type). */
  body?: string;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  text: string;
  headers: Headers;
  json<T = Record<string, unknown>>(): T;
}

export async function startTestPortal(options: Partial<PortalOptions> = {}): Promise<TestPortal> {
  const scheduler = new ManualScheduler();
  const portal = await startPortal({
    basePort: 0,
    internalMetricsToken: TEST_INTERNAL_TOKEN,
    scheduler,
    dbPoolSize: 4,
    // No random card declines, steady supplier prices.
    random: () => 0.5,
    ...options,
  });
  const call = async (
    component: PortalComponent,
    method: string,
    path: string,
    o: CallOptions = {},
  ): Promise<CallResult> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token !== undefined) headers['authorization'] = `Bearer ${o.token}`;
    const body = o.body ?? (o.json === undefined ? undefined : JSON.stringify(o.json));
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${portal.urls[component]}${path}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, text, headers: res.headers, json: <T>() => JSON.parse(text) as T };
  };
  return Object.assign(portal, { scheduler, call });
}

export interface TestCompany {
  companyId: string;
  name: string;
  /** A session token per role. */
  tokens: Record<'technician' | 'fleet_manager' | 'purchaser' | 'customer_admin' | 'support', string>;
}

let companies = 0;

/** Signs a company up (billing), creates one user per role (auth) and logs each in. */
export async function signUpCompany(
  portal: TestPortal,
  tier: 'basic' | 'professional' | 'enterprise' = 'professional',
): Promise<TestCompany> {
  const n = ++companies;
  const companyId = `cmp_test${n}${Date.now().toString(36)}`;
  const name = `Test Shipping ${n}`;
  const created = await portal.call('billing', 'POST', '/api/companies', {
    json: { company_id: companyId, name, tier },
  });
  if (created.status !== 201) throw new Error(`sign-up failed: ${created.status} ${created.text}`);
  const tokens = {} as TestCompany['tokens'];
  for (const role of ['technician', 'fleet_manager', 'purchaser', 'customer_admin', 'support'] as const) {
    const username = `${role}-${companyId}`;
    const user = await portal.call('auth', 'POST', '/api/auth/users', {
      json: { username, password: 'correct horse battery', role, company_id: companyId, company: name },
    });
    if (user.status !== 201) throw new Error(`user creation failed: ${user.status} ${user.text}`);
    const login = await portal.call('auth', 'POST', '/api/auth/login', {
      json: { username, password: 'correct horse battery', platform: role === 'technician' ? 'offline_app' : 'web' },
    });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
    tokens[role] = login.json<{ token: string }>().token;
  }
  return { companyId, name, tokens };
}

/** Onboards a vessel with a valid IMO number; returns its id and equipment. */
export async function onboardVessel(portal: TestPortal, company: TestCompany, imo: string) {
  const res = await portal.call('vessels', 'POST', '/api/vessels/create', {
    token: company.tokens.fleet_manager,
    json: { company_id: company.companyId, imo, name: `MV ${imo}`, vessel_type: 'bulk_carrier' },
  });
  if (res.status !== 201) throw new Error(`onboarding failed: ${res.status} ${res.text}`);
  return res.json<{ vessel_id: string; equipment_templates: { equipment_id: string; equipment_type: string }[] }>();
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The sum of the values of the series of `name` whose labels include `labels`, in Prometheus text
 * exposition; 0 when there is none.
 */
export function metricValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const text = match[3] ?? '';
    if (Object.entries(labels).every(([k, v]) => text.includes(`${k}="${v}"`))) sum += Number(match[4]);
  }
  return sum;
}

export async function scrape(portal: TestPortal, component: ServiceName | 'host-exporter'): Promise<string> {
  const res = await portal.call(component, 'GET', '/metrics');
  if (res.status !== 200) throw new Error(`${component} /metrics answered ${res.status}`);
  return res.text;
}

export async function scrapeInternal(portal: TestPortal, component: ServiceName): Promise<string> {
  const res = await portal.call(component, 'GET', '/internal/metrics', { token: TEST_INTERNAL_TOKEN });
  if (res.status !== 200) throw new Error(`${component} /internal/metrics answered ${res.status}`);
  return res.text;
}

/** The metric names of the samples in an exposition. */
export function metricNames(exposition: string): string[] {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{\s]/.exec(line);
    if (match !== null) names.add(match[1]!);
  }
  return [...names];
}
