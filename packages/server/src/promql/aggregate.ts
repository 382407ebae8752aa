/** Aggregation operators (`sum`, `avg`, `topk`, `count_values`, ...), column-wise over all steps. */
import {
  type FloatHistogram,
  HistogramSum,
  IncompatibleSchemaError,
  compact,
  divideHistogram,
  hintOf,
  histogramString,
} from '../lib/histogram.js';
import { Labels, METRIC_NAME } from '../lib/labels.js';
import { formatFloatF, formatFloatG } from '../lib/format-number.js';
import type { AggregateExpr } from './ast.js';
import type { Evaluator } from './engine.js';
import { mergeSameLabels } from './series-ops.js';
import { execError } from './errors.js';
import type { EvalValue, HistogramColumn, StepRange, StepSeries } from './eval-types.js';
import { kahanSumInc, quantile } from './functions/kahan.js';
import { xxhash64Labels } from './xxhash.js';
import { goQuote } from './printer.js';

interface Grouping {
  /** Group index of each input series. */
  groupOf: Int32Array;
  /** Output labels of each group, in order of first appearance. */
  labels: Labels[];
}

function groupKeyAndLabels(labels: Labels, grouping: readonly string[], without: boolean): [string, Labels] {
  const names = new Set(grouping);
  if (without) {
    names.add(METRIC_NAME);
    const l = labels.filter(names, false);
    return [l.key, l];
  }
  if (grouping.length === 0) return ['', Labels.EMPTY];
  const l = labels.filter(names, true);
  return [l.key, l];
}

function groupSeries(series: readonly StepSeries[], grouping: readonly string[], without: boolean): Grouping {
  const groupOf = new Int32Array(series.length);
  const index = new Map<string, number>();
  const labels: Labels[] = [];
  for (let i = 0; i < series.length; i++) {
    const [key, l] = groupKeyAndLabels(series[i]!.labels, grouping, without);
    let g = index.get(key);
    if (g === undefined) {
      g = labels.length;
      index.set(key, g);
      labels.push(l);
    }
    groupOf[i] = g;
  }
  return { groupOf, labels };
}

export async function evalAggregate(ev: Evaluator, e: AggregateExpr, r: StepRange): Promise<EvalValue> {
  let param: Float64Array | undefined;
  let stringParam: string | undefined;
  if (e.param) {
    const p = await ev.eval(e.param, r);
    if (p.kind === 'scalar') param = p.values;
    else if (p.kind === 'string') stringParam = p.value;
    else throw execError(`expected scalar or string parameter for ${e.op}`);
  }
  const input = await ev.eval(e.expr, r);
  if (input.kind !== 'vector') throw execError(`expected instant vector in aggregation ${e.op}`);
  const grouping = [...e.grouping].sort();
  let series = input.series;
  const hasHistograms = series.some((s) => s.hists !== undefined);
  switch (e.op) {
    case 'count_values':
      return { kind: 'vector', series: countValues(e, stringParam ?? '', grouping, series, r) };
    case 'topk':
    case 'bottomk':
      if (hasHistograms) series = withoutHistograms(ev, series, e.op, e.pos);
      return { kind: 'vector', series: selectK(ev, e, param!, grouping, series, r) };
    case 'limitk':
    case 'limit_ratio':
      return { kind: 'vector', series: selectK(ev, e, param!, grouping, series, r) };
    case 'quantile':
      if (hasHistograms) series = withoutHistograms(ev, series, e.op, e.expr.pos);
      return { kind: 'vector', series: quantileAgg(ev, e, param!, grouping, series, r) };
    case 'sum':
    case 'avg':
      if (hasHistograms) return { kind: 'vector', series: histogramSumAvg(ev, e, grouping, series, r) };
      return { kind: 'vector', series: simpleAgg(e, grouping, series, r) };
    case 'min':
    case 'max':
    case 'stddev':
    case 'stdvar':
      if (hasHistograms) series = withoutHistograms(ev, series, e.op, e.expr.pos);
      return { kind: 'vector', series: simpleAgg(e, grouping, series, r) };
    default:
      return { kind: 'vector', series: simpleAgg(e, grouping, series, r) };
  }
}

