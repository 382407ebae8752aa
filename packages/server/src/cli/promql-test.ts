/**
 * `watchkeeper promql-test`: runs PromQL `.test` scripts (Prometheus's test DSL) against the
 * engine and reports every failing case, then one summary line.
 */
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runFile, SKIP_LIST, summarize, type CaseResult } from '../promql/index.js';
import type { Command } from './main.js';

const USAGE = `Usage: watchkeeper promql-test [options] FILE|DIR...

Runs PromQL .test scripts (the Prometheus test language) against the engine with an in-memory
storage. A directory stands for the *.test files in it. Prints every failing case, then as the
last line: N passed, N failed, N skipped. Exits with 1 when any case failed.

Options:
  --json FILE         write every case's result as JSON: {"summary": {...}, "cases": [{file, line,
                      query, status, reason}]}
  --no-extra-checks   skip the range-mode and @-modifier cross-checks on instant evals
  --no-skip-list      also run the cases listed in the built-in skip list
  -h, --help          show this help
`;

async function expandPaths(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const st = await stat(p);
    if (st.isDirectory()) {
      const names = (await readdir(p)).filter((n) => n.endsWith('.test')).sort();
      out.push(...names.map((n) => join(p, n)));
    } else {
      out.push(p);
    }
  }
  return out;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

export function formatFailure(r: CaseResult): string {
  return `FAIL ${r.file}:${r.line}\n  query: ${r.query}\n${indent(r.reason, '  ')}\n`;
}

async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'string' },
        'no-extra-checks': { type: 'boolean', default: false },
        'no-skip-list': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`watchkeeper promql-test: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length === 0) {
    process.stderr.write(`watchkeeper promql-test: no test files given\n\n${USAGE}`);
    return 2;
  }
  let files: string[];
  try {
    files = await expandPaths(positionals);
  } catch (err) {
    process.stderr.write(`watchkeeper promql-test: ${(err as Error).message}\n`);
    return 2;
  }

  const opts = { extraChecks: !values['no-extra-checks'], skipList: values['no-skip-list'] ? [] : SKIP_LIST };
  const all: CaseResult[] = [];
  let unreadable = 0;
  for (const f of files) {
    let results: CaseResult[];
    try {
      results = await runFile(f, opts);
    } catch (err) {
      process.stderr.write(`watchkeeper promql-test: cannot read ${f}: ${(err as Error).message}\n`);
      unreadable++;
      continue;
    }
    for (const r of results) if (r.status === 'failed') process.stdout.write(formatFailure(r));
    all.push(...results);
  }
  const s = summarize(all);
  let jsonFailed = false;
  if (values.json !== undefined) {
    try {
      await writeFile(values.json, JSON.stringify({ summary: s, cases: all }, null, 2) + '\n');
    } catch (err) {
      process.stderr.write(`watchkeeper promql-test: cannot write ${values.json}: ${(err as Error).message}\n`);
      jsonFailed = true;
    }
  }
  process.stdout.write(`${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped\n`);
  return s.failed > 0 || unreadable > 0 || jsonFailed ? 1 : 0;
}

export const promqlTestCommand: Command = {
  name: 'promql-test',
  summary: 'run PromQL .test scripts (Prometheus test language) against the engine',
  usage: USAGE,
  run,
};
