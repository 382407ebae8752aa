/**
 * The dispatcher (Alertmanager 0.25's dispatch.Dispatcher and notify pipeline): every alert the
 * store receives is routed through the routing tree into aggregation groups; each group's flush
 * runs the notification pipeline for the route's receiver:
 *
 *   inhibition → active time intervals → mute time intervals → silences → extra MuteStages
 *     → per integration: de-duplication (notification log) → retries with backoff → log the notification
 *
 * Watchkeeper's extension (on by default, per route): an alert that an integration was told is
 * firing and that resolves while muted (silenced, inhibited, in a mute time interval or muted by a
 * MuteStage) still gets its resolved notice to that integration. Alertmanager drops it.
 */
import type { Clock } from '../../lib/clock.js';
import { labelsFingerprint, type AlertmanagerTemplates, type NotificationAlert } from '../../template/index.js';
import type { AlertmanagerConfig } from '../config/load.js';
import type { ReceiverConfig } from '../config/receivers.js';
import type { Inhibitor } from '../inhibit/inhibitor.js';
import type { Notifier } from '../notifiers/notifier.js';
import { formatLabelSet, groupKey, groupLabels, type Route } from '../route.js';
import type { Silences } from '../silences/silences.js';
import { intervalsContain } from '../time-interval.js';
import { AggregationGroup } from './aggregation-group.js';
import { compareAlertLabels, isResolvedAt, toNotificationAlert, type Alert } from './alert.js';
import type { AlertChange, AlertStore } from './alert-store.js';
import { Integration, type IntegrationStatus, type SendOutcome } from './integration.js';
import type { NotificationMetrics } from './metrics.js';
import type { AlertStatus, MuteStage } from './mute.js';
import type { NflogEntry, NotificationLog } from './nflog.js';

/** Builds the notifiers of a receiver, in the receiver's order (alerting/notifiers' factory). */
export type NotifierFactory = (receiver: ReceiverConfig) => readonly Notifier[];

/** A structured log line; fields never hold secrets (notifier errors are secret-free by contract). */
export type DispatcherLog = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields: Readonly<Record<string, string | number>>,
) => void;

export interface DispatcherOptions {
  config: AlertmanagerConfig;
  store: AlertStore;
  clock: Clock;
  /** The notifiers of each receiver. */
  notifiers: NotifierFactory;
  nflog: NotificationLog;
  templates: AlertmanagerTemplates;
  /** Where Watchkeeper is reached, for links in notifications (a function: read at each notification). */
  externalURL: string | (() => string);
  silences?: Silences;
  inhibitor?: Inhibitor;
  /** Extra mute stages, after silences (more with `addMuteStage`). */
  muteStages?: readonly MuteStage[];
  metrics?: NotificationMetrics;
  /**
   * Resolved notices for alerts muted after they were notified (Watchkeeper's extension): for all
   * routes, or per route node. @default true
   */
  resolvedAfterMute?: boolean | ((route: Route) => boolean);
  /** The shortest time a flush may take before its notifications are abandoned (Alertmanager's MinTimeout). @default 10 s */
  minFlushTimeoutMs?: number;
  /** How often empty groups are dropped. @default 30 s */
  groupGcIntervalMs?: number;
  /** Backoff randomization (tests pass a constant). @default Math.random */
  random?: () => number;
  log?: DispatcherLog;
}

/** A group as the API shows it. */
export interface GroupSnapshot {
  readonly route: Route;
  readonly receiver: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly groupKey: string;
  readonly alerts: readonly Alert[];
}

/**
 * An alert for an ad-hoc notification: a stored `Alert`, or any alert-like value (incidents/'
 * alerts). Resolved when `status` says so, or else when `endsAtMs` is not after now.
 */
export interface AdHocAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly startsAtMs: number;
  readonly endsAtMs?: number;
  readonly generatorURL?: string;
  /** @default Alertmanager's fingerprint of the labels */
  readonly fingerprint?: string;
  readonly status?: 'firing' | 'resolved';
}

