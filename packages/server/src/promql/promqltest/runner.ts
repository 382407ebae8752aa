/**
 * Runs PromQL `.test` scripts (see script.ts) against `MemoryStorage` + `Engine`, with the checks of
 * the 3.x/main reference runner: result comparison with its float tolerance, fail/annotation
 * expectations, and on every instant eval the range-mode cross-check and the `@`-modifier
 * step-invariance runs. Each eval becomes one case result; nothing is dropped silently.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Labels, METRIC_NAME, isLegacyMetricName } from '../../lib/labels.js';
import { STALE_NAN, isStaleAt, isStaleNaN, writeStaleNaN } from '../../lib/stale.js';
import { MemoryStorage, type Storage } from '../../tsdb/index.js';
import type { Duration, DurationExpr, Expr, VectorSelector } from '../ast.js';
import { Engine, type EngineOptions } from '../engine.js';
import { Matcher } from '../../lib/matcher.js';
import { parseExpr } from '../parser.js';
import { formatExpr } from '../printer.js';
import type { Annotation, FloatHistogram, MatrixSeries, QueryResult, QueryValue, Sample } from '../value.js';
import {
  CUSTOM_BUCKETS_SCHEMA,
  bucketMap,
  expectMatches,
  findEvalLines,
  formatFloat,
  formatHistogram,
  formatSeqValue,
  isFail,
  isOrdered,
  parseGoFloat,
  parseScript,
  spansFromMap,
  type EvalCmd,
  type ExpectLine,
  type LoadCmd,
  type Script,
  type SeqValue,
} from './script.js';
import { formatAnnotation } from '../annotations.js';
import { almostEqual as floatsAlmostEqual } from '../functions/kahan.js';
import { SKIP_LIST, UNSUPPORTED_DATA, type SkipEntry, type UnsupportedDataKind } from './skip-list.js';

export type CaseStatus = 'passed' | 'failed' | 'skipped';

export interface CaseResult {
  file: string;
  /** 1-based line of the eval command. */
  line: number;
  query: string;
  status: CaseStatus;
  /** Why it failed or was skipped (multi-line for failures: problem, expected, got); '' when passed. */
  reason: string;
}

/** What the runner needs of a query engine (`Engine` implements it). */
export interface QueryEngine {
  instantQuery(query: string, timeMs: number): Promise<QueryResult>;
  rangeQuery(query: string, startMs: number, endMs: number, stepMs: number): Promise<QueryResult>;
}

/** A storage that can also hold native histogram samples; used when the storage offers it. */
export interface HistogramAppendable {
  appendHistogram(labels: Labels, timestampMs: number, h: FloatHistogram): boolean;
}

export interface RunOptions {
  /** Range-mode cross-check and `@` step-invariance runs on instant evals. @default true */
  extraChecks?: boolean;
  /** @default SKIP_LIST */
  skipList?: readonly SkipEntry[];
  /** A fresh storage per file and per `clear`. @default MemoryStorage */
  newStorage?: () => Storage;
  /** @default an Engine with TEST_ENGINE_OPTIONS */
  newEngine?: (storage: Storage) => QueryEngine;
}

/** The configuration the 3.x/main test files assume. */
export const TEST_ENGINE_OPTIONS: Readonly<EngineOptions> = Object.freeze({
  lookbackDeltaMs: 300_000,
  maxSamples: 10_000,
  defaultSubqueryStepMs: 60_000,
  enableExperimental: true,
});

const EPSILON = 1e-6;
const RANGE_MODE_STEP_MS = 60_000;
/** The reference runner recognizes query-context functions textually. */
const QUERY_CONTEXT_RE = /(start|end|range|step)\(\)/;
/** Functions whose result can change with the evaluation time even for step-invariant arguments. */
const AT_UNSAFE_FUNCTIONS = new Set([
  'time',
  'timestamp',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'start',
  'end',
  'range',
  'step',
]);
/** Cap on result lines printed in a failure reason. */
const MAX_DESCRIBED = 25;

// ---------------------------------------------------------------------------------------------
// Public helpers

/**
 * Prometheus's float equality for tests (util/almost): StaleNaN equals only StaleNaN, NaN equals
 * NaN, and otherwise a relative tolerance — except that comparisons against 0 (or subnormal sums)
 * are effectively exact.
 */
export function almostEqual(a: number, b: number, epsilon = EPSILON): boolean {
  return floatEqual(a, isStaleNaN(a), b, isStaleNaN(b), epsilon);
}

function floatEqual(a: number, aStale: boolean, b: number, bStale: boolean, epsilon = EPSILON): boolean {
  if (aStale || bStale) return aStale && bStale;
  return floatsAlmostEqual(a, b, epsilon);
}

