/**
 * Log in: username and password against POST /api/wk/login (through the auth context), then on
 * to `next` (only a path inside the UI, never another site). Works on a phone: one column, large
 * inputs, the right autocomplete hints for password managers.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError } from '../../api';
import { useAuth } from '../../auth';
import './login.css';

/** `next` when it is a same-origin path (`/dashboards/x?y`), else the default page. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/login')) return '/';
  return next;
}

export function LoginPage() {
  const { me, login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    document.title = 'Log in · Watchkeeper';
    return () => {
      document.title = 'Watchkeeper';
    };
  }, []);

  if (me) return <Navigate to={next} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
      void navigate(next, { replace: true });
    } catch (err) {
      setPassword('');
      if (err instanceof ApiError) {
        if (err.status === 429) setError(`Too many attempts. ${err.message}`);
        else if (err.status === 401 || err.status === 403) setError(err.message || 'Wrong username or password.');
        else setError(`Login failed: ${err.message}`);
      } else if (err instanceof Error && err.name === 'UnauthenticatedError') {
        setError('Wrong username or password.');
      } else {
        setError(`Login failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="wk-login">
      <form className="wk-login-card" onSubmit={(e) => void submit(e)} noValidate>
        <h1>
          <span aria-hidden="true">⚓</span> Watchkeeper
        </h1>
        <p className="wk-login-sub">Monitoring for the SMS portal</p>
        {error && (
          <p className="wk-login-error" role="alert">
            {error}
          </p>
        )}
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            required
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy || username.trim() === '' || password === ''}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p className="wk-login-help">
          The first start of the server prints an <code>admin</code> password once; administrators create other users.
        </p>
      </form>
    </div>
  );
}
