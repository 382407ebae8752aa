/**
 * Runs the PromQL conformance suite (Prometheus's .test files, kept beside the repository in
 * <repo root>/../shared/conformance/promql) through the runner. Every case must pass or be in the
 * skip list (or be skipped by the runner because the storage cannot hold its data).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runFile, summarize, type CaseResult } from './runner.js';

// This file is at <repo root>/packages/server/src/promql/promqltest/.
const SUITE_DIR = fileURLToPath(new URL('../../../../../../shared/conformance/promql', import.meta.url));
const suiteExists = existsSync(SUITE_DIR);
const files = suiteExists
  ? readdirSync(SUITE_DIR)
      .filter((n) => n.endsWith('.test'))
      .sort()
  : [];
const MAX_SHOWN = 30;

function describeFailures(failed: CaseResult[]): string {
  const shown = failed
    .slice(0, MAX_SHOWN)
    .map((r) => `${r.file}:${r.line}  ${r.query}\n    ${r.reason.split('\n').join('\n    ')}`);
  const more = failed.length > MAX_SHOWN ? `\n… and ${failed.length - MAX_SHOWN} more` : '';
  return `${failed.length} failing case(s):\n${shown.join('\n')}${more}`;
}

describe('PromQL conformance suite', () => {
  if (!suiteExists) {
    console.warn(
      `PromQL conformance suite SKIPPED: ${SUITE_DIR} does not exist (the suite is kept outside the repository).`,
    );
  }
  it.skipIf(!suiteExists)(`finds the suite in ${SUITE_DIR}`, () => {
    expect(files.length).toBeGreaterThan(0);
  });

  const all: CaseResult[] = [];
  afterAll(() => {
    if (all.length === 0) return;
    const s = summarize(all);
    console.log(`PromQL conformance: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
  });

  for (const name of files) {
    it(name, { timeout: 600_000 }, async () => {
      const results = await runFile(join(SUITE_DIR, name));
      all.push(...results.map((r) => ({ ...r, file: name })));
      const failed = results.filter((r) => r.status === 'failed').map((r) => ({ ...r, file: name }));
      expect(failed.length, describeFailures(failed)).toBe(0);
    });
  }
});

// Our own golden scripts for what Prometheus's files don't cover (packages/server/src/promql/testdata).
const GOLDEN_DIR = fileURLToPath(new URL('../testdata', import.meta.url));
const goldenFiles = readdirSync(GOLDEN_DIR)
  .filter((n) => n.endsWith('.test'))
  .sort();

describe('Watchkeeper golden PromQL scripts', () => {
  it('has golden scripts', () => {
    expect(goldenFiles.length).toBeGreaterThan(0);
  });
  for (const name of goldenFiles) {
    it(name, async () => {
      const results = await runFile(join(GOLDEN_DIR, name));
      expect(results.length).toBeGreaterThan(0);
      const notPassed = results.filter((r) => r.status !== 'passed').map((r) => ({ ...r, file: name }));
      expect(notPassed.length, describeFailures(notPassed)).toBe(0);
    });
  }
});
