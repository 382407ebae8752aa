/** Polling and clock hooks of the alerts page. */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data: T | undefined;
  /** The last attempt's error (the data, if any, is from an earlier success). */
  error: unknown;
  loading: boolean;
  /** When the data was fetched (ms). */
  updatedAtMs: number | undefined;
  reload: () => void;
}

/**
 * Fetches now and every `intervalMs`, while the tab is visible; a failed refresh keeps the last
 * data and reports the error beside it. A change of `key` refetches at once and drops the old data.
 */
export function usePolled<T>(fetcher: (signal: AbortSignal) => Promise<T>, intervalMs: number, key = ''): Polled<T> {
  const [state, setState] = useState<Omit<Polled<T>, 'reload'>>({
    data: undefined,
    error: undefined,
    loading: true,
    updatedAtMs: undefined,
  });
  const [tick, setTick] = useState(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const lastKey = useRef(key);

  useEffect(() => {
    const ctrl = new AbortController();
    const keyChanged = lastKey.current !== key;
    lastKey.current = key;
    setState((s) =>
      keyChanged
        ? { data: undefined, error: undefined, loading: true, updatedAtMs: undefined }
        : { ...s, loading: true },
    );
    fetcherRef.current(ctrl.signal).then(
      (data) => {
        if (!ctrl.signal.aborted) setState({ data, error: undefined, loading: false, updatedAtMs: Date.now() });
      },
      (error: unknown) => {
        if (!ctrl.signal.aborted) setState((s) => ({ ...s, error, loading: false }));
      },
    );
    return () => ctrl.abort();
  }, [tick, key]);

  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, intervalMs);
    const onVisible = () => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(id);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [intervalMs]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** The current time, updated every `everyMs` (for "5m ago" labels). */
export function useNow(everyMs = 10_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
