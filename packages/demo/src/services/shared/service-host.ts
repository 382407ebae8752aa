/**
 * What every portal service shares: its own fastify instance on its own node HTTP server, its own
 * Telemetry (service label = its name), its own in-memory database behind a pool, token
 * validation against contract.ts's ACCESS table, error answers, peers, reports, and the switches
 * the fault controller flips (listener down and up, pool held, extra latency).
 *
 * A service is a `ServiceDefinition`: its schema and a `setup` that adds its routes to the
 * `ServiceContext` it is given. Instrumentation goes through the SDK only.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createTelemetry, JOURNEYS, type Telemetry } from '@watchkeeper/sdk';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ACCESS, type Endpoint, type ServiceName } from '../../contract.js';
import { DbPool } from './db-pool.js';
import { PortalError, errorBody, type PortalErrorCode } from './errors.js';
import { PeerClient } from './peers.js';
import { ActivityRecorder, UsageRecorder } from './reporters.js';
import type { Scheduler, TimerHandle } from './scheduler.js';
import type { ServiceClaims, TokenCodec, UserClaims } from './tokens.js';

/** The version every portal service reports (`version` label). */
export const PORTAL_VERSION = '1.0.0';
/** The `environment` label of the portal's series. */
export const PORTAL_ENVIRONMENT = 'demo';
const LISTEN_HOST = '127.0.0.1';
const REPORT_INTERVAL_MS = 10_000;

/** What the fault controller makes services feel, read on every request. */
export interface FaultView {
  extraLatencyMs(service: ServiceName): number;
  /** The share of charges the payment processor fails while a fault says so; undefined otherwise. */
  paymentFailureRatio(): number | undefined;
}

/** What all services of one portal share. */
export interface PortalEnvironment {
  readonly scheduler: Scheduler;
  readonly tokens: TokenCodec;
  readonly internalMetricsToken: string;
  /** Each service logs to `<logDir>/<service>.log`; undefined: logs are discarded. */
  readonly logDir: string | undefined;
  readonly dbPoolSize: number;
  readonly dbAcquireTimeoutMs: number;
  /** OTLP/HTTP traces endpoint; undefined: spans are not exported. */
  readonly otlpEndpoint: string | undefined;
  /** Passed to the SDK only when the portal runs on a replaced clock. */
  readonly telemetryNow: (() => number) | undefined;
  /** Random source in [0, 1) for the simulated parts of the world (supplier noise, card declines). */
  readonly random: () => number;
  readonly faults: FaultView;
  peerUrl(service: ServiceName): string | undefined;
}

export interface ServiceDefinition {
  readonly name: ServiceName;
  /** DDL of the service's database. */
  readonly schema: string;
  /** Largest request body; @default 1 MiB */
  readonly bodyLimitBytes?: number;
  setup(ctx: ServiceContext): void | Promise<void>;
}

export interface AuthenticateOptions {
  /** The company the request acts for: a user of another company gets 403 (support excepted). */
  readonly companyId?: string;
  /** The span of the check; @default 'Auth.validateToken' */
  readonly spanName?: string;
}

export interface ServiceContext {
  readonly name: ServiceName;
  readonly app: FastifyInstance;
  readonly t: Telemetry;
  readonly pool: DbPool;
  readonly env: PortalEnvironment;
  readonly peers: PeerClient;
  readonly activity: ActivityRecorder;
  readonly usage: UsageRecorder;
  now(): number;
  /**
   * Validates the bearer token (span `Auth.validateToken`) and the caller's role for `endpoint`
   * (401, 403), and with `options.companyId` the company too.
   */
  authenticate(request: FastifyRequest, endpoint: Endpoint, options?: AuthenticateOptions): Promise<UserClaims>;
  /** 403 unless the user may act for `companyId` (their own company; support: any). */
  assertCompany(claims: UserClaims, companyId: string, endpoint: Endpoint): void;
  /** Accepts only another portal service's token. */
  authenticateService(request: FastifyRequest): ServiceClaims;
  /** Counts `errors_total{type}` for an error the service handled itself. */
  countError(type: string): void;
  /** Runs before every /metrics and /internal/metrics answer (gauges computed from the database). */
  onScrape(refresh: () => void): void;
  /** Runs `task` every `intervalMs` on the portal's scheduler until the service stops. */
  every(intervalMs: number, task: () => void | Promise<void>): void;
  onClose(task: () => void | Promise<void>): void;
}

