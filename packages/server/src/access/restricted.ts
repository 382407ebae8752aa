/**
 * The restricted-series policy (issue 6, "Restricted series"; README.md). Restricted are the
 * series whose metric name starts with `_sms_` (the revenue-internal catalog entries) and every
 * series a rule derives from them, transitively: the `record` name of a recording rule whose
 * expression can select a restricted series, and the alerts of an alerting rule that can (their
 * ALERTS / ALERTS_FOR_STATE series, rule and alert entries, Alertmanager alerts, incidents).
 *
 * For a principal without `restricted:read` every read path behaves as if restricted series did
 * not exist: the query engine reads storage through a series filter (QueryOptions.seriesFilter),
 * and a query that names a restricted series explicitly is refused before evaluation
 * (QueryOptions.checkExpr → RestrictedSeriesError, HTTP 403). For a principal with the permission
 * nothing is hidden, and every read that returned restricted data is audited as `allowed`.
 *
 * promql/ and tsdb/ know nothing of this module: they take a predicate and a check, built here.
 */
import { CATALOG, isRestrictedMetricName, type MetricDefinition, RESTRICTED_PREFIX } from '@watchkeeper/model';
import { type Labels, METRIC_NAME } from '../lib/labels.js';
import type { Matcher } from '../lib/matcher.js';
import { type Expr, parseExpr, type QueryOptions, type VectorSelector, vectorSelectors } from '../promql/index.js';
import { filterQueryable, type FilteredQueryable, type Queryable } from '../tsdb/index.js';
import type { AuditLog } from './audit.js';
import { canReadRestricted, type Principal } from './roles.js';

/** A rule as the policy reads it (rules/'s RecordingRule and AlertingRule fit this shape). */
export interface RestrictedRuleInput {
  readonly kind: 'recording' | 'alerting';
  /** The `record` name or the `alert` name. */
  readonly name: string;
  readonly expr: Expr;
  /** Label values (templates for alerting rules). */
  readonly labels?: readonly (readonly [string, string])[];
  /** Annotation templates (alerting rules). */
  readonly annotations?: readonly (readonly [string, string])[];
}

/** A label that marks an alert (and its ALERTS series) restricted whatever else it says: `access="restricted"`. */
export const RESTRICTED_MARKER_LABEL = 'access';
export const RESTRICTED_MARKER_VALUE = 'restricted';

/** The series rules write for alerts; their `alertname` says which rule. */
const ALERT_SERIES = ['ALERTS', 'ALERTS_FOR_STATE'] as const;

/**
 * Names that stand for "some `_sms_` series not stored yet" when deciding whether a regex or
 * negative matcher on `__name__` can select a restricted series: a regex that matches none of the
 * stored or catalogued restricted names but matches these (`_sms_.*`, `.+`, `!=""`) still counts.
 */
const PREFIX_PROBES = [RESTRICTED_PREFIX, `${RESTRICTED_PREFIX}x`, `${RESTRICTED_PREFIX}0`];

