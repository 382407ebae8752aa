/**
 * Differential test: the same data remote-written to a real Prometheus (Debian's 2.42) and to
 * `watchkeeper serve`, then the same Grafana-style requests to both, answers compared exactly
 * (prometheus-diff-compare.ts). Data: prometheus-diff-data.ts; requests and evaluation times:
 * prometheus-diff-queries.ts.
 *
 * Prometheus 2.42 selects closed windows `[t - range, t]`, Watchkeeper Prometheus 3's left-open
 * `(t - range, t]`: every sample sits 1-14 s after a multiple of 15 s and every query evaluates at
 * multiples of 15 s, so no sample is ever on a window boundary and both select the same samples;
 * subqueries evaluate 15 s past the minute so that their inner grid never meets their window's start.
 *
 * Where the two legitimately differ (2.x vs 3.x semantics), and where Watchkeeper is wrong, the
 * request is listed in KNOWN_DIFFERENCES with the reason: its differences are printed, not failed
 * on. An entry that no longer differs fails the test, so the list stays true.
 *
 * Skipped with a message when /usr/bin/prometheus is absent (CI installs it: `.ci/run`,
 * APT_PACKAGES). `PROM_DIFF_REPORT=file.md` writes every comparison (with error texts and
 * annotations) to a file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServe, type ServerProcess } from './helpers.js';
import { Comparer, REL_TOLERANCE, send, type ApiAnswer, type Comparison } from './prometheus-diff-compare.js';
import { chooseEndMs, generateDiffData, type DiffDataSet } from './prometheus-diff-data.js';
import { metadataRequests, queryRequests, type DiffRequest } from './prometheus-diff-queries.js';
import {
  PROMETHEUS_BIN,
  prometheusAvailable,
  remoteWrite,
  startPrometheus,
  type PrometheusProcess,
} from './prometheus-process.js';

type Why = '2.x vs 3.x' | 'watchkeeper bug';

/** Requests (by id, see prometheus-diff-queries.ts) whose answers are known to differ, and why. */
const KNOWN_DIFFERENCES: Record<string, { why: Why; reason: string }> = {
  ...forAllKinds('label_replace reads __name__ after rate', {
    why: '2.x vs 3.x',
    reason:
      'delayed __name__ removal: Watchkeeper keeps the name while evaluating and drops it at the end, ' +
      'so label_replace still sees __name__ after rate() and copies it (metric="http_requests_total"); in 2.42 ' +
      'rate() has already dropped it and the new label is empty (not added). Prometheus 3 does the same as ' +
      "Watchkeeper only with --enable-feature=promql-delayed-name-removal, which the team's target " +
      'generation assumes (../shared/conformance/promql/DSL.md §7.9).',
  }),
  ...forAllKinds('holt_winters', {
    why: '2.x vs 3.x',
    reason:
      'holt_winters() exists in 2.42 only; Prometheus 3 renamed it double_exponential_smoothing() (experimental). ' +
      'Watchkeeper: 400 bad_data "unknown function with name \"holt_winters\"", as Prometheus 3 answers.',
  }),
  ...forAllKinds('sum with cancellation', {
    why: '2.x vs 3.x',
    reason:
      'sum() of 1.1e22, -1.1e22 and small values: Prometheus 2.42 adds naively and the small values vanish ' +
      '(e.g. "71.8" at END); Prometheus 3 and Watchkeeper add with Kahan compensation and keep them ' +
      '("71.8000002"). In 2.42 range queries the order of the addends is random (Go map iteration), so its ' +
      'answer at a step changes from run to run ("0" or "0.1").',
  }),
  'query_range rate of a gauge': {
    why: '2.x vs 3.x',
    reason:
      'rate() extrapolation when a series starts inside the window: 2.42 limits the extrapolation towards the ' +
      'window start by the zero point of the counter first and then compares it with 1.1 × the average sample ' +
      'interval; Prometheus 3 (and Watchkeeper) first caps the extrapolation at half an interval and then ' +
      'applies the zero point. Visible for the first 5 minutes of sms_sync_lag_seconds{vessel="v01"}, whose ' +
      'values (1e-7 … 7e-7) are as small as its increase: 2.42 "9.777777777777778e-10", Watchkeeper ' +
      '"8.111111111111111e-10" for two samples 15 s apart, 271 s after the window start.',
  },
};

/** The range query and both instant queries of one DiffQuery. */
function forAllKinds(name: string, entry: { why: Why; reason: string }): Record<string, { why: Why; reason: string }> {
  return Object.fromEntries(
    [`query_range ${name}`, `query ${name} @END`, `query ${name} @END-20m`].map((id) => [id, entry]),
  );
}

/**
 * Watchkeeper stores its own /metrics by default (a built-in `watchkeeper` scrape job); a job of that
 * name without targets replaces it, so that both servers hold exactly the test's data.
 */
const WATCHKEEPER_CONFIG = 'scrape_configs:\n  - job_name: watchkeeper\n    static_configs: []\n';

const available = prometheusAvailable();
if (!available) {
  console.warn(
    `prometheus-diff: ${PROMETHEUS_BIN} not found, skipping the differential test ` +
      '(apt-get install prometheus; CI installs it through .ci/run APT_PACKAGES)',
  );
}

