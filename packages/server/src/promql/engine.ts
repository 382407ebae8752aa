/**
 * The PromQL evaluator (Prometheus 3.x semantics). Every node is evaluated once over all steps of
 * the query into column-wise values (see eval-types.ts); an instant query is a range query with
 * one step. Selectors read typed-array views from storage and walk them with two pointers, so
 * no object is created per sample.
 */
import { type FloatHistogram, detectReset, scaleHistogram, usesCustomBuckets, withHint } from '../lib/histogram.js';
import { Labels, METRIC_NAME } from '../lib/labels.js';
import { isStaleAt } from '../lib/stale.js';
import { filterQueryable, type Queryable, type SeriesFilter, type SeriesSamples } from '../tsdb/index.js';
import type { Duration, DurationExpr, Expr, MatrixSelector, SubqueryExpr, VectorSelector, AtModifier } from './ast.js';
import { exprType } from './ast.js';
import { QueryCanceledError, QueryTimeoutError, TooManySamplesError, execError, invalidQueryError } from './errors.js';
import type { EvalValue, HistogramColumn, RangeSeries, StepRange, StepSeries } from './eval-types.js';
import { makeStepRange } from './eval-types.js';
import { mergeSameLabels, upperBound } from './series-ops.js';
import { evalAggregate } from './aggregate.js';
import { evalBinary } from './binary.js';
import { evalCall } from './functions/call.js';
import {
  extendWindow,
  firstAfter,
  firstAtOrAfter,
  modifierExtension,
  smoothedValueAt,
} from './functions/extended-ranges.js';
import { interpolateHistograms, msg } from './functions/native-histograms.js';
import { parseExpr } from './parser.js';
import type { Annotation, QueryResult, QueryValue, Sample, MatrixSeries } from './value.js';
import type { PosRange } from './ast.js';

export interface EngineOptions {
  /** @default 300_000 (5m) */
  lookbackDeltaMs?: number;
  /** Maximum samples loaded or held at once by one query. @default 50_000_000 */
  maxSamples?: number;
  /** @default 120_000 (2m) */
  timeoutMs?: number;
  /** Step of subqueries written without `:step`. @default 60_000 */
  defaultSubqueryStepMs?: number;
  /** Experimental functions, duration expressions, anchored/smoothed, fill modifiers. @default false */
  enableExperimental?: boolean;
}

export interface QueryOptions {
  signal?: AbortSignal;
  /**
   * Called with the parsed expression before evaluation; throwing refuses the query with that
   * error. Access control refuses queries that name series the caller may not read.
   */
  checkExpr?: (expr: Expr) => void;
  /**
   * Only series whose labels pass are read from storage, by every selector and function of this
   * query (the storage is wrapped in filterQueryable): the others behave as if they were not
   * stored. Access control hides restricted series this way.
   */
  seriesFilter?: SeriesFilter;
}

interface ResolvedEngineOptions {
  lookbackDeltaMs: number;
  maxSamples: number;
  timeoutMs: number;
  defaultSubqueryStepMs: number;
  enableExperimental: boolean;
}

export class Engine {
  readonly options: ResolvedEngineOptions;

  constructor(
    readonly storage: Queryable,
    options: EngineOptions = {},
  ) {
    this.options = Object.freeze({
      lookbackDeltaMs: options.lookbackDeltaMs ?? 300_000,
      maxSamples: options.maxSamples ?? 50_000_000,
      timeoutMs: options.timeoutMs ?? 120_000,
      defaultSubqueryStepMs: options.defaultSubqueryStepMs ?? 60_000,
      enableExperimental: options.enableExperimental ?? false,
    });
  }

  private storageFor(opts: QueryOptions): Queryable {
    return opts.seriesFilter ? filterQueryable(this.storage, opts.seriesFilter) : this.storage;
  }

  private parse(query: string | Expr): Expr {
    return typeof query === 'string'
      ? parseExpr(query, { enableExperimental: this.options.enableExperimental })
      : query;
  }

  /** Evaluates at one time. A string is parsed first (throws ParseError). */
  async instantQuery(query: string | Expr, timeMs: number, opts: QueryOptions = {}): Promise<QueryResult> {
    const expr = this.parse(query);
    opts.checkExpr?.(expr);
    const ev = new Evaluator(this.storageFor(opts), this.options, timeMs, timeMs, 0, opts.signal);
    const val = await ev.evalTop(expr, makeStepRange(timeMs, timeMs, 1));
    return { value: ev.toInstantValue(val, timeMs), annotations: ev.annotations, totalSamples: ev.totalSamples };
  }

