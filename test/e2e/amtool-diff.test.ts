/**
 * Differential test against Debian's amtool 0.25 (`prometheus-alertmanager`; AMTOOL_BIN overrides
 * /usr/bin/amtool): seeded random routing trees and label sets must give the same `routes test`
 * output (stdout, stderr) and exit code, byte for byte, as `amtool config routes test`; the same for
 * `routes show` and `--tree`/`--verify.receivers`; and `check config` must agree with
 * `amtool check-config` on every file of ../shared/conformance/alerting/check-config and on
 * generated broken files. Differences we keep on purpose are listed in KNOWN_DIFFERENCES.
 *
 * Watchkeeper's side runs in process (the same functions `watchkeeper routes ...` runs: starting
 * node per case would take most of a minute); a few cases also run the real `watchkeeper` binary.
 * AMTOOL_DIFF_SEED replays another seed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheckConfig } from '../../packages/server/src/cli/check-config.js';
import { runRoutes } from '../../packages/server/src/cli/routes.js';
import { generateConfig, generateLabels, MUTATIONS, Rng } from './amtool-diff-generate.js';
import { CLI } from './helpers.js';

const AMTOOL_BIN = process.env['AMTOOL_BIN'] ?? '/usr/bin/amtool';
const CHECK_CONFIG_DIR = new URL('../../../shared/conformance/alerting/check-config/', import.meta.url).pathname;
const SEED = Number(process.env['AMTOOL_DIFF_SEED'] ?? 20261127);
const CONFIGS = 40;
const LABEL_SETS_PER_CONFIG = 10;

/**
 * Differences kept on purpose. `applies` says whether a pair of outputs falls under one; such a pair
 * is compared on its exit code and `compare` only.
 */
export const KNOWN_DIFFERENCES: readonly {
  what: string;
  why: string;
  applies?: (amtool: Output) => boolean;
  compare?: (amtool: Output, ours: Output) => void;
}[] = [
  {
    what: 'YAML syntax errors: the message after `yaml: line N:` (and sometimes N)',
    why:
      'Watchkeeper parses YAML with the `yaml` npm package, Alertmanager with libyaml (go-yaml v2); ' +
      'both reject the same documents but word the error differently. Everything after a document parses ' +
      '(types, unknown fields, validation) is yaml.v2-exact.',
    applies: (a) => /FAILED: yaml: line \d+: /.test(a.stdout),
    compare: (a, o) =>
      expect(o.stdout.replace(/FAILED: yaml: line .*/, '')).toBe(a.stdout.replace(/FAILED: yaml: line .*/, '')),
  },
  {
    what: '`sms_configs` receivers',
    why: "Watchkeeper's extension for an HTTP SMS gateway; amtool 0.25 rejects the unknown field (not generated here).",
  },
  {
    what: 'Go template syntax errors in `templates:` files',
    why: 'check config finds and reads template files but does not parse Go templates yet (the template module will).',
  },
  {
    what: 'opsgenie responder `type` containing `{{`',
    why: 'Alertmanager parses it as a Go template; Watchkeeper accepts it and leaves it to rendering.',
  },
  {
    what: '`--help` text, and a configuration fetched from --alertmanager.url',
    why: "Help describes watchkeeper's commands; the fetch reads /api/v2/status as amtool does but its network errors are worded by Node.",
  },
];

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

function amtool(args: string[]): Promise<Output> {
  return new Promise((resolve) => {
    const child = execFile(AMTOOL_BIN, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end();
  });
}

function watchkeeperBinary(args: string[]): Promise<Output> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end();
  });
}

async function inProcess(
  run: (io: { stdout: (t: string) => void; stderr: (t: string) => void }) => Promise<number>,
): Promise<Output> {
  const out: Output = { code: 0, stdout: '', stderr: '' };
  out.code = await run({ stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) });
  return out;
}

/** Runs `fn` over `items` with at most `limit` at a time (amtool processes; 2 cores here). */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}

