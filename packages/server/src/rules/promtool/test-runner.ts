/**
 * `watchkeeper test rules FILE...`: rule unit tests in promtool's format, run with promtool 2.42's
 * semantics and output. Per test group: input series loaded up to each evaluation time (the lazy
 * loader), every group evaluated at 0, interval, 2×interval, ... up to the latest eval_time, alerts
 * compared after the evaluation at or before their eval_time, PromQL expressions queried at the
 * end. Failures print exactly what promtool prints.
 *
 * Where we differ: our engine has Prometheus 3's left-open range windows `(t - range, t]`
 * (2.42: `[t - range, t]`); instant selectors get 2.42's closed lookback window through a lookback
 * of 5m + 1ms. A range selector whose window starts exactly on a sample sees one sample less than
 * promtool does.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { Labels } from '../../lib/labels.js';
import { STALE_NAN } from '../../lib/stale.js';
import { Engine } from '../../promql/index.js';
import { MemoryStorage } from '../../tsdb/index.js';
import { AlertingRule } from '../alerting-rule.js';
import { formatFloatUpperE, formatGoDuration, formatModelDuration, goQuote, parseModelDuration } from '../go-format.js';
import { decodeGoYaml, goDuration, goFloat64, goSlice, goString, goStringMap, goStruct } from '../go-yaml.js';
import { GlobPatternError, goGlob } from '../glob.js';
import type { RuleGroup } from '../group.js';
import { buildGroups, engineQueryFunc } from '../manager.js';
import { goFileError, loadRuleFile, type RuleFile, RuleFileError } from '../rule-file.js';
import { type LabelPairs, sortedPairs } from '../rule.js';
import { type CommandOutput, formatLabelPairs } from './output.js';
import { parseMetricText, parseSeriesDescription, SeriesParseError } from './series-desc.js';

const duration = goDuration(parseModelDuration);

const seriesCodec = goStruct('main.series', {
  series: { key: 'series', codec: goString },
  values: { key: 'values', codec: goString },
});
const alertCodec = goStruct('main.alert', {
  expLabels: { key: 'exp_labels', codec: goStringMap },
  expAnnotations: { key: 'exp_annotations', codec: goStringMap },
});
const alertTestCodec = goStruct('main.alertTestCase', {
  evalTimeMs: { key: 'eval_time', codec: duration },
  alertname: { key: 'alertname', codec: goString },
  expAlerts: { key: 'exp_alerts', codec: goSlice(alertCodec) },
});
const sampleCodec = goStruct('main.sample', {
  labels: { key: 'labels', codec: goString },
  value: { key: 'value', codec: goFloat64 },
});
const promqlTestCodec = goStruct('main.promqlTestCase', {
  expr: { key: 'expr', codec: goString },
  evalTimeMs: { key: 'eval_time', codec: duration },
  expSamples: { key: 'exp_samples', codec: goSlice(sampleCodec) },
});
const testGroupCodec = goStruct('main.testGroup', {
  intervalMs: { key: 'interval', codec: duration },
  inputSeries: { key: 'input_series', codec: goSlice(seriesCodec) },
  alertRuleTests: { key: 'alert_rule_test', codec: goSlice(alertTestCodec) },
  promqlExprTests: { key: 'promql_expr_test', codec: goSlice(promqlTestCodec) },
  externalLabels: { key: 'external_labels', codec: goStringMap },
  externalURL: { key: 'external_url', codec: goString },
  name: { key: 'name', codec: goString },
});
const unitTestFileCodec = goStruct('main.unitTestFile', {
  ruleFiles: { key: 'rule_files', codec: goSlice(goString) },
  evaluationIntervalMs: { key: 'evaluation_interval', codec: duration },
  groupEvalOrder: { key: 'group_eval_order', codec: goSlice(goString) },
  tests: { key: 'tests', codec: goSlice(testGroupCodec) },
});

type TestGroup = ReturnType<typeof testGroupCodec.decode>;

export interface RuleTestOptions {
  /** Lookback delta of the test engine (promtool: 5m). @default 300_000 */
  readonly lookbackDeltaMs?: number;
}

/** A failure line of a test file (Go's error value). */
class TestFailure {
  constructor(readonly message: string) {}
}

interface LabelsAndAnnotations {
  readonly labels: LabelPairs;
  readonly annotations: LabelPairs;
}

