/**
 * Label sets. A `Labels` is an immutable, name-sorted list of name/value pairs stored flat
 * (`[n0, v0, n1, v1, ...]`) so that copying, hashing and comparing need no object per label.
 */
export const METRIC_NAME = '__name__';
const METADATA_LABELS: ReadonlySet<string> = new Set([METRIC_NAME, '__type__', '__unit__']);

export class Labels {
  /** Flat, sorted by name: [name0, value0, name1, value1, ...]. Never mutated after construction. */
  readonly flat: readonly string[];
  private keyCache: string | undefined;

  private constructor(flat: readonly string[]) {
    this.flat = flat;
  }

  static readonly EMPTY = new Labels([]);

  /** From a flat list already sorted by name with no duplicates (not checked). */
  static fromSortedFlat(flat: readonly string[]): Labels {
    return flat.length === 0 ? Labels.EMPTY : new Labels(flat);
  }

  /** From a record or pairs; sorts by name; empty values are dropped (Prometheus semantics). */
  static from(input: Record<string, string> | Iterable<readonly [string, string]>): Labels {
    const pairs: [string, string][] = [];
    const it = Symbol.iterator in input ? input : Object.entries(input);
    for (const [n, v] of it) if (v !== '') pairs.push([n, v]);
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const flat: string[] = [];
    for (const [n, v] of pairs) flat.push(n, v);
    return Labels.fromSortedFlat(flat);
  }

  get size(): number {
    return this.flat.length >> 1;
  }

  get(name: string): string {
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) if (f[i] === name) return f[i + 1]!;
    return '';
  }

  has(name: string): boolean {
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) if (f[i] === name) return true;
    return false;
  }

  /** A string that is equal for equal label sets and different otherwise. */
  get key(): string {
    if (this.keyCache === undefined) this.keyCache = this.flat.join('\xff');
    return this.keyCache;
  }

  /**
   * A 53-bit hash of the label set (two FNV-1a 32-bit hashes over names and values), not
   * cached: indexes that hold millions of label sets key them by this instead of `key`, whose
   * cached string would double the memory of every label set.
   */
  hash(): number {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193 ^ 0x5bd1e995;
    const f = this.flat;
    for (let i = 0; i < f.length; i++) {
      const str = f[i]!;
      for (let j = 0; j < str.length; j++) {
        const c = str.charCodeAt(j);
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x0100019d);
      }
      h1 = Math.imul(h1 ^ 0xff, 0x01000193);
      h2 = Math.imul(h2 ^ 0xfe, 0x0100019d);
    }
    return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) yield [f[i]!, f[i + 1]!];
  }

  toRecord(): Record<string, string> {
    const r: Record<string, string> = {};
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) r[f[i]!] = f[i + 1]!;
    return r;
  }

  /** A copy with `name` set to `value` (removed when `value` is empty). */
  with(name: string, value: string): Labels {
    const f = this.flat;
    const out: string[] = [];
    let done = false;
    for (let i = 0; i < f.length; i += 2) {
      const n = f[i]!;
      if (!done && n >= name) {
        if (value !== '') out.push(name, value);
        done = true;
        if (n === name) continue;
      }
      out.push(n, f[i + 1]!);
    }
    if (!done && value !== '') out.push(name, value);
    return Labels.fromSortedFlat(out);
  }

  without(name: string): Labels {
    if (!this.has(name)) return this;
    return this.with(name, '');
  }

  /**
   * Without the metric-identity labels `__name__`, `__type__` and `__unit__` — what Prometheus
   * removes when an operation changes a metric's meaning.
   */
  withoutMetadata(): Labels {
    if (!this.has(METRIC_NAME) && !this.has('__type__') && !this.has('__unit__')) return this;
    return this.filter(METADATA_LABELS, false);
  }

  /** Only the given names (`keep` = true) or all but them (`keep` = false). */
  filter(names: ReadonlySet<string>, keep: boolean): Labels {
    const f = this.flat;
    const out: string[] = [];
    for (let i = 0; i < f.length; i += 2) if (names.has(f[i]!) === keep) out.push(f[i]!, f[i + 1]!);
    return out.length === f.length ? this : Labels.fromSortedFlat(out);
  }

  equals(o: Labels): boolean {
    if (this === o) return true;
    const a = this.flat;
    const b = o.flat;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** Prometheus's labels.Compare: by name then value, pairwise; shorter first. */
  static compare(a: Labels, b: Labels): number {
    const x = a.flat;
    const y = b.flat;
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const p = x[i]!;
      const q = y[i]!;
      if (p !== q) return p < q ? -1 : 1;
    }
    return x.length - y.length;
  }

  /** `{a="b", c="d"}` with Go-style quoting, as Prometheus prints label sets. */
  toString(): string {
    const parts: string[] = [];
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) parts.push(`${formatLabelName(f[i]!)}=${JSON.stringify(f[i + 1]!)}`);
    return `{${parts.join(', ')}}`;
  }
}

const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function isLegacyLabelName(name: string): boolean {
  return LEGACY_LABEL_NAME.test(name);
}

export function isLegacyMetricName(name: string): boolean {
  return LEGACY_METRIC_NAME.test(name);
}

function formatLabelName(name: string): string {
  return isLegacyLabelName(name) ? name : JSON.stringify(name);
}
