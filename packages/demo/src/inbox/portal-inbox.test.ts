import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type TestPortal } from '../portal/test-kit.js';

describe('the notification inbox in the portal', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await startTestPortal();
  });
  afterAll(async () => {
    await portal.stop();
  });

  it('listens beside the services, and the control server lists it', async () => {
    expect(portal.urls.inbox).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(portal.urls.smtp).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    expect((await portal.call('inbox', 'GET', '/healthz')).status).toBe(200);
    const sms = await portal.call('inbox', 'POST', '/sms/send', { json: { to: '+47', message: '[FIRING:1] X' } });
    expect(sms.status).toBe(200);
    expect((await portal.call('inbox', 'GET', '/inbox')).json()).toMatchObject({ received: 1 });
    expect((await portal.call('control', 'GET', '/')).json()).toMatchObject({
      portal: { inbox: portal.urls.inbox, smtp: portal.urls.smtp },
    });
    const greeting = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(portal.urls.smtp).port), '127.0.0.1');
      socket.setEncoding('utf8');
      socket.once('data', (line: string) => {
        socket.end('QUIT\r\n');
        resolve(line);
      });
      socket.once('error', reject);
    });
    expect(greeting).toMatch(/^220 /);
  });
});
