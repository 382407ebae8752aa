/**
 * `startPortal`: the reference SMS portal in one process — the six services of contract.ts, each
 * on its own port with its own Telemetry and database, the host exporter, the control server
 * that injects faults, and the notification inbox (HTTP and SMTP) that receives Watchkeeper's
 * alert notifications. The composition root of the demo's services.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_PORTS, SERVICE_NAMES, type ServiceName } from '../contract.js';
import { HostExporter } from '../host-exporter/index.js';
import { NotificationInboxServer } from '../inbox/index.js';
import {
  PORTAL_ENVIRONMENT,
  PORTAL_VERSION,
  SERVICES,
  ServiceHost,
  TokenCodec,
  systemScheduler,
  type PortalEnvironment,
  type Scheduler,
} from '../services/index.js';
import { createControlServer } from './control-server.js';
import { FaultController } from './faults.js';

export type PortalComponent = ServiceName | 'host-exporter' | 'control' | 'inbox' | 'smtp';
/** `inbox` and `smtp` are the notification inbox's HTTP and SMTP sides (not part of the portal, no telemetry). */
export const PORTAL_COMPONENTS: readonly PortalComponent[] = [
  'control',
  ...SERVICE_NAMES,
  'host-exporter',
  'inbox',
  'smtp',
];

const port = z.number().int().min(0).max(65_535);
/** A function option, kept as given (z.function() would wrap it in a validating proxy). */
const fn = <F>(what: string) => z.custom<F>((v) => typeof v === 'function', { message: `Expected ${what}` });
const PortalOptionsSchema = z
  .object({
    /** The control port; the others follow it as in DEFAULT_PORTS. 0: every component on a free port. */
    basePort: port.default(DEFAULT_PORTS.control),
    /** Ports of single components, overriding `basePort`. */
    ports: z.record(z.enum(['control', 'host-exporter', 'inbox', 'smtp', ...SERVICE_NAMES]), port).default({}),
    internalMetricsToken: z.string().min(16),
    logDir: z.string().min(1).optional(),
    /** Unix ms; also the SDK's clock (log timestamps, request durations). @default Date.now */
    now: fn<() => number>('a function returning Unix time in ms').optional(),
    /** Timers and clock of faults, pools and background tasks (a ManualScheduler in tests). */
    scheduler: z
      .custom<Scheduler>((v) => typeof v === 'object' && v !== null && 'setTimeout' in v, {
        message: 'Expected a Scheduler',
      })
      .optional(),
    dbPoolSize: z.number().int().min(1).max(1_000).default(10),
    dbAcquireTimeoutMs: z.number().int().min(1).default(2_000),
    otlpEndpoint: z.string().url().optional(),
    /** Random source in [0, 1) of supplier prices and card declines. @default Math.random */
    random: fn<() => number>('a function returning a number in [0, 1)').optional(),
    tokenSecret: z.instanceof(Buffer).optional(),
    procRoot: z.string().min(1).optional(),
    /** Called with a line for each fault that starts or ends. */
    onFaultChange: fn<(line: string) => void>('a function taking a line of text').optional(),
  })
  .strict();

export type PortalOptions = z.input<typeof PortalOptionsSchema>;

export interface RunningPortal {
  /** Base URL of every component. */
  readonly urls: Readonly<Record<PortalComponent, string>>;
  readonly faults: FaultController;
  /** The services, for tests and the CLI. */
  readonly services: ReadonlyMap<ServiceName, ServiceHost>;
  /** Ends the faults, sends pending reports, closes every listener. Idempotent. */
  stop(): Promise<void>;
}

export class PortalOptionsError extends Error {
  override readonly name = 'PortalOptionsError';
  readonly code = 'WK_DEMO_INVALID_OPTIONS';
}

export function portalPorts(basePort: number, overrides: Partial<Record<PortalComponent, number>> = {}) {
  const ports = {} as Record<PortalComponent, number>;
  for (const component of PORTAL_COMPONENTS) {
    ports[component] =
      overrides[component] ?? (basePort === 0 ? 0 : basePort + DEFAULT_PORTS[component] - DEFAULT_PORTS.control);
  }
  return ports;
}

