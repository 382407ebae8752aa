/** Function calls: range-vector functions, element-wise functions and the special ones. */
import { Labels, METRIC_NAME } from '../../lib/labels.js';
import { parseGoFloat } from '../../lib/parse-float.js';
import { formatFloatG, formatOpenMetricsFloat } from '../../lib/format-number.js';
import type { Call, Expr, MatrixSelector, VectorSelector } from '../ast.js';
import { exprType } from '../ast.js';
import type { Evaluator } from '../engine.js';
import { mergeSameLabels } from '../series-ops.js';
import { execError } from '../errors.js';
import type { EvalValue, HistogramColumn, RangeSeries, StepRange, StepSeries } from '../eval-types.js';
import type { FloatHistogram } from '../../lib/histogram.js';
import {
  type Annotate,
  type HistogramWindow,
  extendedHistogramRate,
  histogramExtrapolatedRate,
  histogramFraction,
  histogramInstantValue,
  histogramQuantile,
  histogramSumOverTime,
  histogramVariance,
  mixedChangesOrResets,
  msg,
} from './native-histograms.js';
import { compileAnchoredRegex } from '../../lib/matcher.js';
import { bucketFraction, bucketQuantile, type Bucket } from './histogram-quantile.js';
import { RANGE_FUNCTIONS, type RangeFunction, type RangeWindow } from './range-functions.js';
import { SLIDING_MIN_WINDOW, SlidingRegression } from './sliding-regression.js';
import {
  EXTENDED_RANGE_FUNCTIONS,
  MODIFIER_SAFE_FUNCTIONS,
  anchoredStart,
  modifierExtension,
  type RangeModifier,
} from './extended-ranges.js';
import { evalInfo } from './info.js';

function unwrapParens(e: Expr): Expr {
  while (e.type === 'ParenExpr') e = e.expr;
  return e;
}

export async function evalCall(ev: Evaluator, e: Call, r: StepRange): Promise<EvalValue> {
  const name = e.func;
  const matrixIndex = e.args.findIndex((a) => exprType(unwrapParens(a)) === 'matrix');
  if (matrixIndex >= 0 && name !== 'absent_over_time' && RANGE_FUNCTIONS[name]) {
    return evalRangeFunction(ev, e, matrixIndex, r);
  }
  switch (name) {
    case 'absent_over_time':
      return absentOverTime(ev, e, matrixIndex, r);
    case 'info':
      return evalInfo(ev, e, r);
    case 'time':
      return {
        kind: 'scalar',
        values: Float64Array.from({ length: r.n }, (_, i) => (r.startMs + i * r.stepMs) / 1000),
      };
    case 'pi':
      return { kind: 'scalar', values: new Float64Array(r.n).fill(Math.PI) };
    case 'step':
      return { kind: 'scalar', values: new Float64Array(r.n).fill(ev.queryStepMs / 1000) };
    case 'range':
      return { kind: 'scalar', values: new Float64Array(r.n).fill((ev.queryEndMs - ev.queryStartMs) / 1000) };
    case 'start':
      return { kind: 'scalar', values: new Float64Array(r.n).fill(ev.queryStartMs / 1000) };
    case 'end':
      return { kind: 'scalar', values: new Float64Array(r.n).fill(ev.queryEndMs / 1000) };
    case 'min_of':
    case 'max_of': {
      const a = await scalarArg(ev, e.args[0]!, r);
      const b = await scalarArg(ev, e.args[1]!, r);
      const f = name === 'min_of' ? goMin : goMax;
      return { kind: 'scalar', values: a.map((x, i) => f(x, b[i]!)) };
    }
    case 'vector': {
      const s = await scalarArg(ev, e.args[0]!, r);
      return {
        kind: 'vector',
        series: [{ labels: Labels.EMPTY, values: s, present: new Uint8Array(r.n).fill(1), dropName: false }],
      };
    }
    case 'scalar': {
      const v = await vectorArg(ev, e.args[0]!, r);
      const out = new Float64Array(r.n).fill(NaN);
      for (let i = 0; i < r.n; i++) {
        let count = 0;
        let val = NaN;
        for (const s of v) {
          if (s.present[i] && s.hists?.[i] === undefined) {
            count++;
            val = s.values[i]!;
          }
        }
        if (count === 1) out[i] = val;
      }
      return { kind: 'scalar', values: out };
    }
    case 'timestamp':
      return timestampFn(ev, e, r);
    case 'absent':
      return absent(ev, e, r);
    case 'label_replace':
      return labelReplace(ev, e, r);
    case 'label_join':
      return labelJoin(ev, e, r);
    case 'sort':
    case 'sort_desc':
      return sortFn(ev, e, r, name === 'sort_desc');
    case 'sort_by_label':
    case 'sort_by_label_desc':
      return sortByLabel(ev, e, r, name === 'sort_by_label_desc');
    case 'histogram_quantile':
      return histogramQuantileFn(ev, e, r);
    case 'histogram_fraction':
      return histogramFractionFn(ev, e, r);
    case 'histogram_quantiles':
      return histogramQuantilesFn(ev, e, r);
    case 'histogram_count':
    case 'histogram_sum':
    case 'histogram_avg':
    case 'histogram_stddev':
    case 'histogram_stdvar':
      return histogramStatFn(ev, e, r);
    case 'round':
      return elementwise(ev, e, r, async () => {
        const to = e.args[1] ? await scalarArg(ev, e.args[1], r) : undefined;
        return (v, i) => {
          const inv = 1 / (to ? to[i]! : 1);
          return Math.floor(v * inv + 0.5) / inv;
        };
      });
    case 'clamp':
      return clampFn(ev, e, r);
    case 'clamp_min':
    case 'clamp_max':
      return elementwise(ev, e, r, async () => {
        const bound = await scalarArg(ev, e.args[1]!, r);
        return name === 'clamp_min' ? (v, i) => goMax(bound[i]!, v) : (v, i) => goMin(bound[i]!, v);
      });
    case 'days_in_month':
    case 'day_of_month':
    case 'day_of_week':
    case 'day_of_year':
    case 'hour':
    case 'minute':
    case 'month':
    case 'year':
      return dateFn(ev, e, r);
  }
  const math = MATH[name];
  if (math) return elementwise(ev, e, r, () => Promise.resolve((v: number) => math(v)));
  throw execError(`function "${name}" is not supported`);
}

