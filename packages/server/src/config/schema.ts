/**
 * The schema of `watchkeeper.yml`. Sections with an ecosystem format keep it verbatim
 * (`scrape_configs` as in prometheus.yml). Unknown keys are errors. Durations are Prometheus
 * duration strings; they are resolved to milliseconds here, at the boundary.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { compileAnchoredRegex } from '../lib/matcher.js';
import { parseDurationMs, parseSizeBytes } from './duration.js';

const duration = z.string().transform((s, ctx) => {
  const ms = parseDurationMs(s);
  if (ms === undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a valid duration: "${s}" (use e.g. 15s, 5m, 1h30m)` });
    return z.NEVER;
  }
  return ms;
});

const size = z.union([z.number().int().nonnegative(), z.string()]).transform((s, ctx) => {
  if (typeof s === 'number') return s;
  const bytes = parseSizeBytes(s);
  if (bytes === undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a valid size: "${s}" (use e.g. 512MB, 10GB)` });
    return z.NEVER;
  }
  return bytes;
});

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'not a valid label name');
const labelMap = z.record(labelName, z.string());

const relabelAction = z.enum([
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
]);

export const relabelConfigSchema = z
  .object({
    source_labels: z.array(z.string()).optional(),
    separator: z.string().default(';'),
    regex: z.string().default('(.*)'),
    modulus: z.number().int().positive().optional(),
    target_label: z.string().optional(),
    replacement: z.string().default('$1'),
    action: relabelAction.default('replace'),
  })
  .strict()
  .superRefine((rc, ctx) => {
    const needsTarget = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'];
    if (needsTarget.includes(rc.action) && !rc.target_label) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['target_label'],
        message: `relabel action ${rc.action} requires a target_label`,
      });
    }
    if (rc.action === 'hashmod' && rc.modulus === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['modulus'],
        message: 'relabel action hashmod requires a modulus',
      });
    }
    try {
      compileAnchoredRegex(rc.regex);
    } catch (err) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['regex'],
        message: `invalid regular expression: ${(err as Error).message}`,
      });
    }
  });

const basicAuth = z
  .object({ username: z.string(), password: z.string().optional(), password_file: z.string().optional() })
  .strict();

const authorization = z
  .object({
    type: z.string().default('Bearer'),
    credentials: z.string().optional(),
    credentials_file: z.string().optional(),
  })
  .strict();

const tlsConfig = z
  .object({
    ca_file: z.string().optional(),
    cert_file: z.string().optional(),
    key_file: z.string().optional(),
    server_name: z.string().optional(),
    insecure_skip_verify: z.boolean().default(false),
  })
  .strict();

export const scrapeConfigSchema = z
  .object({
    job_name: z.string().min(1),
    scrape_interval: duration.optional(),
    scrape_timeout: duration.optional(),
    metrics_path: z.string().default('/metrics'),
    scheme: z.enum(['http', 'https']).default('http'),
    params: z.record(z.array(z.string())).default({}),
    honor_labels: z.boolean().default(false),
    honor_timestamps: z.boolean().default(true),
    basic_auth: basicAuth.optional(),
    authorization: authorization.optional(),
    bearer_token: z.string().optional(),
    bearer_token_file: z.string().optional(),
    tls_config: tlsConfig.optional(),
    sample_limit: z.number().int().nonnegative().default(0),
    label_limit: z.number().int().nonnegative().default(0),
    body_size_limit: size.optional(),
    static_configs: z
      .array(z.object({ targets: z.array(z.string()).default([]), labels: labelMap.default({}) }).strict())
      .default([]),
    file_sd_configs: z
      .array(z.object({ files: z.array(z.string()).min(1), refresh_interval: duration.default('5m') }).strict())
      .default([]),
    relabel_configs: z.array(relabelConfigSchema).default([]),
    metric_relabel_configs: z.array(relabelConfigSchema).default([]),
  })
  .strict();

// ---- Escalation and suppression (plan 7.2, 7.3; packages/server/src/incidents/README.md) ----

/** Names of policies, targets and rules end up in URLs, metrics and state keys: keep them plain. */
const incidentNameRe = /^[a-zA-Z_][a-zA-Z0-9_-]*$/;
const incidentName = z
  .string()
  .regex(incidentNameRe, 'not a valid name (letters, digits, _ and -, not starting with a digit)');

