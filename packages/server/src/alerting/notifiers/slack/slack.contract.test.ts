import { describeNotifierContract, type ContractDelivery } from '../contract.js';
import { createNotifiers } from '../index.js';
import { HttpCaptureServer, refusedPort } from '../testing/http-capture.js';
import { receiverFromYaml } from '../testing/receiver.js';

const WEBHOOK_KEY = 'T0001/B0001/sLaCkSeCrEtKeY0001';

interface SlackBody {
  attachments: { title: string }[];
}

describeNotifierContract('slack', async () => {
  const server = await HttpCaptureServer.start();
  const closedPort = await refusedPort();
  return {
    notifier({ sendResolved, unreachable }) {
      const port = unreachable ? closedPort : server.port;
      const receiver = receiverFromYaml(`
slack_configs:
  - api_url: http://127.0.0.1:${port}/services/${WEBHOOK_KEY}
    channel: '#revenue-alerts'
    send_resolved: ${sendResolved}
    text: '{{ range .Alerts }}{{ .Labels.instance }}: {{ .Annotations.summary }}{{ "\\n" }}{{ end }}'
`);
      return createNotifiers(receiver)[0]!;
    },
    respond: (mode) => (server.mode = mode),
    deliveries: () =>
      server.requests.map((r): ContractDelivery => {
        const body = JSON.parse(r.body) as SlackBody;
        const resolved = body.attachments[0]!.title.startsWith('[RESOLVED]');
        return { status: resolved ? 'resolved' : 'firing', text: JSON.stringify(body) };
      }),
    secrets: [WEBHOOK_KEY],
    rateLimits: true,
    close: () => server.close(),
  };
});
