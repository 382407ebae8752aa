import { describeNotifierContract, type ContractDelivery } from '../contract.js';
import { createNotifiers } from '../index.js';
import type { SmsGatewayRequest } from '../sms/sms-notifier.js';
import { HttpCaptureServer, refusedPort } from '../testing/http-capture.js';
import { receiverFromYaml } from '../testing/receiver.js';

const API_KEY = 'sms-gateway-api-key-0001';
const BEARER = 'sms-gateway-bearer-token-0001';

describeNotifierContract('sms', async () => {
  const server = await HttpCaptureServer.start();
  const closedPort = await refusedPort();
  return {
    notifier({ sendResolved, unreachable }) {
      const port = unreachable ? closedPort : server.port;
      const receiver = receiverFromYaml(`
sms_configs:
  - url: http://127.0.0.1:${port}/api/send?api_key=${API_KEY}
    to: ['+4712345678']
    from: Watchkeeper
    send_resolved: ${sendResolved}
    # The default message names no instance; this one does, so the contract can see which alerts were sent.
    message: '{{ template "sms.default.message" . }} {{ range .Alerts }}{{ .Labels.instance }} {{ end }}'
    http_config:
      authorization: { credentials: ${BEARER} }
`);
      return createNotifiers(receiver)[0]!;
    },
    respond: (mode) => (server.mode = mode),
    deliveries: () =>
      server.requests.map((r): ContractDelivery => {
        const body = JSON.parse(r.body) as SmsGatewayRequest;
        return { status: body.message.startsWith('[RESOLVED]') ? 'resolved' : 'firing', text: JSON.stringify(body) };
      }),
    secrets: [API_KEY, BEARER],
    rateLimits: true,
    close: () => server.close(),
  };
});
