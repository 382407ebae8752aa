/**
 * The PagerDuty v2 events Alertmanager 0.25 sent in ../shared/conformance/alerting/payloads
 * (receiver-payloads: trigger, then resolve), replayed through our PagerDuty notifier with our
 * default templates: byte for byte, dedup_key included.
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

describe(`PagerDuty golden payloads (${PAYLOADS_DIR})`, () => {
  let server: HttpCaptureServer;
  beforeAll(async () => {
    server = await HttpCaptureServer.start({ okStatus: 202, okBody: '{"status":"success"}' });
  });
  afterAll(() => server.close());

  it.skipIf(posts === undefined)(
    `receiver-payloads-am0.25.jsonl: the trigger and the resolve event${posts === undefined ? ' (skipped: the payload file is absent)' : ''}`,
    async () => {
      const events = posts!.filter((p) => p.path.startsWith('/pagerduty/'));
      const hooks = posts!.filter((p) => isWebhookBody(p.body)).map((p) => p.body as WebhookBody);
      expect(events.map((e) => (e.body as { event_action: string }).event_action)).toEqual(['trigger', 'resolve']);
      for (const post of events) {
        const action = (post.body as { event_action: string }).event_action;
        const hook = hooks.find((h) => (h.status === 'resolved') === (action === 'resolve'))!;
        // The capture's configuration is not in the fixtures; this one reproduces it: the routing
        // key and the severity from the alert's label, everything else Alertmanager's defaults.
        const receiver = receiverFromYaml(`
pagerduty_configs:
  - routing_key: R0UTINGKEY0000000000000000000000
    url: ${server.url(post.path)}
    severity: '{{ .CommonLabels.severity }}'
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