  /** Evaluates at start, start+step, ... <= end. Returns a matrix. */
  async rangeQuery(
    query: string | Expr,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    const expr = this.parse(query);
    opts.checkExpr?.(expr);
    const t = exprType(expr);
    if (t !== 'scalar' && t !== 'vector') {
      throw invalidQueryError(
        `invalid expression type "${t === 'matrix' ? 'range vector' : t}" for range query, must be Scalar or instant Vector`,
      );
    }
    if (!(stepMs > 0)) {
      throw invalidQueryError('zero or negative query resolution step widths are not accepted. Try a positive integer');
    }
    if (endMs < startMs) throw invalidQueryError('end timestamp must not be before start time');
    const ev = new Evaluator(this.storageFor(opts), this.options, startMs, endMs, stepMs, opts.signal);
    const range = makeStepRange(startMs, endMs, stepMs);
    const val = await ev.evalTop(expr, range);
    return { value: ev.toMatrixValue(val, range), annotations: ev.annotations, totalSamples: ev.totalSamples };
  }
}

/** Evaluation state of one query. Exported for the node implementations in this folder only. */
export class Evaluator {
  readonly annotations: Annotation[] = [];
  private readonly annotationKeys = new Set<string>();
  totalSamples = 0;
  private currentSamples = 0;
  private readonly deadlineMs: number;
  private lastYieldMs = Date.now();

  constructor(
    readonly storage: Queryable,
    readonly opts: ResolvedEngineOptions,
    readonly queryStartMs: number,
    readonly queryEndMs: number,
    readonly queryStepMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.deadlineMs = Date.now() + opts.timeoutMs;
  }

  /** Adds an annotation once (Prometheus dedups identical annotations). */
  annotate(kind: 'warning' | 'info', message: string, pos?: PosRange): void {
    const key = `${kind}\x00${message}\x00${pos?.start ?? -1}`;
    if (this.annotationKeys.has(key)) return;
    this.annotationKeys.add(key);
    this.annotations.push(pos ? { kind, message, pos } : { kind, message });
  }