/**
 * Which PortalErrors the host counts in errors_total, under which type. 5xx answers are not here:
 * the SDK counts every 5xx response as `errors_total{type="http_5xx"}`; their cause is logged.
 */
const COUNTED_ERRORS: Partial<Record<PortalErrorCode, string>> = {
  rejected_input: 'rejected_input',
  checksum_mismatch: 'checksum_mismatch',
};

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

export class ServiceHost {
  readonly name: ServiceName;
  readonly telemetry: Telemetry;
  readonly app: FastifyInstance;
  readonly pool: DbPool;
  readonly peers: PeerClient;
  readonly #server: Server;
  readonly #env: PortalEnvironment;
  readonly #timers: TimerHandle[] = [];
  readonly #closeTasks: (() => void | Promise<void>)[] = [];
  readonly #activity: ActivityRecorder;
  readonly #usage: UsageRecorder;
  #port: number | undefined;
  #listening = false;
  #transition: Promise<void> = Promise.resolve();
  #closed = false;
  /** The authenticated user of a request, for logs of its errors. */
  readonly #users = new WeakMap<FastifyRequest, UserClaims>();

  private constructor(definition: ServiceDefinition, env: PortalEnvironment) {
    this.name = definition.name;
    this.#env = env;
    this.telemetry = createTelemetry({
      service: definition.name,
      version: PORTAL_VERSION,
      environment: PORTAL_ENVIRONMENT,
      internalMetricsToken: env.internalMetricsToken,
      log: {
        level: 'info',
        destination: env.logDir === undefined ? discard() : join(env.logDir, `${definition.name}.log`),
      },
      ...(env.otlpEndpoint === undefined ? {} : { tracing: { otlpEndpoint: env.otlpEndpoint } }),
      ...(env.telemetryNow === undefined ? {} : { now: env.telemetryNow }),
    });
    const t = this.telemetry;
    const poolSize = t.gauge('db_connection_pool_size');
    const poolUsed = t.gauge('db_connection_pool_used');
    const queryDuration = t.histogram('db_query_duration_seconds');
    const transactionDuration = t.histogram('db_transaction_duration_seconds');
    const poolName = 'primary';
    this.pool = new DbPool({
      name: poolName,
      size: env.dbPoolSize,
      acquireTimeoutMs: env.dbAcquireTimeoutMs,
      schema: definition.schema,
      scheduler: env.scheduler,
      observer: {
        used: (used, size) => {
          poolUsed.set({ pool_name: poolName }, used);
          poolSize.set({ pool_name: poolName }, size);
        },
        query: (queryType, table, seconds) => queryDuration.observe({ query_type: queryType, table }, seconds),
        transaction: (transactionType, seconds) =>
          transactionDuration.observe({ transaction_type: transactionType }, seconds),
      },
    });
    this.peers = new PeerClient({
      self: definition.name,
      telemetry: t,
      tokens: env.tokens,
      peerUrl: (s) => env.peerUrl(s),
    });
    this.#activity = new ActivityRecorder(this.peers);
    this.#usage = new UsageRecorder(this.peers);
    this.app = Fastify({
      logger: false,
      bodyLimit: definition.bodyLimitBytes ?? 1_048_576,
      // Our own node server: the `down` fault closes and reopens it under the same fastify app.
      serverFactory: (handler) => createServer(handler),
    });
    this.#server = this.app.server;
  }

  /** Builds the service: telemetry, database, routes. It listens only when `listen` is called. */
  static async create(definition: ServiceDefinition, env: PortalEnvironment): Promise<ServiceHost> {
    const host = new ServiceHost(definition, env);
    await host.#setup(definition);
    return host;
  }

  get port(): number | undefined {
    return this.#port;
  }

  get listening(): boolean {
    return this.#listening;
  }

