/**
 * The webhook payloads Alertmanager 0.25 sent in ../shared/conformance/alerting/payloads, replayed
 * through our webhook notifier: every body byte for byte (times aside: ours carry milliseconds).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationTemplates } from '../default-templates.js';
import { createNotifiers } from '../index.js';
import { PAYLOADS_DIR, loadCapturedPosts } from '../testing/fixtures.js';
import { contextOf, expectSameBody, isWebhookBody } from '../testing/golden.js';
import { HttpCaptureServer } from '../testing/http-capture.js';
import { receiverFromYaml } from '../testing/receiver.js';

const FILES = ['webhook-payloads-am0.25.jsonl', 'receiver-payloads-am0.25.jsonl'];
const templates = createNotificationTemplates();

describe(`webhook golden payloads (${PAYLOADS_DIR})`, () => {
  let server: HttpCaptureServer;
  beforeAll(async () => {
    server = await HttpCaptureServer.start();
  });
  afterAll(() => server.close());

  for (const file of FILES) {
    const posts = loadCapturedPosts(file)?.filter((p) => isWebhookBody(p.body));
    it.skipIf(posts === undefined)(
      `${file}: every captured webhook body${posts === undefined ? ' (skipped: the payload file is absent)' : ''}`,
      async () => {
        expect(posts!.length).toBeGreaterThan(0);
        for (const post of posts!) {
          const body = post.body as Parameters<typeof contextOf>[0];
          const receiver = receiverFromYaml(`webhook_configs:\n  - url: ${server.url(post.path)}`);
          const before = server.requests.length;
          const outcome = await createNotifiers(receiver)[0]!.notify(contextOf(body, templates));
          expect(outcome).toEqual({ ok: true });
          const sent = server.requests[before]!;
          expect(sent.path).toBe(post.path);
          expect(sent.headers['content-type']).toBe('application/json');
          expectSameBody(sent.body, post);
        }
      },
    );
  }
});
