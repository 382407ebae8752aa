/**
 * Conformance vectors (../shared/conformance/alerting) that this module does not pass, each with
 * the reason. The conformance test fails when a vector outside this list fails, and when a
 * listed vector passes (remove it then). Ids are the test's case ids: the section, the row's
 * template cell, and which part of the row.
 */
export interface SkippedVector {
  readonly id: string;
  readonly reason: string;
}

const NOT_IN_2_42 =
  'Prometheus 3.6+ function; Watchkeeper implements 2.42, the version Debian 12 ships and the team tests against (promtool 2.42: function not defined)';

export const SKIP_LIST: readonly SkippedVector[] = [
  { id: '§4 {{ (1800 | toDuration).String }} (3.6+)', reason: NOT_IN_2_42 },
  { id: '§4 {{ now }} (3.6+)', reason: NOT_IN_2_42 },
  { id: '§4 {{ (now | toTime).Format "Mon Jan 2 15:04:05 2006" }}', reason: NOT_IN_2_42 },
  { id: '§4 {{ ("-30m" | parseDuration | toDuration | (now | toTime).Add).UnixMilli }}', reason: NOT_IN_2_42 },
  {
    id: '§4 {{ printf "%0.2f" (parseDuration "1h2m10ms") }} / "-1h2m10ms" #2',
    reason:
      'negative durations are a 3.x change in prometheus/common; 2.42 answers `not a valid duration string: "-1h2m10ms"` (checked with promtool 2.42), as we do',
  },
  {
    id: '§5 other outputs #5',
    reason:
      'abbreviated in the vectors file (`{{ … | stripDomain }}`), so not runnable; the same stripPort/stripDomain inputs run in §4 and in differential.test.ts',
  },
];