function comparePairs(a: LabelPairs, b: LabelPairs): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const [an, av] = a[i]!;
    const [bn, bv] = b[i]!;
    if (an !== bn) return an < bn ? -1 : 1;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return a.length - b.length;
}

function pairsEqual(a: LabelPairs, b: LabelPairs): boolean {
  return comparePairs(a, b) === 0;
}

const fmtPairs = (p: LabelPairs): string => formatLabelPairs(p, goQuote);

/** promtool's indentLines: every line but the first gets the indent. */
function indentLines(lines: string, indent: string): string {
  return lines
    .split('\n')
    .map((l, i) => (i > 0 ? indent + l : l))
    .join('\n');
}

function alertsString(la: readonly LabelsAndAnnotations[]): string {
  if (la.length === 0) return '[]';
  const one = (x: LabelsAndAnnotations): string =>
    indentLines(`\nLabels:${fmtPairs(x.labels)}\nAnnotations:${fmtPairs(x.annotations)}`, '  ');
  let s = `[\n0:${one(la[0]!)}`;
  la.slice(1).forEach((x, i) => {
    s += `,\n${i + 1}:${one(x)}`;
  });
  return `${s}\n]`;
}

interface ParsedSample {
  readonly labels: LabelPairs;
  readonly value: number;
}

function samplesString(samples: readonly ParsedSample[]): string {
  if (samples.length === 0) return 'nil';
  return samples.map((s) => `${fmtPairs(s.labels)} ${formatFloatUpperE(s.value)}`).join(', ');
}

/** Go's parser.ParseMetric, sorted. */
function parseMetric(text: string): LabelPairs {
  return sortedPairs(parseMetricText(text));
}

/** The input series of a test group, ready to be appended up to a time (Prometheus's LazyLoader). */
class LazyLoader {
  private readonly pending: { labels: Labels; times: number[]; values: (number | 'stale')[]; next: number }[] = [];

  constructor(
    private readonly storage: MemoryStorage,
    tg: TestGroup,
  ) {
    const defs = new Map<string, (typeof this.pending)[number]>();
    for (const s of tg.inputSeries) {
      const line = `${s.series} ${s.values}`.trim();
      const desc = parseSeriesDescription(line);
      const labels = Labels.from(desc.labels);
      const times: number[] = [];
      const values: (number | 'stale')[] = [];
      desc.values.forEach((v, i) => {
        if (v.kind === 'omitted') return;
        times.push(i * tg.intervalMs);
        values.push(v.kind === 'stale' ? 'stale' : v.v);
      });
      // A series given twice: the last definition wins.
      defs.set(labels.key, { labels, times, values, next: 0 });
    }
    this.pending = [...defs.values()];
  }

  appendTill(tsMs: number): void {
    const app = this.storage.appender();
    for (const s of this.pending) {
      while (s.next < s.times.length && s.times[s.next]! <= tsMs) {
        const v = s.values[s.next]!;
        // Samples at one time: the first one stays, as in Prometheus's head.
        app.append(s.labels, s.times[s.next]!, v === 'stale' ? STALE_NAN : v);
        s.next++;
      }
    }
  }
}

function orderedGroups(groups: readonly RuleGroup[], order: ReadonlyMap<string, number>): RuleGroup[] {
  const seen = new Set<string>();
  const unique = groups.filter((g) => (seen.has(g.key) ? false : (seen.add(g.key), true)));
  return unique.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
}

