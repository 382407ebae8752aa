import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveConfig } from '../config/index.js';
import { ManualClock } from '../lib/clock.js';
import { IncidentsConfigError } from './errors.js';
import { Incidents } from './incidents.js';

const PLAN_YAML = `
escalation:
  targets:
    oncall_revenue_primary: [pagerduty_revenue, sms_oncall]
    oncall_revenue_secondary: sms_revenue_secondary
    revenue_manager: email_revenue_manager
    cto: sms_cto
    ceo: email_ceo
  policies:
    revenue_critical:
      matchers: ['severity="critical"', 'team="revenue"']
      levels:
        - level: 1
          delay: 0m
          targets: ["oncall_revenue_primary"]
        - level: 2
          delay: 5m
          targets: ["oncall_revenue_secondary", "revenue_manager"]
        - level: 3
          delay: 15m
          targets: ["cto", "ceo"]
  pagerduty_webhook:
    secret_file: secrets/pagerduty-webhook
suppression_rules:
  - name: "Maintenance window"
    schedule: "* 2-3 * * SUN"  # Sunday 02:00-03:59
    timezone: Europe/Oslo
    suppress: ["non-critical"]
  - name: "Known flaky service"
    condition:
      service: "legacy-integration"
      severity: "warning"
    suppress_duration: 5m
    max_suppressions: 3
  - name: "Cascade prevention"
    condition:
      alert: "DatabaseDown"
    suppress: ["APIError", "SyncFailure"]
    duration: 30m
`;

