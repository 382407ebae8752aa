/**
 * Scheduled maintenance windows in cron syntax with a time zone.
 *
 * Window semantics: the cron expression is read in the rule's zone (UTC by default) and the
 * minutes it matches are the muted minutes — minute `t` (whole minute, local wall-clock time) is
 * muted when the expression matches it. `* 2-3 * * SUN` is Sundays 02:00:00–03:59:59, and
 * `* 2-4 * * SUN` Sundays 02:00–04:59. With `duration`, each matching minute instead opens a window
 * of that length: `0 2 * * SUN` + `duration: 2h` is Sundays 02:00–03:59 as well. A schedule that
 * matches one minute per hour without a duration (the plan's `0 2-4 * * SUN`) is refused by the
 * configuration because it would mute only 02:00, 03:00 and 04:00.
 *
 * Daylight saving time follows from matching wall-clock minutes: on the night clocks go forward
 * the skipped local minutes do not exist and are not muted; on the night they go back the
 * repeated local minutes match twice, so the window is an hour longer in real time.
 */
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import {
  formatDuration,
  formatInZone,
  type RuleDecision,
  type RuleStatus,
  type SuppressionRule,
  type TargetSelector,
} from './rule.js';
import type { MuteCandidate } from '../ports.js';

const MINUTE_MS = 60_000;
/** How far a window's start and end are looked for, minute by minute (a window longer than this shows no end). */
const SCAN_MINUTES = 2 * 24 * 60;
/** How far ahead the next window is looked for. */
const NEXT_WINDOW_MS = 8 * 86_400_000;

export interface MaintenanceWindowOptions {
  name: string;
  schedule: string;
  /** IANA zone; @default UTC */
  timezone: string;
  /** Each match opens a window this long; undefined: only the matching minutes are muted. */
  durationMs?: number;
  targets: TargetSelector;
}

export class MaintenanceWindowRule implements SuppressionRule {
  readonly kind = 'maintenance' as const;
  readonly name: string;
  private readonly cron: CronExpression;
  /** The window of the last minute asked about (the answer is the same for the whole minute). */
  private cache: { minuteMs: number; window: { startMs: number; endMs: number | undefined } | undefined } | undefined;

  constructor(private readonly opts: MaintenanceWindowOptions) {
    this.name = opts.name;
    this.cron = CronExpressionParser.parse(opts.schedule, { tz: opts.timezone });
  }

  /** Whether the expression matches the minute that starts at `minuteMs`. */
  private matchesMinute(minuteMs: number): boolean {
    return this.cron.includesDate(new Date(minuteMs));
  }

  /** The window containing `nowMs` ([startMs, endMs); endMs undefined when beyond the lookahead), if any. */
  windowAt(nowMs: number): { startMs: number; endMs: number | undefined } | undefined {
    const minuteMs = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
    if (this.cache?.minuteMs !== minuteMs) {
      const window = this.opts.durationMs === undefined ? this.minuteWindow(minuteMs) : this.durationWindow(minuteMs);
      this.cache = { minuteMs, window };
    }
    const window = this.cache.window;
    // A window of a duration that is not whole minutes can end inside the minute.
    return window && (window.endMs === undefined || nowMs < window.endMs) ? window : undefined;
  }

  private minuteWindow(minuteMs: number): { startMs: number; endMs: number | undefined } | undefined {
    if (!this.matchesMinute(minuteMs)) return undefined;
    let startMs = minuteMs;
    for (let i = 0; i < SCAN_MINUTES && this.matchesMinute(startMs - MINUTE_MS); i++) startMs -= MINUTE_MS;
    let endMs = minuteMs + MINUTE_MS;
    let i = 0;
    for (; i < SCAN_MINUTES && this.matchesMinute(endMs); i++) endMs += MINUTE_MS;
    return { startMs, endMs: i === SCAN_MINUTES ? undefined : endMs };
  }

  /** The latest match at or before `ms`. */
  private latestMatch(ms: number): number | undefined {
    // prev() is strictly before its date.
    this.cron.reset(new Date(ms + 1));
    return this.cron.hasPrev() ? this.cron.prev().getTime() : undefined;
  }

  private durationWindow(minuteMs: number): { startMs: number; endMs: number | undefined } | undefined {
    const durationMs = this.opts.durationMs!;
    const latest = this.latestMatch(minuteMs);
    if (latest === undefined || minuteMs >= latest + durationMs) return undefined;
    // Windows that overlap or touch (a duration longer than the gap between matches) are one.
    let startMs = latest;
    for (let i = 0; i < 1000; i++) {
      const earlier = this.latestMatch(startMs - 1);
      if (earlier === undefined || earlier + durationMs < startMs) break;
      startMs = earlier;
    }
    let anchor = latest;
    let endMs = latest + durationMs;
    for (let i = 0; i < 1000; i++) {
      const later = this.latestMatch(endMs);
      if (later === undefined || later <= anchor) break;
      anchor = later;
      endMs = later + durationMs;
    }
    return { startMs, endMs };
  }

  /** The start of the next window after `nowMs` (outside a window), within the lookahead. */
  nextWindowStart(nowMs: number): number | undefined {
    this.cron.reset(new Date(nowMs));
    if (!this.cron.hasNext()) return undefined;
    const next = this.cron.next().getTime();
    return next - nowMs <= NEXT_WINDOW_MS ? next : undefined;
  }

  decide(alert: MuteCandidate, nowMs: number): RuleDecision | undefined {
    if (!this.opts.targets.matches(alert.labels)) return undefined;
    const window = this.windowAt(nowMs);
    if (!window) return undefined;
    return { muted: true, reason: `maintenance window "${this.name}" (${this.describeWindow(window)})` };
  }

  private describeWindow(window: { startMs: number; endMs: number | undefined }): string {
    const { schedule, timezone, durationMs } = this.opts;
    const what = durationMs === undefined ? `"${schedule}"` : `"${schedule}" for ${formatDuration(durationMs)}`;
    const until = window.endMs === undefined ? 'with no end in sight' : `until ${formatInZone(window.endMs, timezone)}`;
    return `schedule ${what}, since ${formatInZone(window.startMs, timezone)} ${until}`;
  }

  status(nowMs: number): RuleStatus {
    const window = this.windowAt(nowMs);
    const next = window ? undefined : this.nextWindowStart(nowMs);
    return {
      name: this.name,
      kind: this.kind,
      active: window !== undefined,
      detail: window
        ? `muting ${this.opts.targets.suppress.join(', ')}: ${this.describeWindow(window)}`
        : `outside the window; next from ${next === undefined ? 'nothing within 8 days' : formatInZone(next, this.opts.timezone)}`,
      schedule: this.opts.schedule,
      timezone: this.opts.timezone,
      ...(this.opts.durationMs !== undefined && { duration: formatDuration(this.opts.durationMs) }),
      suppress: this.opts.targets.suppress,
      window: window
        ? {
            start: new Date(window.startMs).toISOString(),
            end: window.endMs === undefined ? null : new Date(window.endMs).toISOString(),
          }
        : null,
      nextWindowStart: next === undefined ? null : new Date(next).toISOString(),
    };
  }
}
