/**
 * Prometheus 2.42's template functions (prometheus/template/template.go) and the way its rules
 * expand alert labels and annotations: the `$labels`/`$value` preamble, the `__alert_<name>`
 * template name, missingkey=zero, and `<error expanding template: ...>` on failure.
 */
import { FuncError } from './builtins.js';
import { goTitle, goToLower, goToUpper } from './casing.js';
import { TemplateError } from './errors.js';
import type { ExecLimits } from './exec.js';
import { formatFloat } from './float-format.js';
import { sprint } from './fmt.js';
import { isGoFloatSyntax, parseGoFloat } from './parser.js';
import { compileRegexp, mustCompile } from './regexp.js';
import { quote, queryEscape } from './strconv.js';
import { Template, type FuncMap } from './template.js';
import { GoTime } from './time.js';
import {
  GO_TYPE,
  GoMap,
  GoScalar,
  T_ANY,
  T_STRING,
  goSlice,
  goType,
  safeHTML,
  typeNameOf,
  type CallContext,
  type GoFunc,
  type GoType,
} from './value.js';

/** One sample of a query result: labels and value. */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Evaluates a PromQL expression at the rule's evaluation time and returns a vector (a scalar as
 * one sample without labels), as Prometheus's rules.EngineQueryFunc does. A rejection becomes
 * the template error `error calling query: <message>`.
 */
export type QueryFunc = (expr: string) => Promise<readonly Sample[]>;

/** What Prometheus's functions need from the caller (ExecuteOptions.env). */
export interface PrometheusEnv {
  readonly query?: QueryFunc;
  /**
   * Prometheus's --web.external-url, for `externalURL` and `pathPrefix`. Without it they fail as
   * in `promtool test rules`, which has none.
   */
  readonly externalURL?: string;
}

/** A query result sample as templates see it: Go's *template.sample. */
export class PromSample {
  static readonly [GO_TYPE] = '*template.sample';
  readonly Labels: GoMap;
  readonly Value: number;
  constructor(s: Sample) {
    this.Labels = GoMap.ofStrings(s.labels);
    this.Value = s.value;
  }
}

const T_QUERY_RESULT = goType('template.queryResult', 'slice');
const T_SAMPLE = goType('*template.sample', 'ptr');

function promEnv(ctx: CallContext): PrometheusEnv {
  return ctx.env ?? {};
}

function fn(params: readonly GoType[], call: GoFunc['call'], extra: Partial<GoFunc> = {}): GoFunc {
  return { params, call, ...extra };
}

const NIL_DEREF = 'runtime error: invalid memory address or nil pointer dereference';

/** Go's convertToFloat in Prometheus's template package. */
function convertToFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const f = parseGoFloat(v);
    if (f !== undefined) return f;
    const reason = isGoFloatSyntax(v) ? 'value out of range' : 'invalid syntax';
    throw new FuncError(`strconv.ParseFloat: parsing ${quote(v)}: ${reason}`);
  }
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof GoScalar && ['int64', 'uint', 'uint64'].includes(v.goType)) return Number(v.value);
  throw new FuncError(`can't convert ${typeNameOf(v)} to float`);
}

/** `%.4g`, as every humanize function formats. */
function g4(v: number): string {
  return formatFloat(v, 'g', 4);
}

const SI_UP = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SI_DOWN = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];

export function humanize(input: unknown): string {
  let v = convertToFloat(input);
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of SI_UP) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v) + prefix;
  }
  for (const p of SI_DOWN) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v) + prefix;
}