// Go's math.Max/Min propagate NaN.
function goMax(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return Math.max(a, b);
}
function goMin(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return Math.min(a, b);
}

const MATH: Record<string, (v: number) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  deg: (v) => (v * 180) / Math.PI,
  rad: (v) => (v * Math.PI) / 180,
  sgn: (v) => (v > 0 ? 1 : v < 0 ? -1 : v),
};

async function scalarArg(ev: Evaluator, e: Expr, r: StepRange): Promise<Float64Array> {
  const v = await ev.eval(e, r);
  if (v.kind !== 'scalar') throw execError('expected a scalar argument');
  return v.values;
}

async function vectorArg(ev: Evaluator, e: Expr, r: StepRange): Promise<StepSeries[]> {
  const v = await ev.eval(e, r);
  if (v.kind !== 'vector') throw execError('expected an instant vector argument');
  return v.series;
}

async function stringArg(ev: Evaluator, e: Expr, r: StepRange): Promise<string> {
  const v = await ev.eval(e, r);
  if (v.kind !== 'string') throw execError('expected a string argument');
  return v.value;
}

/** Applies `f` to every present value of the first (vector) argument; the name is dropped. */
async function elementwise(
  ev: Evaluator,
  e: Call,
  r: StepRange,
  prepare: () => Promise<(v: number, step: number) => number>,
): Promise<EvalValue> {
  const input = await vectorArg(ev, e.args[0]!, r);
  const f = await prepare();
  const out: StepSeries[] = [];
  for (const s0 of input) {
    const s = floatsOnly(s0);
    if (s === undefined) continue;
    const values = new Float64Array(r.n);
    for (let i = 0; i < r.n; i++) if (s.present[i]) values[i] = f(s.values[i]!, i);
    out.push({ labels: s.labels, values, present: s.present, dropName: true });
  }
  return { kind: 'vector', series: out };
}

/**
 * The series without its histogram samples (for functions that only take floats and skip
 * histograms silently), or undefined when nothing remains.
 */
function floatsOnly(s: StepSeries): StepSeries | undefined {
  if (s.hists === undefined) return s;
  const present = new Uint8Array(s.present);
  let any = false;
  for (let i = 0; i < present.length; i++) {
    if (s.hists[i] !== undefined) present[i] = 0;
    else if (present[i]) any = true;
  }
  return any ? { labels: s.labels, values: s.values, present, dropName: s.dropName } : undefined;
}

/** histogram_count/sum/avg/stddev/stdvar: one float per histogram sample; floats are skipped. */
async function histogramStatFn(ev: Evaluator, e: Call, r: StepRange): Promise<EvalValue> {
  const input = await vectorArg(ev, e.args[0]!, r);
  const f: (h: FloatHistogram) => number =
    e.func === 'histogram_count'
      ? (h) => h.count
      : e.func === 'histogram_sum'
        ? (h) => h.sum
        : e.func === 'histogram_avg'
          ? (h) => h.sum / h.count
          : e.func === 'histogram_stddev'
            ? (h) => Math.sqrt(histogramVariance(h))
            : histogramVariance;
  const out: StepSeries[] = [];
  for (const s of input) {
    if (s.hists === undefined) continue;
    const values = new Float64Array(r.n);
    const present = new Uint8Array(r.n);
    let any = false;
    for (let i = 0; i < r.n; i++) {
      const h = s.hists[i];
      if (!s.present[i] || h === undefined) continue;
      values[i] = f(h);
      present[i] = 1;
      any = true;
    }
    if (any) out.push({ labels: s.labels, values, present, dropName: true });
  }
  return { kind: 'vector', series: out };
}

async function clampFn(ev: Evaluator, e: Call, r: StepRange): Promise<EvalValue> {
  const input = await vectorArg(ev, e.args[0]!, r);
  const min = await scalarArg(ev, e.args[1]!, r);
  const max = await scalarArg(ev, e.args[2]!, r);
  const out: StepSeries[] = [];
  for (const s of input) {
    const values = new Float64Array(r.n);
    const present = new Uint8Array(r.n);
    let any = false;
    for (let i = 0; i < r.n; i++) {
      if (!s.present[i] || max[i]! < min[i]! || s.hists?.[i] !== undefined) continue;
      values[i] = goMax(min[i]!, goMin(max[i]!, s.values[i]!));
      present[i] = 1;
      any = true;
    }
    if (any) out.push({ labels: s.labels, values, present, dropName: true });
  }
  return { kind: 'vector', series: out };
}

