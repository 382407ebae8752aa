/**
 * The top level of alertmanager.yml (Alertmanager 0.25): global, route tree, inhibit rules,
 * receivers, templates and time intervals, with the checks of Config.UnmarshalYAML (global
 * defaults pushed into receivers, receiver and time interval references, root route rules).
 */
import { goQuote } from '../go-strings.js';
import { type AlertMatcher, LABEL_NAME_RE, MatcherParseError, parseMatchers, sortMatchers } from '../matchers.js';
import { GoRegexpError, compileGoRegexp } from '../go-regexp.js';
import {
  checkLocation,
  parseDayOfMonthRange,
  parseMonthRange,
  parseTimeOfDayRange,
  parseWeekdayRange,
  parseYearRange,
  type InclusiveRange,
  type TimeIntervalSpec,
  type TimeOfDayRange,
} from '../time-interval.js';
import {
  bool,
  secret,
  childPath,
  fatal,
  lazy,
  list,
  map,
  optional,
  parsedString,
  str,
  struct,
  transformed,
  type Codec,
  type Infer,
  type StructValue,
} from './go-yaml.js';
import { parseModelDurationMs } from './go-types.js';
import { defaultHttpConfig, httpConfigCodec } from './http-config.js';
import { amUrl, hostPort, receiverCodec, secretUrl, type ReceiverConfig } from './receivers.js';

/** Prometheus duration (`model.Duration`) in milliseconds. */
const modelDurationMs = parsedString(parseModelDurationMs, () => 0);

// ---------------------------------------------------------------------------------------------
// global

const globalFields = {
  /** Milliseconds. */
  resolve_timeout: modelDurationMs,
  http_config: optional(httpConfigCodec),
  smtp_from: str(),
  smtp_hello: str(),
  smtp_smarthost: hostPort,
  smtp_auth_username: str(),
  smtp_auth_password: secret(),
  smtp_auth_password_file: str(),
  smtp_auth_secret: secret(),
  smtp_auth_identity: str(),
  smtp_require_tls: bool(),
  slack_api_url: secretUrl,
  slack_api_url_file: str(),
  pagerduty_url: amUrl,
  opsgenie_api_url: amUrl,
  opsgenie_api_key: secret(),
  opsgenie_api_key_file: str(),
  wechat_api_url: amUrl,
  wechat_api_secret: secret(),
  wechat_api_corp_id: str(),
  victorops_api_url: amUrl,
  victorops_api_key: secret(),
  victorops_api_key_file: str(),
  telegram_api_url: amUrl,
  webex_api_url: amUrl,
};

/** The `global:` section with Alertmanager's defaults; `resolve_timeout` in milliseconds. */
export type GlobalConfig = StructValue<typeof globalFields>;

export const globalConfigCodec = struct('config.plain', globalFields, { defaults: defaultGlobal });

function defaultGlobal(): Partial<GlobalConfig> {
  return {
    resolve_timeout: 5 * 60_000,
    http_config: defaultHttpConfig(),
    smtp_hello: 'localhost',
    smtp_require_tls: true,
    pagerduty_url: 'https://events.pagerduty.com/v2/enqueue',
    opsgenie_api_url: 'https://api.opsgenie.com/',
    wechat_api_url: 'https://qyapi.weixin.qq.com/cgi-bin/',
    victorops_api_url: 'https://alert.victorops.com/integrations/generic/20131114/alert/',
    telegram_api_url: 'https://api.telegram.org',
    webex_api_url: 'https://webexapis.com/v1/messages',
  };
}

// ---------------------------------------------------------------------------------------------
// matchers in their three spellings

/** `match_re:` values (Alertmanager's MatchRegexps): anchored Go regexps, kept as written. */
const matchRegexps: Codec<Record<string, string>> = {
  goType: 'config.plain',
  zero: () => Object.create(null) as Record<string, string>,
  decode(node, ctx, path) {
    const before = ctx.typeErrors.length;
    const raw = map(optional(str()), 'config.plain').decode(node, ctx, path);
    const out = Object.create(null) as Record<string, string>;
    for (const [k, v] of Object.entries(raw)) {
      if (v === undefined) continue;
      try {
        compileGoRegexp(`^(?:${v})$`);
      } catch (err) {
        if (err instanceof GoRegexpError) fatal(childPath(path, k), err.message);
        throw err;
      }
      out[k] = v;
    }
    if (ctx.typeErrors.length !== before) return out;
    for (const [k, v] of Object.entries(raw)) {
      if (!LABEL_NAME_RE.test(k)) fatal(childPath(path, k), `invalid label name ${goQuote(k)}`);
      if (v === undefined) fatal(childPath(path, k), `invalid regexp value for ${goQuote(k)}`);
    }
    return out;
  },
};

