/** The dashboards this user may see (the server leaves out the ones they may not). */
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { apiFetch, UnauthenticatedError } from '../../api';
import { useAuth } from '../../auth';
import type { DashboardSummary } from '../../model';
import './dashboards.css';

type Load = { kind: 'loading' } | { kind: 'ok'; list: DashboardSummary[] } | { kind: 'error'; message: string };

export function DashboardList() {
  const { refresh } = useAuth();
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  useEffect(() => {
    let live = true;
    apiFetch<{ data: DashboardSummary[] }>('/api/wk/dashboards').then(
      (r) => live && setLoad({ kind: 'ok', list: r.data }),
      (err: unknown) => {
        if (!live) return;
        if (err instanceof UnauthenticatedError) return void refresh();
        setLoad({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      live = false;
    };
  }, [refresh]);

  return (
    <div className="wk-dash-list">
      <h1>Dashboards</h1>
      {load.kind === 'loading' && <p className="wk-loading">Loading…</p>}
      {load.kind === 'error' && (
        <p className="wk-form-error" role="alert">
          The dashboards could not be loaded: {load.message}
        </p>
      )}
      {load.kind === 'ok' && load.list.length === 0 && (
        <p className="wk-muted">No dashboards are configured (config/dashboards/*.yml), or none is visible to you.</p>
      )}
      {load.kind === 'ok' && load.list.length > 0 && (
        <ul className="wk-cards">
          {load.list.map((d) => (
            <li key={d.id}>
              <Link to={`/dashboards/${encodeURIComponent(d.id)}`} className="wk-card">
                <span className="wk-card-title">
                  {d.title}
                  {d.access === 'restricted_internal' && (
                    <span className="wk-badge wk-badge-internal">internal only</span>
                  )}
                </span>
                <span className="wk-card-desc">{d.description}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