/** Options of an ad-hoc notification (escalation). */
export interface NotifyReceiverOptions {
  /** The escalation level sending it. */
  readonly escalationLevel?: number;
  /** A link that acknowledges the alerts. */
  readonly acknowledgeURL?: string;
  /** The acknowledgement is being announced (PagerDuty sends `acknowledge`). */
  readonly acknowledged?: boolean;
  /** The group key receivers see (PagerDuty's dedup_key hashes it). @default `{}:` + the common labels */
  readonly groupKey?: string;
  /** @default the labels the alerts have in common */
  readonly groupLabels?: Readonly<Record<string, string>>;
  /** Give up retrying after this long. @default 60 s */
  readonly timeoutMs?: number;
  /** Only the receiver's integrations of these kinds (an acknowledgement goes to PagerDuty only). @default all */
  readonly integrations?: readonly string[];
}

/** A route group an alert's labels fall into: what the route's notifications are keyed by. */
export interface RouteGroupRef {
  readonly receiver: string;
  readonly groupKey: string;
  /** The route's active/mute time intervals keep it from notifying at the time asked about. */
  readonly timeMuted: boolean;
}

/**
 * The acknowledgement link for a route notification's firing alerts (Watchkeeper's escalation puts
 * one in when the alerts belong to one open incident), or undefined.
 */
export type AcknowledgeURLProvider = (firing: readonly Alert[], nowMs: number) => string | undefined;

export interface NotifyReceiverResult {
  readonly receiver: string;
  /** True when every integration that had something to send succeeded. */
  readonly ok: boolean;
  readonly integrations: readonly {
    readonly integration: string;
    readonly index: number;
    /** `skipped`: nothing to send (only resolved alerts and `send_resolved: false`). */
    readonly outcome: 'sent' | 'failed' | 'skipped';
    readonly error?: string;
  }[];
}

/** A receiver name no route or escalation may use: not in alertmanager.yml. */
export class UnknownReceiverError extends Error {
  readonly code = 'WK_ALERTING_UNKNOWN_RECEIVER';
  constructor(name: string) {
    super(`unknown receiver "${name}": it is not in alertmanager.yml's receivers`);
    this.name = 'UnknownReceiverError';
  }
}

interface FlushAlert {
  readonly alert: Alert;
  readonly resolved: boolean;
}

const EMPTY: ReadonlySet<string> = new Set();

/**
 * Alertmanager's DedupStage.needsUpdate: notify when never notified and something fires; when a
 * firing alert was not in the last notification; when nothing fires but the last notification had
 * firing alerts; with send_resolved, when a resolved alert was not in the last notification's
 * resolved set; else when the last notification is older than repeat_interval.
 */
export function needsUpdate(
  entry: NflogEntry | undefined,
  firing: ReadonlySet<string>,
  resolved: ReadonlySet<string>,
  sendResolved: boolean,
  repeatIntervalMs: number,
  nowMs: number,
): boolean {
  if (!entry) return firing.size > 0;
  for (const fp of firing) if (!entry.firing.has(fp)) return true;
  if (firing.size === 0) return entry.firing.size > 0;
  if (sendResolved) for (const fp of resolved) if (!entry.resolved.has(fp)) return true;
  return entry.timestampMs < nowMs - repeatIntervalMs;
}

export class Dispatcher {
  private readonly groupsByRoute = new Map<Route, Map<string, AggregationGroup>>();
  private readonly integrationsByReceiver = new Map<string, Integration[]>();
  private readonly muteStages: MuteStage[];
  private readonly inflight = new Set<AbortController>();
  /** Flushes and ad-hoc notifications running, for `idle()`. */
  private readonly running = new Set<Promise<unknown>>();
  private readonly log: DispatcherLog;
  private unsubscribe: (() => void) | undefined;
  private cancelGc: (() => void) | undefined;
  private acknowledgeURLs: AcknowledgeURLProvider | undefined;
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {
    this.muteStages = [...(options.muteStages ?? [])];
    this.log = options.log ?? (() => undefined);
    const deps = { clock: options.clock, metrics: options.metrics, random: options.random ?? Math.random };
    for (const receiver of options.config.receivers) {
      const perKind = new Map<string, number>();
      const integrations = options.notifiers(receiver).map((n) => {
        const index = perKind.get(n.kind) ?? 0;
        perKind.set(n.kind, index + 1);
        return new Integration(receiver.name, index, n, deps);
      });
      this.integrationsByReceiver.set(receiver.name, integrations);
    }
  }

