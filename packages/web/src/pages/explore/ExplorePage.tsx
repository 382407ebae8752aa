/**
 * Explore: a PromQL editor, a time range (end and range, automatic step), and the result as a
 * graph (range query) or a table (instant query at the end). The query, range, end and tab live in
 * the URL (`/explore?query=...&range=1h`), so dashboards link here; recent queries are kept in
 * localStorage. Errors are shown at their position in the editor and in words below it.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { ApiError, queryInstant, queryRange, UnauthenticatedError, type QueryResult } from '../../api';
import { TimeSeriesChart } from '../../components/charts/TimeSeriesChart';
import { addToHistory, loadHistory, saveHistory } from './history';
import { PromQLEditor, type ServerDiagnostic } from './PromQLEditor';
import { errorRange, parseAnnotation, parseQueryError, positionToOffset, type ParsedAnnotation } from './query-error';
import { chartSeries, tableRows } from './result';
import { ResultTable } from './ResultTable';
import { autoStep, formatDuration, parseDuration, parseEndParam, RANGE_CHOICES, toLocalInputValue } from './time-range';
import './explore.css';

type Tab = 'graph' | 'table';

/** What one run of a query gave. */
type Outcome =
  | { kind: 'idle' }
  | { kind: 'loading'; query: string }
  | {
      kind: 'ok';
      query: string;
      tab: Tab;
      result: QueryResult;
      annotations: ParsedAnnotation[];
      evalTimeMs: number;
      tookMs: number;
      stepSec: number;
    }
  | { kind: 'error'; query: string; message: string; errorType?: string; unauthenticated?: boolean };

const MAX_GRAPH_SERIES = 200;
const DEFAULT_RANGE = '1h';
const IDLE: Outcome = { kind: 'idle' };

/**
 * One run of `query`: a range query over `rangeSec` ending at `endMs` (graph) or an instant query at
 * `endMs` (table), now when there is no end. Failures are outcomes too.
 */
function runQuery(
  query: string,
  tab: Tab,
  rangeSec: number,
  endMs: number | undefined,
  signal: AbortSignal,
): Promise<Outcome> {
  const evalTimeMs = endMs ?? Date.now();
  const stepSec = autoStep(rangeSec);
  const started = performance.now();
  const request =
    tab === 'graph'
      ? queryRange(query, evalTimeMs / 1000 - rangeSec, evalTimeMs / 1000, stepSec, signal)
      : queryInstant(query, evalTimeMs / 1000, signal);
  return request.then(
    (res): Outcome => {
      const annotations = [
        ...(res.warnings ?? []).map((w) => parseAnnotation(w, 'warning')),
        ...(res.infos ?? []).map((i) => parseAnnotation(i, 'info')),
      ];
      return {
        kind: 'ok',
        query,
        tab,
        result: res.data,
        annotations,
        evalTimeMs,
        tookMs: performance.now() - started,
        stepSec,
      };
    },
    (err: unknown): Outcome => {
      if (err instanceof UnauthenticatedError) {
        return { kind: 'error', query, message: 'Your session has ended.', unauthenticated: true };
      }
      if (err instanceof ApiError) {
        return { kind: 'error', query, message: err.message, ...(err.errorType && { errorType: err.errorType }) };
      }
      return { kind: 'error', query, message: err instanceof Error ? err.message : String(err) };
    },
  );
}