/** `matchers:` (Alertmanager's Matchers): a list of matcher strings, parsed and sorted. */
const matchersCodec: Codec<AlertMatcher[]> = transformed(
  list(str(), '[]string'),
  (lines, path) => {
    const out: AlertMatcher[] = [];
    lines.forEach((line, i) => {
      try {
        out.push(...parseMatchers(line));
      } catch (err) {
        if (err instanceof MatcherParseError) fatal(childPath(path, i), err.message);
        throw err;
      }
    });
    return sortMatchers(out);
  },
  () => [],
);

function checkLabelNames(m: Record<string, string>, path: string): void {
  for (const k of Object.keys(m))
    if (!LABEL_NAME_RE.test(k)) fatal(childPath(path, k), `invalid label name ${goQuote(k)}`);
}

// ---------------------------------------------------------------------------------------------
// route

/** One node of the `route:` tree as written (durations in milliseconds, unset ones undefined). */
export interface RouteConfig {
  receiver: string;
  group_by: string[];
  match: Record<string, string>;
  match_re: Record<string, string>;
  matchers: AlertMatcher[];
  mute_time_intervals: string[];
  active_time_intervals: string[];
  continue: boolean;
  routes: RouteConfig[];
  group_wait: number | undefined;
  group_interval: number | undefined;
  repeat_interval: number | undefined;
}

export const routeCodec: Codec<RouteConfig> = struct(
  'config.plain',
  {
    receiver: str(),
    group_by: list(str(), '[]string'),
    match: map(str()),
    match_re: matchRegexps,
    matchers: matchersCodec,
    mute_time_intervals: list(str(), '[]string'),
    active_time_intervals: list(str(), '[]string'),
    continue: bool(),
    routes: list(
      lazy(() => routeCodec, 'config.plain'),
      '[]*config.Route',
    ),
    group_wait: optional(modelDurationMs),
    group_interval: optional(modelDurationMs),
    repeat_interval: optional(modelDurationMs),
  },
  {
    validate(r, path) {
      checkLabelNames(r.match, `${path}.match`);
      const names: string[] = [];
      let all = false;
      r.group_by.forEach((l, i) => {
        if (l === '...') all = true;
        else if (!LABEL_NAME_RE.test(l))
          fatal(`${path}.group_by.${i}`, `invalid label name ${goQuote(l)} in group_by list`);
        else names.push(l);
      });
      if (names.length > 0 && all) {
        fatal(`${path}.group_by`, 'cannot have wildcard group_by (`...`) and other other labels at the same time');
      }
      const seen = new Set<string>();
      for (const l of names) {
        if (seen.has(l)) fatal(`${path}.group_by`, `duplicated label ${goQuote(l)} in group_by`);
        seen.add(l);
      }
      if (r.group_interval === 0) fatal(`${path}.group_interval`, 'group_interval cannot be zero');
      if (r.repeat_interval === 0) fatal(`${path}.repeat_interval`, 'repeat_interval cannot be zero');
    },
  },
);

// ---------------------------------------------------------------------------------------------
// inhibit_rules

const labelNameCodec = parsedString(
  (s) => {
    if (!LABEL_NAME_RE.test(s)) throw new Error(`${goQuote(s)} is not a valid label name`);
    return s;
  },
  () => '',
);

export const inhibitRuleCodec = struct(
  'config.plain',
  {
    source_match: map(str()),
    source_match_re: matchRegexps,
    source_matchers: matchersCodec,
    target_match: map(str()),
    target_match_re: matchRegexps,
    target_matchers: matchersCodec,
    equal: list(labelNameCodec, 'model.LabelNames'),
  },
  {
    validate(r, path) {
      checkLabelNames(r.source_match, `${path}.source_match`);
      checkLabelNames(r.target_match, `${path}.target_match`);
    },
  },
);

