/** The logged-in user (GET /api/wk/me), login and logout, for every page. */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { apiFetch, UnauthenticatedError } from './api';

export interface Me {
  kind: 'user' | 'token' | 'admin-token' | 'anonymous';
  name: string;
  roles: string[];
  permissions: string[];
}

interface AuthState {
  me: Me | null | undefined; // undefined: still loading; null: not logged in
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  refresh: () => Promise<void>;
  can: (permission: string) => boolean;
}

const AuthContext = createContext<AuthState | undefined>(undefined);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const refresh = useCallback(async () => {
    try {
      setMe((await apiFetch<{ data: Me }>('/api/wk/me')).data);
    } catch (err) {
      if (err instanceof UnauthenticatedError) setMe(null);
      else throw err;
    }
  }, []);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- refresh() sets state only once its request answers
    void refresh();
  }, [refresh]);
  const login = useCallback(
    async (username: string, password: string) => {
      await apiFetch('/api/wk/login', { method: 'POST', body: JSON.stringify({ username, password }) });
      await refresh();
    },
    [refresh],
  );
  const logout = useCallback(async () => {
    await apiFetch('/api/wk/logout', { method: 'POST', body: '{}' });
    setMe(null);
  }, []);
  const can = useCallback((p: string) => me?.permissions.includes(p) ?? false, [me]);
  return <AuthContext.Provider value={{ me, login, logout, refresh, can }}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
