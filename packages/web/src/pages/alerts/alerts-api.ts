/** The alerts page's requests (through api.ts: session cookie, CSRF header, errors as ApiError). */
import { ApiError, apiFetch, UnauthenticatedError } from '../../api';
import type {
  AlertingRuleSummary,
  AmAlertGroup,
  Incident,
  IncidentState,
  PostableSilence,
  RuleAlert,
  Silence,
} from './types';

export function fetchRuleAlerts(signal?: AbortSignal): Promise<RuleAlert[]> {
  return apiFetch<{ data: { alerts: RuleAlert[] } }>('/api/v1/alerts', opts(signal)).then((r) => r.data.alerts);
}

/** Alerting rules' `for` by rule name, for the pending alerts' countdown. */
export function fetchRuleHoldDurations(signal?: AbortSignal): Promise<Map<string, number>> {
  return apiFetch<{ data: { groups: { rules: AlertingRuleSummary[] }[] } }>(
    '/api/v1/rules?type=alert',
    opts(signal),
  ).then((r) => {
    const out = new Map<string, number>();
    for (const g of r.data.groups)
      for (const rule of g.rules) if (rule.type === 'alerting') out.set(rule.name, rule.duration);
    return out;
  });
}

export function fetchAlertGroups(signal?: AbortSignal): Promise<AmAlertGroup[]> {
  return apiFetch<AmAlertGroup[]>('/api/v2/alerts/groups', opts(signal));
}

export function fetchSilences(signal?: AbortSignal): Promise<Silence[]> {
  return apiFetch<Silence[]>('/api/v2/silences', opts(signal));
}

export async function createSilence(body: PostableSilence): Promise<string> {
  const r = await apiFetch<{ silenceID: string }>('/api/v2/silences', { method: 'POST', body: JSON.stringify(body) });
  return r.silenceID;
}

export async function expireSilence(id: string): Promise<void> {
  await apiFetch<unknown>(`/api/v2/silence/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function fetchIncidents(state: IncidentState | 'open', signal?: AbortSignal): Promise<Incident[]> {
  return apiFetch<{ data: Incident[] }>(
    `/api/wk/incidents?${new URLSearchParams({ state, limit: '100' })}`,
    opts(signal),
  ).then((r) => r.data);
}

export async function acknowledgeIncident(id: number, by: string, comment: string): Promise<Incident> {
  const body: { by: string; comment?: string } = { by };
  if (comment.trim() !== '') body.comment = comment.trim();
  const r = await apiFetch<{ data: Incident }>(`/api/wk/incidents/${id}/acknowledge`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return r.data;
}

function opts(signal?: AbortSignal): RequestInit {
  return signal ? { signal } : {};
}

/**
 * An error in words for the page. Alertmanager's errors are a JSON string or go-swagger's
 * `{code, message}`; api.ts keeps the raw text of the former, quotes included.
 */
export function errorText(err: unknown): string {
  if (err instanceof UnauthenticatedError) return 'Your session has ended: log in again.';
  if (err instanceof ApiError) {
    let m = err.message;
    if (m.startsWith('"')) {
      try {
        const parsed: unknown = JSON.parse(m);
        if (typeof parsed === 'string') m = parsed;
      } catch {
        // not JSON after all: keep the text
      }
    }
    if (err.status === 403) return `Not allowed: ${m}`;
    return m === '' ? `HTTP ${err.status}` : m;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