/** An `inhibit_rules` entry as written. */
export type InhibitRuleConfig = Infer<typeof inhibitRuleCodec>;

// ---------------------------------------------------------------------------------------------
// time intervals

const rangeList = (parse: (s: string) => InclusiveRange, goType: string): Codec<InclusiveRange[]> =>
  list(
    parsedString(parse, () => ({ begin: 0, end: 0 })),
    goType,
  );

const timeRangeCodec: Codec<TimeOfDayRange> = transformed(
  struct('timeinterval.yamlTimeRange', { start_time: str(), end_time: str() }),
  (y) => parseTimeOfDayRange(y.start_time, y.end_time),
  () => ({ startMinute: 0, endMinute: 0 }),
);

const timeIntervalEntryCodec: Codec<TimeIntervalSpec> = transformed(
  struct('timeinterval.TimeInterval', {
    times: optional(list(timeRangeCodec, '[]timeinterval.TimeRange')),
    weekdays: optional(rangeList(parseWeekdayRange, '[]timeinterval.WeekdayRange')),
    days_of_month: optional(rangeList(parseDayOfMonthRange, '[]timeinterval.DayOfMonthRange')),
    months: optional(rangeList(parseMonthRange, '[]timeinterval.MonthRange')),
    years: optional(rangeList(parseYearRange, '[]timeinterval.YearRange')),
    location: optional(
      parsedString(
        (s) => {
          checkLocation(s);
          return s;
        },
        () => '',
      ),
    ),
  }),
  (t) => ({
    ...(t.times && { times: t.times }),
    ...(t.weekdays && { weekdays: t.weekdays }),
    ...(t.days_of_month && { daysOfMonth: t.days_of_month }),
    ...(t.months && { months: t.months }),
    ...(t.years && { years: t.years }),
    ...(t.location !== undefined && { location: t.location }),
  }),
  () => ({}),
  'timeinterval.TimeInterval',
);

const namedIntervalCodec = (what: string): Codec<{ name: string; time_intervals: TimeIntervalSpec[] }> =>
  struct(
    'config.plain',
    { name: str(), time_intervals: list(timeIntervalEntryCodec, '[]timeinterval.TimeInterval') },
    {
      validate(t, path) {
        if (t.name === '') fatal(path, `missing name in ${what}`);
      },
    },
  );

// ---------------------------------------------------------------------------------------------
// the whole file

const configFields = {
  global: optional(globalConfigCodec),
  route: optional(routeCodec),
  inhibit_rules: list(inhibitRuleCodec, '[]*config.InhibitRule'),
  receivers: list(receiverCodec, '[]*config.Receiver'),
  templates: list(str(), '[]string'),
  mute_time_intervals: list(namedIntervalCodec('mute time interval'), '[]config.MuteTimeInterval'),
  time_intervals: list(namedIntervalCodec('time interval'), '[]config.TimeInterval'),
};

/** alertmanager.yml as written, with the global defaults pushed into the receivers. */
export interface ParsedAlertmanagerConfig {
  global: GlobalConfig;
  route: RouteConfig | undefined;
  inhibit_rules: InhibitRuleConfig[];
  receivers: ReceiverConfig[];
  templates: string[];
  mute_time_intervals: { name: string; time_intervals: TimeIntervalSpec[] }[];
  time_intervals: { name: string; time_intervals: TimeIntervalSpec[] }[];
}

