/**
 * Watchkeeper's Alertmanager: the alert store, silences (durable), the notification log (durable),
 * inhibition and the dispatcher, built from one alertmanager.yml, with Alertmanager's self-metrics.
 * This is what main.ts starts and what the API v2 (http/alertmanager-api.ts) serves.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type Database from 'better-sqlite3';
import { Gauge, Counter, type Registry } from 'prom-client';
import type { Clock } from '../../lib/clock.js';
import type { AlertmanagerTemplates } from '../../template/index.js';
import type { AlertmanagerConfig } from '../config/load.js';
import { globFiles } from '../config/templates.js';
import { Inhibitor } from '../inhibit/inhibitor.js';
import { createNotifiers, createNotificationTemplates, unsupportedIntegrations } from '../notifiers/index.js';
import type { Route } from '../route.js';
import { Silences } from '../silences/silences.js';
import { SqliteSilenceStore } from '../silences/sqlite-silence-store.js';
import {
  GO_ZERO_TIME_MS,
  isResolvedAt,
  parseApiTime,
  type AlertSink,
  type PostableAlert,
  type SendResult,
} from './alert.js';
import { AlertStore, type AlertListener } from './alert-store.js';
import {
  Dispatcher,
  type AdHocAlert,
  type DispatcherLog,
  type NotifierFactory,
  type NotifyReceiverOptions,
  type NotifyReceiverResult,
} from './dispatcher.js';
import { createNotificationMetrics } from './metrics.js';
import type { MuteStage } from './mute.js';
import { NotificationLog, SqliteNflogStore } from './nflog.js';
import { openAlertingDb } from './state-db.js';

/**
 * Watchkeeper's resolved-after-mute extension: globally on or off, and per route node — by its
 * path in the tree (`0.2`, as `watchkeeper routes show` numbers them) or its route key
 * (`{}/{severity="critical"}`). A setting applies to the node and its descendants; the deepest
 * setting wins.
 */
export interface ResolvedAfterMuteSettings {
  /** @default true */
  readonly enabled?: boolean;
  readonly routes?: readonly { readonly route: string; readonly enabled: boolean }[];
}

/** A setting that names no route of the tree. */
export class AlertingSetupError extends Error {
  readonly code = 'WK_ALERTING_SETUP';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AlertingSetupError';
  }
}

/**
 * The per-route decision of `ResolvedAfterMuteSettings`.
 * @throws AlertingSetupError for a `route` that matches no node of the tree.
 */
export function resolvedAfterMutePolicy(
  tree: Route,
  settings: ResolvedAfterMuteSettings = {},
): (route: Route) => boolean {
  const byNode = new Map<Route, boolean>();
  for (const { route, enabled } of settings.routes ?? []) {
    let found = false;
    tree.walk((node) => {
      if (node.path === route || node.key === route) {
        byNode.set(node, enabled);
        found = true;
      }
    });
    if (!found) {
      throw new AlertingSetupError(
        `resolved_after_mute: no route has the path or key "${route}" (see \`watchkeeper routes show\`)`,
      );
    }
  }
  const global = settings.enabled ?? true;
  return (route) => {
    for (let r: Route | undefined = route; r; r = r.parent) {
      const v = byNode.get(r);
      if (v !== undefined) return v;
    }
    return global;
  };
}

/**
 * The notification templates: Watchkeeper's defaults, then the files of alertmanager.yml's
 * `templates:` globs in order. @throws TemplateError for a file that does not parse.
 */
export function loadTemplateFiles(config: AlertmanagerConfig): AlertmanagerTemplates {
  const files = config.templates.flatMap((pattern) =>
    globFiles(pattern).map((file) => ({ name: basename(file), content: readFileSync(file, 'utf8') })),
  );
  return createNotificationTemplates(files);
}