  /** Checks the deadline and cancellation; yields to the event loop now and then so aborts arrive. */
  async tick(): Promise<void> {
    const now = Date.now();
    if (now > this.deadlineMs) throw new QueryTimeoutError(this.opts.timeoutMs);
    if (now - this.lastYieldMs > 20) {
      this.lastYieldMs = now;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (this.signal?.aborted) throw new QueryCanceledError();
  }

  /** Accounts samples held in memory; throws past maxSamples. */
  addSamples(n: number): void {
    this.currentSamples += n;
    this.totalSamples += n;
    if (this.currentSamples > this.opts.maxSamples) throw new TooManySamplesError(this.opts.maxSamples);
  }

  releaseSamples(n: number): void {
    this.currentSamples -= n;
  }

  /**
   * Counts samples a range function read in its windows (every step's window, as Prometheus's
   * query statistics count them) without holding them: the windows are views, not copies.
   */
  countWindowSamples(n: number): void {
    this.totalSamples += n;
  }

  async evalTop(expr: Expr, r: StepRange): Promise<EvalValue> {
    this.statsSelectors = histogramStatsSelectors(expr);
    return this.eval(expr, r);
  }

  /**
   * Selectors whose histograms only feed histogram_count/sum/avg. Prometheus reads those through
   * its HistogramStatsIterator, which detects counter resets while iterating and so replaces the
   * `unknown` reset hints of the storage by `reset`/`not_reset` (visible in aggregations).
   */
  private statsSelectors: ReadonlySet<VectorSelector> = new Set();

  async eval(e: Expr, r: StepRange): Promise<EvalValue> {
    await this.tick();
    switch (e.type) {
      case 'NumberLiteral':
        return { kind: 'scalar', values: new Float64Array(r.n).fill(e.value) };
      case 'StringLiteral':
        return { kind: 'string', value: e.value };
      case 'ParenExpr':
        return this.eval(e.expr, r);
      case 'UnaryExpr': {
        const v = await this.eval(e.expr, r);
        if (e.op === '+') return v;
        if (v.kind === 'scalar') return { kind: 'scalar', values: v.values.map((x) => -x) };
        if (v.kind !== 'vector') throw execError('unary minus on a non-numeric value');
        return {
          kind: 'vector',
          series: v.series.map((s) => {
            const out: StepSeries = { ...s, values: s.values.map((x) => -x), dropName: true };
            if (s.hists !== undefined) out.hists = s.hists.map((h) => (h === undefined ? h : scaleHistogram(h, -1)));
            return out;
          }),
        };
      }
      case 'VectorSelector':
        return { kind: 'vector', series: await this.evalVectorSelector(e, r, false) };
      case 'MatrixSelector':
        return { kind: 'matrix', series: await this.matrixAt(e, r) };
      case 'SubqueryExpr':
        return { kind: 'matrix', series: await this.subqueryAt(e, r) };
      case 'Call':
        return evalCall(this, e, r);
      case 'AggregateExpr':
        return evalAggregate(this, e, r);
      case 'BinaryExpr':
        return evalBinary(this, e, r);
    }
  }

  // ---- durations and @ ----

  resolveDuration(d: Duration | undefined): number {
    if (d === undefined) return 0;
    if (d.expr === undefined) return d.ms;
    return this.evalDurationExpr(d.expr);
  }

  private evalDurationExpr(d: DurationExpr): number {
    switch (d.kind) {
      case 'literal':
        return d.ms;
      case 'number':
        return d.value * 1000;
      case 'step':
        return this.queryStepMs;
      case 'range':
        return this.queryEndMs - this.queryStartMs;
      case 'paren':
        return this.evalDurationExpr(d.arg);
      case 'unary':
        return d.op === '-' ? -this.evalDurationExpr(d.arg) : this.evalDurationExpr(d.arg);
      case 'call': {
        const a = this.evalDurationExpr(d.args[0]);
        const b = this.evalDurationExpr(d.args[1]);
        return d.fn === 'min' ? Math.min(a, b) : Math.max(a, b);
      }
      case 'binary': {
        // Arithmetic happens in seconds, as Prometheus evaluates duration expressions.
        const a = this.evalDurationExpr(d.lhs) / 1000;
        const b = this.evalDurationExpr(d.rhs) / 1000;
        let v: number;
        switch (d.op) {
          case '+':
            v = a + b;
            break;
          case '-':
            v = a - b;
            break;
          case '*':
            v = a * b;
            break;
          case '/':
            if (b === 0) throw execError('division by zero in duration expression');
            v = a / b;
            break;
          case '%':
            if (b === 0) throw execError('modulo by zero in duration expression');
            v = a % b;
            break;
          case '^':
            v = Math.pow(a, b);
            break;
        }
        return Math.round(v * 1000);
      }
    }
  }

  /** The fixed evaluation time of an `@` modifier, or undefined. */
  atTime(at: AtModifier | undefined): number | undefined {
    if (at === undefined) return undefined;
    if (at.preprocessor === 'start') return this.queryStartMs;
    if (at.preprocessor === 'end') return this.queryEndMs;
    return at.timestampMs;
  }

  // ---- selectors ----

  /** Selects series sorted by labels (Prometheus's storage order). */
  select(vs: VectorSelector, minMs: number, maxMs: number): SeriesSamples[] {
    const res = this.storage.select(vs.matchers, minMs, maxMs);
    res.sort((a, b) => Labels.compare(a.labels, b.labels));
    return res;
  }

  /**
   * Instant-vector selection: at every step, the latest sample in (t - offset - lookback, t - offset],
   * unless it is a staleness marker.
   */
  async evalVectorSelector(vs: VectorSelector, r: StepRange, withSampleTimes: boolean): Promise<StepSeries[]> {
    const offset = this.resolveDuration(vs.offset);
    const at = this.atTime(vs.at);
    const lookback = this.opts.lookbackDeltaMs;
    const firstRef = (at ?? r.startMs) - offset;
    const lastRef = (at ?? r.startMs + (r.n - 1) * r.stepMs) - offset;
    // timestamp() reports the raw sample time, so it ignores `smoothed` (as Prometheus does).
    const smoothed = vs.modifier === 'smoothed' && !withSampleTimes;
    const stats = this.statsSelectors.has(vs);
    // The stats iterator also reads the sample exactly at the start of the first lookback window.
    const raw = this.select(vs, firstRef - lookback + (stats ? 0 : 1), lastRef + (smoothed ? lookback : 0));
    const out: StepSeries[] = [];
    for (let s of raw) {
      await this.tick();
      if (stats && s.histograms !== undefined) s = withStatsHints(s, firstRef - lookback);
      if (smoothed) {
        const series =
          s.histograms === undefined
            ? this.smoothedSeries(s, r, at, offset)
            : this.smoothedHistogramSeries(s, r, at, offset, vs.pos);
        if (series) out.push(series);
        continue;
      }
      const ts = s.timestampsMs;
      const vals = s.values;
      if (ts.length === 0) continue;
      const values = new Float64Array(r.n);
      const present = new Uint8Array(r.n);
      const times = withSampleTimes ? new Float64Array(r.n) : undefined;
      const srcHists = s.histograms;
      let hists: HistogramColumn | undefined;
      let j = 0; // first index with ts > ref
      let count = 0;
      for (let i = 0; i < r.n; i++) {
        const ref = (at ?? r.startMs + i * r.stepMs) - offset;
        if (at !== undefined && i > 0) {
          // Step-invariant: copy step 0.
          values[i] = values[0]!;
          present[i] = present[0]!;
          if (times) times[i] = times[0]!;
          if (hists !== undefined) hists[i] = hists[0];
          count += present[0]!;
          continue;
        }
        while (j < ts.length && ts[j]! <= ref) j++;
        if (j === 0) continue;
        const k = j - 1;
        if (ts[k]! <= ref - lookback) continue;
        if (isStaleAt(vals, k)) continue;
        if (srcHists !== undefined && srcHists[k] !== undefined) {
          hists ??= new Array<FloatHistogram | undefined>(r.n);
          hists[i] = srcHists[k];
        } else values[i] = vals[k]!;
        present[i] = 1;
        if (times) times[i] = ts[k]!;
        count++;
      }
      if (count === 0) continue;
      this.addSamples(count);
      const series: StepSeries = { labels: s.labels, values, present, dropName: false };
      if (times) series.sampleTimesMs = times;
      if (hists !== undefined) series.hists = hists;
      out.push(series);
    }
    return out;
  }

  /**
   * `metric smoothed`: at every step the value at the reference time, interpolated between the
   * samples around it within the lookback delta on either side (staleness markers ignored).
   */
  private smoothedSeries(
    s: SeriesSamples,
    r: StepRange,
    at: number | undefined,
    offset: number,
  ): StepSeries | undefined {
    const { ts, vals } = dropStale({ labels: s.labels, ts: s.timestampsMs, vals: s.values });
    const lookback = this.opts.lookbackDeltaMs;
    const values = new Float64Array(r.n);
    const present = new Uint8Array(r.n);
    let count = 0;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < r.n; i++) {
      if (at !== undefined && i > 0) {
        // Step-invariant: copy step 0.
        values[i] = values[0]!;
        present[i] = present[0]!;
        count += present[0]!;
        continue;
      }
      const ref = (at ?? r.startMs + i * r.stepMs) - offset;
      while (hi < ts.length && ts[hi]! <= ref + lookback) hi++;
      while (lo < hi && ts[lo]! <= ref - lookback) lo++;
      const v = smoothedValueAt(ts, vals, lo, hi, ref);
      if (v === undefined) continue;
      values[i] = v;
      present[i] = 1;
      count++;
    }
    if (count === 0) return undefined;
    this.addSamples(count);
    return { labels: s.labels, values, present, dropName: false };
  }