async function runTestGroup(
  tg: TestGroup,
  evalIntervalMs: number,
  order: ReadonlyMap<string, number>,
  ruleFiles: readonly string[],
  options: RuleTestOptions,
): Promise<TestFailure[]> {
  const storage = new MemoryStorage();
  // Prometheus's test storage has no out-of-order window.
  storage.outOfOrderWindowMs = 0;
  let loader: LazyLoader;
  try {
    loader = new LazyLoader(storage, tg);
  } catch (e) {
    if (e instanceof SeriesParseError) return [new TestFailure(e.message)];
    throw e;
  }
  const engine = new Engine(storage, {
    // 2.42's lookback window is closed at its start: [t - 5m, t] = (t - 5m - 1ms, t].
    lookbackDeltaMs: (options.lookbackDeltaMs ?? 300_000) + 1,
    defaultSubqueryStepMs: evalIntervalMs,
  });
  const query = engineQueryFunc(engine);

  // Like Prometheus's LoadGroups: the first file that does not load is the test group's failure.
  const files: RuleFile[] = [];
  for (const f of ruleFiles) {
    try {
      files.push(loadRuleFile(f));
    } catch (e) {
      if (e instanceof RuleFileError) return e.problems.map((p) => new TestFailure(p));
      throw e;
    }
  }
  let groups = buildGroups(files, {
    defaultIntervalMs: tg.intervalMs,
    externalLabels: Object.fromEntries(tg.externalLabels),
    externalURL: tg.externalURL,
    restored: true,
    shouldRestore: false,
  });
  groups = orderedGroups(groups, order);

  const maxTimeMs = Math.max(
    0,
    ...tg.alertRuleTests.map((a) => a.evalTimeMs),
    ...tg.promqlExprTests.map((p) => p.evalTimeMs),
  );

  const alertTests = new Map<number, (typeof tg.alertRuleTests)[number][]>();
  const alertsAt = new Map<number, Set<string>>();
  for (const a of tg.alertRuleTests) {
    if (a.alertname === '') {
      const where = tg.name !== '' ? ` (in TestGroup ${tg.name})` : '';
      return [
        new TestFailure(
          `an item under alert_rule_test misses required attribute alertname at eval_time ${formatModelDuration(a.evalTimeMs)}${where}`,
        ),
      ];
    }
    alertTests.set(a.evalTimeMs, [...(alertTests.get(a.evalTimeMs) ?? []), a]);
    alertsAt.set(a.evalTimeMs, (alertsAt.get(a.evalTimeMs) ?? new Set()).add(a.alertname));
  }
  const alertEvalTimes = [...alertTests.keys()].sort((a, b) => a - b);
  let curr = 0;
  const errs: TestFailure[] = [];

  for (let ts = 0; ts <= maxTimeMs; ts += evalIntervalMs) {
    loader.appendTill(ts);
    const evalErrs: TestFailure[] = [];
    for (const g of groups) {
      await g.eval(ts, { query, appendable: storage, resendDelayMs: 60_000 });
      for (const r of g.rules) {
        if (r.status.lastError !== undefined) {
          evalErrs.push(
            new TestFailure(`    rule: ${r.name}, time: ${formatGoDuration(ts)}, err: ${r.status.lastError.message}`),
          );
        }
      }
    }
    errs.push(...evalErrs);
    if (evalErrs.length > 0) return errs;

    while (curr < alertEvalTimes.length && ts <= alertEvalTimes[curr]! && alertEvalTimes[curr]! < ts + evalIntervalMs) {
      const t = alertEvalTimes[curr]!;
      const present = alertsAt.get(t)!;
      const got = new Map<string, LabelsAndAnnotations[]>();
      for (const g of groups) {
        for (const r of g.rules) {
          if (!(r instanceof AlertingRule) || !present.has(r.name)) continue;
          const firing = r
            .activeAlerts()
            .filter((a) => a.state === 'firing')
            .map((a) => ({ labels: [...a.labels] as LabelPairs, annotations: a.annotations }));
          got.set(r.name, [...(got.get(r.name) ?? []), ...firing]);
        }
      }
      for (const tc of alertTests.get(t)!) {
        const gotAlerts = [...(got.get(tc.alertname) ?? [])];
        const expAlerts: LabelsAndAnnotations[] = tc.expAlerts.map((a) => {
          const labels = new Map<string, string>(a.expLabels);
          labels.set('alertname', tc.alertname);
          return { labels: sortedPairs(labels), annotations: sortedPairs(new Map(a.expAnnotations)) };
        });
        const byLabels = (x: LabelsAndAnnotations, y: LabelsAndAnnotations): number =>
          comparePairs(x.labels, y.labels) || comparePairs(x.annotations, y.annotations);
        gotAlerts.sort(byLabels);
        expAlerts.sort(byLabels);
        const equal =
          gotAlerts.length === expAlerts.length &&
          gotAlerts.every(
            (g, i) =>
              pairsEqual(g.labels, expAlerts[i]!.labels) && pairsEqual(g.annotations, expAlerts[i]!.annotations),
          );
        if (!equal) {
          const testName = tg.name !== '' ? `    name: ${tg.name},\n` : '';
          const exp = indentLines(alertsString(expAlerts), '            ');
          const gotText = indentLines(alertsString(gotAlerts), '            ');
          errs.push(
            new TestFailure(
              `${testName}    alertname: ${tc.alertname}, time: ${formatModelDuration(tc.evalTimeMs)}, \n        exp:${exp}, \n        got:${gotText}`,
            ),
          );
        }
      }
      curr++;
    }
  }

  for (const tc of tg.promqlExprTests) {
    const time = formatModelDuration(tc.evalTimeMs);
    let got: ParsedSample[];
    try {
      got = (await query(tc.expr, tc.evalTimeMs)).map((s) => ({ labels: [...s.labels], value: s.v }));
    } catch (e) {
      errs.push(new TestFailure(`    expr: ${goQuote(tc.expr)}, time: ${time}, err: ${(e as Error).message}`));
      continue;
    }
    const exp: ParsedSample[] = [];
    let bad = false;
    for (const s of tc.expSamples) {
      try {
        exp.push({ labels: parseMetric(s.labels), value: s.value });
      } catch (e) {
        errs.push(
          new TestFailure(
            `    expr: ${goQuote(tc.expr)}, time: ${time}, err: labels ${goQuote(s.labels)}: ${(e as Error).message}`,
          ),
        );
        bad = true;
        break;
      }
    }
    if (bad) continue;
    exp.sort((a, b) => comparePairs(a.labels, b.labels));
    got.sort((a, b) => comparePairs(a.labels, b.labels));
    const equal =
      exp.length === got.length &&
      exp.every((e, i) => pairsEqual(e.labels, got[i]!.labels) && e.value === got[i]!.value);
    if (!equal) {
      errs.push(
        new TestFailure(
          `    expr: ${goQuote(tc.expr)}, time: ${time},\n        exp: ${samplesString(exp)}\n        got: ${samplesString(got)}`,
        ),
      );
    }
  }
  return errs;
}