/**
 * The series with their histogram samples removed, for aggregations that only take floats; an
 * info annotation says a histogram was ignored.
 */
function withoutHistograms(ev: Evaluator, series: StepSeries[], op: string, pos: AggregateExpr['pos']): StepSeries[] {
  const out: StepSeries[] = [];
  let ignored = false;
  for (const s of series) {
    if (s.hists === undefined) {
      out.push(s);
      continue;
    }
    const present = new Uint8Array(s.present);
    let any = false;
    for (let i = 0; i < present.length; i++) {
      if (!present[i]) continue;
      if (s.hists[i] !== undefined) {
        present[i] = 0;
        ignored = true;
      } else any = true;
    }
    if (!any) continue;
    const f: StepSeries = { labels: s.labels, values: s.values, present, dropName: s.dropName };
    out.push(f);
  }
  if (ignored) ev.annotate('info', `ignored histogram in ${op} aggregation`, pos);
  return out;
}

/** Per-group state of sum/avg at one step, as Prometheus's groupedAggregation. */
interface SumAvgGroup {
  seen: boolean;
  hasFloat: boolean;
  hasHistogram: boolean;
  incompatible: boolean;
  floatValue: number;
  floatComp: number;
  floatMean: number;
  floatIncremental: boolean;
  count: number;
  hist: HistogramSum | undefined;
  histIncremental: boolean;
  counterResetSeen: boolean;
  notCounterResetSeen: boolean;
}

/**
 * `sum` and `avg` over input with native histograms, step by step as Prometheus aggregates: a
 * group is a float or a histogram sum (a mix of both gives no result and a warning); histogram
 * sums are Kahan-compensated and reduce to the coarsest schema; custom buckets with different
 * bounds are reconciled; `avg` switches to an incremental mean when the sum would overflow.
 */
