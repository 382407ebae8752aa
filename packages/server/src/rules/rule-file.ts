/**
 * Rule files in Prometheus's format, parsed and validated as Prometheus 2.42's `rulefmt` does:
 * the same checks, in the same order, with the same messages and `line:column` positions, so that
 * `watchkeeper check rules` prints what `promtool check rules` prints.
 *
 * Beyond 2.42: a group's `query_offset` (Prometheus 2.53) is accepted.
 */
import { readFileSync } from 'node:fs';
import { isLegacyLabelName, isLegacyMetricName } from '../lib/labels.js';
import { type Expr, parseExpr } from '../promql/index.js';
import { AlertTemplate } from '../template/index.js';
import { goQuote, parseModelDuration } from './go-format.js';
import {
  ABSENT_NODE,
  type Codec,
  decodeGoYaml,
  goDuration,
  goInt,
  goNode,
  goSlice,
  goString,
  goStringMap,
  goStruct,
  type YamlPos,
} from './go-yaml.js';

const duration = goDuration(parseModelDuration);

const ruleNodeCodec = goStruct('rulefmt.RuleNode', {
  record: { key: 'record', codec: goNode },
  alert: { key: 'alert', codec: goNode },
  expr: { key: 'expr', codec: goNode },
  forMs: { key: 'for', codec: duration },
  keepFiringForMs: { key: 'keep_firing_for', codec: duration },
  labels: { key: 'labels', codec: goStringMap },
  annotations: { key: 'annotations', codec: goStringMap },
});

const ruleGroupCodec = goStruct('rulefmt.RuleGroup', {
  name: { key: 'name', codec: goString },
  intervalMs: { key: 'interval', codec: duration },
  queryOffsetMs: { key: 'query_offset', codec: duration },
  limit: { key: 'limit', codec: goInt },
  rules: { key: 'rules', codec: goSlice(ruleNodeCodec) },
});

const ruleGroupsCodec = goStruct('rulefmt.RuleGroups', {
  groups: { key: 'groups', codec: goSlice(ruleGroupCodec) },
});

/** The second, lenient pass rulefmt makes for group positions: `groups` as a list of nodes. */
const groupNodesCodec: Codec<YamlPos[]> = (() => {
  const inner = goSlice(goNode);
  const outer = goStruct('rulefmt.ruleGroups', { groups: { key: 'groups', codec: inner } }, false);
  return {
    goType: outer.goType,
    zero: () => [],
    decode(node, ctx) {
      return outer.decode(node, ctx).groups;
    },
  };
})();

/** A rule as written in a rule file (after decoding, before validation). */
export interface RuleDefinition {
  /** Recording rule: the new series name; '' for alerting rules. */
  readonly record: string;
  /** Alerting rule: the alert name; '' for recording rules. */
  readonly alert: string;
  readonly expr: string;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  /** In file order. */
  readonly labels: readonly (readonly [string, string])[];
  readonly annotations: readonly (readonly [string, string])[];
  /** Where `record:`/`alert:` is in the file (line 0 when absent). */
  readonly recordPos: YamlPos;
  readonly alertPos: YamlPos;
  readonly exprPos: YamlPos;
}

export interface RuleGroupDefinition {
  readonly name: string;
  /** 0: the configured evaluation interval. */
  readonly intervalMs: number;
  readonly queryOffsetMs: number;
  /** 0: no limit. */
  readonly limit: number;
  readonly rules: readonly RuleDefinition[];
}

/** A parsed, valid rule file. */
export interface RuleFile {
  readonly file: string;
  readonly groups: readonly RuleGroupDefinition[];
  /** The parsed expression of each rule, by group and rule index. */
  readonly exprs: readonly (readonly Expr[])[];
}

/**
 * A rule file that cannot be used. `problems` are the lines `promtool check rules` prints, each
 * already prefixed with the file name (`rules.yml: 5:15: group "g", rule 1, "A": ...`).
 */
export class RuleFileError extends Error {
  readonly code = 'WK_RULES_INVALID_FILE';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`${file}: invalid rule file:\n  ${problems.join('\n  ')}`, options);
    this.name = 'RuleFileError';
  }
}

function ruleProblem(
  message: string,
  group: string,
  ruleIndex: number,
  ruleName: string,
  node?: YamlPos,
  nodeAlt?: YamlPos,
): string {
  const where = `group ${goQuote(group)}, rule ${ruleIndex + 1}, ${goQuote(ruleName)}`;
  if (nodeAlt) return `${node!.line}:${node!.column}: ${nodeAlt.line}:${nodeAlt.column}: ${where}: ${message}`;
  if (node) return `${node.line}:${node.column}: ${where}: ${message}`;
  return `${where}: ${message}`;
}