export function ExplorePage() {
  const [params, setParams] = useSearchParams();
  const query = params.get('query') ?? '';
  const rangeText = params.get('range') ?? DEFAULT_RANGE;
  const rangeSec = parseDuration(rangeText) ?? 3600;
  const endParam = params.get('end');
  const endMs = parseEndParam(endParam);
  const tab: Tab = params.get('tab') === 'table' ? 'table' : 'graph';

  const [draft, setDraft] = useState(query);
  const [history, setHistory] = useState<string[]>(() => loadHistory());
  const [runNonce, setRunNonce] = useState(0);
  const [focusAt, setFocusAt] = useState<{ offset: number; nonce: number }>();
  const [historyOpen, setHistoryOpen] = useState(false);
  const historyRef = useRef<HTMLDivElement>(null);

  // A query arriving through the URL (a dashboard's link, back and forward) replaces the draft.
  const [draftFor, setDraftFor] = useState(query);
  if (draftFor !== query) {
    setDraftFor(query);
    setDraft(query);
  }

  const update = useCallback(
    (changes: Record<string, string | undefined>, replace = false) => {
      const next = new URLSearchParams(params);
      for (const [k, v] of Object.entries(changes)) {
        if (v === undefined || v === '') next.delete(k);
        else next.set(k, v);
      }
      setParams(next, { replace });
    },
    [params, setParams],
  );

  const run = useCallback(
    (text?: string) => {
      const q = (text ?? draft).trim();
      if (q === '') return;
      if (text !== undefined) setDraft(text);
      if (q === query) setRunNonce((n) => n + 1);
      else update({ query: q });
    },
    [draft, query, update],
  );

  // Run the query of the URL whenever it, the range, the end or the tab changes, or on Run.
  const runKey = [query, rangeSec, endMs ?? 'now', tab, runNonce].join('\u0000');
  // The answer and the run it answers: a run is loading until its own answer is in.
  const [answer, setAnswer] = useState<{ runKey: string; outcome: Outcome }>();
  const [startedRun, setStartedRun] = useState<string>();
  if (startedRun !== runKey) {
    setStartedRun(runKey);
    setAnswer(undefined);
    // Every query that runs goes into the history, those that came by a link too.
    if (query.trim() !== '') setHistory((h) => addToHistory(h, query));
  }
  const outcome = useMemo((): Outcome => {
    if (query.trim() === '') return IDLE;
    return answer?.runKey === runKey ? answer.outcome : { kind: 'loading', query };
  }, [query, runKey, answer]);

  useEffect(() => saveHistory(history), [history]);

  useEffect(() => {
    if (query.trim() === '') return;
    const ctrl = new AbortController();
    void runQuery(query, tab, rangeSec, endMs, ctrl.signal).then((o) => {
      if (!ctrl.signal.aborted) setAnswer({ runKey, outcome: o });
    });
    return () => ctrl.abort();
  }, [query, rangeSec, endMs, tab, runKey]);

  // Close the history menu on a click elsewhere.
  useEffect(() => {
    if (!historyOpen) return;
    const onDown = (e: MouseEvent) => {
      if (!historyRef.current?.contains(e.target as Node)) setHistoryOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [historyOpen]);

  const parsedError = useMemo(
    () => (outcome.kind === 'error' ? parseQueryError(outcome.message) : undefined),
    [outcome],
  );
  const errorOffset =
    outcome.kind === 'error' && parsedError?.position
      ? positionToOffset(outcome.query, parsedError.position)
      : undefined;

  const diagnostics = useMemo((): ServerDiagnostic[] => {
    if (outcome.kind === 'error' && parsedError?.position && errorOffset !== undefined) {
      const r = errorRange(outcome.query, errorOffset);
      return [{ ...r, severity: 'error', message: parsedError.detail }];
    }
    if (outcome.kind === 'ok') {
      return outcome.annotations.flatMap((a): ServerDiagnostic[] => {
        if (!a.position) return [];
        const r = errorRange(outcome.query, positionToOffset(outcome.query, a.position, 'byte'));
        return [{ ...r, severity: a.kind, message: a.detail }];
      });
    }
    return [];
  }, [outcome, parsedError, errorOffset]);

  const rangeChoices = RANGE_CHOICES.includes(rangeText) ? RANGE_CHOICES : [rangeText, ...RANGE_CHOICES];
  const stale = outcome.kind !== 'idle' && outcome.kind !== 'loading' && draft.trim() !== outcome.query;

  const shiftEnd = (direction: -1 | 1) => {
    const base = endMs ?? Date.now();
    const next = base + direction * rangeSec * 1000;
    update({ end: next >= Date.now() ? undefined : new Date(next).toISOString() });
  };

  return (
    <div className="wk-explore">
      <h1 className="wk-page-title">Explore</h1>
      <div className="wk-explore-query">
        <PromQLEditor
          value={draft}
          onChange={setDraft}
          onRun={() => run()}
          diagnostics={diagnostics}
          {...(focusAt && { focusAt })}
        />
        <div className="wk-explore-actions">
          <button type="button" className="wk-btn wk-btn-primary" onClick={() => run()} disabled={draft.trim() === ''}>
            Run
          </button>
          <div className="wk-explore-history" ref={historyRef}>
            <button
              type="button"
              className="wk-btn"
              aria-expanded={historyOpen}
              aria-haspopup="listbox"
              onClick={() => setHistoryOpen((o) => !o)}
              disabled={history.length === 0}
              title={history.length === 0 ? 'Queries you run are kept here' : 'Recent queries'}
            >
              History{history.length > 0 ? ` (${history.length})` : ''}
            </button>
            {historyOpen && (
              <div className="wk-explore-history-menu" role="listbox" aria-label="Recent queries">
                {history.map((h) => (
                  <button
                    key={h}
                    type="button"
                    role="option"
                    aria-selected={h === query}
                    className="wk-explore-history-item"
                    title={h}
                    onClick={() => {
                      setHistoryOpen(false);
                      run(h);
                    }}
                  >
                    {h}
                  </button>
                ))}
                <button
                  type="button"
                  className="wk-explore-history-clear"
                  onClick={() => {
                    setHistory([]);
                    setHistoryOpen(false);
                  }}
                >
                  Clear history
                </button>
              </div>
            )}
          </div>
        </div>
      </div>

      {outcome.kind === 'error' && (
        <div className="wk-explore-error" role="alert">
          {outcome.unauthenticated ? (
            <>
              {outcome.message}{' '}
              <Link to={`/login?next=${encodeURIComponent(`/explore?${params.toString()}`)}`}>Log in again</Link>
            </>
          ) : (
            <>
              <strong>{parsedError?.parse ? 'Parse error' : errorTitle(outcome.errorType)}</strong>
              {parsedError?.position && (
                <>
                  {' '}
                  at{' '}
                  <button
                    type="button"
                    className="wk-linklike"
                    onClick={() => errorOffset !== undefined && setFocusAt({ offset: errorOffset, nonce: Date.now() })}
                  >
                    line {parsedError.position.line}, column {parsedError.position.col}
                  </button>
                </>
              )}
              : <span className="wk-explore-error-detail">{parsedError?.detail ?? outcome.message}</span>
              {stale && <span className="wk-explore-muted"> (for the query as it was run)</span>}
            </>
          )}
        </div>
      )}
      {outcome.kind === 'ok' && outcome.annotations.length > 0 && (
        <ul className="wk-explore-annotations">
          {outcome.annotations.map((a, i) => (
            <li key={i} className={`wk-explore-annotation wk-explore-annotation-${a.kind}`}>
              <strong>{a.kind === 'warning' ? 'Warning' : 'Info'}</strong>
              {a.position && (
                <>
                  {' '}
                  ({a.position.line}:{a.position.col})
                </>
              )}
              : {a.detail}
            </li>
          ))}
        </ul>
      )}

      <div className="wk-explore-toolbar">
        <div className="wk-tabs" role="tablist" aria-label="Result view">
          {(['graph', 'table'] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              className={`wk-tab${tab === t ? ' wk-tab-active' : ''}`}
              onClick={() => update({ tab: t === 'graph' ? undefined : t }, true)}
            >
              {t === 'graph' ? 'Graph' : 'Table'}
            </button>
          ))}
        </div>
        <div className="wk-explore-range">
          {tab === 'graph' && (
            <label>
              <span className="wk-explore-label">Range</span>
              <select value={rangeText} onChange={(e) => update({ range: e.target.value }, true)}>
                {rangeChoices.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
          )}
          <div className="wk-explore-end">
            {tab === 'graph' && (
              <button type="button" className="wk-btn wk-btn-small" onClick={() => shiftEnd(-1)} title="Earlier">
                ‹
              </button>
            )}
            <label>
              <span className="wk-explore-label">{tab === 'graph' ? 'End' : 'At'}</span>
              <input
                type="datetime-local"
                value={endMs === undefined ? '' : toLocalInputValue(endMs)}
                onChange={(e) => {
                  const t = e.target.value === '' ? NaN : new Date(e.target.value).getTime();
                  update({ end: Number.isNaN(t) ? undefined : new Date(t).toISOString() }, true);
                }}
              />
            </label>
            {tab === 'graph' && (
              <button
                type="button"
                className="wk-btn wk-btn-small"
                onClick={() => shiftEnd(1)}
                disabled={endMs === undefined}
                title="Later"
              >
                ›
              </button>
            )}
            <button
              type="button"
              className="wk-btn wk-btn-small"
              onClick={() => update({ end: undefined }, true)}
              disabled={endMs === undefined}
            >
              Now
            </button>
          </div>
          {tab === 'graph' && (
            <span className="wk-explore-muted" title="About 250 points over the range">
              step {formatDuration(autoStep(rangeSec))} (auto)
            </span>
          )}
        </div>
      </div>

      <section className="wk-explore-result" aria-live="polite" aria-busy={outcome.kind === 'loading'}>
        <Result outcome={outcome} tab={tab} />
      </section>
    </div>
  );
}

function errorTitle(errorType: string | undefined): string {
  switch (errorType) {
    case 'bad_data':
      return 'Bad query';
    case 'execution':
      return 'Query failed';
    case 'timeout':
      return 'Query timed out';
    case 'canceled':
      return 'Query cancelled';
    case undefined:
      return 'Error';
    default:
      return `Error (${errorType})`;
  }
}

function Result({ outcome, tab }: { outcome: Outcome; tab: Tab }) {
  switch (outcome.kind) {
    case 'idle':
      return (
        <p className="wk-explore-empty">
          Type a PromQL expression and press <kbd>Shift</kbd>+<kbd>Enter</kbd> (or <kbd>Ctrl</kbd>+<kbd>Enter</kbd>), or
          pick one from History. Metric names, labels and functions complete as you type.
        </p>
      );
    case 'loading':
      return <p className="wk-loading">Running query…</p>;
    case 'error':
      return <p className="wk-explore-empty">No result: the query failed (see above).</p>;
    case 'ok':
      if (outcome.tab !== tab) return <p className="wk-loading">Running query…</p>;
      return tab === 'graph' ? <GraphResult outcome={outcome} /> : <TableResult outcome={outcome} />;
  }
}

type OkOutcome = Extract<Outcome, { kind: 'ok' }>;

function Stats({ outcome, count, noun }: { outcome: OkOutcome; count: number; noun: string }) {
  return (
    <p className="wk-explore-stats">
      {count} {count === 1 || noun === 'series' ? noun : `${noun}s`} ·{' '}
      {outcome.tab === 'graph' ? `step ${formatDuration(outcome.stepSec)} · ` : ''}
      {outcome.tab === 'graph' ? 'ending' : 'at'} {new Date(outcome.evalTimeMs).toLocaleString()} · took{' '}
      {Math.round(outcome.tookMs)} ms
    </p>
  );
}

function GraphResult({ outcome }: { outcome: OkOutcome }) {
  const series = useMemo(() => chartSeries(outcome.result), [outcome.result]);
  const shown = useMemo(() => series.slice(0, MAX_GRAPH_SERIES), [series]);
  const points = series.reduce((n, s) => n + s.points.length, 0);
  if (series.length === 0 || points === 0) {
    return (
      <>
        <Stats outcome={outcome} count={0} noun="series" />
        <p className="wk-explore-empty">
          No data in this range. Try a longer range, or check the selector in the Table tab.
        </p>
      </>
    );
  }
  return (
    <>
      <Stats outcome={outcome} count={series.length} noun="series" />
      {series.length > MAX_GRAPH_SERIES && (
        <p className="wk-explore-annotation wk-explore-annotation-warning">
          Showing the first {MAX_GRAPH_SERIES} of {series.length} series; aggregate (for example with sum by) to see
          them all.
        </p>
      )}
      <div className="wk-explore-graph">
        <TimeSeriesChart series={shown} height={window.innerWidth < 600 ? 240 : 360} />
      </div>
    </>
  );
}

function TableResult({ outcome }: { outcome: OkOutcome }) {
  const rows = useMemo(() => tableRows(outcome.result), [outcome.result]);
  const noun = outcome.result.resultType === 'scalar' || outcome.result.resultType === 'string' ? 'value' : 'series';
  return (
    <>
      <Stats outcome={outcome} count={rows.length} noun={noun} />
      {rows.length === 0 ? (
        <p className="wk-explore-empty">
          No series at this time. The selector may match nothing, or the series may be older than the lookback (5
          minutes).
        </p>
      ) : (
        <ResultTable rows={rows} />
      )}
    </>
  );
}
