/**
 * `test rules` and `check rules` against promtool 2.42's recorded output (testdata/promtool-golden.json,
 * written by test/e2e/promtool-diff.test.ts from the real promtool): stdout, stderr and exit code,
 * byte for byte.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseKey, PROMTOOL_CASES, runCase, type PromtoolResult } from '../testdata/promtool-cases.js';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const GOLDEN = JSON.parse(readFileSync(new URL('../testdata/promtool-golden.json', import.meta.url), 'utf8')) as Record<
  string,
  PromtoolResult
>;

describe("promtool's output, byte for byte", () => {
  const startCwd = process.cwd();
  beforeAll(() => {
    // The cases name files relative to the repository root, as promtool printed them.
    process.chdir(ROOT);
  });
  afterAll(() => {
    process.chdir(startCwd);
  });

  it.each(PROMTOOL_CASES.map((c) => [caseKey(c), c] as const))('%s', async (_key, c) => {
    const golden = GOLDEN[caseKey(c)];
    expect(golden, 'no golden output: run the e2e promtool-diff test with PROMTOOL_GOLDEN_UPDATE=1').toBeDefined();
    expect(await runCase(c)).toEqual(golden);
  });

  it('covers failing tests, evaluation errors and invalid files', () => {
    const failing = Object.values(GOLDEN).filter((g) => g.exitCode === 1);
    expect(failing.length).toBeGreaterThanOrEqual(5);
    expect(Object.values(GOLDEN).some((g) => g.exitCode === 3)).toBe(true);
  });
});
