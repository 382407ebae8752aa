/**
 * For the simulator's tests: a small in-memory implementation of the portal's HTTP contract
 * (contract.ts) — request validation with the contract's schemas, sessions, roles, IMO check
 * digits, checksums, declined cards — that records every request. It runs behind a fake
 * `HttpTransport` (no sockets) or behind real fastify servers on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  CancelSubscriptionRequest,
  ChangeSubscriptionRequest,
  CreateCompanyRequest,
  CreateUserRequest,
  CreateVesselRequest,
  ACCESS,
  FaultRequest,
  LoginRequest,
  OrderRequest,
  QuoteRequest,
  SERVICE_NAMES,
  SyncUploadRequest,
  type ServiceName,
} from '../contract.js';
import type { HttpResult, HttpTransport, PortalUrls } from './http.js';
import { isValidImo } from './imo.js';
import { DECLINED_CARD_TOKENS } from './planner.js';

export type Target = ServiceName | 'control';

/** One request the stub served. */
export interface RecordedRequest {
  readonly service: Target;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly token: string | undefined;
  /** The parsed JSON body, if any. */
  readonly body: unknown;
  readonly bodyBytes: number;
  readonly status: number;
  /** The stub's clock when the request arrived (the simulated time in tests). */
  readonly atMs: number;
}

interface StubUser {
  readonly username: string;
  readonly password: string;
  readonly role: string;
  readonly companyId: string;
}

interface StubResponse {
  readonly status: number;
  readonly body: string;
}

const PART_NUMBER = /^[A-Z0-9][A-Z0-9-]{2,40}$/;
const COMPANY_ID = /^cmp_[a-z0-9]+$/;
const EQUIPMENT_TYPES = [
  'main_engine',
  'generator',
  'boiler',
  'ballast_pump',
  'fire_pump',
  'radar',
  'lifeboat',
  'crane',
];

/** The in-memory portal. */
export class StubPortal {
  readonly requests: RecordedRequest[] = [];
  readonly #now: () => number;
  readonly #users = new Map<string, StubUser>();
  readonly #sessions = new Map<string, StubUser>();
  readonly #companies = new Set<string>();
  readonly #vessels = new Map<string, { vesselId: string; imo: string; companyId: string; name: string }>();
  readonly #quotes = new Map<string, string>();
  readonly #lastEditor = new Map<string, string>();
  #seq = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Serves one request. */
  handle(
    service: Target,
    method: string,
    url: string,
    headers: Readonly<Record<string, string>>,
    raw?: string,
  ): StubResponse {
    const parsedUrl = new URL(url, 'http://stub');
    const auth = headers['authorization'] ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    let body: unknown;
    let response: StubResponse;
    try {
      body = raw === undefined || raw === '' ? undefined : JSON.parse(raw);
      response = this.#route(service, method, parsedUrl.pathname, parsedUrl.searchParams, token, body);
    } catch {
      response = json(400, { error: 'invalid JSON' });
    }
    this.requests.push({
      service,
      method,
      path: parsedUrl.pathname,
      query: parsedUrl.searchParams,
      token,
      body,
      bodyBytes: Buffer.byteLength(raw ?? ''),
      status: response.status,
      atMs: this.#now(),
    });
    return response;
  }

  /** A transport that hands requests to this stub without sockets. */
  transport(urls: PortalUrls, options: { unreachable?: (service: Target) => boolean } = {}): HttpTransport {
    const byOrigin = new Map<string, Target>();
    for (const [name, url] of Object.entries(urls)) byOrigin.set(new URL(url).origin, name as Target);
    return {
      request: async (req): Promise<HttpResult> => {
        const url = new URL(req.url);
        const service = byOrigin.get(url.origin);
        if (service === undefined || options.unreachable?.(service))
          return { kind: 'unreachable', message: 'ECONNREFUSED' };
        const res = this.handle(service, req.method, `${url.pathname}${url.search}`, req.headers, req.body);
        const sizeBytes = Buffer.byteLength(res.body);
        return { kind: 'response', status: res.status, body: req.discardBody ? '' : res.body, sizeBytes };
      },
    };
  }

