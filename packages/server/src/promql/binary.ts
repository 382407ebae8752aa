/** Binary operators: arithmetic, comparisons and set operators, with vector matching. */
import {
  type FloatHistogram,
  IncompatibleSchemaError,
  addHistograms,
  compact,
  divideHistogram,
  histogramEquals,
  scaleHistogram,
  subHistograms,
  trimBuckets,
} from '../lib/histogram.js';
import { type Labels, METRIC_NAME } from '../lib/labels.js';
import type { BinaryExpr, BinaryOp, VectorMatching } from './ast.js';
import type { Evaluator } from './engine.js';
import { mergeSameLabels } from './series-ops.js';
import { execError } from './errors.js';
import type { EvalValue, HistogramColumn, StepRange, StepSeries } from './eval-types.js';
import type { PosRange } from './ast.js';

const COMPARISON = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

function isTrim(op: BinaryOp): boolean {
  return op === '</' || op === '>/';
}

/**
 * The outcome of an operator on one pair of elements of which at least one is a histogram (or
 * which is a trim operator): Prometheus's vectorElemBinop. `keep` false without annotation is a
 * comparison that did not match; an `info`/`warn` result without a value drops the element.
 */
interface ElemResult {
  f: number;
  h?: FloatHistogram;
  keep: boolean;
  /** Drops the element (incompatible types or layouts). */
  fail?: { kind: 'info' | 'warning'; message: string };
  /** Reported, the element is kept. */
  note?: { kind: 'info' | 'warning'; message: string };
}

function incompatibleTypes(op: BinaryOp, l: string, r: string): ElemResult {
  return {
    f: 0,
    keep: false,
    fail: {
      kind: 'info',
      message: `incompatible sample types encountered for binary operator "${op}": ${l} ${op} ${r}`,
    },
  };
}

/** One operation with a histogram on either side (or a trim operator on floats). */
function histElemBinop(
  op: BinaryOp,
  lf: number,
  rf: number,
  lh: FloatHistogram | undefined,
  rh: FloatHistogram | undefined,
): ElemResult {
  if (lh === undefined && rh === undefined) return incompatibleTypes(op, 'float', 'float');
  if (lh === undefined) {
    if (op === '*') return { f: 0, h: compact(scaleHistogram(rh!, lf)), keep: true };
    return incompatibleTypes(op, 'float', 'histogram');
  }
  if (rh === undefined) {
    switch (op) {
      case '*':
        return { f: 0, h: compact(scaleHistogram(lh, rf)), keep: true };
      case '/':
        return { f: 0, h: compact(divideHistogram(lh, rf)), keep: true };
      case '</':
        return { f: 0, h: trimBuckets(lh, rf, true), keep: true };
      case '>/':
        return { f: 0, h: trimBuckets(lh, rf, false), keep: true };
      default:
        return incompatibleTypes(op, 'histogram', 'float');
    }
  }
  switch (op) {
    case '+':
    case '-': {
      const opName = op === '+' ? 'addition' : 'subtraction';
      let res;
      try {
        res = op === '+' ? addHistograms(lh, rh) : subHistograms(lh, rh);
      } catch (err) {
        if (!(err instanceof IncompatibleSchemaError)) throw err;
        return {
          f: 0,
          keep: false,
          fail: { kind: 'warning', message: `incompatible bucket layout encountered for binary operator ${op}` },
        };
      }
      let h = compact(res.h);
      if (op === '-') h = { ...h, counterResetHint: 'gauge' };
      const out: ElemResult = { f: 0, h, keep: true };
      if (res.nhcbBoundsReconciled) {
        out.note = { kind: 'info', message: `mismatched custom buckets were reconciled during ${opName}` };
      }
      if (res.counterResetCollision) {
        return {
          f: 0,
          keep: false,
          fail: { kind: 'warning', message: `conflicting counter resets during histogram ${opName}` },
        };
      }
      return out;
    }
    case '==':
      return { f: 0, h: lh, keep: histogramEquals(lh, rh) };
    case '!=':
      return { f: 0, h: lh, keep: !histogramEquals(lh, rh) };
    default:
      return incompatibleTypes(op, 'histogram', 'histogram');
  }
}

/**
 * Prometheus reports one annotation per step and operator node: the last element's (in the
 * order of the left-hand side). Collected per step, reported at the end.
 */
