import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNotifiers } from '../index.js';
import { ACK_URL, notifyContext, partsAlert } from '../testing/context.js';
import { HttpCaptureServer } from '../testing/http-capture.js';
import { receiverFromYaml } from '../testing/receiver.js';
import { WebhookNotifier } from './webhook-notifier.js';

const deps = { fetch: globalThis.fetch, readFile: async () => '', userAgent: 'Watchkeeper-test' };

describe('WebhookNotifier', () => {
  let server: HttpCaptureServer;
  beforeAll(async () => {
    server = await HttpCaptureServer.start();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.mode = 'ok';
  });
  afterAll(() => server.close());

  const lastBody = () => JSON.parse(server.requests.at(-1)!.body) as Record<string, unknown>;

  it('cuts alerts at max_alerts, counts the rest in truncatedAlerts, and computes common labels over what is sent', async () => {
    const receiver = receiverFromYaml(`webhook_configs:\n  - url: ${server.url('/hook')}\n    max_alerts: 2`);
    const alerts = [
      partsAlert('parts-1'),
      partsAlert('parts-2'),
      partsAlert('parts-3', 'firing', { labels: { alertname: 'PartsOrderingSystemDown', instance: 'parts-3' } }),
    ];
    expect(await createNotifiers(receiver)[0]!.notify(notifyContext(alerts))).toEqual({ ok: true });
    const body = lastBody();
    expect((body['alerts'] as unknown[]).length).toBe(2);
    expect(body['truncatedAlerts']).toBe(1);
    expect(body['commonLabels']).toEqual({
      alertname: 'PartsOrderingSystemDown',
      service: 'parts-api',
      severity: 'critical',
    });
  });

  it('adds acknowledgeURL and acknowledged after truncatedAlerts, only when set', async () => {
    const receiver = receiverFromYaml(`webhook_configs:\n  - url: ${server.url('/hook')}`);
    const n = createNotifiers(receiver)[0]!;
    await n.notify(notifyContext([partsAlert('parts-1')]));
    expect(server.requests[0]!.body).toMatch(/"truncatedAlerts":0}\n$/);
    await n.notify(
      notifyContext([partsAlert('parts-1')], { acknowledgeURL: `${ACK_URL}?a=1&b=2`, acknowledged: true }),
    );
    expect(server.requests[1]!.body).toMatch(
      /"truncatedAlerts":0,"acknowledgeURL":"http:\/\/watchkeeper\.test:9800\/api\/wk\/acknowledge\/7f3c2a91e0b4\?a=1\\u0026b=2","acknowledged":true}\n$/,
    );
  });

  it('sends a firing alert with the zero endsAt and a resolved one with its end', async () => {
    const receiver = receiverFromYaml(`webhook_configs:\n  - url: ${server.url('/hook')}`);
    const firing = partsAlert('parts-1', 'firing', { endsAtMs: Date.UTC(2026, 10, 29, 2, 34) });
    await createNotifiers(receiver)[0]!.notify(notifyContext([firing, partsAlert('parts-2', 'resolved')]));
    const alerts = lastBody()['alerts'] as { endsAt: string; status: string }[];
    expect(alerts.map((a) => [a.status, a.endsAt])).toEqual([
      ['firing', '0001-01-01T00:00:00Z'],
      ['resolved', '2026-11-29T02:29:59Z'],
    ]);
    expect(lastBody()['status']).toBe('firing');
  });

  it('authenticates with a bearer token from a file, and turns URL credentials into basic auth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-webhook-'));
    writeFileSync(join(dir, 'token'), 'file-token-123\n');
    const bearer = receiverFromYaml(`
webhook_configs:
  - url: ${server.url('/bearer')}
    http_config: { authorization: { credentials_file: ${join(dir, 'token')} } }
`);
    await createNotifiers(bearer)[0]!.notify(notifyContext([partsAlert('parts-1')]));
    expect(server.requests[0]!.headers['authorization']).toBe('Bearer file-token-123');

    const inUrl = receiverFromYaml(`webhook_configs:\n  - url: http://hook:pa55@127.0.0.1:${server.port}/basic`);
    await createNotifiers(inUrl)[0]!.notify(notifyContext([partsAlert('parts-1')]));
    expect(server.requests[1]!.headers['authorization']).toBe(`Basic ${Buffer.from('hook:pa55').toString('base64')}`);
    expect(server.requests[1]!.headers['user-agent']).toBe('Watchkeeper');
  });

  it('retries when a credentials file cannot be read, naming the file and not its content', async () => {
    const receiver = receiverFromYaml(`
webhook_configs:
  - url: ${server.url('/bearer')}
    http_config: { authorization: { credentials_file: /nonexistent/wk-token } }
`);
    const outcome = await createNotifiers(receiver)[0]!.notify(notifyContext([partsAlert('parts-1')]));
    expect(outcome).toMatchObject({ ok: false, retry: true });
    expect(outcome.ok || outcome.error).toContain('/nonexistent/wk-token');
    expect(server.requests).toEqual([]);
  });

  it('reads url_file at each notification and masks the URL it holds', async () => {
    const base = receiverFromYaml(`webhook_configs:\n  - url: http://placeholder.invalid/`).webhook_configs[0]!;
    let url = server.url('/from-file/s3cr3t-path');
    const n = new WebhookNotifier({ ...base, url: undefined, url_file: '/run/secrets/hook' }, 0, {
      ...deps,
      readFile: async (path) => (path === '/run/secrets/hook' ? `${url}\n` : ''),
    });
    expect(await n.notify(notifyContext([partsAlert('parts-1')]))).toEqual({ ok: true });
    expect(server.requests[0]!.path).toBe('/from-file/s3cr3t-path');
    server.mode = 'transient';
    url = server.url('/other/s3cr3t-path-2');
    const outcome = await n.notify(notifyContext([partsAlert('parts-1')]));
    expect(outcome).toMatchObject({ ok: false, retry: true });
    expect(JSON.stringify(outcome)).not.toContain('s3cr3t-path-2');
  });
});