export function humanize1024(input: unknown): string {
  let v = convertToFloat(input);
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

/** Go's int64(float64) on amd64: out of range (or NaN) gives math.MinInt64. */
function goInt64(v: number): bigint {
  if (!(v > -9223372036854775808 - 1024 && v < 9223372036854775808)) return -9223372036854775808n;
  return BigInt(Math.trunc(v));
}

export function humanizeDuration(input: unknown): string {
  let v = convertToFloat(input);
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return g4(v) + 's';
  if (Math.abs(v) >= 1) {
    let sign = '';
    if (v < 0) {
      sign = '-';
      v = -v;
    }
    const duration = goInt64(v);
    const seconds = duration % 60n;
    const minutes = (duration / 60n) % 60n;
    const hours = (duration / 60n / 60n) % 24n;
    const days = duration / 60n / 60n / 24n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of SI_DOWN) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

export function humanizePercentage(input: unknown): string {
  return g4(convertToFloat(input) * 100) + '%';
}

class NaNOrInf extends Error {}

/** Prometheus's floatToTime: Unix seconds to a UTC time at millisecond precision. */
function floatToTime(v: number): GoTime {
  if (!Number.isFinite(v)) throw new NaNOrInf('value is NaN or Inf');
  const ts = v * 1e9;
  if (ts > 9223372036854775807 || ts < -9223372036854775808) {
    throw new FuncError(
      `${formatFloat(v, 'g', -1)} cannot be represented as a nanoseconds timestamp since it overflows int64`,
    );
  }
  const ns = BigInt(Math.trunc(ts));
  const ms = ns / 1_000_000n;
  return new GoTime(ms * 1_000_000n, 0, 'UTC', true);
}

export function humanizeTimestamp(input: unknown): string {
  const v = convertToFloat(input);
  try {
    return sprint([floatToTime(v)]);
  } catch (e) {
    if (e instanceof NaNOrInf) return g4(v);
    throw e;
  }
}

const DURATION_RE =
  /^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;
const MAX_INT64 = 9223372036854775807n;

/** prometheus/common model.ParseDuration, in seconds. */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  if (s === '') throw new FuncError('empty duration string');
  const m = DURATION_RE.exec(s);
  if (m === null) throw new FuncError(`not a valid duration string: ${quote(s)}`);
  const mults = [365n * 86400000n, 7n * 86400000n, 86400000n, 3600000n, 60000n, 1000n, 1n];
  let ms = 0n;
  let overflow = false;
  mults.forEach((mult, i) => {
    const part = m[i + 1];
    if (part === undefined) return;
    const n = BigInt(part);
    if (n > MAX_INT64 / mult / 1_000_000n) overflow = true;
    ms += n * mult;
  });
  if (overflow || ms * 1_000_000n > MAX_INT64) throw new FuncError('duration out of range');
  return Number(ms * 1_000_000n) / 1e9;
}

/** Go's net.SplitHostPort; undefined where it returns an error. */
export function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  const i = hostport.lastIndexOf(':');
  if (i < 0) return undefined;
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']');
    if (end < 0) return undefined;
    if (end + 1 === hostport.length) return undefined;
    if (end + 1 !== i) return undefined;
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return undefined;
  }
  if (hostport.slice(j).includes('[')) return undefined;
  if (hostport.slice(k).includes(']')) return undefined;
  return { host, port: hostport.slice(i + 1) };
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/** Go's net.ParseIP(s) != nil. */
export function isIP(s: string): boolean {
  if (isIPv4(s)) return true;
  if (!s.includes(':')) return false;
  let rest = s;
  let groups = 8;
  const lastColon = rest.lastIndexOf(':');
  if (rest.slice(lastColon + 1).includes('.')) {
    if (!isIPv4(rest.slice(lastColon + 1))) return false;
    rest = rest.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = rest.indexOf('::');
  if (dbl !== rest.lastIndexOf('::')) return false;
  const hex = /^[0-9a-fA-F]{1,4}$/;
  if (dbl >= 0) {
    const left = rest.slice(0, dbl);
    const right = rest.slice(dbl + 2);
    const l = left === '' ? [] : left.split(':');
    const r = right === '' ? [] : right.split(':');
    if (![...l, ...r].every((g) => hex.test(g))) return false;
    return l.length + r.length < groups;
  }
  const all = rest.split(':');
  groups = all.length;
  return groups === 8 && all.every((g) => hex.test(g));
}

export function stripPort(hostPort: string): string {
  return splitHostPort(hostPort)?.host ?? hostPort;
}

export function stripDomain(hostPort: string): string {
  const hp = splitHostPort(hostPort);
  let host = hp?.host ?? hostPort;
  const port = hp?.port ?? '';
  if (isIP(host)) return hostPort;
  host = host.split('.')[0]!;
  if (port !== '') return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return host;
}

/** The path of a URL as Go's url.URL.Path: `` for `http://host:9090`, `/prefix` for `http://host/prefix`. */
function urlPath(u: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(u);
  if (m) return decodePath(m[1]!);
  const n = /^([^?#]*)/.exec(u);
  return decodePath(n?.[1] ?? '');
}

function decodePath(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/** The external URL; without one, Prometheus dereferences a nil *url.URL (as `promtool test rules` does). */
function externalURLOf(ctx: CallContext): string {
  const u = promEnv(ctx).externalURL;
  if (u === undefined) throw new FuncError(NIL_DEREF);
  return u;
}

function toSamples(v: readonly Sample[]): PromSample[] {
  return goSlice(
    v.map((s) => new PromSample(s)),
    'template.queryResult',
  );
}

/** Prometheus 2.42's template functions (text mode). */
export const PROMETHEUS_FUNCS: FuncMap = {
  query: fn(
    [T_STRING],
    (args, ctx) => {
      const q = promEnv(ctx).query;
      if (q === undefined) throw new FuncError('no query function available to this template');
      return q(args[0] as string).then(toSamples);
    },
    { async: true },
  ),
  first: fn([T_QUERY_RESULT], (args) => {
    const v = args[0] as PromSample[];
    if (v.length > 0) return v[0];
    throw new FuncError('first() called on vector with no elements');
  }),
  label: fn([T_STRING, T_SAMPLE], (args) => {
    const s = args[1] as PromSample | null;
    if (s === null) throw new FuncError(NIL_DEREF);
    return s.Labels.entries.get(args[0] as string) ?? '';
  }),
  value: fn([T_SAMPLE], (args) => {
    const s = args[0] as PromSample | null;
    if (s === null) throw new FuncError(NIL_DEREF);
    return s.Value;
  }),
  strvalue: fn([T_SAMPLE], (args) => {
    const s = args[0] as PromSample | null;
    if (s === null) throw new FuncError(NIL_DEREF);
    return s.Labels.entries.get('__value__') ?? '';
  }),
  args: fn([], (args) => new GoMap(new Map(args.map((a, i) => [`arg${i}`, a])), 'map[string]interface {}', null), {
    variadic: T_ANY,
  }),
  reReplaceAll: fn([T_STRING, T_STRING, T_STRING], (args) =>
    mustCompile(args[0] as string).replaceAllString(args[2] as string, args[1] as string),
  ),
  safeHtml: fn([T_STRING], (args) => safeHTML(args[0] as string)),
  match: fn([T_STRING, T_STRING], (args) => compileRegexp(args[0] as string).matchString(args[1] as string)),
  title: fn([T_STRING], (args) => goTitle(args[0] as string)),
  toUpper: fn([T_STRING], (args) => goToUpper(args[0] as string)),
  toLower: fn([T_STRING], (args) => goToLower(args[0] as string)),
  graphLink: fn([T_STRING], (args) => `/graph?g0.expr=${queryEscape(args[0] as string)}&g0.tab=0`),
  tableLink: fn([T_STRING], (args) => `/graph?g0.expr=${queryEscape(args[0] as string)}&g0.tab=1`),
  sortByLabel: fn([T_STRING, T_QUERY_RESULT], (args) => {
    const label = args[0] as string;
    const v = args[1] as PromSample[];
    const key = (s: PromSample) => s.Labels.entries.get(label) ?? '';
    const sorted = v
      .map((s, i) => ({ s, i }))
      .sort((a, b) => {
        const x = key(a.s);
        const y = key(b.s);
        return x < y ? -1 : x > y ? 1 : a.i - b.i;
      })
      .map((e) => e.s);
    sorted.forEach((s, i) => (v[i] = s));
    return v;
  }),
  humanize: fn([T_ANY], (args) => humanize(args[0])),
  humanize1024: fn([T_ANY], (args) => humanize1024(args[0])),
  humanizeDuration: fn([T_ANY], (args) => humanizeDuration(args[0])),
  humanizePercentage: fn([T_ANY], (args) => humanizePercentage(args[0])),
  humanizeTimestamp: fn([T_ANY], (args) => humanizeTimestamp(args[0])),
  toTime: fn([T_ANY], (args) => {
    const v = convertToFloat(args[0]);
    try {
      return floatToTime(v);
    } catch (e) {
      if (e instanceof NaNOrInf) throw new FuncError(e.message);
      throw e;
    }
  }),
  pathPrefix: fn([], (_args, ctx) => urlPath(externalURLOf(ctx))),
  externalURL: fn([], (_args, ctx) => externalURLOf(ctx)),
  parseDuration: fn([T_STRING], (args) => parseDuration(args[0] as string)),
  stripPort: fn([T_STRING], (args) => stripPort(args[0] as string)),
  stripDomain: fn([T_STRING], (args) => stripDomain(args[0] as string)),
};

/** The HTML-mode set (Prometheus's ExpandHTML, console templates): adds `tmpl`. */
export const PROMETHEUS_HTML_FUNCS: FuncMap = {
  ...PROMETHEUS_FUNCS,
  tmpl: fn([T_STRING, T_ANY], (args, ctx) => safeHTML(ctx.executeTemplate(args[0] as string, args[1]))),
};

/** The outcome of expanding a template: the text, or Prometheus's error text and the error. */
export type ExpandResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly text: string; readonly error: TemplateError };

/** The data of an alert template: Go's `struct { Labels, ExternalLabels, ExternalURL, Value }`. */
export interface AlertTemplateData {
  /** Labels of the result series (before the rule's own labels are added). */
  readonly labels: Readonly<Record<string, string>>;
  readonly externalLabels?: Readonly<Record<string, string>>;
  readonly externalURL?: string;
  /** The sample value of the result series. */
  readonly value: number;
}

class AlertData {
  static readonly [GO_TYPE] =
    'struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }';
  readonly Labels: GoMap;
  readonly ExternalLabels: GoMap;
  readonly ExternalURL: string;
  readonly Value: number;
  constructor(d: AlertTemplateData) {
    this.Labels = GoMap.ofStrings(d.labels);
    this.ExternalLabels = GoMap.ofStrings(d.externalLabels ?? {});
    this.ExternalURL = d.externalURL ?? '';
    this.Value = d.value;
  }
}

/** What Prometheus prepends to alert label and annotation templates. */
export const ALERT_TEMPLATE_PREAMBLE =
  '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

function prefixError(prefix: string, e: unknown): TemplateError {
  const err =
    e instanceof TemplateError
      ? e
      : new TemplateError('WK_TEMPLATE_EXEC', e instanceof Error ? e.message : String(e), { templateName: '' });
  return new TemplateError(err.code, `${prefix}: ${err.message}`, {
    templateName: err.templateName,
    line: err.line,
    column: err.column,
    cause: err,
  });
}

/**
 * A template parsed once and expanded many times, as Prometheus's template.Expander does it
 * (text mode, missingkey=zero). Parse errors are kept and reported by each expansion, as
 * Prometheus reports them.
 */
export class PrometheusTemplate {
  /** Go's parse error (`template: name:1: ...`), what `promtool check rules` reports. */
  readonly parseError: TemplateError | undefined;
  private readonly tmpl: Template;

  constructor(
    readonly name: string,
    readonly text: string,
    options: { readonly html?: boolean; readonly limits?: Partial<ExecLimits> } = {},
  ) {
    this.tmpl = new Template({
      funcs: options.html ? PROMETHEUS_HTML_FUNCS : PROMETHEUS_FUNCS,
      missingKey: 'zero',
      html: options.html,
      limits: options.limits,
    });
    let parseError: TemplateError | undefined;
    try {
      this.tmpl.parse(name, text);
    } catch (e) {
      parseError = e instanceof TemplateError ? e : prefixError('template', e);
    }
    this.parseError = parseError;
  }

  /**
   * Go's Expander.Expand: the output, or an error `error parsing template <name>: ...` /
   * `error executing template <name>: ...`. Never throws.
   */
  async expand(data: unknown, env: PrometheusEnv = {}): Promise<ExpandResult> {
    if (this.parseError !== undefined) {
      const error = prefixError(`error parsing template ${this.name}`, this.parseError);
      return { ok: false, text: '', error };
    }
    try {
      return { ok: true, text: await this.tmpl.executeAsync(this.name, data, { env }) };
    } catch (e) {
      return { ok: false, text: '', error: prefixError(`error executing template ${this.name}`, e) };
    }
  }
}

/**
 * A rule's label or annotation template, expanded as Prometheus's alerting rules do: the
 * `$labels`/`$externalLabels`/`$externalURL`/`$value` preamble, the name `__alert_<rule>`, and on
 * failure the text `<error expanding template: ...>` (which Prometheus puts in the annotation).
 *
 * @example
 * const t = new AlertTemplate('DiskFull', '{{ $labels.instance }} is {{ $value | humanizePercentage }} full');
 * const r = await t.expand({ labels: { instance: 'db-1' }, value: 0.93 }, { query });
 * // r.text === 'db-1 is 93% full'
 */
export class AlertTemplate {
  private readonly inner: PrometheusTemplate;

  constructor(
    readonly ruleName: string,
    readonly text: string,
    options: { readonly limits?: Partial<ExecLimits> } = {},
  ) {
    this.inner = new PrometheusTemplate(`__alert_${ruleName}`, ALERT_TEMPLATE_PREAMBLE + text, options);
  }

  /** The parse error `promtool check rules` reports for this template, if any. */
  get parseError(): TemplateError | undefined {
    return this.inner.parseError;
  }

  async expand(data: AlertTemplateData, env: PrometheusEnv = {}): Promise<ExpandResult> {
    const r = await this.inner.expand(new AlertData(data), {
      query: env.query,
      externalURL: env.externalURL ?? data.externalURL,
    });
    if (r.ok) return r;
    return { ok: false, text: `<error expanding template: ${r.error.message}>`, error: r.error };
  }
}
