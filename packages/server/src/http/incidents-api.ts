/**
 * Watchkeeper's incident API (incidents/):
 * - `GET /api/wk/incidents[?state=open|triggered|acknowledged|resolved&limit=N]` and
 *   `GET /api/wk/incidents/{id}`: incidents with state, level, alerts and history;
 * - `POST /api/wk/incidents/{id}/acknowledge` (JSON or form: `by`, `comment`);
 * - `GET /api/wk/ack/{token}`: the confirmation page of an acknowledgement link, and
 *   `POST /api/wk/ack/{token}` (its button) acknowledges. A GET never acknowledges: mail
 *   scanners and chat unfurlers open links on their own, and must not stop an escalation;
 * - `POST /api/wk/integrations/pagerduty/webhook`: PagerDuty webhooks v3 (`incident.acknowledged`),
 *   signature checked on the raw body;
 * - `GET /api/wk/suppressions`: suppression rules' state and recent decisions (why alerts were muted).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RestrictedScope, RestrictedSeriesPolicy } from '../access/index.js';
import {
  IncidentNotFoundError,
  IncidentResolvedError,
  type AckLinkOutcome,
  type Incidents,
  type IncidentState,
  type IncidentView,
} from '../incidents/index.js';
import { BadRequestError, sendError } from './errors.js';
import { restrictedScope } from './restricted-scope.js';

export interface IncidentsApiOptions {
  incidents: Pick<
    Incidents,
    | 'list'
    | 'get'
    | 'acknowledge'
    | 'inspectAckLink'
    | 'acknowledgeByLink'
    | 'handlePagerDutyWebhook'
    | 'suppressionStatus'
  >;
}

const STATES: readonly (IncidentState | 'open')[] = ['open', 'triggered', 'acknowledged', 'resolved'];
const JSON_TYPE = { 'content-type': 'application/json' };

const ok = (data: unknown): string => JSON.stringify({ status: 'success', data });

/** Incident errors to statuses; everything else goes to the shared mapping in errors.ts. */
function sendIncidentError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof IncidentNotFoundError || err instanceof IncidentResolvedError) {
    const [status, errorType] = err instanceof IncidentNotFoundError ? [404, 'not_found'] : [409, 'conflict'];
    return reply
      .code(status)
      .headers(JSON_TYPE)
      .send(JSON.stringify({ status: 'error', errorType, error: err.message }));
  }
  return sendError(reply, err);
}

function parseId(raw: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) throw new BadRequestError(`invalid incident id "${raw}"`);
  return Number(raw);
}

type Fields = Record<string, unknown>;

