/**
 * The HTTP side of the webhook, Slack, PagerDuty and SMS notifiers: a JSON POST with
 * `http_config`'s authentication, aborted by the context's signal, and its result as an outcome
 * (2xx ok; network errors, 5xx and 429 retried; other statuses not).
 *
 * `http_config` support: `basic_auth` (password or password_file), `authorization` (and
 * `bearer_token(_file)`, which the config moves there), `follow_redirects`. `tls_config` and
 * `enable_http2` are ignored: requests use Node's fetch with the system's CAs over HTTP/1.1.
 * `oauth2` and `proxy_url` are refused at setup (`assertSupportedHttpConfig`).
 */
import type { HttpClientConfig } from '../config/http-config.js';
import { NotifierSetupError } from './errors.js';
import type { IntegrationKind, NotifyOutcome } from './notifier.js';
import { OK, describeError, failed } from './render.js';
import type { SecretMasker } from './secrets.js';

/** What the HTTP notifiers need from outside. */
export interface HttpNotifierDeps {
  readonly fetch: typeof globalThis.fetch;
  /** Reads a `*_file` (credentials, URLs); its content is trimmed by the caller. */
  readonly readFile: (path: string) => Promise<string>;
  readonly userAgent: string;
}

export interface PostRequest {
  readonly kind: IntegrationKind;
  readonly url: string;
  /** How the URL appears in errors (a secret URL shows its host only). */
  readonly displayUrl: string;
  readonly body: string;
  readonly httpConfig: HttpClientConfig | undefined;
  readonly signal: AbortSignal;
  readonly masker: SecretMasker;
  /** The details of an error response for the message (PagerDuty's 400 body); default: the body's start. */
  readonly errorDetails?: (status: number, body: string) => string;
  /** Statuses retried besides 5xx and 429 (PagerDuty's v1 API rate-limits with 403). */
  readonly retryStatuses?: readonly number[];
}

/** Characters of an error response's body kept in the outcome. */
const MAX_ERROR_BODY_CHARS = 512;
/** Bytes of a response read at most (the rest is discarded; a receiver cannot make us buffer more). */
const MAX_RESPONSE_BYTES = 64 * 1024;

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= maxBytes) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

/** Refuses `http_config` features the notifiers do not implement. @throws NotifierSetupError */
export function assertSupportedHttpConfig(config: HttpClientConfig | undefined, path: string): void {
  if (config?.oauth2) {
    throw new NotifierSetupError(
      `${path}.oauth2`,
      'OAuth 2.0 is not supported by Watchkeeper notifiers; use authorization (a bearer token) or basic_auth',
    );
  }
  if (config?.proxy_url !== undefined) {
    throw new NotifierSetupError(
      `${path}.proxy_url`,
      'HTTP proxies are not supported by Watchkeeper notifiers; remove proxy_url or reach the receiver directly',
    );
  }
}

/** Reads a secret file: trimmed content, or an error message that names the file (never its content). */
export async function readSecretFile(
  deps: Pick<HttpNotifierDeps, 'readFile'>,
  path: string,
): Promise<{ ok: true; value: string } | { ok: false; error: string }> {
  try {
    return { ok: true, value: (await deps.readFile(path)).trim() };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { ok: false, error: `cannot read ${path}${typeof code === 'string' ? ` (${code})` : ''}` };
  }
}

interface Credentials {
  readonly authorization?: string;
  readonly secrets: readonly string[];
}

async function credentials(
  deps: HttpNotifierDeps,
  config: HttpClientConfig | undefined,
): Promise<{ ok: true; value: Credentials } | { ok: false; error: string }> {
  if (config?.basic_auth) {
    const { username, password, password_file } = config.basic_auth;
    let pass = password;
    if (password_file !== '') {
      const r = await readSecretFile(deps, password_file);
      if (!r.ok) return r;
      pass = r.value;
    }
    const token = Buffer.from(`${username}:${pass}`).toString('base64');
    return { ok: true, value: { authorization: `Basic ${token}`, secrets: [pass, token] } };
  }
  if (config?.authorization) {
    const { type, credentials: creds, credentials_file } = config.authorization;
    let value = creds;
    if (credentials_file !== '') {
      const r = await readSecretFile(deps, credentials_file);
      if (!r.ok) return r;
      value = r.value;
    }
    return { ok: true, value: { authorization: `${type} ${value}`, secrets: [value] } };
  }
  return { ok: true, value: { secrets: [] } };
}

/** POSTs a JSON body; never throws. */
export async function postJson(deps: HttpNotifierDeps, req: PostRequest): Promise<NotifyOutcome> {
  const creds = await credentials(deps, req.httpConfig);
  // A credentials file that cannot be read is retried, as Alertmanager's round tripper does:
  // mounted secrets may appear or be rotated.
  if (!creds.ok) return failed(req.kind, req.masker, true, `POST ${req.displayUrl}: ${creds.error}`);
  const masker = req.masker.with(...creds.value.secrets);

  let target: URL;
  try {
    target = new URL(req.url);
  } catch {
    return failed(req.kind, masker, false, `invalid URL ${req.displayUrl}`);
  }
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': deps.userAgent,
  };
  if (creds.value.authorization !== undefined) headers['Authorization'] = creds.value.authorization;
  if (target.username !== '' || target.password !== '') {
    // fetch refuses URLs with credentials; Go's client sends them as basic auth.
    const user = decodeURIComponent(target.username);
    const pass = decodeURIComponent(target.password);
    headers['Authorization'] ??= `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    masker.addBasicAuth(user, pass);
    target.username = '';
    target.password = '';
  }

  let response: Response;
  let text: string;
  try {
    response = await deps.fetch(target, {
      method: 'POST',
      headers,
      body: req.body,
      signal: req.signal,
      redirect: req.httpConfig?.follow_redirects === false ? 'manual' : 'follow',
    });
    text = await readLimited(response, MAX_RESPONSE_BYTES);
  } catch (err) {
    const reason = req.signal.aborted ? `aborted (${describeError(req.signal.reason)})` : describeError(err);
    return failed(req.kind, masker, true, `POST ${req.displayUrl}: ${reason}`);
  }

  const status = response.status;
  if (status >= 200 && status < 300) return OK;
  const retry = status >= 500 || status === 429 || (req.retryStatuses?.includes(status) ?? false);
  const details = req.errorDetails
    ? req.errorDetails(status, text)
    : text.trim().slice(0, MAX_ERROR_BODY_CHARS).replace(/\s+/g, ' ');
  return failed(
    req.kind,
    masker,
    retry,
    `POST ${req.displayUrl}: unexpected status code ${status}${details !== '' ? `: ${details}` : ''}`,
  );
}

/** Registers the inline secrets of an `http_config` (file contents are added per request). */
export function addHttpConfigSecrets(masker: SecretMasker, config: HttpClientConfig | undefined): SecretMasker {
  if (config?.basic_auth) masker.addBasicAuth(config.basic_auth.username, config.basic_auth.password);
  if (config?.authorization) masker.add(config.authorization.credentials);
  return masker;
}