function histogramSumAvg(
  ev: Evaluator,
  e: AggregateExpr,
  grouping: string[],
  series: StepSeries[],
  r: StepRange,
): StepSeries[] {
  const { groupOf, labels } = groupSeries(series, grouping, e.without);
  const G = labels.length;
  const pos = e.expr.pos;
  const avg = e.op === 'avg';
  const outValues = labels.map(() => new Float64Array(r.n));
  const outPresent = labels.map(() => new Uint8Array(r.n));
  const outHists = new Array<HistogramColumn | undefined>(G);
  const dropName = new Uint8Array(G);
  for (let si = 0; si < series.length; si++) if (series[si]!.dropName) dropName[groupOf[si]!] = 1;
  const groups: SumAvgGroup[] = labels.map(() => newGroup(0));
  const track = (g: SumAvgGroup, h: FloatHistogram): void => {
    const hint = hintOf(h);
    if (hint === 'reset') g.counterResetSeen = true;
    else if (hint === 'not_reset') g.notCounterResetSeen = true;
  };
  const failed = (g: SumAvgGroup, err: unknown, s: StepSeries): void => {
    if (!(err instanceof IncompatibleSchemaError)) throw err;
    ev.annotate(
      'warning',
      `vector contains a mix of histograms with exponential and custom buckets schemas for metric name "${s.labels.get(METRIC_NAME)}"`,
      pos,
    );
    g.incompatible = true;
  };
  for (let i = 0; i < r.n; i++) {
    for (const g of groups) g.seen = false;
    for (let si = 0; si < series.length; si++) {
      const s = series[si]!;
      if (!s.present[i]) continue;
      const h = s.hists?.[i];
      const f = h === undefined ? s.values[i]! : 0;
      const gi = groupOf[si]!;
      let g = groups[gi]!;
      if (!g.seen) {
        g = groups[gi] = newGroup(f);
        if (h === undefined) g.hasFloat = true;
        else {
          g.hist = new HistogramSum(h);
          g.hasHistogram = true;
          track(g, h);
        }
        continue;
      }
      if (g.incompatible) continue;
      if (!avg) {
        if (h !== undefined) {
          g.hasHistogram = true;
          if (g.hist !== undefined) {
            track(g, h);
            try {
              if (g.hist.add(h).nhcbBoundsReconciled) {
                ev.annotate('info', 'mismatched custom buckets were reconciled during aggregation', pos);
              }
            } catch (err) {
              failed(g, err, s);
            }
          }
        } else {
          g.hasFloat = true;
          [g.floatValue, g.floatComp] = kahanSumInc(f, g.floatValue, g.floatComp);
        }
        continue;
      }
      g.count++;
      if (h !== undefined) {
        g.hasHistogram = true;
        if (g.hist === undefined) continue;
        track(g, h);
        try {
          if (!g.histIncremental) {
            const next = g.hist.clone();
            const res = next.add(h);
            if (res.nhcbBoundsReconciled) {
              ev.annotate('info', 'mismatched custom buckets were reconciled during aggregation', pos);
            }
            if (!next.overflowed) {
              g.hist = next;
              continue;
            }
            // The sum would overflow: continue with an incremental mean.
            g.histIncremental = true;
            g.hist.divide(g.count - 1);
          }
          const q = (g.count - 1) / g.count;
          g.hist.scale(q);
          if (g.hist.add(divideHistogram(h, g.count)).nhcbBoundsReconciled) {
            ev.annotate('info', 'mismatched custom buckets were reconciled during aggregation', pos);
          }
        } catch (err) {
          failed(g, err, s);
        }
        continue;
      }
      g.hasFloat = true;
      if (!g.floatIncremental) {
        const [sv, sc] = kahanSumInc(f, g.floatValue, g.floatComp);
        if (sv !== Infinity && sv !== -Infinity) {
          g.floatValue = sv;
          g.floatComp = sc;
          continue;
        }
        g.floatIncremental = true;
        g.floatMean = g.floatValue / (g.count - 1);
        g.floatComp = g.floatComp / (g.count - 1);
      }
      const q = (g.count - 1) / g.count;
      [g.floatMean, g.floatComp] = kahanSumInc(f / g.count, q * g.floatMean, q * g.floatComp);
    }
    for (let gi = 0; gi < G; gi++) {
      const g = groups[gi]!;
      if (!g.seen) continue;
      if (g.hasFloat && g.hasHistogram) {
        ev.annotate('warning', 'encountered a mix of histograms and floats for aggregation', pos);
        continue;
      }
      if (g.incompatible) continue;
      if (g.hasHistogram) {
        const h = compact(g.hist!.result(avg && !g.histIncremental ? g.count : 1));
        (outHists[gi] ??= new Array<FloatHistogram | undefined>(r.n))[i] = h;
      } else if (!avg) outValues[gi]![i] = g.floatValue + g.floatComp;
      else if (g.floatIncremental) outValues[gi]![i] = g.floatMean + g.floatComp;
      else outValues[gi]![i] = g.floatValue / g.count + g.floatComp / g.count;
      if (g.counterResetSeen && g.notCounterResetSeen) {
        ev.annotate('warning', 'conflicting counter resets during histogram aggregation', pos);
      }
      outPresent[gi]![i] = 1;
    }
  }
  const out: StepSeries[] = [];
  for (let gi = 0; gi < G; gi++) {
    if (!outPresent[gi]!.includes(1)) continue;
    const o: StepSeries = {
      labels: labels[gi]!,
      values: outValues[gi]!,
      present: outPresent[gi]!,
      dropName: dropName[gi] === 1,
    };
    if (outHists[gi] !== undefined) o.hists = outHists[gi];
    out.push(o);
  }
  return out;
}

function newGroup(f: number): SumAvgGroup {
  return {
    seen: true,
    hasFloat: false,
    hasHistogram: false,
    incompatible: false,
    floatValue: f,
    floatComp: 0,
    floatMean: f,
    floatIncremental: false,
    count: 1,
    hist: undefined,
    histIncremental: false,
    counterResetSeen: false,
    notCounterResetSeen: false,
  };
}

