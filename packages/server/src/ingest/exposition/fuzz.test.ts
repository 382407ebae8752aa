/**
 * Fuzz tests of the exposition parsers, bounded in time (FUZZ_MS, default 2.5 s per target) and
 * reproducible (FUZZ_SEED; the seed is printed and named in every failure). Valid bodies are
 * mutated at the byte level; the parser must never throw, never take long, and its output must
 * stay well-formed.
 */
import { describe, expect, it } from 'vitest';
import { METRIC_NAME } from '../../lib/labels.js';
import { fuzzBudgetMs, fuzzSeed, invariant, mutate, Prng, runFor } from './fuzz-support.js';
import { parseExposition } from './parser.js';
import type { ExpositionFormat, ParseResult } from './types.js';

const SEED = fuzzSeed(process.env['FUZZ_SEED']);
const BUDGET_MS = fuzzBudgetMs(process.env['FUZZ_MS'], 2_500);
/** A single parse of these small bodies taking longer than this is a hang or a quadratic path. */
const MAX_PARSE_MS = 250;
const MAX_ISSUES = 50;

const TEXT_SEEDS = [
  [
    '# HELP http_requests_total The total number of HTTP requests.',
    '# TYPE http_requests_total counter',
    'http_requests_total{method="post",code="200"} 1027 1395066363000',
    'http_requests_total{method="post",code="400"}    3 1395066363000',
    'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
    'metric_without_timestamp_and_labels 12.47',
    'something_weird{problem="division by zero"} +Inf -3982045',
    '# TYPE rpc_duration_seconds summary',
    'rpc_duration_seconds{quantile="0.99"} 76656',
    '{"my.metric", "label.name"="ä"} NaN',
    '',
  ].join('\n'),
  'a 1\n',
];
const OM_SEEDS = [
  [
    '# TYPE foo counter',
    '# HELP foo A \\"quoted\\" counter',
    'foo_total{a="1"} 17.0 1520879607.789 # {id="counter-test"} 5',
    'foo_created 1520872607.123',
    '# TYPE lat_seconds histogram',
    '# UNIT lat_seconds seconds',
    'lat_seconds_bucket{le="0.5"} 2 # {trace_id="KOO5S4vxi0o"} 0.67 1520879602.1',
    'lat_seconds_bucket{le="+Inf"} 3',
    'lat_seconds_count 3',
    'lat_seconds_sum 2.5',
    '# TYPE s stateset',
    's{s="a"} 1',
    '{"my.metric","x"="y"} -Inf',
    '# EOF',
    '',
  ].join('\n'),
  'a 1\n# EOF\n',
];
const DICTIONARY = [
  '{',
  '}',
  '"',
  '\\',
  '\\"',
  '\\n',
  '\n',
  '=',
  ',',
  ' ',
  '\t',
  '\r\n',
  '#',
  '# EOF\n',
  '# TYPE foo counter\n',
  '# HELP foo x\n',
  '# UNIT foo_seconds seconds\n',
  ' # {a="b"} 1 2',
  'NaN',
  '+Inf',
  '-Inf',
  '1e308',
  '1e309',
  '99999999999999999999',
  '_created',
  '_total',
  '__name__',
  '"a.b"',
  '🚢',
  new Uint8Array([0xff]),
  new Uint8Array([0xc3]),
  new Uint8Array([0xed, 0xa0, 0x80]),
  new Uint8Array([0]),
];

/** The invariants every result keeps, whatever the input. */
function checkResult(r: ParseResult): void {
  invariant(r.issues.length <= MAX_ISSUES + 1, `at most maxIssues + 1 issues, got ${r.issues.length}`);
  for (const issue of r.issues) {
    invariant(Number.isInteger(issue.line) && issue.line >= 1, `issue line ${issue.line}`);
    invariant(Number.isInteger(issue.column) && issue.column >= 1, `issue column ${issue.column}`);
    invariant(issue.message.length > 0, 'issue message');
  }
  for (const s of r.samples) {
    const f = s.labels.flat;
    invariant(f.length % 2 === 0, 'flat labels come in pairs');
    for (let i = 0; i < f.length; i += 2) {
      invariant(f[i]!.length > 0, 'label names are not empty');
      invariant(f[i + 1]!.length > 0, `empty value of ${f[i]} not dropped`);
      invariant(i === 0 || f[i - 2]! < f[i]!, `labels sorted and unique: ${s.labels.toString()}`);
    }
    invariant(s.labels.get(METRIC_NAME) !== '', 'samples have a metric name');
    invariant(typeof s.value === 'number', 'numeric value');
    invariant(s.timestampMs === undefined || Number.isSafeInteger(s.timestampMs), `timestamp ${s.timestampMs}`);
  }
  for (const m of r.metadata) invariant(m.family.length > 0, 'metadata family');
}

