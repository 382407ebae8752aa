/**
 * incidents/ as the rest of the server sees it: escalation, suppression, acknowledgement links and
 * the PagerDuty webhook behind one object that main.ts builds from the configuration and http/
 * serves.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Gauge, type Registry } from 'prom-client';
import type { EscalationConfig, SuppressionRuleConfig } from '../config/index.js';
import type { Clock } from '../lib/clock.js';
import { AckLinks } from './ack-links.js';
import { IncidentResolvedError, IncidentsConfigError, IncidentNotFoundError } from './errors.js';
import { EscalationEngine, type IncidentView } from './escalation.js';
import { createIncidentsMetrics, type IncidentsMetrics } from './metrics.js';
import { parsePagerDutyWebhook, verifyPagerDutySignature } from './pagerduty-webhook.js';
import { buildPolicies } from './policies.js';
import type {
  AlertSubscription,
  IncidentAlert,
  MuteCandidate,
  MuteStage,
  NotifyReceiver,
  RoutingPort,
} from './ports.js';
import { IncidentStore, type IncidentState } from './store.js';
import { buildSuppressionRules, SuppressionEngine, type SuppressionDecision } from './suppression/engine.js';
import type { RuleStatus } from './suppression/rule.js';

export const INCIDENTS_DB_FILE = 'incidents.db';

export interface IncidentsOptions {
  escalation: EscalationConfig;
  suppressionRules: readonly SuppressionRuleConfig[];
  /** Folder for `incidents.db` and `ack-link.key` (`<storage.path>/incidents`); `':memory:'` keeps nothing. */
  dir: string;
  clock: Clock;
  /** The dispatcher's ad-hoc notification through a named receiver (levels, resolved notices, PagerDuty acknowledge). */
  notifyReceiver: NotifyReceiver;
  /** alertmanager.yml's receivers: targets are checked against them when given. */
  receiverNames?: ReadonlySet<string>;
  /** Base of acknowledgement links when `escalation.acknowledge.external_url` is not set (a function: read at each link). */
  externalUrl: string | (() => string);
  /** The PagerDuty webhook secret, already read from `secret_file` when that is used. */
  pagerDutyWebhookSecret?: string;
  registry?: Registry;
  /** The dispatcher's silences and inhibition, consulted (with suppression) before each level. */
  isMutedElsewhere?: (alert: MuteCandidate, nowMs: number) => string | undefined;
  /** The routing tree: levels leave receivers the routes already page to them (no double paging). */
  routing?: RoutingPort;
  onError?: (err: unknown) => void;
}

export type AckLinkOutcome =
  | { ok: true; incident: IncidentView }
  | {
      ok: false;
      reason: 'malformed' | 'bad_signature' | 'expired' | 'not_found' | 'resolved';
      incident?: IncidentView;
    };

export type PagerDutyWebhookOutcome =
  | { result: 'acknowledged'; incidentId: number }
  | { result: 'ignored'; detail: string }
  | { result: 'missing_signature' | 'bad_signature' | 'malformed'; detail: string };

export class Incidents {
  /** The MuteStage to hand to the dispatcher. */
  readonly suppression: SuppressionEngine;
  readonly escalation: EscalationEngine;
  readonly metrics: IncidentsMetrics;
  private readonly store: IncidentStore;
  private readonly ackLinks: AckLinks;
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  private constructor(
    private readonly opts: IncidentsOptions,
    parts: { store: IncidentStore; ackLinks: AckLinks; metrics: IncidentsMetrics; suppression: SuppressionEngine },
    policies: ReturnType<typeof buildPolicies>,
  ) {
    this.store = parts.store;
    this.ackLinks = parts.ackLinks;
    this.metrics = parts.metrics;
    this.suppression = parts.suppression;
    const suppression = parts.suppression;
    const elsewhere = opts.isMutedElsewhere;
    this.escalation = new EscalationEngine({
      policies,
      store: parts.store,
      clock: opts.clock,
      notify: opts.notifyReceiver,
      acknowledgeUrl: (id, nowMs) => this.ackLinks.url(id, nowMs),
      isMuted: (alert, nowMs) => elsewhere?.(alert, nowMs) ?? suppression.isMuted(alert, nowMs),
      ...(opts.routing && { routing: opts.routing }),
      metrics: parts.metrics,
      historyRetentionMs: opts.escalation.historyRetentionMs,
      restartGraceMs: opts.escalation.restartGraceMs,
      ...(opts.onError && { onError: opts.onError }),
    });
  }

