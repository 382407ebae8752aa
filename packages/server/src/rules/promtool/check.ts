/**
 * `watchkeeper check rules FILE...`: validates rule files as `promtool check rules` 2.42 does, with
 * its output and exit codes (0 valid, 1 invalid, 3 lint problems with `--lint-fatal`), including
 * its duplicate-rules lint.
 */
import { readFileSync } from 'node:fs';
import { goFileError, parseRuleText, type RuleGroupDefinition } from '../rule-file.js';
import type { CommandOutput } from './output.js';

export interface CheckRulesOptions {
  /** promtool's --lint: `duplicate-rules` (default), `all` or `none`. */
  readonly lint?: 'all' | 'duplicate-rules' | 'none';
  /** promtool's --lint-fatal: lint problems exit with 3. */
  readonly lintFatal?: boolean;
}

interface RuleKey {
  readonly metric: string;
  readonly labels: readonly (readonly [string, string])[];
}

function compareKeys(a: RuleKey, b: RuleKey): number {
  if (a.metric !== b.metric) return a.metric < b.metric ? -1 : 1;
  const n = Math.min(a.labels.length, b.labels.length);
  for (let i = 0; i < n; i++) {
    const [an, av] = a.labels[i]!;
    const [bn, bv] = b.labels[i]!;
    if (an !== bn) return an < bn ? -1 : 1;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return a.labels.length - b.labels.length;
}

/** promtool's checkDuplicates: rules with the same name and labels, each reported once. */
export function duplicateRules(groups: readonly RuleGroupDefinition[]): RuleKey[] {
  const rules: RuleKey[] = groups.flatMap((g) =>
    g.rules.map((r) => ({
      metric: r.alert !== '' ? r.alert : r.record,
      labels: [...r.labels].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    })),
  );
  const dups: RuleKey[] = [];
  if (rules.length < 2) return dups;
  rules.sort(compareKeys);
  let last = rules[0]!;
  for (let i = 1; i < rules.length; i++) {
    const r = rules[i]!;
    if (compareKeys(last, r) === 0 && (dups.length === 0 || compareKeys(last, dups[dups.length - 1]!) !== 0)) {
      dups.push(r);
    }
    last = r;
  }
  return dups;
}

/** One file: the number of rules, or the problems (and whether they are only lint problems). */
function checkFile(file: string, lint: boolean): { rules: number } | { problems: string[]; lintOnly: boolean } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { problems: [`${file}: ${goFileError(e, file)}`], lintOnly: false };
  }
  const parsed = parseRuleText(text);
  if (!parsed.ok) return { problems: parsed.problems.map((p) => `${file}: ${p}`), lintOnly: false };
  if (lint) {
    const dups = duplicateRules(parsed.groups);
    if (dups.length > 0) {
      let msg = `${dups.length} duplicate rule(s) found.\n`;
      for (const d of dups) {
        msg += `Metric: ${d.metric}\nLabel(s):\n`;
        for (const [n, v] of d.labels) msg += `\t${n}: ${v}\n`;
      }
      msg += 'Might cause inconsistency while recording expressions';
      return { problems: [`lint error ${msg}`], lintOnly: true };
    }
  }
  return { rules: parsed.groups.reduce((n, g) => n + g.rules.length, 0) };
}

/** Checks rule files; writes promtool's report to `out` and returns its exit code. */
export function checkRules(files: readonly string[], out: CommandOutput, options: CheckRulesOptions = {}): number {
  const lint = (options.lint ?? 'duplicate-rules') !== 'none';
  let failed = false;
  let hasErrors = false;
  for (const f of files) {
    out.stdout(`Checking ${f}\n`);
    const r = checkFile(f, lint);
    if ('problems' in r) {
      out.stderr('  FAILED:\n');
      for (const p of r.problems) out.stderr(`${p}\n`);
      failed = true;
      hasErrors ||= !r.lintOnly;
    } else {
      out.stdout(`  SUCCESS: ${r.rules} rules found\n`);
    }
    out.stdout('\n');
  }
  if (failed && hasErrors) return 1;
  if (failed && options.lintFatal) return 3;
  return 0;
}
