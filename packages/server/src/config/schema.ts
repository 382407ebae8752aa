/**
 * The schema of `watchkeeper.yml`. Sections with an ecosystem format keep it verbatim
 * (`scrape_configs` as in prometheus.yml). Unknown keys are errors. Durations are Prometheus
 * duration strings; they are resolved to milliseconds here, at the boundary.
 */
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
