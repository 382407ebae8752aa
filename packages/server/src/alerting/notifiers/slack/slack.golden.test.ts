/**
 * The Slack messages Alertmanager 0.25 sent in ../shared/conformance/alerting/payloads
 * (receiver-payloads: one alert firing, then resolved), replayed through our Slack notifier with
 * our default templates: byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationTemplates } from '../default-templates.js';
import { createNotifiers } from '../index.js';
import { PAYLOADS_DIR, loadCapturedPosts, type WebhookBody } from '../testing/fixtures.js';
import { contextOf, expectSameBody, isWebhookBody } from '../testing/golden.js';
import { HttpCaptureServer } from '../testing/http-capture.js';
import { receiverFromYaml } from '../testing/receiver.js';

const posts = loadCapturedPosts('receiver-payloads-am0.25.jsonl');
const templates = createNotificationTemplates();

describe(`Slack golden payloads (${PAYLOADS_DIR})`, () => {
  let server: HttpCaptureServer;
  beforeAll(async () => {
    server = await HttpCaptureServer.start();
  });
  afterAll(() => server.close());

  it.skipIf(posts === undefined)(
    `receiver-payloads-am0.25.jsonl: the firing and the resolved message${posts === undefined ? ' (skipped: the payload file is absent)' : ''}`,
    async () => {
      const slack = posts!.filter((p) => p.path.startsWith('/slack/'));
      const hooks = posts!.filter((p) => isWebhookBody(p.body)).map((p) => p.body as WebhookBody);
      expect(slack).toHaveLength(2);
      for (const post of slack) {
        const title = (post.body as { attachments: { title: string }[] }).attachments[0]!.title;
        const hook = hooks.find((h) => (h.status === 'resolved') === title.startsWith('[RESOLVED]'))!;
        // The capture's own configuration is not in the fixtures; this one reproduces it: the
        // channel and a text template, everything else Alertmanager's defaults.
        const receiver = receiverFromYaml(`
slack_configs:
  - api_url: ${server.url(post.path)}
    channel: '#maritime-alerts'
    send_resolved: true
    text: "{{ range .Alerts }}{{ .Annotations.summary }} ({{ .Labels.severity }})\\n{{ end }}"
`);
        const before = server.requests.length;
        expect(await createNotifiers(receiver)[0]!.notify(contextOf(hook, templates))).toEqual({ ok: true });
        const sent = server.requests[before]!;
        expect(sent.path).toBe(post.path);
        expectSameBody(sent.body, post);
      }
    },
  );
});
