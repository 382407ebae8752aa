/**
 * One scrape's HTTP request, as Prometheus 2.42 sends it: its Accept header, gzip, the
 * configured authentication (credential files read at every scrape), the body size limit and
 * Prometheus's error texts. Failures are `ScrapeError`s: the loop turns them into up=0.
 */
import { readFile } from 'node:fs/promises';
import type { ResolvedScrapeConfig } from '../../config/index.js';
import type { ScrapeFailureReason } from './metrics.js';

/** The Accept header of Prometheus 2.42: OpenMetrics first, then the text format 0.0.4. */
export const SCRAPE_ACCEPT_HEADER =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,' +
  'text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** A failed scrape: a stable code, the reason label for metrics, and Prometheus's message. */
export class ScrapeError extends Error {
  readonly code: string;
  readonly reason: ScrapeFailureReason;

  constructor(reason: ScrapeFailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScrapeError';
    this.reason = reason;
    this.code = `WK_SCRAPE_${reason.toUpperCase().replace(/-/g, '_')}`;
  }
}

export interface ScrapeRequest {
  url: string;
  config: ResolvedScrapeConfig;
  timeoutMs: number;
  /** Aborts the request (timeout or the target going away). */
  signal: AbortSignal;
  fetch: typeof fetch;
  userAgent: string;
}

export interface ScrapeResponse {
  body: Uint8Array;
  contentType: string | undefined;
}

/**
 * Fetches a target's metrics. Rejects with a `ScrapeError` for a non-200 status, a body that
 * reaches `body_size_limit` (after gzip decoding), unreadable credential files, and anything the
 * fetch itself throws (network errors, aborts: the caller decides whether an abort was a timeout).
 */
export async function fetchMetrics(req: ScrapeRequest): Promise<ScrapeResponse> {
  const headers: Record<string, string> = {
    Accept: SCRAPE_ACCEPT_HEADER,
    'Accept-Encoding': 'gzip',
    'User-Agent': req.userAgent,
    'X-Prometheus-Scrape-Timeout-Seconds': String(req.timeoutMs / 1000),
  };
  const authorization = await authorizationHeader(req.config);
  if (authorization !== undefined) headers.Authorization = authorization;

  let res: Response;
  try {
    res = await req.fetch(req.url, { headers, signal: req.signal, redirect: 'follow' });
  } catch (err) {
    throw new ScrapeError('network', `Get "${req.url}": ${describeFetchError(err)}`, { cause: err });
  }
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    throw new ScrapeError('http-status', `server returned HTTP status ${res.status} ${res.statusText}`.trimEnd());
  }
  const body = await readLimited(res, req.config.body_size_limit ?? 0, req.url);
  return { body, contentType: res.headers.get('content-type') ?? undefined };
}

/** Reads the body; Prometheus fails a body that reaches the limit (`n >= limit`), 0 = no limit. */
async function readLimited(res: Response, limitBytes: number, url: string): Promise<Uint8Array> {
  if (res.body === null) return new Uint8Array(0);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (limitBytes > 0 && size >= limitBytes) {
        await reader.cancel().catch(() => undefined);
        throw new ScrapeError('body-size-limit', 'body size limit exceeded');
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof ScrapeError) throw err;
    throw new ScrapeError('network', `Get "${url}": ${describeFetchError(err)}`, { cause: err });
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    body.set(c, offset);
    offset += c.byteLength;
  }
  return body;
}

/**
 * The Authorization header from `basic_auth`, `authorization`, `bearer_token` or
 * `bearer_token_file`. Files are read at every scrape and trimmed, as Prometheus does, so that
 * rotated credentials apply without a reload. Basic auth wins when several are configured.
 */
async function authorizationHeader(cfg: ResolvedScrapeConfig): Promise<string | undefined> {
  if (cfg.basic_auth !== undefined) {
    const { username, password, password_file } = cfg.basic_auth;
    const pass = password_file !== undefined ? await readCredentials(password_file, 'basic auth password') : password;
    return `Basic ${Buffer.from(`${username}:${pass ?? ''}`, 'utf8').toString('base64')}`;
  }
  if (cfg.authorization !== undefined) {
    const { type, credentials, credentials_file } = cfg.authorization;
    const secret =
      credentials_file !== undefined
        ? await readCredentials(credentials_file, 'authorization credentials')
        : credentials;
    return secret === undefined || secret === '' ? undefined : `${type} ${secret}`;
  }
  if (cfg.bearer_token !== undefined) return `Bearer ${cfg.bearer_token}`;
  if (cfg.bearer_token_file !== undefined) {
    return `Bearer ${await readCredentials(cfg.bearer_token_file, 'bearer token')}`;
  }
  return undefined;
}

async function readCredentials(file: string, what: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw new ScrapeError('credentials', `unable to read ${what} file ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** undici wraps the reason in `cause` ("fetch failed" → "connect ECONNREFUSED 127.0.0.1:1"). */
function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error && cause.message !== '') return cause.message;
  return err.message;
}
