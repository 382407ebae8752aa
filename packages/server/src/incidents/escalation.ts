/**
 * The escalation engine: turns firing alerts into incidents (one per escalation key: policy +
 * group labels), runs each policy's levels on the clock, stops on acknowledgement or resolution,
 * and sends the resolved notice to every receiver a level went to. State is written to the
 * IncidentStore at every change, and `start()` re-arms the timers of open incidents.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../lib/clock.js';
import { IncidentNotFoundError, IncidentResolvedError } from './errors.js';
import type { IncidentsMetrics } from './metrics.js';
import {
  incidentGroupLabels,
  incidentKey,
  levelDueAtMs,
  nextStep,
  selectPolicy,
  type EscalationPolicy,
} from './policies.js';
import type { IncidentAlert, MuteCandidate, NotifyReceiver, NotifyReceiverOptions, RoutingPort } from './ports.js';
import type {
  AcknowledgeVia,
  HistoryEntry,
  IncidentRecord,
  IncidentState,
  IncidentStore,
  StoredAlert,
} from './store.js';

export interface EscalationEngineOptions {
  policies: readonly EscalationPolicy[];
  store: IncidentStore;
  clock: Clock;
  /** Levels, resolved notices and acknowledgements (PagerDuty `acknowledge`) go through it. */
  notify: NotifyReceiver;
  /** The acknowledgement link put into a level's notifications. */
  acknowledgeUrl?: (incidentId: number, nowMs: number) => string;
  /**
   * Consulted for each firing alert when a level is due (silences, inhibition, suppression): a
   * level whose alerts are all muted is skipped, and recorded as skipped.
   */
  isMuted?: (alert: MuteCandidate, nowMs: number) => string | undefined;
  /**
   * The routing tree: a level's receiver that the routes already notify of every firing alert is
   * left to its route (no second page), and the route's PagerDuty incidents are acknowledged with
   * the incident's. Without it every level notifies all its receivers.
   */
  routing?: RoutingPort;
  metrics: IncidentsMetrics;
  /** Resolved incidents older than this are deleted at start and at each resolution. @default 30 days */
  historyRetentionMs?: number;
  /** After a restart, a remembered firing alert not reported again within this counts as resolved. @default 5 min */
  restartGraceMs?: number;
  /** Failures of background work (never thrown into the caller). */
  onError?: (err: unknown) => void;
}

export interface AcknowledgeOptions {
  /** Who acknowledged (a name, `pagerduty:<user>`, `link`). */
  by: string;
  via: AcknowledgeVia;
  comment?: string;
  /** PagerDuty's own incident (from its webhook): no acknowledge is sent back to it. */
  fromPagerDutyDedupKey?: string;
}

/** An incident as the API shows it (times as RFC 3339). */
export interface IncidentView {
  id: number;
  key: string;
  policy: string;
  groupLabels: Record<string, string>;
  state: IncidentState;
  /** The last level that was due (0: none yet). */
  level: number;
  /** 0-based run of the levels (repeat). */
  cycle: number;
  startsAt: string;
  nextEscalation: { level: number; cycle: number; at: string } | null;
  acknowledged: { at: string; by: string; via: AcknowledgeVia; comment?: string } | null;
  resolvedAt: string | null;
  alerts: {
    fingerprint: string;
    status: 'firing' | 'resolved';
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt?: string;
    generatorURL?: string;
  }[];
  notified: { receiver: string; level: number; at: string }[];
  history: (Omit<HistoryEntry, 'atMs'> & { at: string })[];
}

const DAY_MS = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The group key of every notification of an incident: one per incident, so that PagerDuty keeps
 * one alert for all its levels (dedup_key = SHA-256 of the group key, as Alertmanager does) and
 * acknowledge and resolve reach that alert.
 */
export function incidentGroupKey(rec: Pick<IncidentRecord, 'id' | 'key'>): string {
  return `watchkeeper-incident/${rec.id}:${rec.key}`;
}

