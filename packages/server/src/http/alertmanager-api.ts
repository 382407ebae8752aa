/**
 * Alertmanager's API v2 under `/api/v2` with Alertmanager 0.25's JSON shapes, status codes and
 * error bodies, so that Prometheus (`alerting.alertmanagers`), amtool and Grafana's Alertmanager
 * data source work against Watchkeeper: alerts (post, list, groups), silences (list, create,
 * update, get, expire), status and receivers. Errors here are Alertmanager's, not Prometheus's:
 * go-swagger's `{"code":...,"message":...}` for malformed requests, a JSON string for the others;
 * `amError` is the one mapping from this API's failures to HTTP.
 *
 * Watchkeeper additions (ignored by Alertmanager clients): `status.mutedBy` on alerts muted by a
 * MuteStage, and `integrations` with delivery state on `GET /api/v2/receivers`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RestrictedScope, RestrictedSeriesPolicy } from '../access/index.js';
import {
  compareAlertLabels,
  compileGoRegexp,
  formatApiTime,
  GoRegexpError,
  labelSetBefore,
  MatcherParseError,
  parseApiTime,
  parseMatcher,
  redactConfigText,
  SilenceError,
  silenceState,
  type Alert,
  type AlertMatcher,
  type Alertmanager,
  type PostableAlert,
  type Silence,
  type SilenceMatcher,
} from '../alerting/index.js';
import { restrictedScope } from './restricted-scope.js';

export interface AlertmanagerApiOptions {
  alertmanager: Alertmanager;
  /** Watchkeeper's version (`versionInfo.version`). */
  version: string;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** A request go-swagger would refuse before the handler: 400 or 422 with `{code, message}`. */
class SwaggerError extends Error {
  constructor(
    readonly status: number,
    readonly swaggerCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Alerts Alertmanager refused (its messages, `; `-separated): 400 with the text as a JSON string. */
class InvalidAlertsError extends Error {}

/** The one mapping from this API's failures to HTTP (Alertmanager's bodies). */
function amError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof SwaggerError) {
    return reply
      .code(err.status)
      .headers(JSON_TYPE)
      .send(JSON.stringify({ code: err.swaggerCode, message: err.message }));
  }
  if (err instanceof SilenceError) {
    if (err.code === 'WK_SILENCE_NOT_FOUND')
      return reply.code(404).headers(JSON_TYPE).send(JSON.stringify(err.message));
    return reply.code(400).headers(JSON_TYPE).send(JSON.stringify(err.message));
  }
  if (err instanceof InvalidAlertsError || err instanceof MatcherParseError || err instanceof GoRegexpError) {
    return reply.code(400).headers(JSON_TYPE).send(JSON.stringify(err.message));
  }
  return reply
    .code(500)
    .headers(JSON_TYPE)
    .send(JSON.stringify(err instanceof Error ? err.message : String(err)));
}

type Query = Record<string, string | string[] | undefined>;

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** go-openapi's swag.ConvertBool. */
function boolParam(q: Query, name: string, dflt: boolean): boolean {
  const v = list(q[name])[0];
  if (v === undefined) return dflt;
  const s = v.toLowerCase();
  if (['true', '1', 'yes', 'ok', 'y', 'on', 'selected', 'checked', 't', 'enabled'].includes(s)) return true;
  if (['false', '0', 'no', 'n', 'off', 'f', 'disabled', ''].includes(s)) return false;
  throw new SwaggerError(400, 400, `${name} in query must be of type boolean: ${JSON.stringify(v)}`);
}

/** `filter=` matchers (Alertmanager's parseFilter: one matcher per parameter). */
function filterParam(q: Query): AlertMatcher[] {
  return list(q['filter']).map((f) => parseMatcher(f));
}

function receiverParam(q: Query): RegExp | undefined {
  const r = list(q['receiver'])[0];
  if (r === undefined) return undefined;
  try {
    return compileGoRegexp(`^(?:${r})$`);
  } catch (err) {
    throw new SwaggerError(400, 400, `failed to parse receiver param: ${(err as Error).message}`);
  }
}