export interface AlertmanagerOptions {
  config: AlertmanagerConfig;
  clock: Clock;
  /** Where Watchkeeper is reached (links in notifications, `externalURL` in webhook payloads). */
  externalURL: string;
  /** Folder of `alerting.db` (silences, notification log); without it, state is in memory only. */
  storagePath?: string;
  /** Receives Alertmanager's self-metrics (`alertmanager_notifications_total`, ...). */
  registry?: Registry;
  /** The notifiers of each receiver. @default notifiers/' createNotifiers with its default dependencies */
  notifiers?: NotifierFactory;
  /** @default the files of `templates:`, loaded */
  templates?: AlertmanagerTemplates;
  /** @default on for every route */
  resolvedAfterMute?: ResolvedAfterMuteSettings;
  muteStages?: readonly MuteStage[];
  /** Silence and notification log retention (Alertmanager's `--data.retention`). @default 120 h */
  retentionMs?: number;
  /** Backoff randomization (tests). */
  random?: () => number;
  /** Tighter timers for tests: minimum flush timeout. @default 10 s */
  minFlushTimeoutMs?: number;
  log?: DispatcherLog;
}

/**
 * The running alerting core.
 *
 * @example
 * const am = Alertmanager.open({ config: loadAlertmanagerConfig('alertmanager.yml'), clock, externalURL, storagePath });
 * am.send([{ labels: { alertname: 'PartsOrderingSystemDown', severity: 'critical', team: 'revenue' } }]);
 */
export class Alertmanager implements AlertSink {
  readonly config: AlertmanagerConfig;
  readonly store: AlertStore;
  readonly silences: Silences;
  readonly nflog: NotificationLog;
  readonly inhibitor: Inhibitor;
  readonly dispatcher: Dispatcher;
  readonly startTimeMs: number;
  private externalURLValue: string;
  private readonly clock: Clock;
  private readonly db: Database.Database | undefined;
  private readonly received: Counter<'status' | 'version'> | undefined;
  private readonly invalid: Counter<'version'> | undefined;
  private closed = false;

  private constructor(options: AlertmanagerOptions, db: Database.Database | undefined) {
    const { config, clock } = options;
    this.config = config;
    this.clock = clock;
    this.db = db;
    this.externalURLValue = options.externalURL;
    this.startTimeMs = clock.nowMs();
    const policy = resolvedAfterMutePolicy(config.routeTree, options.resolvedAfterMute);
    this.store = new AlertStore({ clock, resolveTimeoutMs: config.global.resolve_timeout });
    this.silences = new Silences({
      clock,
      ...(db && { store: new SqliteSilenceStore(db) }),
      ...(options.retentionMs !== undefined && { retentionMs: options.retentionMs }),
    });
    this.nflog = new NotificationLog({
      clock,
      ...(db && { store: new SqliteNflogStore(db) }),
      ...(options.retentionMs !== undefined && { retentionMs: options.retentionMs }),
    });
    this.inhibitor = new Inhibitor(config.inhibitRules, this.store);
    const metrics = options.registry ? createNotificationMetrics(options.registry) : undefined;
    for (const r of config.receivers) {
      const unsupported = unsupportedIntegrations(r);
      if (unsupported.length > 0) {
        options.log?.('warn', 'Receiver has integrations Watchkeeper does not deliver; they are ignored', {
          receiver: r.name,
          integrations: unsupported.join(','),
        });
      }
    }
    this.dispatcher = new Dispatcher({
      config,
      store: this.store,
      clock,
      notifiers: options.notifiers ?? ((r) => createNotifiers(r)),
      nflog: this.nflog,
      templates: options.templates ?? loadTemplateFiles(config),
      externalURL: () => this.externalURLValue,
      silences: this.silences,
      inhibitor: this.inhibitor,
      ...(options.muteStages && { muteStages: options.muteStages }),
      ...(metrics && { metrics }),
      resolvedAfterMute: policy,
      ...(options.random && { random: options.random }),
      ...(options.minFlushTimeoutMs !== undefined && { minFlushTimeoutMs: options.minFlushTimeoutMs }),
      ...(options.log && { log: options.log }),
    });
    if (options.registry) {
      const registers = [options.registry];
      this.received = new Counter({
        name: 'alertmanager_alerts_received_total',
        help: 'The total number of received alerts.',
        labelNames: ['status', 'version'],
        registers,
      });
      this.invalid = new Counter({
        name: 'alertmanager_alerts_invalid_total',
        help: 'The total number of received alerts that were invalid.',
        labelNames: ['version'],
        registers,
      });
      this.received.inc({ status: 'firing', version: 'v2' }, 0);
      this.received.inc({ status: 'resolved', version: 'v2' }, 0);
      this.invalid.inc({ version: 'v2' }, 0);
      const { store, dispatcher, silences } = this;
      new Gauge({
        name: 'alertmanager_alerts',
        help: 'How many alerts by state.',
        labelNames: ['state'],
        registers,
        collect() {
          const counts = { active: 0, suppressed: 0, unprocessed: 0 };
          const nowMs = clock.nowMs();
          for (const a of store.list()) {
            if (!isResolvedAt(a, nowMs)) counts[dispatcher.alertStatus(a, nowMs).state]++;
          }
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        },
      });
      new Gauge({
        name: 'alertmanager_silences',
        help: 'How many silences by state.',
        labelNames: ['state'],
        registers,
        collect() {
          for (const [state, n] of Object.entries(silences.countByState())) this.set({ state }, n);
        },
      });
      new Gauge({
        name: 'alertmanager_dispatcher_aggregation_groups',
        help: 'Number of active aggregation groups',
        registers,
        collect() {
          this.set(dispatcher.groupCount);
        },
      });
    }
    this.dispatcher.start();
  }