/** PagerDuty's dedup_key for an incident's notifications (Alertmanager's: hex SHA-256 of the group key). */
export function incidentDedupKey(rec: Pick<IncidentRecord, 'id' | 'key'>): string {
  return dedupKeyOf(incidentGroupKey(rec));
}

function dedupKeyOf(groupKey: string): string {
  return createHash('sha256').update(groupKey, 'utf8').digest('hex');
}

/** A route group whose PagerDuty integration was told the incident's alerts fire. */
interface RoutePagerDuty {
  receiver: string;
  groupKey: string;
  dedupKey: string;
}

/** A notification's outcome, summed up over the receiver's integrations. */
interface SendOutcome {
  ok: boolean;
  error?: string;
  /** A PagerDuty integration of the receiver took it. */
  pagerDuty: boolean;
}

export class EscalationEngine {
  private readonly policies: readonly EscalationPolicy[];
  private readonly policyByName: Map<string, EscalationPolicy>;
  private readonly store: IncidentStore;
  private readonly clock: Clock;
  private readonly metrics: IncidentsMetrics;
  private readonly open = new Map<number, IncidentRecord>();
  private readonly byKey = new Map<string, number>();
  private readonly byFingerprint = new Map<string, number>();
  private readonly timers = new Map<number, () => void>();
  /** `id/fingerprint` of firing alerts remembered from before a restart and not reported since. */
  private readonly restored = new Set<string>();
  private cancelGrace: (() => void) | undefined;
  private readonly pending = new Set<Promise<void>>();
  private started = false;
  private stopped = false;

  constructor(private readonly opts: EscalationEngineOptions) {
    this.policies = opts.policies;
    this.policyByName = new Map(opts.policies.map((p) => [p.name, p]));
    this.store = opts.store;
    this.clock = opts.clock;
    this.metrics = opts.metrics;
  }

  /** Loads open incidents, runs levels that fell due while the server was down, re-arms timers. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const now = this.clock.nowMs();
    this.store.pruneResolved(now - (this.opts.historyRetentionMs ?? 30 * DAY_MS));
    for (const rec of this.store.openIncidents()) {
      this.index(rec);
      for (const a of rec.alerts) if (a.status === 'firing') this.restored.add(`${rec.id}/${a.fingerprint}`);
      if (rec.state === 'triggered') this.runDue(rec);
    }
    if (this.restored.size > 0) {
      this.cancelGrace = this.clock.setTimeout(() => this.expireRestored(), this.opts.restartGraceMs ?? 300_000);
    }
  }

  /** Cancels every timer; state stays in the store. Call `flush()` first to let sends finish. */
  stop(): void {
    this.stopped = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.cancelGrace?.();
  }

  /** Resolves once every notification started so far has finished. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** An alert change from the alert store. */
  handleAlert(alert: IncidentAlert): void {
    if (!this.started) this.start();
    if (this.stopped) return;
    const now = this.clock.nowMs();
    const openId = this.byFingerprint.get(alert.fingerprint);
    const rec = openId === undefined ? undefined : this.open.get(openId);
    if (rec) this.restored.delete(`${rec.id}/${alert.fingerprint}`);

    if (alert.status === 'resolved') {
      const stored = rec?.alerts.find((a) => a.fingerprint === alert.fingerprint);
      if (!rec || !stored || stored.status === 'resolved') return;
      stored.status = 'resolved';
      stored.endsAtMs = alert.endsAtMs ?? now;
      this.alertResolved(rec, stored, now);
      return;
    }

    if (rec) {
      const stored = rec.alerts.find((a) => a.fingerprint === alert.fingerprint)!;
      const refired = stored.status === 'resolved';
      Object.assign(stored, toStored(alert));
      if (refired) {
        rec.history.push({ atMs: now, kind: 'alert_firing', fingerprint: alert.fingerprint });
        this.save(rec);
      }
      return;
    }

    const policy = selectPolicy(this.policies, alert.labels);
    if (!policy) return;
    const groupLabels = incidentGroupLabels(policy, alert.labels);
    const key = incidentKey(policy.name, groupLabels);
    const sameKey = this.byKey.get(key);
    const joined = sameKey === undefined ? undefined : this.open.get(sameKey);
    if (joined) {
      joined.alerts.push(toStored(alert));
      this.byFingerprint.set(alert.fingerprint, joined.id);
      joined.history.push({ atMs: now, kind: 'alert_firing', fingerprint: alert.fingerprint });
      this.save(joined);
      return;
    }

    const created = this.store.create({
      key,
      policy: policy.name,
      groupLabels,
      state: 'triggered',
      startedAtMs: now,
      level: 0,
      cycle: 0,
      next: { cycle: 0, index: 0, atMs: levelDueAtMs(policy, now, 0, 0) },
      alerts: [toStored(alert)],
      notified: [],
      pagerDuty: [],
      history: [{ atMs: now, kind: 'opened', fingerprint: alert.fingerprint, detail: `policy ${policy.name}` }],
    });
    this.index(created);
    this.metrics.opened.inc({ policy: policy.name });
    this.runDue(created);
  }

