/**
 * One dashboard panel: its frame (title, ⓘ help, menu with CSV / PNG export, Explore and links),
 * its queries (variables replaced, refetched on time range, variable and refresh changes), its
 * loading, empty and error states, and the renderer for its visualization. A click on a series
 * offers the panel's drill-down links.
 */
import {
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useEffectEvent,
  useMemo,
  useRef,
  useState,
  type ComponentType,
} from 'react';
import { useNavigate } from 'react-router-dom';
import { apiFetch, UnauthenticatedError } from '../../api';
import { useAuth } from '../../auth';
import { samplesToCsv, seriesToCsv } from '../../lib/csv';
import { download, panelPng, safeFilename } from '../../lib/export';
import { dashboardTarget, resolveLink } from '../../lib/links';
import { fetchPanelData, isEmpty, type PanelData } from '../../lib/panel-data';
import { builtinVariables, parseDuration, stepFor, type ResolvedRange, type TimeRangeSpec } from '../../lib/time';
import { interpolate, interpolateLink, type VariableSelection } from '../../lib/variables';
import type { Dashboard, Panel, PanelType } from '../../model';
import { InfoIcon, MenuIcon, WarningIcon } from '../icons';
import { LogsPanel } from './LogsPanel';
import { StatPanel } from './StatPanel';
import { TablePanel } from './TablePanel';
import { LeaderboardPanel } from './LeaderboardPanel';
import { StatusGridPanel } from './StatusGridPanel';
import { TimeSeriesPanel } from './TimeSeriesPanel';
import type { PanelRendererProps } from './types';
import './panels.css';

// The ECharts panels are separate chunks: ECharts itself loads only when one of them is shown.
const BarsPanel = lazy(() => import('./BarsPanel').then((m) => ({ default: m.BarsPanel })));
const GaugePanel = lazy(() => import('./GaugePanel').then((m) => ({ default: m.GaugePanel })));
const HeatmapPanel = lazy(() => import('./HeatmapPanel').then((m) => ({ default: m.HeatmapPanel })));
const PiePanel = lazy(() => import('./PiePanel').then((m) => ({ default: m.PiePanel })));
const FunnelPanel = lazy(() => import('./FunnelPanel').then((m) => ({ default: m.FunnelPanel })));
const HistogramPanel = lazy(() => import('./HistogramPanel').then((m) => ({ default: m.HistogramPanel })));

const RENDERERS: Record<Exclude<PanelType, 'logs'>, ComponentType<PanelRendererProps>> = {
  stat: StatPanel,
  timeseries: TimeSeriesPanel,
  line: TimeSeriesPanel,
  area: TimeSeriesPanel,
  bars: BarsPanel,
  horizontal_bars: BarsPanel,
  gauge: GaugePanel,
  heatmap: HeatmapPanel,
  table: TablePanel,
  pie: PiePanel,
  funnel: FunnelPanel,
  leaderboard: LeaderboardPanel,
  histogram: HistogramPanel,
  distribution: HistogramPanel,
  status_grid: StatusGridPanel,
};

/** Body height by visualization (CSS pixels). */
export function bodyHeight(type: PanelType, compact: boolean): number {
  switch (type) {
    case 'stat':
      return compact ? 72 : 96;
    case 'logs':
      return 120;
    case 'gauge':
      return compact ? 200 : 220;
    case 'table':
    case 'leaderboard':
    case 'status_grid':
      return 300;
    default:
      return compact ? 220 : 250;
  }
}

/** Points a range query asks for: bars and heatmap cells need far fewer than lines. */
function widthForStep(type: PanelType, width: number): number {
  if (type === 'bars') return 0.6; // ≈ 60 bars
  if (type === 'heatmap') return 1.2; // ≈ 120 columns
  if (type === 'stat') return 1; // a sparkline
  return width;
}

export interface PanelContext {
  dashboard: Dashboard;
  time: TimeRangeSpec;
  range: ResolvedRange;
  selections: Record<string, VariableSelection>;
  /** Changes on every refresh (manual or automatic). */
  tick: number;
  compact: boolean;
  scrapeIntervalSec: number;
}

type State =
  | { kind: 'loading'; data?: PanelData }
  | { kind: 'ok'; data: PanelData; loading: boolean }
  | { kind: 'error'; message: string; data?: PanelData };

interface Drill {
  /** Left edge of the menu in the frame, kept inside it. */
  x: number;
  y: number;
  labels: Record<string, string>;
  name: string;
}

const targetCache = new Map<string, Promise<Dashboard | undefined>>();
function targetDashboard(id: string): Promise<Dashboard | undefined> {
  let p = targetCache.get(id);
  if (!p) {
    p = apiFetch<{ data: Dashboard }>(`/api/wk/dashboards/${encodeURIComponent(id)}`).then(
      (r) => r.data,
      () => undefined,
    );
    targetCache.set(id, p);
  }
  return p;
}

/** Closes a popover on a click outside it or Escape. */
function useDismiss(open: boolean, ref: React.RefObject<HTMLElement | null>, close: () => void) {
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) close();
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close();
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open, ref, close]);
}