  #user(token: string | undefined): StubUser | undefined {
    return token === undefined ? undefined : this.#sessions.get(token);
  }

  #route(
    service: Target,
    method: string,
    path: string,
    query: URLSearchParams,
    token: string | undefined,
    body: unknown,
  ): StubResponse {
    const route = `${service} ${method} ${path}`;
    if (route === 'control POST /faults') return FaultRequest.safeParse(body).success ? empty(204) : json(400, {});
    if (route === 'auth POST /api/auth/users') {
      const req = CreateUserRequest.safeParse(body);
      if (!req.success) return json(400, {});
      if (this.#users.has(req.data.username)) return json(409, {});
      this.#users.set(req.data.username, { ...req.data, companyId: req.data.company_id });
      return json(201, { user_id: `usr_${++this.#seq}` });
    }
    if (route === 'auth POST /api/auth/login') {
      const req = LoginRequest.safeParse(body);
      if (!req.success) return json(400, {});
      const user = this.#users.get(req.data.username);
      if (user === undefined || user.password !== req.data.password) return json(401, { error: 'invalid credentials' });
      const newToken = `t${++this.#seq}`;
      this.#sessions.set(newToken, user);
      return json(200, {
        token: newToken,
        role: user.role,
        company_id: user.companyId,
        expires_at: '2099-01-01T00:00:00Z',
      });
    }
    if (route === 'billing POST /api/companies') {
      const req = CreateCompanyRequest.safeParse(body);
      if (!req.success) return json(400, {});
      if (this.#companies.has(req.data.company_id)) return json(409, {});
      this.#companies.add(req.data.company_id);
      return json(201, {});
    }

    const user = this.#user(token);
    if (user === undefined) return json(401, { error: 'no session' });
    const endpoint = `${method} ${path.replace(/\/(cmp|vsl)_[a-z0-9]+/, (_m, kind: string) => (kind === 'cmp' ? '/:company_id' : '/:vessel_id'))}`;
    const access = (ACCESS as Readonly<Record<string, 'public' | readonly string[]>>)[endpoint];
    if (access === undefined) return json(404, { error: `no route ${endpoint}` });
    if (access !== 'public' && !access.includes(user.role)) return json(403, { error: 'role' });
    if (route === 'auth POST /api/auth/logout') {
      if (token !== undefined) this.#sessions.delete(token);
      return empty(204);
    }
    const subscription = /^billing (PUT|DELETE) \/api\/companies\/([^/]+)\/subscription$/.exec(route);
    if (subscription) {
      const schema = subscription[1] === 'PUT' ? ChangeSubscriptionRequest : CancelSubscriptionRequest;
      if (!schema.safeParse(body).success) return json(400, {});
      if (user.role !== 'customer_admin' || user.companyId !== subscription[2]) return json(403, {});
      return json(200, {});
    }
    const own = (companyId: string | null): boolean => companyId === null || companyId === user.companyId;
    if (endpoint === 'GET /api/companies/:company_id')
      return own(path.split('/')[3] ?? '') ? json(200, {}) : json(403, {});
    if (endpoint === 'GET /api/parts/quotes')
      return own(query.get('company_id')) ? json(200, { quotes: [] }) : json(403, {});
    if (endpoint === 'GET /api/vessels/:vessel_id/equipment' || endpoint === 'GET /api/sync/records') {
      const vesselId = endpoint === 'GET /api/sync/records' ? query.get('vessel_id') : path.split('/')[3];
      const vessel = [...this.#vessels.values()].find((v) => v.vesselId === vesselId);
      if (vessel === undefined) return json(404, {});
      return vessel.companyId === user.companyId ? json(200, { equipment: [], records: [] }) : json(403, {});
    }
    if (method === 'GET' && path.endsWith('/export')) {
      const companyId = query.get('company_id');
      if (companyId !== null && companyId !== user.companyId) return json(403, {});
      return { status: 200, body: 'id,name,value\n'.padEnd(40_000, 'x') };
    }
    if (route === 'vessels POST /api/vessels/create') {
      const req = CreateVesselRequest.safeParse(body);
      if (!req.success || !isValidImo(req.data.imo)) return json(400, { error: 'invalid IMO number' });
      if (req.data.company_id !== user.companyId) return json(403, {});
      if (this.#vessels.has(req.data.imo)) return json(409, {});
      const vesselId = `vsl_${++this.#seq}`;
      this.#vessels.set(req.data.imo, {
        vesselId,
        imo: req.data.imo,
        companyId: req.data.company_id,
        name: req.data.name,
      });
      const equipment_templates = EQUIPMENT_TYPES.map((t, i) => ({
        equipment_id: `${vesselId}_eq${i}`,
        equipment_type: t,
      }));
      return json(201, { vessel_id: vesselId, equipment_templates });
    }
    if (route === 'vessels GET /api/vessels') {
      const companyId = query.get('company_id') ?? '';
      if (!COMPANY_ID.test(companyId)) return json(400, {});
      if (companyId !== user.companyId) return json(403, {});
      const vessels = [...this.#vessels.values()].filter((v) => v.companyId === companyId);
      return json(200, { vessels: vessels.map((v) => ({ vessel_id: v.vesselId, imo: v.imo, name: v.name })) });
    }
    if (route === 'sync POST /api/sync/upload') {
      const req = SyncUploadRequest.safeParse(body);
      if (!req.success) return json(400, {});
      if (user.role !== 'technician') return json(403, {});
      // Over the records as the schema parsed them: the simulator must send keys in the schema's order.
      const checksum = createHash('sha256').update(JSON.stringify(req.data.records)).digest('hex');
      if (checksum !== req.data.checksum) return json(422, { error: 'checksum mismatch' });
      let conflicts = 0;
      for (const r of req.data.records) {
        const last = this.#lastEditor.get(r.equipment_id);
        if (last !== undefined && last !== req.data.tech_id) conflicts++;
        this.#lastEditor.set(r.equipment_id, req.data.tech_id);
      }
      return json(200, { applied: req.data.records.length, conflicts_merged: conflicts, quality_score_avg: 0.8 });
    }
    if (route === 'parts-api POST /api/parts/quote') {
      const req = QuoteRequest.safeParse(body);
      if (!req.success || !PART_NUMBER.test(req.data.part_number)) return json(400, { error: 'invalid part number' });
      if (user.role === 'technician' || req.data.company_id !== user.companyId) return json(403, {});
      const quoteId = `q${++this.#seq}`;
      this.#quotes.set(quoteId, user.companyId);
      return json(200, { quote_id: quoteId, customer_price_dollars: 120.5, valid_until: '2099-01-01T00:00:00Z' });
    }
    if (route === 'parts-api POST /api/parts/order') {
      const req = OrderRequest.safeParse(body);
      if (!req.success) return json(400, {});
      if (user.role === 'technician') return json(403, {});
      if (this.#quotes.get(req.data.quote_id) !== user.companyId) return json(404, {});
      if ((DECLINED_CARD_TOKENS as readonly string[]).includes(req.data.card_token))
        return json(402, { error: 'declined' });
      return json(201, { order_id: `ord_${++this.#seq}` });
    }
    return json(404, { error: `no route ${route}` });
  }
}

function json(status: number, value: unknown): StubResponse {
  return { status, body: JSON.stringify(value) };
}

function empty(status: number): StubResponse {
  return { status, body: '' };
}

/** Real HTTP servers for a stub: one fastify instance per service and the control API, on 127.0.0.1:0. */
export async function startStubServers(stub: StubPortal): Promise<{ urls: PortalUrls; close: () => Promise<void> }> {
  const apps: FastifyInstance[] = [];
  const urls: Partial<Record<Target, string>> = {};
  try {
    for (const service of [...SERVICE_NAMES, 'control'] as const) {
      const app = Fastify();
      apps.push(app);
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', { parseAs: 'string' }, (_req, text, done) => done(null, text));
      app.all('/*', async (request, reply) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(request.headers)) if (typeof v === 'string') headers[k] = v;
        const raw = typeof request.body === 'string' ? request.body : undefined;
        const res = stub.handle(service, request.method, request.url, headers, raw);
        return reply.code(res.status).header('content-type', 'application/json').send(res.body);
      });
      urls[service] = await app.listen({ host: '127.0.0.1', port: 0 });
    }
  } catch (err) {
    await Promise.all(apps.map((a) => a.close()));
    throw err;
  }
  return { urls: urls as PortalUrls, close: async () => void (await Promise.all(apps.map((a) => a.close()))) };
}