  /**
   * Acknowledges an open incident: escalation stops; PagerDuty gets `acknowledge` for every
   * dedup_key a level opened there. Acknowledging twice is not an error.
   * @throws IncidentNotFoundError, IncidentResolvedError
   */
  acknowledge(id: number, options: AcknowledgeOptions): IncidentView {
    if (!this.started) this.start();
    const rec = this.open.get(id);
    if (!rec) {
      if (this.store.get(id)) throw new IncidentResolvedError(id);
      throw new IncidentNotFoundError(id);
    }
    if (rec.state === 'acknowledged') return this.view(rec);
    const now = this.clock.nowMs();
    rec.state = 'acknowledged';
    rec.acknowledged = {
      atMs: now,
      by: options.by,
      via: options.via,
      ...(options.comment !== undefined && { comment: options.comment }),
    };
    delete rec.next;
    this.cancelTimer(rec.id);
    rec.history.push({
      atMs: now,
      kind: 'acknowledged',
      by: options.by,
      via: options.via,
      ...(options.comment !== undefined && { detail: options.comment }),
    });
    this.metrics.acknowledged.inc({ policy: rec.policy, via: options.via });
    this.save(rec);
    for (const pd of rec.pagerDuty) {
      if (pd.dedupKey !== options.fromPagerDutyDedupKey) this.acknowledgeOnPagerDuty(rec, pd.receiver, pd.dedupKey);
    }
    for (const pd of this.routePagerDuty(rec)) {
      if (pd.dedupKey !== options.fromPagerDutyDedupKey) {
        this.acknowledgeOnPagerDuty(rec, pd.receiver, pd.dedupKey, pd.groupKey);
      }
    }
    return this.view(rec);
  }

  /**
   * The open incident a PagerDuty dedup_key (a webhook's `incident_key`) belongs to: one a level
   * sent, or one a route opened for the incident's alerts.
   */
  findByPagerDutyKey(dedupKey: string): number | undefined {
    for (const rec of this.open.values()) {
      if (rec.pagerDuty.some((p) => p.dedupKey === dedupKey)) return rec.id;
    }
    for (const rec of this.open.values()) {
      if (this.routePagerDuty(rec).some((p) => p.dedupKey === dedupKey)) return rec.id;
    }
    return undefined;
  }

  /**
   * The acknowledgement link for a route notification: when every firing alert in it belongs to
   * the same triggered incident, that incident's link.
   */
  acknowledgeUrlFor(fingerprints: readonly string[], nowMs: number): string | undefined {
    const ids = new Set(fingerprints.map((f) => this.byFingerprint.get(f)));
    if (ids.size !== 1) return undefined;
    const [id] = ids;
    const rec = id === undefined ? undefined : this.open.get(id);
    if (!rec || rec.state !== 'triggered') return undefined;
    return this.opts.acknowledgeUrl?.(rec.id, nowMs);
  }

