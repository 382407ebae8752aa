/**
 * The scrape manager: one scrape pool per job of `scrape_configs`, reconfigured in place, and the
 * state of every target for `/api/v1/targets`. Everything waits on the given Clock; nothing throws
 * into the caller after construction (bad targets, payloads and files are logged and counted).
 */
import type { Registry } from 'prom-client';
import type { ResolvedScrapeConfig } from '../../config/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Appendable } from '../../tsdb/index.js';
import { type ScrapeLogger, silentLogger } from './logger.js';
import type { LoopContext, ScrapeLoop } from './loop.js';
import { ScrapeMetrics } from './metrics.js';
import { ScrapePool } from './pool.js';
import { SCRAPE_INTERVAL_LABEL, SCRAPE_TIMEOUT_LABEL, type Target } from './target.js';

export interface ScrapeManagerOptions {
  /** Where scraped samples go: one `appender()` batch per scrape. */
  appendable: Appendable;
  clock: Clock;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** pino-compatible. @default silent */
  logger?: ScrapeLogger;
  /** The manager's self-metrics; when absent they are created in `registry`. */
  metrics?: ScrapeMetrics;
  /** Registry for self-metrics created by the manager. @default a private registry */
  registry?: Registry;
  /** @default 'Watchkeeper' */
  userAgent?: string;
  /**
   * How Watchkeeper is reached from outside, for the targets' `globalUrl` (Prometheus's
   * GlobalURLOptions): loopback targets get this host instead of `localhost`. Without it,
   * `globalUrl` equals `scrapeUrl`.
   */
  globalUrl?: GlobalUrlOptions;
}

export interface GlobalUrlOptions {
  /** `host:port` of the external URL. */
  host: string;
  /** @default 'http' */
  scheme?: string;
  /** The port Watchkeeper listens on: a loopback target on it is Watchkeeper itself. */
  listenPort?: number;
}

/** One active target as `/api/v1/targets` returns it (Prometheus 2.42's shape). */
export interface ActiveTargetInfo {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  /** RFC 3339 (Go's zero time `0001-01-01T00:00:00Z` before the first scrape). */
  lastScrape: string;
  /** Seconds. */
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
  scrapeInterval: string;
  scrapeTimeout: string;
}

/** One metric family's metadata as `/api/v1/metadata` returns it. */
export interface MetricMetadataInfo {
  type: string;
  help: string;
  unit: string;
}

/** A target that relabeling dropped. */
export interface DroppedTargetInfo {
  discoveredLabels: Record<string, string>;
}

export interface TargetDiscovery {
  activeTargets: ActiveTargetInfo[];
  droppedTargets: DroppedTargetInfo[];
}

export interface TargetsFilter {
  /** As the API's `state` parameter. @default 'any' */
  state?: 'active' | 'dropped' | 'any';
  /** Only this job. */
  scrapePool?: string;
}

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Scrapes the targets of `scrape_configs` into storage, as Prometheus does.
 *
 * @example
 * const manager = new ScrapeManager({ appendable: storage, clock: systemClock, registry });
 * await manager.applyConfig(config.scrapeConfigs);
 * // ... on reload: await manager.applyConfig(next.scrapeConfigs); on shutdown: await manager.stop();
 */
export class ScrapeManager {
  private readonly ctx: LoopContext;
  private readonly globalUrlOptions: GlobalUrlOptions | undefined;
  private readonly pools = new Map<string, ScrapePool>();
  /** Loops stopped with end-of-run staleness markers still to write. */
  private readonly retiring = new Set<ScrapeLoop>();
  private readonly pending = new Set<Promise<unknown>>();
  private configChain: Promise<void> = Promise.resolve();
  private stopped = false;
  readonly metrics: ScrapeMetrics;

  constructor(options: ScrapeManagerOptions) {
    this.metrics = options.metrics ?? new ScrapeMetrics(options.registry);
    this.globalUrlOptions = options.globalUrl;
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.ctx = {
      appendable: options.appendable,
      clock: options.clock,
      fetch: fetchImpl,
      logger: options.logger ?? silentLogger,
      metrics: this.metrics,
      userAgent: options.userAgent ?? 'Watchkeeper',
      track: (work) => this.track(work),
    };
  }

  /**
   * Makes the scraped jobs those of `configs`: new jobs start, removed ones stop (their series get
   * staleness markers), changed ones are reconfigured in place (targets that stay keep scraping on
   * their schedule). Resolves once the first discovery of every job is done; never rejects.
   */
  applyConfig(configs: readonly ResolvedScrapeConfig[]): Promise<void> {
    const work = this.configChain
      .then(() => this.doApplyConfig(configs))
      .catch((err: unknown) => this.ctx.logger.error({ err }, 'applying the scrape configuration failed'));
    this.configChain = work;
    this.track(work);
    return work;
  }

