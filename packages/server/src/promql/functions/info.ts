/**
 * The experimental `info(v, [data-label-selector])` function (Prometheus promql/info.go): adds the
 * data labels of info series (`target_info` unless the selector names others) to every series of
 * `v` that shares their identifying labels (`instance`, `job`).
 *
 * Per step, each base series is joined with, per info metric name, the info series whose name and
 * identifying labels equal the base series' (the newest sample wins when several match). Info
 * series are looked up at the base input's own reference time: with `@` / `offset` on the input's
 * selectors (and enclosing subqueries) the enrichment is as of that time, so `info(x @ t)` stays
 * step invariant.
 */
import type { FloatHistogram } from '../../lib/histogram.js';
import { METRIC_NAME, type Labels } from '../../lib/labels.js';
import { isStaleAt } from '../../lib/stale.js';
import type { SeriesSamples } from '../../tsdb/index.js';
import type { Call, Expr, VectorSelector } from '../ast.js';
import { exprType } from '../ast.js';
import type { Evaluator } from '../engine.js';
import { execError } from '../errors.js';
import type { EvalValue, StepRange, StepSeries } from '../eval-types.js';
import { Matcher } from '../../lib/matcher.js';

const TARGET_INFO = 'target_info';
/** Hard-coded, as in Prometheus: no knowledge of individual info metrics is needed. */
const IDENTIFYING_LABELS = ['instance', 'job'] as const;

function unwrapParens(e: Expr): Expr {
  while (e.type === 'ParenExpr') e = e.expr;
  return e;
}

/**
 * The time a vector expression's samples refer to: a fixed time (`@`), or the step time minus an
 * offset. `free` when some vector path is not backed by a selector or paths disagree; `null`
 * when the expression has no vector path at all (scalars, strings).
 */
type Reference = { fixed: boolean; ms: number } | 'free' | null;

function combine(a: Reference, b: Reference): Reference {
  if (a === null) return b;
  if (b === null) return a;
  if (a === 'free' || b === 'free') return 'free';
  return a.fixed === b.fixed && a.ms === b.ms ? a : 'free';
}

function reference(ev: Evaluator, e: Expr): Reference {
  switch (e.type) {
    case 'NumberLiteral':
    case 'StringLiteral':
      return null;
    case 'ParenExpr':
    case 'UnaryExpr':
      return reference(ev, e.expr);
    case 'VectorSelector':
    case 'MatrixSelector': {
      const vs = e.type === 'VectorSelector' ? e : e.vectorSelector;
      const offset = ev.resolveDuration(vs.offset);
      const at = ev.atTime(vs.at);
      return at === undefined ? { fixed: false, ms: offset } : { fixed: true, ms: at - offset };
    }
    case 'SubqueryExpr': {
      const inner = reference(ev, e.expr);
      if (inner === null || inner === 'free') return 'free';
      if (inner.fixed) return inner;
      const offset = ev.resolveDuration(e.offset) + inner.ms;
      const at = ev.atTime(e.at);
      return at === undefined ? { fixed: false, ms: offset } : { fixed: true, ms: at - offset };
    }
    case 'AggregateExpr':
      return reference(ev, e.expr);
    case 'BinaryExpr': {
      const l = exprType(e.lhs) === 'scalar' ? null : reference(ev, e.lhs);
      const r = exprType(e.rhs) === 'scalar' ? null : reference(ev, e.rhs);
      return combine(l, r);
    }
    case 'Call': {
      if (exprType(e) !== 'vector') return null;
      // info's selector argument is label-matcher syntax, not an evaluated vector.
      const args = e.func === 'info' ? e.args.slice(0, 1) : e.args;
      let ref: Reference = null;
      for (const a of args) {
        const t = exprType(a);
        if (t === 'vector' || t === 'matrix') ref = combine(ref, reference(ev, a));
      }
      return ref ?? 'free';
    }
  }
}

/**
 * The __name__ matchers that define which series are info series: `target_info` by default, and
 * with only negative matchers given, those restricted to `*_info` metrics (so that the negation
 * cannot make ordinary metrics info sources).
 */
function effectiveInfoNameMatchers(nameMatchers: Matcher[]): Matcher[] {
  if (nameMatchers.length === 0) return [new Matcher('=', METRIC_NAME, TARGET_INFO)];
  if (nameMatchers.some((m) => m.type === '=' || m.type === '=~')) return nameMatchers;
  return [new Matcher('=~', METRIC_NAME, '.+_info'), ...nameMatchers];
}

/** Go's regexp.QuoteMeta, for an alternation of literal label values. */
function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

