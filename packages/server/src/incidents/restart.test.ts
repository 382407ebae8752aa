import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/clock.js';
import { ACK_LINK_KEY_FILE } from './ack-links.js';
import { Incidents } from './incidents.js';
import { CapturingReceivers, firing, planConfig } from './test-support.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 5, 3, 10, 0);
const PARTS_DOWN = { alertname: 'PartsOrderingSystemDown', severity: 'critical', team: 'revenue' };

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wk-incidents-'));
  dirs.push(dir);
  return dir;
}

/** A server run: the same folder, a clock starting at `startMs`. */
function run(dir: string, startMs: number) {
  const clock = new ManualClock(startMs);
  const rx = new CapturingReceivers(() => clock.nowMs());
  const config = planConfig();
  const incidents = Incidents.open({
    escalation: config.escalation,
    suppressionRules: config.suppressionRules,
    dir,
    clock,
    notifyReceiver: rx.notify,
    externalUrl: 'http://127.0.0.1:9800',
  });
  incidents.start();
  return { clock, rx, incidents };
}

describe('incident state across restarts', () => {
  it('keeps open incidents, runs levels that fell due while down and re-arms the rest', async () => {
    const dir = tempDir();
    const alert = firing(PARTS_DOWN, T0, 'parts');
    const first = run(dir, T0);
    first.incidents.handleAlert(alert);
    first.clock.advance(2 * MIN);
    await first.incidents.close();

    // Down from 10:02 to 10:07: level 2 (due 10:05) runs at start, level 3 at 10:15 as planned.
    const second = run(dir, T0 + 7 * MIN);
    expect(second.rx.firingAt(2)).toEqual(['email_revenue_manager', 'sms_revenue_secondary']);
    const [incident] = second.incidents.list({ state: 'open' });
    expect(incident).toMatchObject({ state: 'triggered', level: 2, startsAt: new Date(T0).toISOString() });
    expect(incident!.history.at(-1)).toMatchObject({ kind: 'escalated', level: 2 });
    expect(incident!.history.at(-1)?.detail).toMatch(/late by 120s/);
    second.incidents.handleAlert(alert);
    second.clock.advance(8 * MIN - 1);
    expect(second.rx.firingAt(3)).toEqual([]);
    second.clock.advance(1);
    expect(second.rx.firingAt(3)).toEqual(['email_ceo', 'sms_cto']);
    await second.incidents.close();
  });

  it('keeps acknowledgements, and links sent before the restart still work', async () => {
    const dir = tempDir();
    const first = run(dir, T0);
    first.incidents.handleAlert(firing(PARTS_DOWN, T0, 'parts'));
    first.incidents.handleAlert(firing({ ...PARTS_DOWN, alertname: 'PaymentProcessingDown' }, T0, 'pay'));
    const [payments, parts] = first.incidents.list();
    first.incidents.acknowledge(parts!.id, 'kari');
    const link = first.rx.sent.find((s) => s.alertnames[0] === 'PaymentProcessingDown')!.acknowledgeURL!;
    await first.incidents.close();
    expect(statSync(join(dir, ACK_LINK_KEY_FILE)).mode & 0o777).toBe(0o600);

    const second = run(dir, T0 + MIN);
    second.incidents.handleAlert(firing(PARTS_DOWN, T0, 'parts'));
    second.incidents.handleAlert(firing({ ...PARTS_DOWN, alertname: 'PaymentProcessingDown' }, T0, 'pay'));
    expect(second.incidents.get(parts!.id)).toMatchObject({ state: 'acknowledged', acknowledged: { by: 'kari' } });
    const outcome = second.incidents.acknowledgeByLink(link.slice(link.lastIndexOf('/') + 1));
    expect(outcome).toMatchObject({ ok: true, incident: { id: payments!.id, state: 'acknowledged' } });
    second.clock.advance(60 * MIN);
    await second.incidents.flush();
    // No level ran again; PagerDuty (remembered from before the restart) heard the acknowledgement.
    expect(second.rx.sent.map((s) => [s.receiver, s.acknowledged])).toEqual([['pagerduty_revenue', true]]);
    await second.incidents.close();
  });

  it('resolves remembered alerts that are not reported again within the grace period', async () => {
    const dir = tempDir();
    const first = run(dir, T0);
    first.incidents.handleAlert(firing(PARTS_DOWN, T0, 'parts'));
    await first.incidents.close();

    const second = run(dir, T0 + 2 * MIN);
    second.clock.advance(5 * MIN);
    expect(second.incidents.list({ state: 'open' })).toEqual([]);
    const [incident] = second.incidents.list();
    expect(incident).toMatchObject({ state: 'resolved' });
    expect(incident!.history.find((h) => h.kind === 'alert_resolved')?.detail).toBe(
      'not reported again after the restart',
    );
    // Level 2 (due at 10:05) ran before the alert was given up on; both levels hear the resolution.
    expect(second.rx.resolvedTo()).toEqual([
      'email_revenue_manager',
      'pagerduty_revenue',
      'sms_oncall',
      'sms_revenue_secondary',
    ]);
    await second.incidents.close();
  });

  it('does not open a second incident for the same key after a restart', async () => {
    const dir = tempDir();
    const first = run(dir, T0);
    first.incidents.handleAlert(firing(PARTS_DOWN, T0, 'parts'));
    await first.incidents.close();
    const second = run(dir, T0 + MIN);
    second.incidents.handleAlert(firing({ ...PARTS_DOWN, instance: 'b' }, T0 + MIN, 'parts-b'));
    expect(second.incidents.list()).toHaveLength(1);
    expect(second.incidents.list()[0]!.alerts.map((a) => a.fingerprint)).toEqual(['parts', 'parts-b']);
    await second.incidents.close();
  });
});
