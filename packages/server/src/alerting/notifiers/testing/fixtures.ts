/**
 * The captured Alertmanager 0.25 payloads of ../shared/conformance/alerting/payloads, read in
 * place (never copied into the repository), and what golden tests need to replay them: the
 * notification's alerts rebuilt from a captured webhook body.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NotificationAlert } from '../../../template/index.js';

export const PAYLOADS_DIR = fileURLToPath(
  new URL('../../../../../../../shared/conformance/alerting/payloads/', import.meta.url),
);

/** One captured POST (a line of the JSONL files). */
export interface CapturedPost {
  readonly t: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body, with its members in the order Alertmanager wrote them. */
  readonly body: unknown;
}

/** A captured webhook body (version 4). */
export interface WebhookBody {
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly alerts: readonly {
    readonly status: 'firing' | 'resolved';
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
    readonly startsAt: string;
    readonly endsAt: string;
    readonly generatorURL: string;
    readonly fingerprint: string;
  }[];
  readonly groupLabels: Record<string, string>;
  readonly externalURL: string;
  readonly groupKey: string;
}

/** The posts of a payload file, or `undefined` when the conformance folder is not there. */
export function loadCapturedPosts(file: string): CapturedPost[] | undefined {
  const path = PAYLOADS_DIR + file;
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CapturedPost);
}

/** Unix milliseconds of an RFC 3339 time with up to nanoseconds (the sub-millisecond part dropped); Go's zero time → undefined. */
export function parseGoTimeMs(s: string): number | undefined {
  if (s.startsWith('0001-01-01T00:00:00')) return undefined;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) throw new Error(`not an RFC 3339 time: ${s}`);
  const ms = (m[2] ?? '').padEnd(3, '0').slice(0, 3);
  return Date.parse(`${m[1]}.${ms}${m[3]}`);
}

/**
 * The alerts of a captured webhook body as the dispatcher would hand them over. Fingerprints are
 * not copied: the notifier computes them, and the golden comparison checks them.
 */
export function alertsOf(body: WebhookBody): NotificationAlert[] {
  return body.alerts.map((a) => {
    const endsAtMs = parseGoTimeMs(a.endsAt);
    return {
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAtMs: parseGoTimeMs(a.startsAt)!,
      ...(endsAtMs !== undefined && { endsAtMs }),
      generatorURL: a.generatorURL,
    };
  });
}
