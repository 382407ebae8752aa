/**
 * The notification inbox's store: the last N notifications received (500 by default), whatever
 * integration sent them, in one shape that the JSON API and the HTML page show.
 */

export const NOTIFICATION_KINDS = ['slack', 'pagerduty', 'sms', 'webhook', 'email'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * `firing`/`resolved` as the notification says (subject `[FIRING:2] ...`, PagerDuty `trigger`/
 * `resolve`, webhook `status`); `acknowledged` for PagerDuty `acknowledge` events and webhook
 * payloads with `"acknowledged": true`; `unknown` when the text does not say.
 */
export type NotificationStatus = 'firing' | 'resolved' | 'acknowledged' | 'unknown';

export interface InboxNotification {
  /** 1, 2, ... in order of arrival. */
  readonly id: number;
  /** ISO 8601, UTC. */
  readonly receivedAt: string;
  readonly kind: NotificationKind;
  /** Where it was sent: `#incidents`, a PagerDuty routing key, a phone number, a webhook's name, mail recipients. */
  readonly channel: string;
  /** Subject, Slack title, PagerDuty summary, first line of the SMS. */
  readonly title: string;
  /** The rest of the text (alert summaries, mail text), shortened. */
  readonly summary: string;
  readonly status: NotificationStatus;
  /** Watchkeeper's acknowledge link, when the notification carries one. */
  readonly acknowledgeURL?: string;
  /** What was received: the JSON body, or the mail's envelope, headers and text (large ones shortened). */
  readonly payload: unknown;
}

export type NewNotification = Omit<InboxNotification, 'id' | 'receivedAt'>;

export interface InboxQuery {
  kind?: NotificationKind;
  limit?: number;
}

export class NotificationInbox {
  readonly capacity: number;
  readonly #now: () => number;
  #entries: InboxNotification[] = [];
  #received = 0;

  constructor(capacity = 500, now: () => number = Date.now) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity: ${capacity}`);
    this.capacity = capacity;
    this.#now = now;
  }

  /** Notifications received since start, including those no longer kept. */
  get received(): number {
    return this.#received;
  }

  add(notification: NewNotification): InboxNotification {
    this.#received += 1;
    const entry: InboxNotification = {
      id: this.#received,
      receivedAt: new Date(this.#now()).toISOString(),
      ...notification,
    };
    this.#entries.push(entry);
    if (this.#entries.length > this.capacity) this.#entries.splice(0, this.#entries.length - this.capacity);
    return entry;
  }

  /** Newest first. */
  list(query: InboxQuery = {}): InboxNotification[] {
    const out: InboxNotification[] = [];
    const limit = query.limit ?? this.capacity;
    for (let i = this.#entries.length - 1; i >= 0 && out.length < limit; i--) {
      const entry = this.#entries[i]!;
      if (query.kind === undefined || entry.kind === query.kind) out.push(entry);
    }
    return out;
  }
}
