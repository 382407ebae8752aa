/**
 * The scrape loop of one target, as Prometheus's scrapeLoop: scrape every interval at the
 * target's offset, parse, add target labels (honor_labels), metric-relabel, enforce limits, append
 * through one Appender per scrape with the synthetic series, write staleness markers for series
 * that disappeared, and record the target's health.
 */
import type { ResolvedScrapeConfig } from '../../config/index.js';
import type { Clock } from '../../lib/clock.js';
import { type Labels, METRIC_NAME } from '../../lib/labels.js';
import { STALE_NAN } from '../../lib/stale.js';
import type { Appendable, Appender } from '../../tsdb/index.js';
import { formatFromContentType, type MetricMetadata, parseExposition } from '../exposition/index.js';
import { LabelsBuilder, relabelBuilder } from '../relabel/relabel.js';
import { fetchMetrics, ScrapeError, type ScrapeResponse } from './http.js';
import type { ScrapeLogger } from './logger.js';
import type { SampleRejectionReason, ScrapeMetrics } from './metrics.js';
import type { Target } from './target.js';

/** Scrapes starting this close to their schedule get the scheduled timestamp. */
const TIMESTAMP_TOLERANCE_MS = 10;

/** Exposed timestamps further ahead of the scrape than this are rejected (Prometheus's maxAheadTime). */
const MAX_AHEAD_MS = 10 * 60_000;

/** The synthetic series of every scrape, in the order Prometheus writes them. */
const REPORT_METRICS = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
] as const;

/** What every loop of a manager shares. */
export interface LoopContext {
  appendable: Appendable;
  clock: Clock;
  fetch: typeof fetch;
  logger: ScrapeLogger;
  metrics: ScrapeMetrics;
  userAgent: string;
  /** Registers work that `ScrapeManager.settled()` waits for. */
  track(work: Promise<unknown>): void;
}

/** How an exposed label set turned out after target labels and metric relabeling, per scrape cache. */
type CacheEntry =
  { kind: 'series'; labels: Labels } | { kind: 'dropped' } | { kind: 'rejected'; reason: SampleRejectionReason };

interface PendingSample {
  labels: Labels;
  timestampMs: number;
  value: number;
  /** Series without an exposed timestamp take part in staleness handling. */
  tracked: boolean;
  isNew: boolean;
}

interface ScrapeStats {
  scraped: number;
  postRelabel: number;
  seriesAdded: number;
}

export class ScrapeLoop {
  readonly target: Target;
  private config: ResolvedScrapeConfig;
  private readonly ctx: LoopContext;
  private readonly reportLabels: Labels[];

  private cancelTimer: (() => void) | undefined;
  private nextScrapeMs = 0;
  /** The scheduled time of the scrape being started (for timestamp alignment). */
  private tickMs = Number.NaN;
  private running: Promise<void> | undefined;
  private queued = false;
  private abortScrape: AbortController | undefined;
  private stopped = false;
  private cancelEndOfRun: (() => void) | undefined;

  /** Series appended by the last scrape that had no exposed timestamp: key → labels. */
  private previousSeries = new Map<string, Labels>();
  /** Exposed label set key → outcome, for the series of the last successful scrape. */
  private cache = new Map<string, CacheEntry>();
  /** `# TYPE`, `# HELP`, `# UNIT` of the last scrape that had a body. */
  metadata: readonly MetricMetadata[] = [];

  constructor(target: Target, config: ResolvedScrapeConfig, ctx: LoopContext) {
    this.target = target;
    this.config = config;
    this.ctx = ctx;
    this.reportLabels = REPORT_METRICS.map((name) => target.publicLabels.with(METRIC_NAME, name));
  }

  /** Schedules the first scrape at the target's offset, then one every interval. */
  start(): void {
    const now = this.ctx.clock.nowMs();
    this.schedule(now + this.target.offsetMs(this.target.intervalMs, now));
  }

  /**
   * Takes a new configuration of the same job (limits, auth, honor_labels, metric relabeling).
   * The staleness state is kept, so a reload writes no markers; the cache of resolved label sets
   * is kept unless what it depends on changed (as Prometheus's reusableCache).
   */
  reconfigure(config: ResolvedScrapeConfig): void {
    const labelsDependOn = (c: ResolvedScrapeConfig): string =>
      JSON.stringify([c.honor_labels, c.label_limit, c.metric_relabel_configs]);
    if (labelsDependOn(config) !== labelsDependOn(this.config)) this.cache = new Map();
    this.config = config;
  }

