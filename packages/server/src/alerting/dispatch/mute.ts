/**
 * The extension point for mute stages beyond Alertmanager's (maintenance windows, flaky-service and
 * cascade suppression in incidents/), and the status of an alert as the API shows it.
 */
import type { Alert } from './alert.js';

/**
 * A stage that mutes alerts at flush time, after inhibition, time intervals and silences. A muted
 * alert is not notified (but stays in its group and in the API, as `suppressed` with the reason
 * in `mutedBy`). With resolved-after-mute on, its resolution is still notified to integrations
 * that were told it fired.
 *
 * @example
 * const maintenance: MuteStage = {
 *   name: 'maintenance',
 *   isMuted: (alert, nowMs) => (inWindow(nowMs) && alert.labels.severity !== 'critical' ? 'maintenance:sunday-02' : undefined),
 * };
 * dispatcher.addMuteStage(maintenance);
 */
export interface MuteStage {
  /** Names the stage in logs and in the API. */
  readonly name: string;
  /**
   * A reason (shown in the API's `mutedBy`) when the alert must not be notified at `nowMs`,
   * undefined otherwise. Called for every alert of every flush and API listing: keep it cheap.
   * An exception counts as "not muted".
   */
  isMuted(alert: Alert, nowMs: number): string | undefined;
}

/** An alert's state as API v2 shows it. `mutedBy` is Watchkeeper's (MuteStage reasons). */
export interface AlertStatus {
  readonly state: 'unprocessed' | 'active' | 'suppressed';
  /** Ids of the active silences that match it, sorted. */
  readonly silencedBy: readonly string[];
  /** Fingerprints of the alerts that inhibit it. */
  readonly inhibitedBy: readonly string[];
  /** Reasons given by extra mute stages. */
  readonly mutedBy: readonly string[];
}