  /**
   * Resolves when no scrape, discovery refresh or staleness write is in flight. Tests move a
   * `ManualClock` one interval at a time and await this: a scrape whose target hangs completes
   * only when the clock reaches its timeout.
   */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stops every pool without staleness markers (Prometheus writes none at shutdown). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.configChain;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.stop(false)));
    for (const loop of this.retiring) loop.cancelPendingStaleness();
    this.retiring.clear();
    await this.settled();
  }

  /** The targets, for `/api/v1/targets`: pools in name order, targets by URL. */
  targets(filter: TargetsFilter = {}): TargetDiscovery {
    const state = filter.state ?? 'any';
    const pools = [...this.pools.values()]
      .filter((p) => filter.scrapePool === undefined || p.job === filter.scrapePool)
      .sort((a, b) => (a.job < b.job ? -1 : a.job > b.job ? 1 : 0));
    const activeTargets: ActiveTargetInfo[] = [];
    const droppedTargets: DroppedTargetInfo[] = [];
    for (const pool of pools) {
      if (state !== 'dropped') {
        const targets = pool
          .activeTargets()
          .sort((a, b) => (a.scrapeUrl < b.scrapeUrl ? -1 : a.scrapeUrl > b.scrapeUrl ? 1 : 0));
        for (const t of targets) activeTargets.push(this.describe(pool.job, t));
      }
      if (state !== 'active') {
        for (const l of pool.droppedTargets()) droppedTargets.push({ discoveredLabels: l.toRecord() });
      }
    }
    return { activeTargets, droppedTargets };
  }

  /**
   * Metric family → its distinct metadata over all targets' last scrapes, as Prometheus's
   * `/api/v1/metadata` aggregates it (`help` and `unit` empty when not exposed).
   */
  metadata(): Map<string, MetricMetadataInfo[]> {
    const out = new Map<string, MetricMetadataInfo[]>();
    const seen = new Set<string>();
    for (const pool of this.pools.values()) {
      for (const list of pool.metadata()) {
        for (const m of list) {
          const entry: MetricMetadataInfo = { type: m.type, help: m.help ?? '', unit: m.unit ?? '' };
          const key = JSON.stringify([m.family, entry.type, entry.help, entry.unit]);
          if (seen.has(key)) continue;
          seen.add(key);
          const entries = out.get(m.family);
          if (entries === undefined) out.set(m.family, [entry]);
          else entries.push(entry);
        }
      }
    }
    return out;
  }

  private describe(job: string, t: Target): ActiveTargetInfo {
    return {
      discoveredLabels: t.discoveredLabels.toRecord(),
      labels: t.publicLabels.toRecord(),
      scrapePool: job,
      scrapeUrl: t.scrapeUrl,
      globalUrl: globalUrl(t.scrapeUrl, this.globalUrlOptions),
      lastError: t.lastError,
      lastScrape: t.lastScrapeMs === undefined ? GO_ZERO_TIME : formatRfc3339(t.lastScrapeMs),
      lastScrapeDuration: t.lastScrapeDurationMs / 1000,
      health: t.health,
      scrapeInterval: t.labels.get(SCRAPE_INTERVAL_LABEL),
      scrapeTimeout: t.labels.get(SCRAPE_TIMEOUT_LABEL),
    };
  }

  private async doApplyConfig(configs: readonly ResolvedScrapeConfig[]): Promise<void> {
    if (this.stopped) return;
    const wanted = new Map(configs.map((c) => [c.job_name, c]));
    const work: Promise<void>[] = [];
    for (const [job, pool] of this.pools) {
      if (wanted.has(job)) continue;
      this.pools.delete(job);
      work.push(pool.stop(true));
    }
    for (const config of wanted.values()) {
      const pool = this.pools.get(config.job_name);
      if (pool !== undefined) {
        work.push(pool.reconfigure(config));
        continue;
      }
      const created = new ScrapePool(config, this.ctx, (loop) => this.retire(loop));
      this.pools.set(config.job_name, created);
      work.push(created.start());
    }
    await Promise.all(work);
  }

  private retire(loop: ScrapeLoop): void {
    for (const l of this.retiring) if (!l.hasPendingStaleness()) this.retiring.delete(l);
    if (loop.hasPendingStaleness()) this.retiring.add(loop);
  }

  private track(work: Promise<unknown>): void {
    this.pending.add(work);
    const done = (): void => {
      this.pending.delete(work);
    };
    work.then(done, done);
  }
}

/** Go's RFC 3339 with nanoseconds, trailing zeros of the fraction trimmed. */
function formatRfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

/** Prometheus's getGlobalURL: loopback hosts are replaced by the external host. */
function globalUrl(scrapeUrl: string, opts: GlobalUrlOptions | undefined): string {
  if (opts === undefined) return scrapeUrl;
  let url: URL;
  try {
    url = new URL(scrapeUrl);
  } catch {
    return scrapeUrl;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!LOOPBACK_HOSTS.has(host)) return scrapeUrl;
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  if (opts.listenPort !== undefined && String(opts.listenPort) === port) {
    url.protocol = `${opts.scheme ?? 'http'}:`;
    url.host = opts.host;
  } else {
    url.host = `${opts.host.replace(/:\d+$/, '')}:${port}`;
  }
  return url.toString();
}
