import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheckRules, runTestRules } from './rules.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) },
  };
}

describe('watchkeeper test rules / check rules (arguments)', () => {
  it("rejects missing arguments and files as promtool's kingpin does (exit 1)", async () => {
    const a = capture();
    expect(await runTestRules([], a.io)).toBe(1);
    expect(a.out.stderr).toBe("watchkeeper: error: required argument 'test-rule-file' not provided, try --help\n");
    const b = capture();
    expect(await runCheckRules(['no-such.yml'], b.io)).toBe(1);
    expect(b.out.stderr).toBe("watchkeeper: error: path 'no-such.yml' does not exist, try --help\n");
    const dir = mkdtempSync(join(tmpdir(), 'wk-cli-rules-'));
    const c = capture();
    expect(await runTestRules([dir], c.io)).toBe(1);
    expect(c.out.stderr).toBe(`watchkeeper: error: '${dir}' is a directory, try --help\n`);
  });

  it('passes --lint and --lint-fatal to check rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-cli-rules-'));
    const file = join(dir, 'dup.yml');
    writeFileSync(
      file,
      'groups:\n  - name: g\n    rules:\n      - record: a\n        expr: "1"\n      - record: a\n        expr: "2"\n',
    );
    const lintOnly = capture();
    expect(await runCheckRules([file], lintOnly.io)).toBe(0);
    expect(lintOnly.out.stderr).toContain('lint error 1 duplicate rule(s) found.');
    expect(await runCheckRules(['--lint-fatal', file], capture().io)).toBe(3);
    const none = capture();
    expect(await runCheckRules(['--lint=none', file], none.io)).toBe(0);
    expect(none.out.stdout).toBe(`Checking ${file}\n  SUCCESS: 2 rules found\n\n`);
  });
});