  /**
   * `metric smoothed` for a series holding histograms: as smoothedSeries, interpolating
   * histograms (as counters unless both neighbours are gauges). A window mixing floats and
   * histograms gives no value at that step and a warning.
   */
  private smoothedHistogramSeries(
    s: SeriesSamples,
    r: StepRange,
    at: number | undefined,
    offset: number,
    pos: PosRange,
  ): StepSeries | undefined {
    const rs: RangeSeries = { labels: s.labels, ts: s.timestampsMs, vals: s.values };
    if (s.histograms !== undefined) rs.hists = s.histograms as HistogramColumn;
    const { ts, vals, hists: hs } = dropStale(rs);
    const metric = s.labels.get(METRIC_NAME);
    const annotate = (kind: 'warning' | 'info', message: string): void => this.annotate(kind, message, pos);
    const lookback = this.opts.lookbackDeltaMs;
    const values = new Float64Array(r.n);
    const present = new Uint8Array(r.n);
    const hists = new Array<FloatHistogram | undefined>(r.n);
    let count = 0;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < r.n; i++) {
      if (at !== undefined && i > 0) {
        values[i] = values[0]!;
        present[i] = present[0]!;
        hists[i] = hists[0];
        count += present[0]!;
        continue;
      }
      const ref = (at ?? r.startMs + i * r.stepMs) - offset;
      while (hi < ts.length && ts[hi]! <= ref + lookback) hi++;
      while (lo < hi && ts[lo]! <= ref - lookback) lo++;
      if (hi <= lo) continue;
      let nh = 0;
      for (let k = lo; k < hi; k++) if (hs?.[k] !== undefined) nh++;
      if (nh === 0) {
        const v = smoothedValueAt(ts, vals, lo, hi, ref);
        if (v === undefined) continue;
        values[i] = v;
      } else if (nh < hi - lo) {
        annotate('warning', msg.mixedFloatsHistograms(metric));
        continue;
      } else {
        const k = firstAtOrAfter(ts, lo, hi, ref);
        let h: FloatHistogram;
        if (k < hi && ts[k] === ref) h = hs![k]!;
        else if (k > lo && k < hi) {
          const prev = hs![k - 1]!;
          const next = hs![k]!;
          if (usesCustomBuckets(prev) !== usesCustomBuckets(next)) {
            annotate('warning', msg.mixedExponentialCustom(metric));
            continue;
          }
          const isCounter = prev.counterResetHint !== 'gauge' || next.counterResetHint !== 'gauge';
          h = interpolateHistograms(prev, ts[k - 1]!, next, ts[k]!, ref, isCounter, annotate);
        } else if (k > lo) {
          // No sample after the reference time yet: the last one holds, its hint dropped.
          h = withHint(hs![k - 1]!, 'unknown');
        } else continue;
        hists[i] = h;
      }
      present[i] = 1;
      count++;
    }
    if (count === 0) return undefined;
    this.addSamples(count);
    const out: StepSeries = { labels: s.labels, values, present, dropName: false };
    if (hists.some((h) => h !== undefined)) out.hists = hists;
    return out;
  }

  /**
   * The range vector of a matrix selector, without staleness markers (full extent for all steps).
   * `anchored` / `smoothed` selectors also get the samples of the lookback delta before the
   * earliest range (and, smoothed, after the latest one).
   */
  rangeSeriesFromStorage(
    ms: MatrixSelector,
    r: StepRange,
  ): { series: RangeSeries[]; offsetMs: number; rangeMs: number; atMs: number | undefined } {
    const vs = ms.vectorSelector;
    const offsetMs = this.resolveDuration(vs.offset);
    const rangeMs = this.resolveDuration(ms.range);
    const atMs = this.atTime(vs.at);
    const firstRef = (atMs ?? r.startMs) - offsetMs;
    const lastRef = (atMs ?? r.startMs + (r.n - 1) * r.stepMs) - offsetMs;
    const ext = modifierExtension(ms.modifier, this.opts.lookbackDeltaMs);
    const stats = this.statsSelectors.has(vs);
    const from = firstRef - rangeMs - ext.beforeMs;
    const raw = this.select(vs, from + (stats ? 0 : 1), lastRef + ext.afterMs);
    const series: RangeSeries[] = [];
    for (let s of raw) {
      if (s.timestampsMs.length === 0) continue;
      if (stats && s.histograms !== undefined) s = withStatsHints(s, from);
      const rs: RangeSeries = { labels: s.labels, ts: s.timestampsMs, vals: s.values };
      if (s.histograms !== undefined) rs.hists = s.histograms as HistogramColumn;
      series.push(dropStale(rs));
    }
    return { series, offsetMs, rangeMs, atMs };
  }

  /**
   * Evaluates a subquery's inner expression over its own steps, covering every window the outer
   * steps need, and returns its series as compact range series.
   */
  async subquerySeries(
    sq: SubqueryExpr,
    r: StepRange,
  ): Promise<{ series: RangeSeries[]; offsetMs: number; rangeMs: number; atMs: number | undefined }> {
    const offsetMs = this.resolveDuration(sq.offset);
    const rangeMs = this.resolveDuration(sq.range);
    const stepMs = sq.step ? this.resolveDuration(sq.step) : this.opts.defaultSubqueryStepMs;
    if (!(stepMs > 0)) throw execError(`subquery step must be positive, got ${stepMs}ms`);
    const atMs = this.atTime(sq.at);
    const firstEval = atMs ?? r.startMs;
    const lastEval = atMs ?? r.startMs + (r.n - 1) * r.stepMs;
    const from = firstEval - offsetMs - rangeMs;
    // First step after `from` aligned to a multiple of the step (Go truncating division).
    let start = stepMs * Math.trunc(from / stepMs);
    if (start <= from) start += stepMs;
    const end = lastEval - offsetMs;
    if (end < start) return { series: [], offsetMs, rangeMs, atMs };
    const inner = makeStepRange(start, end, stepMs);
    const v = await this.eval(sq.expr, inner);
    let stepSeries: StepSeries[];
    if (v.kind === 'scalar') {
      stepSeries = [
        { labels: Labels.EMPTY, values: v.values, present: new Uint8Array(inner.n).fill(1), dropName: false },
      ];
    } else if (v.kind === 'vector') {
      stepSeries = mergeSameLabels(v.series);
    } else {
      throw execError('subquery is only allowed on instant vector');
    }
    const series: RangeSeries[] = [];
    for (const s of stepSeries) {
      let count = 0;
      for (let i = 0; i < inner.n; i++) count += s.present[i]!;
      if (count === 0) continue;
      const ts = new Float64Array(count);
      const vals = new Float64Array(count);
      const hists = s.hists !== undefined ? new Array<FloatHistogram | undefined>(count) : undefined;
      let k = 0;
      for (let i = 0; i < inner.n; i++) {
        if (!s.present[i]) continue;
        ts[k] = inner.startMs + i * inner.stepMs;
        vals[k] = s.values[i]!;
        // A subquery may skip samples or repeat them, so its histograms' reset hints no longer
        // describe their neighbours: counter resets are detected anew (as Prometheus does).
        if (hists !== undefined) hists[k] = unhinted(s.hists![i]);
        k++;
      }
      // A subquery's series keeps the inner result's labels; names are dropped where the inner
      // expression said so (delayed name removal ends at the subquery boundary).
      const rs: RangeSeries = { labels: s.dropName ? s.labels.withoutMetadata() : s.labels, ts, vals };
      if (hists !== undefined) rs.hists = hists;
      series.push(rs);
    }
    series.sort((a, b) => Labels.compare(a.labels, b.labels));
    return { series, offsetMs, rangeMs, atMs };
  }

  /** A matrix (range vector) value at a single evaluation time: the instant query of `foo[5m]`. */
  private async matrixAt(ms: MatrixSelector, r: StepRange): Promise<RangeSeries[]> {
    const src = this.rangeSeriesFromStorage(ms, r);
    if (ms.modifier !== undefined) return this.extendedWindowAtStart(src, ms.modifier, r);
    return this.windowAtStart(src, r);
  }

  /** `foo[r] anchored|smoothed` at one time: the in-range samples plus synthetic boundary points. */
  private extendedWindowAtStart(
    src: { series: RangeSeries[]; offsetMs: number; rangeMs: number; atMs: number | undefined },
    modifier: 'anchored' | 'smoothed',
    r: StepRange,
  ): RangeSeries[] {
    if (r.n !== 1) throw execError('a range vector can only be evaluated by an instant query');
    const end = (src.atMs ?? r.startMs) - src.offsetMs;
    const start = end - src.rangeMs;
    const ext = modifierExtension(modifier, this.opts.lookbackDeltaMs);
    const out: RangeSeries[] = [];
    for (const s of src.series) {
      const lo = firstAfter(s.ts, 0, s.ts.length, start - ext.beforeMs);
      const hi = firstAfter(s.ts, lo, s.ts.length, end + ext.afterMs);
      // Boundary points are only defined for floats (as in Prometheus).
      if (s.hists?.slice(lo, hi).some((h) => h !== undefined)) {
        throw execError(`${modifier} modifier is not supported with histograms`);
      }
      const w = extendWindow(s.ts, s.vals, lo, hi, start, end, modifier === 'smoothed');
      if (w === undefined) continue;
      this.addSamples(w.ts.length);
      out.push({ labels: s.labels, ts: w.ts, vals: w.vals });
    }
    return out;
  }

  private async subqueryAt(sq: SubqueryExpr, r: StepRange): Promise<RangeSeries[]> {
    const src = await this.subquerySeries(sq, r);
    return this.windowAtStart(src, r);
  }

  private windowAtStart(
    src: { series: RangeSeries[]; offsetMs: number; rangeMs: number; atMs: number | undefined },
    r: StepRange,
  ): RangeSeries[] {
    if (r.n !== 1) throw execError('a range vector can only be evaluated by an instant query');
    const end = (src.atMs ?? r.startMs) - src.offsetMs;
    const start = end - src.rangeMs;
    const out: RangeSeries[] = [];
    for (const s of src.series) {
      const lo = upperBound(s.ts, start);
      const hi = upperBound(s.ts, end);
      if (hi <= lo) continue;
      this.addSamples(hi - lo);
      const w: RangeSeries = { labels: s.labels, ts: s.ts.subarray(lo, hi), vals: s.vals.subarray(lo, hi) };
      if (s.hists !== undefined) {
        const hists = s.hists.slice(lo, hi);
        if (hists.some((h) => h !== undefined)) w.hists = hists;
      }
      out.push(w);
    }
    return out;
  }

  // ---- results ----

  toInstantValue(v: EvalValue, timeMs: number): QueryValue {
    switch (v.kind) {
      case 'scalar':
        return { type: 'scalar', timestampMs: timeMs, v: v.values[0]! };
      case 'string':
        return { type: 'string', timestampMs: timeMs, s: v.value };
      case 'matrix': {
        const series: MatrixSeries[] = v.series.map((s) =>
          s.hists === undefined
            ? { labels: s.labels, timestampsMs: s.ts, values: s.vals }
            : splitPoints(s.labels, s.ts, s.vals, s.hists),
        );
        return { type: 'matrix', series };
      }
      case 'vector': {
        const samples: Sample[] = [];
        const seen = new Set<string>();
        for (const s of v.series) {
          if (!s.present[0]) continue;
          const labels = s.dropName ? s.labels.withoutMetadata() : s.labels;
          if (seen.has(labels.key)) throw execError('vector cannot contain metrics with the same labelset');
          seen.add(labels.key);
          const h = s.hists?.[0];
          samples.push(
            h === undefined
              ? { labels, timestampMs: timeMs, v: s.values[0]! }
              : { labels, timestampMs: timeMs, v: 0, h },
          );
        }
        return { type: 'vector', samples };
      }
    }
  }

  toMatrixValue(v: EvalValue, r: StepRange): QueryValue {
    let series: StepSeries[];
    if (v.kind === 'scalar') {
      series = [{ labels: Labels.EMPTY, values: v.values, present: new Uint8Array(r.n).fill(1), dropName: false }];
    } else if (v.kind === 'vector') {
      series = mergeSameLabels(
        v.series.map((s) => (s.dropName ? { ...s, labels: s.labels.withoutMetadata(), dropName: false } : s)),
      );
    } else {
      throw execError(`invalid expression type "${v.kind}" for range query, must be Scalar or instant Vector`);
    }
    const out: MatrixSeries[] = [];
    for (const s of series) {
      let count = 0;
      for (let i = 0; i < r.n; i++) count += s.present[i]!;
      if (count === 0) continue;
      const ts = new Float64Array(count);
      const vals = new Float64Array(count);
      const hists = s.hists !== undefined ? new Array<FloatHistogram | undefined>(count) : undefined;
      let k = 0;
      for (let i = 0; i < r.n; i++) {
        if (!s.present[i]) continue;
        ts[k] = r.startMs + i * r.stepMs;
        vals[k] = s.values[i]!;
        if (hists !== undefined) hists[k] = s.hists![i];
        k++;
      }
      out.push(
        hists === undefined
          ? { labels: s.labels, timestampsMs: ts, values: vals }
          : splitPoints(s.labels, ts, vals, hists),
      );
    }
    out.sort((a, b) => Labels.compare(a.labels, b.labels));
    return { type: 'matrix', series: out };
  }
}