interface InfoSeries {
  labels: Labels;
  name: string;
  /** Per step: timestamp of the sample found by lookback, valid where `present`. */
  sampleTimes: Float64Array;
  present: Uint8Array;
}

/** Per step, the latest non-stale sample time within the lookback delta before `refs[i]`. */
function lookbackTimes(
  s: SeriesSamples,
  refs: Float64Array,
  lookbackMs: number,
): { times: Float64Array; present: Uint8Array; count: number } {
  const n = refs.length;
  const times = new Float64Array(n);
  const present = new Uint8Array(n);
  const ts = s.timestampsMs;
  let j = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const ref = refs[i]!;
    // refs never decrease, so the pointer only moves forward.
    while (j < ts.length && ts[j]! <= ref) j++;
    if (j === 0) continue;
    const k = j - 1;
    if (ts[k]! <= ref - lookbackMs || isStaleAt(s.values, k)) continue;
    if (s.histograms?.[k] !== undefined) {
      throw execError(`this should be an info metric, with float samples: ${s.labels.toString()}`);
    }
    times[i] = ts[k]!;
    present[i] = 1;
    count++;
  }
  return { times, present, count };
}

/** Join key of a series for one info metric: the name plus the identifying labels it has. */
function signature(name: string, labels: Labels): string {
  let sig = name;
  for (const l of IDENTIFYING_LABELS) sig += '\xff' + labels.get(l);
  return sig;
}

