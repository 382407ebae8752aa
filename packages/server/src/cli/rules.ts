/**
 * promtool's rule commands: `watchkeeper test rules FILE...` (rule unit tests) and
 * `watchkeeper check rules FILE...` (rule file validation), with promtool 2.42's output on
 * stdout and stderr and its exit codes.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkRules, runRuleTests, type CommandOutput } from '../rules/index.js';
import type { Command } from './main.js';

const processOutput: CommandOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export const TEST_RULES_USAGE = `Usage: watchkeeper test rules FILE...

Runs rule unit tests in promtool's format (rule_files, evaluation_interval, group_eval_order,
tests with input_series, alert_rule_test, promql_expr_test, external_labels, external_url), as
'promtool test rules' 2.42 does, with its output and exit code (1 when a test fails).

Options:
  -h, --help   show this help
`;

export const CHECK_RULES_USAGE = `Usage: watchkeeper check rules [options] FILE...

Validates Prometheus rule files as 'promtool check rules' 2.42 does, with its output and exit
code (1 when a file is invalid).

Options:
  --lint=KIND    lint checks: duplicate-rules (default), all, none
  --lint-fatal   exit with 3 when a lint check fails
  -h, --help     show this help
`;

/** promtool's error for a missing argument or file (kingpin's wording), exit code 1. */
function usageError(out: CommandOutput, message: string): number {
  out.stderr(`watchkeeper: error: ${message}, try --help\n`);
  return 1;
}

/** promtool's (kingpin's) check of file arguments: the first problem, or undefined. */
function badFileArgument(files: readonly string[]): string | undefined {
  for (const f of files) {
    if (!existsSync(f)) return `path '${f}' does not exist`;
    if (statSync(f).isDirectory()) return `'${f}' is a directory`;
  }
  return undefined;
}

/** `test rules` after the command words; returns the exit code. */
export async function runTestRules(args: readonly string[], out: CommandOutput = processOutput): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        'enable-feature': { type: 'string', multiple: true },
      },
    });
  } catch (err) {
    return usageError(out, (err as Error).message);
  }
  if (parsed.values.help) {
    out.stdout(TEST_RULES_USAGE);
    return 0;
  }
  const files = parsed.positionals;
  if (files.length === 0) return usageError(out, "required argument 'test-rule-file' not provided");
  const bad = badFileArgument(files);
  if (bad !== undefined) return usageError(out, bad);
  return runRuleTests(files, out);
}

/** `check rules` after the command words; returns the exit code. */
export async function runCheckRules(args: readonly string[], out: CommandOutput = processOutput): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        lint: { type: 'string', default: 'duplicate-rules' },
        'lint-fatal': { type: 'boolean', default: false },
        extended: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    return usageError(out, (err as Error).message);
  }
  if (parsed.values.help) {
    out.stdout(CHECK_RULES_USAGE);
    return 0;
  }
  const lint = parsed.values.lint;
  if (lint !== 'all' && lint !== 'duplicate-rules' && lint !== 'none') {
    return usageError(out, `--lint: ${lint}: expected all, duplicate-rules or none`);
  }
  const files = parsed.positionals;
  if (files.length === 0) return usageError(out, "required argument 'rule-files' not provided");
  const bad = badFileArgument(files);
  if (bad !== undefined) return usageError(out, bad);
  return checkRules(files, out, { lint, lintFatal: parsed.values['lint-fatal'] });
}

const TEST_USAGE = `Usage: watchkeeper test <kind> FILE...

Kinds:
  rules   rule unit tests, as promtool test rules

Run 'watchkeeper test rules --help' for the options.
`;

/** `watchkeeper test rules FILE...` (promtool's `test rules`). */
export const testCommand: Command = {
  name: 'test',
  summary: 'unit tests: test rules FILE... (promtool test rules)',
  usage: TEST_USAGE,
  async run(args) {
    const [kind, ...rest] = args;
    if (kind === '--help' || kind === '-h') {
      process.stdout.write(TEST_USAGE);
      return 0;
    }
    if (kind !== 'rules') {
      process.stderr.write(
        `watchkeeper test: ${kind === undefined ? 'missing kind' : `unknown kind '${kind}'`}\n\n${TEST_USAGE}`,
      );
      return 2;
    }
    return runTestRules(rest);
  },
};
