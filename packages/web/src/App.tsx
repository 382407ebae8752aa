/**
 * The application shell: navigation, the login gate and the routes. Pages live in pages/<area>/;
 * each fetches through api.ts and shows loading, empty and error states itself.
 */
import { lazy, Suspense } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router-dom';
import { AuthProvider, useAuth } from './auth';
import { DashboardList } from './pages/dashboards/DashboardList';
import { LoginPage } from './pages/login/LoginPage';

// Pages with heavy dependencies (charts, the PromQL editor) are separate chunks, loaded on first
// visit: the login page and the dashboard list stay small on a phone.
const DashboardPage = lazy(() =>
  import('./pages/dashboards/DashboardPage').then((m) => ({ default: m.DashboardPage })),
);
const ExplorePage = lazy(() => import('./pages/explore/ExplorePage').then((m) => ({ default: m.ExplorePage })));
const AlertsPage = lazy(() => import('./pages/alerts/AlertsPage').then((m) => ({ default: m.AlertsPage })));

export function App() {
  return (
    <AuthProvider>
      <Shell />
    </AuthProvider>
  );
}

function Shell() {
  const { me, logout } = useAuth();
  const location = useLocation();
  if (me === undefined) return <p className="wk-loading">Loading…</p>;
  if (me === null && location.pathname !== '/login') {
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  return (
    <div className="wk-app">
      {me && (
        <header className="wk-nav">
          <span className="wk-brand">⚓ Watchkeeper</span>
          <nav>
            <NavLink to="/dashboards">Dashboards</NavLink>
            <NavLink to="/explore">Explore</NavLink>
            <NavLink to="/alerts">Alerts</NavLink>
          </nav>
          <span className="wk-user">
            {me.name} ({me.roles.join(', ')})
            <button type="button" onClick={() => void logout()}>
              Log out
            </button>
          </span>
        </header>
      )}
      <main>
        <Suspense fallback={<p className="wk-loading">Loading…</p>}>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route path="/" element={<Navigate to="/dashboards/executive" replace />} />
            <Route path="/dashboards" element={<DashboardList />} />
            <Route path="/dashboards/:id" element={<DashboardPage />} />
            <Route path="/explore" element={<ExplorePage />} />
            <Route path="/alerts" element={<AlertsPage />} />
            <Route path="*" element={<p>Not found.</p>} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}