class StepNotes {
  private readonly order: Int32Array;
  private readonly notes: ({ kind: 'info' | 'warning'; message: string } | undefined)[];

  constructor(n: number) {
    this.order = new Int32Array(n).fill(-1);
    this.notes = new Array<{ kind: 'info' | 'warning'; message: string } | undefined>(n);
  }

  set(i: number, order: number, note: { kind: 'info' | 'warning'; message: string }): void {
    if (order < this.order[i]!) return;
    this.order[i] = order;
    this.notes[i] = note;
  }

  report(ev: Evaluator, pos: PosRange): void {
    for (const n of this.notes) if (n !== undefined) ev.annotate(n.kind, n.message, pos);
  }
}

/** Whether the operator changes the meaning of the metric (so the name goes). */
function changesMetricSchema(op: BinaryOp): boolean {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '%' || op === '^' || op === 'atan2';
}

/** Go's math.Mod: result has the sign of the dividend. JS `%` matches, including NaN/Inf cases. */
export function arith(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return goPow(a, b);
    case 'atan2':
      return Math.atan2(a, b);
    default:
      throw execError(`operator ${op} is not arithmetic`);
  }
}

/** Go's math.Pow differs from JS's `**` for pow(1, ±Inf) and pow(-1, ±Inf) (Go: 1, JS: NaN). */
function goPow(a: number, b: number): number {
  if ((a === 1 || a === -1) && (b === Infinity || b === -Infinity)) return 1;
  if (a === 1 && Number.isNaN(b)) return 1;
  return Math.pow(a, b);
}

function compare(op: BinaryOp, a: number, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    default:
      return false;
  }
}

export async function evalBinary(ev: Evaluator, e: BinaryExpr, r: StepRange): Promise<EvalValue> {
  const lhs = await ev.eval(e.lhs, r);
  const rhs = await ev.eval(e.rhs, r);
  if (lhs.kind === 'scalar' && rhs.kind === 'scalar') {
    const out = new Float64Array(r.n);
    const cmp = COMPARISON.has(e.op);
    for (let i = 0; i < r.n; i++) {
      const a = lhs.values[i]!;
      const b = rhs.values[i]!;
      out[i] = cmp ? (compare(e.op, a, b) ? 1 : 0) : arith(e.op, a, b);
    }
    return { kind: 'scalar', values: out };
  }
  if (lhs.kind === 'vector' && rhs.kind === 'scalar') return vectorScalar(ev, e, lhs.series, rhs.values, false, r);
  if (lhs.kind === 'scalar' && rhs.kind === 'vector') return vectorScalar(ev, e, rhs.series, lhs.values, true, r);
  if (lhs.kind === 'vector' && rhs.kind === 'vector') {
    const matching = e.matching ?? defaultMatching(e.op);
    if (e.op === 'and' || e.op === 'or' || e.op === 'unless') {
      return { kind: 'vector', series: setOperation(e.op, lhs.series, rhs.series, matching, r) };
    }
    return { kind: 'vector', series: vectorVector(ev, e, lhs.series, rhs.series, matching, r) };
  }
  throw execError('binary expression must contain only scalar and instant vector types');
}

function defaultMatching(op: BinaryOp): VectorMatching {
  const set = op === 'and' || op === 'or' || op === 'unless';
  return { card: set ? 'many-to-many' : 'one-to-one', matchingLabels: [], on: false, written: false, include: [] };
}

