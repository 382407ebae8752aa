/** The explore page's recent queries, newest first, kept in localStorage. */

const KEY = 'wk.explore.history';
export const HISTORY_MAX = 25;

/** `query` put first, its older copies dropped, at most `max` entries. */
export function addToHistory(history: readonly string[], query: string, max = HISTORY_MAX): string[] {
  const q = query.trim();
  if (q === '') return [...history];
  return [q, ...history.filter((h) => h !== q)].slice(0, max);
}

export function loadHistory(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): string[] {
  try {
    const raw = storage?.getItem(KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string').slice(0, HISTORY_MAX) : [];
  } catch {
    return [];
  }
}

export function saveHistory(
  history: readonly string[],
  storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage,
): void {
  try {
    storage?.setItem(KEY, JSON.stringify(history));
  } catch {
    // Private mode or a full quota: history is a convenience, not worth an error.
  }
}
