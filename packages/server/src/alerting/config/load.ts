/**
 * Loading alertmanager.yml: text → decoded and validated as Alertmanager 0.25's config.LoadFile
 * → a frozen AlertmanagerConfig with the routing tree, inhibition rules and time intervals built.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { AlertMatcher } from '../matchers.js';
import { buildRouteTree, type Route } from '../route.js';
import { TimeInterval } from '../time-interval.js';
import { DecodeContext, GoYamlFatal, GoYamlSyntaxError, parseGoYaml } from './go-yaml.js';
import type { HttpClientConfig } from './http-config.js';
import type { ReceiverConfig } from './receivers.js';
import {
  configStructCodec,
  defaultGlobalConfig,
  validateConfig,
  type GlobalConfig,
  type InhibitRuleConfig,
  type ParsedAlertmanagerConfig,
  type RouteConfig,
} from './schema.js';

/** One problem of a configuration, located. */
export interface AlertmanagerConfigProblem {
  /** Where in the file: `route.routes.0.receiver` (empty for the whole file). */
  readonly path: string;
  /** The line, when the YAML decoder knows it. */
  readonly line?: number;
  /** Alertmanager's text for this problem. */
  readonly message: string;
}

/**
 * An alertmanager.yml Alertmanager 0.25 would refuse. `amtoolMessage` is Alertmanager's error text
 * (what `amtool check-config` prints after `FAILED:`); `problems` locate each problem.
 */
export class AlertmanagerConfigError extends Error {
  readonly code = 'WK_ALERTMANAGER_CONFIG_INVALID';
  constructor(
    readonly source: string,
    readonly amtoolMessage: string,
    readonly problems: readonly AlertmanagerConfigProblem[],
    options?: ErrorOptions,
  ) {
    const lines = problems.map(
      (p) => `At ${p.path || '(top level)'}${p.line ? ` (line ${p.line})` : ''}: ${p.message}`,
    );
    super(`${source}: invalid Alertmanager configuration:\n  ${lines.join('\n  ')}`, options);
    this.name = 'AlertmanagerConfigError';
  }
}

/** An inhibition rule, built: target alerts are muted while a firing source alert has equal `equal` labels. */
export interface InhibitRule {
  /** `source_match`, `source_match_re` (anchored) and `source_matchers`. */
  readonly sourceMatchers: readonly AlertMatcher[];
  /** `target_match`, `target_match_re` (anchored) and `target_matchers`. */
  readonly targetMatchers: readonly AlertMatcher[];
  /** Labels that must have the same value (a missing label is `''`) on source and target. */
  readonly equal: readonly string[];
}

/** A validated alertmanager.yml with its routing tree built. Frozen. */
export interface AlertmanagerConfig {
  /** The file it came from, absolute; relative paths in it were resolved against its folder. */
  readonly file?: string;
  /** The `global:` section with Alertmanager's defaults; `resolve_timeout` in milliseconds. */
  readonly global: GlobalConfig;
  /** The `route:` section as written. */
  readonly route: RouteConfig;
  /** The routing tree the dispatcher walks. */
  readonly routeTree: Route;
  /** Receivers in file order, with the global defaults applied (SMTP, Slack URL, HTTP client, ...). */
  readonly receivers: readonly ReceiverConfig[];
  readonly receiversByName: ReadonlyMap<string, ReceiverConfig>;
  readonly inhibitRules: readonly InhibitRule[];
  /** `time_intervals` and `mute_time_intervals` by name (one namespace); a name matches if any entry contains the time. */
  readonly timeIntervals: ReadonlyMap<string, readonly TimeInterval[]>;
  /** Template file globs, absolute. */
  readonly templates: readonly string[];
  /** The file's text. */
  readonly original: string;
}

export interface ParseAlertmanagerConfigOptions {
  /** Names the source in errors and in `file`. */
  file?: string;
  /** Relative paths (templates, HTTP client files) resolve against it. @default the file's folder, else the working directory */
  baseDir?: string;
}

/**
 * Parses and validates an alertmanager.yml text as Alertmanager 0.25 does.
 * @throws AlertmanagerConfigError with Alertmanager's message.
 */
export function parseAlertmanagerConfig(
  text: string,
  options: ParseAlertmanagerConfigOptions = {},
): AlertmanagerConfig {
  const source = options.file ?? 'alertmanager.yml';
  const baseDir = options.baseDir ?? (options.file !== undefined ? dirname(resolve(options.file)) : process.cwd());
  const parsed = decode(text, source);
  const route = parsed.route!;
  resolvePaths(parsed, baseDir);
  const timeIntervals = new Map<string, TimeInterval[]>();
  for (const named of [...parsed.mute_time_intervals, ...parsed.time_intervals]) {
    timeIntervals.set(
      named.name,
      named.time_intervals.map((spec) => new TimeInterval(spec)),
    );
  }
  const config: AlertmanagerConfig = {
    ...(options.file !== undefined && { file: resolve(options.file) }),
    global: parsed.global,
    route,
    routeTree: buildRouteTree(route),
    receivers: parsed.receivers,
    receiversByName: new Map(parsed.receivers.map((r) => [r.name, r])),
    inhibitRules: parsed.inhibit_rules.map(buildInhibitRule),
    timeIntervals,
    templates: parsed.templates,
    original: text,
  };
  return deepFreeze(config);
}

