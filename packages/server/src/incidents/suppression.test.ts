import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/clock.js';
import { Incidents } from './incidents.js';
import type { MuteCandidate } from './ports.js';
import { CapturingReceivers, firing, planConfig, resolved } from './test-support.js';

const MIN = 60_000;
/** Sunday 2024-06-02 01:00 UTC. */
const SUNDAY_0100_UTC = Date.UTC(2024, 5, 2, 1, 0);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(timezone = 'UTC', startMs = SUNDAY_0100_UTC, dir = ':memory:') {
  const clock = new ManualClock(startMs);
  const rx = new CapturingReceivers(() => clock.nowMs());
  const registry = new Registry();
  const config = planConfig({}, timezone);
  const incidents = Incidents.open({
    escalation: config.escalation,
    suppressionRules: config.suppressionRules,
    dir,
    clock,
    notifyReceiver: rx.notify,
    externalUrl: 'http://127.0.0.1:9800',
    registry,
  });
  incidents.start();
  const stage = incidents.muteStage();
  const muted = (alert: MuteCandidate): string | undefined => stage.isMuted(alert, clock.nowMs());
  return { clock, rx, incidents, registry, muted };
}

describe('suppression rules (plan 7.3) as a mute stage', () => {
  for (const [timezone, windowStartUtc] of [
    ['UTC', Date.UTC(2024, 5, 2, 2, 0)],
    ['Europe/Oslo', Date.UTC(2024, 5, 2, 0, 0)],
  ] as const) {
    it(`the Sunday 02:00-04:00 window (${timezone}) mutes warnings, not criticals`, async () => {
      const { clock, incidents, muted } = open(timezone, windowStartUtc - 30 * MIN);
      const warning = firing({ alertname: 'HighLatency', severity: 'warning', service: 'parts-api' }, clock.nowMs());
      const info = firing({ alertname: 'ReportSlow', severity: 'info' }, clock.nowMs());
      const critical = firing({ alertname: 'PartsOrderingSystemDown', severity: 'critical' }, clock.nowMs());
      expect(muted(warning)).toBeUndefined();
      clock.advance(30 * MIN);
      expect(muted(warning)).toMatch(/^maintenance window "Maintenance window"/);
      expect(muted(info)).toBeDefined();
      expect(muted(critical)).toBeUndefined();
      clock.advance(2 * 60 * MIN - 1);
      expect(muted(warning)).toBeDefined();
      clock.advance(1);
      expect(muted(warning)).toBeUndefined();
      await incidents.close();
    });
  }

  it('DatabaseDown suppresses APIError and SyncFailure for 30m from its start', async () => {
    const { clock, incidents, muted, registry } = open('UTC', Date.UTC(2024, 5, 3, 9, 0));
    const t0 = clock.nowMs();
    const db = firing({ alertname: 'DatabaseDown', severity: 'critical', service: 'postgres' }, t0);
    incidents.handleAlert(db);
    clock.advance(2 * MIN);
    const api = firing({ alertname: 'APIError', severity: 'critical', service: 'parts-api' }, clock.nowMs());
    const sync = firing({ alertname: 'SyncFailure', severity: 'warning', service: 'sync' }, clock.nowMs());
    const other = firing({ alertname: 'PaymentFailures', severity: 'critical' }, clock.nowMs());
    expect(muted(api)).toBe(
      'cascade prevention "Cascade prevention": DatabaseDown firing since 2024-06-03T09:00:00.000Z, ' +
        'muted until 2024-06-03T09:30:00.000Z',
    );
    expect(muted(sync)).toBeDefined();
    expect(muted(other)).toBeUndefined();
    expect(muted(db)).toBeUndefined();
    clock.advance(28 * MIN - 1);
    expect(muted(api)).toBeDefined();
    clock.advance(1);
    expect(muted(api)).toBeUndefined();
    expect(muted(sync)).toBeUndefined();
    expect(await registry.getSingleMetricAsString('watchkeeper_suppression_decisions_total')).toContain(
      'watchkeeper_suppression_decisions_total{rule="Cascade prevention",kind="cascade",decision="notified"} 2',
    );
    await incidents.close();
  });

  it('cascade prevention ends when the source resolves', async () => {
    const { clock, incidents, muted } = open('UTC', Date.UTC(2024, 5, 3, 9, 0));
    const db = firing({ alertname: 'DatabaseDown', severity: 'critical' }, clock.nowMs());
    incidents.handleAlert(db);
    const api = firing({ alertname: 'APIError', severity: 'critical' }, clock.nowMs());
    expect(muted(api)).toBeDefined();
    clock.advance(10 * MIN);
    incidents.handleAlert(resolved(db, clock.nowMs()));
    expect(muted(api)).toBeUndefined();
    await incidents.close();
  });

  it('a flaky service is suppressed at most 3 times within its window', async () => {
    const { clock, incidents, muted, registry } = open('UTC', Date.UTC(2024, 5, 3, 9, 0));
    const labels = { alertname: 'LegacySyncFailing', severity: 'warning', service: 'legacy-integration' };
    const flaps: MuteCandidate[] = [];
    const decisions: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      const flap = firing(labels, clock.nowMs(), 'legacy');
      flaps.push(flap);
      decisions.push(muted(flap));
      if (i < 4) clock.advance(MIN);
    }
    expect(decisions.map((d) => d !== undefined)).toEqual([true, true, true, false, false]);
    expect(decisions[2]).toMatch(/^flaky-service rule "Known flaky service": occurrence 3 of at most 3 muted until/);
    // Asking again about the same occurrence gives the same answer.
    expect(muted(flaps[0]!)).toBeDefined();
    expect(muted(flaps[3]!)).toBeUndefined();
    // Still firing when the 5m window ends: it notifies.
    clock.advance(MIN - 1);
    expect(muted(flaps[0]!)).toBeDefined();
    clock.advance(1);
    expect(muted(flaps[0]!)).toBeUndefined();
    // The next occurrence opens a new window.
    expect(muted(firing(labels, clock.nowMs(), 'legacy'))).toBeDefined();
    // Critical alerts of the service are not the flaky ones.
    expect(muted(firing({ ...labels, severity: 'critical' }, clock.nowMs()))).toBeUndefined();

    const counted = await registry.getSingleMetricAsString('watchkeeper_suppression_decisions_total');
    expect(counted).toContain('{rule="Known flaky service",kind="flaky",decision="muted"} 4');
    expect(counted).toContain('{rule="Known flaky service",kind="flaky",decision="notified"} 3');
    const { rules, decisions: log } = incidents.suppressionStatus();
    expect(rules.map((r) => [r.name, r.kind, r.active])).toEqual([
      ['Maintenance window', 'maintenance', false],
      ['Known flaky service', 'flaky', true],
      ['Cascade prevention', 'cascade', false],
    ]);
    expect(log[0]).toMatchObject({ rule: 'Known flaky service', muted: true, labels });
    const notified = log.filter((d) => d.fingerprint === 'legacy' && !d.muted).map((d) => d.reason);
    expect(notified).toContainEqual(expect.stringMatching(/all 3 suppressions of the 5m window used — notifying$/));
    expect(notified).toContainEqual(expect.stringMatching(/still firing when the 5m window ended — notifying$/));
    await incidents.close();
  });

  // Regression: occurrences were counted only when a flush (or an API listing) asked about them,
  // so flaps that came and went between two flushes of their group did not count.
  it('counts the flaky occurrences the alert store reports, also those nobody asked about', async () => {
    const { clock, incidents, muted } = open('UTC', Date.UTC(2024, 5, 3, 9, 0));
    const labels = { alertname: 'LegacySyncFailing', severity: 'warning', service: 'legacy-integration' };
    for (let i = 0; i < 3; i++) {
      const flap = firing(labels, clock.nowMs(), 'legacy');
      incidents.handleAlert(flap);
      clock.advance(20_000);
      incidents.handleAlert(resolved(flap, clock.nowMs()));
      clock.advance(40_000);
    }
    const fourth = firing(labels, clock.nowMs(), 'legacy');
    incidents.handleAlert(fourth);
    expect(muted(fourth)).toBeUndefined();
    const [decision] = incidents.suppressionStatus().decisions;
    expect(decision?.muted).toBe(false);
    expect(decision?.reason).toMatch(/all 3 suppressions of the 5m window used — notifying$/);
    await incidents.close();
  });

  it('keeps flaky-service windows across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-incidents-'));
    dirs.push(dir);
    const start = Date.UTC(2024, 5, 3, 9, 0);
    const labels = { alertname: 'LegacySyncFailing', severity: 'warning', service: 'legacy-integration' };
    const first = open('UTC', start, dir);
    for (let i = 0; i < 3; i++) {
      expect(first.muted(firing(labels, first.clock.nowMs(), 'legacy'))).toBeDefined();
      first.clock.advance(MIN);
    }
    await first.incidents.close();
    const second = open('UTC', start + 3 * MIN, dir);
    expect(second.muted(firing(labels, second.clock.nowMs(), 'legacy'))).toBeUndefined();
    await second.incidents.close();
  });

  it('mutes escalation levels too: a level due inside the window is skipped', async () => {
    const { clock, rx, incidents } = open('UTC', Date.UTC(2024, 5, 3, 9, 0));
    incidents.handleAlert(firing({ alertname: 'DatabaseDown', severity: 'critical', team: 'platform' }, clock.nowMs()));
    incidents.handleAlert(firing({ alertname: 'APIError', severity: 'critical', team: 'platform' }, clock.nowMs()));
    expect(rx.sent.map((s) => s.alertnames)).toEqual([['DatabaseDown']]);
    const apiIncident = incidents.list().find((i) => i.groupLabels.alertname === 'APIError')!;
    expect(apiIncident.history.find((h) => h.kind === 'level_skipped')?.detail).toMatch(/cascade prevention/);
    await incidents.close();
  });
});