/** sum, avg, count, min, max, group, stddev, stdvar: per-group state arrays over the steps. */
function simpleAgg(e: AggregateExpr, grouping: string[], series: StepSeries[], r: StepRange): StepSeries[] {
  const { groupOf, labels } = groupSeries(series, grouping, e.without);
  const n = r.n;
  const G = labels.length;
  const value = new Float64Array(G * n);
  const comp = new Float64Array(G * n);
  const mean = new Float64Array(G * n);
  const count = new Float64Array(G * n);
  const incremental = e.op === 'avg' ? new Uint8Array(G * n) : undefined;
  const dropName = new Uint8Array(G);
  const op = e.op;
  for (let si = 0; si < series.length; si++) {
    const s = series[si]!;
    const g = groupOf[si]!;
    if (s.dropName) dropName[g] = 1;
    const base = g * n;
    const vals = s.values;
    const pres = s.present;
    for (let i = 0; i < n; i++) {
      if (!pres[i]) continue;
      const f = vals[i]!;
      const k = base + i;
      const c = count[k]!;
      if (c === 0) {
        count[k] = 1;
        mean[k] = f;
        if (op === 'stddev' || op === 'stdvar') value[k] = Number.isFinite(f) ? 0 : NaN;
        else if (op === 'group') value[k] = 1;
        else value[k] = f;
        continue;
      }
      switch (op) {
        case 'sum': {
          const [sv, sc] = kahanSumInc(f, value[k]!, comp[k]!);
          value[k] = sv;
          comp[k] = sc;
          count[k] = c + 1;
          break;
        }
        case 'avg': {
          const cnt = c + 1;
          count[k] = cnt;
          if (!incremental![k]) {
            const [sv, sc] = kahanSumInc(f, value[k]!, comp[k]!);
            if (sv !== Infinity && sv !== -Infinity) {
              value[k] = sv;
              comp[k] = sc;
              break;
            }
            // The running sum would overflow: switch to an incremental mean.
            incremental![k] = 1;
            mean[k] = value[k]! / (cnt - 1);
            comp[k] = comp[k]! / (cnt - 1);
          }
          const q = (cnt - 1) / cnt;
          const [mv, mc] = kahanSumInc(f / cnt, q * mean[k]!, q * comp[k]!);
          mean[k] = mv;
          comp[k] = mc;
          break;
        }
        case 'count':
          count[k] = c + 1;
          break;
        case 'group':
          break;
        case 'max': {
          const cur = value[k]!;
          if (cur < f || Number.isNaN(cur)) value[k] = f;
          break;
        }
        case 'min': {
          const cur = value[k]!;
          if (cur > f || Number.isNaN(cur)) value[k] = f;
          break;
        }
        case 'stddev':
        case 'stdvar': {
          const cnt = c + 1;
          count[k] = cnt;
          const delta = f - mean[k]!;
          mean[k] = mean[k]! + delta / cnt;
          value[k] = value[k]! + delta * (f - mean[k]);
          break;
        }
        default:
          throw execError(`unexpected aggregation ${op}`);
      }
    }
  }
  const out: StepSeries[] = [];
  for (let g = 0; g < G; g++) {
    const values = new Float64Array(n);
    const present = new Uint8Array(n);
    let any = false;
    const base = g * n;
    for (let i = 0; i < n; i++) {
      const k = base + i;
      const c = count[k]!;
      if (c === 0) continue;
      any = true;
      present[i] = 1;
      switch (op) {
        case 'sum':
          values[i] = value[k]! + comp[k]!;
          break;
        case 'avg':
          values[i] = incremental![k] ? mean[k]! + comp[k]! : value[k]! / c + comp[k]! / c;
          break;
        case 'count':
          values[i] = c;
          break;
        case 'stdvar':
          values[i] = value[k]! / c;
          break;
        case 'stddev':
          values[i] = Math.sqrt(value[k]! / c);
          break;
        default:
          values[i] = value[k]!;
      }
    }
    if (any) out.push({ labels: labels[g]!, values, present, dropName: dropName[g] === 1 });
  }
  return out;
}

function paramWarnings(ev: Evaluator, e: AggregateExpr, param: Float64Array): void {
  let min = Infinity;
  let max = -Infinity;
  let nan = false;
  for (const p of param) {
    if (Number.isNaN(p)) nan = true;
    else {
      if (p < min) min = p;
      if (p > max) max = p;
    }
  }
  const pos = e.param!.pos;
  if (nan) ev.annotate('warning', `quantile value should be between 0 and 1, got NaN`, pos);
  if (max > 1) ev.annotate('warning', `quantile value should be between 0 and 1, got ${formatFloatG(max)}`, pos);
  if (min < 0) ev.annotate('warning', `quantile value should be between 0 and 1, got ${formatFloatG(min)}`, pos);
}