function textField(fields: Fields | undefined, name: string, maxLength: number): string | undefined {
  const v = fields?.[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new BadRequestError(`"${name}" must be a string`);
  if (v.length > maxLength) throw new BadRequestError(`"${name}" is longer than ${maxLength} characters`);
  return v;
}

/**
 * An incident as `scope` may see it: its restricted alerts left out, or undefined when nothing of
 * it may be seen (grouped by a restricted alertname, only restricted alerts, or restricted names
 * anywhere else in it).
 */
function visibleIncident(scope: RestrictedScope, incident: IncidentView): IncidentView | undefined {
  const what = `incident ${incident.id}`;
  if (!scope.showAlert(incident.groupLabels) || !scope.showText(incident.key, what)) return undefined;
  const alerts = incident.alerts.filter((a) => scope.showAlert(a.labels, a.annotations));
  if (alerts.length === incident.alerts.length)
    return scope.showText(JSON.stringify(incident), what) ? incident : undefined;
  if (alerts.length === 0) return undefined;
  const removed = new Set(incident.alerts.filter((a) => !alerts.includes(a)).map((a) => a.fingerprint));
  const view: IncidentView = {
    ...incident,
    alerts,
    history: incident.history.filter((h) => h.fingerprint === undefined || !removed.has(h.fingerprint)),
  };
  return scope.showText(JSON.stringify(view), what) ? view : undefined;
}

/** The incident with `id`, or IncidentNotFoundError when `scope` may not see it (as if it did not exist). */
function visibleIncidentById(
  incidents: IncidentsApiOptions['incidents'],
  scope: RestrictedScope,
  id: number,
): IncidentView {
  const view = visibleIncident(scope, incidents.get(id));
  if (!view) throw new IncidentNotFoundError(id);
  return view;
}

/**
 * `restricted`: for principals without `restricted:read`, incidents of restricted alerts do not
 * exist (list, get, acknowledge: 404), restricted alerts are left out of mixed incidents, and
 * suppression decisions about restricted alerts are left out. Audited. Acknowledgement links
 * (`/api/wk/ack/...`) are capabilities sent only to the incident's receivers and are not filtered.
 */
export function registerIncidentsApi(
  app: FastifyInstance,
  opts: IncidentsApiOptions,
  restricted: RestrictedSeriesPolicy,
): void {
  const { incidents } = opts;

  app.get('/api/wk/incidents', async (req, reply) => {
    const scope = restrictedScope(restricted, req, 'incidents', req.url);
    try {
      const q = req.query as Record<string, string | undefined>;
      const state = q.state;
      if (state !== undefined && !STATES.includes(state as IncidentState)) {
        throw new BadRequestError(`invalid state "${state}": use one of ${STATES.join(', ')}`);
      }
      const limit = q.limit === undefined ? 100 : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new BadRequestError('limit must be an integer from 1 to 1000');
      }
      // Hidden incidents must not shorten the page: read the most there may be, then cut.
      const list = incidents
        .list({ ...(state !== undefined && { state: state as IncidentState | 'open' }), limit: 1000 })
        .flatMap((i) => visibleIncident(scope, i) ?? [])
        .slice(0, limit);
      return reply.headers(JSON_TYPE).send(ok(list));
    } catch (err) {
      return sendIncidentError(reply, err);
    } finally {
      scope.finish();
    }
  });

  app.get('/api/wk/incidents/:id', async (req, reply) => {
    const scope = restrictedScope(restricted, req, 'incident', req.url);
    try {
      const { id } = req.params as { id: string };
      return reply.headers(JSON_TYPE).send(ok(visibleIncidentById(incidents, scope, parseId(id))));
    } catch (err) {
      return sendIncidentError(reply, err);
    } finally {
      scope.finish();
    }
  });

  app.post('/api/wk/incidents/:id/acknowledge', async (req, reply) => {
    const scope = restrictedScope(restricted, req, 'incident_acknowledge', req.url);
    try {
      const { id } = req.params as { id: string };
      const body = (req.body ?? undefined) as Fields | undefined;
      if (body !== undefined && (typeof body !== 'object' || Array.isArray(body))) {
        throw new BadRequestError('the body must be an object: {"by": "...", "comment": "..."}');
      }
      const by = textField(body, 'by', 200) ?? 'api';
      const comment = textField(body, 'comment', 2000);
      visibleIncidentById(incidents, scope, parseId(id));
      const acknowledged = visibleIncident(scope, incidents.acknowledge(parseId(id), by, comment));
      return reply.headers(JSON_TYPE).send(ok(acknowledged));
    } catch (err) {
      return sendIncidentError(reply, err);
    } finally {
      scope.finish();
    }
  });

  app.get('/api/wk/ack/:token', async (req, reply) => {
    const { token } = req.params as { token: string };
    return sendAckPage(reply, incidents.inspectAckLink(token), false);
  });

  app.post('/api/wk/ack/:token', async (req, reply) => {
    const { token } = req.params as { token: string };
    let by: string | undefined;
    try {
      by = textField(req.body as Fields | undefined, 'by', 200);
    } catch {
      by = undefined;
    }
    return sendAckPage(reply, incidents.acknowledgeByLink(token, by ? `${by} (link)` : undefined), true);
  });

  app.get('/api/wk/suppressions', async (req, reply) => {
    const scope = restrictedScope(restricted, req, 'suppressions', req.url);
    try {
      const status = incidents.suppressionStatus();
      const decisions = status.decisions.filter(
        (d) =>
          scope.showAlert(d.labels) && scope.showText(JSON.stringify(d), `suppression decision on ${d.fingerprint}`),
      );
      return await reply.headers(JSON_TYPE).send(ok({ ...status, decisions }));
    } finally {
      scope.finish();
    }
  });

  // The signature covers the raw bytes: this route alone takes its body unparsed.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post('/api/wk/integrations/pagerduty/webhook', async (req: FastifyRequest, reply: FastifyReply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const header = req.headers['x-pagerduty-signature'];
      const outcome = incidents.handlePagerDutyWebhook(raw, Array.isArray(header) ? header.join(',') : header);
      switch (outcome.result) {
        case 'acknowledged':
        case 'ignored':
          return reply.headers(JSON_TYPE).send(ok(outcome));
        case 'bad_signature':
          return reply
            .code(403)
            .headers(JSON_TYPE)
            .send(JSON.stringify({ status: 'error', errorType: 'forbidden', error: outcome.detail }));
        case 'missing_signature':
        case 'malformed':
          return reply
            .code(400)
            .headers(JSON_TYPE)
            .send(JSON.stringify({ status: 'error', errorType: 'bad_data', error: outcome.detail }));
      }
    });
  });
}

