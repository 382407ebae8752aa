/**
 * File-based service discovery (`file_sd_configs`), as Prometheus's discovery/file: JSON or YAML
 * files holding `[{ targets: [...], labels: {...} }]`, file name patterns with `*` in the last path
 * segment, re-read every `refresh_interval` and when a watched folder changes. A file that cannot
 * be read or parsed keeps its last good targets; a file that is gone takes its targets with it.
 */
import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ResolvedScrapeConfig } from '../../config/index.js';
import type { Clock } from '../../lib/clock.js';
import { isLegacyLabelName } from '../../lib/labels.js';
import type { ScrapeLogger } from './logger.js';
import type { ScrapeMetrics } from './metrics.js';
import { ADDRESS_LABEL, type TargetGroup } from './target.js';

export type FileSdConfig = ResolvedScrapeConfig['file_sd_configs'][number];

/** The label file_sd adds to every target: the file it came from. */
export const FILEPATH_META_LABEL = '__meta_filepath';

export interface FileDiscoveryOptions {
  config: FileSdConfig;
  job: string;
  clock: Clock;
  logger: ScrapeLogger;
  metrics: ScrapeMetrics;
  /** Registers work that `ScrapeManager.settled()` waits for. */
  track(work: Promise<unknown>): void;
  /** Called with all groups of the config's files whenever they change. */
  onUpdate(groups: TargetGroup[]): void;
}

/** A file that could not be used; the message names the file. */
export class FileSdError extends Error {
  readonly code = 'WK_FILE_SD_INVALID';
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
    this.name = 'FileSdError';
  }
}

export class FileDiscovery {
  private readonly opts: FileDiscoveryOptions;
  /** Last good groups per file currently matched by the patterns. */
  private groupsByFile = new Map<string, TargetGroup[]>();
  private lastSent: string | undefined;
  private readonly watchers = new Map<string, FSWatcher>();
  private cancelTimer: (() => void) | undefined;
  private inFlight: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(opts: FileDiscoveryOptions) {
    this.opts = opts;
  }

  /** Reads the files once (resolves when their targets were sent), then keeps them watched. */
  async start(): Promise<void> {
    this.scheduleRefresh();
    await this.refresh();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Re-reads the files; a refresh requested while one runs makes it run once more. */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.inFlight !== undefined) {
      this.again = true;
      return this.inFlight;
    }
    const work = (async () => {
      try {
        do {
          this.again = false;
          await this.refreshOnce();
        } while (this.again && !this.stopped);
      } finally {
        this.inFlight = undefined;
      }
    })();
    this.inFlight = work;
    this.opts.track(work);
    return work;
  }

  private scheduleRefresh(): void {
    this.cancelTimer = this.opts.clock.setTimeout(() => {
      if (this.stopped) return;
      this.scheduleRefresh();
      void this.refresh();
    }, this.opts.config.refresh_interval);
  }

  private async refreshOnce(): Promise<void> {
    const { logger, metrics, job } = this.opts;
    this.watchFolders();
    const files = await listFiles(this.opts.config.files);
    const next = new Map<string, TargetGroup[]>();
    for (const file of files) {
      try {
        next.set(file, await readTargetFile(file));
      } catch (err) {
        if (isNotFound(err)) continue; // deleted between listing and reading
        metrics.sdFileReadErrors.inc({ file });
        logger.error(
          { job, file, err: err instanceof Error ? err.message : String(err) },
          'file_sd: cannot use the file; keeping its last good targets',
        );
        const last = this.groupsByFile.get(file);
        if (last !== undefined) next.set(file, last);
      }
    }
    if (this.stopped) return;
    this.groupsByFile = next;
    const groups = [...next.keys()].sort().flatMap((f) => next.get(f)!);
    const serialized = JSON.stringify(groups);
    if (serialized === this.lastSent) return;
    this.lastSent = serialized;
    this.opts.onUpdate(groups);
  }

  /** Watches the folder of every pattern (files come and go); folders that appear later are picked up. */
  private watchFolders(): void {
    for (const pattern of this.opts.config.files) {
      const dir = dirname(pattern);
      if (this.watchers.has(dir) || this.stopped) continue;
      try {
        const w = watch(dir, { persistent: false }, () => void this.refresh());
        w.on('error', (err) => {
          this.opts.logger.warn({ job: this.opts.job, dir, err: err.message }, 'file_sd: watching the folder failed');
          w.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, w);
      } catch (err) {
        this.opts.logger.debug(
          { job: this.opts.job, dir, err: (err as Error).message },
          'file_sd: cannot watch the folder (yet); relying on refresh_interval',
        );
      }
    }
  }
}

