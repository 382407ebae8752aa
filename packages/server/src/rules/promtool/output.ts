/**
 * Where promtool-compatible commands write: standard output and standard error apart, because
 * promtool splits its report between them (`Checking F` on stdout, `  FAILED:` and the problems
 * on stderr) and scripts compare them separately.
 */
export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Collects both streams (tests, and callers that print at the end). */
export class BufferedOutput implements CommandOutput {
  out = '';
  err = '';
  stdout(text: string): void {
    this.out += text;
  }
  stderr(text: string): void {
    this.err += text;
  }
}

/** Go's labels.Labels.String(): `{a="b", c="d"}` with Go quoting. */
export function formatLabelPairs(pairs: readonly (readonly [string, string])[], quote: (s: string) => string): string {
  return `{${pairs.map(([n, v]) => `${n}=${quote(v)}`).join(', ')}}`;
}