  get url(): string {
    if (this.#port === undefined) throw new Error(`${this.name} has not listened yet`);
    return `http://${LISTEN_HOST}:${this.#port}`;
  }

  /** Listens on 127.0.0.1:`port` (0: any free port, kept for later `up()`s). */
  listen(port: number): Promise<number> {
    return this.#serialize(async () => {
      await this.#listenOn(port);
    }).then(() => this.#port!);
  }

  /** Stops accepting connections and drops open ones: clients see connection refused. */
  down(): Promise<void> {
    return this.#serialize(async () => {
      if (!this.#listening) return;
      this.#listening = false;
      const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      this.#server.closeAllConnections();
      await closed;
      this.telemetry.logger.warn({ port: this.#port }, 'Listener closed (fault: down)');
    });
  }

  /** Listens again on the same port after `down`. */
  up(): Promise<void> {
    return this.#serialize(async () => {
      if (this.#listening || this.#closed || this.#port === undefined) return;
      await this.#listenOn(this.#port);
      this.telemetry.logger.info({ port: this.#port }, 'Listening again');
    });
  }

  /** Sends pending reports to peers (best effort, bounded by `timeoutMs`). */
  async flushReports(timeoutMs = 1_000): Promise<void> {
    await this.#activity.flush();
    this.#usage.flush();
    await this.peers.flush(timeoutMs);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers.splice(0)) this.#env.scheduler.clear(timer);
    for (const task of this.#closeTasks.splice(0)) await task();
    await this.#transition;
    if (this.#listening) {
      this.#listening = false;
      const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      this.#server.closeAllConnections();
      await closed;
    }
    await this.app.close();
    await this.telemetry.shutdown();
    this.pool.close();
  }

  #serialize(step: () => Promise<void>): Promise<void> {
    const next = this.#transition.then(step);
    this.#transition = next.catch(() => {});
    return next;
  }

  async #listenOn(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#server.once('error', onError);
      this.#server.listen(port, LISTEN_HOST, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    const address = this.#server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : port;
    this.#listening = true;
  }

  async #setup(definition: ServiceDefinition): Promise<void> {
    const { app, telemetry: t, pool } = this;
    const env = this.#env;
    const errors = t.counter('errors_total');
    const scrapeHooks: (() => void)[] = [];