export async function evalInfo(ev: Evaluator, e: Call, r: StepRange): Promise<EvalValue> {
  const v = await ev.eval(e.args[0]!, r);
  if (v.kind !== 'vector') throw execError('expected an instant vector argument');
  const base = v.series;

  // Data label matchers by label name; __name__ matchers choose the info metrics instead.
  const dataMatchers = new Map<string, Matcher[]>();
  const nameMatchers: Matcher[] = [];
  if (e.args.length > 1) {
    const sel = unwrapParens(e.args[1]!) as VectorSelector;
    for (const m of sel.matchers) {
      if (m.name === METRIC_NAME) nameMatchers.push(m);
      else dataMatchers.set(m.name, [...(dataMatchers.get(m.name) ?? []), m]);
    }
  }
  const infoNameMatchers = effectiveInfoNameMatchers(nameMatchers);
  // Input series that are info series themselves pass through unenriched.
  const ignored = base.map((s) => infoNameMatchers.every((m) => m.matches(s.labels.get(METRIC_NAME))));

  // Info series are selected per identifying-label presence pattern of the input, with the
  // missing identifying labels required to be absent, so that they can join exactly.
  const patterns = new Map<number, Set<string>[]>();
  base.forEach((s, k) => {
    if (ignored[k] || !s.present.includes(1)) return;
    let bits = 0;
    IDENTIFYING_LABELS.forEach((l, b) => {
      if (s.labels.get(l) !== '') bits |= 1 << b;
    });
    if (bits === 0) return;
    let sets = patterns.get(bits);
    if (!sets) {
      sets = IDENTIFYING_LABELS.map(() => new Set<string>());
      patterns.set(bits, sets);
    }
    IDENTIFYING_LABELS.forEach((l, b) => {
      if (bits & (1 << b)) sets[b]!.add(s.labels.get(l));
    });
  });

  const refs = new Float64Array(r.n);
  const ref = reference(ev, e.args[0]!);
  for (let i = 0; i < r.n; i++) {
    const stepMs = r.startMs + i * r.stepMs;
    refs[i] = ref === null || ref === 'free' ? stepMs : ref.fixed ? ref.ms : stepMs - ref.ms;
  }

  const lookback = ev.opts.lookbackDeltaMs;
  const infos: InfoSeries[] = [];
  const fetchMatchers = [...infoNameMatchers, ...[...dataMatchers.values()].flat()];
  for (const [bits, sets] of patterns) {
    const idMatchers = IDENTIFYING_LABELS.map((l, b) =>
      bits & (1 << b) ? new Matcher('=~', l, [...sets[b]!].map(quoteMeta).join('|')) : new Matcher('=', l, ''),
    );
    const raw = ev.storage.select([...fetchMatchers, ...idMatchers], refs[0]! - lookback + 1, refs[r.n - 1]!);
    for (const s of raw) {
      await ev.tick();
      const { times, present, count } = lookbackTimes(s, refs, lookback);
      if (count === 0) continue;
      ev.addSamples(count);
      infos.push({ labels: s.labels, name: s.labels.get(METRIC_NAME), sampleTimes: times, present });
    }
  }

  const anyBase = new Uint8Array(r.n);
  for (const s of base) for (let i = 0; i < r.n; i++) if (s.present[i]) anyBase[i] = 1;

  // Per join signature and step, the info series to use: the one with the newest sample.
  const bySignature = new Map<string, number>();
  const groups: number[][] = [];
  for (let k = 0; k < infos.length; k++) {
    const sig = signature(infos[k]!.name, infos[k]!.labels);
    let g = bySignature.get(sig);
    if (g === undefined) {
      g = groups.length;
      bySignature.set(sig, g);
      groups.push([]);
    }
    groups[g]!.push(k);
  }
  const chosen = groups.map((members) => {
    const pick = new Int32Array(r.n).fill(-1);
    for (let i = 0; i < r.n; i++) {
      if (!anyBase[i]) continue;
      for (const k of members) {
        const s = infos[k]!;
        if (!s.present[i]) continue;
        const cur = pick[i]!;
        if (cur < 0 || infos[cur]!.sampleTimes[i]! < s.sampleTimes[i]!) {
          pick[i] = k;
        } else if (infos[cur]!.sampleTimes[i]! === s.sampleTimes[i]!) {
          throw execError(
            `found duplicate series for info metric: existing ${infos[cur]!.labels.toString()} @ ${infos[cur]!.sampleTimes[i]!}, new ${s.labels.toString()} @ ${s.sampleTimes[i]!}`,
          );
        }
      }
    }
    return pick;
  });
  const infoNames = [...new Set(infos.map((s) => s.name))];

  let allMatchEmpty = true;
  for (const ms of dataMatchers.values()) for (const m of ms) if (!m.matchesEmpty()) allMatchEmpty = false;

  const out = new Map<string, StepSeries>();
  const emit = (labels: Labels, dropName: boolean, i: number, value: number, h: FloatHistogram | undefined): void => {
    const key = labels.key + (dropName ? '\x00d' : '');
    let o = out.get(key);
    if (!o) {
      o = { labels, values: new Float64Array(r.n), present: new Uint8Array(r.n), dropName };
      out.set(key, o);
    }
    if (o.present[i]) throw execError('vector cannot contain metrics with the same labelset');
    o.present[i] = 1;
    o.values[i] = value;
    if (h !== undefined) (o.hists ??= new Array<FloatHistogram | undefined>(r.n))[i] = h;
  };

  for (let k = 0; k < base.length; k++) {
    await ev.tick();
    const s = base[k]!;
    if (ignored[k]) {
      for (let i = 0; i < r.n; i++) if (s.present[i]) emit(s.labels, s.dropName, i, s.values[i]!, s.hists?.[i]);
      continue;
    }
    const myGroups: number[] = [];
    for (const name of infoNames) {
      const g = bySignature.get(signature(name, s.labels));
      if (g !== undefined) myGroups.push(g);
    }
    // The enriched labels only change when the chosen info series change, so they are computed
    // once per distinct choice rather than per step.
    const prevChoice = new Int32Array(myGroups.length);
    let computed = false;
    let result: Labels | undefined;
    for (let i = 0; i < r.n; i++) {
      if (!s.present[i]) continue;
      let same = computed;
      for (let g = 0; g < myGroups.length; g++) {
        const c = chosen[myGroups[g]!]![i]!;
        if (c !== prevChoice[g]) same = false;
        prevChoice[g] = c;
      }
      if (!same) {
        result = enrich(s.labels, prevChoice);
        computed = true;
      }
      if (result !== undefined) emit(result, s.dropName, i, s.values[i]!, s.hists?.[i]);
    }
  }

  function enrich(baseLabels: Labels, picks: Int32Array): Labels | undefined {
    const added = new Map<string, string>();
    let seen = 0;
    for (const p of picks) {
      if (p < 0) continue;
      seen++;
      for (const [n, val] of infos[p]!.labels) {
        if (n === METRIC_NAME) continue;
        if (dataMatchers.size > 0 && !dataMatchers.has(n)) continue;
        const prev = added.get(n);
        if (prev !== undefined && prev !== val) throw execError(`conflicting label: ${n}`);
        if (baseLabels.has(n)) continue;
        added.set(n, val);
      }
    }
    // Without a matching info series, a data matcher that needs a value drops the sample.
    if (seen === 0 && !allMatchEmpty) return undefined;
    if (added.size === 0) return baseLabels;
    let labels = baseLabels;
    for (const [n, val] of added) labels = labels.with(n, val);
    return labels;
  }

  return { kind: 'vector', series: [...out.values()] };
}