/** The series names of the catalog's restricted metrics (with the suffixes their types expose). */
const CATALOG_RESTRICTED_NAMES: readonly string[] = (CATALOG as readonly MetricDefinition[])
  .filter((m) => m.restricted)
  .flatMap((m) => {
    switch (m.type) {
      case 'counter':
        return [m.name, `${m.name}_total`];
      case 'histogram':
        return [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`];
      case 'summary':
        return [m.name, `${m.name}_sum`, `${m.name}_count`];
      default:
        return [m.name];
    }
  });

/** A query refused because it names restricted series explicitly: HTTP 403, errorType `forbidden`. */
export class RestrictedSeriesError extends Error {
  readonly code = 'WK_ACCESS_RESTRICTED';
  readonly status = 403;
  constructor(readonly names: readonly string[]) {
    super(`query names restricted series ${names.join(', ')}; reading them needs the restricted:read permission`);
    this.name = 'RestrictedSeriesError';
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What is restricted right now: the `_sms_` prefix plus the names rules derive from restricted
 * series (computed by `deriveRestrictedNames`). Immutable; the policy computes a fresh one per
 * request, so rule reloads and new series are seen at once.
 */
export class RestrictedNames {
  private mentionRe: RegExp | undefined;

  constructor(
    /** Metric names recorded by rules from restricted series (names with the prefix are not listed). */
    readonly metrics: ReadonlySet<string>,
    /** Alert names of alerting rules that read restricted series. */
    readonly alerts: ReadonlySet<string>,
    /** Why each derived name is restricted (`metric:<name>` / `alert:<name>` → reason), for audits and tests. */
    readonly reasons: ReadonlyMap<string, string>,
  ) {}

  isRestrictedMetric(name: string): boolean {
    return isRestrictedMetricName(name) || this.metrics.has(name);
  }

  isRestrictedAlert(name: string): boolean {
    return this.alerts.has(name);
  }

  /**
   * Whether one label (of a series or an alert) makes it restricted: a restricted metric name as
   * any label's value (`__name__`, or a name copied into another label), a restricted alert's
   * `alertname`, or the `access="restricted"` marker.
   */
  isRestrictedLabel(name: string, value: string): boolean {
    if (value.startsWith(RESTRICTED_PREFIX) || this.metrics.has(value)) return true;
    if (name === 'alertname' && this.alerts.has(value)) return true;
    return name === RESTRICTED_MARKER_LABEL && value === RESTRICTED_MARKER_VALUE;
  }

  /** A short name of the restricted series (for audit details), or undefined when it is not restricted. */
  restrictedSeries(labels: Labels): string | undefined {
    for (const [n, v] of labels) {
      if (this.isRestrictedLabel(n, v)) return describeSeries(labels.get(METRIC_NAME), n, v);
    }
    return undefined;
  }

  /** The same for a label set given as a record (alerts). */
  restrictedLabelSet(labels: Readonly<Record<string, string>>): string | undefined {
    for (const [n, v] of Object.entries(labels)) {
      if (this.isRestrictedLabel(n, v)) return describeSeries(labels[METRIC_NAME] ?? '', n, v);
    }
    return undefined;
  }

  /**
   * Whether free text (a rule's query, an annotation, a silence, a configuration) mentions a
   * restricted name: anything containing `_sms_`, or a derived metric or alert name as a word.
   */
  mentions(text: string): boolean {
    return this.mentionRegExp().test(text);
  }

  /** Replaces every restricted name in `text` by `<restricted>`. */
  scrub(text: string): string {
    return text.replace(new RegExp(this.mentionRegExp().source, 'g'), '<restricted>');
  }

  private mentionRegExp(): RegExp {
    if (!this.mentionRe) {
      const words = [...this.metrics, ...this.alerts].sort((a, b) => b.length - a.length).map(escapeRegExp);
      const prefix = `[A-Za-z0-9_:]*${escapeRegExp(RESTRICTED_PREFIX)}[A-Za-z0-9_:]*`;
      const alternatives =
        words.length > 0 ? `${prefix}|(?<![A-Za-z0-9_:])(?:${words.join('|')})(?![A-Za-z0-9_:])` : prefix;
      this.mentionRe = new RegExp(alternatives);
    }
    return this.mentionRe;
  }

  /**
   * What a selector names explicitly, as text for the error and the audit: an equality matcher
   * whose value is restricted (`_sms_x`, `{__name__="_sms_x"}`, `ALERTS{alertname="<derived>"}`,
   * `{access="restricted"}`). Regexes and negative matchers are not explicit: the series filter
   * hides what they would match.
   */
  explicitNames(matchers: readonly Matcher[]): string[] {
    const out: string[] = [];
    for (const m of matchers) {
      if (m.type !== '=' || !this.isRestrictedLabel(m.name, m.value)) continue;
      out.push(m.name === METRIC_NAME ? m.value : `{${m.name}=${JSON.stringify(m.value)}}`);
    }
    return out;
  }
}

function describeSeries(metric: string, label: string, value: string): string {
  if (label === METRIC_NAME) return value;
  return `${metric}{${label}=${JSON.stringify(value)}}`;
}

/** The catalogued, stored and probe names that stand for restricted series when matching `__name__` regexes. */
function restrictedNameCandidates(storedNames: Iterable<string>, derived: ReadonlySet<string>): string[] {
  const out = new Set<string>([...PREFIX_PROBES, ...CATALOG_RESTRICTED_NAMES, ...derived]);
  for (const n of storedNames) if (isRestrictedMetricName(n)) out.add(n);
  return [...out];
}

/**
 * Why a selector can select a restricted series (undefined when it cannot). Conservative: only the
 * `__name__` (and, for ALERTS, `alertname`) matchers are weighed, so a selector without a
 * `__name__` matcher counts, as does a regex or negative matcher that matches any restricted name
 * stored, catalogued or derived, or a name with the bare prefix.
 */
function selectorReason(
  sel: VectorSelector,
  names: RestrictedNames,
  candidates: readonly string[],
): string | undefined {
  const explicit = names.explicitNames(sel.matchers);
  if (explicit.length > 0) return `${formatSelector(sel)} names ${explicit.join(', ')}`;
  const nameMatchers = sel.matchers.filter((m) => m.name === METRIC_NAME);
  const matchesName = (n: string): boolean => nameMatchers.every((m) => m.matches(n));
  // A selector that pins a name other than ALERTS matches no candidate: no need to try them all.
  const pinned = nameMatchers.find((m) => m.type === '=')?.value;
  const hit = pinned === undefined ? candidates.find(matchesName) : undefined;
  if (hit !== undefined) {
    const text = formatSelector(sel);
    return nameMatchers.length === 0
      ? `${text} has no __name__ matcher, so it can select every metric, restricted ones included`
      : `${text} can select restricted ${PREFIX_PROBES.includes(hit) ? `${RESTRICTED_PREFIX}* series` : hit}`;
  }
  if (names.alerts.size > 0) {
    const alertMatchers = sel.matchers.filter((m) => m.name === 'alertname');
    for (const series of ALERT_SERIES) {
      if (!matchesName(series)) continue;
      const alert = [...names.alerts].find((a) => alertMatchers.every((m) => m.matches(a)));
      if (alert !== undefined) return `${formatSelector(sel)} can select ${series}{alertname="${alert}"}`;
    }
  }
  return undefined;
}

function formatSelector(sel: VectorSelector): string {
  const rest = sel.matchers.filter((m) => !(sel.name !== undefined && m.name === METRIC_NAME && m.type === '='));
  const inner = rest.map((m: Matcher) => m.toString()).join(',');
  return `${sel.name ?? ''}${inner === '' && sel.name !== undefined ? '' : `{${inner}}`}`;
}

/** Go template actions `{{ ... }}` (trim markers included). */
const TEMPLATE_ACTION = /\{\{-?([\s\S]*?)-?\}\}/g;
/** `query "..."` or query `...` with a literal argument. */
const LITERAL_QUERY = /\bquery\s+(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`)/g;

/**
 * Why a rule template (label or annotation value) reads or shows restricted data: it mentions a
 * restricted name, or calls `query` with a query that can select restricted series — or with a
 * query that is computed rather than literal, which cannot be checked and so counts.
 */
function templateReason(text: string, names: RestrictedNames, candidates: readonly string[]): string | undefined {
  if (names.mentions(text)) return 'a template mentions a restricted name';
  for (const action of text.matchAll(TEMPLATE_ACTION)) {
    const body = action[1] ?? '';
    const calls = body.match(/\bquery\b/g)?.length ?? 0;
    if (calls === 0) continue;
    const literals = [...body.matchAll(LITERAL_QUERY)];
    if (literals.length < calls) return 'a template calls query with a computed query, which cannot be checked';
    for (const lit of literals) {
      let q: string;
      try {
        q = lit[1] !== undefined ? (JSON.parse(`"${lit[1]}"`) as string) : (lit[2] ?? '');
      } catch {
        return 'a template calls query with a string that cannot be read';
      }
      const why = exprReason(q, names, candidates);
      if (why !== undefined) return `a template's query: ${why}`;
    }
  }
  return undefined;
}

function exprReason(expr: Expr | string, names: RestrictedNames, candidates: readonly string[]): string | undefined {
  let e: Expr;
  try {
    e = typeof expr === 'string' ? parseExpr(expr) : expr;
  } catch {
    return 'the query does not parse, so what it reads cannot be checked';
  }
  for (const sel of vectorSelectors(e)) {
    const why = selectorReason(sel, names, candidates);
    if (why !== undefined) return why;
  }
  return undefined;
}

/**
 * Derives the restricted metric and alert names from the rules (to a fixpoint, so derivations of
 * derivations count) and the metric names in storage (for regexes over `__name__`).
 */
export function deriveRestrictedNames(
  rules: Iterable<RestrictedRuleInput>,
  storedMetricNames: Iterable<string> = [],
): RestrictedNames {
  const list = [...rules];
  const stored = [...storedMetricNames];
  const metrics = new Set<string>();
  const alerts = new Set<string>();
  const reasons = new Map<string, string>();
  for (let changed = true; changed;) {
    changed = false;
    const names = new RestrictedNames(metrics, alerts, reasons);
    const candidates = restrictedNameCandidates(stored, metrics);
    for (const rule of list) {
      const already = rule.kind === 'recording' ? names.isRestrictedMetric(rule.name) : alerts.has(rule.name);
      if (already) continue;
      let why: string | undefined;
      if (
        rule.kind === 'alerting' &&
        rule.labels?.some(([n, v]) => n === RESTRICTED_MARKER_LABEL && v === RESTRICTED_MARKER_VALUE)
      ) {
        why = `it is labelled ${RESTRICTED_MARKER_LABEL}="${RESTRICTED_MARKER_VALUE}"`;
      }
      why ??= exprReason(rule.expr, names, candidates);
      for (const [, v] of [...(rule.labels ?? []), ...(rule.annotations ?? [])]) {
        why ??= templateReason(v, names, candidates);
      }
      if (why === undefined) continue;
      if (rule.kind === 'recording') metrics.add(rule.name);
      else alerts.add(rule.name);
      reasons.set(`${rule.kind === 'recording' ? 'metric' : 'alert'}:${rule.name}`, why);
      changed = true;
    }
  }
  return new RestrictedNames(metrics, alerts, reasons);
}

export interface RestrictedSeriesPolicyOptions {
  /** Where stored metric names are read (`labelValues('__name__')`), for regexes over `__name__`. */
  storage: Pick<Queryable, 'labelValues'>;
  /** The rules in force (the rule manager's, read at every request). */
  rules(): Iterable<RestrictedRuleInput>;
  /** Where allowed and denied accesses to restricted data are recorded. */
  audit: AuditLog;
}

/** What a request is, for the audit log. */
export interface RestrictedRequest {
  /** `query`, `query_range`, `series`, `labels`, `label_values`, `metadata`, `tsdb_status`, `rules`, `alerts`, `incidents`, ... */
  action: string;
  /** The query, match[] selectors, or what was asked for. */
  resource: string;
  remoteAddress?: string;
}

/** The policy: one per server. `scope()` gives the view of one request by one principal. */
export class RestrictedSeriesPolicy {
  /** The last derivation and what it was derived from: rules (by identity) and stored restricted names. */
  private last: { rules: RestrictedRuleInput[]; stored: string; names: RestrictedNames } | undefined;

  constructor(private readonly opts: RestrictedSeriesPolicyOptions) {}

  /**
   * The restricted names now. Rules and stored names are read on every call; the derivation is
   * redone only when the rules (compared by identity: the rule manager keeps its rule objects
   * until a reload) or the stored restricted names changed, since nothing else enters it.
   */
  names(): RestrictedNames {
    const rules = [...this.opts.rules()];
    const storedList = this.opts.storage.labelValues(METRIC_NAME).filter(isRestrictedMetricName);
    const stored = storedList.join('\n');
    const last = this.last;
    if (
      last &&
      last.stored === stored &&
      last.rules.length === rules.length &&
      last.rules.every((r, i) => r === rules[i])
    ) {
      return last.names;
    }
    const names = deriveRestrictedNames(rules, storedList);
    this.last = { rules, stored, names };
    return names;
  }

  scope(principal: Principal, request: RestrictedRequest): RestrictedScope {
    return new RestrictedScope(this, this.opts.audit, principal, request);
  }
}

/** At most this many names in an audit entry's detail. */
const MAX_AUDIT_NAMES = 20;

function nameList(names: ReadonlySet<string>): string {
  const list = [...names].sort();
  const shown = list.slice(0, MAX_AUDIT_NAMES).join(', ');
  return list.length > MAX_AUDIT_NAMES ? `${shown} and ${list.length - MAX_AUDIT_NAMES} more` : shown;
}

/**
 * One request's view: the checks and filters to apply, and what was hidden (no permission) or
 * returned (permission) for the audit entry `finish()` writes. Not shared between requests.
 */
export class RestrictedScope {
  /** Whether the principal may read restricted series (then nothing is hidden, only audited). */
  readonly canRead: boolean;
  private cached: RestrictedNames | undefined;
  private readonly hidden = new Set<string>();
  private readonly returned = new Set<string>();
  private done = false;

  constructor(
    private readonly policy: RestrictedSeriesPolicy,
    private readonly audit: AuditLog,
    readonly principal: Principal,
    readonly request: RestrictedRequest,
  ) {
    this.canRead = canReadRestricted(principal);
  }

  /** The restricted names, computed once for this request. */
  get names(): RestrictedNames {
    this.cached ??= this.policy.names();
    return this.cached;
  }

  /**
   * Refuses (RestrictedSeriesError, audited as denied) an expression that names a restricted
   * series explicitly, anywhere in it; for a principal who may read them, notes the names.
   */
  readonly checkExpr = (expr: Expr): void => {
    this.checkSelectors(vectorSelectors(expr).map((s) => s.matchers));
  };

  /** The same for `match[]` selectors of the series, labels and label values endpoints. */
  checkSelectors(matcherSets: readonly (readonly Matcher[])[]): void {
    const named = new Set<string>();
    for (const matchers of matcherSets) {
      for (const n of this.names.explicitNames(matchers)) named.add(n);
    }
    if (named.size === 0) return;
    if (this.canRead) {
      for (const n of named) this.returned.add(n);
      return;
    }
    const err = new RestrictedSeriesError([...named].sort());
    this.record('denied', err.message);
    throw err;
  }

  /** The series filter for the query engine and storage reads: hides (or, with the permission, notes) restricted series. */
  readonly seriesFilter = (labels: Labels): boolean => {
    const restricted = this.names.restrictedSeries(labels);
    if (restricted === undefined) return true;
    return this.note(restricted);
  };

  /** QueryOptions for Engine.instantQuery / rangeQuery. */
  queryOptions(): Pick<QueryOptions, 'checkExpr' | 'seriesFilter'> {
    return { checkExpr: this.checkExpr, seriesFilter: this.seriesFilter };
  }

  /** Storage as this request may read it (series, labels, label values, status). */
  queryable(storage: Queryable): FilteredQueryable {
    return filterQueryable(storage, this.seriesFilter);
  }

  /** Whether a metric (family) name may be shown (metadata, cardinality statistics). */
  showMetricName(name: string): boolean {
    return this.names.isRestrictedMetric(name) ? this.note(name) : true;
  }

  /** Whether an alert (labels and annotations, as records) may be shown. */
  showAlert(labels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>> = {}): boolean {
    const restricted =
      this.names.restrictedLabelSet(labels) ??
      (Object.values(annotations).some((v) => this.names.mentions(v))
        ? `alert ${labels['alertname'] ?? ''}`
        : undefined);
    return restricted === undefined ? true : this.note(restricted);
  }

  /** Whether a rule (its entry in /api/v1/rules, with its alerts) may be shown. */
  showRule(rule: RestrictedRuleInput & { readonly query?: string }): boolean {
    const derived =
      rule.kind === 'recording' ? this.names.isRestrictedMetric(rule.name) : this.names.isRestrictedAlert(rule.name);
    const texts = [rule.name, rule.query ?? '', ...[...(rule.labels ?? []), ...(rule.annotations ?? [])].flat()];
    if (!derived && !texts.some((t) => this.names.mentions(t))) return true;
    return this.note(`${rule.kind === 'recording' ? 'recording rule' : 'alerting rule'} ${rule.name}`);
  }

  /** Whether free text (a serialised incident, silence, suppression decision) may be shown; `what` names it in the audit. */
  showText(text: string, what: string): boolean {
    return this.names.mentions(text) ? this.note(what) : true;
  }

  /** Text with restricted names replaced by `<restricted>` for a principal who may not read them (configuration). */
  scrub(text: string): string {
    if (!this.names.mentions(text)) return text;
    if (this.canRead) {
      this.returned.add('restricted names in configuration');
      return text;
    }
    this.hidden.add('restricted names in configuration');
    return this.names.scrub(text);
  }

  /** Writes the request's audit entry: `denied` when something was hidden, `allowed` when restricted data was returned. */
  finish(): void {
    if (this.done) return;
    if (this.hidden.size > 0) this.record('denied', `hidden from the response: ${nameList(this.hidden)}`);
    else if (this.returned.size > 0) this.record('allowed', `returned: ${nameList(this.returned)}`);
  }

  /** Notes a restricted item; returns whether it may be shown. */
  private note(what: string): boolean {
    if (this.canRead) {
      this.returned.add(what);
      return true;
    }
    this.hidden.add(what);
    return false;
  }

  private record(decision: 'allowed' | 'denied', detail: string): void {
    this.done = true;
    this.audit.record({
      action: this.request.action,
      decision,
      principal: this.principal,
      resource: this.request.resource,
      detail,
      ...(this.request.remoteAddress !== undefined && { remoteAddress: this.request.remoteAddress }),
    });
  }
}
