/**
 * Panel drill-down links → URLs. `dashboard:<id>` opens that dashboard over the same time range
 * with its variables taken from the clicked series' labels (else the current selection of a
 * variable of the same name); `explore` opens the panel's query in Explore over the same range;
 * anything else is a URL template with `${label}` references.
 */
import type { Variable } from '../model';
import { formatDuration, type ResolvedRange, type TimeRangeSpec } from './time';
import { interpolateLink, type VariableSelection } from './variables';

export interface LinkContext {
  labels: Record<string, string>;
  /** The panel's first query, with variables replaced. */
  expr: string;
  time: TimeRangeSpec;
  range: ResolvedRange;
  selections: Record<string, VariableSelection>;
  /** The target dashboard's variables, when known. */
  targetVariables?: Variable[];
}

export interface ResolvedLink {
  href: string;
  /** Leaves the UI (opened in a new tab). */
  external: boolean;
}

export const ALL_VALUE = '$__all';

/** Variable selections as URL parameters (`var-company=a&var-company=b`, `$__all` for All). */
export function selectionParams(
  selections: Record<string, VariableSelection>,
  into = new URLSearchParams(),
): URLSearchParams {
  for (const [name, sel] of Object.entries(selections)) {
    into.delete(`var-${name}`);
    if (sel.all) into.append(`var-${name}`, ALL_VALUE);
    else for (const v of sel.values) into.append(`var-${name}`, v);
  }
  return into;
}

/** The selection a URL carries for a variable, or undefined when it carries none. */
export function selectionFromParams(params: URLSearchParams, name: string): VariableSelection | undefined {
  const vs = params.getAll(`var-${name}`);
  if (vs.length === 0) return undefined;
  if (vs.includes(ALL_VALUE)) return { all: true };
  return { all: false, values: vs };
}

/** The dashboard id of a `dashboard:<id>[?var=value&...]` target. */
export function dashboardTarget(target: string): string | undefined {
  if (!target.startsWith('dashboard:')) return undefined;
  return target.slice('dashboard:'.length).split('?', 1)[0];
}

export function resolveLink(target: string, ctx: LinkContext): ResolvedLink {
  const dashId = dashboardTarget(target);
  if (dashId !== undefined) {
    const p = new URLSearchParams({ from: ctx.time.from, to: ctx.time.to });
    const sels: Record<string, VariableSelection> = {};
    const q = target.indexOf('?');
    if (q >= 0) {
      // Explicit variables: `dashboard:x?company=${company_id}` (a reference the series lacks: All).
      for (const [name, value] of new URLSearchParams(target.slice(q + 1))) {
        const v = interpolateLink(value, ctx.labels, false);
        sels[name] = /\$\{[^}]*\}/.test(v) || v === '' ? { all: true } : { all: false, values: [v] };
      }
    } else if (ctx.targetVariables) {
      for (const v of ctx.targetVariables) {
        const fromLabel = ctx.labels[v.source_label] ?? ctx.labels[v.name];
        if (fromLabel !== undefined) sels[v.name] = { all: false, values: [fromLabel] };
        else if (ctx.selections[v.name]) sels[v.name] = ctx.selections[v.name]!;
      }
    } else {
      for (const [k, sel] of Object.entries(ctx.selections)) sels[k] = sel;
      for (const [k, v] of Object.entries(ctx.labels)) {
        if (k in ctx.selections) sels[k] = { all: false, values: [v] };
      }
    }
    selectionParams(sels, p);
    return { href: `/dashboards/${encodeURIComponent(dashId)}?${p}`, external: false };
  }
  if (target === 'explore') {
    const p = new URLSearchParams({ query: ctx.expr, range: formatDuration(ctx.range.endSec - ctx.range.startSec) });
    if (ctx.time.to !== 'now') p.set('end', String(ctx.range.endSec));
    return { href: `/explore?${p}`, external: false };
  }
  const href = interpolateLink(target, ctx.labels);
  return { href, external: /^[a-z][a-z0-9+.-]*:\/\//i.test(href) };
}
