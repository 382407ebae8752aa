import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/clock.js';
import { openAlertingDb } from '../dispatch/state-db.js';
import { SilenceError, Silences, type SilenceInput, type SilenceMatcher } from './silences.js';
import { SqliteSilenceStore } from './sqlite-silence-store.js';

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const MIN = 60_000;
const H = 60 * MIN;

const eq = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: false, isEqual: true });
const re = (name: string, value: string, isEqual = true): SilenceMatcher => ({ name, value, isRegex: true, isEqual });
const input = (over: Partial<SilenceInput> = {}): SilenceInput => ({
  matchers: [eq('alertname', 'DiskFull')],
  startsAtMs: T0,
  endsAtMs: T0 + H,
  createdBy: 'ops',
  comment: 'disk swap',
  ...over,
});

function setup(): { clock: ManualClock; silences: Silences } {
  let n = 0;
  const clock = new ManualClock(T0);
  return { clock, silences: new Silences({ clock, newId: () => `id-${++n}` }) };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('silence states', () => {
  it('pending → active → expired by time; a start in the past becomes now', () => {
    const { clock, silences } = setup();
    const pending = silences.set(input({ startsAtMs: T0 + 10 * MIN, endsAtMs: T0 + 20 * MIN }));
    const past = silences.set(input({ startsAtMs: T0 - H }));
    expect(silences.get(past)!.startsAtMs).toBe(T0);
    expect(silences.state(silences.get(pending)!)).toBe('pending');
    clock.advance(10 * MIN);
    expect(silences.state(silences.get(pending)!)).toBe('active');
    clock.advance(10 * MIN);
    expect(silences.state(silences.get(pending)!)).toBe('expired');
    expect(silences.countByState()).toEqual({ active: 1, pending: 0, expired: 1 });
  });

  it('lists active (by end), pending (by end), expired (latest end first)', () => {
    const { clock, silences } = setup();
    const a2 = silences.set(input({ endsAtMs: T0 + 2 * H }));
    const a1 = silences.set(input({ endsAtMs: T0 + H }));
    const p = silences.set(input({ startsAtMs: T0 + 3 * H, endsAtMs: T0 + 4 * H }));
    const e1 = silences.set(input({ endsAtMs: T0 + MIN }));
    const e2 = silences.set(input({ endsAtMs: T0 + 2 * MIN }));
    clock.advance(3 * MIN);
    expect(silences.list().map((s) => s.id)).toEqual([a1, a2, p, e2, e1]);
  });
});

describe('validation (Alertmanager messages)', () => {
  const CASES: { name: string; in: Partial<SilenceInput>; error: string }[] = [
    { name: 'no matchers', in: { matchers: [] }, error: 'silence invalid: at least one matcher required' },
    {
      name: 'only matchers that match the empty string',
      in: { matchers: [eq('a', ''), re('b', '.*')] },
      error: 'silence invalid: at least one matcher must not match the empty string',
    },
    {
      name: 'bad regexp',
      in: { matchers: [re('a', '(')] },
      error:
        'silence invalid: invalid label matcher 0: invalid regular expression "(": error parsing regexp: missing closing ): `(`',
    },
    {
      name: 'bad label name',
      in: { matchers: [eq('alertname', 'x'), eq('a-b', 'x')] },
      error: 'silence invalid: invalid label matcher 1: invalid label name "a-b"',
    },
    {
      name: 'start after end',
      in: { startsAtMs: T0 + H, endsAtMs: T0 },
      error: 'Failed to create silence: start time must be before end time',
    },
    {
      name: 'end in the past',
      in: { startsAtMs: T0 - 2 * H, endsAtMs: T0 - H },
      error: "Failed to create silence: end time can't be in the past",
    },
    { name: 'unknown id', in: { id: 'nope' }, error: 'silence not found' },
  ];
  it.each(CASES)('$name', (c) => {
    const { silences } = setup();
    expect(() => silences.set(input(c.in))).toThrow(c.error);
  });

  it('an unknown id is WK_SILENCE_NOT_FOUND', () => {
    const { silences } = setup();
    try {
      silences.expire('nope');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SilenceError);
      expect((err as SilenceError).code).toBe('WK_SILENCE_NOT_FOUND');
    }
  });
});

