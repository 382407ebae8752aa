/**
 * Eval cases of the PromQL conformance suite that are known not to pass yet, each with the reason.
 * Matched by file base name and the 1-based line of the `eval` command (the whole file when `line`
 * is absent). Skipped cases are reported as skipped with their reason, never dropped.
 *
 * Not listed here because the runner skips them by itself, with a reason: cases whose selectors
 * touch series the storage cannot hold (native histogram samples, `load_with_nhcb` histograms,
 * series with `@st` start timestamps). They run as soon as the storage supports that data.
 */
export interface SkipEntry {
  file: string;
  line?: number;
  reason: string;
}

export const SKIP_LIST: readonly SkipEntry[] = [];
