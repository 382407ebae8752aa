/**
 * A dashboard: its variables, time range and auto refresh (all in the URL, so a link shares the
 * view), and its rows of panels in a 12-column grid (stacked on phones).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { apiFetch, ApiError, labelValues, UnauthenticatedError } from '../../api';
import { useAuth } from '../../auth';
import { RefreshIcon } from '../../components/icons';
import { PanelView, type PanelContext } from '../../components/panels/PanelView';
import { download, safeFilename } from '../../lib/export';
import { selectionFromParams, selectionParams } from '../../lib/links';
import { parseDuration, resolveRange, type TimeRangeSpec } from '../../lib/time';
import { interpolate, type VariableSelection } from '../../lib/variables';
import type { Dashboard, Variable } from '../../model';
import { Dropdown } from './Dropdown';
import { TimeRangePicker } from './TimeRangePicker';
import { VariablePicker } from './VariablePicker';
import './dashboards.css';

const REFRESH_CHOICES = ['off', '10s', '30s', '1m', '5m'];
const SCRAPE_INTERVAL_SEC = 10;

type Load =
  { kind: 'loading' } | { kind: 'ok'; dashboard: Dashboard } | { kind: 'error'; status?: number; message: string };
const LOADING: Load = { kind: 'loading' };

export function useMediaQuery(query: string): boolean {
  const [match, setMatch] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const mq = window.matchMedia(query);
    const on = () => setMatch(mq.matches);
    mq.addEventListener('change', on);
    on();
    return () => mq.removeEventListener('change', on);
  }, [query]);
  return match;
}

export function DashboardPage() {
  const { id = '' } = useParams();
  const { refresh: refreshAuth } = useAuth();
  // The last answer and the dashboard it is for: loading until the answer for `id` is in.
  const [answer, setAnswer] = useState<{ id: string; load: Load }>();
  const load = answer?.id === id ? answer.load : LOADING;

  useEffect(() => {
    let live = true;
    apiFetch<{ data: Dashboard }>(`/api/wk/dashboards/${encodeURIComponent(id)}`).then(
      (r) => live && setAnswer({ id, load: { kind: 'ok', dashboard: r.data } }),
      (err: unknown) => {
        if (!live) return;
        if (err instanceof UnauthenticatedError) return void refreshAuth();
        setAnswer({
          id,
          load: {
            kind: 'error',
            ...(err instanceof ApiError && { status: err.status }),
            message: err instanceof Error ? err.message : String(err),
          },
        });
      },
    );
    return () => {
      live = false;
    };
  }, [id, refreshAuth]);

  useEffect(() => {
    if (load.kind === 'ok') document.title = `${load.dashboard.title} · Watchkeeper`;
    return () => {
      document.title = 'Watchkeeper';
    };
  }, [load]);

  if (load.kind === 'loading') return <p className="wk-loading">Loading dashboard…</p>;
  if (load.kind === 'error') {
    return (
      <div className="wk-page-error" role="alert">
        <h1>
          {load.status === 404
            ? 'No such dashboard'
            : load.status === 403
              ? 'Not allowed'
              : 'The dashboard could not be loaded'}
        </h1>
        <p>{load.message}</p>
        <p>
          <Link to="/dashboards">All dashboards</Link>
        </p>
      </div>
    );
  }
  return <DashboardView key={load.dashboard.id} dashboard={load.dashboard} />;
}

function defaultSelection(v: Variable, values: string[] | undefined): VariableSelection {
  if (v.include_all) return { all: true };
  return { all: false, values: values?.[0] !== undefined ? [values[0]] : [] };
}

function DashboardView({ dashboard }: { dashboard: Dashboard }) {
  const [params, setParams] = useSearchParams();
  const compact = useMediaQuery('(max-width: 600px)');
  const [tick, setTick] = useState(0);
  const [values, setValues] = useState<Record<string, string[] | undefined>>({});
  const [valueErrors, setValueErrors] = useState<Record<string, string>>({});

  const time: TimeRangeSpec = {
    from: params.get('from') ?? dashboard.time.from,
    to: params.get('to') ?? dashboard.time.to,
  };
  const refresh = params.get('refresh') ?? dashboard.refresh;
  const selections = useMemo(() => {
    const out: Record<string, VariableSelection> = {};
    for (const v of dashboard.variables)
      out[v.name] = selectionFromParams(params, v.name) ?? defaultSelection(v, values[v.name]);
    return out;
  }, [params, dashboard.variables, values]);
  const selectionsKey = JSON.stringify(selections);

  // The range is resolved against the clock on each refresh, not on every render.
  const range = useMemo(
    // eslint-disable-next-line react-hooks/purity -- reading the clock is the point; the memo decides when
    () => resolveRange(time, Date.now()),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `time` is a new object on each render; `tick` re-resolves
    [time.from, time.to, tick],
  );

  const update = useCallback(
    (change: (p: URLSearchParams) => void, replace = false) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          change(next);
          return next;
        },
        { replace },
      );
    },
    [setParams],
  );

  // Variable values: label values of the variable's metric (other variables in it are replaced,
  // so `vessel` can follow `company`).
  const variableDeps = dashboard.variables.map((v) => interpolate(v.metric, selections)).join('\u0000');
  useEffect(() => {
    let live = true;
    for (const v of dashboard.variables) {
      labelValues(v.source_label, interpolate(v.metric, selections)).then(
        (vals) => {
          if (!live) return;
          setValues((prev) => ({ ...prev, [v.name]: vals }));
          setValueErrors((prev) => {
            const { [v.name]: _, ...rest } = prev;
            return rest;
          });
        },
        (err: unknown) =>
          live && setValueErrors((prev) => ({ ...prev, [v.name]: err instanceof Error ? err.message : String(err) })),
      );
    }
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed on the interpolated metrics: `selections` is rebuilt from the values loaded here
  }, [variableDeps]);

  // Auto refresh: only for ranges that end now, and not while the tab is hidden.
  const refreshSec = refresh === 'off' ? undefined : parseDuration(refresh);
  useEffect(() => {
    if (!refreshSec || time.to !== 'now') return;
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((n) => n + 1);
    }, refreshSec * 1000);
    return () => clearInterval(t);
  }, [refreshSec, time.to]);

  const ctx: PanelContext = useMemo(
    () => ({
      dashboard,
      time,
      range,
      selections,
      tick,
      compact,
      scrapeIntervalSec: SCRAPE_INTERVAL_SEC,
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- by content: `time` through `range`, `selections` through selectionsKey
    [dashboard, range, selectionsKey, tick, compact],
  );

  const exportGrafana = async () => {
    const json = await apiFetch<unknown>(`/api/wk/dashboards/${encodeURIComponent(dashboard.id)}/grafana`);
    download(
      new Blob([JSON.stringify(json, null, 2)], { type: 'application/json' }),
      `${safeFilename(dashboard.id)}.grafana.json`,
    );
  };
  const [copied, setCopied] = useState(false);
  const copyLink = async () => {
    const p = new URLSearchParams(params);
    p.set('from', time.from);
    p.set('to', time.to);
    selectionParams(selections, p);
    const url = `${location.origin}${location.pathname}?${p}`;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      window.prompt('Copy this link', url);
    }
  };

  const refreshChoices = REFRESH_CHOICES.includes(refresh) ? REFRESH_CHOICES : [...REFRESH_CHOICES, refresh];
  return (
    <div className="wk-dashboard">
      <div className="wk-dash-head">
        <div className="wk-dash-title">
          <h1>
            {dashboard.title}
            {dashboard.access === 'restricted_internal' && (
              <span className="wk-badge wk-badge-internal" title="Visible only to the revenue-internal role">
                internal only
              </span>
            )}
          </h1>
          <p className="wk-muted">{dashboard.description}</p>
        </div>
        <div className="wk-dash-controls">
          <TimeRangePicker value={time} onChange={(t) => update((p) => (p.set('from', t.from), p.set('to', t.to)))} />
          <div className="wk-refresh">
            <button
              type="button"
              className="wk-control"
              title="Refresh now"
              aria-label="Refresh now"
              onClick={() => setTick((n) => n + 1)}
            >
              <RefreshIcon />
            </button>
            <select
              className="wk-control"
              aria-label="Auto refresh"
              title="Auto refresh"
              value={refresh}
              onChange={(e) => update((p) => p.set('refresh', e.target.value), true)}
            >
              {refreshChoices.map((r) => (
                <option key={r} value={r}>
                  {r === 'off' ? 'Auto: off' : `Auto: ${r}`}
                </option>
              ))}
            </select>
          </div>
          <Dropdown label="Share" align="right">
            {(close) => (
              <div className="wk-menu-list">
                <button type="button" onClick={() => void copyLink().then(close)}>
                  {copied ? 'Copied' : 'Copy link to this view'}
                </button>
                <button type="button" onClick={() => void exportGrafana().then(close)}>
                  Export Grafana JSON
                </button>
              </div>
            )}
          </Dropdown>
        </div>
      </div>
      {dashboard.variables.length > 0 && (
        <div className="wk-variables">
          {dashboard.variables.map((v) => (
            <VariablePicker
              key={v.name}
              variable={v}
              values={values[v.name]}
              {...(valueErrors[v.name] !== undefined && { error: valueErrors[v.name] })}
              selection={selections[v.name]!}
              onChange={(s) => update((p) => selectionParams({ [v.name]: s }, p))}
            />
          ))}
        </div>
      )}
      {dashboard.rows.map((row, ri) => (
        <section key={ri} className="wk-row">
          {row.title && <h2 className="wk-row-title">{row.title}</h2>}
          <div className="wk-row-panels">
            {row.panels.map((panel) => (
              <PanelView key={panel.id} panel={panel} ctx={ctx} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