function quantileAgg(
  ev: Evaluator,
  e: AggregateExpr,
  param: Float64Array,
  grouping: string[],
  series: StepSeries[],
  r: StepRange,
): StepSeries[] {
  paramWarnings(ev, e, param);
  const { groupOf, labels } = groupSeries(series, grouping, e.without);
  const G = labels.length;
  const outValues = labels.map(() => new Float64Array(r.n));
  const outPresent = labels.map(() => new Uint8Array(r.n));
  const dropName = new Uint8Array(G);
  const buckets: number[][] = labels.map(() => []);
  for (let i = 0; i < r.n; i++) {
    for (const b of buckets) b.length = 0;
    for (let si = 0; si < series.length; si++) {
      const s = series[si]!;
      if (!s.present[i]) continue;
      const g = groupOf[si]!;
      if (s.dropName) dropName[g] = 1;
      buckets[g]!.push(s.values[i]!);
    }
    for (let g = 0; g < G; g++) {
      const b = buckets[g]!;
      if (b.length === 0) continue;
      outValues[g]![i] = quantile(param[i]!, b);
      outPresent[g]![i] = 1;
    }
  }
  const out: StepSeries[] = [];
  for (let g = 0; g < G; g++) {
    if (outPresent[g]!.includes(1)) {
      out.push({ labels: labels[g]!, values: outValues[g]!, present: outPresent[g]!, dropName: dropName[g] === 1 });
    }
  }
  return out;
}

const MAX_INT64 = 9223372036854775807;
const MIN_INT64 = -9223372036854775808;

/** topk, bottomk, limitk, limit_ratio: each output series is an input series at the steps it is chosen. */
function selectK(
  ev: Evaluator,
  e: AggregateExpr,
  param: Float64Array,
  grouping: string[],
  series: StepSeries[],
  r: StepRange,
): StepSeries[] {
  const op = e.op;
  let pMin = Infinity;
  let pMax = -Infinity;
  let nan = false;
  for (const p of param) {
    if (Number.isNaN(p)) nan = true;
    if (p < pMin) pMin = p;
    if (p > pMax) pMax = p;
  }
  if (op === 'limit_ratio') {
    if (pMax === 0 && pMin === 0) return [];
    if (nan) throw execError('Ratio value is NaN');
    if (pMax > 1)
      ev.annotate(
        'warning',
        `ratio value should be between -1 and 1, got ${formatFloatG(pMax)}, capping to 1`,
        e.param!.pos,
      );
    if (pMin < -1)
      ev.annotate(
        'warning',
        `ratio value should be between -1 and 1, got ${formatFloatG(pMin)}, capping to -1`,
        e.param!.pos,
      );
  } else {
    // Prometheus's max over the parameters is NaN when any is NaN, so NaN is an error even
    // when nothing would be selected.
    if (!nan && pMax < 1) return [];
    if (nan) throw execError('Parameter value is NaN');
    if (pMin <= MIN_INT64) throw execError(`Scalar value ${formatFloatG(pMin)} underflows int64`);
    if (pMax >= MAX_INT64) throw execError(`Scalar value ${formatFloatG(pMax)} overflows int64`);
  }
  const { groupOf, labels } = groupSeries(series, grouping, e.without);
  const G = labels.length;
  // Output per input series, created when first chosen; `order` keeps Prometheus's instant-query order.
  const chosen = new Array<StepSeries | undefined>(series.length);
  const order: number[] = [];
  const heaps: number[][] = labels.map(() => []);
  const ratioOffsets = op === 'limit_ratio' ? series.map((s) => xxhash64Labels(s.labels)) : undefined;
  for (let i = 0; i < r.n; i++) {
    const p = param[i]!;
    for (const h of heaps) h.length = 0;
    let k = 0;
    let ratio = 0;
    if (op === 'limit_ratio') {
      if (p === 0) continue;
      ratio = Math.max(-1, Math.min(1, p));
    } else {
      k = Math.min(Math.trunc(p), series.length);
      if (k < 1) continue;
    }
    const vals = (si: number): number => series[si]!.values[i]!;
    // Go's vectorByValueHeap (NaN smallest) and its reverse, as container/heap orders them.
    const less =
      op === 'bottomk'
        ? (a: number, b: number): boolean => Number.isNaN(vals(a)) || vals(a) > vals(b)
        : (a: number, b: number): boolean => Number.isNaN(vals(a)) || vals(a) < vals(b);
    for (let si = 0; si < series.length; si++) {
      if (!series[si]!.present[i]) continue;
      const h = heaps[groupOf[si]!]!;
      const v = vals(si);
      switch (op) {
        case 'topk':
        case 'bottomk':
          if (h.length < k) heapPush(h, si, less);
          else {
            const top = vals(h[0]!);
            const better = op === 'topk' ? top < v : top > v;
            if (better || (Number.isNaN(top) && !Number.isNaN(v))) {
              h[0] = si;
              if (k > 1) heapFix0(h, less);
            }
          }
          break;
        case 'limitk':
          if (h.length < k) heapPush(h, si, less);
          break;
        case 'limit_ratio': {
          const offset = ratioOffsets![si]!;
          if ((ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1 + ratio)) heapPush(h, si, less);
          break;
        }
      }
    }
    for (let g = 0; g < G; g++) {
      const h = heaps[g]!;
      if (op === 'topk' || op === 'bottomk') h.sort((a, b) => (less(a, b) ? 1 : less(b, a) ? -1 : 0));
      for (const si of h) {
        let o = chosen[si];
        const s = series[si]!;
        if (o === undefined) {
          o = { labels: s.labels, values: new Float64Array(r.n), present: new Uint8Array(r.n), dropName: s.dropName };
          chosen[si] = o;
          order.push(si);
        }
        o.values[i] = vals(si);
        o.present[i] = 1;
        const h = s.hists?.[i];
        if (h !== undefined) (o.hists ??= new Array<FloatHistogram | undefined>(r.n))[i] = h;
      }
    }
  }
  return order.map((si) => chosen[si]!);
}