export function PanelView({ panel, ctx }: { panel: Panel; ctx: PanelContext }) {
  const { refresh: refreshAuth } = useAuth();
  const navigate = useNavigate();
  const frameRef = useRef<HTMLElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const helpRef = useRef<HTMLDivElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const drillRef = useRef<HTMLDivElement>(null);
  const pointer = useRef({ x: 0, y: 0 });
  const [answer, setAnswer] = useState<{ key: string; state: State }>({ key: '', state: { kind: 'loading' } });
  const [helpOpen, setHelpOpen] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const [drill, setDrill] = useState<Drill | null>(null);
  const closeHelp = useCallback(() => setHelpOpen(false), []);
  const closeMenu = useCallback(() => setMenuOpen(false), []);
  const closeDrill = useCallback(() => setDrill(null), []);
  useDismiss(helpOpen, helpRef, closeHelp);
  useDismiss(menuOpen, menuRef, closeMenu);
  useDismiss(drill !== null, drillRef, closeDrill);

  const isLogs = panel.type === 'logs';
  // The panel's step: from the range and width, at least the scrape interval and every query's `interval`.
  const minStepSec = Math.max(
    ctx.scrapeIntervalSec,
    ...panel.queries.map((q) => (q.interval ? (parseDuration(q.interval) ?? 0) : 0)),
  );
  const stepSec = stepFor(ctx.range, widthForStep(panel.type, panel.width), minStepSec);
  const exprs = useMemo(() => {
    const builtins = builtinVariables(ctx.range, stepSec, ctx.scrapeIntervalSec);
    return panel.queries.map((q) => interpolate(q.expr, ctx.selections, builtins));
  }, [panel, ctx.range, ctx.selections, stepSec, ctx.scrapeIntervalSec]);
  const exprKey = exprs.join('\u0000');
  // What is fetched: the queries' text (not the identity of `exprs` or `panel`), the range, the step
  // and each refresh.
  const requestKey = [exprKey, ctx.range.startSec, ctx.range.endSec, stepSec, ctx.tick].join('\u0001');
  // The last answer and the request it answered: while a newer request runs, the panel is loading
  // and keeps showing the answer's data.
  const state: State =
    answer.key === requestKey
      ? answer.state
      : answer.state.kind === 'ok'
        ? { ...answer.state, loading: true }
        : { kind: 'loading', data: answer.state.data };

  const fetchData = useEffectEvent((signal: AbortSignal) =>
    fetchPanelData(panel, exprs, { startSec: ctx.range.startSec, endSec: ctx.range.endSec, stepSec, signal }),
  );
  useEffect(() => {
    if (isLogs) return;
    const ac = new AbortController();
    fetchData(ac.signal).then(
      (data) => {
        if (!ac.signal.aborted) setAnswer({ key: requestKey, state: { kind: 'ok', data, loading: false } });
      },
      (err: unknown) => {
        if (ac.signal.aborted) return;
        if (err instanceof UnauthenticatedError) {
          void refreshAuth();
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        setAnswer((a) => ({ key: requestKey, state: { kind: 'error', message, data: a.state.data } }));
      },
    );
    return () => ac.abort();
  }, [requestKey, isLogs, refreshAuth]);

  const height = bodyHeight(panel.type, ctx.compact);
  const links = panel.links ?? [];
  const data = state.kind === 'ok' ? state.data : undefined;

  const onSeriesClick = useCallback((labels: Record<string, string>, name: string) => {
    const el = frameRef.current;
    if (!el) return;
    const frame = el.getBoundingClientRect();
    // The menu is about 220 px wide: keep it inside the panel.
    const x = Math.max(4, Math.min(pointer.current.x - frame.left, el.clientWidth - 220));
    setDrill({ x, y: pointer.current.y - frame.top, labels, name });
  }, []);

  const follow = async (target: string, labels: Record<string, string>) => {
    setDrill(null);
    setMenuOpen(false);
    const dashId = dashboardTarget(target);
    const targetVariables = dashId ? (await targetDashboard(dashId))?.variables : undefined;
    const link = resolveLink(target, {
      labels,
      expr: exprs[0] ?? '',
      time: ctx.time,
      range: ctx.range,
      selections: ctx.selections,
      ...(targetVariables && { targetVariables }),
    });
    if (link.external) window.open(link.href, '_blank', 'noopener');
    else void navigate(link.href);
  };

  const exportCsv = () => {
    setMenuOpen(false);
    if (!data) return;
    const csv = data.series.length > 0 ? seriesToCsv(data.series) : samplesToCsv(data.samples);
    download(new Blob([csv], { type: 'text/csv;charset=utf-8' }), `${safeFilename(panel.title)}.csv`);
  };
  const exportPng = async () => {
    setMenuOpen(false);
    if (!bodyRef.current) return;
    download(await panelPng(bodyRef.current, panel.title), `${safeFilename(panel.title)}.png`);
  };

  const Renderer = isLogs ? undefined : RENDERERS[panel.type as Exclude<PanelType, 'logs'>];
  const explorable = !isLogs;
  const shownQueries = panel.queries.map((q) => q.expr).join('\n');

  let body: React.ReactNode;
  if (isLogs) body = <LogsPanel panel={panel} />;
  else if (state.kind === 'error')
    body = (
      <div className="wk-panel-state wk-panel-error" role="alert">
        <b>Query failed</b>
        <span>{state.message}</span>
      </div>
    );
  else if (state.kind === 'loading')
    body = (
      <div className="wk-panel-state">
        <span className="wk-spinner" aria-hidden="true" /> Loading…
      </div>
    );
  else if (isEmpty(state.data))
    body = (
      <div className="wk-panel-state wk-panel-empty">
        <b>No data in this time range</b>
        <span className="wk-muted">Try a longer range or other variable values.</span>
      </div>
    );
  else if (Renderer)
    body = (
      <Suspense
        fallback={
          <div className="wk-panel-state">
            <span className="wk-spinner" aria-hidden="true" /> Loading chart…
          </div>
        }
      >
        <Renderer
          panel={panel}
          data={state.data}
          height={height}
          range={ctx.range}
          stepSec={stepSec}
          compact={ctx.compact}
          {...(links.length > 0 && { onSeriesClick })}
        />
      </Suspense>
    );

  const busy = state.kind === 'loading' || (state.kind === 'ok' && state.loading);
  return (
    <section
      ref={frameRef}
      className={`wk-panel wk-panel-${panel.type}${panel.width > 6 ? ' wk-wide' : ''}`}
      style={{ '--wk-span': panel.width } as React.CSSProperties}
      data-panel-id={panel.id}
      data-state={isLogs ? 'logs' : state.kind === 'ok' ? (isEmpty(state.data) ? 'empty' : 'ok') : state.kind}
      onPointerDownCapture={(e) => (pointer.current = { x: e.clientX, y: e.clientY })}
    >
      <header className="wk-panel-head">
        <h3 title={panel.title}>{panel.title}</h3>
        {busy && state.kind === 'ok' && <span className="wk-spinner wk-spinner-small" title="Refreshing" />}
        {data && data.warnings.length > 0 && (
          <span className="wk-warn" title={data.warnings.join('\n')}>
            <WarningIcon />
          </span>
        )}
        <div className="wk-pop-anchor" ref={helpRef}>
          <button
            type="button"
            className="wk-icon-btn"
            aria-label={`About ${panel.title}`}
            aria-expanded={helpOpen}
            onClick={() => setHelpOpen((o) => !o)}
          >
            <InfoIcon />
          </button>
          {helpOpen && (
            <div className="wk-popover wk-help" role="dialog" aria-label="Panel help">
              <p>{panel.help}</p>
              <p className="wk-help-label">Query</p>
              <pre>{shownQueries}</pre>
              {panel.plan_query && panel.plan_query.trim() !== shownQueries.trim() && (
                <>
                  <p className="wk-help-label">The plan's query (as written)</p>
                  <pre>{panel.plan_query}</pre>
                </>
              )}
            </div>
          )}
        </div>
        <div className="wk-pop-anchor" ref={menuRef}>
          <button
            type="button"
            className="wk-icon-btn"
            aria-label={`Menu of ${panel.title}`}
            aria-expanded={menuOpen}
            onClick={() => setMenuOpen((o) => !o)}
          >
            <MenuIcon />
          </button>
          {menuOpen && (
            <div className="wk-popover wk-menu" role="menu">
              <button type="button" role="menuitem" disabled={!data} onClick={exportCsv}>
                Export CSV
              </button>
              <button type="button" role="menuitem" disabled={!data && !isLogs} onClick={() => void exportPng()}>
                Export PNG
              </button>
              {explorable && (
                <button type="button" role="menuitem" onClick={() => void follow('explore', {})}>
                  Open in Explore
                </button>
              )}
              {links
                // Links that take values from a clicked series are offered on the series, not here.
                .filter((l) => l.target !== 'explore' && !l.target.includes('${'))
                .map((l, i) => (
                  <button key={i} type="button" role="menuitem" onClick={() => void follow(l.target, {})}>
                    {l.title}
                  </button>
                ))}
            </div>
          )}
        </div>
      </header>
      <div
        className="wk-panel-body"
        ref={bodyRef}
        style={{ minHeight: ['table', 'leaderboard', 'status_grid'].includes(panel.type) ? 120 : height }}
      >
        {body}
      </div>
      {drill && (
        <div className="wk-popover wk-drill" ref={drillRef} role="menu" style={{ left: drill.x, top: drill.y + 8 }}>
          {drill.name && <p className="wk-drill-name">{drill.name}</p>}
          {links.map((l, i) => (
            <button key={i} type="button" role="menuitem" onClick={() => void follow(l.target, drill.labels)}>
              {interpolateLink(l.title, drill.labels, false)} →
            </button>
          ))}
        </div>
      )}
    </section>
  );
}