  /**
   * Stops scraping and aborts a scrape in flight (it writes nothing). With `endOfRunStaleness`,
   * the series of the last scrape and the synthetic series get staleness markers as Prometheus
   * writes them: stamped at the time the next scrape would have been, written just over one more
   * interval later, so that when the same series come back from a new loop (a target whose labels
   * changed, a reload) the markers are older than the new samples and storage ignores them.
   */
  async stop(endOfRunStaleness: boolean): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelTimer?.();
    this.abortScrape?.abort();
    if (this.running !== undefined) await this.running;
    if (!endOfRunStaleness || this.target.lastScrapeMs === undefined) return;
    const interval = this.target.intervalMs;
    const now = this.ctx.clock.nowMs();
    let staleMs = this.nextScrapeMs;
    if (staleMs <= now) staleMs += Math.ceil((now - staleMs + 1) / interval) * interval;
    const writeAtMs = staleMs + interval + Math.floor(interval / 10);
    this.cancelEndOfRun = this.ctx.clock.setTimeout(() => {
      this.cancelEndOfRun = undefined;
      this.ctx.track(this.writeEndOfRunStaleness(staleMs));
    }, writeAtMs - now);
  }

  /** True while end-of-run staleness markers wait for their time. */
  hasPendingStaleness(): boolean {
    return this.cancelEndOfRun !== undefined;
  }

  /** Cancels end-of-run staleness markers not written yet (the server is shutting down). */
  cancelPendingStaleness(): void {
    this.cancelEndOfRun?.();
    this.cancelEndOfRun = undefined;
  }

  private schedule(atMs: number): void {
    this.nextScrapeMs = atMs;
    this.cancelTimer = this.ctx.clock.setTimeout(() => this.onTick(), atMs - this.ctx.clock.nowMs());
  }

  private onTick(): void {
    if (this.stopped) return;
    const interval = this.target.intervalMs;
    const now = this.ctx.clock.nowMs();
    let next = this.nextScrapeMs + interval;
    // Ticks missed (a stalled event loop) are skipped, as a Go ticker drops them.
    if (next <= now) next += Math.ceil((now - next + 1) / interval) * interval;
    this.schedule(next);
    this.tickMs = next - interval;
    // A scrape still running: run once more right after it, as Prometheus's ticker channel does.
    if (this.running !== undefined) this.queued = true;
    else this.run();
  }

  private run(): void {
    const work = this.scrapeAndReport()
      .catch((err: unknown) => {
        this.ctx.logger.error({ job: this.config.job_name, target: this.target.scrapeUrl, err }, 'scrape loop failed');
      })
      .finally(() => {
        this.running = undefined;
        if (this.queued && !this.stopped) {
          this.queued = false;
          this.run();
        }
      });
    this.running = work;
    this.ctx.track(work);
  }

  private async scrapeAndReport(): Promise<void> {
    const { clock, metrics, logger } = this.ctx;
    const config = this.config;
    const target = this.target;
    const job = config.job_name;
    const nowMs = clock.nowMs();
    // Like Prometheus's --scrape.timestamp-tolerance: a scrape that starts within a few ms of its
    // schedule is stamped with the scheduled time, so timestamps stay exactly one interval apart
    // and delta-of-delta encoding stores them in one bit (about 2.5 instead of 4.3 bytes/sample
    // for a jittered counter). Node's timers fire a little later than Go's tickers: 10 ms.
    const startMs = Math.abs(nowMs - this.tickMs) <= TIMESTAMP_TOLERANCE_MS ? this.tickMs : nowMs;
    metrics.scrapes.inc({ job });

    const abort = new AbortController();
    this.abortScrape = abort;
    let timedOut = false;
    const cancelTimeout = clock.setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, target.timeoutMs);
    let response: ScrapeResponse | undefined;
    let failure: ScrapeError | undefined;
    try {
      response = await fetchMetrics({
        url: target.scrapeUrl,
        config,
        timeoutMs: target.timeoutMs,
        signal: abort.signal,
        fetch: this.ctx.fetch,
        userAgent: this.ctx.userAgent,
      });
    } catch (err) {
      if (timedOut) {
        failure = new ScrapeError('timeout', `Get "${target.scrapeUrl}": context deadline exceeded`, { cause: err });
      } else if (err instanceof ScrapeError) {
        failure = err;
      } else {
        failure = new ScrapeError('network', `Get "${target.scrapeUrl}": ${String(err)}`, { cause: err });
      }
    } finally {
      cancelTimeout();
      this.abortScrape = undefined;
    }
    // The target went away while it was being scraped: this scrape writes nothing.
    if (this.stopped) return;

    const app = this.ctx.appendable.appender();
    const stats: ScrapeStats = { scraped: 0, postRelabel: 0, seriesAdded: 0 };
    if (response !== undefined) failure = this.appendScrape(app, response, startMs, stats);
    if (failure !== undefined) {
      // A failed scrape is an empty one: every series of the previous scrape goes stale.
      this.appendStale(app, this.previousSeries.values(), startMs);
      this.previousSeries = new Map();
    }
    const durationMs = clock.nowMs() - startMs;
    const reportValues = [
      failure === undefined ? 1 : 0,
      durationMs / 1000,
      stats.scraped,
      stats.postRelabel,
      stats.seriesAdded,
    ];
    this.reportLabels.forEach((labels, i) => app.append(labels, startMs, reportValues[i]!));

    target.health = failure === undefined ? 'up' : 'down';
    target.lastError = failure?.message ?? '';
    target.lastScrapeMs = startMs;
    target.lastScrapeDurationMs = durationMs;
    if (failure !== undefined) {
      metrics.scrapesFailed.inc({ job, reason: failure.reason });
      logger.debug({ job, target: target.scrapeUrl, err: failure.message }, 'scrape failed');
    }
    await this.commit(app);
  }

  /**
   * Parses the body and appends its samples; returns the error that fails the scrape (a body with
   * no parseable sample at all, the sample or label limit), in which case nothing is appended.
   * Lines that do not parse are skipped and counted: the rest of the body is stored.
   */
  private appendScrape(
    app: Appender,
    response: ScrapeResponse,
    timestampMs: number,
    stats: ScrapeStats,
  ): ScrapeError | undefined {
    const { metrics, logger } = this.ctx;
    const config = this.config;
    const job = config.job_name;
    const parsed = parseExposition(response.body, formatFromContentType(response.contentType));
    if (parsed.metadata.length > 0 || response.body.byteLength > 0) this.metadata = parsed.metadata;
    if (parsed.issues.length > 0) {
      metrics.expositionIssues.inc({ job }, parsed.issues.length);
      const first = parsed.issues[0]!;
      logger.warn(
        {
          job,
          target: this.target.scrapeUrl,
          issues: parsed.issues.length,
          first: `line ${first.line}, column ${first.column}: ${first.message}`,
        },
        'scrape body has lines that could not be parsed; they were skipped',
      );
    }

    if (parsed.samples.length === 0 && parsed.issues.length > 0) {
      // Nothing usable (an HTML error page, another format): fail like Prometheus's parser does.
      const first = parsed.issues[0]!;
      return new ScrapeError('parse', `line ${first.line}, column ${first.column}: ${first.message}`);
    }

    const cache = new Map<string, CacheEntry>();
    const pending: PendingSample[] = [];
    const rejected = new Map<SampleRejectionReason, number>();
    const reject = (reason: SampleRejectionReason): void => {
      rejected.set(reason, (rejected.get(reason) ?? 0) + 1);
    };
    const honorTimestamps = config.honor_timestamps;
    const maxTimestampMs = timestampMs + MAX_AHEAD_MS;
    for (const sample of parsed.samples) {
      stats.scraped++;
      const key = sample.labels.key;
      let entry = cache.get(key);
      let isNew = false;
      if (entry === undefined) {
        entry = this.cache.get(key);
        if (entry === undefined) {
          isNew = true;
          entry = this.resolveLabels(sample.labels);
          if (entry.kind === 'series' && config.label_limit > 0 && entry.labels.size > config.label_limit) {
            const metric = describeMetric(sample.labels).slice(0, 50);
            return new ScrapeError(
              'label-limit',
              `label_limit exceeded (metric: ${metric}, number of labels: ${entry.labels.size}, limit: ${config.label_limit})`,
            );
          }
        }
        cache.set(key, entry);
      }
      if (entry.kind === 'dropped') continue;
      if (entry.kind === 'rejected') {
        reject(entry.reason);
        continue;
      }
      stats.postRelabel++;
      const exposedTs = honorTimestamps ? sample.timestampMs : undefined;
      const t = exposedTs ?? timestampMs;
      if (t > maxTimestampMs) {
        reject('too-far-in-future');
        continue;
      }
      pending.push({
        labels: entry.labels,
        timestampMs: t,
        value: sample.value,
        tracked: exposedTs === undefined,
        isNew,
      });
    }
    if (config.sample_limit > 0 && stats.postRelabel > config.sample_limit) {
      return new ScrapeError('sample-limit', 'sample limit exceeded');
    }

    const current = new Map<string, Labels>();
    const written = new Map<string, number>();
    let appended = 0;
    for (const s of pending) {
      const seriesKey = s.tracked ? s.labels.key : `${s.labels.key}\xfe${s.timestampMs}`;
      const earlier = written.get(seriesKey);
      if (earlier !== undefined) {
        // The same series twice at one time: an identical value is a no-op, another one is rejected.
        if (!Object.is(earlier, s.value)) reject('duplicate-timestamp');
        continue;
      }
      written.set(seriesKey, s.value);
      const rejection = app.append(s.labels, s.timestampMs, s.value);
      if (rejection !== undefined) {
        reject(rejection);
        continue;
      }
      appended++;
      if (s.tracked) current.set(s.labels.key, s.labels);
      if (s.isNew) stats.seriesAdded++;
    }
    const gone: Labels[] = [];
    for (const [key, labels] of this.previousSeries) if (!current.has(key)) gone.push(labels);
    this.appendStale(app, gone, timestampMs);
    this.previousSeries = current;
    // An empty body (a misbehaving target) does not flush the cache, as in Prometheus.
    if (response.body.byteLength > 0) this.cache = cache;

    metrics.samplesAppended.inc({ job }, appended);
    for (const [reason, n] of rejected) metrics.samplesRejected.inc({ job, reason }, n);
    return undefined;
  }

  /**
   * Target labels onto an exposed label set (Prometheus's mutateSampleLabels), then metric
   * relabeling. With honor_labels the exposed labels win; otherwise the target's win and a
   * conflicting exposed label is kept as `exported_<name>` (`exported_exported_<name>` if that is
   * taken too, ...).
   */
  private resolveLabels(exposed: Labels): CacheEntry {
    const lb = new LabelsBuilder(exposed);
    const targetLabels = this.target.publicLabels;
    if (this.config.honor_labels) {
      for (const [name, value] of targetLabels) if (!exposed.has(name)) lb.set(name, value);
    } else {
      const conflicts: [string, string][] = [];
      for (const [name, value] of targetLabels) {
        const exposedValue = exposed.get(name);
        if (exposedValue !== '') conflicts.push([name, exposedValue]);
        lb.set(name, value);
      }
      conflicts.sort((a, b) => a[0].length - b[0].length);
      for (const [name, value] of conflicts) {
        let exportedName = name;
        do exportedName = `exported_${exportedName}`;
        while (lb.get(exportedName) !== '');
        lb.set(exportedName, value);
      }
    }
    if (!relabelBuilder(lb, this.config.metric_relabel_configs)) return { kind: 'dropped' };
    if (lb.size === 0) return { kind: 'dropped' };
    const labels = lb.labels();
    if (!labels.has(METRIC_NAME)) return { kind: 'rejected', reason: 'missing-metric-name' };
    if (labels.has('')) return { kind: 'rejected', reason: 'bad-labels' };
    return { kind: 'series', labels };
  }

  private appendStale(app: Appender, series: Iterable<Labels>, timestampMs: number): void {
    let n = 0;
    for (const labels of series) {
      if (app.append(labels, timestampMs, STALE_NAN) === undefined) n++;
    }
    if (n > 0) this.ctx.metrics.staleMarkers.inc({ job: this.config.job_name }, n);
  }

  private async writeEndOfRunStaleness(timestampMs: number): Promise<void> {
    const app = this.ctx.appendable.appender();
    this.appendStale(app, [...this.previousSeries.values(), ...this.reportLabels], timestampMs);
    this.previousSeries = new Map();
    await this.commit(app);
  }

  private async commit(app: Appender): Promise<void> {
    try {
      await app.commit();
    } catch (err) {
      this.ctx.metrics.commitFailures.inc({ job: this.config.job_name });
      this.ctx.logger.error(
        { job: this.config.job_name, target: this.target.scrapeUrl, err },
        'scrape commit to storage failed',
      );
    }
  }
}

/** `name{a="b"}`, the exposed series as Prometheus names it in limit errors. */
function describeMetric(labels: Labels): string {
  const name = labels.get(METRIC_NAME);
  const rest = labels.without(METRIC_NAME);
  return rest.size === 0 ? name : `${name}${rest.toString()}`;
}