/** Alertmanager's matchFilterLabels: an empty-valued matcher ignores a missing label (and `!=""` a present one). */
function matchFilter(matchers: readonly AlertMatcher[], labels: Readonly<Record<string, string>>): boolean {
  for (const m of matchers) {
    const present = Object.hasOwn(labels, m.name);
    const v = present ? labels[m.name]! : '';
    if (m.type === '!=' || m.type === '!~') {
      if (m.value === '' && present) continue;
    } else if (m.value === '' && !present) {
      continue;
    }
    if (!m.matches(v)) return false;
  }
  return true;
}

function receivers(names: readonly string[]): { name: string }[] {
  return names.map((name) => ({ name }));
}

function gettableAlert(am: Alertmanager, a: Alert, receiverNames: readonly string[], nowMs: number): unknown {
  const status = am.dispatcher.alertStatus(a, nowMs);
  return {
    annotations: a.annotations,
    endsAt: formatApiTime(a.endsAtMs),
    fingerprint: a.fingerprint,
    receivers: receivers(receiverNames),
    startsAt: formatApiTime(a.startsAtMs),
    status: {
      inhibitedBy: status.inhibitedBy,
      silencedBy: status.silencedBy,
      state: status.state,
      ...(status.mutedBy.length > 0 && { mutedBy: status.mutedBy }),
    },
    updatedAt: formatApiTime(a.updatedAtMs),
    ...(a.generatorURL !== '' && { generatorURL: a.generatorURL }),
    labels: a.labels,
  };
}

interface AlertFilter {
  matchers: AlertMatcher[];
  active: boolean;
  silenced: boolean;
  inhibited: boolean;
  unprocessed: boolean;
}

function alertFilter(q: Query): AlertFilter {
  return {
    matchers: filterParam(q),
    active: boolParam(q, 'active', true),
    silenced: boolParam(q, 'silenced', true),
    inhibited: boolParam(q, 'inhibited', true),
    unprocessed: boolParam(q, 'unprocessed', true),
  };
}

/** Alertmanager's alertFilter: not resolved before now, state flags, then label matchers. */
function keepAlert(am: Alertmanager, f: AlertFilter, a: Alert, nowMs: number): boolean {
  if (a.endsAtMs < nowMs) return false;
  const s = am.dispatcher.alertStatus(a, nowMs);
  if (!f.active && s.state === 'active') return false;
  if (!f.unprocessed && s.state === 'unprocessed') return false;
  if (!f.silenced && s.silencedBy.length > 0) return false;
  if (!f.inhibited && s.inhibitedBy.length > 0) return false;
  return matchFilter(f.matchers, a.labels);
}

