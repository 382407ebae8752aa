/**
 * Loading dashboard files (config/dashboards/*.yml): YAML → `dashboardSchema` of
 * @watchkeeper/model → checks the schema cannot express. Every problem names the file, the line
 * and column where it can, and the path in the document:
 *
 *   config/dashboards/executive.yml:31:15: rows.0.panels.2.type: Invalid enum value. Expected ...
 *
 * Checks beyond the schema: every query parses with our PromQL parser once variables and
 * `$__range`/`$__interval`/`$__rate_interval` are substituted (`logs` panels hold LogQL and are
 * not parsed), it refers only to the dashboard's variables, a variable's `metric` is a series
 * selector, ids are unique (dashboards across files, panels and variables within one), drill-down
 * links name an existing dashboard and its variables, thresholds ascend, `time` is `now` or
 * `now-<duration>`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { dashboardSchema, type Dashboard, type Panel } from '@watchkeeper/model';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { ZodIssue } from 'zod';
import { parseExpr, ParseError } from '../promql/index.js';
import { expandQuery, relativeTimeMs, unknownBuiltins, variableReferences } from './queries.js';

/** A dashboard and the file it came from. */
export interface DashboardFile {
  /** As given (relative paths stay relative, for messages). */
  readonly file: string;
  readonly dashboard: Dashboard;
}

/** The problems of one file; empty when it is valid. */
export interface FileCheck {
  readonly file: string;
  /** The dashboard, when the file passed the schema (it may still have problems of the later checks). */
  readonly dashboard?: Dashboard;
  readonly problems: string[];
}

/** Dashboard files that failed to load; `problems` are the messages, one per problem. */
export class DashboardLoadError extends Error {
  readonly code = 'WK_DASHBOARDS_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`invalid dashboards:\n  ${problems.join('\n  ')}`);
    this.name = 'DashboardLoadError';
  }
}

/** Values a variable stands for while a query is checked: every variable matches anything. */
const CHECK_CONTEXT = { rangeMs: 6 * 3_600_000, intervalMs: 60_000, rateIntervalMs: 240_000 };

type Path = readonly (string | number)[];

/** Where a path of the document is: the node's start, or its nearest existing ancestor's. */
class Locator {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  position(path: Path, key?: string): { line: number; col: number } | undefined {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      if (node === null || node === undefined) continue;
      // An unknown key: point at the key itself.
      if (key !== undefined && n === path.length && isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
        const keyNode = pair?.key as YamlNode | undefined;
        if (keyNode?.range) return this.lines.linePos(keyNode.range[0]);
      }
      const range = (node as YamlNode).range;
      if (range) return this.lines.linePos(range[0]);
    }
    return undefined;
  }
}

function problem(file: string, where: { line: number; col: number } | undefined, path: Path, message: string): string {
  const at = where ? `${file}:${where.line}:${where.col}` : file;
  return path.length > 0 ? `${at}: ${path.join('.')}: ${message}` : `${at}: ${message}`;
}

function issueMessage(issue: ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

/** A parsed file before the checks across files. */
interface ParsedFile extends FileCheck {
  readonly locator?: Locator;
}

function parseFile(text: string, file: string): ParsedFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      file,
      problems: doc.errors.map((e) => {
        const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return problem(file, e.linePos?.[0], [], `invalid YAML: ${message}`);
      }),
    };
  }
  const locator = new Locator(doc, lines);
  if (doc.contents === null) return { file, locator, problems: [problem(file, undefined, [], 'empty file')] };
  const parsed = dashboardSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      file,
      locator,
      problems: parsed.error.issues.map((i) => {
        const key = i.code === 'unrecognized_keys' && i.keys.length === 1 ? i.keys[0] : undefined;
        return problem(file, locator.position(i.path, key), i.path, issueMessage(i));
      }),
    };
  }
  const dashboard = parsed.data;
  const problems: string[] = [];
  const report = (path: Path, message: string): void => {
    problems.push(problem(file, locator.position(path), path, message));
  };
  checkDashboard(dashboard, report);
  return { file, locator, dashboard, problems };
}

/** Parses and checks one dashboard's text (no checks across files). */
export function parseDashboardText(text: string, file: string): FileCheck {
  const { locator: _locator, ...check } = parseFile(text, file);
  return check;
}

/** Dashboard variables used inside the string of an `=` or `!=` label matcher (`job="$service"`). */
function variablesInEqualityMatchers(expr: string): string[] {
  const out = new Set<string>();
  for (const m of expr.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)) {
    if (m[1]!.startsWith('__')) continue;
    const op = /(=~|!~|!=|=)\s*"[^"]*$/.exec(expr.slice(0, m.index));
    if (op !== null && (op[1] === '=' || op[1] === '!=')) out.add(m[1]!);
  }
  return [...out];
}

