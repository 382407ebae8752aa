/**
 * Known flaky services: the alerts matching `condition` are muted for their first
 * `max_suppressions` occurrences within a window of `suppress_duration`; later ones notify.
 *
 * Precisely, per flaky thing (the alert, or its `group_by` labels):
 * - an occurrence is one firing episode: a fingerprint with a given startsAt (an alert that
 *   resolves and fires again is a new occurrence);
 * - the first occurrence opens a window [its startsAt, + suppress_duration); occurrences that start
 *   inside it are numbered in the order they are first seen — reported by the alert store
 *   (`observe`) or asked about (`decide`), whichever comes first, so that an occurrence that comes
 *   and goes between two flushes of its group still counts; the first `max_suppressions` are
 *   muted until the window ends, the others notify at once;
 * - when the window ends, every occurrence of it notifies if it is still firing (a real outage of
 *   the flaky service is not hidden for longer than the window), and the next occurrence opens a
 *   new window.
 * Decisions are remembered per occurrence, so asking again gives the same answer; windows are
 * persisted so a restart does not hand out a fresh set of suppressions.
 */
import type { AlertMatcher } from '../../alerting/index.js';
import { formatLabels, matches } from '../label-match.js';
import type { IncidentAlert, MuteCandidate } from '../ports.js';
import { formatDuration, type RuleDecision, type RuleStatus, type SuppressionRule } from './rule.js';

interface Occurrence {
  fingerprint: string;
  startsAtMs: number;
  suppressed: boolean;
}

interface FlakyWindow {
  startMs: number;
  occurrences: Occurrence[];
}

/** Where windows are kept between restarts (the IncidentStore). */
export interface FlakyWindowPersistence {
  load(rule: string): { key: string; doc: unknown }[];
  /** `undefined` deletes. */
  put(rule: string, key: string, doc: unknown): void;
}

export interface FlakyServiceOptions {
  name: string;
  condition: readonly AlertMatcher[];
  suppressDurationMs: number;
  maxSuppressions: number;
  /** Labels that make one flaky thing; undefined: each alert (fingerprint) on its own. */
  groupBy?: readonly string[];
  persistence?: FlakyWindowPersistence;
}

export class FlakyServiceRule implements SuppressionRule {
  readonly kind = 'flaky' as const;
  readonly name: string;
  private readonly windows = new Map<string, FlakyWindow>();

  constructor(private readonly opts: FlakyServiceOptions) {
    this.name = opts.name;
    for (const { key, doc } of opts.persistence?.load(opts.name) ?? []) {
      if (isWindow(doc)) this.windows.set(key, doc);
    }
  }

  private keyOf(alert: MuteCandidate): string {
    const groupBy = this.opts.groupBy;
    if (!groupBy) return alert.fingerprint;
    return formatLabels(Object.fromEntries(groupBy.map((l) => [l, alert.labels[l] ?? ''])));
  }

  /** A firing alert from the alert store: a new occurrence is counted now, not when a flush first asks. */
  observe(alert: IncidentAlert): void {
    if (alert.status === 'firing' && matches(this.opts.condition, alert.labels))
      this.occurrence(alert, alert.startsAtMs);
  }

  decide(alert: MuteCandidate, nowMs: number): RuleDecision | undefined {
    if (!matches(this.opts.condition, alert.labels)) return undefined;
    const { suppressDurationMs: durationMs, maxSuppressions: max } = this.opts;
    const found = this.occurrence(alert, nowMs);
    if (!found) {
      return { muted: false, reason: `${this.label()}: the occurrence began before the current window — notifying` };
    }
    const { window, occurrence } = found;
    const endMs = window.startMs + durationMs;
    if (!occurrence.suppressed) {
      return {
        muted: false,
        reason: `${this.label()}: all ${max} suppressions of the ${formatDuration(durationMs)} window used — notifying`,
      };
    }
    if (nowMs >= endMs) {
      return {
        muted: false,
        reason: `${this.label()}: still firing when the ${formatDuration(durationMs)} window ended — notifying`,
      };
    }
    const n = window.occurrences.filter((o) => o.suppressed).indexOf(occurrence) + 1;
    return {
      muted: true,
      reason: `${this.label()}: occurrence ${n} of at most ${max} muted until ${new Date(endMs).toISOString()}`,
    };
  }

  /**
   * The alert's occurrence, counted in its window when it is new (undefined: it began before the
   * current window). `nowMs` decides which ended windows are dropped.
   */
  private occurrence(alert: MuteCandidate, nowMs: number): { window: FlakyWindow; occurrence: Occurrence } | undefined {
    const key = this.keyOf(alert);
    let window = this.windows.get(key);
    const known = window?.occurrences.find(
      (o) => o.fingerprint === alert.fingerprint && o.startsAtMs === alert.startsAtMs,
    );
    if (window && known) return { window, occurrence: known };
    if (window && alert.startsAtMs < window.startMs) return undefined;
    if (!window || alert.startsAtMs >= window.startMs + this.opts.suppressDurationMs) {
      this.sweep(nowMs);
      window = { startMs: alert.startsAtMs, occurrences: [] };
      this.windows.set(key, window);
    }
    const used = window.occurrences.filter((o) => o.suppressed).length;
    const occurrence = {
      fingerprint: alert.fingerprint,
      startsAtMs: alert.startsAtMs,
      suppressed: used < this.opts.maxSuppressions,
    };
    window.occurrences.push(occurrence);
    this.opts.persistence?.put(this.name, key, window);
    return { window, occurrence };
  }

  private label(): string {
    return `flaky-service rule "${this.name}"`;
  }

  /** Drops windows that have ended: everything in them notifies now, so they decide nothing. */
  private sweep(nowMs: number): void {
    for (const [key, w] of this.windows) {
      if (nowMs >= w.startMs + this.opts.suppressDurationMs) {
        this.windows.delete(key);
        this.opts.persistence?.put(this.name, key, undefined);
      }
    }
  }

  status(nowMs: number): RuleStatus {
    const open = [...this.windows.entries()].filter(([, w]) => nowMs < w.startMs + this.opts.suppressDurationMs);
    return {
      name: this.name,
      kind: this.kind,
      active: open.length > 0,
      detail:
        open.length === 0
          ? 'no open window'
          : `${open.length} open window(s); at most ${this.opts.maxSuppressions} occurrences muted per window`,
      suppressDuration: formatDuration(this.opts.suppressDurationMs),
      maxSuppressions: this.opts.maxSuppressions,
      windows: open.map(([key, w]) => ({
        key,
        start: new Date(w.startMs).toISOString(),
        end: new Date(w.startMs + this.opts.suppressDurationMs).toISOString(),
        suppressed: w.occurrences.filter((o) => o.suppressed).length,
        notified: w.occurrences.filter((o) => !o.suppressed).length,
      })),
    };
  }
}

function isWindow(doc: unknown): doc is FlakyWindow {
  const w = doc as FlakyWindow | null;
  return (
    w !== null &&
    typeof w === 'object' &&
    typeof w.startMs === 'number' &&
    Array.isArray(w.occurrences) &&
    w.occurrences.every((o) => typeof o.fingerprint === 'string' && typeof o.startsAtMs === 'number')
  );
}
