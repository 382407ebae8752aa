/**
 * Test support for the rule manager: a simulated timeline on a ManualClock with series fed as a
 * scraper would, and a sink that records what it received and when.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManualClock } from '../lib/clock.js';
import { Labels } from '../lib/labels.js';
import type { Appendable } from '../tsdb/index.js';
import type { AlertSink, PostableAlert } from './alert-sink.js';
import type { RuleManager } from './manager.js';

/** Writes a rule file into a fresh temporary folder; returns its path. */
export function writeRuleFile(text: string, name = 'rules.yml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'wk-rules-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Records every batch with the clock time it arrived. */
export class RecordingSink implements AlertSink {
  readonly batches: { atMs: number; alerts: readonly PostableAlert[] }[] = [];
  constructor(private readonly clock: ManualClock) {}
  send(alerts: readonly PostableAlert[]): void {
    this.batches.push({ atMs: this.clock.nowMs(), alerts });
  }
  /** Every alert received, with the time it arrived. */
  all(): (PostableAlert & { atMs: number })[] {
    return this.batches.flatMap((b) => b.alerts.map((a) => ({ ...a, atMs: b.atMs })));
  }
}

/** A series fed at every step: its labels and its value at a time (undefined: no sample). */
export interface FedSeries {
  readonly labels: Record<string, string>;
  value(atMs: number): number | undefined;
}

/**
 * Moves the clock forward in steps of `stepMs`, appending every fed series' sample at each step
 * first (as a scrape would) and waiting for rule evaluations to finish after each.
 */
export async function runTimeline(
  o: { clock: ManualClock; manager: RuleManager; storage: Appendable; series: readonly FedSeries[] },
  durationMs: number,
  stepMs = 5_000,
): Promise<void> {
  const end = o.clock.nowMs() + durationMs;
  while (o.clock.nowMs() < end) {
    const app = o.storage.appender();
    for (const s of o.series) {
      const v = s.value(o.clock.nowMs());
      if (v !== undefined) app.append(Labels.from(s.labels), o.clock.nowMs(), v);
    }
    await app.commit();
    o.clock.advance(Math.min(stepMs, end - o.clock.nowMs()));
    await o.manager.idle();
  }
}
