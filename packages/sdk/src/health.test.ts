import { describe, expect, it } from 'vitest';
import { TelemetryOptionsError } from './errors.js';
import { Readiness } from './health.js';

describe('readiness', () => {
  it('is ready without checks and when every check passes', async () => {
    const readiness = new Readiness(100);
    expect(await readiness.evaluate()).toEqual({ status: 'ready', failing: [], checks: {} });
    readiness.add('db', () => true);
    readiness.add('cache', async () => true);
    expect((await readiness.evaluate()).status).toBe('ready');
  });

  it('fails checks that return false, throw, reject or hang', async () => {
    const readiness = new Readiness(50);
    readiness.add('false', () => false);
    readiness.add('throws', () => {
      throw new Error('cannot reach 10.0.0.5');
    });
    readiness.add('rejects', () => Promise.reject(new Error('nope')));
    readiness.add('hangs', () => new Promise<boolean>(() => undefined));
    readiness.add('truthy', () => 1 as unknown as boolean);
    readiness.add('ok', () => true);
    const report = await readiness.evaluate();
    expect(report.status).toBe('not_ready');
    expect(report.failing).toEqual(['false', 'throws', 'rejects', 'hangs', 'truthy']);
    expect(report.checks).toEqual({
      false: { ok: false, error: 'returned false' },
      throws: { ok: false, error: 'cannot reach [ip]' },
      rejects: { ok: false, error: 'nope' },
      hangs: { ok: false, error: 'timeout' },
      truthy: { ok: false, error: 'returned false' },
      ok: { ok: true },
    });
  });

  it('reports shutting_down once marked', async () => {
    const readiness = new Readiness(50);
    readiness.add('db', () => true);
    readiness.markShuttingDown();
    expect((await readiness.evaluate()).status).toBe('shutting_down');
  });

  it('refuses bad and repeated names and non-functions at setup', () => {
    const readiness = new Readiness(50);
    readiness.add('db', () => true);
    expect(() => readiness.add('db', () => true)).toThrow(TelemetryOptionsError);
    expect(() => readiness.add('has space', () => true)).toThrow(/name/);
    expect(() => readiness.add('x', 'yes' as unknown as () => boolean)).toThrow(/function/);
  });
});
