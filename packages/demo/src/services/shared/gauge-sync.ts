/**
 * Keeps a gauge family equal to a computed set of series: sets every row's value and removes the
 * series that are no longer in the set (a churned company's MRR disappears instead of staying at
 * its last value).
 */

interface SettableGauge<L> {
  set(labels: L, value: number): void;
  remove(labels: L): void;
}

export class GaugeSync<L extends Record<string, string>> {
  readonly #gauge: SettableGauge<L>;
  #current = new Map<string, L>();

  constructor(gauge: SettableGauge<L>) {
    this.#gauge = gauge;
  }

  update(rows: Iterable<{ labels: L; value: number }>): void {
    const next = new Map<string, L>();
    for (const { labels, value } of rows) {
      const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
      next.set(key, labels);
      this.#gauge.set(labels, value);
    }
    for (const [key, labels] of this.#current) if (!next.has(key)) this.#gauge.remove(labels);
    this.#current = next;
  }
}