async function ruleUnitTest(file: string, out: CommandOutput, options: RuleTestOptions): Promise<TestFailure[]> {
  out.stdout(`Unit Testing:  ${file}\n`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return [new TestFailure(goFileError(e, file))];
  }
  const decoded = decodeGoYaml(text, unitTestFileCodec, 'v2');
  if (!decoded.ok) return [new TestFailure(decoded.error)];
  const utf = decoded.value;

  const baseDir = dirname(file);
  const ruleFiles: string[] = [];
  for (const rf of utf.ruleFiles) {
    const pattern = rf !== '' && !isAbsolute(rf) ? join(baseDir, rf) : rf;
    let matches: string[];
    try {
      matches = goGlob(pattern);
    } catch (e) {
      if (e instanceof GlobPatternError) return [new TestFailure(e.message)];
      throw e;
    }
    if (matches.length === 0) out.stderr(`  WARNING: no file match pattern ${pattern}\n`);
    ruleFiles.push(...matches);
  }
  const evalIntervalMs = utf.evaluationIntervalMs === 0 ? 60_000 : utf.evaluationIntervalMs;
  const order = new Map<string, number>();
  for (const [i, name] of utf.groupEvalOrder.entries()) {
    if (order.has(name)) return [new TestFailure(`group name repeated in evaluation order: ${name}`)];
    order.set(name, i);
  }
  const errs: TestFailure[] = [];
  for (const tg of utf.tests) errs.push(...(await runTestGroup(tg, evalIntervalMs, order, ruleFiles, options)));
  return errs;
}

/**
 * Runs rule unit test files as `promtool test rules` does; returns the exit code (0 all passed,
 * 1 any failed). Writes promtool's report to `out`.
 */
export async function runRuleTests(
  files: readonly string[],
  out: CommandOutput,
  options: RuleTestOptions = {},
): Promise<number> {
  let failed = false;
  for (const f of files) {
    const errs = await ruleUnitTest(f, out, options);
    if (errs.length > 0) {
      out.stderr('  FAILED:\n');
      for (const e of errs) {
        out.stderr(`${e.message}\n`);
        out.stdout('\n');
      }
      failed = true;
    } else {
      out.stdout('  SUCCESS\n');
    }
    out.stdout('\n');
  }
  return failed ? 1 : 0;
}