/** The PromQL problem of `expr` once expanded, or undefined. */
function promqlProblem(expr: string, variables: ReadonlySet<string>): string | undefined {
  const unknown = variableReferences(expr).filter((v) => !variables.has(v));
  if (unknown.length > 0) {
    return `refers to undefined variable(s) ${unknown.map((v) => `$${v}`).join(', ')}`;
  }
  const equality = variablesInEqualityMatchers(expr);
  if (equality.length > 0) {
    return `${equality.map((v) => `$${v}`).join(', ')} in an = or != matcher: a variable stands for a regex of the selected values (a|b, .* for all), so match it with =~ or !~`;
  }
  const builtins = unknownBuiltins(expr);
  if (builtins.length > 0) {
    return `unknown built-in(s) ${builtins.map((v) => `$${v}`).join(', ')} (known: $__range, $__interval, $__rate_interval, $__range_s, $__range_ms, $__interval_ms)`;
  }
  const all = Object.fromEntries([...variables].map((v) => [v, '.*']));
  const expanded = expandQuery(expr, { ...CHECK_CONTEXT, variables: all });
  try {
    parseExpr(expanded);
    return undefined;
  } catch (err) {
    if (err instanceof ParseError) {
      const { start, end } = err.positionRange;
      const near = expanded.slice(Math.max(0, start - 10), Math.min(expanded.length, Math.max(end, start + 1) + 10));
      return `invalid PromQL: ${err.detail} (near "${near}")`;
    }
    throw err;
  }
}

const LINK_RE = /^(?:dashboard:([a-z][a-z0-9-]*)(?:\?(.*))?|explore|https?:\/\/\S+|\/\S*)$/;

/** Checks of one dashboard that the schema cannot express. */
function checkDashboard(d: Dashboard, report: (path: Path, message: string) => void): void {
  for (const key of ['from', 'to'] as const) {
    if (relativeTimeMs(d.time[key]) === undefined) {
      report(['time', key], `"${d.time[key]}" is not "now" or "now-<duration>" (now-6h, now-30d)`);
    }
  }
  const variables = new Set<string>();
  d.variables.forEach((v, i) => {
    if (variables.has(v.name)) report(['variables', i, 'name'], `duplicate variable "${v.name}"`);
    const earlier = new Set(variables);
    variables.add(v.name);
    const selectorProblem = promqlProblem(v.metric, earlier);
    if (selectorProblem !== undefined) {
      report(['variables', i, 'metric'], selectorProblem);
      return;
    }
    const expanded = expandQuery(v.metric, {
      ...CHECK_CONTEXT,
      variables: Object.fromEntries([...earlier].map((n) => [n, '.*'])),
    });
    if (parseExpr(expanded).type !== 'VectorSelector') {
      report(['variables', i, 'metric'], `"${v.metric}" is not a series selector (metric{label="value"})`);
    }
  });
  const panelIds = new Map<string, string>();
  d.rows.forEach((row, r) => {
    row.panels.forEach((panel, p) => {
      const path = ['rows', r, 'panels', p];
      const seen = panelIds.get(panel.id);
      if (seen !== undefined) report([...path, 'id'], `duplicate panel id "${panel.id}" (also at ${seen})`);
      else panelIds.set(panel.id, path.join('.'));
      checkPanel(panel, path, variables, report);
    });
  });
}

function checkPanel(
  panel: Panel,
  path: Path,
  variables: ReadonlySet<string>,
  report: (path: Path, message: string) => void,
): void {
  if (panel.type !== 'logs') {
    panel.queries.forEach((q, i) => {
      const message = promqlProblem(q.expr, variables);
      if (message !== undefined) report([...path, 'queries', i, 'expr'], message);
    });
  } else if (panel.queries.length !== 1) {
    report([...path, 'queries'], 'a logs panel has one query');
  }
  const thresholds = panel.thresholds ?? [];
  for (let i = 1; i < thresholds.length; i++) {
    if (thresholds[i]!.value <= thresholds[i - 1]!.value) {
      report([...path, 'thresholds', i, 'value'], 'thresholds must ascend');
    }
  }
  if (panel.min !== undefined && panel.max !== undefined && panel.min >= panel.max) {
    report([...path, 'max'], 'max must be greater than min');
  }
  if (panel.target !== undefined && panel.type !== 'gauge') {
    report([...path, 'target'], `a target is drawn on gauge panels only, not on ${panel.type}`);
  }
  (panel.links ?? []).forEach((link, i) => {
    if (!LINK_RE.test(link.target)) {
      report(
        [...path, 'links', i, 'target'],
        `"${link.target}" is not dashboard:<id>[?var=value&...], explore, or an http(s) or /path URL`,
      );
    }
  });
}