function vectorScalar(
  ev: Evaluator,
  e: BinaryExpr,
  series: StepSeries[],
  scalar: Float64Array,
  scalarOnLeft: boolean,
  r: StepRange,
): EvalValue {
  const cmp = COMPARISON.has(e.op);
  const trim = isTrim(e.op);
  const out: StepSeries[] = [];
  let notes: StepNotes | undefined;
  for (let si = 0; si < series.length; si++) {
    const s = series[si]!;
    const values = new Float64Array(r.n);
    const present = new Uint8Array(r.n);
    let hists: HistogramColumn | undefined;
    let any = false;
    if (s.hists === undefined && !trim) {
      for (let i = 0; i < r.n; i++) {
        if (!s.present[i]) continue;
        const v = s.values[i]!;
        const k = scalar[i]!;
        const a = scalarOnLeft ? k : v;
        const b = scalarOnLeft ? v : k;
        if (cmp) {
          const keep = compare(e.op, a, b);
          if (e.returnBool) {
            values[i] = keep ? 1 : 0;
          } else if (keep) {
            values[i] = v; // the vector's value, whichever side it is on
          } else continue;
        } else {
          values[i] = arith(e.op, a, b);
        }
        present[i] = 1;
        any = true;
      }
    } else {
      // Histogram samples (or a trim operator): Prometheus's element-wise rules.
      for (let i = 0; i < r.n; i++) {
        if (!s.present[i]) continue;
        const h = s.hists?.[i];
        const k = scalar[i]!;
        const v = h === undefined ? s.values[i]! : 0;
        const res =
          h === undefined && !trim
            ? floatElem(e, cmp, scalarOnLeft ? k : v, scalarOnLeft ? v : k, v)
            : scalarOnLeft
              ? histElemBinop(e.op, k, 0, undefined, h)
              : histElemBinop(e.op, v, k, h, undefined);
        if (res.fail !== undefined) {
          (notes ??= new StepNotes(r.n)).set(i, si, res.fail);
          continue;
        }
        if (e.returnBool) values[i] = res.keep ? 1 : 0;
        else if (!res.keep) continue;
        else if (res.h !== undefined) (hists ??= new Array<FloatHistogram | undefined>(r.n))[i] = res.h;
        else values[i] = res.f;
        present[i] = 1;
        any = true;
      }
    }
    if (!any) continue;
    const o: StepSeries = {
      labels: s.labels,
      values,
      present,
      dropName: s.dropName || e.returnBool || changesMetricSchema(e.op),
    };
    if (hists !== undefined) o.hists = hists;
    out.push(o);
  }
  notes?.report(ev, e.pos);
  return { kind: 'vector', series: out };
}

/** A float/float vector-scalar element as an ElemResult (`kept` is the vector's value). */
function floatElem(e: BinaryExpr, cmp: boolean, a: number, b: number, kept: number): ElemResult {
  if (!cmp) return { f: arith(e.op, a, b), keep: true };
  return { f: kept, keep: compare(e.op, a, b) };
}

/** The join signature of a label set. */
function signature(labels: Labels, m: VectorMatching): string {
  const f = labels.flat;
  const parts: string[] = [];
  if (m.on) {
    for (let i = 0; i < f.length; i += 2) if (m.matchingLabels.includes(f[i]!)) parts.push(f[i]!, f[i + 1]!);
  } else {
    for (let i = 0; i < f.length; i += 2) {
      const n = f[i]!;
      if (n === METRIC_NAME || m.matchingLabels.includes(n)) continue;
      parts.push(n, f[i + 1]!);
    }
  }
  return parts.join('\xff');
}

function matchLabels(labels: Labels, m: VectorMatching): Labels {
  const names = new Set(m.matchingLabels);
  if (m.on) return labels.filter(names, true);
  names.add(METRIC_NAME);
  return labels.filter(names, false);
}

function setOperation(
  op: 'and' | 'or' | 'unless',
  lhs: StepSeries[],
  rhs: StepSeries[],
  m: VectorMatching,
  r: StepRange,
): StepSeries[] {
  // Presence of each signature per step on the side that filters.
  const filterSide = op === 'or' ? lhs : rhs;
  const sigPresence = new Map<string, Uint8Array>();
  for (const s of filterSide) {
    const sig = signature(s.labels, m);
    let p = sigPresence.get(sig);
    if (p === undefined) sigPresence.set(sig, (p = new Uint8Array(r.n)));
    for (let i = 0; i < r.n; i++) p[i]! |= s.present[i]!;
  }
  const filtered = (s: StepSeries, keepWhenSigPresent: boolean): StepSeries | undefined => {
    const p = sigPresence.get(signature(s.labels, m));
    const present = new Uint8Array(r.n);
    let any = false;
    for (let i = 0; i < r.n; i++) {
      const sig = p ? p[i]! : 0;
      if (s.present[i] && (keepWhenSigPresent ? sig === 1 : sig === 0)) {
        present[i] = 1;
        any = true;
      }
    }
    return any ? { ...s, present } : undefined;
  };
  const out: StepSeries[] = [];
  if (op === 'or') {
    out.push(...lhs);
    for (const s of rhs) {
      const f = filtered(s, false);
      if (f) out.push(f);
    }
  } else {
    for (const s of lhs) {
      const f = filtered(s, op === 'and');
      if (f) out.push(f);
    }
  }
  return mergeSameLabels(out);
}