/**
 * The selectors (vector or in matrix selectors) whose samples only reach histogram_count,
 * histogram_sum or histogram_avg, as Prometheus's detectHistogramStatsDecoding finds them: the
 * nearest of those functions up the tree marks a selector, unless a subquery, a function that
 * needs whole histograms or a trim operator is in between.
 */
function histogramStatsSelectors(root: Expr): Set<VectorSelector> {
  const out = new Set<VectorSelector>();
  const path: Expr[] = [];
  const visit = (e: Expr): void => {
    if (e.type === 'VectorSelector') {
      let skip = false;
      for (let i = path.length - 1; i >= 0; i--) {
        const p = path[i]!;
        if (p.type === 'SubqueryExpr') {
          skip = false;
          break;
        }
        if (p.type === 'Call') {
          if (p.func === 'histogram_count' || p.func === 'histogram_sum' || p.func === 'histogram_avg') skip = true;
          else if (
            p.func === 'histogram_quantile' ||
            p.func === 'histogram_quantiles' ||
            p.func === 'histogram_fraction'
          ) {
            skip = false;
            break;
          }
        } else if (p.type === 'BinaryExpr' && (p.op === '</' || p.op === '>/')) {
          skip = false;
          break;
        }
      }
      if (skip) out.add(e);
      return;
    }
    path.push(e);
    switch (e.type) {
      case 'MatrixSelector':
        visit(e.vectorSelector);
        break;
      case 'SubqueryExpr':
      case 'UnaryExpr':
      case 'ParenExpr':
        visit(e.expr);
        break;
      case 'Call':
        for (const a of e.args) visit(a);
        break;
      case 'AggregateExpr':
        if (e.param) visit(e.param);
        visit(e.expr);
        break;
      case 'BinaryExpr':
        visit(e.lhs);
        visit(e.rhs);
        break;
      case 'NumberLiteral':
      case 'StringLiteral':
        break;
    }
    path.pop();
  };
  visit(root);
  return out;
}

