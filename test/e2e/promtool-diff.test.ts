/**
 * Differential test against Debian's promtool 2.42 (PROMTOOL_BIN overrides /usr/bin/promtool):
 * `watchkeeper test rules` and `watchkeeper check rules` must print what promtool prints — stdout,
 * stderr, exit code, byte for byte — on every rule test and rule file of the repository
 * (packages/server/src/rules/testdata/promtool-cases.ts: the plan's rules in config/rules with
 * their tests, and edge cases including failing tests and invalid files), and on seeded random
 * scenarios: series notation (`1+2x10`, `_`, `stale`, errors) read back through the lookback
 * window, and alert state machines (`for`, `keep_firing_for`, ALERTS, ALERTS_FOR_STATE) over random
 * up/down series.
 *
 * Watchkeeper's side runs in process (the functions the CLI runs); one case also runs the real
 * `watchkeeper` binary when it is built. PROMTOOL_GOLDEN_UPDATE=1 rewrites
 * packages/server/src/rules/testdata/promtool-golden.json from promtool's answers (the unit test
 * that runs without promtool compares with it). PROMTOOL_DIFF_SEED replays another seed.
 *
 * Generated scenarios keep to instant selectors: Watchkeeper's range windows are Prometheus 3's
 * `(t - range, t]`, promtool 2.42's `[t - range, t]` (see packages/server/src/rules/README.md).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  caseKey,
  PROMTOOL_CASES,
  promtoolArgs,
  runCase,
  type PromtoolCase,
  type PromtoolResult,
} from '../../packages/server/src/rules/testdata/promtool-cases.js';
import { CLI } from './helpers.js';

const PROMTOOL = process.env['PROMTOOL_BIN'] ?? '/usr/bin/promtool';
const available = existsSync(PROMTOOL);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN_FILE = join(ROOT, 'packages/server/src/rules/testdata/promtool-golden.json');
const SEED = Number(process.env['PROMTOOL_DIFF_SEED'] ?? 20261203);

/** Runs a case in process from `cwd` (the paths it prints are relative to it, as promtool's). */
async function runIn(cwd: string, c: PromtoolCase): Promise<PromtoolResult> {
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return await runCase(c);
  } finally {
    process.chdir(before);
  }
}

