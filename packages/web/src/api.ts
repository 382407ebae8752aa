/**
 * The one way the UI talks to the server: same-origin fetch with the session cookie, the CSRF
 * header on unsafe methods (the double-submit token the server sets in the readable `wk_csrf`
 * cookie at login), and errors as values with the server's message.
 */

/** The server said 401: the session is missing or expired. */
export class UnauthenticatedError extends Error {
  constructor() {
    super('not logged in');
    this.name = 'UnauthenticatedError';
  }
}

/** Any other failure, with the server's message (Prometheus's `error`, or ours). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorType?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function csrfToken(): string | undefined {
  const m = /(?:^|;\s*)wk_csrf=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

/** Fetches JSON; throws UnauthenticatedError on 401 and ApiError on other failures. */
export async function apiFetch<T>(path: string, init: RequestInit = {}): Promise<T> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = csrfToken();
    if (csrf) headers.set('x-csrf-token', csrf);
    if (init.body !== undefined && typeof init.body === 'string' && !headers.has('content-type')) {
      headers.set('content-type', 'application/json');
    }
  }
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  if (res.status === 401) throw new UnauthenticatedError();
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const b = body as { error?: string; errorType?: string; message?: string } | undefined;
    throw new ApiError(res.status, b?.error ?? b?.message ?? (text || res.statusText), b?.errorType);
  }
  return body as T;
}

/** Prometheus API envelope. */
interface PromEnvelope<T> {
  status: 'success' | 'error';
  data: T;
  warnings?: string[];
  infos?: string[];
}

export type Labels = Record<string, string>;
export type SampleValue = [number, string];
export interface VectorSample {
  metric: Labels;
  value: SampleValue;
}
export interface MatrixSeries {
  metric: Labels;
  values: SampleValue[];
}
export type QueryResult =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'scalar'; result: SampleValue }
  | { resultType: 'string'; result: SampleValue };

async function prom<T>(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<PromEnvelope<T>> {
  return apiFetch<PromEnvelope<T>>(path, {
    method: 'POST',
    body: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    ...(signal && { signal }),
  });
}

/** An instant query at `timeSec` (Unix seconds). */
export function queryInstant(expr: string, timeSec: number, signal?: AbortSignal) {
  return prom<QueryResult>('/api/v1/query', { query: expr, time: String(timeSec) }, signal);
}

/** A range query (Unix seconds, step in seconds). */
export function queryRange(expr: string, startSec: number, endSec: number, stepSec: number, signal?: AbortSignal) {
  return prom<QueryResult>(
    '/api/v1/query_range',
    { query: expr, start: String(startSec), end: String(endSec), step: String(stepSec) },
    signal,
  );
}

/** Label values (`GET /api/v1/label/<name>/values`), optionally restricted by series selectors. */
export async function labelValues(name: string, match?: string): Promise<string[]> {
  const q = match ? `?${new URLSearchParams({ 'match[]': match })}` : '';
  const r = await apiFetch<PromEnvelope<string[]>>(`/api/v1/label/${encodeURIComponent(name)}/values${q}`);
  return r.data;
}
