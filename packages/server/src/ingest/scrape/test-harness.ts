/**
 * Test support for the scrape manager (used by the tests only): small HTTP targets on 127.0.0.1
 * and a harness that drives a `ScrapeManager` with a `ManualClock`, real fetch and `MemoryStorage`.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { resolveConfig, type ResolvedScrapeConfig } from '../../config/index.js';
import { type Clock, ManualClock } from '../../lib/clock.js';
import { Labels, METRIC_NAME } from '../../lib/labels.js';
import { Matcher } from '../../lib/matcher.js';
import { isStaleAt } from '../../lib/stale.js';
import { type Appendable, MemoryStorage } from '../../tsdb/index.js';
import type { ScrapeLogger } from './logger.js';
import { type GlobalUrlOptions, ScrapeManager } from './manager.js';

export const START_MS = Date.UTC(2024, 0, 1);

export interface SeenRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

/** An HTTP server that serves `body` (or what `handler` does) and records every request. */
export class TestTarget {
  body = '';
  contentType = 'text/plain; version=0.0.4; charset=utf-8';
  status = 200;
  /** Replaces the default handler when set. */
  handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  readonly requests: SeenRequest[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly server: ReturnType<typeof createServer>) {}

  static async start(body = ''): Promise<TestTarget> {
    const server = createServer();
    const target = new TestTarget(server);
    target.body = body;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      target.requests.push({ url: req.url ?? '', headers: req.headers });
      for (const w of target.waiters.splice(0)) w();
      if (target.handler !== undefined) return target.handler(req, res);
      res.writeHead(target.status, { 'Content-Type': target.contentType });
      res.end(target.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return target;
  }

  /** `127.0.0.1:<port>` */
  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves at the next request the server receives. */
  nextRequest(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A `ManualClock` (its `nextDueMs` says when the next timer is due) so that the harness can stop at
 * every scrape and let it finish before time moves on (a scrape sees no time pass unless the test
 * makes it wait, and a single long `advance` does not fire a scrape's timeout before its request
 * was even sent).
 */
export class SteppingClock implements Clock {
  readonly manual: ManualClock;

  constructor(startMs: number) {
    this.manual = new ManualClock(startMs);
  }

  nowMs(): number {
    return this.manual.nowMs();
  }

  setTimeout(fn: () => void, delayMs: number): () => void {
    return this.manual.setTimeout(fn, delayMs);
  }

  /** When the next timer fires; undefined when none is set. */
  nextDueMs(): number | undefined {
    return this.manual.nextDueMs();
  }

  advance(ms: number): void {
    this.manual.advance(ms);
  }
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A sample as the tests read it back: `'stale'` for a staleness marker. */
export type ReadSample = [timestampMs: number, value: number | 'stale'];

export class ScrapeHarness {
  readonly clock = new SteppingClock(START_MS);
  readonly storage = new MemoryStorage();
  /** Where the manager appends: `storage`, unless the test passes another Appendable. */
  readonly appendable: Appendable;
  readonly registry = new Registry();
  readonly logs: LogEntry[] = [];
  readonly manager: ScrapeManager;

  constructor(appendable?: Pick<Appendable, 'appender'>, globalUrl?: GlobalUrlOptions) {
    this.appendable = appendable === undefined ? this.storage : { ...appendable, append: () => false };
    const log =
      (level: LogEntry['level']) =>
      (fields: Record<string, unknown>, message: string): void => {
        this.logs.push({ level, fields, message });
      };
    const logger: ScrapeLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
    this.manager = new ScrapeManager({
      appendable: this.appendable,
      clock: this.clock,
      globalUrl,
      registry: this.registry,
      logger,
    });
  }

  /** Applies scrape configs written as in prometheus.yml (resolved by the real config loader). */
  async apply(scrapeConfigs: unknown[], global: Record<string, unknown> = {}): Promise<ResolvedScrapeConfig[]> {
    const resolved = resolveConfig({ global, scrape_configs: scrapeConfigs }, 'test.yml').scrapeConfigs;
    await this.manager.applyConfig(resolved);
    return resolved;
  }

  /**
   * Moves the clock `ms` forward, stopping at every timer on the way (scrapes, timeouts, refreshes)
   * to wait for the work it started before time moves on.
   */
  async step(ms: number): Promise<void> {
    const targetMs = this.clock.nowMs() + ms;
    for (;;) {
      const next = this.clock.nextDueMs();
      if (next === undefined || next > targetMs) break;
      this.clock.advance(next - this.clock.nowMs());
      await this.settled();
    }
    this.clock.advance(targetMs - this.clock.nowMs());
    await this.settled();
  }

  /** Moves the clock to the next timer and fires it, without waiting for what it started. */
  fireNextTimer(): void {
    const next = this.clock.nextDueMs();
    if (next !== undefined) this.clock.advance(next - this.clock.nowMs());
  }

  /** `manager.settled()`, failing instead of hanging when a scrape waits for a timeout nobody advances to. */
  async settled(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('scrapes still running after 10 s of real time')), 10_000);
    });
    try {
      await Promise.race([this.manager.settled(), hang]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Steps `n` times by `ms`. */
  async steps(n: number, ms: number): Promise<void> {
    for (let i = 0; i < n; i++) await this.step(ms);
  }

  /** Every stored series of metric `name` (and matching `labels`), with their samples. */
  series(
    name: string,
    labels: Record<string, string> = {},
  ): { labels: Record<string, string>; samples: ReadSample[] }[] {
    const matchers = [
      new Matcher('=', METRIC_NAME, name),
      ...Object.entries(labels).map(([n, v]) => new Matcher('=', n, v)),
    ];
    return this.storage
      .select(matchers, 0, Number.MAX_SAFE_INTEGER)
      .sort((a, b) => Labels.compare(a.labels, b.labels))
      .map((s) => ({
        labels: s.labels.toRecord(),
        samples: Array.from(s.timestampsMs, (t, i): ReadSample => [t, isStaleAt(s.values, i) ? 'stale' : s.values[i]!]),
      }));
  }

  /** The values of the one series of `name` (and `labels`); fails when there is not exactly one. */
  values(name: string, labels: Record<string, string> = {}): (number | 'stale')[] {
    const found = this.series(name, labels);
    if (found.length !== 1) {
      const errors = this.manager.targets().activeTargets.map((t) => `${t.scrapeUrl}: ${t.health} ${t.lastError}`);
      throw new Error(
        `expected one series ${name}${JSON.stringify(labels)}, found ${found.length}; targets: ${errors.join('; ')}`,
      );
    }
    return found[0]!.samples.map((s) => s[1]);
  }

  async counter(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = this.registry.getSingleMetric(name);
    if (metric === undefined) throw new Error(`no metric ${name}`);
    const data = await metric.get();
    let sum = 0;
    for (const v of data.values) {
      if (Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) sum += v.value;
    }
    return sum;
  }

  async close(): Promise<void> {
    await this.manager.stop();
  }
}
