/**
 * The page at `/`: what Watchkeeper scrapes and how each target is doing, with links to the
 * query API. Server-rendered and dependency-free; the web UI (packages/web) replaces it.
 */
import type { FastifyInstance } from 'fastify';

interface TargetView {
  labels?: Record<string, string>;
  scrapeUrl?: string;
  health?: string;
  lastError?: string;
  lastScrape?: string;
}

const EXAMPLE_QUERIES = [
  'up',
  'sum(rate(sms_parts_quotes_requested_total[5m]))',
  'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le, endpoint))',
  'sum(sms_mrr_dollars)',
  'sum(rate(http_requests_total[5m])) by (job, status)',
];

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderLandingPage(version: string, targets: readonly TargetView[]): string {
  const rows = targets
    .map((t) => {
      const health = t.health ?? 'unknown';
      return `<tr><td>${escapeHtml(t.labels?.job ?? '')}</td><td>${escapeHtml(t.scrapeUrl ?? '')}</td><td class="${escapeHtml(health)}">${escapeHtml(health)}</td><td>${escapeHtml(t.lastScrape ?? '')}</td><td>${escapeHtml(t.lastError ?? '')}</td></tr>`;
    })
    .join('\n');
  const queries = EXAMPLE_QUERIES.map(
    (q) => `<li><a href="/api/v1/query?query=${encodeURIComponent(q)}"><code>${escapeHtml(q)}</code></a></li>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Watchkeeper</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b2733}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d5dde5;padding:.35rem .5rem;text-align:left;font-size:14px}
.up{color:#1a7f37;font-weight:600}.down{color:#c62828;font-weight:600}.unknown{color:#8a6d00}
form{margin:1rem 0}.scroll{overflow-x:auto}input[type=text]{width:min(40rem,90%);padding:.4rem;font-family:monospace}
</style></head><body>
<h1>Watchkeeper <small>${escapeHtml(version)}</small></h1>
<form action="/api/v1/query" method="get"><input type="text" name="query" placeholder="PromQL, e.g. up" aria-label="PromQL query"> <button>Query</button></form>
<h2>Targets</h2>
<div class="scroll"><table><thead><tr><th>Job</th><th>Endpoint</th><th>State</th><th>Last scrape</th><th>Error</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="5">No scrape targets configured.</td></tr>'}
</tbody></table></div>
<h2>Example queries</h2><ul>${queries}</ul>
<p>APIs: <a href="/api/v1/targets">targets</a> · <a href="/api/v1/labels">labels</a> · <a href="/api/v1/status/tsdb">tsdb status</a> · <a href="/metrics">self-metrics</a></p>
</body></html>
`;
}

export function registerLandingPage(
  app: FastifyInstance,
  version: string,
  targets: () => { activeTargets: unknown[] },
): void {
  app.get('/', async (_req, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .send(renderLandingPage(version, targets().activeTargets as TargetView[])),
  );
}
