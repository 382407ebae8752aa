/**
 * Alertmanager 0.25's notification templates (alertmanager/template/template.go): its function
 * set (toUpper, toLower, title, join, match, safeHtml, reReplaceAll, stringSlice — no humanize),
 * its data model (Data, Alert, Alerts with Firing/Resolved, KV with SortedPairs/Names/Values/
 * Remove) and ExecuteTextString/ExecuteHTMLString.
 */
import { FuncError } from './builtins.js';
import { casesTitle, goToLower, goToUpper } from './casing.js';
import { TemplateError } from './errors.js';
import type { ExecLimits } from './exec.js';
import { compileRegexp, mustCompile } from './regexp.js';
import { utf8Bytes } from './strconv.js';
import { Template, type FuncMap } from './template.js';
import { GoTime } from './time.js';
import {
  GO_METHODS,
  GO_TYPE,
  GoMap,
  T_STRING,
  T_STRING_SLICE,
  compareStrings,
  goSlice,
  safeHTML,
  type GoFunc,
  type GoMethods,
  type GoType,
} from './value.js';

function fn(params: readonly GoType[], call: GoFunc['call'], variadic?: GoType): GoFunc {
  return { params, call, variadic };
}

function method<R>(params: readonly GoType[], f: (receiver: R, args: unknown[]) => unknown): GoFunc {
  return { params, call: (args, _ctx, receiver) => f(receiver as R, args) };
}

/** Alertmanager 0.25's template functions. */
export const ALERTMANAGER_FUNCS: FuncMap = {
  toUpper: fn([T_STRING], (a) => goToUpper(a[0] as string)),
  toLower: fn([T_STRING], (a) => goToLower(a[0] as string)),
  title: fn([T_STRING], (a) => casesTitle(a[0] as string)),
  join: fn([T_STRING, T_STRING_SLICE], (a) => (a[1] as string[]).join(a[0] as string)),
  match: fn([T_STRING, T_STRING], (a) => {
    try {
      return compileRegexp(a[0] as string).matchString(a[1] as string);
    } catch (e) {
      throw new FuncError(e instanceof Error ? e.message : String(e));
    }
  }),
  safeHtml: fn([T_STRING], (a) => safeHTML(a[0] as string)),
  reReplaceAll: fn([T_STRING, T_STRING, T_STRING], (a) =>
    mustCompile(a[0] as string).replaceAllString(a[2] as string, a[1] as string),
  ),
  stringSlice: fn([], (a) => goSlice([...(a as string[])], '[]string'), T_STRING),
};

/** A label name and value (Alertmanager's template.Pair). */
export class Pair {
  static readonly [GO_TYPE] = 'template.Pair';
  constructor(
    readonly Name: string,
    readonly Value: string,
  ) {}
}

/** template.Pairs: pairs with Names and Values. */
export class Pairs extends Array<Pair> {
  get [GO_TYPE](): string {
    return 'template.Pairs';
  }
  static readonly [GO_METHODS]: GoMethods = {
    Names: method([], (ps: Pairs) =>
      goSlice(
        [...ps].map((p) => p.Name),
        '[]string',
      ),
    ),
    Values: method([], (ps: Pairs) =>
      goSlice(
        [...ps].map((p) => p.Value),
        '[]string',
      ),
    ),
  };
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

/** template.KV: a label set with SortedPairs (alertname first), Names, Values and Remove. */
export class KV extends GoMap {
  constructor(entries: ReadonlyMap<string, string>) {
    super(entries, 'template.KV', '');
  }

  static of(record: Readonly<Record<string, string>>): KV {
    return new KV(new Map(Object.entries(record)));
  }

  sortedPairs(): Pairs {
    const keys = [...this.entries.keys()].filter((k) => k !== 'alertname').sort(compareStrings);
    if (this.entries.has('alertname')) keys.unshift('alertname');
    const pairs = new Pairs();
    for (const k of keys) pairs.push(new Pair(k, this.entries.get(k) as string));
    return pairs;
  }