/**
 * The series' histograms with the counter-reset hints Prometheus's HistogramStatsIterator gives
 * them: reading on from the first sample at or after `fromMs`, an `unknown` hint becomes `reset`
 * or `not_reset` by comparison with the previous histogram read (floats and staleness markers
 * in between are skipped).
 */
function withStatsHints(s: SeriesSamples, fromMs: number): SeriesSamples {
  const src = s.histograms!;
  const ts = s.timestampsMs;
  const hists = src.slice();
  let last: FloatHistogram | undefined;
  for (let k = 0; k < ts.length; k++) {
    const h = src[k];
    if (h === undefined || ts[k]! < fromMs) continue;
    if (last !== undefined && (h.counterResetHint ?? 'unknown') === 'unknown') {
      hists[k] = withHint(h, detectReset(h, last) ? 'reset' : 'not_reset');
    }
    last = h;
  }
  return { ...s, histograms: hists };
}

/** Removes staleness markers from a range series (copies only when there are any). */
function dropStale(s: RangeSeries): RangeSeries {
  const vals = s.vals;
  let stale = 0;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    if (v !== v && isStaleAt(vals, i)) stale++;
  }
  if (stale === 0) return s;
  const ts = new Float64Array(vals.length - stale);
  const out = new Float64Array(vals.length - stale);
  const hists = s.hists !== undefined ? new Array<FloatHistogram | undefined>(vals.length - stale) : undefined;
  let k = 0;
  for (let i = 0; i < vals.length; i++) {
    if (vals[i]! !== vals[i]! && isStaleAt(vals, i)) continue;
    ts[k] = s.ts[i]!;
    out[k] = vals[i]!;
    if (hists !== undefined) hists[k] = s.hists![i];
    k++;
  }
  const rs: RangeSeries = { labels: s.labels, ts, vals: out };
  if (hists !== undefined && hists.some((h) => h !== undefined)) rs.hists = hists;
  return rs;
}

