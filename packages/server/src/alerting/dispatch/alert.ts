/**
 * Alerts as the dispatcher keeps them (Alertmanager's types.Alert), the API v2 postable alert they
 * are made from, and Alertmanager's rules for them: validation with its messages, the defaults for
 * missing times (resolve_timeout), merging a re-sent alert, resolution and notification order.
 */
import { labelsFingerprint, type NotificationAlert } from '../../template/index.js';
import { compareGoStrings, goQuote } from '../go-strings.js';

/**
 * An alert as API v2 `POST /api/v2/alerts` accepts it (and as Prometheus sends it). Times are
 * RFC 3339; a missing `startsAt` is the time of receipt (or `endsAt`), a missing `endsAt` is
 * "firing until resolve_timeout passes without a re-send".
 */
export interface PostableAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

/** Where alerts are sent: the alert store implements it (rules evaluation and the API call it). */
export interface AlertSink {
  send(alerts: readonly PostableAlert[]): SendResult;
}

/** What `send` did: alerts stored, and Alertmanager's messages for the ones it refused. */
export interface SendResult {
  readonly accepted: number;
  /** One message per invalid alert (`at least one label pair required`, `invalid label set: ...`). */
  readonly errors: readonly string[];
}

/** An alert held by the store and the dispatcher. Immutable: a re-send makes a new object. */
export interface Alert {
  /** Alertmanager's fingerprint of the labels (FNV-1a 64, 16 hex digits). */
  readonly fingerprint: string;
  /** Sorted by name (Go's byte order), no empty values. */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAtMs: number;
  /** When it resolves (or resolved). With `timeout`, the resolve_timeout deadline, not the sender's. */
  readonly endsAtMs: number;
  readonly generatorURL: string;
  /** When this version was received. */
  readonly updatedAtMs: number;
  /** `endsAt` was not sent: it is now + resolve_timeout and a re-send without it extends it. */
  readonly timeout: boolean;
}

/** Whether the alert is resolved at `nowMs` (Alertmanager: `EndsAt` not after now). */
export function isResolvedAt(alert: Alert, nowMs: number): boolean {
  return alert.endsAtMs <= nowMs;
}

/** Go's zero time (`0001-01-01T00:00:00Z`) in Unix milliseconds. */
export const GO_ZERO_TIME_MS = -62135596800000;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an RFC 3339 time as go-openapi's strfmt.DateTime does (fractions of any length,
 * truncated to milliseconds). Returns undefined for text that is not such a time.
 */
export function parseApiTime(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  if (d.getUTCDate() !== day) return undefined;
  let ms = d.getTime() + (m[7] ? Math.floor(Number(`0${m[7]}`) * 1000 + 1e-9) : 0);
  if (m[9] !== undefined) {
    const offsetMs = (Number(m[10]) * 60 + Number(m[11])) * 60_000;
    ms += m[9] === '+' ? -offsetMs : offsetMs;
  }
  return ms;
}

/** Formats as go-openapi's strfmt.DateTime (`2026-11-27T18:24:24.037Z`): what API v2 returns. */
export function formatApiTime(ms: number): string {
  if (ms === GO_ZERO_TIME_MS) return '0001-01-01T00:00:00.000Z';
  return new Date(ms).toISOString();
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function sortedRecord(r: Readonly<Record<string, string>>, dropEmpty: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort(compareGoStrings)) {
    const v = r[k]!;
    if (dropEmpty && v === '') continue;
    out[k] = v;
  }
  return out;
}

function validateLabelSet(r: Readonly<Record<string, string>>): string | undefined {
  for (const [name, value] of Object.entries(r)) {
    if (!LABEL_NAME.test(name)) return `invalid name ${goQuote(name)}`;
    // Go's LabelValue.IsValid is utf8.ValidString: a lone surrogate is the only way to fail it from JS.
    if (!value.isWellFormed()) return `invalid value ${goQuote(value)}`;
  }
  return undefined;
}

function isRecordOfStrings(v: unknown): v is Record<string, string> {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')
  );
}

/**
 * Turns postable alerts into stored alerts as Alertmanager's `POST /api/v2/alerts` does: times
 * defaulted (startsAt := now, or endsAt when only that is given; endsAt := now + resolve_timeout,
 * marked `timeout`), empty labels dropped, then validated. Invalid alerts are left out with
 * Alertmanager's message; the others are returned.
 */