export async function startPortal(input: PortalOptions): Promise<RunningPortal> {
  const parsed = PortalOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PortalOptionsError(`startPortal: ${issue.path.join('.') || '(options)'}: ${issue.message}`);
  }
  const options = parsed.data;
  const ports = portalPorts(options.basePort, options.ports);
  if (options.logDir !== undefined) mkdirSync(options.logDir, { recursive: true });
  const scheduler = options.scheduler ?? systemScheduler(options.now);
  const hosts = new Map<ServiceName, ServiceHost>();

  const faults = new FaultController(
    {
      setDown: async (service, down) => {
        const host = hosts.get(service);
        if (host === undefined) return;
        await (down ? host.down() : host.up());
      },
      holdPool: (service) => hosts.get(service)?.pool.hold() ?? (() => {}),
    },
    scheduler,
    options.onFaultChange,
  );
  const env: PortalEnvironment = {
    scheduler,
    tokens: new TokenCodec(options.tokenSecret ?? randomBytes(32), () => scheduler.now()),
    internalMetricsToken: options.internalMetricsToken,
    logDir: options.logDir,
    dbPoolSize: options.dbPoolSize,
    dbAcquireTimeoutMs: options.dbAcquireTimeoutMs,
    otlpEndpoint: options.otlpEndpoint,
    // Only an explicit clock reaches the SDK: it also times requests, which a manual test clock would zero.
    telemetryNow: options.now,
    random: options.random ?? Math.random,
    faults,
    peerUrl: (service) => {
      const host = hosts.get(service);
      return host?.port === undefined ? undefined : host.url;
    },
  };

  let hostExporter: HostExporter | undefined;
  let control: ReturnType<typeof createControlServer> | undefined;
  const inbox = new NotificationInboxServer();
  const urls = {} as Record<PortalComponent, string>;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await faults.stop();
      await Promise.allSettled([...hosts.values()].map((h) => h.flushReports(1_000)));
      await control?.close();
      await inbox.close();
      await Promise.allSettled([...hosts.values()].map((h) => h.close()));
      await hostExporter?.close();
    })();
    return stopping;
  };

  try {
    for (const name of SERVICE_NAMES) hosts.set(name, await ServiceHost.create(SERVICES[name], env));
    for (const [name, host] of hosts) {
      await listenOrExplain(name, ports[name], (p) => host.listen(p));
      urls[name] = host.url;
    }
    hostExporter = await HostExporter.create({
      internalMetricsToken: options.internalMetricsToken,
      logDir: options.logDir,
      procRoot: options.procRoot,
      version: PORTAL_VERSION,
      environment: PORTAL_ENVIRONMENT,
    });
    const exporter = hostExporter;
    await listenOrExplain('host-exporter', ports['host-exporter'], (p) => exporter.listen(p));
    urls['host-exporter'] = exporter.url;
    await listenOrExplain('inbox', ports.inbox, (p) => inbox.listenHttp(p));
    urls.inbox = inbox.url;
    await listenOrExplain('smtp', ports.smtp, (p) => inbox.listenSmtp(p));
    urls.smtp = inbox.smtpUrl;
    control = createControlServer(faults, () => ({ ...urls }));
    const controlServer = control;
    await listenOrExplain('control', ports.control, async (p) => {
      await controlServer.listen({ host: '127.0.0.1', port: p });
      const address = controlServer.server.address();
      return typeof address === 'object' && address !== null ? address.port : p;
    }).then((p) => {
      urls.control = `http://127.0.0.1:${p}`;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { urls, faults, services: hosts, stop };
}

async function listenOrExplain(
  component: PortalComponent,
  port: number,
  listen: (port: number) => Promise<number>,
): Promise<number> {
  try {
    return await listen(port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`${component}: port ${port} on 127.0.0.1 is in use; choose other ports with --base-port`, {
        cause: err,
      });
    }
    throw err;
  }
}