const escalationLevelSchema = z
  .object({
    /** The level's number as people say it ("level 2"); default: its position, from 1. */
    level: z.number().int().positive().optional(),
    /** From the start of the incident. */
    delay: duration.default('0s'),
    /** alertmanager.yml receiver names or names from `escalation.targets`. */
    targets: z.array(z.string().min(1)).min(1),
  })
  .strict();

const escalationPolicySchema = z
  .object({
    /** Label equality, as in the plan's routes (`severity: critical`). */
    match: labelMap.default({}),
    /** Alertmanager matcher syntax (`severity="critical"`, `team=~"revenue|billing"`); ANDed with `match`. */
    matchers: z.array(z.string()).default([]),
    /** The labels that make one incident of this policy; `['...']` is every label. */
    group_by: z.array(z.union([labelName, z.literal('...')])).default(['alertname']),
    /** Re-runs of all levels when nobody acknowledges (PagerDuty's num_loops). */
    repeat: z.number().int().min(0).max(10).default(0),
    /** From the start of one run of the levels to the start of the next; required with `repeat`. */
    repeat_interval: duration.optional(),
    levels: z.array(escalationLevelSchema).min(1),
  })
  .strict()
  .transform((p, ctx) => {
    const levels = p.levels.map((l, i) => ({ level: l.level ?? i + 1, delayMs: l.delay, targets: l.targets }));
    levels.forEach((l, i) => {
      const prev = levels[i - 1];
      if (prev && l.delayMs < prev.delayMs) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['levels', i, 'delay'],
          message: 'levels must be in order of their delays',
        });
      }
      if (prev && l.level <= prev.level) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['levels', i, 'level'],
          message: 'level numbers must increase',
        });
      }
    });
    const lastDelayMs = levels[levels.length - 1]?.delayMs ?? 0;
    if (p.repeat > 0 && p.repeat_interval === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['repeat_interval'],
        message: 'repeat needs a repeat_interval',
      });
    }
    if (p.repeat_interval !== undefined && p.repeat_interval <= lastDelayMs) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['repeat_interval'],
        message: "repeat_interval must be longer than the last level's delay",
      });
    }
    if (p.group_by.includes('...') && p.group_by.length > 1) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['group_by'],
        message: "'...' cannot be combined with label names",
      });
    }
    return {
      match: p.match,
      matchers: p.matchers,
      groupBy: p.group_by,
      repeat: p.repeat,
      ...(p.repeat_interval !== undefined && { repeatIntervalMs: p.repeat_interval }),
      levels,
    };
  });

export const escalationSchema = z
  .object({
    /** Named targets (plan 7.2: `cto`, `oncall_revenue_primary`) → alertmanager.yml receiver names. */
    targets: z
      .record(incidentName, z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]))
      .default({})
      .transform((t) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, typeof v === 'string' ? [v] : v]))),
    /** Checked in file order: an incident takes the first policy whose matchers all match. */
    policies: z.record(incidentName, escalationPolicySchema).default({}),
    acknowledge: z
      .object({
        /** Where people reach Watchkeeper (the acknowledgement links); default: the listen address. */
        external_url: z.string().url().optional(),
        /** How long an acknowledgement link works. */
        link_ttl: duration.default('24h'),
      })
      .strict()
      .default({}),
    /** PagerDuty webhook v3 (`incident.acknowledged`) at /api/wk/integrations/pagerduty/webhook. */
    pagerduty_webhook: z
      .object({ secret: z.string().min(1).optional(), secret_file: z.string().min(1).optional() })
      .strict()
      .refine((w) => w.secret === undefined || w.secret_file === undefined, 'at most one of secret and secret_file')
      .default({}),
    /** Resolved incidents are kept this long. */
    history_retention: duration.default('30d'),
    /** After a restart, a remembered firing alert that is not reported again within this time counts as resolved. */
    restart_grace: duration.default('5m'),
  })
  .strict()
  .transform((e) => ({
    targets: e.targets,
    policies: Object.entries(e.policies).map(([name, p]) => ({ name, ...p })),
    acknowledge: {
      ...(e.acknowledge.external_url !== undefined && { externalUrl: e.acknowledge.external_url }),
      linkTtlMs: e.acknowledge.link_ttl,
    },
    pagerdutyWebhook: {
      ...(e.pagerduty_webhook.secret !== undefined && { secret: e.pagerduty_webhook.secret }),
      ...(e.pagerduty_webhook.secret_file !== undefined && { secretFile: e.pagerduty_webhook.secret_file }),
    },
    historyRetentionMs: e.history_retention,
    restartGraceMs: e.restart_grace,
  }));

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a maintenance schedule: five cron fields (or an `@` macro), no `H` (random per parse),
 * valid in cron-parser. Returns the number of minutes per hour it matches, or a problem.
 */