  /** The route groups of the incident's alerts whose PagerDuty integration was notified. */
  private routePagerDuty(rec: IncidentRecord): RoutePagerDuty[] {
    const routing = this.opts.routing;
    if (!routing) return [];
    const now = this.clock.nowMs();
    const found = new Map<string, RoutePagerDuty>();
    for (const a of rec.alerts) {
      for (const g of routing.groupsFor(a.labels, now)) {
        const k = `${g.receiver}\u0000${g.groupKey}`;
        if (found.has(k) || !routing.notifiedIntegrations(g.receiver, g.groupKey).includes('pagerduty')) continue;
        found.set(k, { receiver: g.receiver, groupKey: g.groupKey, dedupKey: dedupKeyOf(g.groupKey) });
      }
    }
    return [...found.values()];
  }

  /**
   * How the routing tree notifies `receiver` of these alerts now: undefined when some alert does
   * not reach it by a route (or the route's time intervals mute it); else the route's group key
   * (when they share one) and whether the route has already told the receiver they fire.
   */
  private routeTo(
    receiver: string,
    alerts: readonly StoredAlert[],
    now: number,
  ): { groupKey: string | undefined; notified: boolean } | undefined {
    const routing = this.opts.routing;
    if (!routing || alerts.length === 0) return undefined;
    const keys = new Set<string>();
    let notified = false;
    for (const a of alerts) {
      const g = routing.groupsFor(a.labels, now).find((x) => x.receiver === receiver && !x.timeMuted);
      if (!g) return undefined;
      keys.add(g.groupKey);
      notified ||= routing.notifiedIntegrations(receiver, g.groupKey).length > 0;
    }
    return { groupKey: keys.size === 1 ? [...keys][0] : undefined, notified };
  }

  /** @throws IncidentNotFoundError */
  get(id: number): IncidentView {
    const rec = this.open.get(id) ?? this.store.get(id);
    if (!rec) throw new IncidentNotFoundError(id);
    return this.view(rec);
  }

  /** Newest first; `open` = triggered or acknowledged. */
  list(filter: { state?: IncidentState | 'open'; limit?: number } = {}): IncidentView[] {
    if (!this.started) this.start();
    const limit = filter.limit ?? 100;
    if (filter.state === 'open' || filter.state === 'triggered' || filter.state === 'acknowledged') {
      return [...this.open.values()]
        .filter((r) => filter.state === 'open' || r.state === filter.state)
        .sort((a, b) => b.id - a.id)
        .slice(0, limit)
        .map((r) => this.view(r));
    }
    return this.store.list(filter.state, limit).map((r) => this.view(this.open.get(r.id) ?? r));
  }

  /** Open incidents per policy and state (the open-incidents gauge). */
  openCounts(): { policy: string; state: IncidentState; count: number }[] {
    const counts = new Map<string, { policy: string; state: IncidentState; count: number }>();
    for (const r of this.open.values()) {
      const k = `${r.policy}\u0000${r.state}`;
      const c = counts.get(k) ?? { policy: r.policy, state: r.state, count: 0 };
      c.count++;
      counts.set(k, c);
    }
    return [...counts.values()];
  }

  private index(rec: IncidentRecord): void {
    this.open.set(rec.id, rec);
    this.byKey.set(rec.key, rec.id);
    for (const a of rec.alerts) this.byFingerprint.set(a.fingerprint, rec.id);
  }

  private unindex(rec: IncidentRecord): void {
    this.open.delete(rec.id);
    if (this.byKey.get(rec.key) === rec.id) this.byKey.delete(rec.key);
    for (const a of rec.alerts) {
      if (this.byFingerprint.get(a.fingerprint) === rec.id) this.byFingerprint.delete(a.fingerprint);
      this.restored.delete(`${rec.id}/${a.fingerprint}`);
    }
  }

  private save(rec: IncidentRecord): void {
    if (!this.stopped) this.store.save(rec);
  }

  private cancelTimer(id: number): void {
    this.timers.get(id)?.();
    this.timers.delete(id);
  }

