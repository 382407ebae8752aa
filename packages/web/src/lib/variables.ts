/**
 * Dashboard variables in queries, as Grafana does for Prometheus: `$name` / `${name}` becomes a
 * regex alternation of the selected values (each regex-escaped, then escaped for a PromQL string
 * literal), `.*` for All; the built-ins (`$__range`, ...) are replaced verbatim.
 */

/** The selection of one variable: `all`, or the chosen values. */
export type VariableSelection = { all: true } | { all: false; values: string[] };

/** Escapes RE2 metacharacters. */
export function regexEscape(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** Escapes for the inside of a double-quoted PromQL string. */
function promStringEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** The replacement for a selection inside `label=~"..."`. */
export function selectionRegex(sel: VariableSelection): string {
  if (sel.all || sel.values.length === 0) return '.*';
  // PromQL anchors =~ at both ends, so a bare alternation matches exactly the values.
  return promStringEscape(sel.values.map(regexEscape).join('|'));
}

/**
 * Replaces `$name` and `${name}` in `expr`: user variables by their selection's regex, built-ins
 * by their value. Unknown names are left as written, so the server reports them.
 */
export function interpolate(
  expr: string,
  selections: Record<string, VariableSelection>,
  builtins: Record<string, string> = {},
): string {
  return expr.replace(/\$\{([a-zA-Z_][a-zA-Z0-9_]*)\}|\$([a-zA-Z_][a-zA-Z0-9_]*)/g, (whole, braced, bare) => {
    const name = (braced ?? bare) as string;
    if (name in builtins) return builtins[name]!;
    const sel = selections[name];
    return sel ? selectionRegex(sel) : whole;
  });
}

/** `${label}` references in a link, replaced (URL-encoded) from a series' labels. */
export function interpolateLink(template: string, labels: Record<string, string>, encode = true): string {
  return template.replace(/\$\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g, (whole, name: string) => {
    const v = labels[name];
    if (v === undefined) return whole;
    return encode ? encodeURIComponent(v) : v;
  });
}
