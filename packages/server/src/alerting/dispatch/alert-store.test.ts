import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/clock.js';
import { AlertStore, type AlertChange } from './alert-store.js';

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const MIN = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

function setup(): { clock: ManualClock; store: AlertStore; changes: string[] } {
  const clock = new ManualClock(T0);
  const store = new AlertStore({ clock, resolveTimeoutMs: 5 * MIN, gcIntervalMs: 30 * MIN });
  const changes: string[] = [];
  store.subscribe((c: AlertChange) =>
    changes.push(`${(c.atMs - T0) / MIN}m ${c.cause} ${c.alert.labels['alertname']} ${c.wasFiring}->${c.isFiring}`),
  );
  return { clock, store, changes };
}

describe('AlertStore', () => {
  it('merges a re-sent alert: earliest start, latest content, end extended', () => {
    const { clock, store } = setup();
    store.send([{ labels: { alertname: 'A' }, annotations: { v: '1' }, startsAt: iso(T0 - 10 * MIN) }]);
    clock.advance(MIN);
    store.send([{ labels: { alertname: 'A' }, annotations: { v: '2' }, startsAt: iso(T0 - 5 * MIN) }]);
    expect(store.list()).toMatchObject([
      {
        startsAtMs: T0 - 10 * MIN,
        endsAtMs: T0 + 6 * MIN,
        annotations: { v: '2' },
        updatedAtMs: T0 + MIN,
        timeout: true,
      },
    ]);
  });

  it('a re-fire after resolution is a new activity (no merge)', () => {
    const { clock, store, changes } = setup();
    store.send([{ labels: { alertname: 'A' }, startsAt: iso(T0), endsAt: iso(T0 + MIN) }]);
    clock.advance(10 * MIN);
    store.send([{ labels: { alertname: 'A' }, startsAt: iso(T0 + 10 * MIN) }]);
    expect(store.list()[0]!.startsAtMs).toBe(T0 + 10 * MIN);
    expect(changes).toEqual(['0m put A false->true', '1m expired A true->false', '10m put A false->true']);
  });

  it('announces the passing of endsAt once, also when re-sent with the same end', () => {
    const { clock, store, changes } = setup();
    store.send([{ labels: { alertname: 'A' }, startsAt: iso(T0), endsAt: iso(T0 + 4 * MIN) }]);
    clock.advance(MIN);
    store.send([{ labels: { alertname: 'A' }, startsAt: iso(T0), endsAt: iso(T0 + 4 * MIN) }]);
    store.send([{ labels: { alertname: 'B' } }]);
    clock.advance(10 * MIN);
    expect(changes).toEqual([
      '0m put A false->true',
      '1m put A true->true',
      '1m put B false->true',
      '4m expired A true->false',
      '6m expired B true->false',
    ]);
  });

  it('a resolved put says so; resolved alerts are garbage-collected', () => {
    const { clock, store, changes } = setup();
    store.send([{ labels: { alertname: 'A' } }]);
    clock.advance(MIN);
    store.send([{ labels: { alertname: 'A' }, endsAt: iso(T0 + MIN) }]);
    clock.advance(29 * MIN);
    expect(store.size).toBe(0);
    expect(changes).toEqual(['0m put A false->true', '1m put A true->false', '30m deleted A false->false']);
  });

  it('replays stored alerts to a new subscriber; a throwing listener does not stop others', () => {
    const errors: unknown[] = [];
    const clock = new ManualClock(T0);
    const store = new AlertStore({ clock, onListenerError: (e) => errors.push(e) });
    store.send([{ labels: { alertname: 'A' } }]);
    store.subscribe(() => {
      throw new Error('bug');
    });
    const seen: string[] = [];
    store.subscribe((c) => seen.push(`${c.cause} ${c.alert.labels['alertname']}`), { replay: true });
    store.send([{ labels: { alertname: 'B' } }]);
    expect(seen).toEqual(['put A', 'put B']);
    expect(errors).toHaveLength(1);
  });

  it('reports invalid alerts and stores the valid ones', () => {
    const { store } = setup();
    const r = store.send([{ labels: {} }, { labels: { alertname: 'ok' } }, { labels: { 'a b': 'x' } }]);
    expect(r).toEqual({
      accepted: 1,
      errors: ['at least one label pair required', 'invalid label set: invalid name "a b"'],
    });
  });
});