  /** Runs every level that is due (several after a restart), then arms the timer for the next. */
  private runDue(rec: IncidentRecord): void {
    this.cancelTimer(rec.id);
    if (this.stopped || rec.state !== 'triggered' || !rec.next) return;
    const now = this.clock.nowMs();
    const policy = this.policyByName.get(rec.policy);
    if (!policy || rec.next.index >= policy.levels.length) {
      rec.history.push({
        atMs: now,
        kind: 'policy_missing',
        detail: `policy ${rec.policy} is no longer configured (or has fewer levels): escalation stopped`,
      });
      delete rec.next;
      this.save(rec);
      return;
    }
    let ran = false;
    while (rec.state === 'triggered' && rec.next && rec.next.atMs <= now) {
      this.runLevel(rec, policy, rec.next, now);
      const step = nextStep(policy, rec.next.cycle, rec.next.index);
      if (step) rec.next = { ...step, atMs: levelDueAtMs(policy, rec.startedAtMs, step.cycle, step.index) };
      else delete rec.next;
      ran = true;
    }
    if (ran) this.save(rec);
    const next = rec.next;
    if (rec.state === 'triggered' && next) {
      this.timers.set(
        rec.id,
        this.clock.setTimeout(() => {
          this.timers.delete(rec.id);
          this.runDue(rec);
        }, next.atMs - now),
      );
    }
  }

  private runLevel(
    rec: IncidentRecord,
    policy: EscalationPolicy,
    step: { cycle: number; index: number; atMs: number },
    now: number,
  ): void {
    const level = policy.levels[step.index]!;
    rec.level = level.level;
    rec.cycle = step.cycle;
    const lateMs = now - step.atMs;
    const late = lateMs >= 1000 ? `late by ${Math.round(lateMs / 1000)}s (Watchkeeper was not running)` : undefined;
    const firing = rec.alerts.filter((a) => a.status === 'firing');
    let muteReason: string | undefined;
    const unmuted = firing.filter((a) => {
      const reason = this.opts.isMuted?.(a, now);
      muteReason ??= reason;
      return reason === undefined;
    });
    if (unmuted.length === 0) {
      rec.history.push({
        atMs: now,
        kind: 'level_skipped',
        level: level.level,
        cycle: step.cycle,
        targets: level.targets,
        detail: `every firing alert is muted: ${muteReason ?? 'no firing alerts'}`,
      });
      this.metrics.skippedLevels.inc({ policy: policy.name, level: String(level.level) });
      return;
    }
    // A receiver the routes page about these alerts and have not paged yet (level 1 runs when the
    // alert fires, the route after its group_wait) is left to its route: paging it from the level
    // too would wake the on-call twice, with two PagerDuty incidents. A receiver the route already
    // paged gets the level as a reminder, under the route's group key: one PagerDuty incident.
    const routes = new Map(level.receivers.map((r) => [r, this.routeTo(r, unmuted, now)]));
    const routed = level.receivers.filter((r) => routes.get(r)?.notified === false);
    const receivers = level.receivers.filter((r) => !routed.includes(r));
    rec.history.push({
      atMs: now,
      kind: 'escalated',
      level: level.level,
      cycle: step.cycle,
      targets: level.targets,
      receivers,
      ...(routed.length > 0 && { routed }),
      ...(late !== undefined && { detail: late }),
    });
    this.metrics.escalations.inc({ policy: policy.name, level: String(level.level) });
    const acknowledgeURL = this.opts.acknowledgeUrl?.(rec.id, now);
    const alerts = unmuted.map(toAlert);
    for (const receiver of receivers) {
      const routeGroupKey = routes.get(receiver)?.groupKey;
      if (!rec.notified.some((n) => n.receiver === receiver)) {
        rec.notified.push({
          receiver,
          level: level.level,
          atMs: now,
          ...(routeGroupKey !== undefined && { routeGroupKey }),
        });
      }
      this.track(
        this.send(rec, receiver, alerts, {
          escalationLevel: level.level,
          ...(acknowledgeURL !== undefined && { acknowledgeURL }),
          ...(routeGroupKey !== undefined && { groupKey: routeGroupKey }),
        }),
        (result) => {
          this.metrics.notifications.inc({ receiver, kind: 'firing', result: result.ok ? 'success' : 'failure' });
          // Under a route's group key, the route's PagerDuty incident (acknowledged with the routes').
          if (result.pagerDuty && routeGroupKey === undefined) {
            const dedupKey = incidentDedupKey(rec);
            if (!rec.pagerDuty.some((p) => p.receiver === receiver)) {
              rec.pagerDuty.push({ receiver, dedupKey });
              // Acknowledged while this notification was on its way: PagerDuty must hear it too.
              if (rec.state === 'acknowledged') this.acknowledgeOnPagerDuty(rec, receiver, dedupKey);
              this.save(rec);
            }
          }
          if (result.ok) return;
          rec.history.push({
            atMs: this.clock.nowMs(),
            kind: 'notify_failed',
            level: level.level,
            receiver,
            detail: result.error ?? 'failed',
          });
          this.save(rec);
        },
      );
    }
  }