async function dateFn(ev: Evaluator, e: Call, r: StepRange): Promise<EvalValue> {
  const fn = DATE[e.func]!;
  if (e.args.length === 0) {
    const values = new Float64Array(r.n);
    for (let i = 0; i < r.n; i++) values[i] = fn(new Date(Math.trunc((r.startMs + i * r.stepMs) / 1000) * 1000));
    return {
      kind: 'vector',
      series: [{ labels: Labels.EMPTY, values, present: new Uint8Array(r.n).fill(1), dropName: false }],
    };
  }
  return elementwise(ev, e, r, () =>
    Promise.resolve((v: number) => {
      if (!Number.isFinite(v)) return NaN;
      return fn(new Date(Math.trunc(v) * 1000));
    }),
  );
}

const DATE: Record<string, (d: Date) => number> = {
  days_in_month: (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  day_of_month: (d) => d.getUTCDate(),
  day_of_week: (d) => d.getUTCDay(),
  day_of_year: (d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
  hour: (d) => d.getUTCHours(),
  minute: (d) => d.getUTCMinutes(),
  month: (d) => d.getUTCMonth() + 1,
  year: (d) => d.getUTCFullYear(),
};

async function timestampFn(ev: Evaluator, e: Call, r: StepRange): Promise<EvalValue> {
  const arg = unwrapParens(e.args[0]!);
  if (arg.type === 'VectorSelector') {
    const series = await ev.evalVectorSelector(arg, r, true);
    return {
      kind: 'vector',
      series: series.map((s) => ({
        labels: s.labels,
        values: s.sampleTimesMs!.map((t) => t / 1000),
        present: s.present,
        dropName: true,
      })),
    };
  }
  const input = await vectorArg(ev, e.args[0]!, r);
  return {
    kind: 'vector',
    series: input.map((s) => ({
      labels: s.labels,
      values: Float64Array.from({ length: r.n }, (_, i) => (r.startMs + i * r.stepMs) / 1000),
      present: s.present,
      dropName: true,
    })),
  };
}

/** The labels `absent()` gives its output: the equality matchers of a selector argument. */
function absentLabels(arg: Expr): Labels {
  const e = unwrapParens(arg);
  let vs: VectorSelector | undefined;
  if (e.type === 'VectorSelector') vs = e;
  else if (e.type === 'MatrixSelector') vs = e.vectorSelector;
  if (!vs) return Labels.EMPTY;
  const values = new Map<string, string>();
  const duplicated = new Set<string>();
  const seen = new Set<string>();
  for (const m of vs.matchers) {
    if (m.name === METRIC_NAME) continue;
    // A label constrained by more than one matcher has no single value to report.
    if (seen.has(m.name)) duplicated.add(m.name);
    seen.add(m.name);
    if (m.type === '=') values.set(m.name, m.value);
  }
  for (const d of duplicated) values.delete(d);
  return Labels.from(values);
}

async function absent(ev: Evaluator, e: Call, r: StepRange): Promise<EvalValue> {
  const input = await vectorArg(ev, e.args[0]!, r);
  const values = new Float64Array(r.n).fill(1);
  const present = new Uint8Array(r.n).fill(1);
  for (const s of input) for (let i = 0; i < r.n; i++) if (s.present[i]) present[i] = 0;
  if (!present.includes(1)) return { kind: 'vector', series: [] };
  return { kind: 'vector', series: [{ labels: absentLabels(e.args[0]!), values, present, dropName: true }] };
}

async function labelReplace(ev: Evaluator, e: Call, r: StepRange): Promise<EvalValue> {
  const input = await vectorArg(ev, e.args[0]!, r);
  const dst = await stringArg(ev, e.args[1]!, r);
  const repl = await stringArg(ev, e.args[2]!, r);
  const src = await stringArg(ev, e.args[3]!, r);
  const regexStr = await stringArg(ev, e.args[4]!, r);
  let re: RegExp;
  try {
    re = compileAnchoredRegex(regexStr);
  } catch {
    throw execError(`invalid regular expression in label_replace(): ${regexStr}`);
  }
  if (!dst.isWellFormed() || dst === '') throw execError(`invalid destination label name in label_replace(): ${dst}`);
  const out: StepSeries[] = [];
  for (const s of input) {
    const m = re.exec(s.labels.get(src));
    if (!m) {
      out.push(s);
      continue;
    }
    const value = expandTemplate(repl, m);
    const labels = s.labels.with(dst, value);
    out.push({ ...s, labels, dropName: dst === METRIC_NAME ? false : s.dropName });
  }
  return { kind: 'vector', series: mergeSameLabels(out) };
}

/** Go's regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
function expandTemplate(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(\$|\{([^}]*)\}|([a-zA-Z0-9_]+))/g, (all, tok: string, braced?: string, bare?: string) => {
    if (tok === '$') return '$';
    const name = braced ?? bare ?? '';
    if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
    if (braced === undefined && bare !== undefined) {
      // Go takes the longest name: `$1x` is the group named "1x", which doesn't exist.
      return m.groups?.[name] ?? '';
    }
    return m.groups?.[name] ?? '';
  });
}

async function labelJoin(ev: Evaluator, e: Call, r: StepRange): Promise<EvalValue> {
  const input = await vectorArg(ev, e.args[0]!, r);
  const dst = await stringArg(ev, e.args[1]!, r);
  const sep = await stringArg(ev, e.args[2]!, r);
  const srcs: string[] = [];
  for (const a of e.args.slice(3)) srcs.push(await stringArg(ev, a, r));
  if (!dst.isWellFormed() || dst === '') throw execError(`invalid destination label name in label_join(): ${dst}`);
  for (const s of srcs) if (!s.isWellFormed()) throw execError(`invalid source label name in label_join(): ${s}`);
  const out: StepSeries[] = input.map((s) => {
    const value = srcs.map((n) => s.labels.get(n)).join(sep);
    return { ...s, labels: s.labels.with(dst, value), dropName: dst === METRIC_NAME ? false : s.dropName };
  });
  return { kind: 'vector', series: mergeSameLabels(out) };
}

async function sortFn(ev: Evaluator, e: Call, r: StepRange, desc: boolean): Promise<EvalValue> {
  const input = await vectorArg(ev, e.args[0]!, r);
  if (r.n !== 1) return { kind: 'vector', series: input.map(floatsOnly).filter((x) => x !== undefined) };
  // Instant queries keep the order; NaN last in both directions, as Prometheus sorts. Histogram
  // samples are dropped.
  const sorted = [...input].filter((s) => s.present[0] && s.hists?.[0] === undefined);
  sorted.sort((a, b) => {
    const x = a.values[0]!;
    const y = b.values[0]!;
    if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
    if (Number.isNaN(y)) return -1;
    return desc ? y - x : x - y;
  });
  return { kind: 'vector', series: sorted };
}

async function sortByLabel(ev: Evaluator, e: Call, r: StepRange, desc: boolean): Promise<EvalValue> {
  const input = await vectorArg(ev, e.args[0]!, r);
  const names: string[] = [];
  for (const a of e.args.slice(1)) names.push(await stringArg(ev, a, r));
  const collator = new Intl.Collator('en', { numeric: true });
  const sorted = [...input];
  sorted.sort((a, b) => {
    for (const n of names) {
      const c = collator.compare(a.labels.get(n), b.labels.get(n));
      if (c !== 0) return desc ? -c : c;
    }
    const c = Labels.compare(a.labels, b.labels);
    return desc ? -c : c;
  });
  return { kind: 'vector', series: sorted };
}

interface ClassicGroup {
  labels: Labels;
  metricName: string;
  members: { s: StepSeries; le: number }[];
}

/**
 * The input of histogram_quantile & co, split as Prometheus does: native histogram samples, and
 * classic histograms (float series grouped by their labels without `le`). Where a native
 * histogram and classic buckets of the same series meet at a step, neither is evaluated there.
 */
interface HistogramInput {
  groups: ClassicGroup[];
  natives: StepSeries[];
  /** Per native series: steps where it conflicts with classic buckets (undefined: none). */
  nativeConflicts: (Uint8Array | undefined)[];
  /** Per classic group: steps where it conflicts with a native histogram (undefined: none). */
  groupConflicts: (Uint8Array | undefined)[];
}

function splitHistogramInput(ev: Evaluator, input: StepSeries[], arg: Expr, r: StepRange): HistogramInput {
  const groups = new Map<string, ClassicGroup>();
  const list: ClassicGroup[] = [];
  const natives: StepSeries[] = [];
  for (const s of input) {
    if (s.hists !== undefined) natives.push(s);
    if (s.hists !== undefined && !hasFloatSample(s)) continue;
    const leStr = s.labels.get('le');
    const le = parseGoFloat(leStr);
    if (le === undefined) {
      ev.annotate(
        'warning',
        `bucket label "le" is missing or has a malformed value of "${leStr}" for metric name "${s.labels.get(METRIC_NAME)}"`,
        arg.pos,
      );
      continue;
    }
    const without = s.labels.without('le');
    let g = groups.get(without.key);
    if (!g) {
      g = { labels: without.without(METRIC_NAME), metricName: s.labels.get(METRIC_NAME), members: [] };
      groups.set(without.key, g);
      list.push(g);
    }
    g.members.push({ s: floatsOnly(s)!, le });
  }
  const nativeConflicts: (Uint8Array | undefined)[] = natives.map(() => undefined);
  const groupConflicts: (Uint8Array | undefined)[] = list.map(() => undefined);
  natives.forEach((n, ni) => {
    const g = groups.get(n.labels.key);
    if (g === undefined) return;
    const gi = list.indexOf(g);
    for (let i = 0; i < r.n; i++) {
      if (!n.present[i] || n.hists![i] === undefined) continue;
      if (!g.members.some((m) => m.s.present[i])) continue;
      ev.annotate('warning', msg.mixedClassicNative(n.labels.get(METRIC_NAME)), arg.pos);
      (nativeConflicts[ni] ??= new Uint8Array(r.n))[i] = 1;
      (groupConflicts[gi] ??= new Uint8Array(r.n))[i] = 1;
    }
  });
  return { groups: list, natives, nativeConflicts, groupConflicts };
}

function hasFloatSample(s: StepSeries): boolean {
  for (let i = 0; i < s.present.length; i++) if (s.present[i] && s.hists?.[i] === undefined) return true;
  return false;
}

/** `f` of every native histogram sample (outside conflicts), one output series per input series. */
function nativeHistogramOutputs(
  input: HistogramInput,
  labelsOf: (s: StepSeries) => Labels,
  f: (h: FloatHistogram, step: number, metric: string) => number,
  r: StepRange,
): StepSeries[] {
  const out: StepSeries[] = [];
  input.natives.forEach((s, ni) => {
    const conflicts = input.nativeConflicts[ni];
    const values = new Float64Array(r.n);
    const present = new Uint8Array(r.n);
    let any = false;
    const metric = s.labels.get(METRIC_NAME);
    for (let i = 0; i < r.n; i++) {
      const h = s.hists![i];
      if (!s.present[i] || h === undefined || conflicts?.[i]) continue;
      values[i] = f(h, i, metric);
      present[i] = 1;
      any = true;
    }
    if (any) out.push({ labels: labelsOf(s), values, present, dropName: true });
  });
  return out;
}

/** Buckets of a classic group at one step, or undefined when it has none (or conflicts). */
function classicBuckets(input: HistogramInput, gi: number, i: number): Bucket[] | undefined {
  if (input.groupConflicts[gi]?.[i]) return undefined;
  const buckets: Bucket[] = [];
  for (const m of input.groups[gi]!.members)
    if (m.s.present[i]) buckets.push({ upperBound: m.le, count: m.s.values[i]! });
  return buckets.length === 0 ? undefined : buckets;
}

function warnInvalidQuantiles(ev: Evaluator, q: Float64Array, pos: Expr['pos']): void {
  for (const qi of q) {
    if (Number.isNaN(qi) || qi < 0 || qi > 1) {
      ev.annotate('warning', `quantile value should be between 0 and 1, got ${formatFloatG(qi)}`, pos);
      return;
    }
  }
}

/** Quantile `q` of every classic histogram group, one output series per group. */
function classicQuantiles(
  ev: Evaluator,
  input: HistogramInput,
  q: Float64Array,
  labelsOf: (g: ClassicGroup) => Labels,
  pos: Expr['pos'],
  r: StepRange,
): StepSeries[] {
  const out: StepSeries[] = [];
  input.groups.forEach((g, gi) => {
    const values = new Float64Array(r.n);
    const present = new Uint8Array(r.n);
    let any = false;
    for (let i = 0; i < r.n; i++) {
      const buckets = classicBuckets(input, gi, i);
      if (buckets === undefined) continue;
      const [v, forced] = bucketQuantile(q[i]!, buckets);
      if (forced) {
        ev.annotate(
          'info',
          `input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name "${g.metricName}"`,
          pos,
        );
      }
      values[i] = v;
      present[i] = 1;
      any = true;
    }
    if (any) out.push({ labels: labelsOf(g), values, present, dropName: true });
  });
  return out;
}

async function histogramQuantileFn(ev: Evaluator, e: Call, r: StepRange): Promise<EvalValue> {
  const q = await scalarArg(ev, e.args[0]!, r);
  const vec = await vectorArg(ev, e.args[1]!, r);
  warnInvalidQuantiles(ev, q, e.args[0]!.pos);
  const input = splitHistogramInput(ev, vec, e.args[1]!, r);
  const pos = e.args[1]!.pos;
  const annotate = (kind: 'warning' | 'info', message: string): void => ev.annotate(kind, message, pos);
  const natives = nativeHistogramOutputs(
    input,
    (s) => s.labels,
    (h, i, metric) => histogramQuantile(q[i]!, h, metric, annotate),
    r,
  );
  const classic = classicQuantiles(ev, input, q, (g) => g.labels, pos, r);
  return { kind: 'vector', series: mergeSameLabels([...natives, ...classic]) };
}

/** `histogram_quantiles(v, "label", q1, q2, ...)`: one series per group and quantile, labelled with q. */
async function histogramQuantilesFn(ev: Evaluator, e: Call, r: StepRange): Promise<EvalValue> {
  const vec = await vectorArg(ev, e.args[0]!, r);
  const label = await stringArg(ev, e.args[1]!, r);
  const qs: Float64Array[] = [];
  for (const arg of e.args.slice(2)) {
    const q = await scalarArg(ev, arg, r);
    warnInvalidQuantiles(ev, q, arg.pos);
    qs.push(q);
  }
  const input = splitHistogramInput(ev, vec, e.args[0]!, r);
  for (const g of input.groups) {
    if (g.labels.has(label)) throw execError(`label "${label}" already exists in the input of histogram_quantiles`);
  }
  const pos = e.args[0]!.pos;
  const annotate = (kind: 'warning' | 'info', message: string): void => ev.annotate(kind, message, pos);
  const out: StepSeries[] = [];
  for (const q of qs) {
    const text = formatOpenMetricsFloat(q[0]!);
    out.push(
      ...nativeHistogramOutputs(
        input,
        (s) => s.labels.with(label, text),
        (h, i, metric) => histogramQuantile(q[i]!, h, metric, annotate),
        r,
      ),
    );
    out.push(...classicQuantiles(ev, input, q, (g) => g.labels.with(label, text), e.args[0]!.pos, r));
  }
  return { kind: 'vector', series: mergeSameLabels(out) };
}

async function histogramFractionFn(ev: Evaluator, e: Call, r: StepRange): Promise<EvalValue> {
  const lower = await scalarArg(ev, e.args[0]!, r);
  const upper = await scalarArg(ev, e.args[1]!, r);
  const vec = await vectorArg(ev, e.args[2]!, r);
  const input = splitHistogramInput(ev, vec, e.args[2]!, r);
  const pos = e.args[2]!.pos;
  const annotate = (kind: 'warning' | 'info', message: string): void => ev.annotate(kind, message, pos);
  const out: StepSeries[] = nativeHistogramOutputs(
    input,
    (s) => s.labels,
    (h, i, metric) => histogramFraction(lower[i]!, upper[i]!, h, metric, annotate),
    r,
  );
  input.groups.forEach((g, gi) => {
    const values = new Float64Array(r.n);
    const present = new Uint8Array(r.n);
    let any = false;
    for (let i = 0; i < r.n; i++) {
      const buckets = classicBuckets(input, gi, i);
      if (buckets === undefined) continue;
      values[i] = bucketFraction(lower[i]!, upper[i]!, buckets);
      present[i] = 1;
      any = true;
    }
    if (any) out.push({ labels: g.labels, values, present, dropName: true });
  });
  return { kind: 'vector', series: mergeSameLabels(out) };
}

/** The range vector argument's series and window geometry. */
async function rangeSource(
  ev: Evaluator,
  arg: Expr,
  r: StepRange,
): Promise<{
  series: RangeSeries[];
  offsetMs: number;
  rangeMs: number;
  atMs: number | undefined;
  ms?: MatrixSelector;
}> {
  const a = unwrapParens(arg);
  if (a.type === 'MatrixSelector') return { ...ev.rangeSeriesFromStorage(a, r), ms: a };
  if (a.type === 'SubqueryExpr') return ev.subquerySeries(a, r);
  throw execError('expected a range vector argument');
}

/** Rejects a function the range modifier (anchored/smoothed) of its argument does not apply to. */
function checkModifier(name: string, modifier: RangeModifier | undefined): void {
  if (modifier === undefined) return;
  const safe = MODIFIER_SAFE_FUNCTIONS[modifier];
  if (!safe.includes(name))
    throw execError(`${modifier} modifier can only be used with: ${safe.join(', ')} - not with ${name}`);
}

async function evalRangeFunction(ev: Evaluator, e: Call, matrixIndex: number, r: StepRange): Promise<EvalValue> {
  const name = e.func;
  const src = await rangeSource(ev, e.args[matrixIndex]!, r);
  const modifier = src.ms?.modifier;
  checkModifier(name, modifier);
  const fn = modifier === undefined ? RANGE_FUNCTIONS[name]! : EXTENDED_RANGE_FUNCTIONS[modifier][name]!;
  // Anchored/smoothed windows also hold the samples of the lookback delta around the range.
  const ext = modifierExtension(modifier, ev.opts.lookbackDeltaMs);
  const params: Float64Array[] = [];
  for (let i = 0; i < e.args.length; i++) {
    if (i !== matrixIndex) params.push(await scalarArg(ev, e.args[i]!, r));
  }
  const dropName = name !== 'last_over_time' && name !== 'first_over_time';
  const { offsetMs, rangeMs, atMs } = src;
  const out: StepSeries[] = [];
  const w: RangeWindow = {
    ts: new Float64Array(0),
    vals: new Float64Array(0),
    lo: 0,
    hi: 0,
    evalTimeMs: 0,
    rangeStartMs: 0,
    rangeEndMs: 0,
    rangeMs,
    params: params.map(() => 0),
  };
  const rangePos = e.args[matrixIndex]!.pos;
  let quantileWarned = false;
  let counterInfo = false;
  const warnQuantile = (q: number): void => {
    if (quantileWarned || !(Number.isNaN(q) || q < 0 || q > 1)) return;
    quantileWarned = true;
    ev.annotate('warning', `quantile value should be between 0 and 1, got ${formatFloatG(q)}`, e.args[0]!.pos);
  };
  for (const s of src.series) {
    await ev.tick();
    w.ts = s.ts;
    w.vals = s.vals;
    const values = new Float64Array(r.n);
    const present = new Uint8Array(r.n);
    let hists: HistogramColumn | undefined;
    let any = false;
    let anyFloat = false;
    let lo = 0;
    let hi = 0;
    const n = s.ts.length;
    let maxWindow = 0;
    let windowSamples = 0;
    const hs = s.hists;
    // Series holding histograms go through mixedWindowFunction (one closure per series); float
    // series call the range function directly.
    const mixed =
      hs === undefined
        ? undefined
        : mixedSeriesFunction(ev, e, name, fn, modifier, hs, s.labels.get(METRIC_NAME), rangePos);
    const sliding =
      (name === 'deriv' || name === 'predict_linear') &&
      atMs === undefined &&
      hs === undefined &&
      SlidingRegression.applicable(s.vals)
        ? new SlidingRegression(s.ts, s.vals)
        : undefined;
    for (let i = 0; i < r.n; i++) {
      const evalTime = atMs ?? r.startMs + i * r.stepMs;
      const end = evalTime - offsetMs;
      const start = end - rangeMs;
      // With `@` the window is the same at every step (the pointers don't move), but scalar
      // parameters may still vary per step, so the function runs every step.
      while (hi < n && s.ts[hi]! <= end + ext.afterMs) hi++;
      while (lo < hi && s.ts[lo]! <= start - ext.beforeMs) lo++;
      if (hi <= lo) continue;
      if (hi - lo > maxWindow) maxWindow = hi - lo;
      windowSamples += hi - lo;
      w.lo = lo;
      w.hi = hi;
      // predict_linear extrapolates from the step's own time, even under `@`.
      w.evalTimeMs = r.startMs + i * r.stepMs;
      w.rangeStartMs = start;
      w.rangeEndMs = end;
      for (let p = 0; p < params.length; p++) w.params[p] = params[p]![i]!;
      if (name === 'quantile_over_time' && !quantileWarned && (hs === undefined || windowHasFloat(hs, lo, hi))) {
        warnQuantile(w.params[0]!);
      }
      if (sliding !== undefined && hi - lo >= SLIDING_MIN_WINDOW) {
        sliding.moveTo(lo, hi);
        const [slope, intercept] = sliding.fit(name === 'deriv' ? s.ts[lo]! : w.evalTimeMs);
        values[i] = name === 'deriv' ? slope : slope * w.params[0]! + intercept;
        present[i] = 1;
        any = true;
        continue;
      }
      if (mixed !== undefined) {
        let hv: number | FloatHistogram | undefined;
        try {
          hv = mixed(w);
        } catch (err) {
          if (err instanceof RangeError) throw execError(err.message);
          throw err;
        }
        if (hv === undefined) continue;
        if (typeof hv === 'number') {
          values[i] = hv;
          anyFloat = true;
        } else (hists ??= new Array<FloatHistogram | undefined>(r.n))[i] = hv;
        present[i] = 1;
        any = true;
        continue;
      }
      let v: number | undefined;
      try {
        v = fn(w);
      } catch (err) {
        if (err instanceof RangeError) throw execError(err.message);
        throw err;
      }
      if (v === undefined) continue;
      values[i] = v;
      present[i] = 1;
      any = true;
    }
    // The largest window is what this series holds at once (for the maxSamples limit); every
    // step's window counts towards the query's sample statistics.
    ev.addSamples(maxWindow);
    ev.releaseSamples(maxWindow);
    ev.countWindowSamples(windowSamples - maxWindow);
    if (!any) continue;
    // Histogram results do not get the counter-name hint (Prometheus only checks float output).
    if ((name === 'rate' || name === 'increase') && !counterInfo && (hs === undefined || anyFloat)) {
      const metric = s.labels.get(METRIC_NAME);
      if (metric !== '' && !/_(total|sum|count|bucket)$/.test(metric)) {
        counterInfo = true;
        ev.annotate(
          'info',
          `metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "${metric}"`,
          rangePos,
        );
      }
    }
    const o: StepSeries = { labels: s.labels, values, present, dropName };
    if (hists !== undefined) o.hists = hists;
    out.push(o);
  }
  return { kind: 'vector', series: out };
}

/** The per-window function for a series holding histograms (plain or anchored/smoothed range). */
function mixedSeriesFunction(
  ev: Evaluator,
  e: Call,
  name: string,
  fn: RangeFunction,
  modifier: RangeModifier | undefined,
  hs: HistogramColumn,
  metric: string,
  rangePos: Expr['pos'],
): (w: RangeWindow) => number | FloatHistogram | undefined {
  const annotate: Annotate = (kind, message) => ev.annotate(kind, message, rangePos);
  if (modifier !== undefined) return (w) => extendedMixedWindowFunction(name, modifier, fn, w, hs, metric, annotate);
  // quantile_over_time reports ignored histograms at its first argument, as Prometheus does.
  const info: Annotate =
    name === 'quantile_over_time' ? (kind, message) => ev.annotate(kind, message, e.args[0]!.pos) : annotate;
  return (w) => mixedWindowFunction(name, fn, w, hs, metric, annotate, info);
}

function windowHasFloat(hs: HistogramColumn, lo: number, hi: number): boolean {
  for (let i = lo; i < hi; i++) if (hs[i] === undefined) return true;
  return false;
}

/** The window's float samples only, as a window of their own. */
function floatWindow(w: RangeWindow, hs: HistogramColumn, nf: number): RangeWindow {
  const ts = new Float64Array(nf);
  const vals = new Float64Array(nf);
  let k = 0;
  for (let i = w.lo; i < w.hi; i++) {
    if (hs[i] !== undefined) continue;
    ts[k] = w.ts[i]!;
    vals[k] = w.vals[i]!;
    k++;
  }
  return { ...w, ts, vals, lo: 0, hi: nf };
}

/** An anchored/smoothed range function over a window that holds histogram samples. */
function extendedMixedWindowFunction(
  name: string,
  modifier: RangeModifier,
  fn: RangeFunction,
  w: RangeWindow,
  hs: HistogramColumn,
  metric: string,
  annotate: Annotate,
): number | FloatHistogram | undefined {
  let nh = 0;
  for (let i = w.lo; i < w.hi; i++) if (hs[i] !== undefined) nh++;
  if (nh === 0) return fn(w);
  const hw: HistogramWindow = {
    ts: w.ts,
    vals: w.vals,
    hists: hs,
    lo: w.lo,
    hi: w.hi,
    rangeStartMs: w.rangeStartMs,
    rangeEndMs: w.rangeEndMs,
    rangeMs: w.rangeMs,
  };
  switch (name) {
    case 'changes':
    case 'resets': {
      const start = anchoredStart(w);
      if (start === undefined) return undefined;
      return mixedChangesOrResets({ ...hw, lo: start }, name === 'resets');
    }
    case 'rate':
    case 'increase':
    case 'delta':
      if (nh < w.hi - w.lo) {
        annotate('warning', msg.mixedFloatsHistograms(metric));
        return undefined;
      }
      return extendedHistogramRate(hw, name !== 'delta', name === 'rate', modifier === 'smoothed', metric, annotate);
    default:
      return fn(w);
  }
}

/**
 * A range function over the window of a series that holds histogram samples (Prometheus's
 * handling of windows with histograms, or with floats and histograms mixed). `info` reports the
 * "ignored histograms" annotation (quantile_over_time reports it at its first argument).
 */
function mixedWindowFunction(
  name: string,
  fn: RangeFunction,
  w: RangeWindow,
  hs: HistogramColumn,
  metric: string,
  annotate: Annotate,
  info: Annotate,
): number | FloatHistogram | undefined {
  const { lo, hi } = w;
  let nh = 0;
  for (let i = lo; i < hi; i++) if (hs[i] !== undefined) nh++;
  if (nh === 0) return fn(w);
  const nf = hi - lo - nh;
  const hw: HistogramWindow = {
    ts: w.ts,
    vals: w.vals,
    hists: hs,
    lo,
    hi,
    rangeStartMs: w.rangeStartMs,
    rangeEndMs: w.rangeEndMs,
    rangeMs: w.rangeMs,
  };
  switch (name) {
    case 'count_over_time':
    case 'present_over_time':
    case 'ts_of_first_over_time':
    case 'ts_of_last_over_time':
      return fn(w);
    case 'last_over_time':
      return hs[hi - 1] ?? w.vals[hi - 1]!;
    case 'first_over_time':
      return hs[lo] ?? w.vals[lo]!;
    case 'rate':
    case 'increase':
    case 'delta':
      if (nf > 0) {
        annotate('warning', msg.mixedFloatsHistograms(metric));
        return undefined;
      }
      return histogramExtrapolatedRate(hw, name !== 'delta', name === 'rate', metric, annotate);
    case 'irate':
    case 'idelta': {
      if (hi - lo < 2) return undefined;
      const prev = hs[hi - 2];
      const last = hs[hi - 1];
      if (prev === undefined && last === undefined) return fn(w);
      if (prev === undefined || last === undefined) {
        annotate('warning', msg.mixedFloatsHistograms(metric));
        return undefined;
      }
      return histogramInstantValue(w.ts[hi - 2]!, prev, w.ts[hi - 1]!, last, name === 'irate', metric, annotate);
    }
    case 'sum_over_time':
    case 'avg_over_time':
      if (nf > 0) {
        annotate('warning', msg.mixedFloatsHistograms(metric));
        return undefined;
      }
      return histogramSumOverTime(hw, name === 'avg_over_time', metric, annotate);
    case 'changes':
    case 'resets':
      return mixedChangesOrResets(hw, name === 'resets');
    case 'deriv':
    case 'predict_linear':
    case 'double_exponential_smoothing': {
      const v = fn(floatWindow(w, hs, nf));
      if (nf >= 1) info('info', msg.ignoredInMixedRange(metric));
      return nf < 2 ? undefined : v;
    }
    default:
      // Float-only functions: histograms are ignored (with an info when floats remain).
      if (nf === 0) return undefined;
      info('info', msg.ignoredInMixedRange(metric));
      return fn(floatWindow(w, hs, nf));
  }
}

async function absentOverTime(ev: Evaluator, e: Call, matrixIndex: number, r: StepRange): Promise<EvalValue> {
  const src = await rangeSource(ev, e.args[matrixIndex]!, r);
  checkModifier(e.func, src.ms?.modifier);
  const present = new Uint8Array(r.n).fill(1);
  const { offsetMs, rangeMs, atMs } = src;
  for (const s of src.series) {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < r.n; i++) {
      const end = (atMs ?? r.startMs + i * r.stepMs) - offsetMs;
      const start = end - rangeMs;
      if (atMs !== undefined) {
        lo = 0;
        hi = 0;
      }
      while (hi < s.ts.length && s.ts[hi]! <= end) hi++;
      while (lo < hi && s.ts[lo]! <= start) lo++;
      if (hi > lo) present[i] = 0;
    }
  }
  if (!present.includes(1)) return { kind: 'vector', series: [] };
  return {
    kind: 'vector',
    series: [
      { labels: absentLabels(e.args[matrixIndex]!), values: new Float64Array(r.n).fill(1), present, dropName: true },
    ],
  };
}
