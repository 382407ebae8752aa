/**
 * A dispatcher under test (used by tests only): an Alertmanager built from an alertmanager.yml
 * text on a SteppingClock, with a RecordingNotifier for every `webhook_configs` entry.
 */
import { Registry } from 'prom-client';
import { parseAlertmanagerConfig } from '../config/load.js';
import type { PostableAlert } from './alert.js';
import { Alertmanager, type AlertmanagerOptions } from './alertmanager.js';
import { RecordingNotifier, SteppingClock } from './test-support.js';

/** 2026-11-27 (a Friday) 12:00:00 UTC. */
export const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
export const SEC = 1000;
export const MIN = 60 * SEC;

export interface Harness {
  clock: SteppingClock;
  am: Alertmanager;
  registry: Registry;
  /** The recording notifier of `webhook_configs[index]` of a receiver. */
  hook(receiver: string, index?: number): RecordingNotifier;
  /** Posts alerts as API v2 does, at the clock's time. */
  post(...alerts: PostableAlert[]): void;
  /** An ISO time `offsetMs` from the clock's now. */
  at(offsetMs: number): string;
  close(): void;
}

export function harness(yaml: string, options: Partial<AlertmanagerOptions> = {}): Harness {
  const clock = new SteppingClock(T0);
  const registry = new Registry();
  const hooks = new Map<string, RecordingNotifier[]>();
  const am = Alertmanager.open({
    config: parseAlertmanagerConfig(yaml),
    clock,
    externalURL: 'http://watchkeeper.test',
    registry,
    random: () => 0.5,
    notifiers: (r) => {
      const list = r.webhook_configs.map((c) => new RecordingNotifier('webhook', c.send_resolved));
      hooks.set(r.name, list);
      return list;
    },
    ...options,
  });
  return {
    clock,
    am,
    registry,
    hook(receiver, index = 0) {
      const n = hooks.get(receiver)?.[index];
      if (!n) throw new Error(`no webhook ${index} for receiver ${receiver}`);
      return n;
    },
    post(...alerts) {
      const r = am.send(alerts);
      if (r.errors.length > 0) throw new Error(r.errors.join('; '));
    },
    at(offsetMs) {
      return new Date(clock.nowMs() + offsetMs).toISOString();
    },
    close() {
      am.close();
    },
  };
}