function checkSchedule(expr: string, tz: string): { minutesPerHour: number } | { problem: string } {
  const trimmed = expr.trim();
  if (!trimmed.startsWith('@') && trimmed.split(/\s+/).length !== 5) {
    return { problem: 'a schedule has five fields: minute hour day-of-month month day-of-week' };
  }
  if (/(^|[\s,])H(?=$|[\s,(/#])/i.test(trimmed)) {
    return { problem: "'H' (a random value) is not allowed in a maintenance schedule" };
  }
  try {
    const parsed = CronExpressionParser.parse(trimmed, { tz });
    return { minutesPerHour: parsed.fields.minute.values.length };
  } catch (err) {
    return { problem: `invalid schedule "${expr}": ${(err as Error).message}` };
  }
}

const suppressionRuleSchema = z
  .object({
    /** Shown in reasons and the API, a label of the self-metrics (the plan's "Maintenance window"). */
    name: z.string().min(1).max(200),
    /** Maintenance window: cron, five fields; the minutes it matches are muted (with `duration`: windows from each match). */
    schedule: z.string().optional(),
    /** IANA time zone of `schedule`. @default UTC */
    timezone: z.string().optional(),
    /** Maintenance: length of the window from each match. Cascade: how long from the source alert's start. */
    duration: duration.optional(),
    /** What is muted: alert names, `non-critical` (severity other than critical) or `all`. */
    suppress: z.array(z.string().min(1)).min(1).optional(),
    /** Label equality (`alert` stands for `alertname`): the cascade's source, the flaky alerts. */
    condition: z.record(z.string(), z.string()).optional(),
    /** Alertmanager matchers that narrow the muted alerts (flaky: ANDed with `condition`). */
    matchers: z.array(z.string()).default([]),
    /** Cascade: labels the source and the muted alert must share. */
    equal: z.array(labelName).default([]),
    /** Flaky: how long the window opened by the first occurrence lasts. */
    suppress_duration: duration.optional(),
    /** Flaky: occurrences muted per window; later ones notify. */
    max_suppressions: z.number().int().nonnegative().optional(),
    /** Flaky: the labels that make one flaky thing; default: the whole alert. */
    group_by: z.array(labelName).optional(),
  })
  .strict()
  .transform((r, ctx) => {
    const problem = (path: string, message: string): void => {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    };
    const forbid = (kind: string, keys: (keyof typeof r)[]): void => {
      for (const k of keys) {
        const v = r[k];
        if (v !== undefined && !(Array.isArray(v) && v.length === 0)) problem(k, `not used by a ${kind} rule`);
      }
    };
    const condition = Object.fromEntries(
      Object.entries(r.condition ?? {}).map(([k, v]) => [k === 'alert' ? 'alertname' : k, v]),
    );
    for (const k of Object.keys(condition)) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) problem('condition', `not a valid label name: "${k}"`);
    }
    if (r.schedule !== undefined) {
      forbid('maintenance window', ['condition', 'equal', 'suppress_duration', 'max_suppressions', 'group_by']);
      const timezone = r.timezone ?? 'UTC';
      if (!isTimeZone(timezone))
        problem('timezone', `unknown time zone "${timezone}" (use an IANA name such as Europe/Oslo)`);
      else {
        const checked = checkSchedule(r.schedule, timezone);
        if ('problem' in checked) problem('schedule', checked.problem);
        else if (checked.minutesPerHour === 1 && r.duration === undefined) {
          problem(
            'schedule',
            `"${r.schedule}" matches one minute per hour, and only the matching minutes are muted: ` +
              'use * in the minute field for whole hours ("* 2-3 * * SUN" is 02:00-03:59) or add a duration',
          );
        }
      }
      if (r.suppress === undefined) problem('suppress', 'a maintenance window needs suppress');
      if (r.duration !== undefined && r.duration <= 0) problem('duration', 'must be positive');
      return {
        kind: 'maintenance' as const,
        name: r.name,
        schedule: r.schedule.trim(),
        timezone,
        ...(r.duration !== undefined && { durationMs: r.duration }),
        suppress: r.suppress ?? [],
        matchers: r.matchers,
      };
    }
    if (r.suppress_duration !== undefined || r.max_suppressions !== undefined) {
      forbid('flaky-service', ['suppress', 'duration', 'timezone', 'equal']);
      if (r.suppress_duration === undefined)
        problem('suppress_duration', 'a flaky-service rule needs suppress_duration');
      if (r.max_suppressions === undefined) problem('max_suppressions', 'a flaky-service rule needs max_suppressions');
      if (r.condition === undefined && r.matchers.length === 0) {
        problem('condition', 'a flaky-service rule needs a condition (or matchers) naming the flaky alerts');
      }
      return {
        kind: 'flaky' as const,
        name: r.name,
        condition,
        matchers: r.matchers,
        suppressDurationMs: r.suppress_duration ?? 0,
        maxSuppressions: r.max_suppressions ?? 0,
        ...(r.group_by !== undefined && { groupBy: r.group_by }),
      };
    }
    if (r.condition !== undefined) {
      forbid('cascade-prevention', ['timezone', 'group_by']);
      if (r.suppress === undefined) problem('suppress', 'a cascade-prevention rule needs suppress');
      if (r.duration === undefined) problem('duration', 'a cascade-prevention rule needs duration');
      return {
        kind: 'cascade' as const,
        name: r.name,
        condition,
        suppress: r.suppress ?? [],
        matchers: r.matchers,
        equal: r.equal,
        durationMs: r.duration ?? 0,
      };
    }
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message:
        'cannot tell the kind of rule: a maintenance window has schedule, a flaky-service rule ' +
        'suppress_duration and max_suppressions, cascade prevention condition, suppress and duration',
    });
    return z.NEVER;
  });