/** A histogram with a `reset`/`not_reset` hint turned into `unknown`. */
function unhinted(h: FloatHistogram | undefined): FloatHistogram | undefined {
  if (h === undefined) return h;
  const hint = h.counterResetHint;
  return hint === 'reset' || hint === 'not_reset' ? withHint(h, 'unknown') : h;
}

/** A matrix series from mixed points: floats in the typed arrays, histograms apart. */
function splitPoints(labels: Labels, ts: Float64Array, vals: Float64Array, hists: HistogramColumn): MatrixSeries {
  let nh = 0;
  for (let i = 0; i < ts.length; i++) if (hists[i] !== undefined) nh++;
  const fts = new Float64Array(ts.length - nh);
  const fvals = new Float64Array(ts.length - nh);
  const histograms: { timestampMs: number; h: FloatHistogram }[] = [];
  let k = 0;
  for (let i = 0; i < ts.length; i++) {
    const h = hists[i];
    if (h !== undefined) histograms.push({ timestampMs: ts[i]!, h });
    else {
      fts[k] = ts[i]!;
      fvals[k] = vals[i]!;
      k++;
    }
  }
  const m: MatrixSeries = { labels, timestampsMs: fts, values: fvals };
  if (histograms.length > 0) m.histograms = histograms;
  return m;
}
