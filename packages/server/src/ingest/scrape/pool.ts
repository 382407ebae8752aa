/**
 * A scrape pool: one job of `scrape_configs`. Collects target groups from static_configs and
 * file_sd_configs, turns them into targets, and keeps one loop per target: new targets start
 * scraping, vanished ones stop with end-of-run staleness markers.
 */
import type { ResolvedScrapeConfig } from '../../config/index.js';
import { Labels } from '../../lib/labels.js';
import type { MetricMetadata } from '../exposition/index.js';
import { FileDiscovery } from './file-sd.js';
import { type LoopContext, ScrapeLoop } from './loop.js';
import { ADDRESS_LABEL, populateLabels, Target, type TargetGroup } from './target.js';

export class ScrapePool {
  readonly job: string;
  private config: ResolvedScrapeConfig;
  private readonly ctx: LoopContext;
  /** Called with every loop that stops with pending end-of-run staleness (the manager cancels them on shutdown). */
  private readonly onRetire: (loop: ScrapeLoop) => void;
  /** Groups per provider: `static`, `file:0`, `file:1`, ... */
  private readonly groups = new Map<string, TargetGroup[]>();
  private discoveries: FileDiscovery[] = [];
  private readonly loops = new Map<string, ScrapeLoop>();
  private dropped: Labels[] = [];
  private stopped = false;

  constructor(config: ResolvedScrapeConfig, ctx: LoopContext, onRetire: (loop: ScrapeLoop) => void) {
    this.job = config.job_name;
    this.config = config;
    this.ctx = ctx;
    this.onRetire = onRetire;
  }

  /** Starts discovery; resolves once the first targets of every source are in place. */
  async start(): Promise<void> {
    this.warnUnsupported();
    await this.startDiscovery();
    this.sync();
  }

  /** Applies a new configuration of this job; discovery restarts only when its part changed. */
  async reconfigure(config: ResolvedScrapeConfig): Promise<void> {
    const previous = this.config;
    this.config = config;
    this.warnUnsupported();
    for (const loop of this.loops.values()) loop.reconfigure(config);
    const discoveryChanged =
      JSON.stringify([previous.static_configs, previous.file_sd_configs]) !==
      JSON.stringify([config.static_configs, config.file_sd_configs]);
    if (discoveryChanged) {
      for (const d of this.discoveries) d.stop();
      this.discoveries = [];
      this.groups.clear();
      await this.startDiscovery();
    }
    this.sync();
  }

  /** Stops discovery and every loop; `endOfRunStaleness` when the job was removed from the config. */
  async stop(endOfRunStaleness: boolean): Promise<void> {
    this.stopped = true;
    for (const d of this.discoveries) d.stop();
    this.discoveries = [];
    const loops = [...this.loops.values()];
    this.loops.clear();
    this.ctx.metrics.targets.remove({ job: this.job });
    await Promise.all(loops.map((loop) => this.retire(loop, endOfRunStaleness)));
  }

  activeTargets(): Target[] {
    return [...this.loops.values()].map((l) => l.target);
  }

  /** The metadata of every target's last scrape. */
  metadata(): (readonly MetricMetadata[])[] {
    return [...this.loops.values()].map((l) => l.metadata);
  }

  droppedTargets(): Labels[] {
    return this.dropped;
  }

  /** Settings that Node's fetch cannot apply per request yet: say so rather than ignore them silently. */
  private warnUnsupported(): void {
    if (this.config.tls_config !== undefined) {
      this.ctx.logger.warn(
        { job: this.job },
        'tls_config is not applied yet: HTTPS targets are verified against the system CA store',
      );
    }
  }

  private async startDiscovery(): Promise<void> {
    this.groups.set(
      'static',
      this.config.static_configs.map((sc, i) => ({
        source: `static:${i}`,
        targets: sc.targets.map((t) => ({ [ADDRESS_LABEL]: t })),
        labels: sc.labels,
      })),
    );
    // Updates during start() are applied by start() itself, once every source answered.
    let started = false;
    this.discoveries = this.config.file_sd_configs.map((config, i) => {
      const provider = `file:${i}`;
      return new FileDiscovery({
        config,
        job: this.job,
        clock: this.ctx.clock,
        logger: this.ctx.logger,
        metrics: this.ctx.metrics,
        track: (w) => this.ctx.track(w),
        onUpdate: (groups) => {
          this.groups.set(provider, groups);
          if (started) this.sync();
        },
      });
    });
    await Promise.all(this.discoveries.map((d) => d.start()));
    started = true;
  }

  /** Recomputes the targets from all groups and starts or stops loops to match. */
  private sync(): void {
    if (this.stopped) return;
    const seen = new Map<string, Target>();
    const dropped: Labels[] = [];
    for (const groups of this.groups.values()) {
      for (const group of groups) {
        for (const targetLabels of group.targets) {
          const discovered = Labels.from({ ...group.labels, ...targetLabels });
          const result = populateLabels(discovered, this.config);
          if (result.kind === 'dropped') {
            dropped.push(result.discoveredLabels);
          } else if (result.kind === 'invalid') {
            this.ctx.logger.warn(
              { job: this.job, source: group.source, labels: discovered.toString(), err: result.error },
              'cannot create the scrape target',
            );
          } else {
            const target = new Target(result.labels, result.discoveredLabels, this.config.params);
            if (!seen.has(target.key)) seen.set(target.key, target);
          }
        }
      }
    }
    this.dropped = dropped;
    for (const [key, target] of seen) {
      const loop = this.loops.get(key);
      if (loop !== undefined) {
        loop.target.discoveredLabels = target.discoveredLabels;
        continue;
      }
      const created = new ScrapeLoop(target, this.config, this.ctx);
      this.loops.set(key, created);
      created.start();
    }
    for (const [key, loop] of this.loops) {
      if (seen.has(key)) continue;
      this.loops.delete(key);
      this.ctx.track(this.retire(loop, true));
    }
    this.ctx.metrics.targets.set({ job: this.job }, this.loops.size);
  }

  private async retire(loop: ScrapeLoop, endOfRunStaleness: boolean): Promise<void> {
    await loop.stop(endOfRunStaleness);
    if (endOfRunStaleness) this.onRetire(loop);
  }
}