describe.skipIf(!available)('Watchkeeper answers as Prometheus 2.42 does', () => {
  let dir = '';
  let prom: PrometheusProcess | undefined;
  let wk: ServerProcess | undefined;
  let data: DiffDataSet;
  const results: Comparison[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wk-prom-diff-'));
    data = generateDiffData(chooseEndMs());
    const wkDir = join(dir, 'watchkeeper');
    const promDir = join(dir, 'prometheus');
    const wkConfig = join(dir, 'watchkeeper.yml');
    writeFileSync(wkConfig, WATCHKEEPER_CONFIG);
    [prom, wk] = await Promise.all([
      freePort().then((port) => startPrometheus({ port, dir: promDir })),
      freePort().then((port) => startServe(['--storage.path', wkDir, '--config', wkConfig], port)),
    ]);
    // In order, one request after the other: the late vessel data first, then 5-minute slices.
    for (const [i, body] of data.bodies.entries()) {
      const [p, w] = await Promise.all([remoteWrite(prom.url, body), remoteWrite(wk.url, body)]);
      if (p.status !== 204 || w.status !== 204) {
        throw new Error(
          `remote write ${i} refused: prometheus ${p.status} ${p.text} | watchkeeper ${w.status} ${w.text}`,
        );
      }
    }
  });

  afterAll(async () => {
    await Promise.all([prom?.stop('SIGTERM'), wk?.stop('SIGTERM')]);
    if (dir) rmSync(dir, { recursive: true, force: true });
    const reportPath = process.env['PROM_DIFF_REPORT'];
    if (reportPath) writeFileSync(reportPath, report(results));
  });

  it('both hold every sample that was written, with the same values', async () => {
    // The raw samples of every series over 7 h (a range-vector instant query returns them as a
    // matrix, without staleness markers). Acknowledged writes are queryable at once in both; poll a
    // little in case either is slower.
    const req: DiffRequest = {
      id: 'raw samples {__name__=~".+"}[7h]',
      method: 'GET',
      path: '/api/v1/query',
      params: [
        ['query', '{__name__=~".+"}[7h]'],
        ['time', String(data.endMs / 1000)],
      ],
      ordered: false,
    };
    const points = (a: ApiAnswer): number => {
      const body = JSON.parse(a.text) as { data?: { result?: { values: unknown[] }[] } };
      return (body.data?.result ?? []).reduce((n, s) => n + s.values.length, 0);
    };
    const deadline = Date.now() + 30_000;
    let answers: ApiAnswer[];
    for (;;) {
      answers = await Promise.all([send(prom!.url, req), send(wk!.url, req)]);
      if (answers.every((a) => points(a) === data.floatSamples) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect({ prometheus: points(answers[0]!), watchkeeper: points(answers[1]!) }).toEqual({
      prometheus: data.floatSamples,
      watchkeeper: data.floatSamples,
    });
    const c = new Comparer(req).compare(answers[0]!, answers[1]!);
    results.push(c);
    expect(c.differences, c.differences.join('\n')).toEqual([]);
    console.log(
      `prometheus-diff: ${data.series.length} series, ${data.floatSamples} samples and ${data.staleMarkers} ` +
        `staleness markers in ${data.bodies.length} remote-write requests; END = ${new Date(data.endMs).toISOString()}`,
    );
  });

  const check = async (requests: DiffRequest[]): Promise<void> => {
    const unexpected: string[] = [];
    const known: string[] = [];
    const stale: string[] = [];
    for (const req of requests) {
      const [p, w] = await Promise.all([send(prom!.url, req), send(wk!.url, req)]);
      const c = new Comparer(req).compare(p, w);
      results.push(c);
      const entry = KNOWN_DIFFERENCES[req.id];
      const lines = (limit: number): string =>
        c.differences
          .slice(0, limit)
          .map((d) => `  ${d}`)
          .concat(c.differences.length > limit ? [`  (and ${c.differences.length - limit} more)`] : [])
          .join('\n');
      if (entry === undefined && c.differences.length > 0) unexpected.push(`${req.id}\n${lines(40)}`);
      else if (entry !== undefined && c.differences.length > 0) known.push(`${req.id} [${entry.why}]\n${lines(2)}`);
      else if (entry !== undefined) stale.push(req.id);
    }
    if (known.length > 0) console.log(`prometheus-diff: known differences\n${known.join('\n')}`);
    const mine = results.slice(-requests.length);
    const tolerated = mine.reduce((n, c) => n + c.tolerated, 0);
    const maxRel = mine.reduce((m, c) => Math.max(m, c.maxRelativeDifference), 0);
    const empty = mine.filter((c) => c.items === 0 && c.differences.length === 0).length;
    console.log(
      `prometheus-diff: ${requests.length} requests compared (${empty} with an empty answer or an error on both ` +
        `sides), ${known.length} known differences, ${unexpected.length} unexpected; ${tolerated} values equal ` +
        `only within ${REL_TOLERANCE} (largest relative difference ${maxRel.toExponential(2)})`,
    );
    expect(unexpected, `answers differ:\n${unexpected.join('\n')}`).toEqual([]);
    expect(stale, 'KNOWN_DIFFERENCES entries that no longer differ (remove them)').toEqual([]);
  };

  it('answers query and query_range the same', async () => {
    await check(queryRequests(data.endMs));
  });

  it('answers series, labels, label values and format_query the same', async () => {
    await check(metadataRequests(data.endMs));
  });
});

function report(results: Comparison[]): string {
  const lines = ['# Prometheus 2.42 vs Watchkeeper: every request', ''];
  for (const c of results) {
    const entry = KNOWN_DIFFERENCES[c.id];
    const state = c.differences.length === 0 ? 'same' : entry !== undefined ? `known (${entry.why})` : 'DIFFERENT';
    lines.push(`## ${c.id}: ${state}`, '');
    if (entry !== undefined) lines.push(`reason: ${entry.reason}`, '');
    for (const d of c.differences) lines.push(`- ${d}`);
    for (const n of c.notes) lines.push(`- note: ${n}`);
    if (c.tolerated > 0) lines.push(`- ${c.tolerated} values within tolerance (max ${c.maxRelativeDifference})`);
    lines.push(`- items compared: ${c.items}`, '');
  }
  return lines.join('\n');
}