async function fuzz(format: ExpositionFormat, seeds: readonly string[], seed: number): Promise<number> {
  const rng = new Prng(seed);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const seedBytes = seeds.map((s) => encoder.encode(s));
  return runFor(BUDGET_MS, (run) => {
    const input = mutate(rng, rng.pick(seedBytes), DICTIONARY);
    // Half of the runs as bytes (UTF-8 validation per line), half as a string.
    const body = rng.int(2) === 0 ? input : decoder.decode(input);
    const t0 = performance.now();
    try {
      const r = parseExposition(body, format, { maxIssues: MAX_ISSUES });
      const ms = performance.now() - t0;
      invariant(ms < MAX_PARSE_MS, `parse took ${ms.toFixed(0)} ms`);
      checkResult(r);
    } catch (e) {
      throw new Error(
        `${format} fuzz run ${run} (FUZZ_SEED=${SEED}): ${String(e)}\ninput: ${JSON.stringify(decoder.decode(input))}`,
      );
    }
  });
}

describe(`exposition fuzz (FUZZ_SEED=${SEED}, ${BUDGET_MS} ms per target)`, () => {
  it('text 0.0.4: mutated bodies never throw or hang, output stays well-formed', async () => {
    const runs = await fuzz('text-0.0.4', TEXT_SEEDS, SEED);
    console.log(`exposition fuzz text-0.0.4: FUZZ_SEED=${SEED}, ${runs} inputs`);
    expect(runs).toBeGreaterThan(100);
  });

  it('OpenMetrics 1.0: mutated bodies never throw or hang, output stays well-formed', async () => {
    const runs = await fuzz('openmetrics-1.0', OM_SEEDS, SEED ^ 0x5a5a5a5a);
    console.log(`exposition fuzz openmetrics-1.0: FUZZ_SEED=${SEED}, ${runs} inputs`);
    expect(runs).toBeGreaterThan(100);
  });

  it('random strings over the format alphabet never throw', () => {
    const rng = new Prng(SEED ^ 0x1234);
    const alphabet = [...'ab_:{}"=,\\ \t\n#.0123456789eE+-InfNa\r', '🚢', '\ud800'];
    for (let k = 0; k < 5_000; k++) {
      let s = '';
      const n = rng.int(200);
      for (let i = 0; i < n; i++) s += rng.pick(alphabet);
      checkResult(parseExposition(s, k % 2 === 0 ? 'text-0.0.4' : 'openmetrics-1.0', { maxIssues: MAX_ISSUES }));
    }
  });

  it('a bad line never costs the good ones: every other sample survives one corrupted line', () => {
    const rng = new Prng(SEED ^ 0x777);
    const lines = TEXT_SEEDS[0]!.split('\n').filter((l) => l !== '');
    const expected = parseExposition(lines.join('\n'), 'text-0.0.4');
    expect(expected.issues).toEqual([]);
    // The sample each line produces (comment lines produce none).
    const sampleOfLine: (string | undefined)[] = [];
    let next = 0;
    for (const l of lines) {
      const s = l.startsWith('#') ? undefined : expected.samples[next++]!;
      sampleOfLine.push(s === undefined ? undefined : `${s.labels.key} ${s.value} ${s.timestampMs}`);
    }
    for (let k = 0; k < 1_000; k++) {
      const bad = rng.int(lines.length);
      const corrupted = new TextDecoder().decode(mutate(rng, new TextEncoder().encode(lines[bad]), DICTIONARY));
      // The corrupted line stays one line.
      const body = lines.map((l, i) => (i === bad ? corrupted.replace(/[\r\n]/g, ' ') : l)).join('\n');
      const got = new Set(
        parseExposition(body, 'text-0.0.4').samples.map((s) => `${s.labels.key} ${s.value} ${s.timestampMs}`),
      );
      sampleOfLine.forEach((want, i) => {
        if (i !== bad && want !== undefined) {
          invariant(
            got.has(want),
            `line ${i + 1} lost after corrupting line ${bad + 1} (FUZZ_SEED=${SEED}): ${JSON.stringify(body)}`,
          );
        }
      });
    }
  });
});
