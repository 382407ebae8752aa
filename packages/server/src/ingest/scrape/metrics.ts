/**
 * The scrape manager's self-metrics (prom-client), registered once per registry. Pass one
 * `ScrapeMetrics` to the manager, or a registry and the manager creates them.
 */
import { Counter, Gauge, Registry } from 'prom-client';

/** Why samples of a scrape were not stored (the `reason` label of `watchkeeper_scrape_samples_rejected_total`). */
export type SampleRejectionReason =
  /** Storage: older than the series' last sample beyond the out-of-order window. */
  | 'out-of-order'
  /** Storage, or two samples of one series with one timestamp and different values in a scrape. */
  | 'duplicate-timestamp'
  /** Storage: timestamp not acceptable. */
  | 'bad-timestamp'
  /** Storage, or a label set with an empty label name after relabeling. */
  | 'bad-labels'
  /** An exposed timestamp more than 10 minutes ahead of the scrape (Prometheus's out-of-bounds). */
  | 'too-far-in-future'
  /** Metric relabeling removed `__name__`. */
  | 'missing-metric-name';

/** Why a scrape failed (the `reason` label of `watchkeeper_scrapes_failed_total`). */
export type ScrapeFailureReason =
  | 'timeout'
  | 'http-status'
  | 'network'
  | 'credentials'
  | 'body-size-limit'
  | 'sample-limit'
  | 'label-limit'
  /** The body had lines but not one parseable sample. */
  | 'parse';

export class ScrapeMetrics {
  /** Scrapes attempted, by job. */
  readonly scrapes: Counter<'job'>;
  /** Scrapes that failed (up=0), by job and reason. */
  readonly scrapesFailed: Counter<'job' | 'reason'>;
  /** Samples staged into storage from scrapes (not counting synthetic series and stale markers), by job. */
  readonly samplesAppended: Counter<'job'>;
  /** Samples not stored, by job and reason. */
  readonly samplesRejected: Counter<'job' | 'reason'>;
  /** Problems the exposition parser reported (bad lines skipped), by job. */
  readonly expositionIssues: Counter<'job'>;
  /** Staleness markers written (series gone, failed scrapes, removed targets), by job. */
  readonly staleMarkers: Counter<'job'>;
  /** Batches whose commit to storage failed, by job. */
  readonly commitFailures: Counter<'job'>;
  /** file_sd files that could not be read or parsed (their last good targets are kept), by file. */
  readonly sdFileReadErrors: Counter<'file'>;
  /** Active targets, by job. */
  readonly targets: Gauge<'job'>;

  constructor(registry: Registry = new Registry()) {
    const registers = [registry];
    this.scrapes = new Counter({
      name: 'watchkeeper_scrapes_total',
      help: 'Scrapes attempted.',
      labelNames: ['job'],
      registers,
    });
    this.scrapesFailed = new Counter({
      name: 'watchkeeper_scrapes_failed_total',
      help: 'Scrapes that failed (up=0), by reason.',
      labelNames: ['job', 'reason'],
      registers,
    });
    this.samplesAppended = new Counter({
      name: 'watchkeeper_scrape_samples_appended_total',
      help: 'Scraped samples staged into storage.',
      labelNames: ['job'],
      registers,
    });
    this.samplesRejected = new Counter({
      name: 'watchkeeper_scrape_samples_rejected_total',
      help: 'Scraped samples not stored, by reason.',
      labelNames: ['job', 'reason'],
      registers,
    });
    this.expositionIssues = new Counter({
      name: 'watchkeeper_scrape_exposition_issues_total',
      help: 'Problems found by the exposition parser in scrape bodies (the bad lines are skipped).',
      labelNames: ['job'],
      registers,
    });
    this.staleMarkers = new Counter({
      name: 'watchkeeper_scrape_stale_markers_total',
      help: 'Staleness markers written for series that disappeared.',
      labelNames: ['job'],
      registers,
    });
    this.commitFailures = new Counter({
      name: 'watchkeeper_scrape_commit_failures_total',
      help: 'Scrape batches whose commit to storage failed.',
      labelNames: ['job'],
      registers,
    });
    this.sdFileReadErrors = new Counter({
      name: 'watchkeeper_sd_file_read_errors_total',
      help: 'file_sd files that could not be read or parsed; their last good targets are kept.',
      labelNames: ['file'],
      registers,
    });
    this.targets = new Gauge({
      name: 'watchkeeper_scrape_targets',
      help: 'Active scrape targets.',
      labelNames: ['job'],
      registers,
    });
  }
}