function problemsOf(raw: unknown): string[] {
  try {
    resolveConfig(raw, 'test.yml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('escalation and suppression_rules in watchkeeper.yml', () => {
  it("reads the plan's shapes", () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-config-'));
    try {
      writeFileSync(join(dir, 'watchkeeper.yml'), PLAN_YAML);
      const c = loadConfig(join(dir, 'watchkeeper.yml'));
      expect(c.escalation.policies).toEqual([
        {
          name: 'revenue_critical',
          match: {},
          matchers: ['severity="critical"', 'team="revenue"'],
          groupBy: ['alertname'],
          repeat: 0,
          levels: [
            { level: 1, delayMs: 0, targets: ['oncall_revenue_primary'] },
            { level: 2, delayMs: 300_000, targets: ['oncall_revenue_secondary', 'revenue_manager'] },
            { level: 3, delayMs: 900_000, targets: ['cto', 'ceo'] },
          ],
        },
      ]);
      expect(c.escalation.targets.cto).toEqual(['sms_cto']);
      expect(c.escalation.acknowledge).toEqual({ linkTtlMs: 86_400_000 });
      expect(c.escalation.pagerdutyWebhook).toEqual({ secretFile: join(dir, 'secrets/pagerduty-webhook') });
      expect(c.suppressionRules).toEqual([
        {
          kind: 'maintenance',
          name: 'Maintenance window',
          schedule: '* 2-3 * * SUN',
          timezone: 'Europe/Oslo',
          suppress: ['non-critical'],
          matchers: [],
        },
        {
          kind: 'flaky',
          name: 'Known flaky service',
          condition: { service: 'legacy-integration', severity: 'warning' },
          matchers: [],
          suppressDurationMs: 300_000,
          maxSuppressions: 3,
        },
        {
          kind: 'cascade',
          name: 'Cascade prevention',
          condition: { alertname: 'DatabaseDown' },
          suppress: ['APIError', 'SyncFailure'],
          matchers: [],
          equal: [],
          durationMs: 1_800_000,
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const BAD: { name: string; raw: unknown; problem: string }[] = [
    {
      name: "the plan's literal 0 2-4 * * SUN mutes three single minutes",
      raw: { suppression_rules: [{ name: 'm', schedule: '0 2-4 * * SUN', suppress: ['non-critical'] }] },
      problem: 'At suppression_rules.0.schedule: "0 2-4 * * SUN" matches one minute per hour',
    },
    {
      name: 'an unknown time zone',
      raw: { suppression_rules: [{ name: 'm', schedule: '* 2 * * SUN', timezone: 'Europe/Osl', suppress: ['all'] }] },
      problem: 'At suppression_rules.0.timezone: unknown time zone "Europe/Osl"',
    },
    {
      name: 'a bad cron field',
      raw: { suppression_rules: [{ name: 'm', schedule: '* 2 * * FUNDAY', suppress: ['all'] }] },
      problem: 'At suppression_rules.0.schedule: invalid schedule "* 2 * * FUNDAY"',
    },
    {
      name: 'a schedule with seconds',
      raw: { suppression_rules: [{ name: 'm', schedule: '0 * 2 * * SUN', suppress: ['all'] }] },
      problem: 'At suppression_rules.0.schedule: a schedule has five fields',
    },
    {
      name: 'a random H',
      raw: { suppression_rules: [{ name: 'm', schedule: 'H 2 * * SUN', duration: '1h', suppress: ['all'] }] },
      problem: "At suppression_rules.0.schedule: 'H' (a random value) is not allowed",
    },
    {
      name: 'a flaky rule without max_suppressions',
      raw: { suppression_rules: [{ name: 'f', condition: { service: 'x' }, suppress_duration: '5m' }] },
      problem: 'At suppression_rules.0.max_suppressions: a flaky-service rule needs max_suppressions',
    },
    {
      name: 'a cascade rule without duration',
      raw: { suppression_rules: [{ name: 'c', condition: { alert: 'DatabaseDown' }, suppress: ['APIError'] }] },
      problem: 'At suppression_rules.0.duration: a cascade-prevention rule needs duration',
    },
    {
      name: 'a rule of no kind',
      raw: { suppression_rules: [{ name: 'x', suppress: ['APIError'] }] },
      problem: 'At suppression_rules.0: cannot tell the kind of rule',
    },
    {
      name: 'a key of another kind',
      raw: {
        suppression_rules: [{ name: 'm', schedule: '* 2 * * *', suppress: ['all'], max_suppressions: 2 }],
      },
      problem: 'At suppression_rules.0.max_suppressions: not used by a maintenance window rule',
    },
    {
      name: 'duplicate rule names',
      raw: {
        suppression_rules: [
          { name: 'a', schedule: '* 2 * * *', suppress: ['all'] },
          { name: 'a', schedule: '* 3 * * *', suppress: ['all'] },
        ],
      },
      problem: 'At suppression_rules.1.name: duplicate rule name "a"',
    },
    {
      name: 'levels out of order',
      raw: {
        escalation: {
          policies: {
            p: {
              levels: [
                { delay: '10m', targets: ['a'] },
                { delay: '5m', targets: ['b'] },
              ],
            },
          },
        },
      },
      problem: 'At escalation.policies.p.levels.1.delay: levels must be in order of their delays',
    },
    {
      name: 'repeat without repeat_interval',
      raw: { escalation: { policies: { p: { repeat: 2, levels: [{ targets: ['a'] }] } } } },
      problem: 'At escalation.policies.p.repeat_interval: repeat needs a repeat_interval',
    },
    {
      name: 'an unknown key',
      raw: { escalation: { policies: { p: { levels: [{ targets: ['a'], wait: '5m' }] } } } },
      problem: 'At escalation.policies.p.levels.0: unknown key(s) "wait"',
    },
    {
      name: 'a policy name with spaces',
      raw: { escalation: { policies: { 'revenue critical': { levels: [{ targets: ['a'] }] } } } },
      problem: 'At escalation.policies.revenue critical: not a valid name',
    },
  ];

  for (const c of BAD) {
    it(`rejects ${c.name}, with the path`, () => {
      expect(problemsOf(c.raw).join('\n')).toContain(c.problem);
    });
  }

  it('checks matchers and targets against alertmanager.yml when incidents/ is opened', () => {
    const config = resolveConfig(
      {
        escalation: {
          targets: { cto: ['sms_cto', 'sms_ceo'] },
          policies: {
            p: { matchers: ['severity=~"(critical"'], levels: [{ targets: ['cto', 'nobody'] }] },
          },
        },
        suppression_rules: [{ name: 'm', schedule: '* 2 * * *', suppress: ['all'], matchers: ['team=="x"'] }],
      },
      'test.yml',
    );
    let problems: readonly string[] = [];
    try {
      Incidents.open({
        escalation: config.escalation,
        suppressionRules: config.suppressionRules,
        dir: ':memory:',
        clock: new ManualClock(0),
        notifyReceiver: async () => ({ ok: true, integrations: [] }),
        externalUrl: 'http://127.0.0.1:9800',
        receiverNames: new Set(['sms_cto']),
      });
    } catch (err) {
      expect(err).toBeInstanceOf(IncidentsConfigError);
      problems = (err as IncidentsConfigError).problems;
    }
    expect(problems).toEqual([
      'At escalation.targets.cto.1: "sms_ceo" is not a receiver of alertmanager.yml',
      'At escalation.policies.p.levels.0.targets.1: "nobody" is neither in escalation.targets nor a receiver of alertmanager.yml',
      expect.stringMatching(/^At escalation\.policies\.p\.matchers\.0: /),
      expect.stringMatching(/^At suppression_rules\.0\.matchers\.0: /),
    ]);
  });
});