  /**
   * Checks the configuration against alertmanager.yml's receivers, opens the database and the
   * link key under `dir`.
   * @throws IncidentsConfigError with the paths of every problem
   */
  static open(opts: IncidentsOptions): Incidents {
    const problems: string[] = [];
    const policies = buildPolicies(opts.escalation, opts.receiverNames, problems);
    // Rules are built twice: once to find problems before anything is opened, once with the store.
    buildSuppressionRules(opts.suppressionRules, problems);
    if (problems.length > 0) throw new IncidentsConfigError(problems);
    const memory = opts.dir === ':memory:';
    const store = IncidentStore.open(memory ? ':memory:' : join(opts.dir, INCIDENTS_DB_FILE));
    try {
      const key = memory ? randomBytes(32) : AckLinks.loadOrCreateKey(opts.dir);
      const configured = opts.escalation.acknowledge.externalUrl;
      const fallback = opts.externalUrl;
      const baseUrl = (): string => configured ?? (typeof fallback === 'string' ? fallback : fallback());
      const ackLinks = new AckLinks(key, baseUrl, opts.escalation.acknowledge.linkTtlMs);
      const metrics = createIncidentsMetrics(opts.registry);
      const rules = buildSuppressionRules(opts.suppressionRules, [], {
        load: (rule) => store.flakyWindows().filter((w) => w.rule === rule),
        put: (rule, k, doc) => store.putFlakyWindow(rule, k, doc),
      });
      const suppression = new SuppressionEngine(rules, { metrics });
      const incidents = new Incidents(opts, { store, ackLinks, metrics, suppression }, policies);
      if (opts.registry) incidents.registerGauges(opts.registry);
      return incidents;
    } catch (err) {
      store.close();
      throw err;
    }
  }