/** `line:col` (1-based, column in UTF-8 bytes as Prometheus counts) of a 0-based offset in a query. */
/** Native histogram equality of the reference runner (both sides compacted, §7.4 of DSL.md). */
export function histogramsEqual(exp: FloatHistogram, act: FloatHistogram, compareHint: boolean): boolean {
  if (exp.schema !== act.schema) return false;
  if (!almostEqual(exp.count, act.count) || !almostEqual(exp.sum, act.sum)) return false;
  if (exp.schema === CUSTOM_BUCKETS_SCHEMA) {
    const x = exp.customValues ?? [];
    const y = act.customValues ?? [];
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
  }
  if (exp.zeroThreshold !== act.zeroThreshold || !almostEqual(exp.zeroCount, act.zeroCount)) return false;
  if (!compactBucketsEqual(exp.negativeSpans, exp.negativeBuckets, act.negativeSpans, act.negativeBuckets))
    return false;
  if (!compactBucketsEqual(exp.positiveSpans, exp.positiveBuckets, act.positiveSpans, act.positiveBuckets))
    return false;
  if (compareHint && (exp.counterResetHint ?? 'unknown') !== (act.counterResetHint ?? 'unknown')) return false;
  return true;
}

function compactBucketsEqual(
  es: FloatHistogram['positiveSpans'],
  eb: number[],
  as: FloatHistogram['positiveSpans'],
  ab: number[],
): boolean {
  // Compacting drops empty buckets, after which equal span layouts mean equal sets of indexes.
  const x = [...bucketMap(es, eb)].filter(([, v]) => v !== 0);
  const y = [...bucketMap(as, ab)].filter(([, v]) => v !== 0);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    if (x[i]![0] !== y[i]![0] || !almostEqual(x[i]![1], y[i]![1])) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Running files

export function summarize(results: readonly CaseResult[]): { passed: number; failed: number; skipped: number } {
  const s = { passed: 0, failed: 0, skipped: 0 };
  for (const r of results) s[r.status]++;
  return s;
}

export async function runFile(path: string, opts: RunOptions = {}): Promise<CaseResult[]> {
  return runScript(path, await readFile(path, 'utf8'), opts);
}

/** Runs one script. `file` names it in the results and is matched (by base name) against the skip list. */
export async function runScript(file: string, text: string, opts: RunOptions = {}): Promise<CaseResult[]> {
  const skipList = opts.skipList ?? SKIP_LIST;
  const base = basename(file);
  const skips = skipList.filter((e) => basename(e.file) === base);
  const skipReason = (line: number): string | undefined =>
    skips.find((e) => e.line === undefined || e.line === line)?.reason;

  let script: Script;
  try {
    script = parseScript(text, { parseExpr: (q) => parseExpr(q, { enableExperimental: true }) });
  } catch (err) {
    const msg = `the file failed to parse: ${errorMessage(err)}`;
    return findEvalLines(text).map(({ line, query }) => {
      const skip = skipReason(line);
      return skip !== undefined
        ? { file, line, query, status: 'skipped', reason: skip }
        : { file, line, query, status: 'failed', reason: msg };
    });
  }

  const runner = new ScriptRunner(opts);
  const results: CaseResult[] = [];
  let loadError: string | undefined;
  for (const cmd of script.commands) {
    if (cmd.kind === 'clear') {
      runner.clear();
    } else if (cmd.kind === 'load') {
      if (loadError !== undefined) continue;
      try {
        runner.load(cmd);
      } catch (err) {
        // As in the reference runner, a failed load ends the file: the rest cannot be meaningful.
        loadError = `not run: the load at line ${cmd.line} failed: ${errorMessage(err)}`;
      }
    } else {
      const r = { file, line: cmd.line, query: cmd.expr };
      const skip = skipReason(cmd.line);
      if (skip !== undefined) {
        results.push({ ...r, status: 'skipped', reason: skip });
        continue;
      }
      if (loadError !== undefined) {
        results.push({ ...r, status: 'failed', reason: loadError });
        continue;
      }
      const unsupported = runner.unsupportedDataReason(cmd);
      if (unsupported !== undefined) {
        results.push({ ...r, status: 'skipped', reason: unsupported });
        continue;
      }
      let failure: string | undefined;
      try {
        failure = await runner.evaluate(cmd);
      } catch (err) {
        failure = `runner error: ${errorMessage(err)}`;
      }
      results.push(
        failure === undefined ? { ...r, status: 'passed', reason: '' } : { ...r, status: 'failed', reason: failure },
      );
    }
  }
  return results;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface UnsupportedSeries {
  labels: Labels;
  kind: UnsupportedDataKind;
  line: number;
}

interface InstantRun {
  expr: string;
  timeMs: number;
  /** Names the extra check in failure messages; '' for the eval as written. */
  label: string;
}

class ScriptRunner {
  private readonly extraChecks: boolean;
  private storage!: Storage;
  private engine!: QueryEngine;
  /** Series loaded since the last clear whose data the storage could not hold. */
  private unsupported: UnsupportedSeries[] = [];

  constructor(private readonly opts: RunOptions) {
    this.extraChecks = opts.extraChecks ?? true;
    this.clear();
  }

  clear(): void {
    this.storage = this.opts.newStorage?.() ?? new MemoryStorage();
    this.engine = this.opts.newEngine?.(this.storage) ?? new Engine(this.storage, TEST_ENGINE_OPTIONS);
    this.unsupported = [];
  }

  // ---- load ----

  load(cmd: LoadCmd): void {
    const hist = histogramAppender(this.storage);
    for (const s of cmd.series) {
      if (s.startOffsetsMs?.some((o) => o !== undefined)) {
        this.unsupported.push({ labels: s.labels, kind: 'start-timestamp', line: s.line });
      }
      const staleTimes: number[] = [];
      let histogramsDropped = false;
      for (let i = 0; i < s.values.length; i++) {
        const v = s.values[i]!;
        const t = i * cmd.intervalMs;
        let ok = true;
        switch (v.kind) {
          case 'omitted':
            continue;
          case 'float':
            ok = this.storage.append(s.labels, t, v.value);
            break;
          case 'stale':
            ok = this.storage.append(s.labels, t, STALE_NAN);
            staleTimes.push(t);
            break;
          case 'histogram':
            if (hist) ok = hist.appendHistogram(s.labels, t, v.h);
            else histogramsDropped = true;
            break;
        }
        if (!ok)
          throw new Error(`sample ${formatLabels(s.labels)} at t=${t}ms was rejected (out of order or duplicate)`);
      }
      if (histogramsDropped) {
        this.unsupported.push({ labels: s.labels, kind: 'native-histogram', line: s.line });
      }
      if (staleTimes.length > 0) this.ensureStaleBits(s.labels, staleTimes);
    }
    if (cmd.withNHCB) {
      for (const { labels, samples } of synthesizeNHCB(cmd)) {
        if (!hist) {
          this.unsupported.push({ labels, kind: 'nhcb', line: cmd.line });
          continue;
        }
        for (const { t, h } of samples) {
          if (!hist.appendHistogram(labels, t, h))
            throw new Error(`histogram ${formatLabels(labels)} at t=${t}ms was rejected`);
        }
      }
    }
  }

  /**
   * A StaleNaN passed through JS values may come out with a canonical NaN payload; staleness
   * markers must keep their exact bits in storage, so they are checked and rewritten in place
   * (through the views `select` returns over the stored arrays).
   */
  private ensureStaleBits(labels: Labels, times: number[]): void {
    const matchers = [...labels].map(([n, v]) => new Matcher('=', n, v));
    const series = this.storage
      .select(matchers, times[0]!, times[times.length - 1]!)
      .find((s) => s.labels.equals(labels));
    if (!series) throw new Error(`series ${formatLabels(labels)} not found after loading`);
    let j = 0;
    for (const t of times) {
      while (j < series.timestampsMs.length && series.timestampsMs[j]! < t) j++;
      if (series.timestampsMs[j] !== t)
        throw new Error(`staleness marker of ${formatLabels(labels)} at t=${t}ms not stored`);
      if (!isStaleAt(series.values, j)) {
        writeStaleNaN(series.values, j);
        if (!isStaleAt(series.values, j)) {
          throw new Error(`the storage does not keep the StaleNaN bit pattern (${formatLabels(labels)} at t=${t}ms)`);
        }
      }
    }
  }

  /** Why the eval cannot be run meaningfully: one of its selectors touches data the storage could not hold. */
  unsupportedDataReason(cmd: EvalCmd): string | undefined {
    if (this.unsupported.length === 0 || cmd.parsed === undefined) return undefined;
    const selectors: VectorSelector[] = [];
    walkExpr(cmd.parsed, (e) => {
      if (e.type === 'VectorSelector') selectors.push(e);
    });
    for (const u of this.unsupported) {
      const reason = UNSUPPORTED_DATA[u.kind];
      if (reason === undefined) continue;
      for (const sel of selectors) {
        if (sel.matchers.every((m) => m.matches(u.labels.get(m.name)))) {
          return `needs ${reason}: selector ${sel.matchers.map(String).join(',')} matches ${formatLabels(u.labels)} (loaded at line ${u.line})`;
        }
      }
    }
    return undefined;
  }

  // ---- eval ----

  /** Runs one eval; returns the failure reason, or undefined when it passed. */
  async evaluate(cmd: EvalCmd): Promise<string | undefined> {
    if (cmd.isRange) return this.evaluateRange(cmd);
    const runs: InstantRun[] = [{ expr: cmd.expr, timeMs: cmd.evalMs, label: '' }];
    if (this.extraChecks) runs.push(...atModifierRuns(cmd));
    for (const run of runs) {
      const failure = await this.runInstant(cmd, run);
      if (failure !== undefined) return failure;
    }
    return undefined;
  }

  private async evaluateRange(cmd: EvalCmd): Promise<string | undefined> {
    let res: QueryResult;
    try {
      res = await this.engine.rangeQuery(cmd.expr, cmd.startMs, cmd.endMs, cmd.stepMs);
    } catch (err) {
      if (isFail(cmd)) return checkExpectedFailure(cmd, errorMessage(err));
      return `error evaluating the range query: ${errorMessage(err)}`;
    }
    if (isFail(cmd)) return `expected the query to fail, but it succeeded\ngot:\n${describeValue(res.value)}`;
    return checkAnnotations(cmd, cmd.expr, res.annotations) ?? compareResult(cmd, res.value);
  }

  private async runInstant(cmd: EvalCmd, run: InstantRun): Promise<string | undefined> {
    const where = run.label === '' ? '' : ` (${run.label})`;
    let res: QueryResult;
    try {
      res = await this.engine.instantQuery(run.expr, run.timeMs);
    } catch (err) {
      if (isFail(cmd)) {
        const f = checkExpectedFailure(cmd, errorMessage(err));
        return f === undefined ? undefined : f + where;
      }
      return `error evaluating the query${where}: ${errorMessage(err)}`;
    }
    if (isFail(cmd)) return `expected the query to fail, but it succeeded${where}\ngot:\n${describeValue(res.value)}`;
    const failure = checkAnnotations(cmd, run.expr, res.annotations) ?? compareResult(cmd, res.value);
    if (failure !== undefined) return prefixFirstLine(failure, where);

    if (!this.extraChecks || cmd.excludeFromRangeQuery || usesQueryContext(cmd, run.expr)) return undefined;
    const inRangeMode = `range-mode check: ${run.expr} from t-1m to t+1m step 1m, t=${run.timeMs}ms`;
    let rangeRes: QueryResult;
    try {
      rangeRes = await this.engine.rangeQuery(
        run.expr,
        run.timeMs - RANGE_MODE_STEP_MS,
        run.timeMs + RANGE_MODE_STEP_MS,
        RANGE_MODE_STEP_MS,
      );
    } catch (err) {
      return `error evaluating the query (${inRangeMode}): ${errorMessage(err)}`;
    }
    // Range results are always sorted by labels, so an expected order cannot be checked there.
    if (isOrdered(cmd)) return undefined;
    const mat = rangeRes.value;
    if (mat.type !== 'matrix') return `the range query returned a ${mat.type}, not a matrix (${inRangeMode})`;
    const sortErr = checkMatrixSorted(mat.series);
    if (sortErr !== undefined) return `${sortErr} (${inRangeMode})`;
    const samples = pointsAt(mat.series, run.timeMs);
    let f: string | undefined;
    if (res.value.type === 'scalar') {
      const s = samples[0];
      f =
        s === undefined
          ? `the range query returned no point at t\ngot:\n${describeValue(mat)}`
          : compareResult(cmd, { type: 'scalar', timestampMs: run.timeMs, v: s.v });
    } else {
      f = compareResult(cmd, { type: 'vector', samples });
    }
    return f === undefined ? undefined : prefixFirstLine(f, ` (${inRangeMode})`);
  }
}

function prefixFirstLine(msg: string, suffix: string): string {
  if (suffix === '') return msg;
  const nl = msg.indexOf('\n');
  return nl < 0 ? msg + suffix : msg.slice(0, nl) + suffix + msg.slice(nl);
}

function histogramAppender(storage: Storage): HistogramAppendable | undefined {
  return typeof storage.appendHistogram === 'function' ? (storage as Storage & HistogramAppendable) : undefined;
}

// ---------------------------------------------------------------------------------------------
// AST helpers: selectors, time dependence, the @ rewrite

function walkExpr(e: Expr, f: (e: Expr) => void): void {
  f(e);
  switch (e.type) {
    case 'MatrixSelector':
      walkExpr(e.vectorSelector, f);
      break;
    case 'SubqueryExpr':
    case 'UnaryExpr':
    case 'ParenExpr':
      walkExpr(e.expr, f);
      break;
    case 'Call':
      for (const a of e.args) walkExpr(a, f);
      break;
    case 'AggregateExpr':
      if (e.param) walkExpr(e.param, f);
      walkExpr(e.expr, f);
      break;
    case 'BinaryExpr':
      walkExpr(e.lhs, f);
      walkExpr(e.rhs, f);
      break;
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'VectorSelector':
      break;
  }
}

function durationUsesQueryContext(d: Duration | undefined): boolean {
  const walk = (x: DurationExpr): boolean => {
    switch (x.kind) {
      case 'step':
      case 'range':
        return true;
      case 'literal':
      case 'number':
        return false;
      case 'unary':
      case 'paren':
        return walk(x.arg);
      case 'binary':
        return walk(x.lhs) || walk(x.rhs);
      case 'call':
        return walk(x.args[0]) || walk(x.args[1]);
    }
  };
  return d?.expr !== undefined && walk(d.expr);
}

/** Whether the expression depends on the query's start/end/range/step (`start()`, `step()`, …). */
function astUsesQueryContext(e: Expr): boolean {
  let found = false;
  walkExpr(e, (n) => {
    if (found) return;
    switch (n.type) {
      case 'VectorSelector':
        found = n.at?.preprocessor !== undefined || durationUsesQueryContext(n.offset);
        break;
      case 'MatrixSelector':
        found = durationUsesQueryContext(n.range);
        break;
      case 'SubqueryExpr':
        found =
          n.at?.preprocessor !== undefined ||
          durationUsesQueryContext(n.range) ||
          durationUsesQueryContext(n.step) ||
          durationUsesQueryContext(n.offset);
        break;
      default:
        break;
    }
  });
  return found;
}

function usesQueryContext(cmd: EvalCmd, expr: string): boolean {
  return QUERY_CONTEXT_RE.test(expr) || (cmd.parsed !== undefined && astUsesQueryContext(cmd.parsed));
}

/** Sets `@ t` on every selector and outermost subquery that has no `@ <timestamp>` yet. */
function pinAt(e: Expr, timeMs: number): void {
  switch (e.type) {
    case 'VectorSelector':
      if (e.at?.timestampMs === undefined) e.at = { timestampMs: timeMs };
      return;
    case 'MatrixSelector':
      pinAt(e.vectorSelector, timeMs);
      return;
    case 'SubqueryExpr':
      // Selectors inside a pinned subquery are evaluated relative to it and keep their own timing.
      if (e.at?.timestampMs === undefined) e.at = { timestampMs: timeMs };
      return;
    case 'UnaryExpr':
    case 'ParenExpr':
      pinAt(e.expr, timeMs);
      return;
    case 'Call':
      for (const a of e.args) pinAt(a, timeMs);
      return;
    case 'AggregateExpr':
      if (e.param) pinAt(e.param, timeMs);
      pinAt(e.expr, timeMs);
      return;
    case 'BinaryExpr':
      pinAt(e.lhs, timeMs);
      pinAt(e.rhs, timeMs);
      return;
    case 'NumberLiteral':
    case 'StringLiteral':
      return;
  }
}

/** The `@` step-invariance runs of an instant eval (none for time-dependent expressions). */
function atModifierRuns(cmd: EvalCmd): InstantRun[] {
  if (cmd.parsed === undefined) return [];
  let timeDependent = astUsesQueryContext(cmd.parsed);
  walkExpr(cmd.parsed, (n) => {
    if (n.type === 'Call' && AT_UNSAFE_FUNCTIONS.has(n.func)) timeDependent = true;
  });
  if (timeDependent) return [];
  // A fresh tree: the parsed one stays as written for the other checks.
  const expr = parseExpr(cmd.expr, { enableExperimental: true });
  const t = cmd.evalMs;
  pinAt(expr, t);
  const rewritten = formatExpr(expr);
  const times = t === 0 ? [-1000, 0, 1000] : [-10 * t, 0, Math.trunc(t / 5), t, 10 * t];
  return times.map((timeMs) => ({
    expr: rewritten,
    timeMs,
    label: `@-modifier check: ${rewritten} evaluated at ${timeMs}ms`,
  }));
}

// ---------------------------------------------------------------------------------------------
// Checks

function checkExpectedFailure(cmd: EvalCmd, msg: string): string | undefined {
  if (cmd.expectedFailMessage && cmd.expectedFailMessage !== msg) {
    return `expected error ${JSON.stringify(cmd.expectedFailMessage)}, but got: ${msg}`;
  }
  if (cmd.expectedFailRegexp && !cmd.expectedFailRegexp.test(msg)) {
    return `expected an error matching /${cmd.expectedFailRegexp.source}/, but got: ${msg}`;
  }
  const e = cmd.expects.fail[0];
  if (e !== undefined && !expectMatches(e, msg)) return `expected error ${describeExpect(e)}, but got: ${msg}`;
  return undefined;
}

function describeExpect(e: ExpectLine): string {
  return e.match === 'regex' ? `matching /${e.text}/` : e.match === 'msg' ? JSON.stringify(e.text) : '(any)';
}

function checkAnnotations(cmd: EvalCmd, query: string, annotations: readonly Annotation[]): string | undefined {
  const warnings: string[] = [];
  const infos: string[] = [];
  for (const a of annotations) (a.kind === 'warning' ? warnings : infos).push(formatAnnotation(a, query));
  const all = (): string =>
    warnings.length + infos.length === 0 ? '(none)' : [...warnings, ...infos].map((s) => `\n  ${s}`).join('');
  if (cmd.legacy.warn && warnings.length === 0) return 'expected warnings but got none';
  if (cmd.legacy.info && infos.length === 0) return 'expected info annotations but got none';
  const validate = (expected: ExpectLine[], actual: string[], kind: string): string | undefined => {
    if (expected.length === 0) return undefined;
    if (actual.length === 0) return `expected ${kind} annotations but none were found`;
    for (const e of expected) {
      if (!actual.some((a) => expectMatches(e, a))) {
        return `expected ${kind} annotation ${describeExpect(e)} but no matching annotation was found; got:${all()}`;
      }
    }
    for (const a of actual) {
      if (!expected.some((e) => expectMatches(e, a))) return `unexpected ${kind} annotation ${JSON.stringify(a)}`;
    }
    return undefined;
  };
  const f = validate(cmd.expects.warn, warnings, 'warn') ?? validate(cmd.expects.info, infos, 'info');
  if (f !== undefined) return f;
  if (cmd.expects.no_warn.length > 0 && warnings.length > 0) return `unexpected warning annotations:${all()}`;
  if (cmd.expects.no_info.length > 0 && infos.length > 0) return `unexpected info annotations:${all()}`;
  return undefined;
}

function checkMatrixSorted(series: readonly MatrixSeries[]): string | undefined {
  for (let i = 0; i + 1 < series.length; i++) {
    if (Labels.compare(series[i]!.labels, series[i + 1]!.labels) > 0) {
      return `matrix results should always be sorted by labels, but series ${i + 1} ${formatLabels(series[i + 1]!.labels)} sorts before series ${i} ${formatLabels(series[i]!.labels)}`;
    }
  }
  return undefined;
}

/** The points of a range result at exactly `t`, as an instant vector. */
function pointsAt(series: readonly MatrixSeries[], t: number): Sample[] {
  const out: Sample[] = [];
  for (const s of series) {
    const i = s.timestampsMs.indexOf(t);
    if (i >= 0) out.push({ labels: s.labels, timestampMs: t, v: s.values[i]! });
    const h = s.histograms?.find((p) => p.timestampMs === t);
    if (h) out.push({ labels: s.labels, timestampMs: t, v: 0, h: h.h });
  }
  return out;
}

function seqFloat(e: SeqValue): { v: number; stale: boolean } {
  switch (e.kind) {
    case 'float':
      return { v: e.value, stale: false };
    case 'stale':
      return { v: STALE_NAN, stale: true };
    case 'omitted':
    case 'histogram':
      return { v: 0, stale: false };
  }
}

function withContext(msg: string, cmd: EvalCmd, got: QueryValue): string {
  return `${msg}\nexpected:\n${describeExpected(cmd)}\ngot:\n${describeValue(got)}`;
}

/** Compares a query result with the eval's expectation; returns the failure, or undefined. */
function compareResult(cmd: EvalCmd, value: QueryValue): string | undefined {
  switch (value.type) {
    case 'matrix':
      return compareMatrix(cmd, value);
    case 'vector':
      return compareVector(cmd, value);
    case 'scalar': {
      if (!cmd.expectScalar)
        return withContext(`expected vector or matrix result, but got scalar ${formatFloat(value.v)}`, cmd, value);
      const exp = cmd.scalar!;
      if (exp.kind === 'histogram')
        return `expected histogram ${formatHistogram(exp.h)} but got scalar ${formatFloat(value.v)}`;
      const e = seqFloat(exp);
      if (!floatEqual(e.v, e.stale, value.v, isStaleNaN(value.v))) {
        return `expected scalar ${formatSeqValue(exp)} but got ${formatFloat(value.v)}`;
      }
      return undefined;
    }
    case 'string': {
      const exp = cmd.expectedString ?? '';
      return exp === value.s ? undefined : `expected string ${JSON.stringify(exp)} but got ${JSON.stringify(value.s)}`;
    }
  }
}

function compareVector(cmd: EvalCmd, value: QueryValue & { type: 'vector' }): string | undefined {
  if (cmd.expectScalar) return withContext('expected scalar result, but got a vector', cmd, value);
  const ordered = isOrdered(cmd);
  const seen = new Set<string>();
  for (let pos = 0; pos < value.samples.length; pos++) {
    const s = value.samples[pos]!;
    const exp = cmd.expected.get(s.labels.key);
    const got = s.h ? formatHistogram(s.h) : formatFloat(s.v);
    if (exp === undefined)
      return withContext(`unexpected metric ${formatLabels(s.labels)} in result, has value ${got}`, cmd, value);
    if (ordered && exp.pos !== pos + 1) {
      return withContext(
        `expected metric ${formatLabels(s.labels)} at position ${exp.pos} but was at ${pos + 1}`,
        cmd,
        value,
      );
    }
    const e = exp.values[0];
    if (e === undefined) return `the expected series ${formatLabels(exp.labels)} has no value`;
    if (e.kind !== 'histogram' && s.h)
      return withContext(
        `expected float value ${formatSeqValue(e)} for ${formatLabels(s.labels)} but got histogram ${got}`,
        cmd,
        value,
      );
    if (e.kind === 'histogram') {
      if (!s.h)
        return withContext(
          `expected histogram ${formatHistogram(e.h)} for ${formatLabels(s.labels)} but got float value ${got}`,
          cmd,
          value,
        );
      if (!histogramsEqual(e.h, s.h, e.hintSet)) {
        return withContext(`expected ${formatHistogram(e.h)} for ${formatLabels(s.labels)} but got ${got}`, cmd, value);
      }
    } else {
      const f = seqFloat(e);
      if (!floatEqual(f.v, f.stale, s.v, isStaleNaN(s.v))) {
        return withContext(`expected ${formatSeqValue(e)} for ${formatLabels(s.labels)} but got ${got}`, cmd, value);
      }
    }
    seen.add(s.labels.key);
  }
  for (const [key, exp] of cmd.expected) {
    if (!seen.has(key)) return withContext(`expected metric ${formatLabels(exp.labels)} not found`, cmd, value);
  }
  return undefined;
}

function compareMatrix(cmd: EvalCmd, value: QueryValue & { type: 'matrix' }): string | undefined {
  if (isOrdered(cmd)) return 'expected ordered result, but query returned a matrix';
  if (cmd.expectScalar) return withContext('expected scalar result, but got a matrix', cmd, value);
  const sortErr = checkMatrixSorted(value.series);
  if (sortErr !== undefined) return sortErr;
  const seen = new Set<string>();
  for (const s of value.series) {
    const exp = cmd.expected.get(s.labels.key);
    if (exp === undefined) return withContext(`unexpected metric ${formatLabels(s.labels)} in result`, cmd, value);
    seen.add(s.labels.key);
    const floats: { t: number; v: number; stale: boolean }[] = [];
    const hists: { t: number; h: FloatHistogram; hintSet: boolean }[] = [];
    for (let i = 0; i < exp.values.length; i++) {
      const e = exp.values[i]!;
      const t = cmd.startMs + i * cmd.stepMs;
      if (t > cmd.endMs) {
        return `expected ${exp.values.length} points for ${formatLabels(exp.labels)}, but the query time range cannot return this many points`;
      }
      if (e.kind === 'histogram') hists.push({ t, h: e.h, hintSet: e.hintSet });
      else if (e.kind !== 'omitted') floats.push({ t, ...seqFloat(e) });
    }
    const actualHists = s.histograms ?? [];
    const name = formatLabels(s.labels);
    if (floats.length !== s.timestampsMs.length || hists.length !== actualHists.length) {
      return withContext(
        `expected ${floats.length} float points and ${hists.length} histogram points for ${name}, but got ${s.timestampsMs.length} and ${actualHists.length}`,
        cmd,
        value,
      );
    }
    for (let i = 0; i < floats.length; i++) {
      const e = floats[i]!;
      const t = s.timestampsMs[i]!;
      const v = s.values[i]!;
      if (e.t !== t)
        return withContext(`expected float point ${i} of ${name} at t=${e.t}ms, but it is at t=${t}ms`, cmd, value);
      if (!floatEqual(e.v, e.stale, v, isStaleAt(s.values, i))) {
        return withContext(
          `expected ${e.stale ? 'stale' : formatFloat(e.v)} at t=${t}ms for ${name}, but got ${formatFloat(v)}`,
          cmd,
          value,
        );
      }
    }
    for (let i = 0; i < hists.length; i++) {
      const e = hists[i]!;
      const a = actualHists[i]!;
      if (e.t !== a.timestampMs) {
        return withContext(
          `expected histogram point ${i} of ${name} at t=${e.t}ms, but it is at t=${a.timestampMs}ms`,
          cmd,
          value,
        );
      }
      if (!histogramsEqual(e.h, a.h, e.hintSet)) {
        return withContext(
          `expected ${formatHistogram(e.h)} at t=${e.t}ms for ${name}, but got ${formatHistogram(a.h)}`,
          cmd,
          value,
        );
      }
    }
  }
  for (const [key, exp] of cmd.expected) {
    if (!seen.has(key)) return withContext(`expected metric ${formatLabels(exp.labels)} not found`, cmd, value);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Descriptions for failure messages

/** `name{a="b"}` as Prometheus prints series. */
export function formatLabels(l: Labels): string {
  const name = l.get(METRIC_NAME);
  if (name !== '' && isLegacyMetricName(name)) {
    const rest = l.without(METRIC_NAME);
    return rest.size === 0 ? name : name + rest.toString();
  }
  return l.toString();
}

function limitLines(lines: string[]): string {
  if (lines.length === 0) return '  (empty)';
  const shown = lines.slice(0, MAX_DESCRIBED).map((l) => `  ${l}`);
  if (lines.length > MAX_DESCRIBED) shown.push(`  … ${lines.length - MAX_DESCRIBED} more`);
  return shown.join('\n');
}

function describeExpected(cmd: EvalCmd): string {
  if (cmd.expectScalar && cmd.scalar) return `  scalar ${formatSeqValue(cmd.scalar)}`;
  if (cmd.expectedString !== undefined) return `  string ${JSON.stringify(cmd.expectedString)}`;
  const lines = [...cmd.expected.values()].map(
    (e) => `${formatLabels(e.labels)} ${e.values.map(formatSeqValue).join(' ')}`,
  );
  return limitLines(lines);
}

export function describeValue(v: QueryValue): string {
  switch (v.type) {
    case 'scalar':
      return `  scalar ${formatFloat(v.v)}`;
    case 'string':
      return `  string ${JSON.stringify(v.s)}`;
    case 'vector':
      return limitLines(
        v.samples.map((s) => `${formatLabels(s.labels)} ${s.h ? formatHistogram(s.h) : formatFloat(s.v)}`),
      );
    case 'matrix':
      return limitLines(
        v.series.map((s) => {
          const pts: string[] = [];
          for (let i = 0; i < s.timestampsMs.length; i++)
            pts.push(`${formatFloat(s.values[i]!)} @${s.timestampsMs[i]}`);
          for (const p of s.histograms ?? []) pts.push(`${formatHistogram(p.h)} @${p.timestampMs}`);
          return `${formatLabels(s.labels)} ${pts.join(' ')}`;
        }),
      );
  }
}

// ---------------------------------------------------------------------------------------------
// load_with_nhcb: classic histogram series → native histograms with custom buckets

interface TempHistogram {
  buckets: { le: number; count: number }[];
  count?: number;
  sum: number;
}

/** Converts the classic histograms of a load into NHCB series (Prometheus's convertnhcb semantics). */
export function synthesizeNHCB(cmd: LoadCmd): { labels: Labels; samples: { t: number; h: FloatHistogram }[] }[] {
  const groups = new Map<string, { labels: Labels; byTime: Map<number, TempHistogram> }>();
  for (const s of cmd.series) {
    const name = s.labels.get(METRIC_NAME);
    const suffix = name.endsWith('_bucket')
      ? '_bucket'
      : name.endsWith('_sum')
        ? '_sum'
        : name.endsWith('_count')
          ? '_count'
          : '';
    if (suffix === '') continue;
    let le = 0;
    if (suffix === '_bucket') {
      if (!s.labels.has('le')) throw new Error(`expected bucket label in metric ${formatLabels(s.labels)}`);
      const parsed = parseGoFloat(s.labels.get('le'));
      if (parsed === undefined || Number.isNaN(parsed)) continue;
      le = parsed;
    }
    const base = s.labels.with(METRIC_NAME, name.slice(0, -suffix.length)).without('le');
    let g = groups.get(base.key);
    if (!g) groups.set(base.key, (g = { labels: base, byTime: new Map() }));
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i]!;
      if (v.kind !== 'float' && v.kind !== 'stale') continue;
      const f = v.kind === 'float' ? v.value : NaN;
      const t = i * cmd.intervalMs;
      let h = g.byTime.get(t);
      if (!h) g.byTime.set(t, (h = { buckets: [], sum: 0 }));
      if (suffix === '_bucket') h.buckets.push({ le, count: f });
      else if (suffix === '_count') h.count = f;
      else h.sum = f;
    }
  }
  const out: { labels: Labels; samples: { t: number; h: FloatHistogram }[] }[] = [];
  for (const g of groups.values()) {
    const samples = [...g.byTime].sort((a, b) => a[0] - b[0]).map(([t, tmp]) => ({ t, h: convertTempHistogram(tmp) }));
    out.push({ labels: g.labels, samples });
  }
  return out;
}

function convertTempHistogram(tmp: TempHistogram): FloatHistogram {
  const buckets: { le: number; count: number }[] = [];
  for (const b of [...tmp.buckets].sort((x, y) => x.le - y.le)) {
    if (b.count < 0) throw new Error(`bucket count must be non-negative: le=${b.le}, count=${b.count}`);
    const last = buckets[buckets.length - 1];
    if (last !== undefined && last.le === b.le) continue;
    if (last !== undefined && b.count < last.count)
      throw new Error(`count is not cumulative: ${b.count} < ${last.count}`);
    buckets.push(b);
  }
  if (tmp.count !== undefined && tmp.count < 0) throw new Error(`count must be non-negative: count=${tmp.count}`);
  let count = tmp.count;
  if (count === undefined) {
    const last = buckets[buckets.length - 1];
    if (last === undefined) throw new Error('count must be provided when no buckets are present');
    count = last.count;
  }
  if (buckets.length === 0 || buckets[buckets.length - 1]!.le !== Infinity) buckets.push({ le: Infinity, count });
  const last = buckets[buckets.length - 1]!;
  if (count !== last.count)
    throw new Error(`count mismatch: count=${count} != le=${formatFloat(last.le)} count=${last.count}`);
  const m = new Map<number, number>();
  let prev = 0;
  buckets.forEach((b, i) => {
    if (b.count - prev !== 0) m.set(i, b.count - prev);
    prev = b.count;
  });
  const { spans, buckets: counts } = spansFromMap(m);
  return {
    schema: CUSTOM_BUCKETS_SCHEMA,
    count,
    sum: tmp.sum,
    zeroThreshold: 0,
    zeroCount: 0,
    positiveSpans: spans,
    positiveBuckets: counts,
    negativeSpans: [],
    negativeBuckets: [],
    customValues: buckets.slice(0, -1).map((b) => b.le),
    counterResetHint: 'unknown',
  };
}