  /** Starts routing: every stored alert now, then every alert received. */
  start(): void {
    if (this.unsubscribe || this.stopped) return;
    this.unsubscribe = this.options.store.subscribe((c) => this.onChange(c), { replay: true });
    this.scheduleGc();
  }

  /** Stops timers and abandons notifications in flight. */
  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.cancelGc?.();
    for (const groups of this.groupsByRoute.values()) for (const g of groups.values()) g.stop();
    for (const ac of this.inflight) ac.abort();
  }

  /**
   * Resolves when no flush and no ad-hoc notification is running: tests on a ManualClock await it
   * before moving time on. A notification waiting on the clock for a retry is still running.
   */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const done = (): void => {
      this.running.delete(work);
    };
    work.then(done, done);
    return work;
  }

  /** Adds a mute stage after the existing ones; returns the function that removes it. */
  addMuteStage(stage: MuteStage): () => void {
    this.muteStages.push(stage);
    return () => {
      const i = this.muteStages.indexOf(stage);
      if (i >= 0) this.muteStages.splice(i, 1);
    };
  }

  /** Puts acknowledgement links into route notifications (incidents/ sets it); undefined removes it. */
  setAcknowledgeURLProvider(provider: AcknowledgeURLProvider | undefined): void {
    this.acknowledgeURLs = provider;
  }

  /**
   * The route groups the routing tree puts these labels in (one per matching route, tree order),
   * and whether each route's time intervals mute it at `nowMs`.
   */
  routeGroupsFor(labels: Readonly<Record<string, string>>, nowMs = this.options.clock.nowMs()): RouteGroupRef[] {
    return this.options.config.routeTree.match(labels).map((route) => ({
      receiver: route.opts.receiver,
      groupKey: groupKey(route, labels),
      timeMuted: this.timeMuted(route, nowMs),
    }));
  }

  /** The kinds of the receiver's integrations whose last notification of the group had firing alerts. */
  notifiedIntegrations(receiver: string, key: string): string[] {
    return (this.integrationsByReceiver.get(receiver) ?? [])
      .filter((integ) => (this.options.nflog.query(integ.key, key)?.firing.size ?? 0) > 0)
      .map((integ) => integ.kind);
  }

  /** The receivers of alertmanager.yml, in file order. */
  receiverNames(): string[] {
    return [...this.integrationsByReceiver.keys()];
  }

  /** Every integration's counters, last attempt and last error. */
  integrationStatuses(receiver?: string): IntegrationStatus[] {
    const lists =
      receiver === undefined
        ? [...this.integrationsByReceiver.values()]
        : [this.integrationsByReceiver.get(receiver) ?? []];
    return lists.flat().map((i) => i.status());
  }

  /** The receivers the routing tree sends these labels to, in tree order (duplicates kept, as Alertmanager). */
  receiversFor(labels: Readonly<Record<string, string>>): string[] {
    return this.options.config.routeTree.match(labels).map((r) => r.opts.receiver);
  }

  /**
   * An alert's state now, as the API shows it: inhibited, silenced or muted by a stage →
   * `suppressed`, else `active`.
   */
  alertStatus(alert: Alert, nowMs = this.options.clock.nowMs()): AlertStatus {
    const inhibitedBy = this.options.inhibitor?.inhibitedBy(alert.labels, nowMs);
    const silencedBy = this.options.silences?.mutedBy(alert.labels, nowMs) ?? [];
    const mutedBy = this.stageReasons(alert, nowMs);
    const suppressed = inhibitedBy !== undefined || silencedBy.length > 0 || mutedBy.length > 0;
    return {
      state: suppressed ? 'suppressed' : 'active',
      silencedBy,
      inhibitedBy: inhibitedBy === undefined ? [] : [inhibitedBy],
      mutedBy,
    };
  }

  /** The aggregation groups and their alerts (resolved ones included until flushed). */
  groups(): GroupSnapshot[] {
    const out: GroupSnapshot[] = [];
    for (const [route, groups] of this.groupsByRoute) {
      for (const g of groups.values()) {
        out.push({
          route,
          receiver: route.opts.receiver,
          labels: g.labels,
          groupKey: g.key,
          alerts: [...g.alerts.values()],
        });
      }
    }
    return out;
  }

  get groupCount(): number {
    let n = 0;
    for (const groups of this.groupsByRoute.values()) n += groups.size;
    return n;
  }

  /**
   * Sends an ad-hoc notification to every integration of a receiver, outside grouping and
   * de-duplication (escalation levels use it): retries with backoff up to `timeoutMs`, counted in
   * the notification metrics and the integration's status. Mute stages are not applied: the caller
   * decides what to send.
   * @throws UnknownReceiverError when the receiver is not configured.
   */
  notifyReceiver(
    receiverName: string,
    alerts: readonly AdHocAlert[],
    options: NotifyReceiverOptions = {},
  ): Promise<NotifyReceiverResult> {
    return this.track(this.sendAdHoc(receiverName, alerts, options));
  }

  private async sendAdHoc(
    receiverName: string,
    alerts: readonly AdHocAlert[],
    options: NotifyReceiverOptions,
  ): Promise<NotifyReceiverResult> {
    const integrations = this.integrationsByReceiver.get(receiverName);
    if (!integrations) throw new UnknownReceiverError(receiverName);
    const { clock } = this.options;
    const nowMs = clock.nowMs();
    const sorted = [...alerts].sort((a, b) => compareAlertLabels(a.labels, b.labels));
    const notificationAlerts = sorted.map((a): NotificationAlert => {
      const resolved =
        a.status !== undefined ? a.status === 'resolved' : a.endsAtMs !== undefined && a.endsAtMs <= nowMs;
      return {
        status: resolved ? 'resolved' : 'firing',
        labels: a.labels,
        annotations: a.annotations ?? {},
        startsAtMs: a.startsAtMs,
        ...(resolved && { endsAtMs: a.endsAtMs ?? nowMs }),
        generatorURL: a.generatorURL ?? '',
        fingerprint: a.fingerprint ?? labelsFingerprint(a.labels),
      };
    });
    const labels = options.groupLabels ?? commonLabels(sorted);
    const key = options.groupKey ?? `{}:${formatLabelSet(labels)}`;
    const ac = new AbortController();
    this.inflight.add(ac);
    const cancel = clock.setTimeout(() => ac.abort(), options.timeoutMs ?? 60_000);
    try {
      const results = await Promise.all(
        integrations.map(async (integ) => {
          const wanted = options.integrations === undefined || options.integrations.includes(integ.kind);
          const toSend = notificationAlerts.filter((a) => wanted && (integ.sendResolved || a.status === 'firing'));
          if (toSend.length === 0) return { integration: integ.kind, index: integ.index, outcome: 'skipped' as const };
          const outcome = await integ.send(
            {
              receiver: receiverName,
              groupKey: key,
              groupLabels: labels,
              alerts: toSend,
              externalURL: this.externalURL(),
              templates: this.options.templates,
              ...(options.acknowledgeURL !== undefined && { acknowledgeURL: options.acknowledgeURL }),
              ...(options.escalationLevel !== undefined && { escalationLevel: options.escalationLevel }),
              ...(options.acknowledged !== undefined && { acknowledged: options.acknowledged }),
            },
            ac.signal,
          );
          if (!outcome.ok) {
            this.log('warn', 'Ad-hoc notification failed', {
              receiver: receiverName,
              integration: integ.name,
              err: outcome.error,
            });
          }
          return outcome.ok
            ? { integration: integ.kind, index: integ.index, outcome: 'sent' as const }
            : { integration: integ.kind, index: integ.index, outcome: 'failed' as const, error: outcome.error };
        }),
      );
      return { receiver: receiverName, ok: results.every((r) => r.outcome !== 'failed'), integrations: results };
    } finally {
      cancel();
      this.inflight.delete(ac);
    }
  }

  private externalURL(): string {
    const u = this.options.externalURL;
    return typeof u === 'string' ? u : u();
  }

  private onChange(c: AlertChange): void {
    if (c.cause !== 'put' || this.stopped) return;
    for (const route of this.options.config.routeTree.match(c.alert.labels)) this.processAlert(c.alert, route);
  }

  private processAlert(alert: Alert, route: Route): void {
    let groups = this.groupsByRoute.get(route);
    if (!groups) {
      groups = new Map();
      this.groupsByRoute.set(route, groups);
    }
    const labels = groupLabels(alert.labels, route.opts);
    const id = formatLabelSet(labels);
    let group = groups.get(id);
    if (!group) {
      group = new AggregationGroup(route, labels, groupKey(route, alert.labels), this.options.clock, (g) =>
        this.track(this.flush(g)),
      );
      groups.set(id, group);
    }
    group.insert(alert);
  }

  private scheduleGc(): void {
    this.cancelGc = this.options.clock.setTimeout(() => {
      if (this.stopped) return;
      for (const groups of this.groupsByRoute.values()) {
        for (const [id, g] of groups) {
          if (g.isEmpty() && !g.isFlushing) {
            g.stop();
            groups.delete(id);
          }
        }
      }
      this.scheduleGc();
    }, this.options.groupGcIntervalMs ?? 30_000);
  }

  private resolvedAfterMute(route: Route): boolean {
    const opt = this.options.resolvedAfterMute ?? true;
    return typeof opt === 'boolean' ? opt : opt(route);
  }

  private stageReasons(alert: Alert, nowMs: number): string[] {
    const reasons: string[] = [];
    for (const stage of this.muteStages) {
      let reason: string | undefined;
      try {
        reason = stage.isMuted(alert, nowMs);
      } catch (err) {
        this.log('error', 'Mute stage failed; the alert is not muted by it', {
          stage: stage.name,
          err: err instanceof Error ? err.message : String(err),
        });
      }
      if (reason !== undefined) reasons.push(reason);
    }
    return reasons;
  }

  /** Whether the route notifies at `nowMs` by its active and mute time intervals. */
  private timeMuted(route: Route, nowMs: number): boolean {
    const intervals = this.options.config.timeIntervals;
    const { activeTimeIntervals, muteTimeIntervals } = route.opts;
    if (
      activeTimeIntervals.length > 0 &&
      !activeTimeIntervals.some((n) => intervalsContain(intervals.get(n) ?? [], nowMs))
    )
      return true;
    return muteTimeIntervals.some((n) => intervalsContain(intervals.get(n) ?? [], nowMs));
  }

  /** One tick of a group; never rejects. */
  private async flush(group: AggregationGroup): Promise<void> {
    if (group.isEmpty() || this.stopped) return;
    const { clock } = this.options;
    const nowMs = clock.nowMs();
    const snapshot: FlushAlert[] = [...group.alerts.values()]
      .sort((a, b) => compareAlertLabels(a.labels, b.labels))
      .map((alert) => ({ alert, resolved: isResolvedAt(alert, nowMs) }));
    const ac = new AbortController();
    this.inflight.add(ac);
    const timeoutMs = Math.max(group.route.opts.groupIntervalMs, this.options.minFlushTimeoutMs ?? 10_000);
    const cancel = clock.setTimeout(() => ac.abort(), timeoutMs);
    let ok = false;
    try {
      ok = await this.runPipeline(group, snapshot, nowMs, ac.signal);
    } catch (err) {
      this.log('error', 'Flush failed', { group: group.key, err: err instanceof Error ? err.message : String(err) });
    } finally {
      cancel();
      this.inflight.delete(ac);
    }
    if (!ok) return;
    for (const { alert, resolved } of snapshot) {
      // Only if not re-sent since this flush read it.
      if (resolved && group.alerts.get(alert.fingerprint) === alert) group.alerts.delete(alert.fingerprint);
    }
  }

  private async runPipeline(
    group: AggregationGroup,
    snapshot: readonly FlushAlert[],
    nowMs: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const receiver = group.route.opts.receiver;
    const integrations = this.integrationsByReceiver.get(receiver) ?? [];
    if (integrations.length === 0) return true;
    // The mute stages, in Alertmanager's order; each sees only what the previous ones let through.
    const muted = new Set<string>();
    const { inhibitor, silences } = this.options;
    if (inhibitor) {
      for (const { alert } of snapshot) {
        if (inhibitor.inhibitedBy(alert.labels, nowMs) !== undefined) muted.add(alert.fingerprint);
      }
    }
    const allMuted = this.timeMuted(group.route, nowMs);
    if (!allMuted) {
      for (const { alert } of snapshot) {
        if (muted.has(alert.fingerprint)) continue;
        if (silences && silences.mutedBy(alert.labels, nowMs).length > 0) muted.add(alert.fingerprint);
        else if (this.stageReasons(alert, nowMs).length > 0) muted.add(alert.fingerprint);
      }
    }
    const extension = this.resolvedAfterMute(group.route);
    const results = await Promise.all(
      integrations.map((integ) => this.notifyIntegration(integ, group, snapshot, muted, allMuted, extension, signal)),
    );
    return results.every(Boolean);
  }

  private async notifyIntegration(
    integ: Integration,
    group: AggregationGroup,
    snapshot: readonly FlushAlert[],
    muted: ReadonlySet<string>,
    allMuted: boolean,
    extension: boolean,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { nflog, clock } = this.options;
    const nowMs = clock.nowMs();
    const entry = nflog.query(integ.key, group.key);
    const outstanding = entry?.outstanding ?? EMPTY;
    const isMuted = (f: FlushAlert): boolean => allMuted || muted.has(f.alert.fingerprint);
    // A muted resolution this integration is owed: it was told the alert fires.
    const owed = (f: FlushAlert): boolean =>
      extension && integ.sendResolved && f.resolved && isMuted(f) && outstanding.has(f.alert.fingerprint);
    // A notification that carries owed resolutions also carries the muted alerts the integration
    // already knows are firing: the group is not "resolved" while they fire (PagerDuty would close
    // the incident), and the log keeps them as notified, so un-muting them sends nothing new.
    const owesResolution = snapshot.some(owed);
    const candidates = snapshot.filter(
      (f) => !isMuted(f) || owed(f) || (owesResolution && !f.resolved && outstanding.has(f.alert.fingerprint)),
    );
    if (candidates.length === 0) return true;
    const firing = new Set<string>();
    const resolved = new Set<string>();
    for (const f of candidates) (f.resolved ? resolved : firing).add(f.alert.fingerprint);
    if (
      !owesResolution &&
      !needsUpdate(entry, firing, resolved, integ.sendResolved, group.route.opts.repeatIntervalMs, nowMs)
    ) {
      return true;
    }
    const toSend = integ.sendResolved ? candidates : candidates.filter((f) => !f.resolved);
    let outcome: SendOutcome = { ok: true };
    if (toSend.length > 0) {
      const firingAlerts = toSend.filter((f) => !f.resolved).map((f) => f.alert);
      const acknowledgeURL = firingAlerts.length > 0 ? this.acknowledgeURLs?.(firingAlerts, nowMs) : undefined;
      outcome = await integ.send(
        {
          receiver: group.route.opts.receiver,
          groupKey: group.key,
          groupLabels: group.labels,
          alerts: toSend.map((f) => toNotificationAlert(f.alert, nowMs)),
          externalURL: this.externalURL(),
          templates: this.options.templates,
          ...(acknowledgeURL !== undefined && { acknowledgeURL }),
        },
        signal,
      );
    } else {
      // Alertmanager counts the notification even when only resolved alerts would go to an
      // integration without send_resolved; nothing is sent and the log still records it.
      this.options.metrics?.notifications.inc({ integration: integ.kind });
    }
    if (!outcome.ok) {
      this.log('error', 'Notify for alerts failed', {
        receiver: integ.receiver,
        integration: integ.name,
        group: group.key,
        num_alerts: toSend.length,
        err: outcome.error,
      });
      return false;
    }
    const inGroup = new Set(snapshot.map((f) => f.alert.fingerprint));
    const nextOutstanding = new Set([...outstanding].filter((fp) => inGroup.has(fp)));
    for (const f of toSend) {
      if (f.resolved) nextOutstanding.delete(f.alert.fingerprint);
      else nextOutstanding.add(f.alert.fingerprint);
    }
    nflog.log(integ.key, group.key, { firing, resolved, outstanding: nextOutstanding, timestampMs: clock.nowMs() });
    return true;
  }
}

function commonLabels(alerts: readonly AdHocAlert[]): Record<string, string> {
  const first = alerts[0];
  if (!first) return {};
  const out: Record<string, string> = { ...first.labels };
  for (const a of alerts.slice(1)) for (const k of Object.keys(out)) if (a.labels[k] !== out[k]) delete out[k];
  return out;
}
