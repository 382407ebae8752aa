/**
 * Silences as Alertmanager 0.25 keeps them (silence/silence.go): matchers with the four operators
 * and anchored Go regexps, states pending → active → expired by time, in-place updates only when
 * the matchers are unchanged and the times allow it (otherwise the old silence is expired and a new
 * one created), expiry, and garbage collection after the retention. Every change is written to a
 * `SilenceStore` before it is visible, so that silences survive a crash.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { compileGoRegexp, GoRegexpError } from '../go-regexp.js';
import { goQuote } from '../go-strings.js';
import { AlertMatcher, type AlertMatchType } from '../matchers.js';

/** One matcher of a silence, in API v2's shape. */
export interface SilenceMatcher {
  readonly name: string;
  /** The value, or the regexp (RE2 syntax, anchored) when `isRegex`. */
  readonly value: string;
  readonly isRegex: boolean;
  /** False: the matcher negates (`!=`, `!~`). */
  readonly isEqual: boolean;
}

export interface Silence {
  /** A UUID. */
  readonly id: string;
  readonly matchers: readonly SilenceMatcher[];
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  /** When it was created or last changed. */
  readonly updatedAtMs: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** What `set` takes: a new silence, or (with `id`) a change to an existing one. */
export interface SilenceInput {
  readonly id?: string;
  readonly matchers: readonly SilenceMatcher[];
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly createdBy: string;
  readonly comment: string;
}

export type SilenceState = 'pending' | 'active' | 'expired';

/** Where silences are kept across restarts. Writes must be durable when they return. */
export interface SilenceStore {
  loadAll(): Silence[];
  save(silence: Silence): void;
  delete(ids: readonly string[]): void;
}

export type SilenceErrorCode = 'WK_SILENCE_NOT_FOUND' | 'WK_SILENCE_INVALID';

/** A silence that cannot be set or found. `message` is Alertmanager's text (the API returns it). */
export class SilenceError extends Error {
  constructor(
    readonly code: SilenceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SilenceError';
  }
}

/**
 * A silence's state at `nowMs`. Times are milliseconds here (nanoseconds in Alertmanager), so the
 * end is exclusive: a silence expired at `t` (its end set to `t`) no longer mutes at `t`.
 */
export function silenceState(s: Silence, nowMs: number): SilenceState {
  if (nowMs < s.startsAtMs) return 'pending';
  if (nowMs >= s.endsAtMs) return 'expired';
  return 'active';
}

const STATE_ORDER: Record<SilenceState, number> = { active: 0, pending: 1, expired: 2 };

/** Alertmanager's API order: active, pending, expired; the first two by end, expired by end descending. */
export function compareSilences(a: Silence, b: Silence, nowMs: number): number {
  const sa = silenceState(a, nowMs);
  const sb = silenceState(b, nowMs);
  if (sa !== sb) return STATE_ORDER[sa] - STATE_ORDER[sb];
  return sa === 'expired' ? b.endsAtMs - a.endsAtMs : a.endsAtMs - b.endsAtMs;
}

function matchType(m: SilenceMatcher): AlertMatchType {
  return m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
}

/** The matchers of a silence as AlertMatchers (`{name="value"}` syntax when printed). */
export function silenceMatchers(s: { readonly matchers: readonly SilenceMatcher[] }): AlertMatcher[] {
  return s.matchers.map((m) => AlertMatcher.create(matchType(m), m.name, m.value));
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Alertmanager's validateSilence (without the id and update time, which are always set here). */
function validate(s: SilenceInput): string | undefined {
  if (s.matchers.length === 0) return 'at least one matcher required';
  let allMatchEmpty = true;
  for (const [i, m] of s.matchers.entries()) {
    if (!LABEL_NAME.test(m.name)) return `invalid label matcher ${i}: invalid label name ${goQuote(m.name)}`;
    if (m.isRegex) {
      try {
        compileGoRegexp(m.value);
      } catch (err) {
        if (!(err instanceof GoRegexpError)) throw err;
        return `invalid label matcher ${i}: invalid regular expression ${goQuote(m.value)}: ${err.message}`;
      }
    } else if (!m.value.isWellFormed()) {
      return `invalid label matcher ${i}: invalid label value ${goQuote(m.value)}`;
    }
    allMatchEmpty &&= AlertMatcher.create(matchType(m), m.name, m.value).matches('');
  }
  if (allMatchEmpty) return 'at least one matcher must not match the empty string';
  if (s.endsAtMs < s.startsAtMs) return 'end time must not be before start time';
  return undefined;
}

function sameMatchers(a: readonly SilenceMatcher[], b: readonly SilenceMatcher[]): boolean {
  return (
    a.length === b.length &&
    a.every((m, i) => {
      const o = b[i]!;
      return m.name === o.name && m.value === o.value && matchType(m) === matchType(o);
    })
  );
}

export interface SilencesOptions {
  clock: Clock;
  /** Durable storage; without it silences live in memory only. */
  store?: SilenceStore;
  /** How long expired silences are kept (Alertmanager's `--data.retention`). @default 120 h */
  retentionMs?: number;
  /** How often expired silences past retention are dropped. @default 15 m */
  gcIntervalMs?: number;
  /** New silence ids. @default crypto.randomUUID */
  newId?: () => string;
}

/**
 * The silences.
 *
 * @example
 * const silences = new Silences({ clock, store: new SqliteSilenceStore(db) });
 * const id = silences.set({ matchers: [{ name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true }],
 *   startsAtMs: now, endsAtMs: now + 3_600_000, createdBy: 'ops', comment: 'disk swap' });
 * silences.mutedBy({ alertname: 'DiskFull' }); // [id]
 */
export class Silences {
  private readonly byId = new Map<string, { silence: Silence; matchers: AlertMatcher[] }>();
  private readonly clock: Clock;
  private readonly store: SilenceStore | undefined;
  private readonly retentionMs: number;
  private readonly gcIntervalMs: number;
  private readonly newId: () => string;
  private cancelGc: (() => void) | undefined;
  private versionValue = 0;

  constructor(options: SilencesOptions) {
    this.clock = options.clock;
    this.store = options.store;
    this.retentionMs = options.retentionMs ?? 120 * 3_600_000;
    this.gcIntervalMs = options.gcIntervalMs ?? 15 * 60_000;
    this.newId = options.newId ?? randomUUID;
    for (const s of this.store?.loadAll() ?? []) this.byId.set(s.id, { silence: s, matchers: silenceMatchers(s) });
    this.gc();
    this.scheduleGc();
  }

  /** Increases with every change (callers cache what they derive from silences by it). */
  get version(): number {
    return this.versionValue;
  }

  /**
   * Creates a silence, or changes the one with `input.id`. A change keeps the id only if the
   * matchers are the same and the times allow it (an active silence keeps its start and does not
   * end in the past; a pending one does not start in the past); otherwise the old silence is
   * expired and a new one created. A start in the past becomes now. Returns the id.
   * @throws SilenceError `WK_SILENCE_NOT_FOUND` for an unknown id, `WK_SILENCE_INVALID` with Alertmanager's message.
   */
  set(input: SilenceInput): string {
    const nowMs = this.clock.nowMs();
    if (input.startsAtMs >= input.endsAtMs) {
      throw new SilenceError('WK_SILENCE_INVALID', 'Failed to create silence: start time must be before end time');
    }
    if (input.endsAtMs < nowMs) {
      throw new SilenceError('WK_SILENCE_INVALID', "Failed to create silence: end time can't be in the past");
    }
    const prev = input.id !== undefined && input.id !== '' ? this.byId.get(input.id)?.silence : undefined;
    if (input.id !== undefined && input.id !== '' && !prev) {
      throw new SilenceError('WK_SILENCE_NOT_FOUND', 'silence not found');
    }
    const invalid = validate(input);
    if (invalid !== undefined) throw new SilenceError('WK_SILENCE_INVALID', `silence invalid: ${invalid}`);
    if (prev && this.canUpdate(prev, input, nowMs)) {
      this.write({ ...this.fields(input), id: prev.id, updatedAtMs: nowMs });
      return prev.id;
    }
    if (prev && silenceState(prev, nowMs) !== 'expired') this.expireSilence(prev, nowMs);
    const id = this.newId();
    this.write({
      ...this.fields(input),
      id,
      startsAtMs: Math.max(input.startsAtMs, nowMs),
      updatedAtMs: nowMs,
    });
    return id;
  }

  /**
   * Ends a silence now (a pending one never starts). Expiring an expired silence changes nothing.
   * @throws SilenceError `WK_SILENCE_NOT_FOUND`.
   */
  expire(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) throw new SilenceError('WK_SILENCE_NOT_FOUND', 'silence not found');
    const nowMs = this.clock.nowMs();
    if (silenceState(entry.silence, nowMs) === 'expired') return;
    this.expireSilence(entry.silence, nowMs);
  }

  get(id: string): Silence | undefined {
    return this.byId.get(id)?.silence;
  }

  /** All silences kept (expired ones until retention), in Alertmanager's API order. */
  list(): Silence[] {
    const nowMs = this.clock.nowMs();
    return [...this.byId.values()].map((e) => e.silence).sort((a, b) => compareSilences(a, b, nowMs));
  }

  state(silence: Silence): SilenceState {
    return silenceState(silence, this.clock.nowMs());
  }

  /** The ids (sorted) of the active silences whose matchers all match the labels; empty: not silenced. */
  mutedBy(labels: Readonly<Record<string, string>>, nowMs = this.clock.nowMs()): string[] {
    const ids: string[] = [];
    const lookup = (n: string): string => (Object.hasOwn(labels, n) ? labels[n]! : '');
    for (const { silence, matchers } of this.byId.values()) {
      if (silenceState(silence, nowMs) !== 'active') continue;
      if (matchers.every((m) => m.matches(lookup(m.name)))) ids.push(silence.id);
    }
    return ids.sort();
  }

  /** Counts by state (the `alertmanager_silences` gauge). */
  countByState(): Record<SilenceState, number> {
    const nowMs = this.clock.nowMs();
    const counts = { active: 0, pending: 0, expired: 0 };
    for (const { silence } of this.byId.values()) counts[silenceState(silence, nowMs)]++;
    return counts;
  }

  /** Drops silences that ended more than the retention ago; returns how many. */
  gc(): number {
    const nowMs = this.clock.nowMs();
    const drop = [...this.byId.values()]
      .filter((e) => e.silence.endsAtMs + this.retentionMs < nowMs)
      .map((e) => e.silence.id);
    if (drop.length === 0) return 0;
    this.store?.delete(drop);
    for (const id of drop) this.byId.delete(id);
    this.versionValue++;
    return drop.length;
  }

  close(): void {
    this.cancelGc?.();
    this.cancelGc = undefined;
  }

  private scheduleGc(): void {
    this.cancelGc = this.clock.setTimeout(() => {
      this.gc();
      this.scheduleGc();
    }, this.gcIntervalMs);
  }

  private fields(input: SilenceInput): Omit<Silence, 'id' | 'updatedAtMs'> {
    return {
      matchers: input.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual })),
      startsAtMs: input.startsAtMs,
      endsAtMs: input.endsAtMs,
      createdBy: input.createdBy,
      comment: input.comment,
    };
  }

  private canUpdate(prev: Silence, next: SilenceInput, nowMs: number): boolean {
    if (!sameMatchers(prev.matchers, next.matchers)) return false;
    switch (silenceState(prev, nowMs)) {
      case 'active':
        return next.startsAtMs === prev.startsAtMs && next.endsAtMs >= nowMs;
      case 'pending':
        return next.startsAtMs >= nowMs;
      case 'expired':
        return false;
    }
  }

  private expireSilence(s: Silence, nowMs: number): void {
    const pending = silenceState(s, nowMs) === 'pending';
    this.write({ ...s, startsAtMs: pending ? nowMs : s.startsAtMs, endsAtMs: nowMs, updatedAtMs: nowMs });
  }

  /** Durable first, then visible. */
  private write(s: Silence): void {
    const frozen = Object.freeze({ ...s, matchers: Object.freeze(s.matchers.map((m) => Object.freeze({ ...m }))) });
    this.store?.save(frozen);
    this.byId.set(frozen.id, { silence: frozen, matchers: silenceMatchers(frozen) });
    this.versionValue++;
  }
}