  /**
   * Builds and starts everything: the state database is opened (and migrated) under
   * `storagePath`, silences and the notification log are loaded from it.
   * @throws AlertingSetupError for a resolved_after_mute route that does not exist; TemplateError for a bad template file.
   */
  static open(options: AlertmanagerOptions): Alertmanager {
    const db = options.storagePath !== undefined ? openAlertingDb(join(options.storagePath, 'alerting.db')) : undefined;
    try {
      return new Alertmanager(options, db);
    } catch (err) {
      db?.close();
      throw err;
    }
  }

  /** Where Watchkeeper is reached (links in notifications). */
  get externalURL(): string {
    return this.externalURLValue;
  }

  /** Changes the external URL (main.ts knows the port only once it listens). */
  setExternalURL(url: string): void {
    this.externalURLValue = url;
  }

  /** The clock's time (Unix ms): what the API evaluates states at. */
  nowMs(): number {
    return this.clock.nowMs();
  }

  /** Receives alerts (API v2's POST /api/v2/alerts and rule evaluation). */
  send(alerts: readonly PostableAlert[]): SendResult {
    const result = this.store.send(alerts);
    if (this.received) {
      const nowMs = this.clock.nowMs();
      for (const a of alerts) {
        const endsAtMs = a.endsAt ? parseApiTime(a.endsAt) : undefined;
        const status =
          endsAtMs !== undefined && endsAtMs > GO_ZERO_TIME_MS && endsAtMs <= nowMs ? 'resolved' : 'firing';
        this.received.inc({ status, version: 'v2' });
      }
      if (result.errors.length > 0) this.invalid?.inc({ version: 'v2' }, result.errors.length);
    }
    return result;
  }

  /** Alert changes (see AlertChange). Returns the function that unsubscribes. */
  subscribe(listener: AlertListener, options?: { replay?: boolean }): () => void {
    return this.store.subscribe(listener, options);
  }

  /** Adds a mute stage (maintenance windows, suppression); returns the function that removes it. */
  addMuteStage(stage: MuteStage): () => void {
    return this.dispatcher.addMuteStage(stage);
  }

  /** An ad-hoc notification to a receiver's integrations (escalation); see Dispatcher.notifyReceiver. */
  notifyReceiver(
    receiverName: string,
    alerts: readonly AdHocAlert[],
    options?: NotifyReceiverOptions,
  ): Promise<NotifyReceiverResult> {
    return this.dispatcher.notifyReceiver(receiverName, alerts, options);
  }

  /** Stops timers and notifications in flight and closes the state database. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dispatcher.stop();
    this.inhibitor.close();
    this.store.close();
    this.silences.close();
    this.nflog.close();
    this.db?.close();
  }
}
