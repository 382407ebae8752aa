/**
 * Targets: from discovered label sets to the labels every scraped sample gets, as Prometheus's
 * scrape/target.go does (meta labels, target relabeling, default port, `instance`), and the scrape
 * URL and per-target schedule offset.
 */
import { createHash } from 'node:crypto';
import { formatDurationMs, parseDurationMs, type ResolvedScrapeConfig } from '../../config/index.js';
import { Labels } from '../../lib/labels.js';
import { LabelsBuilder, relabelBuilder } from '../relabel/relabel.js';

/** Prometheus's reserved label names. */
export const ADDRESS_LABEL = '__address__';
export const SCHEME_LABEL = '__scheme__';
export const METRICS_PATH_LABEL = '__metrics_path__';
export const SCRAPE_INTERVAL_LABEL = '__scrape_interval__';
export const SCRAPE_TIMEOUT_LABEL = '__scrape_timeout__';
export const PARAM_LABEL_PREFIX = '__param_';
export const META_LABEL_PREFIX = '__meta_';
export const RESERVED_LABEL_PREFIX = '__';
export const JOB_LABEL = 'job';
export const INSTANCE_LABEL = 'instance';

/** A set of targets from one source (a static_configs entry, one entry of a file_sd file). */
export interface TargetGroup {
  /** Where the group came from: `static:0`, `/etc/wk/targets/db.json:2`. */
  source: string;
  /** One label set per target, each with `__address__`. */
  targets: Record<string, string>[];
  /** Labels of every target of the group; a target's own labels win. */
  labels: Record<string, string>;
}

/** What discovery and target relabeling made of one discovered target. */
export type PopulatedTarget =
  /** `labels` still hold the `__`-prefixed labels that define the scrape (`__address__`, `__param_*`, ...). */
  | { kind: 'active'; labels: Labels; discoveredLabels: Labels }
  /** Relabeling dropped it (shown under `droppedTargets` by the API). */
  | { kind: 'dropped'; discoveredLabels: Labels }
  /** Not scrapeable (no address, bad interval...); logged, not shown. */
  | { kind: 'invalid'; discoveredLabels: Labels; error: string };

/**
 * Prometheus's PopulateLabels: adds `job`, `__scrape_interval__`, `__scrape_timeout__`,
 * `__metrics_path__`, `__scheme__` (unless discovery set them) and `__param_<name>` for the first
 * value of every configured param; applies `relabel_configs`; checks the address (adding port 80
 * or 443 when it has none), interval and timeout; removes `__meta_*` labels and sets `instance` to
 * the address when relabeling did not set it.
 */
export function populateLabels(discovered: Labels, cfg: ResolvedScrapeConfig): PopulatedTarget {
  const lb = new LabelsBuilder(discovered);
  const defaults: [string, string][] = [
    [JOB_LABEL, cfg.job_name],
    [SCRAPE_INTERVAL_LABEL, formatDurationMs(cfg.scrapeIntervalMs)],
    [SCRAPE_TIMEOUT_LABEL, formatDurationMs(cfg.scrapeTimeoutMs)],
    [METRICS_PATH_LABEL, cfg.metrics_path],
    [SCHEME_LABEL, cfg.scheme],
  ];
  for (const [name, value] of defaults) if (lb.get(name) === '') lb.set(name, value);
  for (const [name, values] of Object.entries(cfg.params)) {
    if (values.length > 0) lb.set(PARAM_LABEL_PREFIX + name, values[0]!);
  }
  const discoveredLabels = lb.labels();
  if (!relabelBuilder(lb, cfg.relabel_configs)) return { kind: 'dropped', discoveredLabels };

  const invalid = (error: string): PopulatedTarget => ({ kind: 'invalid', discoveredLabels, error });
  let address = lb.get(ADDRESS_LABEL);
  if (address === '') return invalid('no address');
  const scheme = lb.get(SCHEME_LABEL);
  if (needsDefaultPort(address)) {
    if (scheme === 'http' || scheme === '') address += ':80';
    else if (scheme === 'https') address += ':443';
    else return invalid(`invalid scheme: "${cfg.scheme}"`);
    lb.set(ADDRESS_LABEL, address);
  }
  if (address.includes('/')) return invalid(`"${address}" is not a valid hostname`);

  const intervalText = lb.get(SCRAPE_INTERVAL_LABEL);
  const intervalMs = parseDurationMs(intervalText);
  if (intervalMs === undefined)
    return invalid(`error parsing scrape interval: not a valid duration string: "${intervalText}"`);
  if (intervalMs === 0) return invalid('scrape interval cannot be 0');
  const timeoutText = lb.get(SCRAPE_TIMEOUT_LABEL);
  const timeoutMs = parseDurationMs(timeoutText);
  if (timeoutMs === undefined)
    return invalid(`error parsing scrape timeout: not a valid duration string: "${timeoutText}"`);
  if (timeoutMs === 0) return invalid('scrape timeout cannot be 0');
  if (timeoutMs > intervalMs) {
    return invalid(`scrape timeout cannot be greater than scrape interval ("${timeoutText}" > "${intervalText}")`);
  }

  for (const [name] of lb.entries()) if (name.startsWith(META_LABEL_PREFIX)) lb.delete(name);
  if (lb.get(INSTANCE_LABEL) === '') lb.set(INSTANCE_LABEL, address);
  return { kind: 'active', labels: lb.labels(), discoveredLabels };
}