const PAGE_STATUS: Record<Exclude<AckLinkOutcome, { ok: true }>['reason'], number> = {
  malformed: 404,
  bad_signature: 403,
  expired: 410,
  not_found: 404,
  resolved: 409,
};

const PAGE_MESSAGE: Record<Exclude<AckLinkOutcome, { ok: true }>['reason'], string> = {
  malformed: 'This is not an acknowledgement link.',
  bad_signature: 'This acknowledgement link is not valid (it was changed, or Watchkeeper’s link key was replaced).',
  expired: 'This acknowledgement link has expired. Acknowledge through the API or a newer notification.',
  not_found: 'The incident of this link no longer exists.',
  resolved: 'The incident is already resolved: there is nothing to acknowledge.',
};

function sendAckPage(reply: FastifyReply, outcome: AckLinkOutcome, acted: boolean): FastifyReply {
  reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    // The token is in the URL: it must not leak to other sites through Referer.
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
  if (!outcome.ok) {
    const body = `<p>${escapeHtml(PAGE_MESSAGE[outcome.reason])}</p>${outcome.incident ? incidentSummary(outcome.incident) : ''}`;
    return reply.code(PAGE_STATUS[outcome.reason]).send(page('Cannot acknowledge', body));
  }
  const incident = outcome.incident;
  if (acted || incident.state === 'acknowledged') {
    const ack = incident.acknowledged;
    const text = ack
      ? `Incident #${incident.id} was acknowledged by ${ack.by} at ${ack.at}. Escalation has stopped.`
      : `Incident #${incident.id} is acknowledged.`;
    return reply.send(page('Acknowledged', `<p>${escapeHtml(text)}</p>${incidentSummary(incident)}`));
  }
  const form =
    `<form method="post"><label>Your name (optional) <input name="by" maxlength="200"></label> ` +
    `<button type="submit">Acknowledge incident #${incident.id}</button></form>` +
    '<p>Acknowledging stops the escalation; the incident stays open until its alerts resolve.</p>';
  return reply.send(page(`Acknowledge incident #${incident.id}?`, `${incidentSummary(incident)}${form}`));
}

function incidentSummary(incident: IncidentView): string {
  const firing = incident.alerts.filter((a) => a.status === 'firing');
  const rows = firing
    .map((a) => {
      const name = a.labels.alertname ?? '';
      const summary = a.annotations.summary ?? a.annotations.description ?? '';
      return `<li><strong>${escapeHtml(name)}</strong> ${escapeHtml(summary)} <small>since ${escapeHtml(a.startsAt)}</small></li>`;
    })
    .join('');
  const labels = Object.entries(incident.groupLabels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
  return (
    `<dl><dt>Incident</dt><dd>#${incident.id} ${escapeHtml(labels)}</dd>` +
    `<dt>Policy</dt><dd>${escapeHtml(incident.policy)}, level ${incident.level}</dd>` +
    `<dt>State</dt><dd>${escapeHtml(incident.state)}</dd>` +
    `<dt>Started</dt><dd>${escapeHtml(incident.startsAt)}</dd></dl>` +
    (rows === '' ? '' : `<ul>${rows}</ul>`)
  );
}

function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)} · Watchkeeper</title>` +
    `<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}` +
    `dt{font-weight:bold}button{font-size:1.1rem;padding:.5rem 1rem;margin-top:1rem}</style>` +
    `</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`
  );
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
