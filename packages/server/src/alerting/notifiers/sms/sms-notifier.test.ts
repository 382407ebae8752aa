import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNotifiers } from '../index.js';
import { ACK_URL, notifyContext, partsAlert } from '../testing/context.js';
import { HttpCaptureServer } from '../testing/http-capture.js';
import { receiverFromYaml } from '../testing/receiver.js';
import type { SmsGatewayRequest } from './sms-notifier.js';

describe('SmsNotifier', () => {
  let server: HttpCaptureServer;
  beforeAll(async () => {
    server = await HttpCaptureServer.start();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.mode = 'ok';
  });
  afterAll(() => server.close());

  const sms = (extra = '') =>
    createNotifiers(
      receiverFromYaml(`sms_configs:\n  - url: ${server.url('/send')}\n    to: ['+4712345678', '+4787654321']${extra}`),
    )[0]!;
  const bodies = () => server.requests.map((r) => JSON.parse(r.body) as SmsGatewayRequest);

  it('posts the short default message to each number, without from when none is configured', async () => {
    expect(await sms().notify(notifyContext([partsAlert('parts-1'), partsAlert('parts-2')]))).toEqual({ ok: true });
    expect(bodies()).toEqual([
      { to: '+4712345678', message: '[FIRING:2] PartsOrderingSystemDown (parts-api critical)' },
      { to: '+4787654321', message: '[FIRING:2] PartsOrderingSystemDown (parts-api critical)' },
    ]);
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it("trims the subject's trailing space and adds the acknowledge link on its own line", async () => {
    const ctx = notifyContext([partsAlert('parts-1')], {
      groupLabels: {
        alertname: 'PartsOrderingSystemDown',
        instance: 'parts-1',
        service: 'parts-api',
        severity: 'critical',
      },
      acknowledgeURL: ACK_URL,
    });
    await sms('\n    from: Watchkeeper').notify(ctx);
    expect(bodies()[0]).toEqual({
      to: '+4712345678',
      from: 'Watchkeeper',
      message: `[FIRING:1] PartsOrderingSystemDown parts-1 parts-api critical\nAck: ${ACK_URL}`,
    });
  });

  it('stops at the first failing number and counts recipients instead of naming them', async () => {
    server.mode = 'rate-limited';
    const outcome = await sms().notify(notifyContext([partsAlert('parts-1')]));
    expect(outcome).toMatchObject({ ok: false, retry: true });
    expect(outcome.ok || outcome.error).toMatch(/unexpected status code 429: rate_limited \(recipient 1 of 2\)$/);
    expect(outcome.ok || outcome.error).not.toContain('+47');
    expect(server.requests).toHaveLength(1);
  });
});
