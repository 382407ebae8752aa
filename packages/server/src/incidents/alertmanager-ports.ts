/**
 * The ports of incidents/ implemented by alerting/'s Alertmanager (alert store, dispatcher,
 * silences, inhibition), so that main.ts wires the two with one call:
 *
 * @example
 * const am = Alertmanager.open({ ... });
 * const incidents = Incidents.open({ ...config, ...alertmanagerPorts(am, clock), dir, clock, externalUrl });
 * am.dispatcher.addMuteStage(incidents.suppression);
 * incidents.start(alertStoreSubscription(am.store));
 */
import type { Alert, AlertChange, AlertStore, Dispatcher, Inhibitor, Silences } from '../alerting/index.js';
import type { Clock } from '../lib/clock.js';
import type { AlertSubscription, IncidentAlert, MuteCandidate, NotifyReceiver, RoutingPort } from './ports.js';

/** The parts of alerting/'s Alertmanager that incidents/ uses. */
export interface AlertmanagerParts {
  readonly dispatcher: Pick<Dispatcher, 'notifyReceiver' | 'receiverNames' | 'routeGroupsFor' | 'notifiedIntegrations'>;
  readonly silences?: Pick<Silences, 'mutedBy'>;
  readonly inhibitor?: Pick<Inhibitor, 'inhibitedBy'>;
}

/** A firing alert sent ad hoc must not look resolved to the dispatcher while retries run. */
const FIRING_HORIZON_MS = 3_600_000;

/** What `Incidents.open` takes from the Alertmanager: notifications, receivers, silences and inhibition. */
export function alertmanagerPorts(
  am: AlertmanagerParts,
  clock: Clock,
): {
  notifyReceiver: NotifyReceiver;
  receiverNames: ReadonlySet<string>;
  isMutedElsewhere: (alert: MuteCandidate, nowMs: number) => string | undefined;
  routing: RoutingPort;
} {
  return {
    notifyReceiver: (receiver, alerts, options) => {
      const nowMs = clock.nowMs();
      return am.dispatcher.notifyReceiver(
        receiver,
        alerts.map((a) => toDispatcherAlert(a, nowMs)),
        options,
      );
    },
    receiverNames: new Set(am.dispatcher.receiverNames()),
    routing: {
      groupsFor: (labels, nowMs) => am.dispatcher.routeGroupsFor(labels, nowMs),
      notifiedIntegrations: (receiver, groupKey) => am.dispatcher.notifiedIntegrations(receiver, groupKey),
    },
    isMutedElsewhere: (alert, nowMs) => {
      const silences = am.silences?.mutedBy(alert.labels, nowMs) ?? [];
      if (silences.length > 0) return `silenced by ${silences.join(', ')}`;
      const inhibitor = am.inhibitor?.inhibitedBy(alert.labels, nowMs);
      return inhibitor === undefined ? undefined : `inhibited by ${inhibitor}`;
    },
  };
}

/** The alert store's changes as incidents/ reads them, current alerts first (`replay`). */
export function alertStoreSubscription(store: Pick<AlertStore, 'subscribe'>): AlertSubscription {
  return {
    subscribe: (listener) => store.subscribe((change) => listener(toIncidentAlert(change)), { replay: true }),
  };
}

export function toIncidentAlert(change: AlertChange): IncidentAlert {
  const a = change.alert;
  return {
    fingerprint: a.fingerprint,
    labels: a.labels,
    annotations: a.annotations,
    status: change.isFiring ? 'firing' : 'resolved',
    startsAtMs: a.startsAtMs,
    endsAtMs: a.endsAtMs,
    generatorURL: a.generatorURL,
  };
}

/**
 * An incident's alert as the dispatcher sends it: its status decides by `endsAtMs` against the
 * time of sending, so a firing alert (whose remembered end may have passed, after a restart) gets
 * an end in the future, and a resolved one an end not after now.
 */
export function toDispatcherAlert(a: IncidentAlert, nowMs: number): Alert {
  return {
    fingerprint: a.fingerprint,
    labels: a.labels,
    annotations: a.annotations ?? {},
    startsAtMs: a.startsAtMs,
    endsAtMs:
      a.status === 'firing'
        ? Math.max(a.endsAtMs ?? 0, nowMs + FIRING_HORIZON_MS)
        : Math.min(a.endsAtMs ?? nowMs, nowMs),
    generatorURL: a.generatorURL ?? '',
    updatedAtMs: nowMs,
    timeout: false,
  };
}
