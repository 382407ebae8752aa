/**
 * API v2 shapes, status codes and error bodies, compared with what Debian's Alertmanager 0.25
 * answered to the same requests (captured by hand; the differential e2e test compares live).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Alertmanager, parseAlertmanagerConfig, type Notifier, type NotifyOutcome } from '../alerting/index.js';
import { MemoryAuditLog, RestrictedSeriesPolicy } from '../access/index.js';
import { ManualClock } from '../lib/clock.js';
import { MemoryStorage } from '../tsdb/index.js';
import { registerAlertmanagerApi } from './alertmanager-api.js';

const T0 = Date.UTC(2026, 10, 27, 18, 24, 24, 37);
const CONFIG = `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
receivers:
  - name: hook
    webhook_configs:
      - url: http://hooks.example:8080/services/T000/B000/XXXX?token=abc
  - name: team
    slack_configs:
      - api_url: https://hooks.slack.com/services/T/B/secret
        channel: '#x'
    email_configs:
      - to: a@example.com
        from: wk@example.com
        smarthost: mail.example:25
        auth_password: hunter2
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [cluster]
`;

const ok: Notifier = {
  kind: 'webhook',
  sendResolved: true,
  notify: async (): Promise<NotifyOutcome> => ({ ok: true }),
};

let clock: ManualClock;
let am: Alertmanager;
let app: FastifyInstance;

beforeEach(async () => {
  clock = new ManualClock(T0);
  am = Alertmanager.open({
    config: parseAlertmanagerConfig(CONFIG),
    clock,
    externalURL: 'http://127.0.0.1:9800',
    notifiers: (r) => (r.name === 'hook' ? [ok] : []),
  });
  app = Fastify();
  registerAlertmanagerApi(
    app,
    { alertmanager: am, version: '0.1.0' },
    new RestrictedSeriesPolicy({ storage: new MemoryStorage(), rules: () => [], audit: new MemoryAuditLog() }),
  );
  await app.ready();
});
afterEach(async () => {
  await app.close();
  am.close();
});

async function req(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) {
  const res = await app.inject({
    method,
    url,
    ...(body !== undefined && {
      payload: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    }),
  });
  return { status: res.statusCode, body: res.body, json: () => JSON.parse(res.body) as unknown };
}

describe('POST /api/v2/alerts', () => {
  it('stores valid alerts: 200 with no body', async () => {
    const r = await req('POST', '/api/v2/alerts', [{ labels: { alertname: 'A' } }]);
    expect(r).toMatchObject({ status: 200, body: '' });
    expect(am.store.size).toBe(1);
  });

  it("refuses invalid alerts with Alertmanager's messages, keeping the valid ones", async () => {
    const r = await req('POST', '/api/v2/alerts', [
      { labels: {} },
      { labels: { 'a b': 'x' } },
      { labels: { x: 'y' }, startsAt: '2030-01-01T00:00:00Z', endsAt: '2029-01-01T00:00:00Z' },
      { labels: { ok: '1' } },
    ]);
    expect(r.status).toBe(400);
    expect(r.body).toBe(
      '"at least one label pair required; invalid label set: invalid name \\"a b\\"; start time must be before end time"',
    );
    expect(am.store.size).toBe(1);
  });

  it.each([
    [[{ annotations: {} }], 422, { code: 602, message: '0.labels in body is required' }],
    [
      { x: 1 },
      400,
      {
        code: 400,
        message:
          'parsing alerts body from "" failed, because json: cannot unmarshal object into Go value of type models.PostableAlerts',
      },
    ],
  ])('go-swagger refuses malformed bodies: %j', async (body, status, json) => {
    const r = await req('POST', '/api/v2/alerts', body);
    expect(r.status).toBe(status);
    expect(r.json()).toEqual(json);
  });
});

describe('GET /api/v2/alerts and /alerts/groups', () => {
  beforeEach(async () => {
    await req('POST', '/api/v2/alerts', [
      { labels: { alertname: 'A', severity: 'critical', cluster: 'c1' } },
      {
        labels: { alertname: 'B', severity: 'warning', cluster: 'c1', job: 'x' },
        annotations: { s: 't' },
        generatorURL: 'http://g',
      },
    ]);
  });

  it('lists alerts sorted by fingerprint with their state and receivers (as Alertmanager 0.25)', async () => {
    const r = await req('GET', '/api/v2/alerts');
    expect(r.status).toBe(200);
    // Alertmanager 0.25 answered exactly this (times aside) to the same two alerts.
    expect(r.body).toBe(
      '[{"annotations":{"s":"t"},"endsAt":"2026-11-27T18:29:24.037Z","fingerprint":"28ec39a08b2d09f6","receivers":[{"name":"hook"}],' +
        '"startsAt":"2026-11-27T18:24:24.037Z","status":{"inhibitedBy":["d0b0f9c089b0ac23"],"silencedBy":[],"state":"suppressed"},' +
        '"updatedAt":"2026-11-27T18:24:24.037Z","generatorURL":"http://g","labels":{"alertname":"B","cluster":"c1","job":"x","severity":"warning"}},' +
        '{"annotations":{},"endsAt":"2026-11-27T18:29:24.037Z","fingerprint":"d0b0f9c089b0ac23","receivers":[{"name":"hook"}],' +
        '"startsAt":"2026-11-27T18:24:24.037Z","status":{"inhibitedBy":[],"silencedBy":[],"state":"active"},' +
        '"updatedAt":"2026-11-27T18:24:24.037Z","labels":{"alertname":"A","cluster":"c1","severity":"critical"}}]',
    );
  });

  it('lists groups sorted by labels, then receiver', async () => {
    const r = await req('GET', '/api/v2/alerts/groups');
    const groups = r.json() as { labels: unknown; receiver: unknown; alerts: { fingerprint: string }[] }[];
    expect(groups.map((g) => [g.labels, g.receiver, g.alerts.map((a) => a.fingerprint)])).toEqual([
      [{ alertname: 'A' }, { name: 'hook' }, ['d0b0f9c089b0ac23']],
      [{ alertname: 'B' }, { name: 'hook' }, ['28ec39a08b2d09f6']],
    ]);
  });

  it.each([
    ['?inhibited=false', ['A']],
    ['?active=false', ['B']],
    ['?filter=alertname%3D%22B%22', ['B']],
    ['?filter=cluster%3D~%22c.%22&filter=job%3D%22%22', ['A']],
    ['?filter=job!%3D%22%22', ['B']],
    ['?receiver=ho.*', ['A', 'B']],
    ['?receiver=team', []],
  ])('filters: %s', async (query, names) => {
    const r = await req('GET', `/api/v2/alerts${query}`);
    const got = (r.json() as { labels: { alertname: string } }[]).map((a) => a.labels.alertname).sort();
    expect(got).toEqual(names);
  });

  it.each([
    ['?filter=foo', '"bad matcher format: foo"'],
    ['?active=maybe', '{"code":400,"message":"active in query must be of type boolean: \\"maybe\\""}'],
  ])('bad parameters: %s', async (query, body) => {
    const r = await req('GET', `/api/v2/alerts${query}`);
    expect(r.status).toBe(400);
    expect(r.body).toBe(body);
  });

  it('hides resolved alerts', async () => {
    await req('POST', '/api/v2/alerts', [
      { labels: { alertname: 'A', severity: 'critical', cluster: 'c1' }, endsAt: new Date(T0).toISOString() },
    ]);
    clock.advance(1);
    const r = await req('GET', '/api/v2/alerts');
    expect((r.json() as unknown[]).length).toBe(1);
  });
});

describe('silences', () => {
  const silence = (over: Record<string, unknown> = {}) => ({
    matchers: [{ name: 'alertname', value: 'A', isRegex: false }],
    startsAt: '2026-11-27T17:24:31.209Z',
    endsAt: '2026-11-27T19:24:31.000Z',
    createdBy: 'me',
    comment: 'c',
    ...over,
  });

  it('creates, gets, lists, expires (as Alertmanager 0.25)', async () => {
    const created = await req('POST', '/api/v2/silences', silence());
    expect(created.status).toBe(200);
    const { silenceID } = created.json() as { silenceID: string };
    expect(silenceID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const one = await req('GET', `/api/v2/silence/${silenceID}`);
    expect(one.body).toBe(
      `{"id":"${silenceID}","status":{"state":"active"},"updatedAt":"2026-11-27T18:24:24.037Z","comment":"c","createdBy":"me",` +
        '"endsAt":"2026-11-27T19:24:31.000Z","matchers":[{"isEqual":true,"isRegex":false,"name":"alertname","value":"A"}],' +
        '"startsAt":"2026-11-27T18:24:24.037Z"}',
    );
    // The silenced alert's state.
    await req('POST', '/api/v2/alerts', [{ labels: { alertname: 'A' } }]);
    const alerts = (await req('GET', '/api/v2/alerts')).json() as { status: unknown }[];
    expect(alerts[0]!.status).toEqual({ inhibitedBy: [], silencedBy: [silenceID], state: 'suppressed' });
    clock.advance(3000);
    expect(await req('DELETE', `/api/v2/silence/${silenceID}`)).toMatchObject({ status: 200, body: '' });
    // Expiring an expired silence is fine (Alertmanager 0.25: 200).
    expect((await req('DELETE', `/api/v2/silence/${silenceID}`)).status).toBe(200);
    const list = (await req('GET', '/api/v2/silences')).json() as { status: { state: string }; endsAt: string }[];
    expect(list).toMatchObject([{ status: { state: 'expired' }, endsAt: '2026-11-27T18:24:27.037Z' }]);
    expect((await req('GET', '/api/v2/silences?filter=alertname%3D%22B%22')).json()).toEqual([]);
  });

  it.each([
    [
      silence({ matchers: [{ name: 'alertname', value: '', isRegex: false }] }),
      400,
      '"silence invalid: at least one matcher must not match the empty string"',
    ],
    [silence({ matchers: [] }), 422, '{"code":612,"message":"matchers in body should have at least 1 items"}'],
    [
      silence({ matchers: [{ name: 'a', value: '(', isRegex: true }] }),
      400,
      '"silence invalid: invalid label matcher 0: invalid regular expression \\"(\\": error parsing regexp: missing closing ): `(`"',
    ],
    [
      silence({ startsAt: '2026-11-27T20:00:00Z' }),
      400,
      '"Failed to create silence: start time must be before end time"',
    ],
    [silence({ id: '3f30f3b1-c682-4509-96a4-7269592999c4' }), 404, '"silence not found"'],
    [silence({ endsAt: undefined }), 422, '{"code":602,"message":"endsAt in body is required"}'],
  ])('refuses %j', async (body, status, text) => {
    const r = await req('POST', '/api/v2/silences', body);
    expect(r.status).toBe(status);
    expect(r.body).toBe(text);
  });

  it('unknown and malformed ids', async () => {
    expect(await req('GET', '/api/v2/silence/3f30f3b1-c682-4509-96a4-7269592999c4')).toMatchObject({
      status: 404,
      body: '',
    });
    expect(await req('DELETE', '/api/v2/silence/3f30f3b1-c682-4509-96a4-7269592999c4')).toMatchObject({ status: 404 });
    const bad = await req('GET', '/api/v2/silence/abc');
    expect(bad.status).toBe(422);
    expect(bad.body).toBe('{"code":601,"message":"silenceID in path must be of type uuid: \\"abc\\""}');
  });
});

describe('status and receivers', () => {
  it("shows the configuration without secrets, in Alertmanager's status shape", async () => {
    const r = await req('GET', '/api/v2/status');
    const s = r.json() as {
      cluster: unknown;
      config: { original: string };
      uptime: string;
      versionInfo: { version: string };
    };
    expect(s.cluster).toEqual({ peers: [], status: 'disabled' });
    expect(s.uptime).toBe('2026-11-27T18:24:24.037Z');
    expect(s.versionInfo.version).toBe('0.1.0');
    expect(s.config.original).not.toMatch(/hunter2|secret\/|token=abc|XXXX/);
    expect(s.config.original).toContain('url: http://hooks.example:8080/<secret>');
    expect(s.config.original).toContain('api_url: <secret>');
    expect(s.config.original).toContain('auth_password: <secret>');
    // Still a valid configuration.
    expect(parseAlertmanagerConfig(s.config.original).receivers.map((x) => x.name)).toEqual(['hook', 'team']);
  });

  it('lists receivers with their integrations', async () => {
    const r = await req('GET', '/api/v2/receivers');
    expect(r.json()).toEqual([
      {
        name: 'hook',
        integrations: [{ name: 'webhook', index: 0, sendResolve: true, notifications: 0, failedNotifications: 0 }],
      },
      { name: 'team', integrations: [] },
    ]);
  });
});