  private registerGauges(registry: Registry): void {
    const escalation = this.escalation;
    new Gauge({
      name: 'watchkeeper_incidents_open',
      help: 'Incidents not resolved, by policy and state (triggered, acknowledged).',
      labelNames: ['policy', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const c of escalation.openCounts()) this.set({ policy: c.policy, state: c.state }, c.count);
      },
    });
  }

  /** Loads open incidents and re-arms their timers; subscribes to the alert store when given. */
  start(subscription?: AlertSubscription): void {
    this.escalation.start();
    if (subscription && !this.unsubscribe) this.unsubscribe = subscription.subscribe((a) => this.handleAlert(a));
  }

  /** An alert change: cascade sources first, so that the escalation's mute check sees them. */
  handleAlert(alert: IncidentAlert): void {
    if (this.closed) return;
    this.suppression.observe(alert);
    this.escalation.handleAlert(alert);
  }

  /** The MuteStage for the dispatcher (the same object as `suppression`). */
  muteStage(): MuteStage {
    return this.suppression;
  }

  list(filter: { state?: IncidentState | 'open'; limit?: number } = {}): IncidentView[] {
    return this.escalation.list(filter);
  }

  /** @throws IncidentNotFoundError */
  get(id: number): IncidentView {
    return this.escalation.get(id);
  }

  /**
   * Acknowledges through the API.
   * @throws IncidentNotFoundError, IncidentResolvedError
   */
  acknowledge(id: number, by: string, comment?: string): IncidentView {
    return this.escalation.acknowledge(id, { by, via: 'api', ...(comment !== undefined && { comment }) });
  }

  /** What an acknowledgement link points to, without acting on it (the confirmation page). */
  inspectAckLink(token: string): AckLinkOutcome {
    const check = this.ackLinks.verify(token, this.opts.clock.nowMs());
    if (!check.ok) return { ok: false, reason: check.reason };
    try {
      const incident = this.escalation.get(check.incidentId);
      return incident.state === 'resolved' ? { ok: false, reason: 'resolved', incident } : { ok: true, incident };
    } catch (err) {
      if (err instanceof IncidentNotFoundError) return { ok: false, reason: 'not_found' };
      throw err;
    }
  }

  /** Acknowledges through a link from a notification. */
  acknowledgeByLink(token: string, by = 'acknowledgement link'): AckLinkOutcome {
    const outcome = this.acknowledgeByLinkInner(token, by);
    this.metrics.acknowledgeLinks.inc({ result: outcome.ok ? 'acknowledged' : outcome.reason });
    return outcome;
  }

  private acknowledgeByLinkInner(token: string, by: string): AckLinkOutcome {
    const check = this.ackLinks.verify(token, this.opts.clock.nowMs());
    if (!check.ok) return { ok: false, reason: check.reason };
    try {
      return { ok: true, incident: this.escalation.acknowledge(check.incidentId, { by, via: 'link' }) };
    } catch (err) {
      if (err instanceof IncidentNotFoundError) return { ok: false, reason: 'not_found' };
      if (err instanceof IncidentResolvedError) {
        return { ok: false, reason: 'resolved', incident: this.escalation.get(check.incidentId) };
      }
      throw err;
    }
  }

  /**
   * A PagerDuty webhook v3 delivery: `incident.acknowledged` for an incident a level opened in
   * PagerDuty acknowledges it here; everything else is accepted and ignored (PagerDuty disables
   * subscriptions whose deliveries fail).
   */
  handlePagerDutyWebhook(rawBody: Buffer, signatureHeader: string | undefined): PagerDutyWebhookOutcome {
    const outcome = this.pagerDutyWebhook(rawBody, signatureHeader);
    this.metrics.pagerDutyWebhooks.inc({ result: outcome.result });
    return outcome;
  }

  private pagerDutyWebhook(rawBody: Buffer, signatureHeader: string | undefined): PagerDutyWebhookOutcome {
    const secret = this.opts.pagerDutyWebhookSecret;
    if (secret !== undefined) {
      if (signatureHeader === undefined || signatureHeader.trim() === '') {
        return { result: 'missing_signature', detail: 'X-PagerDuty-Signature is missing' };
      }
      if (!verifyPagerDutySignature(rawBody, signatureHeader, secret)) {
        return { result: 'bad_signature', detail: 'no v1 signature of X-PagerDuty-Signature matches the body' };
      }
    }
    const event = parsePagerDutyWebhook(rawBody);
    if ('error' in event) return { result: 'malformed', detail: event.error };
    if (event.eventType !== 'incident.acknowledged') {
      return { result: 'ignored', detail: `event type ${event.eventType} is not acted on` };
    }
    if (event.incidentKey === undefined) return { result: 'ignored', detail: 'the incident has no incident_key' };
    const id = this.escalation.findByPagerDutyKey(event.incidentKey);
    if (id === undefined) {
      return { result: 'ignored', detail: `no open incident sent incident_key ${event.incidentKey} to PagerDuty` };
    }
    this.escalation.acknowledge(id, {
      by: `pagerduty:${event.agent ?? 'unknown'}`,
      via: 'pagerduty',
      fromPagerDutyDedupKey: event.incidentKey,
    });
    return { result: 'acknowledged', incidentId: id };
  }

  /** The suppression rules' state and the recent decisions (why alerts were muted). */
  suppressionStatus(): { rules: RuleStatus[]; decisions: SuppressionDecision[] } {
    const now = this.opts.clock.nowMs();
    return { rules: this.suppression.status(now), decisions: this.suppression.decisions() };
  }

  /** Waits for notifications in flight (tests, shutdown). */
  async flush(): Promise<void> {
    await this.escalation.flush();
  }

  /** Stops timers, lets notifications in flight finish, closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    await this.escalation.flush();
    this.escalation.stop();
    this.store.close();
  }
}
