/**
 * Compares two Prometheus HTTP API answers to the same request and describes every difference in
 * words a reader can act on: which request, which series, which timestamp, what each returned.
 *
 * Exact: HTTP status, `status`, `errorType`, `resultType`, label sets, timestamps, and values as the
 * strings Prometheus formats. Float tolerance only where both values are finite numbers that differ
 * in their last digits (relative difference at most REL_TOLERANCE): summation order differs between
 * engines (Prometheus 2.42 adds naively, Prometheus 3 and Watchkeeper with Kahan compensation), and
 * so do the last bits of Go's and V8's log/exp, so the last one or two of 17 significant digits may
 * differ (the largest seen: 2.4e-14, predict_linear and avg_over_time - max_over_time). Tolerated
 * values are counted, never hidden.
 *
 * Not compared, but recorded: error texts (they may differ; the status code and errorType must not),
 * and `warnings` / `infos` (Prometheus 2.42 has no PromQL annotations; Watchkeeper returns Prometheus
 * 3's, e.g. "PromQL info: metric might not be a counter").
 */
import type { DiffRequest } from './prometheus-diff-queries.js';
import { adminHeaders } from './helpers.js';

export const REL_TOLERANCE = 1e-12;
/** Differing points listed per series before "and N more". */
const EXAMPLES_PER_SERIES = 3;

export interface ApiAnswer {
  status: number;
  text: string;
}

export interface Comparison {
  id: string;
  differences: string[];
  /** Values that differed only within REL_TOLERANCE. */
  tolerated: number;
  maxRelativeDifference: number;
  /** Error texts, annotations: what each side said that is not compared. */
  notes: string[];
  /** Series / samples / items compared (for the coverage summary). */
  items: number;
}

interface Body {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  data?: unknown;
  warnings?: unknown;
  infos?: unknown;
}

type LabelSet = Record<string, string>;
type Point = [number, string];

function labelsText(l: LabelSet): string {
  return `{${Object.keys(l)
    .sort()
    .map((k) => `${k}=${JSON.stringify(l[k])}`)
    .join(', ')}}`;
}

function parseBody(text: string): Body | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