describe('updates', () => {
  it('an active silence keeps its id when only its end and comment change', () => {
    const { clock, silences } = setup();
    const id = silences.set(input());
    clock.advance(MIN);
    expect(silences.set(input({ id, endsAtMs: T0 + 3 * H, comment: 'longer' }))).toBe(id);
    expect(silences.get(id)).toMatchObject({ endsAtMs: T0 + 3 * H, comment: 'longer', updatedAtMs: T0 + MIN });
  });

  it.each([
    ['changed matchers', { matchers: [eq('alertname', 'Other')] }],
    ['a changed start of an active silence', { startsAtMs: T0 + 5 * MIN }],
  ])('%s: the old one is expired and a new one created', (_, change) => {
    const { clock, silences } = setup();
    const id = silences.set(input());
    clock.advance(MIN);
    const id2 = silences.set(input({ id, ...change }));
    expect(id2).not.toBe(id);
    expect(silences.state(silences.get(id)!)).toBe('expired');
    expect(silences.get(id)!.endsAtMs).toBe(T0 + MIN);
  });

  it('a pending silence may move its start, not into the past', () => {
    const { clock, silences } = setup();
    const id = silences.set(input({ startsAtMs: T0 + H, endsAtMs: T0 + 2 * H }));
    expect(silences.set(input({ id, startsAtMs: T0 + 30 * MIN, endsAtMs: T0 + 2 * H }))).toBe(id);
    clock.advance(MIN);
    const id2 = silences.set(input({ id, startsAtMs: T0, endsAtMs: T0 + 2 * H }));
    expect(id2).not.toBe(id);
    // The replaced pending silence never starts.
    expect(silences.get(id)).toMatchObject({ startsAtMs: T0 + MIN, endsAtMs: T0 + MIN });
    expect(silences.get(id2)!.startsAtMs).toBe(T0 + MIN);
  });
});

describe('expire and mutes', () => {
  it('expiring ends an active silence now; it no longer mutes; expiring again is a no-op', () => {
    const { silences } = setup();
    const id = silences.set(input());
    expect(silences.mutedBy({ alertname: 'DiskFull' })).toEqual([id]);
    silences.expire(id);
    expect(silences.mutedBy({ alertname: 'DiskFull' })).toEqual([]);
    const after = silences.get(id)!;
    silences.expire(id);
    expect(silences.get(id)).toBe(after);
  });

  it('matches as Alertmanager: anchored regexps, negation, a missing label is ""; ids sorted', () => {
    const { silences } = setup();
    const a = silences.set(input({ matchers: [re('severity', 'crit.*')] }));
    const b = silences.set(
      input({ matchers: [eq('alertname', 'X'), { name: 'env', value: 'prod', isRegex: false, isEqual: false }] }),
    );
    const c = silences.set(input({ matchers: [re('alertname', 'X|Y'), re('team', 'a.*', false)] }));
    expect(silences.mutedBy({ alertname: 'X', severity: 'critical' })).toEqual([a, b, c].sort());
    expect(silences.mutedBy({ alertname: 'X', severity: 'xcritical', env: 'prod' })).toEqual([c]);
    expect(silences.mutedBy({ alertname: 'Y', team: 'alpha' })).toEqual([]);
  });

  it('drops expired silences after the retention (120 h)', () => {
    const { clock, silences } = setup();
    const id = silences.set(input({ endsAtMs: T0 + MIN }));
    clock.advance(120 * H);
    expect(silences.get(id)).toBeDefined();
    // The next collection (every 15 m) after end + retention drops it.
    clock.advance(15 * MIN);
    expect(silences.get(id)).toBeUndefined();
  });
});

describe('persistence (SQLite under the storage path)', () => {
  it('survives a reopen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-silences-'));
    dirs.push(dir);
    const file = join(dir, 'alerting.db');
    const clock = new ManualClock(T0);
    const db = openAlertingDb(file);
    const s1 = new Silences({ clock, store: new SqliteSilenceStore(db) });
    const kept = s1.set(input({ matchers: [eq('alertname', 'A'), re('x', 'a|b', false)] }));
    const gone = s1.set(input());
    s1.expire(gone);
    s1.close();
    db.close();
    const db2 = openAlertingDb(file);
    const s2 = new Silences({ clock, store: new SqliteSilenceStore(db2) });
    expect(s2.list()).toEqual(s1.list());
    expect(s2.state(s2.get(gone)!)).toBe('expired');
    expect(s2.mutedBy({ alertname: 'A', x: 'c' })).toEqual([kept]);
    s2.close();
    db2.close();
  });

  it('survives kill -9 right after set returns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-silences-kill-'));
    dirs.push(dir);
    const file = join(dir, 'alerting.db');
    const script = join(dir, 'child.ts');
    const src = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
    writeFileSync(
      script,
      `import { ManualClock } from ${JSON.stringify(src('../../lib/clock.ts'))};
import { openAlertingDb } from ${JSON.stringify(src('../dispatch/state-db.ts'))};
import { Silences } from ${JSON.stringify(src('./silences.ts'))};
import { SqliteSilenceStore } from ${JSON.stringify(src('./sqlite-silence-store.ts'))};
const s = new Silences({ clock: new ManualClock(${T0}), store: new SqliteSilenceStore(openAlertingDb(${JSON.stringify(file)})) });
const id = s.set({ matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }], startsAtMs: ${T0}, endsAtMs: ${T0 + H}, createdBy: 'x', comment: 'y' });
process.stdout.write(id);
process.kill(process.pid, 'SIGKILL');
`,
    );
    let id = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', script], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      const e = err as { signal?: string; stdout?: string };
      expect(e.signal).toBe('SIGKILL');
      id = e.stdout ?? '';
    }
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const db = openAlertingDb(file);
    const s = new Silences({ clock: new ManualClock(T0), store: new SqliteSilenceStore(db) });
    expect(s.mutedBy({ alertname: 'A' })).toEqual([id]);
    s.close();
    db.close();
  });
});
