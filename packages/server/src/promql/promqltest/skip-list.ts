/**
 * PromQL conformance cases that are known not to pass yet, each with the reason. Nothing is
 * skipped that is not named here: a skipped case is reported as skipped with its reason.
 *
 * Two kinds of entries:
 * - `SKIP_LIST`: single cases (file base name + 1-based line of the `eval`) or whole files.
 * - `UNSUPPORTED_DATA`: cases whose selectors touch series holding data the storage cannot hold
 *   yet. The runner records which series those are while loading and skips exactly the evals
 *   that select them. Removing an entry makes those cases run (and fail) again.
 */
export interface SkipEntry {
  file: string;
  line?: number;
  reason: string;
}

export const SKIP_LIST: readonly SkipEntry[] = [];

export type UnsupportedDataKind = 'native-histogram' | 'nhcb' | 'start-timestamp';

export const UNSUPPORTED_DATA: Readonly<Partial<Record<UnsupportedDataKind, string>>> = {
  'native-histogram': 'native histogram samples: the storage holds float samples only (it has no appendHistogram)',
  nhcb: 'native histograms synthesized by load_with_nhcb: same reason as native histogram samples',
  'start-timestamp': 'start timestamps (@st): an experimental Prometheus feature the storage does not record',
};