function heapPush(h: number[], x: number, less: (a: number, b: number) => boolean): void {
  h.push(x);
  let j = h.length - 1;
  for (;;) {
    const i = (j - 1) >> 1;
    if (i === j || j <= 0 || !less(h[j]!, h[i]!)) break;
    [h[i], h[j]] = [h[j]!, h[i]!];
    j = i;
  }
}

function heapFix0(h: number[], less: (a: number, b: number) => boolean): void {
  const n = h.length;
  let i = 0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2]!, h[j1]!)) j = j2;
    if (!less(h[j]!, h[i]!)) break;
    [h[i], h[j]] = [h[j]!, h[i]!];
    i = j;
  }
}

function countValues(
  e: AggregateExpr,
  valueLabel: string,
  grouping: string[],
  series: StepSeries[],
  r: StepRange,
): StepSeries[] {
  if (valueLabel === '' || !isValidUtf8LabelName(valueLabel))
    throw execError(`invalid label name ${goQuote(valueLabel)}`);
  const groupingWithValue = e.without ? grouping : [...grouping, valueLabel].sort();
  const outputs = new Map<string, StepSeries>();
  const list: StepSeries[] = [];
  for (const s of series) {
    for (let i = 0; i < r.n; i++) {
      if (!s.present[i]) continue;
      const h = s.hists?.[i];
      const labels = s.labels.with(valueLabel, h === undefined ? formatFloatF(s.values[i]!) : histogramString(h));
      const [key, outLabels] = groupKeyAndLabels(labels, groupingWithValue, e.without);
      let o = outputs.get(key);
      if (o === undefined) {
        o = { labels: outLabels, values: new Float64Array(r.n), present: new Uint8Array(r.n), dropName: false };
        outputs.set(key, o);
        list.push(o);
      }
      o.values[i] = o.values[i]! + 1;
      o.present[i] = 1;
    }
  }
  return mergeSameLabels(list);
}

function isValidUtf8LabelName(name: string): boolean {
  return name.length > 0 && name.isWellFormed();
}