function gettableSilence(s: Silence, nowMs: number): unknown {
  return {
    id: s.id,
    status: { state: silenceState(s, nowMs) },
    updatedAt: formatApiTime(s.updatedAtMs),
    comment: s.comment,
    createdBy: s.createdBy,
    endsAt: formatApiTime(s.endsAtMs),
    matchers: s.matchers.map((m) => ({ isEqual: m.isEqual, isRegex: m.isRegex, name: m.name, value: m.value })),
    startsAt: formatApiTime(s.startsAtMs),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(body: unknown, what: string, goType: string): unknown {
  const text = typeof body === 'string' ? body : '';
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new SwaggerError(
      400,
      400,
      `parsing ${what} body from "" failed, because ${(err as Error).message} (${goType})`,
    );
  }
}

/** go-swagger's checks of a PostableAlerts body. */
function postableAlerts(body: unknown): PostableAlert[] {
  const data = parseJson(body, 'alerts', 'models.PostableAlerts');
  if (!Array.isArray(data)) {
    throw new SwaggerError(
      400,
      400,
      'parsing alerts body from "" failed, because json: cannot unmarshal object into Go value of type models.PostableAlerts',
    );
  }
  return data.map((a, i): PostableAlert => {
    if (!isObject(a)) throw new SwaggerError(422, 602, `${i}.labels in body is required`);
    if (!isObject(a['labels'])) throw new SwaggerError(422, 602, `${i}.labels in body is required`);
    for (const field of ['startsAt', 'endsAt'] as const) {
      const v = a[field];
      if (v !== undefined && (typeof v !== 'string' || parseApiTime(v) === undefined)) {
        throw new SwaggerError(422, 601, `${i}.${field} in body must be of type date-time: ${JSON.stringify(v)}`);
      }
    }
    return {
      labels: a['labels'] as Record<string, string>,
      ...(isObject(a['annotations']) && { annotations: a['annotations'] as Record<string, string> }),
      ...(typeof a['startsAt'] === 'string' && { startsAt: a['startsAt'] }),
      ...(typeof a['endsAt'] === 'string' && { endsAt: a['endsAt'] }),
      ...(typeof a['generatorURL'] === 'string' && { generatorURL: a['generatorURL'] }),
    };
  });
}

/** go-swagger's checks of a PostableSilence body, then Alertmanager's PostableSilenceToProto. */
function postableSilence(body: unknown): {
  id?: string;
  matchers: SilenceMatcher[];
  startsAtMs: number;
  endsAtMs: number;
  createdBy: string;
  comment: string;
} {
  const s = parseJson(body, 'silence', 'models.PostableSilence');
  if (!isObject(s)) {
    throw new SwaggerError(
      400,
      400,
      'parsing silence body from "" failed, because json: cannot unmarshal into models.PostableSilence',
    );
  }
  const required = (name: string): unknown => {
    if (s[name] === undefined || s[name] === null) throw new SwaggerError(422, 602, `${name} in body is required`);
    return s[name];
  };
  const ms = required('matchers');
  if (!Array.isArray(ms)) throw new SwaggerError(422, 2, 'matchers in body must be of type array');
  if (ms.length === 0) throw new SwaggerError(422, 612, 'matchers in body should have at least 1 items');
  const matchers = ms.map((m, i): SilenceMatcher => {
    if (!isObject(m)) throw new SwaggerError(422, 602, `matchers.${i}.name in body is required`);
    for (const f of ['name', 'value', 'isRegex']) {
      if (m[f] === undefined || m[f] === null)
        throw new SwaggerError(422, 602, `matchers.${i}.${f} in body is required`);
    }
    if (typeof m['name'] !== 'string' || typeof m['value'] !== 'string' || typeof m['isRegex'] !== 'boolean') {
      throw new SwaggerError(422, 2, `matchers.${i} in body has fields of the wrong type`);
    }
    return {
      name: m['name'],
      value: m['value'],
      isRegex: m['isRegex'],
      isEqual: typeof m['isEqual'] === 'boolean' ? m['isEqual'] : true,
    };
  });
  const time = (name: string): number => {
    const v = required(name);
    const ms = typeof v === 'string' ? parseApiTime(v) : undefined;
    if (ms === undefined)
      throw new SwaggerError(422, 601, `${name} in body must be of type date-time: ${JSON.stringify(v)}`);
    return ms;
  };
  const text = (name: string): string => {
    const v = required(name);
    if (typeof v !== 'string')
      throw new SwaggerError(422, 2, `${name} in body must be of type string: ${JSON.stringify(v)}`);
    return v;
  };
  const startsAtMs = time('startsAt');
  const endsAtMs = time('endsAt');
  const createdBy = text('createdBy');
  const comment = text('comment');
  return {
    ...(typeof s['id'] === 'string' && s['id'] !== '' && { id: s['id'] }),
    matchers,
    startsAtMs,
    endsAtMs,
    createdBy,
    comment,
  };
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function silenceIdParam(params: unknown): string {
  const id = (params as { id?: string }).id ?? '';
  if (!UUID.test(id)) throw new SwaggerError(422, 601, `silenceID in path must be of type uuid: ${JSON.stringify(id)}`);
  return id;
}

/** Whether a silence may be shown: its matchers and comment must not name restricted alerts or series. */
function showSilence(scope: RestrictedScope, s: Silence): boolean {
  const text = JSON.stringify([s.matchers, s.comment]);
  return scope.showText(text, `silence ${s.id}`);
}

/**
 * `restricted`: for principals without `restricted:read`, alerts (and groups) of restricted
 * alerts, silences that name them and restricted names in the configuration text are left out;
 * a restricted silence is "not found" to them (get, update, expire). Audited.
 */
export function registerAlertmanagerApi(
  app: FastifyInstance,
  opts: AlertmanagerApiOptions,
  restricted: RestrictedSeriesPolicy,
): void {
  const am = opts.alertmanager;
  const now = (): number => am.nowMs();
  app.register(
    (api, _o, done) => {
      // Bodies are parsed here, so that bad JSON gets Alertmanager's error, not fastify's.
      api.removeAllContentTypeParsers();
      api.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, next) => next(null, body));

      api.post('/alerts', async (req, reply) => {
        try {
          const result = am.send(postableAlerts(req.body));
          if (result.errors.length > 0) return amError(reply, new InvalidAlertsError(result.errors.join('; ')));
          return reply.code(200).send();
        } catch (err) {
          return amError(reply, err);
        }
      });

      api.get('/alerts', async (req, reply) => {
        const scope = restrictedScope(restricted, req, 'alerts', req.url);
        try {
          const q = req.query as Query;
          const f = alertFilter(q);
          const rf = receiverParam(q);
          const nowMs = now();
          const out: { fp: string; json: unknown }[] = [];
          for (const a of am.store.list()) {
            if (!scope.showAlert(a.labels, a.annotations)) continue;
            const names = am.dispatcher.receiversFor(a.labels);
            if (rf && !names.some((n) => rf.test(n))) continue;
            if (!keepAlert(am, f, a, nowMs)) continue;
            out.push({ fp: a.fingerprint, json: gettableAlert(am, a, names, nowMs) });
          }
          out.sort((x, y) => (x.fp < y.fp ? -1 : x.fp > y.fp ? 1 : 0));
          return reply.headers(JSON_TYPE).send(JSON.stringify(out.map((o) => o.json)));
        } catch (err) {
          return amError(reply, err);
        } finally {
          scope.finish();
        }
      });

      api.get('/alerts/groups', async (req, reply) => {
        const scope = restrictedScope(restricted, req, 'alert_groups', req.url);
        try {
          const q = req.query as Query;
          const f = alertFilter(q);
          const rf = receiverParam(q);
          const nowMs = now();
          const groups: { labels: Readonly<Record<string, string>>; receiver: string; alerts: Alert[] }[] = [];
          const receiversOf = new Map<string, string[]>();
          for (const g of am.dispatcher.groups()) {
            if (rf && !rf.test(g.receiver)) continue;
            // A group whose labels are restricted (grouped by a restricted alertname) is left out whole.
            if (!scope.showAlert(g.labels)) continue;
            const alerts = g.alerts.filter(
              (a) => keepAlert(am, f, a, nowMs) && scope.showAlert(a.labels, a.annotations),
            );
            if (alerts.length === 0) continue;
            for (const a of alerts)
              receiversOf.set(a.fingerprint, [...(receiversOf.get(a.fingerprint) ?? []), g.receiver]);
            groups.push({ labels: g.labels, receiver: g.receiver, alerts });
          }
          groups.sort((x, y) => {
            if (labelSetBefore(x.labels, y.labels)) return -1;
            if (labelSetBefore(y.labels, x.labels)) return 1;
            return x.receiver < y.receiver ? -1 : x.receiver > y.receiver ? 1 : 0;
          });
          const json = groups.map((g) => ({
            alerts: [...g.alerts]
              .sort((a, b) => compareAlertLabels(a.labels, b.labels))
              .map((a) => gettableAlert(am, a, [...(receiversOf.get(a.fingerprint) ?? [])].sort(), nowMs)),
            labels: g.labels,
            receiver: { name: g.receiver },
          }));
          return reply.headers(JSON_TYPE).send(JSON.stringify(json));
        } catch (err) {
          return amError(reply, err);
        } finally {
          scope.finish();
        }
      });

      api.get('/silences', async (req, reply) => {
        const scope = restrictedScope(restricted, req, 'silences', req.url);
        try {
          const matchers = filterParam(req.query as Query);
          const nowMs = now();
          const out = am.silences
            .list()
            .filter((s) => matchFilter(matchers, Object.fromEntries(s.matchers.map((m) => [m.name, m.value]))))
            .filter((s) => showSilence(scope, s))
            .map((s) => gettableSilence(s, nowMs));
          return reply.headers(JSON_TYPE).send(JSON.stringify(out));
        } catch (err) {
          return amError(reply, err);
        } finally {
          scope.finish();
        }
      });

      api.post('/silences', async (req, reply) => {
        const scope = restrictedScope(restricted, req, 'silence_update', req.url);
        try {
          const silence = postableSilence(req.body);
          // Updating a silence the caller cannot see is updating one that does not exist.
          const existing = silence.id === undefined ? undefined : am.silences.get(silence.id);
          if (existing && !showSilence(scope, existing))
            throw new SilenceError('WK_SILENCE_NOT_FOUND', 'silence not found');
          const silenceID = am.silences.set(silence);
          return reply.headers(JSON_TYPE).send(JSON.stringify({ silenceID }));
        } catch (err) {
          return amError(reply, err);
        } finally {
          scope.finish();
        }
      });

      api.get('/silence/:id', async (req, reply) => {
        const scope = restrictedScope(restricted, req, 'silence', req.url);
        try {
          const s = am.silences.get(silenceIdParam(req.params));
          if (!s || !showSilence(scope, s)) return reply.code(404).send();
          return reply.headers(JSON_TYPE).send(JSON.stringify(gettableSilence(s, now())));
        } catch (err) {
          return amError(reply, err);
        } finally {
          scope.finish();
        }
      });

      api.delete('/silence/:id', async (req, reply) => {
        const scope = restrictedScope(restricted, req, 'silence_expire', req.url);
        try {
          const id = silenceIdParam(req.params);
          const s = am.silences.get(id);
          if (!s || !showSilence(scope, s)) return reply.code(404).send();
          am.silences.expire(id);
          return reply.code(200).send();
        } catch (err) {
          return amError(reply, err);
        } finally {
          scope.finish();
        }
      });

      api.get('/status', async (req, reply) => {
        const scope = restrictedScope(restricted, req, 'alertmanager_status', req.url);
        try {
          const body = JSON.stringify({
            cluster: { peers: [], status: 'disabled' },
            // Routes name restricted alerts (`alertname="..."`): scrubbed for who may not read them.
            config: { original: scope.scrub(redactConfigText(am.config.original)) },
            uptime: formatApiTime(am.startTimeMs),
            versionInfo: {
              branch: 'main',
              buildDate: 'unknown',
              buildUser: 'watchkeeper',
              goVersion: `node${process.versions.node}`,
              revision: 'unknown',
              version: opts.version,
            },
          });
          return await reply.headers(JSON_TYPE).send(body);
        } finally {
          scope.finish();
        }
      });

      api.get('/receivers', async (req, reply) => {
        const scope = restrictedScope(restricted, req, 'receivers', req.url);
        try {
          const body = JSON.stringify(
            am.dispatcher.receiverNames().map((name) => ({
              name,
              integrations: am.dispatcher.integrationStatuses(name).map((s) => ({
                name: s.name,
                index: s.index,
                sendResolve: s.sendResolved,
                ...(s.lastNotifyAtMs !== undefined && { lastNotify: formatApiTime(s.lastNotifyAtMs) }),
                ...(s.lastNotifyDurationMs !== undefined && {
                  lastNotifyDuration: `${s.lastNotifyDurationMs / 1000}s`,
                }),
                ...(s.lastNotifyOk !== undefined && { lastNotifyOk: s.lastNotifyOk }),
                ...(s.lastAttemptAtMs !== undefined && { lastAttempt: formatApiTime(s.lastAttemptAtMs) }),
                // Errors may quote what a receiver answered about an alert: scrubbed like the configuration.
                ...(s.lastAttemptError !== undefined && { lastAttemptError: scope.scrub(s.lastAttemptError) }),
                ...(s.lastError !== undefined && { lastError: scope.scrub(s.lastError) }),
                ...(s.lastErrorAtMs !== undefined && { lastErrorAt: formatApiTime(s.lastErrorAtMs) }),
                notifications: s.notifications,
                failedNotifications: s.failedNotifications,
              })),
            })),
          );
          return await reply.headers(JSON_TYPE).send(body);
        } finally {
          scope.finish();
        }
      });
      done();
    },
    { prefix: '/api/v2' },
  );
}
