/**
 * A Queryable that shows only the series whose labels pass a predicate: every read — select,
 * seriesLabels, label names and label values — behaves as if the other series were not stored.
 * The query engine wraps its storage in one per query when asked to (QueryOptions.seriesFilter);
 * access control builds the predicate (access/restricted.ts). tsdb/ knows nothing of why.
 */
import type { Labels } from '../lib/labels.js';
import type { Matcher } from '../lib/matcher.js';
import type { Queryable, SeriesSamples } from './index.js';

/** Whether a series may be read. May record what it refused (it is called once per series read). */
export type SeriesFilter = (labels: Labels) => boolean;

/** A Queryable that always has `seriesLabels`. */
export type FilteredQueryable = Queryable & Required<Pick<Queryable, 'seriesLabels'>>;

export function filterQueryable(inner: Queryable, keep: SeriesFilter): FilteredQueryable {
  /**
   * Label sets of the kept series matching `matchers` that have samples in the window: the
   * storage's own `seriesLabels` when it has one, else `select` (which counts a series only when
   * the window holds a sample of it).
   */
  const keptLabels = (matchers: readonly Matcher[], minTimeMs: number, maxTimeMs: number): Labels[] => {
    if (inner.seriesLabels) return inner.seriesLabels(matchers, minTimeMs, maxTimeMs).filter((l) => keep(l));
    const whole = minTimeMs === -Infinity && maxTimeMs === Infinity;
    return inner
      .select(matchers, minTimeMs, maxTimeMs)
      .filter((s) => (whole || s.timestampsMs.length > 0) && keep(s.labels))
      .map((s) => s.labels);
  };
  return {
    select(matchers: readonly Matcher[], minTimeMs: number, maxTimeMs: number): SeriesSamples[] {
      return inner.select(matchers, minTimeMs, maxTimeMs).filter((s) => keep(s.labels));
    },
    seriesLabels(matchers: readonly Matcher[], minTimeMs: number, maxTimeMs: number): Labels[] {
      return keptLabels(matchers, minTimeMs, maxTimeMs);
    },
    labelNames(matchers: readonly Matcher[] = [], minTimeMs = -Infinity, maxTimeMs = Infinity): string[] {
      // The storage decides which names have samples in the window (exactly, per sample); the
      // kept series decide which of those remain.
      const inWindow = new Set(inner.labelNames(matchers, minTimeMs, maxTimeMs));
      const names = new Set<string>();
      for (const l of keptLabels(matchers, minTimeMs, maxTimeMs)) {
        for (const [n] of l) if (inWindow.has(n)) names.add(n);
      }
      return [...names].sort();
    },
    labelValues(
      name: string,
      matchers: readonly Matcher[] = [],
      minTimeMs = -Infinity,
      maxTimeMs = Infinity,
    ): string[] {
      const inWindow = new Set(inner.labelValues(name, matchers, minTimeMs, maxTimeMs));
      const values = new Set<string>();
      for (const l of keptLabels(matchers, minTimeMs, maxTimeMs)) {
        const v = l.get(name);
        if (v !== '' && inWindow.has(v)) values.add(v);
      }
      return [...values].sort();
    },
  };
}