  /** Sends through the port; a throw (an unknown receiver) is a failed outcome like any other. */
  private async send(
    rec: IncidentRecord,
    receiver: string,
    alerts: readonly IncidentAlert[],
    options: NotifyReceiverOptions,
  ): Promise<SendOutcome> {
    try {
      const result = await this.opts.notify(receiver, alerts, {
        groupKey: incidentGroupKey(rec),
        groupLabels: rec.groupLabels,
        ...options,
      });
      const failed = result.integrations.filter((i) => i.outcome === 'failed');
      return {
        ok: result.ok,
        ...(!result.ok && {
          error:
            failed.map((i) => `${i.integration}[${i.index}]: ${i.error ?? 'failed'}`).join('; ') ||
            'notification failed',
        }),
        pagerDuty: result.integrations.some((i) => i.integration === 'pagerduty' && i.outcome === 'sent'),
      };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err), pagerDuty: false };
    }
  }

  private alertResolved(rec: IncidentRecord, alert: StoredAlert, now: number, detail?: string): void {
    rec.history.push({
      atMs: now,
      kind: 'alert_resolved',
      fingerprint: alert.fingerprint,
      ...(detail !== undefined && { detail }),
    });
    if (rec.alerts.some((a) => a.status === 'firing')) {
      this.save(rec);
      return;
    }
    rec.state = 'resolved';
    rec.resolvedAtMs = now;
    delete rec.next;
    this.cancelTimer(rec.id);
    this.unindex(rec);
    rec.history.push({ atMs: now, kind: 'resolved', receivers: rec.notified.map((n) => n.receiver) });
    this.metrics.resolved.inc({ policy: rec.policy });
    this.save(rec);
    this.store.pruneResolved(now - (this.opts.historyRetentionMs ?? 30 * DAY_MS));
    const alerts = rec.alerts.map(toAlert);
    // A receiver a level reminded under its route's group key hears of the resolution from the route.
    for (const n of rec.notified.filter((x) => x.routeGroupKey === undefined)) {
      this.track(this.send(rec, n.receiver, alerts, { escalationLevel: n.level }), (result) => {
        this.metrics.notifications.inc({
          receiver: n.receiver,
          kind: 'resolved',
          result: result.ok ? 'success' : 'failure',
        });
        if (result.ok) return;
        rec.history.push({
          atMs: this.clock.nowMs(),
          kind: 'resolved_notice_failed',
          receiver: n.receiver,
          detail: result.error ?? 'failed',
        });
        this.save(rec);
      });
    }
  }

  /**
   * Announces the acknowledgement to the PagerDuty integrations of a receiver that got a level (or,
   * with the route's `groupKey`, a route notification): PagerDuty sends `acknowledge`.
   */
  private acknowledgeOnPagerDuty(rec: IncidentRecord, receiver: string, dedupKey: string, groupKey?: string): void {
    const alerts = rec.alerts.filter((a) => a.status === 'firing').map(toAlert);
    const options: NotifyReceiverOptions = {
      acknowledged: true,
      integrations: ['pagerduty'],
      ...(groupKey !== undefined && { groupKey }),
    };
    this.track(this.send(rec, receiver, alerts, options), (result) => {
      this.metrics.notifications.inc({
        receiver,
        kind: 'pagerduty_acknowledge',
        result: result.ok ? 'success' : 'failure',
      });
      rec.history.push({
        atMs: this.clock.nowMs(),
        kind: result.ok ? 'pagerduty_acknowledge' : 'pagerduty_acknowledge_failed',
        receiver,
        detail: result.ok ? `dedup_key ${dedupKey}` : `dedup_key ${dedupKey}: ${result.error ?? 'failed'}`,
      });
      this.save(rec);
    });
  }

  /** Remembered alerts that nobody reported again after the restart have resolved while we were down. */
  private expireRestored(): void {
    this.cancelGrace = undefined;
    const now = this.clock.nowMs();
    for (const k of [...this.restored]) {
      this.restored.delete(k);
      const slash = k.indexOf('/');
      const rec = this.open.get(Number(k.slice(0, slash)));
      const stored = rec?.alerts.find((a) => a.fingerprint === k.slice(slash + 1));
      if (!rec || !stored || stored.status !== 'firing') continue;
      stored.status = 'resolved';
      stored.endsAtMs = now;
      this.alertResolved(rec, stored, now, 'not reported again after the restart');
    }
  }

  private track<T>(promise: Promise<T>, then: (value: T) => void): void {
    const p = promise
      .then(then, (err: unknown) => {
        this.opts.onError?.(err);
      })
      .catch((err: unknown) => this.opts.onError?.(err))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private view(rec: IncidentRecord): IncidentView {
    const policy = this.policyByName.get(rec.policy);
    const nextLevel = rec.next && policy?.levels[rec.next.index];
    return {
      id: rec.id,
      key: rec.key,
      policy: rec.policy,
      groupLabels: rec.groupLabels,
      state: rec.state,
      level: rec.level,
      cycle: rec.cycle,
      startsAt: iso(rec.startedAtMs),
      nextEscalation:
        rec.next && nextLevel ? { level: nextLevel.level, cycle: rec.next.cycle, at: iso(rec.next.atMs) } : null,
      acknowledged: rec.acknowledged
        ? {
            at: iso(rec.acknowledged.atMs),
            by: rec.acknowledged.by,
            via: rec.acknowledged.via,
            ...(rec.acknowledged.comment !== undefined && { comment: rec.acknowledged.comment }),
          }
        : null,
      resolvedAt: rec.resolvedAtMs === undefined ? null : iso(rec.resolvedAtMs),
      alerts: rec.alerts.map((a) => ({
        fingerprint: a.fingerprint,
        status: a.status,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: iso(a.startsAtMs),
        ...(a.endsAtMs !== undefined && { endsAt: iso(a.endsAtMs) }),
        ...(a.generatorURL !== undefined && { generatorURL: a.generatorURL }),
      })),
      notified: rec.notified.map((n) => ({ receiver: n.receiver, level: n.level, at: iso(n.atMs) })),
      history: rec.history.map(({ atMs, ...rest }) => ({ at: iso(atMs), ...rest })),
    };
  }
}

function toStored(alert: IncidentAlert): StoredAlert {
  return {
    fingerprint: alert.fingerprint,
    labels: { ...alert.labels },
    annotations: { ...(alert.annotations ?? {}) },
    status: alert.status,
    startsAtMs: alert.startsAtMs,
    ...(alert.endsAtMs !== undefined && { endsAtMs: alert.endsAtMs }),
    ...(alert.generatorURL !== undefined && { generatorURL: alert.generatorURL }),
  };
}

function toAlert(a: StoredAlert): IncidentAlert {
  return {
    fingerprint: a.fingerprint,
    labels: a.labels,
    annotations: a.annotations,
    status: a.status,
    startsAtMs: a.startsAtMs,
    ...(a.endsAtMs !== undefined && { endsAtMs: a.endsAtMs }),
    ...(a.generatorURL !== undefined && { generatorURL: a.generatorURL }),
  };
}
