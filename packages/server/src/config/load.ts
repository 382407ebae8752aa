/**
 * Loading `watchkeeper.yml` into a frozen, resolved configuration. The only reader of the config
 * file and of process.env; command-line flags override the file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { ZodError } from 'zod';
import {
  type AuthConfig,
  configSchema,
  type EscalationConfig,
  type ParsedConfig,
  type AlertmanagerTargetConfig,
  type ScrapeConfig,
  type SuppressionRuleConfig,
} from './schema.js';

/** A configuration problem, with the path in the file (`scrape_configs.0.job_name`) or the YAML position. */
export class ConfigError extends Error {
  readonly code = 'WK_CONFIG_INVALID';
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface ResolvedScrapeConfig extends Omit<ScrapeConfig, 'scrape_interval' | 'scrape_timeout'> {
  scrapeIntervalMs: number;
  scrapeTimeoutMs: number;
}

export interface ResolvedConfig {
  /** The file the configuration came from, if any; relative paths in it are resolved against its folder. */
  file?: string;
  listen: { host: string; port: number };
  maxRequestBodyBytes: number;
  enableAdminApi: boolean;
  storage: { path: string; retentionTimeMs: number; retentionSizeBytes: number; outOfOrderWindowMs: number };
  global: {
    scrapeIntervalMs: number;
    scrapeTimeoutMs: number;
    evaluationIntervalMs: number;
    externalLabels: Record<string, string>;
  };
  scrapeConfigs: ResolvedScrapeConfig[];
  /** Escalation policies, targets, acknowledgement (incidents/); durations in ms. */
  escalation: EscalationConfig;
  /** Suppression rules in file order (incidents/). */
  suppressionRules: SuppressionRuleConfig[];
  /** `rule_files` patterns, resolved against the file's folder (expanded by rules/). */
  ruleFiles: string[];
  /**
   * The dashboards folder (dashboards/), absolute. `explicit`: `dashboards.path` was written, so a
   * missing folder is an error; otherwise it is `dashboards` beside the file and may be absent.
   */
  dashboards: { path: string; explicit: boolean };
  /** `alerting.alertmanagers`: external Alertmanagers rule alerts are posted to. */
  alertmanagers: ResolvedAlertmanagerTarget[];
  /** Watchkeeper's own Alertmanager (`alerting.alertmanager_config`, `external_url`, `resolved_after_mute`). */
  alertmanager: {
    /** alertmanager.yml, absolute; undefined: alerts notify nobody. */
    configFile?: string;
    externalURL?: string;
    resolvedAfterMute: { enabled: boolean; routes: { route: string; enabled: boolean }[] };
  };
  /** Access control (access/, http/auth.ts); durations in ms. */
  auth: ResolvedAuthConfig;
}

/** The `auth` section, plus the admin token from the environment. */
export interface ResolvedAuthConfig extends AuthConfig {
  /**
   * WATCHKEEPER_ADMIN_TOKEN (or `ConfigOverrides.adminToken`): a bearer token accepted as an admin
   * by every endpoint, for automation. A secret: never logged or shown by any API.
   */
  adminToken?: string;
}

export interface ResolvedAlertmanagerTarget extends Omit<AlertmanagerTargetConfig, 'timeout'> {
  timeoutMs: number;
}

/** Flags that override the file (`serve --web.listen-address ... --storage.path ...`). */
export interface ConfigOverrides {
  listenAddress?: string;
  storagePath?: string;
  /**
   * The admin token; when undefined, WATCHKEEPER_ADMIN_TOKEN from the environment (what `serve`
   * uses); `''` for none. Tests that start a server in process pass theirs here.
   */
  adminToken?: string;
}

/** The environment variable that gives `serve` an admin token. */
export const ADMIN_TOKEN_ENV = 'WATCHKEEPER_ADMIN_TOKEN';
/** Shorter admin tokens are refused: the token is as strong as a password nobody types. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

function resolveAdminToken(overrides: ConfigOverrides): string | undefined {
  const fromEnv = overrides.adminToken === undefined;
  const token = overrides.adminToken ?? process.env[ADMIN_TOKEN_ENV];
  if (token === undefined || token === '') return undefined;
  const source = fromEnv ? ADMIN_TOKEN_ENV : 'the admin token';
  // The message never contains the token itself.
  if (token.length < MIN_ADMIN_TOKEN_LENGTH || !/^[!-~]+$/.test(token)) {
    throw new ConfigError(
      `${source}: must be at least ${MIN_ADMIN_TOKEN_LENGTH} printable ASCII characters without spaces ` +
        `(e.g. openssl rand -hex 32)`,
      [`At ${source}: too short, or not printable ASCII`],
    );
  }
  return token;
}

function formatZodError(err: ZodError, source: string): ConfigError {
  const problems = err.issues.map((i) => {
    const path = i.path.length ? i.path.join('.') : '(top level)';
    const msg = i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.map((k) => `"${k}"`).join(', ')}` : i.message;
    return `At ${path}: ${msg}`;
  });
  return new ConfigError(`${source}: invalid configuration:\n  ${problems.join('\n  ')}`, problems);
}

export function parseListenAddress(address: string, source = 'web.listen_address'): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const host = i > 0 ? address.slice(0, i).replace(/^\[|\]$/g, '') : '127.0.0.1';
  const portText = address.slice(i + 1);
  const port = Number(portText);
  if (portText === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${source}: "${address}" is not HOST:PORT with a port between 0 and 65535`, [
      `At ${source}: not HOST:PORT`,
    ]);
  }
  return { host, port };
}

/** Validates and resolves a configuration object (already read from YAML). */
export function resolveConfig(
  raw: unknown,
  source: string,
  overrides: ConfigOverrides = {},
  baseDir = process.cwd(),
): ResolvedConfig {
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) throw formatZodError(parsed.error, source);
  const c: ParsedConfig = parsed.data;
  const scrapeConfigs = c.scrape_configs.map((sc, i): ResolvedScrapeConfig => {
    const { scrape_interval, scrape_timeout, ...rest } = sc;
    const scrapeIntervalMs = scrape_interval ?? c.global.scrape_interval;
    const scrapeTimeoutMs = scrape_timeout ?? Math.min(c.global.scrape_timeout, scrapeIntervalMs);
    if (scrapeTimeoutMs > scrapeIntervalMs) {
      throw new ConfigError(`${source}: invalid configuration`, [
        `At scrape_configs.${i}.scrape_timeout: scrape timeout greater than scrape interval for job "${sc.job_name}"`,
      ]);
    }
    return {
      ...rest,
      scrapeIntervalMs,
      scrapeTimeoutMs,
      file_sd_configs: rest.file_sd_configs.map((f) => ({ ...f, files: f.files.map((p) => resolve(baseDir, p)) })),
      // Secret files, like every other path of the file, resolve against the file's folder.
      ...(rest.basic_auth?.password_file !== undefined && {
        basic_auth: { ...rest.basic_auth, password_file: resolve(baseDir, rest.basic_auth.password_file) },
      }),
      ...(rest.authorization?.credentials_file !== undefined && {
        authorization: {
          ...rest.authorization,
          credentials_file: resolve(baseDir, rest.authorization.credentials_file),
        },
      }),
    };
  });
  const adminToken = resolveAdminToken(overrides);
  const listen = parseListenAddress(
    overrides.listenAddress ?? c.web.listen_address,
    overrides.listenAddress ? '--web.listen-address' : 'web.listen_address',
  );
  const resolved: ResolvedConfig = {
    listen,
    maxRequestBodyBytes: c.web.max_request_body,
    enableAdminApi: c.web.enable_admin_api,
    storage: {
      path: resolve(baseDir, overrides.storagePath ?? c.storage.path),
      retentionTimeMs: c.storage.retention.time,
      retentionSizeBytes: c.storage.retention.size,
      outOfOrderWindowMs: c.storage.out_of_order_window,
    },
    global: {
      scrapeIntervalMs: c.global.scrape_interval,
      scrapeTimeoutMs: c.global.scrape_timeout,
      evaluationIntervalMs: c.global.evaluation_interval,
      externalLabels: c.global.external_labels,
    },
    scrapeConfigs,
    escalation:
      c.escalation.pagerdutyWebhook.secretFile === undefined
        ? c.escalation
        : {
            ...c.escalation,
            pagerdutyWebhook: { secretFile: resolve(baseDir, c.escalation.pagerdutyWebhook.secretFile) },
          },
    suppressionRules: c.suppression_rules,
    ruleFiles: c.rule_files.map((p) => resolve(baseDir, p)),
    dashboards: {
      path: resolve(baseDir, c.dashboards?.path ?? 'dashboards'),
      explicit: c.dashboards?.path !== undefined,
    },
    alertmanager: {
      ...(c.alerting.alertmanager_config !== undefined && {
        configFile: resolve(baseDir, c.alerting.alertmanager_config),
      }),
      ...(c.alerting.external_url !== undefined && { externalURL: c.alerting.external_url }),
      resolvedAfterMute: c.alerting.resolved_after_mute,
    },
    auth: { ...c.auth, ...(adminToken !== undefined && { adminToken }) },
    alertmanagers: c.alerting.alertmanagers.map(({ timeout, ...am }) => ({
      ...am,
      timeoutMs: timeout,
      ...(am.basic_auth?.password_file !== undefined && {
        basic_auth: { ...am.basic_auth, password_file: resolve(baseDir, am.basic_auth.password_file) },
      }),
      ...(am.authorization?.credentials_file !== undefined && {
        authorization: { ...am.authorization, credentials_file: resolve(baseDir, am.authorization.credentials_file) },
      }),
    })),
  };
  return deepFreeze(resolved);
}

/** Reads and resolves `file` (YAML); without a file, the defaults. Relative paths resolve against the file's folder. */
export function loadConfig(file: string | undefined, overrides: ConfigOverrides = {}): ResolvedConfig {
  if (file === undefined) return resolveConfig({}, 'defaults', overrides);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the configuration file: ${(err as Error).message}`, []);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return pos ? `line ${pos.line}, column ${pos.col}: ${e.message.split('\n')[0]}` : e.message;
    });
    throw new ConfigError(`${file}: invalid YAML:\n  ${problems.join('\n  ')}`, problems);
  }
  const cfg = resolveConfig(doc.toJS(), file, overrides, dirname(resolve(file)));
  return Object.freeze({ ...cfg, file: resolve(file) });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
