/**
 * The web UI (packages/web, built by Vite into packages/web/dist) at `/`:
 * - files of the build are served as they are; hashed assets (`/assets/*`) are cached for a year
 *   (their names change with their content), everything else revalidates (`no-cache`);
 * - any other GET of a page path (not `/api/`, `/-/`, `/metrics`, the ingest protocols, and not a
 *   file name with an extension) answers `index.html`, so that the UI's own routes
 *   (`/dashboards/executive?from=now-7d`) work on reload and from shared links;
 * - without a build, a page that says how to make one.
 *
 * The files are public: the login page has to load before anyone is logged in. The data is not:
 * every API the UI calls is behind the access hook (auth.ts).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface WebUiOptions {
  /** The folder of the built UI. @default packages/web/dist, found relative to this package */
  root?: string;
}

/** packages/server/{src,dist}/http → packages/web/dist. */
export const DEFAULT_WEB_UI_ROOT = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Paths that belong to the server's APIs and never fall back to the UI. */
const SERVER_PREFIXES = ['/api/', '/-/', '/metrics', '/v1/', '/loki/', '/internal/'];

export function isServerPath(urlPath: string): boolean {
  return urlPath === '/api' || SERVER_PREFIXES.some((p) => urlPath === p.replace(/\/$/, '') || urlPath.startsWith(p));
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * What the UI's page may do: only this origin's scripts and APIs. Inline styles are allowed (the
 * chart libraries position their tooltips with them); `data:`/`blob:` images are the PNG export.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY');
}

export function renderNotBuiltPage(root: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Watchkeeper: the web UI is not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:40rem;padding:0 1rem;color:#1d2733}code{background:#eef1f5;padding:.1rem .3rem;border-radius:3px}</style>
</head><body>
<h1>⚓ Watchkeeper is running, but its web UI is not built</h1>
<p>The server serves the UI from <code>${esc(root)}</code>, which has no <code>index.html</code>.
Build it from the repository's root with</p>
<pre><code>npm run build</code></pre>
<p>(or only the UI: <code>npm run build -w @watchkeeper/web</code>), then reload this page.</p>
<p>The APIs work without it: <a href="/api/v1/targets">/api/v1/targets</a>, <a href="/-/healthy">/-/healthy</a>, <a href="/metrics">/metrics</a>.</p>
</body></html>
`;
}

/** The file of the build a URL path names, or undefined (outside the root, a folder, absent). */
function fileFor(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const rel = path.posix.normalize(decoded).replace(/^\/+/, '');
  if (rel === '' || rel.startsWith('..')) return undefined;
  const abs = path.join(root, rel);
  if (!abs.startsWith(root)) return undefined;
  try {
    return statSync(abs).isFile() ? rel : undefined;
  } catch {
    return undefined;
  }
}

export async function registerWebUi(app: FastifyInstance, opts: WebUiOptions = {}): Promise<void> {
  const root = path.resolve(opts.root ?? DEFAULT_WEB_UI_ROOT) + path.sep;
  // Only reply.sendFile() (with ranges, ETag, Last-Modified); the routing is below.
  await app.register(fastifyStatic, { root, serve: false, wildcard: false, index: false });

  const built = () => existsSync(path.join(root, 'index.html'));
  const sendIndex = (reply: FastifyReply) => {
    if (!built()) {
      return pageHeaders(reply)
        .code(503)
        .header('cache-control', 'no-store')
        .header('content-type', 'text/html; charset=utf-8')
        .send(renderNotBuiltPage(root));
    }
    return pageHeaders(reply).header('cache-control', REVALIDATE).sendFile('index.html', { cacheControl: false });
  };

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const urlPath = req.url.split('?', 1)[0]!;
    if (isServerPath(urlPath)) return reply.callNotFound();
    const rel = fileFor(root, urlPath);
    if (rel === 'index.html') return sendIndex(reply);
    if (rel !== undefined) {
      reply.header('cache-control', rel.startsWith('assets/') ? IMMUTABLE : REVALIDATE);
      reply.header('x-content-type-options', 'nosniff');
      return reply.sendFile(rel, { cacheControl: false });
    }
    // A missing file (`/assets/old-hash.js`, `/favicon.ico`) is a 404; a page path is the UI's.
    if (/\.[a-z0-9]{1,8}$/i.test(urlPath)) return reply.callNotFound();
    return sendIndex(reply);
  };
  app.get('/', handler);
  app.get('/*', handler);
}
