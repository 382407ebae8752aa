import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboxNotification } from './inbox.js';
import { startInbox, type NotificationInboxServer } from './inbox-server.js';

const ACK = 'http://127.0.0.1:9800/api/wk/acknowledge/7f3c0a?token=a&b=c';

let server: NotificationInboxServer;
let base: string;

beforeEach(async () => {
  server = await startInbox({ now: () => Date.UTC(2026, 10, 27, 12, 0, 0) });
  base = server.url;
});
afterEach(async () => {
  await server.close();
});

const post = (path: string, body: unknown, contentType = 'application/json'): Promise<Response> =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function inbox(query = ''): Promise<{ received: number; notifications: InboxNotification[] }> {
  const res = await fetch(`${base}/inbox${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { received: number; notifications: InboxNotification[] };
}

/**
 * A minimal SMTP client: sends the commands one by one, each after the previous reply, and
 * returns the last line of every reply (the greeting first).
 */
async function smtp(port: number, commands: readonly string[]): Promise<string[]> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  const replies: string[] = [];
  let pending = '';
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).replace(/\r$/, '');
      pending = pending.slice(nl + 1);
      if (/^\d{3}(?: |$)/.test(line)) replies.push(line);
    }
    wake?.();
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const reply = async (n: number): Promise<void> => {
    while (replies.length < n) {
      await Promise.race([new Promise<void>((r) => (wake = r)), closed]);
      if (socket.destroyed && replies.length < n) throw new Error(`connection closed after ${replies.join(' | ')}`);
    }
  };
  await reply(1);
  for (const [i, command] of commands.entries()) {
    socket.write(`${command}\r\n`);
    await reply(i + 2);
  }
  socket.end();
  return replies;
}

const mailCommands = (message: string): string[] => [
  'EHLO test.local',
  'MAIL FROM:<watchkeeper@sms.example>',
  'RCPT TO:<engineering@sms.example>',
  'DATA',
  `${message.replace(/\r?\n/g, '\r\n')}\r\n.`,
  'QUIT',
];

describe('notification inbox: each integration arrives in /inbox', () => {
  it('Slack incoming webhooks: the attachment title, status and Acknowledge button', async () => {
    const res = await post('/slack/incidents', {
      channel: '#incidents',
      username: 'Alertmanager',
      attachments: [
        {
          title: '[FIRING:1] PartsOrderingSystemDown (parts-api critical)',
          title_link: 'http://127.0.0.1:9800/#/alerts?receiver=slack_incidents',
          text: 'parts-api is down',
          fallback: '[FIRING:1] PartsOrderingSystemDown | http://127.0.0.1:9800',
          color: 'danger',
          actions: [{ type: 'button', text: 'Acknowledge', url: ACK, style: 'primary' }],
          mrkdwn_in: ['fallback', 'pretext', 'text'],
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    const { received, notifications } = await inbox();
    expect(received).toBe(1);
    expect(notifications[0]).toMatchObject({
      id: 1,
      receivedAt: '2026-11-27T12:00:00.000Z',
      kind: 'slack',
      channel: '#incidents',
      title: '[FIRING:1] PartsOrderingSystemDown (parts-api critical)',
      summary: 'parts-api is down',
      status: 'firing',
      acknowledgeURL: ACK,
    });
    // A message without a channel shows the webhook's path.
    await post('/slack/warnings', { attachments: [{ title: '[RESOLVED] APIHighLatency' }] });
    expect((await inbox()).notifications[0]).toMatchObject({ channel: '#warnings', status: 'resolved' });
  });

  it('PagerDuty Events v2: 202 with the dedup key; trigger, acknowledge and resolve', async () => {
    const trigger = await post('/pagerduty/v2/enqueue', {
      routing_key: 'revenue-placeholder-key',
      dedup_key: 'abc123',
      event_action: 'trigger',
      payload: {
        summary: '[FIRING:1] PaymentFailuresHigh (payment-processor critical revenue)',
        source: 'Alertmanager',
        severity: 'critical',
        custom_details: { firing: 'Labels:\n - alertname = PaymentFailuresHigh\n', num_firing: '1' },
      },
      client: 'Alertmanager',
      links: [{ href: ACK, text: 'Acknowledge in Watchkeeper' }],
    });
    expect(trigger.status).toBe(202);
    expect(await trigger.json()).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'abc123' });

    const generated = await post('/pagerduty/v2/enqueue', {
      routing_key: 'k',
      event_action: 'trigger',
      payload: { summary: 'disk full', source: 'host', severity: 'warning' },
    });
    expect(generated.status).toBe(202);
    expect(((await generated.json()) as { dedup_key: string }).dedup_key).toMatch(/^[0-9a-f]{32}$/);

    for (const action of ['acknowledge', 'resolve']) {
      const res = await post('/pagerduty/v2/enqueue', { routing_key: 'k', dedup_key: 'abc123', event_action: action });
      expect(res.status).toBe(202);
    }
    const { notifications } = await inbox('?kind=pagerduty');
    expect(notifications.map((n) => n.status)).toEqual(['resolved', 'acknowledged', 'firing', 'firing']);
    expect(notifications[3]).toMatchObject({
      kind: 'pagerduty',
      channel: 'revenue-placeholder-key',
      title: '[FIRING:1] PaymentFailuresHigh (payment-processor critical revenue)',
      acknowledgeURL: ACK,
    });
    expect(notifications[3]!.summary).toContain('severity critical, source Alertmanager');
    expect(notifications[0]!.title).toBe('resolve abc123');
  });

  it('the SMS gateway: number, text and the Ack line', async () => {
    const res = await post('/sms/send', {
      to: '+4700000000',
      from: 'Watchkeeper',
      message: `[FIRING:2] PartsOrderingSystemDown (parts-api critical)\nAck: ${ACK}`,
    });
    expect(res.status).toBe(200);
    expect((await inbox()).notifications[0]).toMatchObject({
      kind: 'sms',
      channel: '+4700000000',
      title: '[FIRING:2] PartsOrderingSystemDown (parts-api critical)',
      summary: 'from Watchkeeper',
      status: 'firing',
      acknowledgeURL: ACK,
    });
  });

  it('Alertmanager webhooks (version 4), with the acknowledge extension', async () => {
    const alert = (instance: string, status: string) => ({
      status,
      labels: { alertname: 'ServiceDown', service: 'sync', severity: 'critical', instance },
      annotations: { summary: `sync is down on ${instance}` },
      startsAt: '2026-11-27T11:58:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://127.0.0.1:9800/graph',
      fingerprint: instance,
    });
    const res = await post('/webhook/callout/cto', {
      receiver: 'escalations',
      status: 'firing',
      alerts: [alert('a', 'firing'), alert('b', 'firing'), alert('c', 'resolved')],
      groupLabels: { alertname: 'ServiceDown', service: 'sync' },
      commonLabels: { alertname: 'ServiceDown', service: 'sync', severity: 'critical' },
      commonAnnotations: {},
      externalURL: 'http://127.0.0.1:9800',
      version: '4',
      groupKey: '{}:{alertname="ServiceDown", service="sync"}',
      truncatedAlerts: 0,
      acknowledgeURL: ACK,
    });
    expect(res.status).toBe(200);
    const [n] = (await inbox()).notifications;
    expect(n).toMatchObject({
      kind: 'webhook',
      channel: 'callout/cto',
      title: '[FIRING:2] ServiceDown sync (critical)',
      status: 'firing',
      acknowledgeURL: ACK,
    });
    expect(n!.summary).toBe('receiver escalations\nsync is down on a\nsync is down on b\nsync is down on c');
    expect(n!.payload).toMatchObject({ version: '4', groupKey: '{}:{alertname="ServiceDown", service="sync"}' });
  });

  it('e-mail over SMTP: headers (encoded words), the text part (quoted-printable) and its Acknowledge line', async () => {
    const message = [
      'From: watchkeeper@sms.example',
      'To: engineering@sms.example',
      'Subject: =?UTF-8?Q?[FIRING:1]_DiskAlmostFull_?=',
      ' =?UTF-8?Q?(host_warning_=E2=80=93_disk)?=',
      'Date: Fri, 27 Nov 2026 12:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="--_b1"',
      '',
      '----_b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '[FIRING:1] DiskAlmostFull (host warning)',
      '',
      'The disk of host is 95 % full =E2=80=93 clean up /var/lib/sms so that it does n=',
      'ot fill up.',
      '',
      `Acknowledge: ${ACK}`,
      '----_b1',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<html><body><h1>[FIRING:1] DiskAlmostFull</h1></body></html>').toString('base64'),
      '----_b1--',
    ].join('\n');
    const replies = await smtp(server.smtpPort!, mailCommands(message));
    expect(replies[0]).toMatch(/^220 /);
    expect(replies[5]).toMatch(/^250 /); // after the message
    const [n] = (await inbox()).notifications;
    expect(n).toMatchObject({
      kind: 'email',
      channel: 'engineering@sms.example',
      title: '[FIRING:1] DiskAlmostFull (host warning – disk)',
      status: 'firing',
      acknowledgeURL: ACK,
    });
    expect(n!.summary).toContain('from watchkeeper@sms.example');
    expect(n!.summary).toContain('95 % full – clean up /var/lib/sms so that it does not fill up.');
    expect(n!.summary).not.toContain('Acknowledge:');
    expect(n!.payload).toMatchObject({
      envelope: { from: 'watchkeeper@sms.example', to: ['engineering@sms.example'] },
    });
  });

  it('a mail with only an HTML part shows its text', async () => {
    const html =
      '<html><head><style>p{}</style></head><body><p>[RESOLVED] Foo &amp; bar</p><a href="x">Acknowledge</a></body></html>';
    const message = [
      'From: a@b.c',
      'To: d@e.f',
      'Subject: [RESOLVED] Foo',
      'Content-Type: text/html; charset=utf-8',
      '',
      html,
    ].join('\n');
    await smtp(server.smtpPort!, mailCommands(message));
    const [n] = (await inbox('?kind=email')).notifications;
    expect(n).toMatchObject({ status: 'resolved', acknowledgeURL: 'x' });
    expect(n!.summary).toContain('[RESOLVED] Foo & bar');
    expect(n!.summary).not.toContain('p{}');
  });
});

describe('notification inbox: GET / and /inbox', () => {
  it('keeps the last N, newest first, and filters by kind', async () => {
    await server.close();
    server = await startInbox({ capacity: 3 });
    base = server.url;
    for (let i = 1; i <= 5; i++) await post('/sms/send', { to: `+47${i}`, message: `[FIRING:1] Alert${i}` });
    await post('/webhook/x', { version: '4', status: 'resolved', alerts: [] });
    const { received, notifications } = await inbox();
    expect(received).toBe(6);
    expect(notifications.map((n) => n.title)).toEqual(['[RESOLVED]', '[FIRING:1] Alert5', '[FIRING:1] Alert4']);
    expect((await inbox('?kind=sms&limit=1')).notifications.map((n) => n.channel)).toEqual(['+475']);
    expect((await fetch(`${base}/inbox?kind=fax`)).status).toBe(400);
  });

  it('renders a page that refreshes every 10 s, with every value escaped', async () => {
    expect((await post('/slack/%3Cb%3Echan', { text: 'from a path' })).status).toBe(200);
    await post('/slack/incidents', {
      channel: '#"><img src=x onerror=alert(1)>',
      attachments: [
        {
          title: '[FIRING:1] <script>alert("title")</script>',
          text: "Tom & Jerry's <i>alert</i>",
          actions: [{ text: 'Acknowledge', url: 'javascript:alert(1)' }],
        },
      ],
    });
    await post('/sms/send', { to: '+47', message: `[RESOLVED] ok\nAck: ${ACK}` });
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<meta http-equiv="refresh" content="10">');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<i>');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('[FIRING:1] &#60;script&#62;alert(&#34;title&#34;)&#60;/script&#62;');
    expect(html).toContain('Tom &#38; Jerry&#39;s &#60;i&#62;alert&#60;/i&#62;');
    expect(html).toContain('#&#34;&#62;&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('<td>#&#60;b&#62;chan</td>');
    // Newest first; the acknowledge link of the SMS, escaped as an attribute.
    expect(html.indexOf('[RESOLVED] ok')).toBeLessThan(html.indexOf('[FIRING:1]'));
    expect(html).toContain(`href="${ACK.replace(/&/g, '&#38;')}"`);
    expect(html).toContain('status-firing');
    expect(html).toContain('status-resolved');
  });

  it('says so when nothing has arrived', async () => {
    const html = await (await fetch(`${base}/?kind=email`)).text();
    expect(html).toContain('Nothing from E-mail yet.');
    expect(html).toContain(`SMTP on <code>127.0.0.1:${server.smtpPort}</code>`);
  });
});

describe('notification inbox: bad input gets a 4xx and changes nothing', () => {
  it.each([
    ['/slack/incidents', '{"attachments": [', 400],
    ['/slack/incidents', '{"username": "x"}', 400],
    ['/slack/incidents', '[]', 400],
    ['/pagerduty/v2/enqueue', '{"routing_key": "k", "event_action": "trigger"}', 400],
    ['/pagerduty/v2/enqueue', '{"routing_key": "k", "event_action": "explode", "dedup_key": "d"}', 400],
    ['/pagerduty/v2/enqueue', 'not json', 400],
    ['/sms/send', '{"to": "+47"}', 400],
    ['/sms/send', '', 400],
    ['/webhook/x', '{"version": "4", "status": "burning", "alerts": []}', 400],
    ['/webhook/x', 'null', 400],
    ['/webhook/', '{"version": "4", "status": "firing", "alerts": []}', 404],
    ['/slack/', '{"text": "x"}', 404],
  ])('POST %s %s → %i', async (path, body, status) => {
    const res = await post(path, body);
    expect(res.status).toBe(status);
    expect((await inbox()).received).toBe(0);
  });

  it('answers PagerDuty errors as PagerDuty does', async () => {
    const res = await post('/pagerduty/v2/enqueue', { routing_key: '', event_action: 'trigger' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
  });

  it('refuses other content types with 415', async () => {
    expect((await post('/sms/send', 'to=1&message=x', 'application/x-www-form-urlencoded')).status).toBe(415);
  });

  it('refuses bodies over 1 MiB with 413 and keeps serving', async () => {
    const huge = JSON.stringify({ to: '+47', message: 'x'.repeat(2 * 1024 * 1024) });
    for (const path of ['/sms/send', '/slack/incidents', '/pagerduty/v2/enqueue', '/webhook/x']) {
      const res = await post(path, huge);
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: 'too_large' });
    }
    // Without a Content-Length (chunked), the limit applies as the body arrives.
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 40) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const chunked = await fetch(`${base}/sms/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    }).catch((err: unknown) => err);
    // The server answers as soon as the limit is passed; the client may see that answer or a reset.
    if (chunked instanceof Response) expect(chunked.status).toBe(413);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await post('/sms/send', { to: '+47', message: 'after' })).status).toBe(200);
    expect((await inbox()).notifications.map((n) => n.title)).toEqual(['after']);
  });

  it('refuses mail over 1 MiB with 552 and keeps serving', async () => {
    const big = ['Subject: big', '', ...Array.from({ length: 20_000 }, () => 'y'.repeat(100))].join('\n');
    const replies = await smtp(server.smtpPort!, mailCommands(big));
    expect(replies[5]).toMatch(/^552 /);
    const small = await smtp(server.smtpPort!, mailCommands('Subject: small\n\nhello'));
    expect(small[5]).toMatch(/^250 /);
    expect((await inbox()).notifications.map((n) => n.title)).toEqual(['small']);
  });

  it('survives a client that hangs up in the middle of a mail', async () => {
    const socket = connect(server.smtpPort!, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write('EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nSubject: cut\r\n\r\nhal');
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect((await smtp(server.smtpPort!, mailCommands('Subject: next\n\nok')))[5]).toMatch(/^250 /);
    expect((await inbox()).notifications.map((n) => n.title)).toEqual(['next']);
  });
});
