/**
 * What incidents/ needs from the dispatcher and the notifiers (alerting/), as small local
 * interfaces. main.ts adapts alerting's real exports to them, so this module's logic and tests do
 * not depend on the dispatcher's internals.
 */

/** An alert as the dispatcher's alert store reports it (only the fields incidents/ reads). */
export interface IncidentAlert {
  /** Alertmanager's fingerprint of the labels. */
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly status: 'firing' | 'resolved';
  readonly startsAtMs: number;
  readonly endsAtMs?: number;
  readonly generatorURL?: string;
}

/**
 * The alert store's subscription. The store reports a change whenever an alert starts firing or
 * resolves (including by its endsAt passing); incidents/ trusts `status` and never expires alerts
 * by endsAt itself, because refreshes that only move endsAt need not be reported. Reporting the
 * current alerts right after `subscribe` lets a restarted server rebuild its state at once.
 */
export interface AlertSubscription {
  /** Returns a function that unsubscribes. */
  subscribe(listener: (alert: IncidentAlert) => void): () => void;
}

/** What a mute stage is shown: the alert being considered for a notification. */
export type MuteCandidate = Pick<IncidentAlert, 'fingerprint' | 'labels' | 'startsAtMs'>;

/**
 * An extra mute stage the dispatcher consults next to silences and inhibition: the reason the
 * alert is muted now, or undefined.
 */
export interface MuteStage {
  readonly name: string;
  isMuted(alert: MuteCandidate, nowMs: number): string | undefined;
}

/** Options of an ad-hoc notification, as the dispatcher's `notifyReceiver` takes them. */
export interface NotifyReceiverOptions {
  /** The escalation level that sends the notification. */
  readonly escalationLevel?: number;
  /** A link that acknowledges the incident (HMAC-signed, expiring). */
  readonly acknowledgeURL?: string;
  /** Announces the acknowledgement: PagerDuty integrations send `event_action: acknowledge`. */
  readonly acknowledged?: boolean;
  /** The group key receivers see; PagerDuty's dedup_key is its SHA-256. One per incident. */
  readonly groupKey?: string;
  readonly groupLabels?: Readonly<Record<string, string>>;
  /** Only the receiver's integrations of these kinds. @default all */
  readonly integrations?: readonly string[];
}

/** What an ad-hoc notification did, per integration of the receiver. */
export interface NotifyReceiverResult {
  /** True when every integration that had something to send succeeded. */
  readonly ok: boolean;
  readonly integrations: readonly {
    /** The integration's kind: `pagerduty`, `slack`, `email`, `sms`, `webhook`, ... */
    readonly integration: string;
    readonly index: number;
    /** `skipped`: nothing to send (resolved alerts and `send_resolved: false`). */
    readonly outcome: 'sent' | 'failed' | 'skipped';
    readonly error?: string;
  }[];
}

/**
 * Sends `alerts` (firing, or resolved for the resolved notice) through every integration of the
 * alertmanager.yml receiver `receiverName`, with retries. May throw for a receiver that does not
 * exist; every other failure is in the result.
 */
export type NotifyReceiver = (
  receiverName: string,
  alerts: readonly IncidentAlert[],
  options: NotifyReceiverOptions,
) => Promise<NotifyReceiverResult>;

/** A route group of the routing tree: the route's receiver and the group key its notifications carry. */
export interface RouteGroup {
  readonly receiver: string;
  readonly groupKey: string;
  /** The route's time intervals keep it from notifying now. */
  readonly timeMuted: boolean;
}

/**
 * What the routing tree does with an alert, so that escalation does not page twice: the route
 * groups its labels fall into, and which integrations a group's notifications have reached.
 */
export interface RoutingPort {
  groupsFor(labels: Readonly<Record<string, string>>, nowMs: number): readonly RouteGroup[];
  /** The kinds of the receiver's integrations that were told the group fires (`pagerduty`, ...). */
  notifiedIntegrations(receiver: string, groupKey: string): readonly string[];
}