  static readonly [GO_METHODS]: GoMethods = {
    SortedPairs: method([], (kv: KV) => kv.sortedPairs()),
    Names: method([], (kv: KV) =>
      goSlice(
        [...kv.sortedPairs()].map((p) => p.Name),
        '[]string',
      ),
    ),
    Values: method([], (kv: KV) =>
      goSlice(
        [...kv.sortedPairs()].map((p) => p.Value),
        '[]string',
      ),
    ),
    Remove: method([T_STRING_SLICE], (kv: KV, args) => {
      const drop = new Set(args[0] as string[]);
      return new KV(new Map([...kv.entries].filter(([k]) => !drop.has(k)) as [string, string][]));
    }),
  };
}

/** One alert of a notification (template.Alert). */
export class AmAlert {
  static readonly [GO_TYPE] = 'template.Alert';
  constructor(
    readonly Status: string,
    readonly Labels: KV,
    readonly Annotations: KV,
    readonly StartsAt: GoTime,
    readonly EndsAt: GoTime,
    readonly GeneratorURL: string,
    readonly Fingerprint: string,
  ) {}
}

/** template.Alerts: the alerts of a notification, with Firing and Resolved. */
export class Alerts extends Array<AmAlert> {
  get [GO_TYPE](): string {
    return 'template.Alerts';
  }
  static readonly [GO_METHODS]: GoMethods = {
    Firing: method([], (as: Alerts) =>
      goSlice(
        [...as].filter((a) => a.Status === 'firing'),
        '[]template.Alert',
      ),
    ),
    Resolved: method([], (as: Alerts) =>
      goSlice(
        [...as].filter((a) => a.Status === 'resolved'),
        '[]template.Alert',
      ),
    ),
  };
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

/** The data of a notification template (*template.Data). */
export class AmData {
  static readonly [GO_TYPE] = '*template.Data';
  constructor(
    readonly Receiver: string,
    readonly Status: string,
    readonly Alerts: Alerts,
    readonly GroupLabels: KV,
    readonly CommonLabels: KV,
    readonly CommonAnnotations: KV,
    readonly ExternalURL: string,
  ) {}
}

/** An alert as the alerting module hands it to templates. */
export interface NotificationAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAtMs: number;
  /** Unset: Go's zero time (`0001-01-01 00:00:00 +0000 UTC`). */
  readonly endsAtMs?: number;
  readonly generatorURL: string;
  /** Default: Alertmanager's fingerprint of the labels (FNV-1a, 16 hex digits). */
  readonly fingerprint?: string;
}

export interface NotificationInput {
  readonly receiver: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly alerts: readonly NotificationAlert[];
  readonly externalURL: string;
}

/** Go's regexp.QuoteMeta (Alertmanager quotes the receiver name in Data). */
function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** Alertmanager's fingerprint of a label set: FNV-1a 64 over sorted name/value pairs, as 16 hex digits. */
export function labelsFingerprint(labels: Readonly<Record<string, string>>): string {
  const PRIME = 1099511628211n;
  const MASK = 0xffffffffffffffffn;
  let h = 14695981039346656037n;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * PRIME) & MASK;
  };
  const sep = Uint8Array.of(0xff);
  for (const name of Object.keys(labels).sort(compareStrings)) {
    add(utf8Bytes(name));
    add(sep);
    add(utf8Bytes(labels[name]!));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}

function common(records: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  if (records.length === 0) return {};
  const out: Record<string, string> = { ...records[0] };
  for (const r of records.slice(1)) {
    for (const k of Object.keys(out)) if (r[k] !== out[k]) delete out[k];
  }
  return out;
}

/** Builds a notification's template data as Alertmanager's Template.Data does. */
export function notificationData(input: NotificationInput): AmData {
  const alerts = new Alerts();
  for (const a of input.alerts) {
    alerts.push(
      new AmAlert(
        a.status,
        KV.of(a.labels),
        KV.of(a.annotations),
        GoTime.fromUnixMs(a.startsAtMs),
        a.endsAtMs === undefined ? GoTime.zero() : GoTime.fromUnixMs(a.endsAtMs),
        a.generatorURL,
        a.fingerprint ?? labelsFingerprint(a.labels),
      ),
    );
  }
  return new AmData(
    quoteMeta(input.receiver),
    input.alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    KV.of(input.groupLabels),
    KV.of(common(input.alerts.map((a) => a.labels))),
    KV.of(common(input.alerts.map((a) => a.annotations))),
    input.externalURL,
  );
}

/** The result of rendering: the text, or the error (Alertmanager then fails the notification). */
export type RenderResult =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: TemplateError };

/**
 * Alertmanager's templates: the definitions of template files, and ExecuteTextString/
 * ExecuteHTMLString for the strings of a receiver's configuration.
 *
 * @example
 * const t = new AlertmanagerTemplates();
 * t.addFile('custom.tmpl', '{{ define "title" }}[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}{{ end }}');
 * const r = t.executeText('{{ template "title" . }}', notificationData(input));
 */
export class AlertmanagerTemplates {
  private readonly text: Template;
  private readonly html: Template;

  constructor(options: { readonly limits?: Partial<ExecLimits> } = {}) {
    this.text = new Template({ funcs: ALERTMANAGER_FUNCS, missingKey: 'zero', limits: options.limits });
    this.html = new Template({ funcs: ALERTMANAGER_FUNCS, missingKey: 'zero', html: true, limits: options.limits });
  }

  /** Adds a template file's definitions under its base name (Go's ParseFiles). Throws TemplateError. */
  addFile(name: string, content: string): void {
    this.text.parse(name, content);
    this.html.parse(name, content);
  }

  /** Go's Template.ExecuteTextString: `text` parsed as the unnamed template and run on `data`. */
  executeText(text: string, data: AmData): RenderResult {
    return execute(this.text, text, data);
  }

  /** ExecuteHTMLString (email bodies): printed values are HTML-escaped unless safeHtml. */
  executeHtml(text: string, data: AmData): RenderResult {
    return execute(this.html, text, data);
  }
}

function execute(base: Template, text: string, data: AmData): RenderResult {
  if (text === '') return { ok: true, text: '' };
  try {
    const t = base.clone().parse('', text);
    return { ok: true, text: t.execute('', data) };
  } catch (e) {
    if (e instanceof TemplateError) return { ok: false, error: e };
    throw e;
  }
}