function withTrailingSlash(url: string): string {
  const q = url.search(/[?#]/);
  const base = q < 0 ? url : url.slice(0, q);
  return base.endsWith('/') ? url : `${base}/${q < 0 ? '' : url.slice(q)}`;
}

/** Config.UnmarshalYAML's checks and defaulting, in Alertmanager's order. */
export function validateConfig(c: ParsedAlertmanagerConfig): void {
  const g = c.global;
  if (g.slack_api_url !== undefined && g.slack_api_url_file !== '') {
    fatal('global', 'at most one of slack_api_url & slack_api_url_file must be configured');
  }
  if (g.opsgenie_api_key !== '' && g.opsgenie_api_key_file !== '') {
    fatal('global', 'at most one of opsgenie_api_key & opsgenie_api_key_file must be configured');
  }
  if (g.victorops_api_key !== '' && g.victorops_api_key_file !== '') {
    fatal('global', 'at most one of victorops_api_key & victorops_api_key_file must be configured');
  }
  if (g.smtp_auth_password !== '' && g.smtp_auth_password_file !== '') {
    fatal('global', 'at most one of smtp_auth_password & smtp_auth_password_file must be configured');
  }
  const names = new Set<string>();
  c.receivers.forEach((rcv, i) => {
    const rp = `receivers.${i}`;
    if (names.has(rcv.name)) fatal(`${rp}.name`, `notification config name ${goQuote(rcv.name)} is not unique`);
    for (const wh of rcv.webhook_configs) wh.http_config ??= g.http_config;
    rcv.email_configs.forEach((ec, j) => {
      const p = `${rp}.email_configs.${j}`;
      if (ec.smarthost.host === '' && ec.smarthost.port === '') {
        if (g.smtp_smarthost.host === '' && g.smtp_smarthost.port === '') fatal(p, 'no global SMTP smarthost set');
        ec.smarthost = g.smtp_smarthost;
      }
      if (ec.from === '') {
        if (g.smtp_from === '') fatal(p, 'no global SMTP from set');
        ec.from = g.smtp_from;
      }
      if (ec.hello === '') ec.hello = g.smtp_hello;
      if (ec.auth_username === '') ec.auth_username = g.smtp_auth_username;
      if (ec.auth_password === '' && ec.auth_password_file === '') {
        ec.auth_password = g.smtp_auth_password;
        ec.auth_password_file = g.smtp_auth_password_file;
      }
      if (ec.auth_secret === '') ec.auth_secret = g.smtp_auth_secret;
      if (ec.auth_identity === '') ec.auth_identity = g.smtp_auth_identity;
      ec.require_tls ??= g.smtp_require_tls;
    });
    rcv.slack_configs.forEach((sc, j) => {
      sc.http_config ??= g.http_config;
      if (sc.api_url === undefined && sc.api_url_file === '') {
        if (g.slack_api_url === undefined && g.slack_api_url_file === '') {
          fatal(`${rp}.slack_configs.${j}`, 'no global Slack API URL set either inline or in a file');
        }
        sc.api_url = g.slack_api_url;
        sc.api_url_file = g.slack_api_url_file;
      }
    });
    for (const po of rcv.pushover_configs) po.http_config ??= g.http_config;
    rcv.pagerduty_configs.forEach((pd, j) => {
      pd.http_config ??= g.http_config;
      if (pd.url === undefined) {
        if (g.pagerduty_url === undefined) fatal(`${rp}.pagerduty_configs.${j}`, 'no global PagerDuty URL set');
        pd.url = g.pagerduty_url;
      }
    });
    rcv.opsgenie_configs.forEach((og, j) => {
      const p = `${rp}.opsgenie_configs.${j}`;
      og.http_config ??= g.http_config;
      const apiUrl = og.api_url ?? g.opsgenie_api_url;
      if (apiUrl === undefined) fatal(p, 'no global OpsGenie URL set');
      og.api_url = withTrailingSlash(apiUrl);
      if (og.api_key === '' && og.api_key_file === '') {
        if (g.opsgenie_api_key === '' && g.opsgenie_api_key_file === '') {
          fatal(p, 'no global OpsGenie API Key set either inline or in a file');
        }
        og.api_key = g.opsgenie_api_key;
        og.api_key_file = g.opsgenie_api_key_file;
      }
    });
    rcv.wechat_configs.forEach((wc, j) => {
      const p = `${rp}.wechat_configs.${j}`;
      wc.http_config ??= g.http_config;
      const apiUrl = wc.api_url ?? g.wechat_api_url;
      if (apiUrl === undefined) fatal(p, 'no global Wechat URL set');
      if (wc.api_secret === '') {
        if (g.wechat_api_secret === '') fatal(p, 'no global Wechat ApiSecret set');
        wc.api_secret = g.wechat_api_secret;
      }
      if (wc.corp_id === '') {
        if (g.wechat_api_corp_id === '') fatal(p, 'no global Wechat CorpID set');
        wc.corp_id = g.wechat_api_corp_id;
      }
      wc.api_url = withTrailingSlash(apiUrl);
    });
    rcv.victorops_configs.forEach((vo, j) => {
      const p = `${rp}.victorops_configs.${j}`;
      vo.http_config ??= g.http_config;
      const apiUrl = vo.api_url ?? g.victorops_api_url;
      if (apiUrl === undefined) fatal(p, 'no global VictorOps URL set');
      vo.api_url = withTrailingSlash(apiUrl);
      if (vo.api_key === '' && vo.api_key_file === '') {
        if (g.victorops_api_key === '' && g.victorops_api_key_file === '') fatal(p, 'no global VictorOps API Key set');
        vo.api_key = g.victorops_api_key;
        vo.api_key_file = g.victorops_api_key_file;
      }
    });
    for (const sns of rcv.sns_configs) sns.http_config ??= g.http_config;
    for (const tg of rcv.telegram_configs) {
      tg.http_config ??= g.http_config;
      tg.api_url ??= g.telegram_api_url;
    }
    rcv.discord_configs.forEach((dc, j) => {
      dc.http_config ??= g.http_config;
      if (dc.webhook_url === undefined) fatal(`${rp}.discord_configs.${j}`, 'no discord webhook URL provided');
    });
    rcv.webex_configs.forEach((wx, j) => {
      wx.http_config ??= g.http_config;
      if (wx.api_url === undefined) {
        if (g.webex_api_url === undefined) fatal(`${rp}.webex_configs.${j}`, 'no global Webex URL set');
        wx.api_url = g.webex_api_url;
      }
    });
    for (const sms of rcv.sms_configs) sms.http_config ??= g.http_config;
    names.add(rcv.name);
  });

  const root = c.route;
  if (!root) fatal('route', 'no routes provided');
  if (root.receiver === '') fatal('route.receiver', 'root route must specify a default receiver');
  if (Object.keys(root.match).length > 0 || Object.keys(root.match_re).length > 0 || root.matchers.length > 0) {
    fatal('route', 'root route must not have any matchers');
  }
  if (root.mute_time_intervals.length > 0)
    fatal('route.mute_time_intervals', 'root route must not have any mute time intervals');
  if (root.active_time_intervals.length > 0) {
    fatal('route.active_time_intervals', 'root route must not have any active time intervals');
  }
  checkReceivers(root, names, 'route');

  const intervalNames = new Set<string>();
  c.mute_time_intervals.forEach((mt, i) => {
    if (intervalNames.has(mt.name)) {
      fatal(`mute_time_intervals.${i}.name`, `mute time interval ${goQuote(mt.name)} is not unique`);
    }
    intervalNames.add(mt.name);
  });
  c.time_intervals.forEach((ti, i) => {
    if (intervalNames.has(ti.name))
      fatal(`time_intervals.${i}.name`, `time interval ${goQuote(ti.name)} is not unique`);
    intervalNames.add(ti.name);
  });
  checkTimeIntervals(root, intervalNames, 'route');
}

/** Every receiver named in the tree exists (children first, as Alertmanager checks). */
function checkReceivers(r: RouteConfig, receivers: ReadonlySet<string>, path: string): void {
  r.routes.forEach((sr, i) => checkReceivers(sr, receivers, `${path}.routes.${i}`));
  if (r.receiver !== '' && !receivers.has(r.receiver)) {
    fatal(`${path}.receiver`, `undefined receiver ${goQuote(r.receiver)} used in route`);
  }
}

function checkTimeIntervals(r: RouteConfig, intervals: ReadonlySet<string>, path: string): void {
  r.routes.forEach((sr, i) => checkTimeIntervals(sr, intervals, `${path}.routes.${i}`));
  for (const [key, names] of [
    ['active_time_intervals', r.active_time_intervals],
    ['mute_time_intervals', r.mute_time_intervals],
  ] as const) {
    names.forEach((name, i) => {
      if (!intervals.has(name)) fatal(`${path}.${key}.${i}`, `undefined time interval ${goQuote(name)} used in route`);
    });
  }
}

/** The top level of the file; decode it, then run `validateConfig` (Config.UnmarshalYAML's checks). */
export const configStructCodec = struct('config.plain', configFields);

/** The `global:` section of a file that has none. */
export function defaultGlobalConfig(): GlobalConfig {
  return { ...globalConfigCodec.zero(), ...defaultGlobal() };
}