function parseGoFloat(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

export class Comparer {
  private readonly c: Comparison;

  constructor(private readonly req: DiffRequest) {
    this.c = { id: req.id, differences: [], tolerated: 0, maxRelativeDifference: 0, notes: [], items: 0 };
  }

  private diff(text: string): void {
    this.c.differences.push(text);
  }

  private sameValue(p: string, w: string): boolean {
    if (p === w) return true;
    const x = parseGoFloat(p);
    const y = parseGoFloat(w);
    if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
    // The same number spelled differently ("-0" and "0", "1e-07" and "0.0000001") is a formatting
    // difference, never tolerated.
    if (x === y) return false;
    const rel = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
    if (rel > REL_TOLERANCE) return false;
    this.c.tolerated++;
    this.c.maxRelativeDifference = Math.max(this.c.maxRelativeDifference, rel);
    return true;
  }

  compare(prom: ApiAnswer, wk: ApiAnswer): Comparison {
    const p = parseBody(prom.text);
    const w = parseBody(wk.text);
    if (p === undefined || w === undefined) {
      this.diff(`body is not JSON: prometheus ${prom.text.slice(0, 200)} | watchkeeper ${wk.text.slice(0, 200)}`);
      return this.c;
    }
    if (prom.status !== wk.status) this.diff(`HTTP status: prometheus ${prom.status}, watchkeeper ${wk.status}`);
    if (p.status !== w.status) this.diff(`status: prometheus ${String(p.status)}, watchkeeper ${String(w.status)}`);
    if (p.status === 'error' || w.status === 'error') {
      if (p.errorType !== w.errorType) {
        this.diff(`errorType: prometheus ${String(p.errorType)}, watchkeeper ${String(w.errorType)}`);
      }
      this.c.notes.push(`error text: prometheus ${JSON.stringify(p.error)} | watchkeeper ${JSON.stringify(w.error)}`);
      if (p.status === w.status) return this.c;
    }
    for (const field of ['warnings', 'infos'] as const) {
      if (p[field] !== undefined || w[field] !== undefined) {
        this.c.notes.push(
          `${field}: prometheus ${JSON.stringify(p[field] ?? [])} | watchkeeper ${JSON.stringify(w[field] ?? [])}`,
        );
      }
    }
    if (p.status !== 'success' || w.status !== 'success') {
      if (p.status === 'success' || w.status === 'success') {
        this.diff(
          `data: prometheus ${JSON.stringify(p.data ?? p.error).slice(0, 300)} | watchkeeper ${JSON.stringify(w.data ?? w.error).slice(0, 300)}`,
        );
      }
      return this.c;
    }
    const path = this.req.path;
    if (path === '/api/v1/query' || path === '/api/v1/query_range') this.compareQueryData(p.data, w.data);
    else if (path === '/api/v1/series') this.compareSeriesList(p.data as LabelSet[], w.data as LabelSet[]);
    else if (path === '/api/v1/format_query') {
      this.c.items++;
      if (p.data !== w.data) this.diff(`prometheus ${JSON.stringify(p.data)}, watchkeeper ${JSON.stringify(w.data)}`);
    } else this.compareStringList(p.data as string[], w.data as string[]);
    return this.c;
  }

  private compareQueryData(pd: unknown, wd: unknown): void {
    const p = pd as { resultType: string; result: unknown };
    const w = wd as { resultType: string; result: unknown };
    if (p.resultType !== w.resultType) {
      this.diff(`resultType: prometheus ${p.resultType}, watchkeeper ${w.resultType}`);
      return;
    }
    switch (p.resultType) {
      case 'matrix':
        this.compareMatrix(
          p.result as { metric: LabelSet; values: Point[] }[],
          w.result as { metric: LabelSet; values: Point[] }[],
        );
        return;
      case 'vector':
        this.compareVector(
          p.result as { metric: LabelSet; value: Point }[],
          w.result as { metric: LabelSet; value: Point }[],
        );
        return;
      case 'scalar':
      case 'string': {
        this.c.items++;
        const [pt, pv] = p.result as Point;
        const [wt, wv] = w.result as Point;
        if (pt !== wt) this.diff(`${p.resultType} timestamp: prometheus ${pt}, watchkeeper ${wt}`);
        const same = p.resultType === 'string' ? pv === wv : this.sameValue(pv, wv);
        if (!same)
          this.diff(`${p.resultType} value: prometheus ${JSON.stringify(pv)}, watchkeeper ${JSON.stringify(wv)}`);
        return;
      }
      default:
        this.diff(`unknown resultType ${p.resultType}`);
    }
  }

  private keyed<T extends { metric: LabelSet }>(list: T[], side: string): Map<string, T> {
    const m = new Map<string, T>();
    for (const s of list) {
      const k = labelsText(s.metric);
      if (m.has(k)) this.diff(`${side} returned the series ${k} twice`);
      m.set(k, s);
    }
    return m;
  }

  private compareMatrix(
    pr: { metric: LabelSet; values: Point[] }[],
    wr: { metric: LabelSet; values: Point[] }[],
  ): void {
    const pm = this.keyed(pr, 'prometheus');
    const wm = this.keyed(wr, 'watchkeeper');
    for (const [k, ps] of pm) {
      const ws = wm.get(k);
      this.c.items += ps.values.length;
      if (ws === undefined) {
        this.diff(
          `series ${k}: only prometheus has it (${ps.values.length} points, first ${JSON.stringify(ps.values[0])})`,
        );
        continue;
      }
      const wp = new Map(ws.values.map(([t, v]) => [t, v]));
      const pp = new Map(ps.values.map(([t, v]) => [t, v]));
      const problems: string[] = [];
      for (const [t, v] of ps.values) {
        const other = wp.get(t);
        if (other === undefined) problems.push(`at ${t} only prometheus has a point (${v})`);
        else if (!this.sameValue(v, other)) problems.push(`at ${t} prometheus "${v}", watchkeeper "${other}"`);
      }
      for (const [t, v] of ws.values) if (!pp.has(t)) problems.push(`at ${t} only watchkeeper has a point (${v})`);
      if (problems.length > 0) {
        const more =
          problems.length > EXAMPLES_PER_SERIES ? ` (and ${problems.length - EXAMPLES_PER_SERIES} more)` : '';
        this.diff(`series ${k}: ${problems.slice(0, EXAMPLES_PER_SERIES).join('; ')}${more}`);
      }
    }
    for (const [k, ws] of wm) {
      if (!pm.has(k)) {
        this.diff(
          `series ${k}: only watchkeeper has it (${ws.values.length} points, first ${JSON.stringify(ws.values[0])})`,
        );
      }
    }
  }

  private compareVector(pr: { metric: LabelSet; value: Point }[], wr: { metric: LabelSet; value: Point }[]): void {
    const pm = this.keyed(pr, 'prometheus');
    const wm = this.keyed(wr, 'watchkeeper');
    for (const [k, ps] of pm) {
      this.c.items++;
      const ws = wm.get(k);
      if (ws === undefined) {
        this.diff(`series ${k}: only prometheus has it (${JSON.stringify(ps.value)})`);
        continue;
      }
      if (ps.value[0] !== ws.value[0])
        this.diff(`series ${k}: timestamp prometheus ${ps.value[0]}, watchkeeper ${ws.value[0]}`);
      if (!this.sameValue(ps.value[1], ws.value[1])) {
        this.diff(`series ${k}: prometheus "${ps.value[1]}", watchkeeper "${ws.value[1]}"`);
      }
    }
    for (const [k, ws] of wm) {
      if (!pm.has(k)) this.diff(`series ${k}: only watchkeeper has it (${JSON.stringify(ws.value)})`);
    }
    if (this.req.ordered && pm.size === wm.size) {
      // The order of values must agree; series with equal values may come in either order (both
      // engines leave ties to their heap or sort implementation).
      const pv = pr.map((s) => s.value[1]);
      const wv = wr.map((s) => s.value[1]);
      if (pv.some((v, i) => !this.sameValue(v, wv[i]!))) {
        const show = (r: { metric: LabelSet; value: Point }[]): string =>
          r.map((s) => `${labelsText(s.metric)}=${s.value[1]}`).join(' ');
        this.diff(`order: prometheus ${show(pr)} | watchkeeper ${show(wr)}`);
      }
    }
  }

  private compareSeriesList(pr: LabelSet[], wr: LabelSet[]): void {
    const p = new Set(pr.map(labelsText));
    const w = new Set(wr.map(labelsText));
    this.c.items += p.size;
    const onlyP = [...p].filter((k) => !w.has(k));
    const onlyW = [...w].filter((k) => !p.has(k));
    if (onlyP.length > 0) this.diff(`${onlyP.length} series only from prometheus: ${onlyP.slice(0, 5).join(' ')}`);
    if (onlyW.length > 0) this.diff(`${onlyW.length} series only from watchkeeper: ${onlyW.slice(0, 5).join(' ')}`);
  }

  /** Label names and values: Prometheus returns them sorted, and so must Watchkeeper. */
  private compareStringList(pr: string[], wr: string[]): void {
    this.c.items += pr.length;
    const w = new Set(wr);
    const p = new Set(pr);
    const onlyP = pr.filter((s) => !w.has(s));
    const onlyW = wr.filter((s) => !p.has(s));
    if (onlyP.length > 0)
      this.diff(
        `only prometheus: ${JSON.stringify(onlyP.slice(0, 20))}${onlyP.length > 20 ? ` (${onlyP.length})` : ''}`,
      );
    if (onlyW.length > 0)
      this.diff(
        `only watchkeeper: ${JSON.stringify(onlyW.slice(0, 20))}${onlyW.length > 20 ? ` (${onlyW.length})` : ''}`,
      );
    if (onlyP.length === 0 && onlyW.length === 0 && pr.join('\n') !== wr.join('\n')) {
      this.diff(`order: prometheus ${JSON.stringify(pr)} | watchkeeper ${JSON.stringify(wr)}`);
    }
  }
}

/**
 * Sends `req` (GET query string, or POST form as Grafana does for query_range), with the test
 * admin token (Watchkeeper needs one; Prometheus ignores it).
 */
export async function send(baseUrl: string, req: DiffRequest): Promise<ApiAnswer> {
  const form = new URLSearchParams(req.params).toString();
  const res =
    req.method === 'GET'
      ? await fetch(`${baseUrl}${req.path}${form ? `?${form}` : ''}`, { headers: adminHeaders() })
      : await fetch(`${baseUrl}${req.path}`, {
          method: 'POST',
          headers: adminHeaders({ 'content-type': 'application/x-www-form-urlencoded' }),
          body: form,
        });
  return { status: res.status, text: await res.text() };
}
