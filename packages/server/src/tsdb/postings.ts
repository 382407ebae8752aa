/**
 * An inverted index from label pairs to series references, for selecting series by matchers
 * without scanning every series. References are small integers handed out in increasing order,
 * so each postings list is a sorted array and intersections are linear merges.
 */
import type { Labels } from '../lib/labels.js';
import type { Matcher } from '../lib/matcher.js';

export class PostingsIndex {
  /** label name → label value → sorted series refs. */
  private readonly byName = new Map<string, Map<string, number[]>>();
  private readonly all: number[] = [];
  private needsSort = false;

  /** Adds a series; refs should grow, but any order works (lists are re-sorted lazily). */
  add(ref: number, labels: Labels): void {
    if (this.all.length > 0 && this.all[this.all.length - 1]! > ref) this.needsSort = true;
    this.all.push(ref);
    const f = labels.flat;
    for (let i = 0; i < f.length; i += 2) {
      let values = this.byName.get(f[i]!);
      if (values === undefined) this.byName.set(f[i]!, (values = new Map<string, number[]>()));
      const list = values.get(f[i + 1]!);
      if (list === undefined) values.set(f[i + 1]!, [ref]);
      else list.push(ref);
    }
  }

  /** Removes series (rare: retention and deletion requests). */
  remove(refs: ReadonlySet<number>, labelsOf: (ref: number) => Labels): void {
    if (refs.size === 0) return;
    const drop = (list: number[]): number[] => list.filter((r) => !refs.has(r));
    const kept = drop(this.all);
    this.all.length = 0;
    this.all.push(...kept);
    const touched = new Set<string>();
    for (const ref of refs) {
      const f = labelsOf(ref).flat;
      for (let i = 0; i < f.length; i += 2) touched.add(`${f[i]!}\xff${f[i + 1]!}`);
    }
    for (const pair of touched) {
      const [name, value] = pair.split('\xff') as [string, string];
      const values = this.byName.get(name);
      const list = values?.get(value);
      if (!values || !list) continue;
      const rest = drop(list);
      if (rest.length > 0) values.set(value, rest);
      else values.delete(value);
      if (values.size === 0) this.byName.delete(name);
    }
  }

  private sortIfNeeded(): void {
    if (!this.needsSort) return;
    this.all.sort((a, b) => a - b);
    for (const values of this.byName.values()) for (const list of values.values()) list.sort((a, b) => a - b);
    this.needsSort = false;
  }

  get size(): number {
    return this.all.length;
  }

  labelNames(): string[] {
    return [...this.byName.keys()].sort();
  }

  labelValues(name: string): string[] {
    return [...(this.byName.get(name)?.keys() ?? [])].sort();
  }

  /** Number of series per value of a label (for /api/v1/status/tsdb). */
  valueCounts(name: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const [v, list] of this.byName.get(name) ?? []) out.set(v, list.length);
    return out;
  }

  /** Pairs with the most series, for cardinality statistics. */
  namesWithValueCounts(): [string, number][] {
    return [...this.byName].map(([n, values]) => [n, values.size]);
  }

  /**
   * Candidate refs for the matchers: the intersection of the postings of every matcher that
   * cannot match an empty value. The caller still checks every matcher on the candidates'
   * labels (negative matchers and those matching "" are not applied here).
   */
  candidates(matchers: readonly Matcher[]): readonly number[] {
    this.sortIfNeeded();
    const lists: number[][] = [];
    for (const m of matchers) {
      if (m.matchesEmpty()) continue;
      const values = this.byName.get(m.name);
      if (!values) return [];
      if (m.type === '=') {
        const list = values.get(m.value);
        if (!list) return [];
        lists.push(list);
        continue;
      }
      // =~ (or !~ / != that cannot match "" — i.e. requires the label): union of matching values.
      const parts: number[][] = [];
      for (const [v, list] of values) if (m.matches(v)) parts.push(list);
      if (parts.length === 0) return [];
      lists.push(parts.length === 1 ? parts[0]! : unionSorted(parts));
    }
    if (lists.length === 0) return this.all;
    lists.sort((a, b) => a.length - b.length);
    let acc: number[] = lists[0]!;
    for (let i = 1; i < lists.length && acc.length > 0; i++) acc = intersectSorted(acc, lists[i]!);
    return acc;
  }
}

export function intersectSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

export function unionSorted(lists: readonly (readonly number[])[]): number[] {
  const all: number[] = [];
  for (const l of lists) for (const x of l) all.push(x);
  all.sort((a, b) => a - b);
  const out: number[] = [];
  for (const x of all) if (out.length === 0 || out[out.length - 1] !== x) out.push(x);
  return out;
}