function promtool(args: readonly string[], cwd: string): PromtoolResult {
  const r = spawnSync(PROMTOOL, [...args], { cwd, encoding: 'utf8' });
  return { exitCode: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A small deterministic generator (mulberry32). */
class Rng {
  constructor(private s: number) {}
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** A random series description: mostly valid expanding notation, sometimes an error. */
function randomValues(rng: Rng): string {
  const items: string[] = [];
  const n = 1 + rng.int(5);
  for (let i = 0; i < n; i++) {
    const v = rng.pick(['0', '1', '-2', '2.5', '1e2', '+3', 'Inf', '-Inf', 'NaN', '100']);
    switch (rng.int(9)) {
      case 0:
        items.push('_');
        break;
      case 1:
        items.push(`_x${rng.int(4)}`);
        break;
      case 2:
        items.push('stale');
        break;
      case 3:
        items.push(`${v}x${rng.int(5)}`);
        break;
      case 4:
        items.push(`${v}+${rng.pick(['1', '0.5', '10'])}x${rng.int(6)}`);
        break;
      case 5:
        items.push(`${v}-${rng.pick(['1', '0.25', '3'])}x${rng.int(6)}`);
        break;
      default:
        items.push(v);
    }
  }
  if (rng.int(8) === 0) {
    // An error somewhere: a word, a bad repetition, a stray character, a missing number.
    const bad = rng.pick(['foo', '1x', '2x1.5', '3,4', '1+', '_+1x2', 'x3', '1_0', 'sum']);
    items.splice(rng.int(items.length + 1), 0, bad);
  }
  return items.join(' ');
}

/** A test file whose groups each load one random series and query it at every 30s step. */
function notationScenario(rng: Rng, groups: number): string {
  const lines = ['rule_files: []', 'evaluation_interval: 1m', 'tests:'];
  for (let g = 0; g < groups; g++) {
    const interval = rng.pick(['30s', '1m', '2m']);
    lines.push(`  - name: g${g}`, `    interval: ${interval}`, '    input_series:');
    lines.push(`      - series: 'm{g="${g}"}'`, `        values: '${randomValues(rng)}'`);
    lines.push('    promql_expr_test:');
    for (let t = 0; t <= 20; t += 1 + rng.int(4)) {
      lines.push(`      - expr: m`, `        eval_time: ${t * 30}s`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Random alerting rules over random up/down series, with every alert and ALERTS series reported. */
function alertScenario(rng: Rng, rules: number): { rules: string; tests: string } {
  const ruleLines = ['groups:', '  - name: generated', '    rules:'];
  const names: string[] = [];
  for (let i = 0; i < rules; i++) {
    const name = `A${i}`;
    names.push(name);
    const forMin = rng.int(4);
    const keepMin = rng.int(4);
    ruleLines.push(`      - alert: ${name}`, `        expr: up{r="${i % 3}"} ${rng.pick(['== 0', '< 1', '> 0'])}`);
    if (forMin > 0) ruleLines.push(`        for: ${forMin}m`);
    if (keepMin > 0) ruleLines.push(`        keep_firing_for: ${keepMin}m`);
    ruleLines.push(
      '        labels:',
      `          severity: '{{ if eq $labels.instance "i0" }}page{{ else }}ticket{{ end }}'`,
      '        annotations:',
      `          summary: '{{ $labels.instance }} is {{ $value }} ({{ $value | humanizePercentage }})'`,
    );
  }
  const testLines = ['rule_files: [rules.yml]', 'evaluation_interval: 1m', 'tests:', '  - interval: 1m'];
  testLines.push('    input_series:');
  for (let s = 0; s < 4; s++) {
    const values = Array.from({ length: 16 }, () => rng.pick(['0', '1', '1', '_'])).join(' ');
    testLines.push(`      - series: 'up{r="${s % 3}", instance="i${s}"}'`, `        values: '${values}'`);
  }
  testLines.push('    alert_rule_test:');
  for (let t = 0; t <= 15; t++) {
    for (const name of names) testLines.push(`      - eval_time: ${t}m`, `        alertname: ${name}`);
  }
  testLines.push('    promql_expr_test:');
  for (let t = 0; t <= 16; t += 2) {
    testLines.push('      - expr: ALERTS', `        eval_time: ${t}m`);
    testLines.push('      - expr: ALERTS_FOR_STATE', `        eval_time: ${t}m`);
  }
  return { rules: ruleLines.join('\n') + '\n', tests: testLines.join('\n') + '\n' };
}

describe.skipIf(!available)('watchkeeper test/check rules agree with promtool 2.42', () => {
  const dir = available ? mkdtempSync(join(tmpdir(), 'wk-promtool-diff-')) : '';
  const updated: Record<string, PromtoolResult> = {};
  const startCwd = process.cwd();
  afterAll(() => {
    process.chdir(startCwd);
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (process.env['PROMTOOL_GOLDEN_UPDATE'] === '1' && Object.keys(updated).length > 0) {
      writeFileSync(GOLDEN_FILE, JSON.stringify(updated, null, 2) + '\n');
    }
  });

  it.each(PROMTOOL_CASES.map((c) => [caseKey(c), c] as const))('%s', async (_key, c: PromtoolCase) => {
    const expected = promtool(promtoolArgs(c), ROOT);
    updated[caseKey(c)] = expected;
    expect(await runIn(ROOT, c)).toEqual(expected);
  });

  it('agrees on seeded random series notation (values read back through the lookback window)', async () => {
    const rng = new Rng(SEED);
    const file = join(dir, 'notation.test.yml');
    writeFileSync(file, notationScenario(rng, 60));
    const expected = promtool(['test', 'rules', 'notation.test.yml'], dir);
    expect(await runIn(dir, { kind: 'test', files: ['notation.test.yml'] })).toEqual(expected);
    // Most groups load and fail on purpose (no expected samples): the report is long.
    expect(expected.stderr.split('\n').length).toBeGreaterThan(200);
  });

  it('agrees on seeded random alert state machines (for, keep_firing_for, ALERTS)', async () => {
    const rng = new Rng(SEED + 1);
    for (let round = 0; round < 3; round++) {
      const scenario = alertScenario(rng, 6);
      writeFileSync(join(dir, 'rules.yml'), scenario.rules);
      writeFileSync(join(dir, 'alerts.test.yml'), scenario.tests);
      const expected = promtool(['test', 'rules', 'alerts.test.yml'], dir);
      expect(await runIn(dir, { kind: 'test', files: ['alerts.test.yml'] })).toEqual(expected);
      expect(expected.stderr).toContain('alertstate="firing"');
    }
  });

  it.skipIf(!existsSync(join(ROOT, 'packages/server/dist/cli/main.js')))(
    'the watchkeeper binary prints the same (a failing test file)',
    () => {
      const c = PROMTOOL_CASES.find((x) => x.files.some((f) => f.endsWith('failing.test.yml')))!;
      const args = promtoolArgs(c);
      const expected = promtool(args, ROOT);
      const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
      expect({ exitCode: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual(expected);
      expect(relative(ROOT, CLI)).toBe('packages/server/bin/watchkeeper.js');
    },
  );
});

if (!available) {
  console.warn(
    `promtool differential test SKIPPED: ${PROMTOOL} not found (install Debian's prometheus package or set PROMTOOL_BIN).`,
  );
}
