import { describe, expect, it } from 'vitest';
import {
  GO_ZERO_TIME_MS,
  compareAlertLabels,
  formatApiTime,
  mergeAlerts,
  normalizePostableAlerts,
  overlaps,
  parseApiTime,
  type Alert,
  type PostableAlert,
} from './alert.js';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const MIN = 60_000;

function alert(over: Partial<Alert>): Alert {
  return {
    fingerprint: 'x',
    labels: { alertname: 'A' },
    annotations: {},
    startsAtMs: NOW,
    endsAtMs: NOW + 5 * MIN,
    generatorURL: '',
    updatedAtMs: NOW,
    timeout: false,
    ...over,
  };
}

describe('parseApiTime / formatApiTime', () => {
  it.each([
    ['2026-11-27T12:37:19.5802487Z', Date.UTC(2026, 10, 27, 12, 37, 19, 580)],
    ['2026-11-27T12:37:19Z', Date.UTC(2026, 10, 27, 12, 37, 19)],
    ['2026-11-27T14:37:19.001+02:00', Date.UTC(2026, 10, 27, 12, 37, 19, 1)],
    ['0001-01-01T00:00:00Z', GO_ZERO_TIME_MS],
  ])('%s', (text, ms) => expect(parseApiTime(text)).toBe(ms));

  it.each(['2026-11-27', 'yesterday', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z'])('rejects %s', (t) =>
    expect(parseApiTime(t)).toBeUndefined(),
  );

  it('formats as strfmt.DateTime (milliseconds, Z)', () => {
    expect(formatApiTime(Date.UTC(2026, 10, 27, 18, 24, 24, 37))).toBe('2026-11-27T18:24:24.037Z');
  });
});

describe('normalizePostableAlerts (POST /api/v2/alerts)', () => {
  interface Case {
    name: string;
    in: PostableAlert;
    want?: Partial<Alert>;
    error?: string;
  }
  const CASES: Case[] = [
    {
      name: 'no times: starts now, ends after resolve_timeout, marked timeout',
      in: { labels: { alertname: 'A' } },
      want: { startsAtMs: NOW, endsAtMs: NOW + 5 * MIN, timeout: true },
    },
    {
      name: 'only endsAt: starts at the end (a resolved alert)',
      in: { labels: { alertname: 'A' }, endsAt: '2026-11-27T11:00:00Z' },
      want: { startsAtMs: NOW - 60 * MIN, endsAtMs: NOW - 60 * MIN, timeout: false },
    },
    {
      name: 'zero times are unset',
      in: { labels: { alertname: 'A' }, startsAt: '0001-01-01T00:00:00Z', endsAt: '0001-01-01T00:00:00Z' },
      want: { startsAtMs: NOW, timeout: true },
    },
    {
      name: 'empty label values are dropped, labels sorted',
      in: { labels: { z: '1', a: '2', empty: '' } },
      want: { labels: { a: '2', z: '1' } },
    },
    { name: 'no labels', in: { labels: {} }, error: 'at least one label pair required' },
    { name: 'only empty labels', in: { labels: { a: '' } }, error: 'at least one label pair required' },
    { name: 'bad label name', in: { labels: { 'a b': 'x' } }, error: 'invalid label set: invalid name "a b"' },
    {
      name: 'bad annotation name',
      in: { labels: { a: 'x' }, annotations: { '1x': 'y' } },
      error: 'invalid annotations: invalid name "1x"',
    },
    {
      name: 'end before start',
      in: { labels: { a: 'x' }, startsAt: '2030-01-01T00:00:00Z', endsAt: '2029-01-01T00:00:00Z' },
      error: 'start time must be before end time',
    },
    {
      name: 'start beyond resolve_timeout without an end',
      in: { labels: { a: 'x' }, startsAt: '2030-01-01T00:00:00Z' },
      error: 'start time must be before end time',
    },
  ];
  it.each(CASES)('$name', (c) => {
    const { alerts, errors } = normalizePostableAlerts([c.in], NOW, 5 * MIN);
    if (c.error !== undefined) {
      expect(errors).toEqual([c.error]);
      expect(alerts).toEqual([]);
    } else {
      expect(errors).toEqual([]);
      expect(alerts[0]).toMatchObject(c.want!);
      expect(Object.keys(alerts[0]!.labels)).toEqual(Object.keys(c.want!.labels ?? alerts[0]!.labels));
    }
  });

  it("uses Alertmanager's fingerprint", () => {
    const { alerts } = normalizePostableAlerts(
      [{ labels: { alertname: 'DiskFull', cluster: 'c1', instance: 'i1', severity: 'warning' } }],
      NOW,
      MIN,
    );
    expect(alerts[0]!.fingerprint).toBe('03d232ea9cbe6150');
  });
});

describe('mergeAlerts (Alert.Merge)', () => {
  it('keeps the earliest start and the younger content', () => {
    const old = alert({ startsAtMs: NOW - 10 * MIN, updatedAtMs: NOW - MIN, annotations: { v: '1' } });
    const young = alert({ startsAtMs: NOW - 5 * MIN, annotations: { v: '2' } });
    expect(mergeAlerts(old, young, NOW)).toMatchObject({ startsAtMs: NOW - 10 * MIN, annotations: { v: '2' } });
    expect(mergeAlerts(young, old, NOW)).toMatchObject({ startsAtMs: NOW - 10 * MIN, annotations: { v: '2' } });
  });

  it('while firing, a later explicit end of the older alert wins over a timeout end', () => {
    const old = alert({ endsAtMs: NOW + 20 * MIN, updatedAtMs: NOW - MIN, timeout: false });
    const young = alert({ endsAtMs: NOW + 5 * MIN, timeout: true });
    expect(mergeAlerts(old, young, NOW).endsAtMs).toBe(NOW + 20 * MIN);
    // ... but not a timeout end of the older one.
    expect(mergeAlerts({ ...old, timeout: true }, young, NOW).endsAtMs).toBe(NOW + 5 * MIN);
  });

  it('when both are resolved, the latest end wins', () => {
    const old = alert({ endsAtMs: NOW - MIN, updatedAtMs: NOW - MIN });
    const young = alert({ endsAtMs: NOW - 2 * MIN });
    expect(mergeAlerts(old, young, NOW).endsAtMs).toBe(NOW - MIN);
  });

  it('merges only overlapping activity', () => {
    const old = alert({ startsAtMs: NOW - 10 * MIN, endsAtMs: NOW - 5 * MIN });
    expect(overlaps(old, alert({ startsAtMs: NOW, endsAtMs: NOW + MIN }))).toBe(false);
    expect(overlaps(old, alert({ startsAtMs: NOW - 7 * MIN, endsAtMs: NOW + MIN }))).toBe(true);
  });
});

describe('compareAlertLabels (AlertSlice order)', () => {
  it('orders by job, then instance (having the label first), then label set', () => {
    const sets: Record<string, string>[] = [
      { alertname: 'B' },
      { alertname: 'A', instance: 'i2' },
      { alertname: 'A', instance: 'i1' },
      { alertname: 'A', job: 'b' },
      { alertname: 'A', job: 'a', instance: 'z' },
      { a: '1', b: '2' },
      { alertname: 'A' },
    ];
    expect(sets.sort(compareAlertLabels)).toEqual([
      { alertname: 'A', job: 'a', instance: 'z' },
      { alertname: 'A', job: 'b' },
      { alertname: 'A', instance: 'i1' },
      { alertname: 'A', instance: 'i2' },
      { alertname: 'A' },
      { alertname: 'B' },
      { a: '1', b: '2' },
    ]);
  });
});
