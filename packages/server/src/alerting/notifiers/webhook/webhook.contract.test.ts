import { describeNotifierContract, type ContractDelivery } from '../contract.js';
import { createNotifiers } from '../index.js';
import { HttpCaptureServer, refusedPort } from '../testing/http-capture.js';
import { receiverFromYaml } from '../testing/receiver.js';

const TOKEN = 's3cr3t-webhook-token';
const PASSWORD = 'hunter2-webhook-password';

describeNotifierContract('webhook', async () => {
  const server = await HttpCaptureServer.start();
  const closedPort = await refusedPort();
  return {
    notifier({ sendResolved, unreachable }) {
      const port = unreachable ? closedPort : server.port;
      const receiver = receiverFromYaml(`
webhook_configs:
  - url: http://127.0.0.1:${port}/hooks/${TOKEN}
    send_resolved: ${sendResolved}
    http_config:
      basic_auth: { username: watchkeeper, password: ${PASSWORD} }
`);
      return createNotifiers(receiver)[0]!;
    },
    respond: (mode) => (server.mode = mode),
    deliveries: () =>
      server.requests.map((r): ContractDelivery => {
        const body = JSON.parse(r.body) as { status: 'firing' | 'resolved' };
        return { status: body.status, text: JSON.stringify(body) };
      }),
    secrets: [TOKEN, PASSWORD],
    rateLimits: true,
    close: () => server.close(),
  };
});