export const suppressionRulesSchema = z
  .array(suppressionRuleSchema)
  .default([])
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      if (seen.has(r.name)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'name'], message: `duplicate rule name "${r.name}"` });
      }
      seen.add(r.name);
    });
  });

export type EscalationConfig = z.output<typeof escalationSchema>;
export type EscalationPolicyConfig = EscalationConfig['policies'][number];
export type SuppressionRuleConfig = z.output<typeof suppressionRulesSchema>[number];

/** One entry of `alerting.alertmanagers`, as prometheus.yml has it (static targets; API v2). */
export const alertmanagerTargetSchema = z
  .object({
    static_configs: z
      .array(z.object({ targets: z.array(z.string()).default([]), labels: labelMap.default({}) }).strict())
      .default([]),
    scheme: z.enum(['http', 'https']).default('http'),
    path_prefix: z.string().default('/'),
    timeout: duration.default('10s'),
    api_version: z.literal('v2').default('v2'),
    basic_auth: basicAuth.optional(),
    authorization: authorization.optional(),
    tls_config: tlsConfig.optional(),
  })
  .strict();

/** The `alerting` section: where rule alerts are sent (rules/), and Watchkeeper's own Alertmanager (alerting/). */
export const alertingSchema = z
  .object({
    alertmanagers: z.array(alertmanagerTargetSchema).default([]),
    /**
     * alertmanager.yml (Alertmanager 0.25's format, relative to this file) for Watchkeeper's own
     * routing, silences, inhibition and notifications. Without it alerts are kept and shown in
     * `/api/v2` but notify nobody.
     */
    alertmanager_config: z.string().min(1).optional(),
    /** Where people reach Watchkeeper: links in notifications. @default http://<web.listen_address> */
    external_url: z.string().url().optional(),
    /**
     * Watchkeeper's extension: an alert notified as firing, then muted (silence, inhibition, mute
     * time interval, maintenance or suppression), still gets its resolved notice. On by default;
     * `routes` overrides it for route nodes (by path `0.2` or key `{}/{severity="info"}`) and
     * their children.
     */
    resolved_after_mute: z
      .object({
        enabled: z.boolean().default(true),
        routes: z.array(z.object({ route: z.string().min(1), enabled: z.boolean() }).strict()).default([]),
      })
      .strict()
      .default({}),
  })
  .strict();

