import { describeNotifierContract, type ContractDelivery } from '../contract.js';
import { createNotifiers } from '../index.js';
import { refusedPort } from '../testing/http-capture.js';
import { receiverFromYaml } from '../testing/receiver.js';
import { SmtpCaptureServer } from '../testing/smtp-capture.js';

const USER = 'alerts@watchkeeper.test';
const PASSWORD = 'smtp-pa55word-0001';

describeNotifierContract('email', async () => {
  const server = await SmtpCaptureServer.start({ auth: { user: USER, pass: PASSWORD } });
  const closedPort = await refusedPort();
  return {
    notifier({ sendResolved, unreachable }) {
      const port = unreachable ? closedPort : server.port;
      const receiver = receiverFromYaml(
        `
email_configs:
  - to: oncall@portal.test
    send_resolved: ${sendResolved}
`,
        `
smtp_smarthost: 127.0.0.1:${port}
smtp_from: Watchkeeper <alerts@watchkeeper.test>
smtp_auth_username: ${USER}
smtp_auth_password: ${PASSWORD}
smtp_require_tls: false
`,
      );
      return createNotifiers(receiver)[0]!;
    },
    respond: (mode) => (server.mode = mode === 'rate-limited' ? 'transient' : mode),
    deliveries: () =>
      server.mails.map((m): ContractDelivery => ({
        status: m.subject.startsWith('[RESOLVED]') ? 'resolved' : 'firing',
        text: [m.subject, m.text ?? '', m.html ?? ''].join('\n'),
      })),
    secrets: [PASSWORD],
    rateLimits: false,
    close: () => server.close(),
  };
});
