import { describe, expect, it } from 'vitest';
import { MaintenanceWindowRule } from './maintenance-window.js';
import { TargetSelector } from './rule.js';

interface WindowCase {
  name: string;
  schedule: string;
  timezone: string;
  durationMs?: number;
  /** UTC instants and whether a warning is muted then. */
  at: [string, boolean][];
}

const H = 3_600_000;

const CASES: WindowCase[] = [
  {
    name: 'UTC: Sundays 02:00-03:59',
    schedule: '* 2-3 * * SUN',
    timezone: 'UTC',
    at: [
      ['2024-06-02T01:59:59.999Z', false],
      ['2024-06-02T02:00:00Z', true],
      ['2024-06-02T03:00:00Z', true],
      ['2024-06-02T03:59:59.999Z', true],
      ['2024-06-02T04:00:00Z', false],
      ['2024-06-03T02:30:00Z', false],
      ['2024-06-01T02:30:00Z', false],
    ],
  },
  {
    name: 'Europe/Oslo in summer time (UTC+2)',
    schedule: '* 2-3 * * SUN',
    timezone: 'Europe/Oslo',
    at: [
      ['2024-06-01T23:59:00Z', false],
      ['2024-06-02T00:00:00Z', true],
      ['2024-06-02T01:59:59Z', true],
      ['2024-06-02T02:00:00Z', false],
      ['2024-06-02T02:30:00Z', false],
    ],
  },
  {
    name: 'Europe/Oslo in winter time (UTC+1)',
    schedule: '* 2-3 * * SUN',
    timezone: 'Europe/Oslo',
    at: [
      ['2024-01-07T00:59:00Z', false],
      ['2024-01-07T01:00:00Z', true],
      ['2024-01-07T02:59:00Z', true],
      ['2024-01-07T03:00:00Z', false],
    ],
  },
  {
    // Clocks go from 02:00 to 03:00: local 02:xx does not exist, 03:00-03:59 CEST is 01:00-01:59 UTC.
    name: 'Europe/Oslo, the Sunday clocks go forward: one hour',
    schedule: '* 2-3 * * SUN',
    timezone: 'Europe/Oslo',
    at: [
      ['2024-03-31T00:59:00Z', false],
      ['2024-03-31T01:00:00Z', true],
      ['2024-03-31T01:59:00Z', true],
      ['2024-03-31T02:00:00Z', false],
    ],
  },
  {
    // Clocks go from 03:00 back to 02:00: 02:00-02:59 happens twice, then 03:00-03:59 CET.
    name: 'Europe/Oslo, the Sunday clocks go back: three hours',
    schedule: '* 2-3 * * SUN',
    timezone: 'Europe/Oslo',
    at: [
      ['2024-10-26T23:59:00Z', false],
      ['2024-10-27T00:00:00Z', true],
      ['2024-10-27T01:30:00Z', true],
      ['2024-10-27T02:59:00Z', true],
      ['2024-10-27T03:00:00Z', false],
    ],
  },
  {
    name: 'a match opens a window of duration: 0 2 * * SUN for 2h',
    schedule: '0 2 * * SUN',
    timezone: 'Europe/Oslo',
    durationMs: 2 * H,
    at: [
      ['2024-06-01T23:59:59Z', false],
      ['2024-06-02T00:00:00Z', true],
      ['2024-06-02T01:59:59.999Z', true],
      ['2024-06-02T02:00:00Z', false],
    ],
  },
  {
    name: 'overlapping windows of duration merge: every 30 minutes for 45 minutes',
    schedule: '*/30 2 * * SUN',
    timezone: 'UTC',
    durationMs: 0.75 * H,
    at: [
      ['2024-06-02T02:00:00Z', true],
      ['2024-06-02T02:44:00Z', true],
      ['2024-06-02T03:14:59Z', true],
      ['2024-06-02T03:15:00Z', false],
    ],
  },
  {
    name: 'a duration that is not whole minutes ends inside a minute',
    schedule: '0 2 * * SUN',
    timezone: 'UTC',
    durationMs: 90_000,
    at: [
      ['2024-06-02T02:01:29.999Z', true],
      ['2024-06-02T02:01:30Z', false],
    ],
  },
];

const warning = { fingerprint: 'w', labels: { alertname: 'SlowSearch', severity: 'warning' }, startsAtMs: 0 };
const critical = { fingerprint: 'c', labels: { alertname: 'PartsDown', severity: 'critical' }, startsAtMs: 0 };

describe('maintenance windows: the matching minutes are the muted minutes', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const rule = new MaintenanceWindowRule({
        name: 'Maintenance window',
        schedule: c.schedule,
        timezone: c.timezone,
        ...(c.durationMs !== undefined && { durationMs: c.durationMs }),
        targets: new TargetSelector(['non-critical'], []),
      });
      for (const [iso, muted] of c.at) {
        const ms = Date.parse(iso);
        expect(rule.decide(warning, ms)?.muted ?? false, `warning at ${iso}`).toBe(muted);
        expect(rule.decide(critical, ms), `critical at ${iso}`).toBeUndefined();
      }
    });
  }

  it('says in its reason where the window is, in its own time zone', () => {
    const rule = new MaintenanceWindowRule({
      name: 'Maintenance window',
      schedule: '* 2-3 * * SUN',
      timezone: 'Europe/Oslo',
      targets: new TargetSelector(['non-critical'], []),
    });
    expect(rule.decide(warning, Date.parse('2024-06-02T01:00:00Z'))?.reason).toBe(
      'maintenance window "Maintenance window" (schedule "* 2-3 * * SUN", ' +
        'since 2024-06-02 02:00 Europe/Oslo until 2024-06-02 04:00 Europe/Oslo)',
    );
    expect(rule.status(Date.parse('2024-06-03T12:00:00Z'))).toMatchObject({
      active: false,
      nextWindowStart: '2024-06-09T00:00:00.000Z',
    });
  });

  it('mutes no alert the suppress list does not name', () => {
    const rule = new MaintenanceWindowRule({
      name: 'db',
      schedule: '* * * * *',
      timezone: 'UTC',
      targets: new TargetSelector(['DiskFull'], []),
    });
    expect(rule.decide(warning, 0)).toBeUndefined();
    expect(rule.decide({ ...warning, labels: { alertname: 'DiskFull' } }, 0)?.muted).toBe(true);
  });
});