function vectorVector(
  ev: Evaluator,
  e: BinaryExpr,
  lhsIn: StepSeries[],
  rhsIn: StepSeries[],
  m: VectorMatching,
  r: StepRange,
): StepSeries[] {
  const cmp = COMPARISON.has(e.op);
  const swap = m.card === 'one-to-many';
  // After the swap, `rhs` is always the "one" side.
  const lhs = swap ? rhsIn : lhsIn;
  const rhs = swap ? lhsIn : rhsIn;
  const oneSide = swap ? 'left' : 'right';

  const rightBySig = new Map<string, StepSeries[]>();
  for (const s of rhs) {
    const sig = signature(s.labels, m);
    const list = rightBySig.get(sig);
    if (list) list.push(s);
    else rightBySig.set(sig, [s]);
  }
  // The "one" side must be unique per signature at every step.
  for (const list of rightBySig.values()) {
    if (list.length < 2) continue;
    for (let i = 0; i < r.n; i++) {
      let first: StepSeries | undefined;
      for (const s of list) {
        if (!s.present[i]) continue;
        if (first) {
          throw execError(
            `found duplicate series for the match group ${matchLabels(s.labels, m).toString()} on the ${oneSide} hand-side of the operation: [${first.labels.toString()}, ${s.labels.toString()}];many-to-many matching not allowed: matching labels must be unique on one side`,
          );
        }
        first = s;
      }
    }
  }

  // Histograms on either side (or a trim operator) take the slower element-wise path.
  const mixed = isTrim(e.op) || lhs.some((s) => s.hists !== undefined) || rhs.some((s) => s.hists !== undefined);
  const lhsOrder = new Map<StepSeries, number>();
  if (mixed) lhs.forEach((s, k) => lhsOrder.set(s, k));
  const leftBySig = new Map<string, StepSeries[]>();
  for (const s of lhs) {
    const sig = signature(s.labels, m);
    const list = leftBySig.get(sig);
    if (list) list.push(s);
    else leftBySig.set(sig, [s]);
  }

  // Like Prometheus, fill values are not swapped for group_right: fill_right fills the missing
  // "one" side, fill_left the missing "many" side.
  const fillLeft = m.fillLeft;
  const fillRight = m.fillRight;
  const sigs = new Set(leftBySig.keys());
  if (fillLeft !== undefined) for (const sig of rightBySig.keys()) sigs.add(sig);

  interface Output {
    labels: Labels;
    values: Float64Array;
    present: Uint8Array;
    hists?: HistogramColumn;
  }
  const out: StepSeries[] = [];
  const newOutput = (labels: Labels): Output => ({
    labels,
    values: new Float64Array(r.n),
    present: new Uint8Array(r.n),
  });
  const trim = isTrim(e.op);
  let notes: StepNotes | undefined;
  // Computes one output point; `lv`/`rv` are in matching orientation (rhs = the "one" side).
  const apply = (o: Output, i: number, lv: number, rv: number): void => {
    const a = swap ? rv : lv;
    const b = swap ? lv : rv;
    if (cmp) {
      const keep = compare(e.op, a, b);
      if (e.returnBool) o.values[i] = keep ? 1 : 0;
      else if (keep) o.values[i] = a;
      else return;
    } else {
      o.values[i] = arith(e.op, a, b);
    }
    o.present[i] = 1;
  };
  // The same with histograms on either side (or a trim operator); `order` is the left-hand
  // series' position, for Prometheus's one-annotation-per-step rule.
  const applyMixed = (
    o: Output,
    i: number,
    lv: number,
    rv: number,
    lh: FloatHistogram | undefined,
    rh: FloatHistogram | undefined,
    order: number,
  ): void => {
    if (lh === undefined && rh === undefined && !trim) {
      apply(o, i, lv, rv);
      return;
    }
    const a = swap ? rv : lv;
    const b = swap ? lv : rv;
    const res = swap ? histElemBinop(e.op, a, b, rh, lh) : histElemBinop(e.op, a, b, lh, rh);
    if (res.fail !== undefined) {
      (notes ??= new StepNotes(r.n)).set(i, order, res.fail);
      return;
    }
    if (res.note !== undefined) (notes ??= new StepNotes(r.n)).set(i, order, res.note);
    if (e.returnBool) o.values[i] = res.keep ? 1 : 0;
    else if (!res.keep) return;
    else if (res.h !== undefined) (o.hists ??= new Array<FloatHistogram | undefined>(r.n))[i] = res.h;
    else o.values[i] = res.f;
    o.present[i] = 1;
  };
  for (const sig of sigs) {
    const lefts = leftBySig.get(sig) ?? [];
    const rights = rightBySig.get(sig) ?? [];
    if ((lefts.length === 0 || rights.length === 0) && fillLeft === undefined && fillRight === undefined) continue;
    const pairs = lefts.map((l) => rights.map((rr) => newOutput(resultMetric(l.labels, rr.labels, e.op, m))));
    const fillR =
      fillRight === undefined
        ? []
        : lefts.map((l) => newOutput(resultMetric(l.labels, matchLabels(l.labels, m), e.op, m)));
    const fillL =
      fillLeft === undefined
        ? []
        : rights.map((rr) => newOutput(resultMetric(matchLabels(rr.labels, m), rr.labels, e.op, m)));
    const leftOrder = mixed ? lefts.map((l) => lhsOrder.get(l)!) : [];
    for (let i = 0; i < r.n; i++) {
      let ri = -1;
      for (let k = 0; k < rights.length; k++) if (rights[k]!.present[i]) ri = k;
      let matched = 0;
      let seenLabels: Set<string> | undefined;
      for (let li = 0; li < lefts.length; li++) {
        const l = lefts[li]!;
        if (!l.present[i]) continue;
        let o: Output;
        let rv: number;
        if (ri >= 0) {
          o = pairs[li]![ri]!;
          rv = rights[ri]!.values[i]!;
        } else if (fillRight !== undefined) {
          o = fillR[li]!;
          rv = fillRight;
        } else continue;
        matched++;
        if (m.card === 'one-to-one') {
          if (matched > 1) {
            throw execError(
              'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
            );
          }
        } else {
          seenLabels ??= new Set();
          if (seenLabels.has(o.labels.key)) {
            throw execError('multiple matches for labels: grouping labels must ensure unique matches');
          }
          seenLabels.add(o.labels.key);
        }
        if (mixed)
          applyMixed(
            o,
            i,
            l.values[i]!,
            rv,
            l.hists?.[i],
            ri >= 0 ? rights[ri]!.hists?.[i] : undefined,
            leftOrder[li]!,
          );
        else apply(o, i, l.values[i]!, rv);
      }
      if (matched === 0 && ri >= 0 && fillLeft !== undefined) {
        const rr = rights[ri]!;
        if (mixed) applyMixed(fillL[ri]!, i, fillLeft, rr.values[i]!, undefined, rr.hists?.[i], lhs.length);
        else apply(fillL[ri]!, i, fillLeft, rr.values[i]!);
      }
    }
    for (const o of [...pairs.flat(), ...fillR, ...fillL]) {
      if (!o.present.includes(1)) continue;
      // As Prometheus: the output of a vector/vector operation drops its name only for `bool`
      // (arithmetic already removed it from the labels).
      const so: StepSeries = { labels: o.labels, values: o.values, present: o.present, dropName: e.returnBool };
      if (o.hists !== undefined) so.hists = o.hists;
      out.push(so);
    }
  }
  notes?.report(ev, e.pos);
  return mergeSameLabels(out);
}

/** Prometheus's resultMetric: the labels of a vector/vector operation's output sample. */
function resultMetric(lhs: Labels, rhs: Labels, op: BinaryOp, m: VectorMatching): Labels {
  let labels = lhs;
  if (changesMetricSchema(op)) labels = labels.withoutMetadata();
  if (m.card === 'one-to-one') {
    const names = new Set(m.matchingLabels);
    labels = m.on ? labels.filter(names, true) : labels.filter(names, false);
  }
  for (const name of m.include) labels = labels.with(name, rhs.get(name));
  return labels;
}
