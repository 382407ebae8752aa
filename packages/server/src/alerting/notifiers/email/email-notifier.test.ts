import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifiers } from '../index.js';
import { ACK_URL, notifyContext, partsAlert } from '../testing/context.js';
import { receiverFromYaml } from '../testing/receiver.js';
import { SmtpCaptureServer, type SmtpCaptureOptions } from '../testing/smtp-capture.js';

const USER = 'alerts@watchkeeper.test';
const PASSWORD = 'smtp-pa55word-0002';

describe('EmailNotifier', () => {
  let server: SmtpCaptureServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async (options: SmtpCaptureOptions = {}) => (server = await SmtpCaptureServer.start(options));
  const email = (port: number, body: string, global = '') =>
    createNotifiers(
      receiverFromYaml(
        `email_configs:\n  - to: 'oncall@portal.test, Ops Team <ops@portal.test>'\n${body}`,
        `smtp_smarthost: 127.0.0.1:${port}\nsmtp_from: Watchkeeper <alerts@watchkeeper.test>\n${global}`,
      ),
    )[0]!;

  it("sends Alertmanager's default subject, our text and HTML bodies, templated headers, to every recipient", async () => {
    const s = await start();
    const n = email(
      s.port,
      "    require_tls: false\n    headers: { X-Service: '{{ .CommonLabels.service }}', Reply-To: noc@portal.test }",
    );
    expect(await n.notify(notifyContext([partsAlert('parts-1'), partsAlert('parts-2')]))).toEqual({ ok: true });
    const mail = s.mails[0]!;
    expect(mail.from).toBe('alerts@watchkeeper.test');
    expect(mail.to).toEqual(['oncall@portal.test', 'ops@portal.test']);
    expect(mail.secure).toBe(false);
    expect(mail.subject).toBe('[FIRING:2] PartsOrderingSystemDown (parts-api critical)');
    expect(mail.message.headers.get('from')).toBe('Watchkeeper <alerts@watchkeeper.test>');
    expect(mail.message.headers.get('to')).toBe('oncall@portal.test, Ops Team <ops@portal.test>');
    expect(mail.message.headers.get('x-service')).toBe('parts-api');
    expect(mail.message.headers.get('reply-to')).toBe('noc@portal.test');
    expect(mail.message.headers.get('date')).toBe('Sun, 29 Nov 2026 02:30:00 +0000');
    expect(mail.message.headers.get('content-type')).toMatch(/^multipart\/alternative/);
    expect(mail.text).toContain(
      'Firing (2):\nLabels:\n - alertname = PartsOrderingSystemDown\n - instance = parts-1\n',
    );
    expect(mail.html).toContain('<h3 style="margin:16px 0 8px;font-size:15px">Firing (2)</h3>');
    expect(mail.html).toContain('Parts ordering is down on parts-2');
  });

  it('puts the acknowledge link into both bodies', async () => {
    const s = await start();
    await email(s.port, '    require_tls: false').notify(
      notifyContext([partsAlert('parts-1')], { acknowledgeURL: ACK_URL }),
    );
    expect(s.mails[0]!.text).toMatch(new RegExp(`\\n\\nAcknowledge: ${ACK_URL.replace(/\./g, '\\.')}\\n$`));
    expect(s.mails[0]!.html).toContain(`<a href="${ACK_URL}"`);
    expect(s.mails[0]!.html).toMatch(/Acknowledge<\/a><\/p>\n<\/body>/);
  });

  it('uses STARTTLS (require_tls, the default) and authenticates with a password file', async () => {
    const s = await start({ starttls: true, auth: { user: USER, pass: PASSWORD } });
    const dir = mkdtempSync(join(tmpdir(), 'wk-email-'));
    writeFileSync(join(dir, 'password'), `${PASSWORD}\n`);
    const n = email(
      s.port,
      '    tls_config: { insecure_skip_verify: true }',
      `smtp_auth_username: ${USER}\nsmtp_auth_password_file: ${join(dir, 'password')}`,
    );
    expect(await n.notify(notifyContext([partsAlert('parts-1')]))).toEqual({ ok: true });
    expect(s.mails[0]).toMatchObject({ user: USER, secure: true });
  });

  it('refuses to send in clear when require_tls is set and the server offers no STARTTLS (retried)', async () => {
    const s = await start();
    const outcome = await email(s.port, '').notify(notifyContext([partsAlert('parts-1')]));
    expect(outcome).toMatchObject({ ok: false, retry: true });
    expect(outcome.ok || outcome.error).toMatch(/STARTTLS/i);
    expect(s.mails).toEqual([]);
  });

  it('does not retry a rejected login, and does not reveal the password', async () => {
    const s = await start({ auth: { user: USER, pass: PASSWORD } });
    const n = email(
      s.port,
      '    require_tls: false',
      `smtp_auth_username: ${USER}\nsmtp_auth_password: wrong-${PASSWORD}`,
    );
    const outcome = await n.notify(notifyContext([partsAlert('parts-1')]));
    expect(outcome).toMatchObject({ ok: false, retry: false });
    expect(outcome.ok || outcome.error).toMatch(/^email: SMTP 127\.0\.0\.1:\d+: .*535/);
    expect(JSON.stringify(outcome)).not.toContain(PASSWORD);
  });

  it.each([
    [
      'a header template',
      "    require_tls: false\n    headers: { Subject: '{{ .Nope.Field }}' }",
      /the "Subject" header/,
    ],
    ['the HTML body', '    require_tls: false\n    html: \'{{ template "missing" . }}\'', /the HTML body/],
    ['two from addresses', "    require_tls: false\n    from: 'a@x.test, b@x.test'", /exactly one from address/],
  ])('fails without retry on %s, sending nothing', async (_name, body, message) => {
    const s = await start();
    const outcome = await email(s.port, body).notify(notifyContext([partsAlert('parts-1')]));
    expect(outcome).toMatchObject({ ok: false, retry: false });
    expect(outcome.ok || outcome.error).toMatch(message);
    expect(s.mails).toEqual([]);
  });
});