/**
 * Reads, parses and validates an alertmanager.yml file.
 * @throws AlertmanagerConfigError (also when the file cannot be read, with Go's `open ...` text).
 */
export function loadAlertmanagerConfig(file: string): AlertmanagerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const message = goFileError(file, err as NodeJS.ErrnoException);
    throw new AlertmanagerConfigError(file, message, [{ path: '', message }], { cause: err });
  }
  return parseAlertmanagerConfig(text, { file });
}

/** Go's text for a failed os.ReadFile. */
function goFileError(file: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return `open ${file}: no such file or directory`;
    case 'EACCES':
      return `open ${file}: permission denied`;
    case 'EISDIR':
      return `read ${file}: is a directory`;
    default:
      return `open ${file}: ${err.message}`;
  }
}

function decode(text: string, source: string): ParsedAlertmanagerConfig {
  const ctx = new DecodeContext();
  try {
    const root = parseGoYaml(text);
    if (root === undefined) throw new GoYamlFatal('no route provided in config', '');
    const raw = configStructCodec.decode(root, ctx, '');
    if (ctx.typeErrors.length > 0) {
      const amtoolMessage = `yaml: unmarshal errors:\n  ${ctx.typeErrors.map((e) => e.text).join('\n  ')}`;
      const problems = ctx.typeErrors.map((e) => ({
        path: e.path,
        line: e.line,
        message: e.text.replace(/^line \d+: /, ''),
      }));
      throw new AlertmanagerConfigError(source, amtoolMessage, problems);
    }
    const parsed: ParsedAlertmanagerConfig = { ...raw, global: raw.global ?? defaultGlobalConfig() };
    validateConfig(parsed);
    if (parsed.route!.continue) throw new GoYamlFatal('cannot have continue in root route', 'route.continue');
    return parsed;
  } catch (err) {
    if (err instanceof GoYamlFatal) {
      throw new AlertmanagerConfigError(source, err.message, [{ path: err.path, message: err.message }], {
        cause: err,
      });
    }
    if (err instanceof GoYamlSyntaxError) {
      throw new AlertmanagerConfigError(source, err.message, [{ path: '', line: err.line, message: err.message }], {
        cause: err,
      });
    }
    throw err;
  }
}

function joinDir(dir: string, p: string): string {
  return p !== '' && !isAbsolute(p) ? join(dir, p) : p;
}

/** As Alertmanager's resolveFilepaths: templates and the files of HTTP client configurations. */
function resolvePaths(c: ParsedAlertmanagerConfig, baseDir: string): void {
  c.templates = c.templates.map((t) => joinDir(baseDir, t));
  const seen = new Set<HttpClientConfig>();
  const fix = (h: HttpClientConfig | undefined): void => {
    if (!h || seen.has(h)) return;
    seen.add(h);
    for (const tls of [h.tls_config, h.oauth2?.tls_config]) {
      if (!tls) continue;
      tls.ca_file = joinDir(baseDir, tls.ca_file);
      tls.cert_file = joinDir(baseDir, tls.cert_file);
      tls.key_file = joinDir(baseDir, tls.key_file);
    }
    if (h.basic_auth) h.basic_auth.password_file = joinDir(baseDir, h.basic_auth.password_file);
    if (h.authorization) h.authorization.credentials_file = joinDir(baseDir, h.authorization.credentials_file);
    if (h.oauth2) h.oauth2.client_secret_file = joinDir(baseDir, h.oauth2.client_secret_file);
    h.bearer_token_file = joinDir(baseDir, h.bearer_token_file);
  };
  fix(c.global.http_config);
  for (const r of c.receivers) {
    for (const list of [
      r.webhook_configs,
      r.slack_configs,
      r.pagerduty_configs,
      r.opsgenie_configs,
      r.wechat_configs,
      r.pushover_configs,
      r.victorops_configs,
      r.sns_configs,
      r.telegram_configs,
      r.webex_configs,
      r.discord_configs,
      r.sms_configs,
    ] as { http_config: HttpClientConfig | undefined }[][]) {
      for (const n of list) fix(n.http_config);
    }
  }
}

function buildInhibitRule(r: InhibitRuleConfig): InhibitRule {
  const side = (
    match: Record<string, string>,
    matchRe: Record<string, string>,
    matchers: AlertMatcher[],
  ): AlertMatcher[] => [
    ...Object.entries(match).map(([n, v]) => AlertMatcher.create('=', n, v)),
    ...Object.entries(matchRe).map(([n, v]) => AlertMatcher.create('=~', n, `^(?:${v})$`)),
    ...matchers,
  ];
  return {
    sourceMatchers: side(r.source_match, r.source_match_re, r.source_matchers),
    targetMatchers: side(r.target_match, r.target_match_re, r.target_matchers),
    equal: r.equal,
  };
}

/** Freezes plain objects, arrays and maps; class instances (routes, matchers) freeze themselves. */
function deepFreeze<T>(o: T): T {
  if (o === null || typeof o !== 'object' || Object.isFrozen(o)) return o;
  const proto = Object.getPrototypeOf(o) as unknown;
  if (o instanceof Map) {
    for (const v of o.values()) deepFreeze(v);
    return o;
  }
  if (!Array.isArray(o) && proto !== Object.prototype && proto !== null) return o;
  Object.freeze(o);
  for (const v of Object.values(o)) deepFreeze(v);
  return o;
}