export function normalizePostableAlerts(
  postable: readonly PostableAlert[],
  nowMs: number,
  resolveTimeoutMs: number,
): { alerts: Alert[]; errors: string[] } {
  const alerts: Alert[] = [];
  const errors: string[] = [];
  for (const p of postable) {
    const labelsIn: unknown = p.labels;
    const annotationsIn: unknown = p.annotations ?? {};
    if (!isRecordOfStrings(labelsIn) || !isRecordOfStrings(annotationsIn)) {
      errors.push('invalid label set: labels and annotations must map names to strings');
      continue;
    }
    const startsIn = p.startsAt === undefined || p.startsAt === '' ? undefined : parseApiTime(p.startsAt);
    const endsIn = p.endsAt === undefined || p.endsAt === '' ? undefined : parseApiTime(p.endsAt);
    if ((p.startsAt && startsIn === undefined) || (p.endsAt && endsIn === undefined)) {
      errors.push('invalid time: startsAt and endsAt must be RFC 3339 times');
      continue;
    }
    const startsZero = startsIn === undefined || startsIn === GO_ZERO_TIME_MS;
    const endsZero = endsIn === undefined || endsIn === GO_ZERO_TIME_MS;
    const startsAtMs = !startsZero ? startsIn : !endsZero ? endsIn : nowMs;
    const timeout = endsZero;
    const endsAtMs = endsZero ? nowMs + resolveTimeoutMs : endsIn;
    const labels = sortedRecord(labelsIn, true);
    const annotations = sortedRecord(annotationsIn, false);
    // Alertmanager's Alert.Validate, in its order.
    let error: string | undefined;
    if (endsAtMs < startsAtMs) error = 'start time must be before end time';
    else {
      const bad = validateLabelSet(labels);
      if (bad !== undefined) error = `invalid label set: ${bad}`;
      else if (Object.keys(labels).length === 0) error = 'at least one label pair required';
      else {
        const badAnnotation = validateLabelSet(annotations);
        if (badAnnotation !== undefined) error = `invalid annotations: ${badAnnotation}`;
      }
    }
    if (error !== undefined) {
      errors.push(error);
      continue;
    }
    alerts.push(
      Object.freeze({
        fingerprint: labelsFingerprint(labels),
        labels: Object.freeze(labels),
        annotations: Object.freeze(annotations),
        startsAtMs,
        endsAtMs,
        generatorURL: p.generatorURL ?? '',
        updatedAtMs: nowMs,
        timeout,
      }),
    );
  }
  return { alerts, errors };
}

/**
 * Alertmanager's Alert.Merge: the younger alert's content, the earliest start, and for the end:
 * the latest explicit end if both are resolved; while firing, an older non-timeout end that is
 * later wins.
 */
export function mergeAlerts(a: Alert, b: Alert, nowMs: number): Alert {
  if (b.updatedAtMs < a.updatedAtMs) return mergeAlerts(b, a, nowMs);
  let startsAtMs = b.startsAtMs;
  let endsAtMs = b.endsAtMs;
  if (a.startsAtMs < b.startsAtMs) startsAtMs = a.startsAtMs;
  if (isResolvedAt(b, nowMs)) {
    if (isResolvedAt(a, nowMs) && a.endsAtMs > b.endsAtMs) endsAtMs = a.endsAtMs;
  } else if (a.endsAtMs > b.endsAtMs && !a.timeout) {
    endsAtMs = a.endsAtMs;
  }
  if (startsAtMs === b.startsAtMs && endsAtMs === b.endsAtMs) return b;
  return Object.freeze({ ...b, startsAtMs, endsAtMs });
}

/**
 * Whether a received alert is merged with the stored one (Alertmanager's mem provider): only when
 * their activity ranges overlap; otherwise the new one replaces the old.
 */
export function overlaps(old: Alert, received: Alert): boolean {
  return (
    (received.endsAtMs > old.startsAtMs && received.endsAtMs < old.endsAtMs) ||
    (received.startsAtMs > old.startsAtMs && received.startsAtMs < old.endsAtMs)
  );
}

/** Prometheus's LabelSet.Before: fewer labels first, then the first differing pair in name order. */
export function labelSetBefore(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return ka.length < kb.length;
  const names = [...ka, ...kb].sort(compareGoStrings);
  for (const n of names) {
    if (!Object.hasOwn(a, n)) return true;
    if (!Object.hasOwn(b, n)) return false;
    const c = compareGoStrings(a[n]!, b[n]!);
    if (c !== 0) return c < 0;
  }
  return false;
}

/**
 * Alertmanager's AlertSlice order (the order of alerts in a notification): by `job`, then
 * `instance` (alerts having the label first), then by label set.
 */
export function compareAlertLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): number {
  for (const key of ['job', 'instance']) {
    const ia = Object.hasOwn(a, key);
    const ib = Object.hasOwn(b, key);
    if (!ia && !ib) continue;
    if (!ia) return 1;
    if (!ib) return -1;
    const c = compareGoStrings(a[key]!, b[key]!);
    if (c !== 0) return c;
  }
  return labelSetBefore(a, b) ? -1 : labelSetBefore(b, a) ? 1 : 0;
}

/**
 * The alert as a notification carries it at `nowMs`: firing alerts have no end (Alertmanager
 * blanks a future `EndsAt` so that alerts don't resolve as time moves on), resolved ones keep it.
 */
export function toNotificationAlert(alert: Alert, nowMs: number): NotificationAlert {
  const resolved = isResolvedAt(alert, nowMs);
  return {
    status: resolved ? 'resolved' : 'firing',
    labels: alert.labels,
    annotations: alert.annotations,
    startsAtMs: alert.startsAtMs,
    ...(resolved && { endsAtMs: alert.endsAtMs }),
    generatorURL: alert.generatorURL,
    fingerprint: alert.fingerprint,
  };
}
