/**
 * The promtool commands whose output `watchkeeper test rules` / `check rules` must reproduce byte
 * for byte: every rule test file of the repository (the plan's rules in config/rules/tests and the
 * edge cases here) and `check rules` on valid, invalid and duplicate-laden rule files. Paths are
 * relative to the repository root. `promtool-golden.json` holds promtool 2.42's output for each
 * (rules/promtool/golden.test.ts compares with it; test/e2e/promtool-diff.test.ts runs promtool
 * itself and can rewrite it with PROMTOOL_GOLDEN_UPDATE=1).
 */
import { checkRules } from '../promtool/check.js';
import { BufferedOutput } from '../promtool/output.js';
import { runRuleTests } from '../promtool/test-runner.js';
export interface PromtoolCase {
  readonly kind: 'test' | 'check';
  readonly files: readonly string[];
  readonly lintFatal?: boolean;
}

/** What a command printed and returned. */
export interface PromtoolResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const TESTDATA = 'packages/server/src/rules/testdata';
const PLAN_RULES = 'config/rules';

export const PROMTOOL_CASES: readonly PromtoolCase[] = [
  ...['revenue', 'performance', 'security', 'business', 'business-churn', 'platform'].map((n): PromtoolCase => ({
    kind: 'test',
    files: [`${PLAN_RULES}/tests/${n}.test.yml`],
  })),
  ...['alert-lifecycle', 'templates', 'recording', 'failing', 'bad-rule-file'].map((n): PromtoolCase => ({
    kind: 'test',
    files: [`${TESTDATA}/${n}.test.yml`],
  })),
  // Several files in one run: the report of each, one exit code.
  { kind: 'test', files: [`${TESTDATA}/recording.test.yml`, `${TESTDATA}/failing.test.yml`] },
  {
    kind: 'check',
    files: ['revenue', 'performance', 'security', 'business', 'platform'].map((n) => `${PLAN_RULES}/${n}.yml`),
  },
  {
    kind: 'check',
    files: ['alert-lifecycle', 'templates', 'recording', 'failing'].map((n) => `${TESTDATA}/${n}.rules.yml`),
  },
  { kind: 'check', files: [`${TESTDATA}/bad/invalid.rules.yml`] },
  { kind: 'check', files: [`${TESTDATA}/bad/types.rules.yml`, `${TESTDATA}/bad/duration.rules.yml`] },
  { kind: 'check', files: [`${TESTDATA}/duplicates.rules.yml`] },
  { kind: 'check', files: [`${TESTDATA}/duplicates.rules.yml`], lintFatal: true },
  { kind: 'check', files: [`${TESTDATA}/duplicates.rules.yml`, `${TESTDATA}/bad/duration.rules.yml`], lintFatal: true },
];

/** promtool's arguments for a case. */
export function promtoolArgs(c: PromtoolCase): string[] {
  return [c.kind, 'rules', ...(c.lintFatal ? ['--lint-fatal'] : []), ...c.files];
}

/** A stable key for a case in the golden file. */
export function caseKey(c: PromtoolCase): string {
  return promtoolArgs(c).join(' ');
}

/** Runs a case as `watchkeeper test|check rules` does, in process (paths relative to the working directory). */
export async function runCase(c: PromtoolCase): Promise<PromtoolResult> {
  const out = new BufferedOutput();
  const exitCode =
    c.kind === 'test' ? await runRuleTests(c.files, out) : checkRules(c.files, out, { lintFatal: c.lintFatal });
  return { exitCode, stdout: out.out, stderr: out.err };
}
