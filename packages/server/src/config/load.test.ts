import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveConfig } from './load.js';

function expectProblems(raw: unknown, expected: RegExp[]): void {
  try {
    resolveConfig(raw, 'test.yml');
    expect.unreachable('the configuration should have been rejected');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const e of expected) expect(problems).toMatch(e);
  }
}

describe('configuration', () => {
  it('resolves defaults', () => {
    const c = resolveConfig({}, 'defaults', {}, '/srv');
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 9800 });
    expect(c.storage.path).toBe('/srv/data');
    expect(c.storage.retentionTimeMs).toBe(15 * 86_400_000);
    expect(c.storage.outOfOrderWindowMs).toBe(3_600_000);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('takes scrape defaults from global and keeps Prometheus field names', () => {
    const c = resolveConfig(
      {
        global: { scrape_interval: '30s', scrape_timeout: '20s' },
        scrape_configs: [
          { job_name: 'parts-api', static_configs: [{ targets: ['localhost:9101'], labels: { team: 'revenue' } }] },
          { job_name: 'sync', scrape_interval: '10s', metrics_path: '/internal/metrics', honor_labels: true },
        ],
      },
      'test.yml',
    );
    expect(c.scrapeConfigs[0]).toMatchObject({
      job_name: 'parts-api',
      scrapeIntervalMs: 30_000,
      scrapeTimeoutMs: 20_000,
      metrics_path: '/metrics',
    });
    expect(c.scrapeConfigs[1]).toMatchObject({ scrapeIntervalMs: 10_000, scrapeTimeoutMs: 10_000, honor_labels: true });
  });

  it('lets flags override the file', () => {
    const c = resolveConfig({ web: { listen_address: '0.0.0.0:1' } }, 'f', {
      listenAddress: '127.0.0.1:0',
      storagePath: '/tmp/x',
    });
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 0 });
    expect(c.storage.path).toBe('/tmp/x');
  });

  it('names the path of every problem', () => {
    expectProblems({ storage: { retention: { time: '15 days' } } }, [
      /At storage\.retention\.time: not a valid duration: "15 days"/,
    ]);
    expectProblems({ scrape_configs: [{ job_name: 'a' }, { job_name: 'a' }] }, [
      /At scrape_configs\.1\.job_name: duplicate job name "a"/,
    ]);
    expectProblems(
      { scrape_configs: [{ job_name: 'a', relabel_configs: [{ action: 'hashmod', target_label: 'x' }] }] },
      [/At scrape_configs\.0\.relabel_configs\.0\.modulus: relabel action hashmod requires a modulus/],
    );
    expectProblems({ scrape_configs: [{ job_name: 'a', relabel_configs: [{ regex: '(' }] }] }, [
      /relabel_configs\.0\.regex: invalid regular expression/,
    ]);
  });

  it('rejects unknown keys', () => {
    expectProblems({ storage: { paht: 'x' } }, [/At storage: unknown key\(s\) "paht"/]);
    expectProblems({ scrape_configs: [{ job_name: 'a', scrape_intervall: '1s' }] }, [
      /At scrape_configs\.0: unknown key\(s\) "scrape_intervall"/,
    ]);
  });

  it('rejects a timeout longer than the interval', () => {
    expectProblems({ scrape_configs: [{ job_name: 'a', scrape_interval: '5s', scrape_timeout: '10s' }] }, [
      /scrape timeout greater than scrape interval for job "a"/,
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-config-'));
    const file = join(dir, 'watchkeeper.yml');
    writeFileSync(file, 'storage:\n  path: [unclosed\n');
    expect(() => loadConfig(file)).toThrow(/invalid YAML:\n\s+line \d+, column \d+/);
    writeFileSync(
      file,
      'storage:\n  path: ./d\nscrape_configs:\n  - job_name: x\n    file_sd_configs: [{ files: [targets/*.json] }]\n',
    );
    const c = loadConfig(file);
    expect(c.storage.path).toBe(join(dir, 'd'));
    expect(c.scrapeConfigs[0]!.file_sd_configs[0]!.files[0]).toBe(join(dir, 'targets/*.json'));
  });

  it('resolves secret files against the configuration file folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-config-'));
    const file = join(dir, 'watchkeeper.yml');
    writeFileSync(
      file,
      'scrape_configs:\n' +
        '  - job_name: a\n    authorization: { credentials_file: secrets/token }\n' +
        '  - job_name: b\n    basic_auth: { username: u, password_file: /abs/pass }\n',
    );
    const c = loadConfig(file);
    expect(c.scrapeConfigs[0]!.authorization?.credentials_file).toBe(join(dir, 'secrets/token'));
    expect(c.scrapeConfigs[1]!.basic_auth?.password_file).toBe('/abs/pass');
  });
});

describe('auth', () => {
  it('is on by default with the documented session and rate limit defaults', () => {
    const c = resolveConfig({}, 'defaults', { adminToken: '' });
    expect(c.auth).toEqual({
      enabled: true,
      sessionTtlMs: 12 * 3_600_000,
      sessionIdleTimeoutMs: 3_600_000,
      cookieSecure: false,
      loginRateLimit: { maxFailures: 5, windowMs: 15 * 60_000 },
      auditRetentionMs: 90 * 86_400_000,
    });
  });

  it('reads the auth section and refuses unknown keys', () => {
    const c = resolveConfig(
      {
        auth: {
          enabled: false,
          session_ttl: '8h',
          session_idle_timeout: '20m',
          cookie_secure: true,
          login_rate_limit: { max_failures: 3, window: '5m' },
          audit_retention: '30d',
        },
      },
      'test.yml',
      { adminToken: '' },
    );
    expect(c.auth).toMatchObject({
      enabled: false,
      sessionTtlMs: 8 * 3_600_000,
      sessionIdleTimeoutMs: 20 * 60_000,
      cookieSecure: true,
      loginRateLimit: { maxFailures: 3, windowMs: 5 * 60_000 },
    });
    expectProblems({ auth: { admin_token: 'x' } }, [/auth: unknown key\(s\) "admin_token"/]);
    expectProblems({ auth: { session_ttl: 'soon' } }, [/auth\.session_ttl: not a valid duration/]);
  });

  it('takes the admin token from WATCHKEEPER_ADMIN_TOKEN or the override, and refuses a weak one without echoing it', () => {
    const saved = process.env['WATCHKEEPER_ADMIN_TOKEN'];
    try {
      process.env['WATCHKEEPER_ADMIN_TOKEN'] = 'from-the-environment-0123456789';
      expect(resolveConfig({}, 'env').auth.adminToken).toBe('from-the-environment-0123456789');
      expect(resolveConfig({}, 'env', { adminToken: 'from-the-override-0123456789' }).auth.adminToken).toBe(
        'from-the-override-0123456789',
      );
      expect(resolveConfig({}, 'env', { adminToken: '' }).auth.adminToken).toBeUndefined();
      process.env['WATCHKEEPER_ADMIN_TOKEN'] = 'short-secret';
      expect(() => resolveConfig({}, 'env')).toThrow(ConfigError);
      try {
        resolveConfig({}, 'env');
      } catch (err) {
        expect((err as Error).message).toMatch(/WATCHKEEPER_ADMIN_TOKEN: must be at least 16/);
        expect((err as Error).message).not.toContain('short-secret');
      }
      expect(() => resolveConfig({}, 'x', { adminToken: 'has a space in it, long enough' })).toThrow(ConfigError);
    } finally {
      if (saved === undefined) delete process.env['WATCHKEEPER_ADMIN_TOKEN'];
      else process.env['WATCHKEEPER_ADMIN_TOKEN'] = saved;
    }
  });
});
