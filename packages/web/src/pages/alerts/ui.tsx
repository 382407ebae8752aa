/** Small pieces the alerts page's sections share. */
import type { ReactNode } from 'react';
import { errorText } from './alerts-api';
import { severityOf, type Severity } from './grouping';
import type { LabelSet } from './types';

export function SeverityBadge({ labels }: { labels: LabelSet }) {
  const s = severityOf(labels);
  return <span className={`wk-al-sev wk-al-sev-${s}`}>{labels['severity'] ?? 'no severity'}</span>;
}

export function severityClass(s: Severity): string {
  return `wk-al-sevline-${s}`;
}

/** Label chips, leaving out `hide` (shown elsewhere on the card). */
export function LabelChips({ labels, hide = [] }: { labels: LabelSet; hide?: readonly string[] }) {
  const keys = Object.keys(labels)
    .filter((k) => !hide.includes(k))
    .sort();
  if (keys.length === 0) return null;
  return (
    <ul className="wk-al-labels" aria-label="Labels">
      {keys.map((k) => (
        <li key={k} className="wk-al-label">
          <span className="wk-al-label-name">{k}</span>=<span className="wk-al-label-value">{labels[k]}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * Loading, error and empty states of one section. With data and an error (a refresh failed), the
 * data is shown under a warning.
 */
export function SectionState({
  loading,
  error,
  hasData,
  empty,
  emptyText,
  onRetry,
  children,
}: {
  loading: boolean;
  error: unknown;
  hasData: boolean;
  empty: boolean;
  emptyText: ReactNode;
  onRetry: () => void;
  children: ReactNode;
}) {
  if (!hasData) {
    if (error !== undefined) {
      return (
        <div className="wk-al-error" role="alert">
          Could not load: {errorText(error)}{' '}
          <button type="button" className="wk-al-btn wk-al-btn-small" onClick={onRetry}>
            Retry
          </button>
        </div>
      );
    }
    if (loading) return <p className="wk-loading wk-al-loading">Loading…</p>;
  }
  return (
    <>
      {error !== undefined && hasData && (
        <div className="wk-al-error wk-al-error-stale" role="alert">
          Refresh failed ({errorText(error)}); showing earlier data.{' '}
          <button type="button" className="wk-al-btn wk-al-btn-small" onClick={onRetry}>
            Retry
          </button>
        </div>
      )}
      {empty ? <div className="wk-al-empty">{emptyText}</div> : children}
    </>
  );
}