/** The dashboard files of a folder: `*.yml` and `*.yaml`, sorted by name, not recursive. */
export function dashboardFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
}

function readAndParse(file: string): ParsedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { file, problems: [`${file}: cannot read: ${(err as Error).message}`] };
  }
  return parseFile(text, file);
}

/** A `dashboard:<id>?a=b&c=d` link: the id and the variable names it sets. */
export function parseDashboardLink(target: string): { id: string; variables: string[] } | undefined {
  const m = LINK_RE.exec(target);
  if (!m || m[1] === undefined) return undefined;
  const variables = (m[2] ?? '')
    .split('&')
    .filter((kv) => kv !== '')
    .map((kv) => decodeURIComponent(kv.split('=')[0]!));
  return { id: m[1], variables };
}

/**
 * Checks across files: duplicate dashboard ids, and links to dashboards (which must exist among
 * `files` or `references`, with the variables they set).
 */
function checkSet(files: readonly ParsedFile[], references: readonly ParsedFile[]): Map<string, string[]> {
  const extra = new Map<string, string[]>();
  const add = (f: ParsedFile, path: Path, message: string): void => {
    const list = extra.get(f.file) ?? [];
    list.push(problem(f.file, f.locator?.position(path), path, message));
    extra.set(f.file, list);
  };
  const byId = new Map<string, ParsedFile>();
  for (const f of files) {
    if (!f.dashboard) continue;
    const other = byId.get(f.dashboard.id);
    if (other !== undefined) add(f, ['id'], `duplicate dashboard id "${f.dashboard.id}" (also in ${other.file})`);
    else byId.set(f.dashboard.id, f);
  }
  const known = new Map<string, Dashboard>();
  for (const f of [...references, ...files]) if (f.dashboard) known.set(f.dashboard.id, f.dashboard);
  for (const f of files) {
    f.dashboard?.rows.forEach((row, r) =>
      row.panels.forEach((panel, p) =>
        (panel.links ?? []).forEach((link, i) => {
          const parsed = parseDashboardLink(link.target);
          if (parsed === undefined) return;
          const path = ['rows', r, 'panels', p, 'links', i, 'target'];
          const target = known.get(parsed.id);
          if (target === undefined) {
            add(f, path, `links to dashboard "${parsed.id}", which does not exist`);
            return;
          }
          const names = new Set(target.variables.map((v) => v.name));
          const missing = parsed.variables.filter((v) => !names.has(v));
          if (missing.length > 0) {
            add(f, path, `dashboard "${parsed.id}" has no variable(s) ${missing.map((v) => `"${v}"`).join(', ')}`);
          }
        }),
      ),
    );
  }
  return extra;
}

/**
 * Loads dashboards from files and folders (a folder: its `*.yml`/`*.yaml` files). Links may also
 * point at dashboards in the same folders that were not named (`check dashboards one.yml`).
 * Returns every file's result, in order; nothing throws for a bad file.
 */
export function checkDashboardPaths(paths: readonly string[]): FileCheck[] {
  const files: string[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) files.push(...dashboardFilesIn(p));
    else files.push(p);
  }
  const parsed = files.map(readAndParse);
  const named = new Set(files.map((f) => resolve(f)));
  const siblings = [...new Set(files.map((f) => dirname(resolve(f))))]
    .flatMap((dir) => dashboardFilesIn(dir))
    .filter((f) => !named.has(resolve(f)))
    .map(readAndParse);
  const extra = checkSet(parsed, siblings);
  return parsed.map(({ locator: _locator, ...f }) => ({
    ...f,
    problems: [...f.problems, ...(extra.get(f.file) ?? [])],
  }));
}

/** Loads the dashboards of `paths`; throws DashboardLoadError with every problem when any file is invalid. */
export function loadDashboards(paths: readonly string[]): DashboardFile[] {
  const checked = checkDashboardPaths(paths);
  const problems = checked.flatMap((c) => c.problems);
  if (problems.length > 0) throw new DashboardLoadError(problems);
  return checked.map((c) => ({ file: c.file, dashboard: c.dashboard! }));
}

/**
 * The dashboards of the configured folder (`dashboards.path` of watchkeeper.yml). A folder that
 * does not exist holds no dashboards, unless the configuration names it (`required`): then it is
 * an error. Throws DashboardLoadError.
 */
export function loadDashboardFolder(dir: string, required: boolean): DashboardFile[] {
  if (!existsSync(dir)) {
    if (required) throw new DashboardLoadError([`${dir}: the dashboards folder does not exist`]);
    return [];
  }
  if (!statSync(dir).isDirectory()) throw new DashboardLoadError([`${dir}: not a folder`]);
  return loadDashboards([dir]);
}