/**
 * Go's net.SplitHostPort decides: an address that splits has a port; one that splits once `:1234`
 * is added lacks it; anything else (too many colons) is left alone.
 */
function needsDefaultPort(address: string): boolean {
  if (splitHostPort(address) !== undefined) return false;
  return splitHostPort(`${address}:1234`) !== undefined;
}

function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  const i = hostport.lastIndexOf(':');
  if (i < 0) return undefined;
  let host: string;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 !== i) return undefined;
    host = hostport.slice(1, end);
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return undefined;
  }
  if (host.includes('[') || host.includes(']')) return undefined;
  return { host, port: hostport.slice(i + 1) };
}

/** One scrape target: fixed labels and URL; the loop that scrapes it records its health here. */
export class Target {
  /** All labels after relabeling, including the `__`-prefixed ones that define the scrape. */
  readonly labels: Labels;
  /** The labels every sample of this target gets: `labels` without the `__`-prefixed ones. */
  readonly publicLabels: Labels;
  /** The labels before relabeling (updated when discovery sends the target again). */
  discoveredLabels: Labels;
  readonly scrapeUrl: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Identity within a scrape pool: two targets with the same key are the same target. */
  readonly key: string;
  private readonly hash: bigint;

  health: 'up' | 'down' | 'unknown' = 'unknown';
  lastError = '';
  /** Unix ms of the last scrape's start; undefined before the first one. */
  lastScrapeMs: number | undefined;
  lastScrapeDurationMs = 0;

  constructor(labels: Labels, discoveredLabels: Labels, params: Readonly<Record<string, readonly string[]>>) {
    this.labels = labels;
    this.discoveredLabels = discoveredLabels;
    const pub: string[] = [];
    for (const [n, v] of labels) if (!n.startsWith(RESERVED_LABEL_PREFIX)) pub.push(n, v);
    this.publicLabels = Labels.fromSortedFlat(pub);
    this.scrapeUrl = targetUrl(labels, params);
    this.intervalMs = parseDurationMs(labels.get(SCRAPE_INTERVAL_LABEL)) ?? 0;
    this.timeoutMs = parseDurationMs(labels.get(SCRAPE_TIMEOUT_LABEL)) ?? 0;
    this.key = `${labels.key}\xfe${this.scrapeUrl}`;
    this.hash = createHash('sha256').update(this.key).digest().readBigUInt64BE(0);
  }

  /**
   * Milliseconds from `nowMs` to this target's first scrape. As in Prometheus, the schedule is
   * pinned to absolute time: a target scrapes at `hash mod interval` past every multiple of the
   * interval, so targets spread over the interval and keep their phase across restarts.
   */
  offsetMs(intervalMs: number, nowMs: number): number {
    const base = intervalMs - (nowMs % intervalMs);
    const offset = Number(this.hash % BigInt(intervalMs));
    const next = base + offset;
    return next > intervalMs ? next - intervalMs : next;
  }
}

/**
 * The target's URL as Prometheus builds it: `__scheme__://__address____metrics_path__?params`,
 * where params are the configured ones with the first value replaced by `__param_<name>` labels,
 * sorted by name and escaped as Go's url.Values.Encode.
 */
export function targetUrl(labels: Labels, params: Readonly<Record<string, readonly string[]>>): string {
  const values = new Map<string, string[]>();
  for (const [k, v] of Object.entries(params)) values.set(k, [...v]);
  for (const [name, value] of labels) {
    if (!name.startsWith(PARAM_LABEL_PREFIX)) continue;
    const key = name.slice(PARAM_LABEL_PREFIX.length);
    const existing = values.get(key);
    if (existing !== undefined && existing.length > 0) existing[0] = value;
    else values.set(key, [value]);
  }
  const query: string[] = [];
  for (const key of [...values.keys()].sort()) {
    for (const v of values.get(key)!) query.push(`${goEscape(key, 'query')}=${goEscape(v, 'query')}`);
  }
  let path = labels.get(METRICS_PATH_LABEL);
  if (path !== '' && !path.startsWith('/')) path = `/${path}`;
  const q = query.length > 0 ? `?${query.join('&')}` : '';
  return `${labels.get(SCHEME_LABEL)}://${labels.get(ADDRESS_LABEL)}${goEscape(path, 'path')}${q}`;
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;
const PATH_RESERVED_KEPT = new Set(['$', '&', '+', ',', '/', ':', ';', '=', '@']);

/** Go's url escaping: `query` as url.QueryEscape (space → `+`), `path` as URL.EscapedPath. */
function goEscape(s: string, mode: 'query' | 'path'): string {
  let out = '';
  for (const ch of s) {
    if (UNRESERVED.test(ch) || (mode === 'path' && PATH_RESERVED_KEPT.has(ch))) out += ch;
    else if (mode === 'query' && ch === ' ') out += '+';
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