    // Before any route: hooks apply to the routes registered after them.
    app.addHook('onRequest', async (request) => {
      const path = request.url.split('?', 1)[0];
      if (path !== '/metrics' && path !== '/internal/metrics') return;
      for (const refresh of scrapeHooks) {
        try {
          refresh();
        } catch (err) {
          t.logger.error({ err }, 'Refreshing gauges before a scrape failed');
        }
      }
    });
    // preHandler runs after the SDK's onRequest timing starts, so the latency is measured.
    app.addHook('preHandler', async (request) => {
      const extraMs = env.faults.extraLatencyMs(this.name);
      if (extraMs > 0 && request.url.startsWith('/api/')) await new Promise((r) => setTimeout(r, extraMs));
    });
    const sendPortalError = (err: PortalError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
      const type = COUNTED_ERRORS[err.code];
      if (type !== undefined) errors.inc({ type });
      if (err.code === 'rejected_input') {
        const user = this.#users.get(request);
        t.logger.warn(
          {
            security: 'suspicious_input',
            user_id: user?.userId,
            company_id: user?.companyId,
            context: { endpoint: request.routeOptions.url, method: request.method },
            rejected: err.rejectedValues,
          },
          `Security: rejected input (${err.message})`,
        );
      }
      if (err.status >= 500) t.logger.error({ err, context: { endpoint: request.routeOptions.url } }, err.message);
      return reply.code(err.status).send(errorBody(err));
    };
    // A handler's PortalError is an answer, not a crash: it becomes the reply here, inside the
    // handler, so the SDK's onError hook (which counts thrown errors) does not see it.
    app.addHook('onRoute', (route) => {
      const handler = route.handler as (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => unknown;
      route.handler = async function portalErrors(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
        try {
          return await handler.call(this, request, reply);
        } catch (err) {
          if (err instanceof PortalError) return sendPortalError(err, request, reply);
          throw err;
        }
      };
    });
    app.setErrorHandler((err: FastifyError | PortalError, request: FastifyRequest, reply: FastifyReply) => {
      if (err instanceof PortalError) return sendPortalError(err, request, reply);
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
      if (status < 500) {
        return reply.code(status).send({ error: 'invalid_request', message: err.message });
      }
      t.logger.error({ err, context: { endpoint: request.routeOptions.url } }, 'Unhandled error');
      return reply.code(500).send({ error: 'internal', message: 'Internal error' });
    });

    await t.instrumentFastify(app);
    t.addReadinessCheck('database', () => pool.tryQuery((sql) => sql.get('SELECT 1 AS ok')) !== undefined);

    const ctx: ServiceContext = {
      name: this.name,
      app,
      t,
      pool,
      env,
      peers: this.peers,
      activity: this.#activity,
      usage: this.#usage,
      now: () => env.scheduler.now(),
      authenticate: (request, endpoint, options) => this.#authenticate(request, endpoint, options),
      assertCompany: (claims, companyId, endpoint) => this.#assertCompany(claims, companyId, endpoint),
      authenticateService: (request) => {
        const token = bearerToken(request);
        const check = token === undefined ? undefined : env.tokens.verify(token);
        if (check === undefined || !check.ok) throw new PortalError('unauthenticated', 'A service token is required');
        if (check.claims.kind !== 'service') throw new PortalError('forbidden', 'Only portal services may call this');
        return check.claims;
      },
      countError: (type) => errors.inc({ type }),
      onScrape: (refresh) => scrapeHooks.push(refresh),
      every: (intervalMs, task) => {
        this.#timers.push(
          env.scheduler.setInterval(() => {
            Promise.resolve()
              .then(task)
              .catch((err: unknown) => t.logger.error({ err }, 'Background task failed'));
          }, intervalMs),
        );
      },
      onClose: (task) => this.#closeTasks.push(task),
    };
    ctx.every(REPORT_INTERVAL_MS, () => this.flushReports(3_000));
    await definition.setup(ctx);
    await app.ready();
  }

  async #authenticate(
    request: FastifyRequest,
    endpoint: Endpoint,
    options: AuthenticateOptions = {},
  ): Promise<UserClaims> {
    const env = this.#env;
    const t = this.telemetry;
    const claims = await t.span(options.spanName ?? JOURNEYS.partsOrdering.spans.authValidateToken, async (span) => {
      const token = bearerToken(request);
      if (token === undefined) throw new PortalError('unauthenticated', 'Authorization: Bearer <token> is required');
      const check = env.tokens.verify(token);
      if (!check.ok) throw new PortalError('unauthenticated', `The token is not valid (${check.reason})`);
      if (check.claims.kind !== 'user') throw new PortalError('forbidden', 'A user token is required');
      span.setAttribute('enduser.role', check.claims.role);
      return check.claims;
    });
    this.#activity.record(claims.userId, env.scheduler.now());
    this.#users.set(request, claims);
    const access = ACCESS[endpoint];
    if (access !== 'public' && !(access as readonly string[]).includes(claims.role)) {
      t.logger.warn(
        { user_id: claims.userId, company_id: claims.companyId, role: claims.role, endpoint },
        'Forbidden: role not allowed',
      );
      throw new PortalError('forbidden', `The role ${claims.role} may not call ${endpoint}`);
    }
    if (options.companyId !== undefined) this.#assertCompany(claims, options.companyId, endpoint);
    return claims;
  }

  #assertCompany(claims: UserClaims, companyId: string, endpoint: Endpoint): void {
    if (claims.role === 'support' || claims.companyId === companyId) return;
    this.telemetry.logger.warn(
      {
        user_id: claims.userId,
        company_id: claims.companyId,
        role: claims.role,
        endpoint,
        target_company_id: companyId,
      },
      'Forbidden: another company',
    );
    throw new PortalError('forbidden', `A user of ${claims.companyId} may not act for ${companyId}`);
  }
}