/** rulefmt's RuleNode.Validate: the problems of one rule, each as `[message, node?, nodeAlt?]`. */
function validateRule(r: RuleDefinition): [string, YamlPos?, YamlPos?][] {
  const out: [string, YamlPos?, YamlPos?][] = [];
  if (r.record !== '' && r.alert !== '') {
    out.push(["only one of 'record' and 'alert' must be set", r.recordPos, r.alertPos]);
  }
  if (r.record === '' && r.alert === '') out.push(["one of 'record' or 'alert' must be set", r.recordPos]);
  if (r.expr === '') {
    out.push(["field 'expr' must be set in rule", r.exprPos]);
  } else {
    try {
      parseExpr(r.expr);
    } catch (e) {
      out.push([`could not parse expression: ${(e as Error).message}`, r.exprPos]);
    }
  }
  if (r.record !== '') {
    if (r.annotations.length > 0) out.push(["invalid field 'annotations' in recording rule", r.recordPos]);
    if (r.forMs !== 0) out.push(["invalid field 'for' in recording rule", r.recordPos]);
    if (r.keepFiringForMs !== 0) out.push(["invalid field 'keep_firing_for' in recording rule", r.recordPos]);
    if (!isLegacyMetricName(r.record)) out.push([`invalid recording rule name: ${r.record}`, r.recordPos]);
  }
  for (const [k] of r.labels) {
    if (!isLegacyLabelName(k) || k === '__name__') out.push([`invalid label name: ${k}`]);
  }
  for (const [k] of r.annotations) {
    if (!isLegacyLabelName(k)) out.push([`invalid annotation name: ${k}`]);
  }
  if (r.alert !== '') {
    for (const [k, v] of r.labels) {
      const err = new AlertTemplate(r.alert, v).parseError;
      if (err) out.push([`label ${goQuote(k)}: ${err.message}`]);
    }
    for (const [k, v] of r.annotations) {
      const err = new AlertTemplate(r.alert, v).parseError;
      if (err) out.push([`annotation ${goQuote(k)}: ${err.message}`]);
    }
  }
  return out;
}

/**
 * Parses and validates rule file text. Returns the groups, or the problems without the file
 * prefix (rulefmt.Parse).
 */
export function parseRuleText(
  text: string,
): { ok: true; groups: RuleGroupDefinition[] } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const full = decodeGoYaml(text, ruleGroupsCodec, 'v3');
  if (!full.ok) problems.push(full.error);
  const nodes = decodeGoYaml(text, groupNodesCodec, 'v3');
  if (!nodes.ok) problems.push(nodes.error);
  if (!full.ok || !nodes.ok) return { ok: false, problems };

  const groups: RuleGroupDefinition[] = full.value.groups.map((g) => ({
    name: g.name,
    intervalMs: g.intervalMs,
    queryOffsetMs: g.queryOffsetMs,
    limit: g.limit,
    rules: g.rules.map((r): RuleDefinition => ({
      record: r.record.value,
      alert: r.alert.value,
      expr: r.expr.value,
      forMs: r.forMs,
      keepFiringForMs: r.keepFiringForMs,
      labels: r.labels,
      annotations: r.annotations,
      recordPos: r.present.has('record') ? r.record : ABSENT_NODE,
      alertPos: r.present.has('alert') ? r.alert : ABSENT_NODE,
      exprPos: r.present.has('expr') ? r.expr : ABSENT_NODE,
    })),
  }));

  const seen = new Set<string>();
  groups.forEach((g, j) => {
    const pos = nodes.value[j] ?? ABSENT_NODE;
    if (g.name === '') problems.push(`${pos.line}:${pos.column}: Groupname must not be empty`);
    if (seen.has(g.name)) {
      problems.push(`${pos.line}:${pos.column}: groupname: "${g.name}" is repeated in the same file`);
    }
    seen.add(g.name);
    g.rules.forEach((r, i) => {
      const ruleName = r.alert !== '' ? r.alert : r.record;
      for (const [msg, node, alt] of validateRule(r)) problems.push(ruleProblem(msg, g.name, i, ruleName, node, alt));
    });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, groups };
}

/** Reads, parses and validates a rule file (rulefmt.ParseFile); throws RuleFileError. */
export function loadRuleFile(file: string): RuleFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RuleFileError(file, [`${file}: ${goFileError(e, file)}`], { cause: e });
  }
  const parsed = parseRuleText(text);
  if (!parsed.ok) {
    throw new RuleFileError(
      file,
      parsed.problems.map((p) => `${file}: ${p}`),
    );
  }
  const exprs = parsed.groups.map((g) => g.rules.map((r) => parseExpr(r.expr)));
  return { file, groups: parsed.groups, exprs };
}

/** Go's os.ReadFile error text for a Node fs error. */
export function goFileError(e: unknown, file: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return `open ${file}: no such file or directory`;
    case 'EACCES':
      return `open ${file}: permission denied`;
    case 'EISDIR':
      return `read ${file}: is a directory`;
    default:
      return (e as Error).message;
  }
}

/** The number of rules in a parsed file (what `check rules` reports). */
export function countRules(groups: readonly RuleGroupDefinition[]): number {
  return groups.reduce((n, g) => n + g.rules.length, 0);
}