/**
 * The `auth` section: access control (issue 6; packages/server/src/access/README.md). Users,
 * sessions and API tokens live in `<storage.path>/access.db`; the admin token for automation comes
 * from the environment of `serve` (WATCHKEEPER_ADMIN_TOKEN), never from this file.
 */
export const authSchema = z
  .object({
    /**
     * Off: every request is treated as an admin and no login exists. Only for tests and trusted
     * networks; restricted series are then visible to everyone.
     */
    enabled: z.boolean().default(true),
    /** A session ends this long after login, whatever the activity. */
    session_ttl: duration.default('12h'),
    /** A session ends after this long without a request. */
    session_idle_timeout: duration.default('1h'),
    /** Mark the cookies Secure also on plain HTTP requests (behind a TLS-terminating proxy). HTTPS requests always get it. */
    cookie_secure: z.boolean().default(false),
    /** Failed logins per user name and per client address within `window`; then 429 until the window passes. */
    login_rate_limit: z
      .object({
        max_failures: z.number().int().positive().default(5),
        window: duration.default('15m'),
      })
      .strict()
      .default({}),
    /** Audit log entries are deleted after this long. */
    audit_retention: duration.default('90d'),
  })
  .strict()
  .transform((a) => ({
    enabled: a.enabled,
    sessionTtlMs: a.session_ttl,
    sessionIdleTimeoutMs: a.session_idle_timeout,
    cookieSecure: a.cookie_secure,
    loginRateLimit: { maxFailures: a.login_rate_limit.max_failures, windowMs: a.login_rate_limit.window },
    auditRetentionMs: a.audit_retention,
  }));

export type AuthConfig = z.output<typeof authSchema>;

export const configSchema = z
  .object({
    global: z
      .object({
        scrape_interval: duration.default('15s'),
        scrape_timeout: duration.default('10s'),
        evaluation_interval: duration.default('15s'),
        external_labels: labelMap.default({}),
      })
      .strict()
      .default({}),
    web: z
      .object({
        listen_address: z.string().default('127.0.0.1:9800'),
        max_request_body: size.default('32MB'),
        /** Prometheus's --web.enable-admin-api: series deletion. */
        enable_admin_api: z.boolean().default(false),
      })
      .strict()
      .default({}),
    storage: z
      .object({
        path: z.string().default('./data'),
        retention: z
          .object({ time: duration.default('15d'), size: size.default(0) })
          .strict()
          .default({}),
        out_of_order_window: duration.default('1h'),
      })
      .strict()
      .default({}),
    scrape_configs: z.array(scrapeConfigSchema).default([]),
    /** Rule files in Prometheus's format (globs, relative to this file): rules/. */
    rule_files: z.array(z.string()).default([]),
    /** Dashboard files (dashboards/): the `*.yml` of `path`, relative to this file; default `dashboards` beside it. */
    dashboards: z
      .object({ path: z.string().min(1).optional() })
      .strict()
      .optional(),
    alerting: alertingSchema.default({}),
    /** Escalation policies (plan 7.2): incidents/. */
    escalation: escalationSchema.default({}),
    /** Maintenance windows, flaky services, cascade prevention (plan 7.3): incidents/. */
    suppression_rules: suppressionRulesSchema,
    /** Users, sessions, API tokens, login rate limit, audit retention: access/. */
    auth: authSchema.default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.scrape_configs.forEach((sc, i) => {
      if (seen.has(sc.job_name)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['scrape_configs', i, 'job_name'],
          message: `duplicate job name "${sc.job_name}"`,
        });
      }
      seen.add(sc.job_name);
    });
  });

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type ScrapeConfig = z.output<typeof scrapeConfigSchema>;
export type RelabelConfig = z.output<typeof relabelConfigSchema>;
export type AlertmanagerTargetConfig = z.output<typeof alertmanagerTargetSchema>;
