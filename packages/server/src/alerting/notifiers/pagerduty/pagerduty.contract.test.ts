import { describeNotifierContract, type ContractDelivery } from '../contract.js';
import { createNotifiers } from '../index.js';
import { HttpCaptureServer, refusedPort } from '../testing/http-capture.js';
import { receiverFromYaml } from '../testing/receiver.js';

const ROUTING_KEY = 'R0UT1NGK3Y5ECRET0000000000000001';

interface PagerdutyBody {
  event_action: 'trigger' | 'acknowledge' | 'resolve';
}

describeNotifierContract('pagerduty', async () => {
  const server = await HttpCaptureServer.start({
    okStatus: 202,
    okBody: '{"status":"success","message":"Event processed"}',
  });
  const closedPort = await refusedPort();
  return {
    notifier({ sendResolved, unreachable }) {
      const port = unreachable ? closedPort : server.port;
      const receiver = receiverFromYaml(`
pagerduty_configs:
  - routing_key: ${ROUTING_KEY}
    url: http://127.0.0.1:${port}/v2/enqueue
    send_resolved: ${sendResolved}
`);
      return createNotifiers(receiver)[0]!;
    },
    respond: (mode) => (server.mode = mode),
    deliveries: () =>
      server.requests.map((r): ContractDelivery => {
        const body = JSON.parse(r.body) as PagerdutyBody;
        return { status: body.event_action === 'resolve' ? 'resolved' : 'firing', text: JSON.stringify(body) };
      }),
    secrets: [ROUTING_KEY],
    rateLimits: true,
    close: () => server.close(),
  };
});