function expectSameOutput(amtoolOut: Output, ours: Output, context: string): void {
  const known = KNOWN_DIFFERENCES.find((k) => k.applies?.(amtoolOut));
  if (known) {
    expect(ours.code, `${context} (${known.what})`).toBe(amtoolOut.code);
    known.compare?.(amtoolOut, ours);
    return;
  }
  expect({ context, ...ours }).toEqual({ context, ...amtoolOut });
}

const available = existsSync(AMTOOL_BIN);
if (!available) {
  console.warn(
    `amtool-diff: ${AMTOOL_BIN} not found (apt-get install prometheus-alertmanager, or set AMTOOL_BIN); ` +
      'skipping the differential test against amtool',
  );
}

describe.skipIf(!available)('routes test / check config agree with amtool 0.25', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wk-amtool-diff-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const rng = new Rng(SEED);
  const configs = Array.from({ length: CONFIGS }, (_, i) => {
    const file = join(dir, `routes-${i}.yml`);
    writeFileSync(file, generateConfig(rng));
    const labelSets = Array.from({ length: LABEL_SETS_PER_CONFIG }, () => generateLabels(rng));
    return { file, labelSets };
  });

  it(`routes test: ${CONFIGS} random trees × ${LABEL_SETS_PER_CONFIG} label sets (seed ${SEED})`, async () => {
    const cases: string[][] = [];
    const caseRng = new Rng(SEED + 1);
    for (const { file, labelSets } of configs) {
      for (const labels of labelSets) {
        const flags: string[] = [];
        if (caseRng.chance(0.3)) flags.push('--tree');
        cases.push(['test', `--config.file=${file}`, ...flags, ...labels]);
      }
    }
    const amtoolOuts = await mapLimit(cases, 4, (args) => amtool(['config', 'routes', ...args]));
    let multi = 0;
    let routed = 0;
    for (let i = 0; i < cases.length; i++) {
      const ours = await inProcess((io) => runRoutes(cases[i]!, io));
      expectSameOutput(amtoolOuts[i]!, ours, `routes ${cases[i]!.join(' ')}`);
      const receivers = amtoolOuts[i]!.stdout.trimEnd().split('\n').at(-1)!;
      if (receivers.includes(',')) multi++;
      if (receivers !== 'default') routed++;
    }
    // The generator must exercise the tree: many label sets leave the root, some reach several receivers.
    expect(routed).toBeGreaterThan(cases.length / 3);
    expect(multi).toBeGreaterThanOrEqual(10);
  });

  it('routes test --verify.receivers: the right list passes, another fails', async () => {
    const cases: string[][] = [];
    for (const { file, labelSets } of configs.slice(0, 15)) {
      const labels = labelSets[0]!;
      const first = await amtool(['config', 'routes', 'test', `--config.file=${file}`, ...labels]);
      const receivers = first.stdout.trim();
      cases.push(['test', `--config.file=${file}`, `--verify.receivers=${receivers}`, ...labels]);
      cases.push(['test', `--config.file=${file}`, '--verify.receivers=default,nobody', ...labels]);
    }
    const amtoolOuts = await mapLimit(cases, 4, (args) => amtool(['config', 'routes', ...args]));
    expect(amtoolOuts.some((o) => o.code === 1) && amtoolOuts.some((o) => o.code === 0)).toBe(true);
    for (let i = 0; i < cases.length; i++) {
      expectSameOutput(amtoolOuts[i]!, await inProcess((io) => runRoutes(cases[i]!, io)), cases[i]!.join(' '));
    }
  });

  it('routes show prints the same tree', async () => {
    const amtoolOuts = await mapLimit(configs, 4, ({ file }) =>
      amtool(['config', 'routes', 'show', `--config.file=${file}`]),
    );
    for (let i = 0; i < configs.length; i++) {
      const ours = await inProcess((io) => runRoutes(['show', `--config.file=${configs[i]!.file}`], io));
      expectSameOutput(amtoolOuts[i]!, ours, `routes show ${configs[i]!.file}`);
    }
  });

  it('command-line errors: flags, labels, missing files', async () => {
    const file = configs[0]!.file;
    const cases = [
      ['test', `--config.file=${file}`, 'team=~ops'],
      ['test', `--config.file=${file}`, 'team ops'],
      ['test', `--config.file=${file}`, 'team="ops'],
      ['test', `--config.file=${file}`, 'team=~('],
      ['test', `--config.file=${file}`, '--nope'],
      ['test', `--config.file=${file}`, '-x'],
      ['test', `--config.file=${file}`, '--config.file=other.yml'],
      ['test', '--config.file'],
      ['test', `--config.file=${join(dir, 'missing.yml')}`, 'a=b'],
      ['test', `--config.file=${dir}`, 'a=b'],
      ['test', `--config.file=${file}`, '--no-tree', '--', '--tree'],
      ['test', `--config.file=${file}`, 'team=ops', 'team=sec'],
      ['show', `--config.file=${file}`, 'extra'],
    ];
    const amtoolOuts = await mapLimit(cases, 4, (args) => amtool(['config', 'routes', ...args]));
    for (let i = 0; i < cases.length; i++) {
      expectSameOutput(amtoolOuts[i]!, await inProcess((io) => runRoutes(cases[i]!, io)), cases[i]!.join(' '));
    }
  });

  const checkConfigFiles = existsSync(CHECK_CONFIG_DIR)
    ? readdirSync(CHECK_CONFIG_DIR)
        .filter((f) => f.endsWith('.yml'))
        .sort()
    : [];
  if (checkConfigFiles.length === 0) {
    console.warn(`amtool-diff: ${CHECK_CONFIG_DIR} not found; skipping its check config cases`);
  }
  for (const name of checkConfigFiles) {
    it(`check config ${name}`, async () => {
      const file = join(CHECK_CONFIG_DIR, name);
      expectSameOutput(await amtool(['check-config', file]), await inProcess((io) => runCheckConfig([file], io)), name);
    });
  }

  it(`check config: ${MUTATIONS.length} kinds of broken (and fixed) files`, async () => {
    const mutRng = new Rng(SEED + 2);
    const files = MUTATIONS.map((m, i) => {
      const file = join(dir, `mutation-${i}.yml`);
      writeFileSync(file, m.apply(generateConfig(mutRng), mutRng));
      return { name: m.name, file };
    });
    const amtoolOuts = await mapLimit(files, 4, ({ file }) => amtool(['check-config', file]));
    // Most mutations break the file; a few (time intervals, global SMTP) must still pass.
    expect(amtoolOuts.filter((o) => o.code === 1).length).toBeGreaterThan(MUTATIONS.length / 2);
    for (let i = 0; i < files.length; i++) {
      const ours = await inProcess((io) => runCheckConfig([files[i]!.file], io));
      expectSameOutput(amtoolOuts[i]!, ours, files[i]!.name);
    }
    const all = files.map((f) => f.file);
    expectSameOutput(
      await amtool(['check-config', ...all]),
      await inProcess((io) => runCheckConfig(all, io)),
      'all at once',
    );
  });

  it('the watchkeeper binary prints the same bytes (routes test, config routes show, check config)', async () => {
    const { file, labelSets } = configs[1]!;
    const runs: [string[], string[]][] = [
      [
        ['routes', 'test', `--config.file=${file}`, '--tree', ...labelSets[0]!],
        ['config', 'routes', 'test', `--config.file=${file}`, '--tree', ...labelSets[0]!],
      ],
      [
        ['config', 'routes', 'show', `--config.file=${file}`],
        ['config', 'routes', 'show', `--config.file=${file}`],
      ],
      [
        ['check', 'config', file, join(dir, 'mutation-0.yml')],
        ['check-config', file, join(dir, 'mutation-0.yml')],
      ],
    ];
    for (const [ours, theirs] of runs) {
      expectSameOutput(await amtool(theirs), await watchkeeperBinary(ours), ours.join(' '));
    }
  });
});