/**
 * The files matching the patterns, sorted. As in Prometheus (filepath.Glob), only the last path
 * segment may hold `*`, `?` or `[...]`; a pattern without them names one file, if it exists.
 */
export async function listFiles(patterns: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const pattern of patterns) {
    const dir = dirname(pattern);
    const base = basename(pattern);
    const re = globToRegExp(base);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names) if (re.test(name)) out.add(join(dir, name));
  }
  return [...out].sort();
}

/** Go's filepath.Match for one segment: `*`, `?`, `[a-z]`, `[^a-z]`, `\\` escapes. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < glob.length) re += escapeRegExp(glob[++i]!);
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('^')) body = `^${body.slice(1).replace(/[\\\]]/g, '\\$&')}`;
      else body = body.replace(/[\\\]^]/g, '\\$&');
      re += `[${body}]`;
      i = end;
    } else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`, 'su');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Reads one target file into groups with `__meta_filepath`; throws a `FileSdError` naming the file. */
export async function readTargetFile(file: string): Promise<TargetGroup[]> {
  const text = await readFile(file, 'utf8');
  const ext = extname(file).toLowerCase();
  let raw: unknown;
  try {
    if (ext === '.json') raw = JSON.parse(text);
    else if (ext === '.yml' || ext === '.yaml') raw = parseYaml(text, { uniqueKeys: true }) ?? [];
    else throw new FileSdError(file, `unsupported file extension "${ext}" (use .json, .yml or .yaml)`);
  } catch (err) {
    if (err instanceof FileSdError) throw err;
    throw new FileSdError(file, `invalid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return parseTargetGroups(raw, file);
}

function parseTargetGroups(raw: unknown, file: string): TargetGroup[] {
  if (!Array.isArray(raw)) throw new FileSdError(file, 'expected a list of target groups');
  return raw.map((entry: unknown, i): TargetGroup => {
    const at = `at ${i}`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new FileSdError(file, `${at}: expected an object with "targets" and "labels"`);
    }
    const { targets, labels, ...rest } = entry as Record<string, unknown>;
    const unknownKeys = Object.keys(rest);
    if (unknownKeys.length > 0) throw new FileSdError(file, `${at}: unknown key(s) ${unknownKeys.join(', ')}`);
    if (!Array.isArray(targets) || !targets.every((t) => typeof t === 'string')) {
      throw new FileSdError(file, `${at}.targets: expected a list of strings`);
    }
    const groupLabels: Record<string, string> = {};
    if (labels !== undefined && labels !== null) {
      if (typeof labels !== 'object' || Array.isArray(labels))
        throw new FileSdError(file, `${at}.labels: expected a map`);
      for (const [name, value] of Object.entries(labels)) {
        if (!isLegacyLabelName(name)) throw new FileSdError(file, `${at}.labels: "${name}" is not a valid label name`);
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          throw new FileSdError(file, `${at}.labels.${name}: expected a string`);
        }
        groupLabels[name] = String(value);
      }
    }
    groupLabels[FILEPATH_META_LABEL] = file;
    return {
      source: `${file}:${i}`,
      targets: targets.map((t) => ({ [ADDRESS_LABEL]: t })),
      labels: groupLabels,
    };
  });
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
