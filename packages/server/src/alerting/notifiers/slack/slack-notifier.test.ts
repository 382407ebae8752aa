import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNotifiers } from '../index.js';
import { ACK_URL, notifyContext, partsAlert } from '../testing/context.js';
import { HttpCaptureServer } from '../testing/http-capture.js';
import { receiverFromYaml } from '../testing/receiver.js';

describe('SlackNotifier', () => {
  let server: HttpCaptureServer;
  beforeAll(async () => {
    server = await HttpCaptureServer.start();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.mode = 'ok';
  });
  afterAll(() => server.close());

  const lastBody = () =>
    JSON.parse(server.requests.at(-1)!.body) as { attachments: Record<string, unknown>[] } & Record<string, unknown>;

  it('templates fields and actions, with short_fields as the default for short', async () => {
    const receiver = receiverFromYaml(`
slack_configs:
  - api_url: ${server.url('/services/T/B/X')}
    short_fields: true
    icon_emoji: ':rotating_light:'
    link_names: true
    mrkdwn_in: [text]
    fields:
      - { title: Service, value: '{{ .CommonLabels.service }}' }
      - { title: Count, value: '{{ len .Alerts }}', short: false }
    actions:
      - { type: button, text: 'Runbook {{ .CommonLabels.alertname }}', url: 'https://runbooks.test/{{ .CommonLabels.service }}' }
      - type: button
        text: Silence
        name: silence
        value: '{{ .GroupLabels.alertname }}'
        confirm: { text: 'Silence {{ .CommonLabels.alertname }}?', ok_text: 'Yes' }
`);
    expect(await createNotifiers(receiver)[0]!.notify(notifyContext([partsAlert('parts-1')]))).toEqual({ ok: true });
    const body = lastBody();
    expect(body['icon_emoji']).toBe(':rotating_light:');
    expect(body['link_names']).toBe(true);
    const att = body.attachments[0]!;
    expect(att['mrkdwn_in']).toEqual(['text']);
    expect(att['fields']).toEqual([
      { title: 'Service', value: 'parts-api', short: true },
      { title: 'Count', value: '1', short: false },
    ]);
    expect(att['actions']).toEqual([
      { type: 'button', text: 'Runbook PartsOrderingSystemDown', url: 'https://runbooks.test/parts-api' },
      {
        type: 'button',
        text: 'Silence',
        name: 'silence',
        value: 'PartsOrderingSystemDown',
        confirm: { text: 'Silence PartsOrderingSystemDown?', ok_text: 'Yes' },
      },
    ]);
  });

  it('adds an Acknowledge button after the configured actions', async () => {
    const receiver = receiverFromYaml(`slack_configs:\n  - api_url: ${server.url('/services/T/B/X')}`);
    await createNotifiers(receiver)[0]!.notify(notifyContext([partsAlert('parts-1')], { acknowledgeURL: ACK_URL }));
    expect(lastBody().attachments[0]!['actions']).toEqual([
      { type: 'button', text: 'Acknowledge', url: ACK_URL, style: 'primary' },
    ]);
  });

  it('truncates the title to 1024 characters with an ellipsis', async () => {
    const receiver = receiverFromYaml(
      `slack_configs:\n  - api_url: ${server.url('/s')}\n    title: '{{ .CommonAnnotations.summary }}'`,
    );
    const long = 'é'.repeat(1100);
    await createNotifiers(receiver)[0]!.notify(
      notifyContext([partsAlert('p', 'firing', { annotations: { summary: long } })]),
    );
    const title = lastBody().attachments[0]!['title'] as string;
    expect(Array.from(title)).toHaveLength(1024);
    expect(title.endsWith('é…')).toBe(true);
  });

  it('fails without retry on a template error, and sends nothing', async () => {
    const receiver = receiverFromYaml(
      `slack_configs:\n  - api_url: ${server.url('/s')}\n    text: '{{ template "nope" . }}'`,
    );
    const outcome = await createNotifiers(receiver)[0]!.notify(notifyContext([partsAlert('parts-1')]));
    expect(outcome).toMatchObject({ ok: false, retry: false });
    expect(outcome.ok || outcome.error).toMatch(/^slack: failed to render the Slack message: template: .*"nope"/);
    expect(server.requests).toEqual([]);
  });

  it('reads api_url_file (global slack_api_url_file) at each notification', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-slack-'));
    const file = join(dir, 'slack-url');
    writeFileSync(file, `${server.url('/services/T9/B9/FROMFILE')}\n`);
    const receiver = receiverFromYaml(`slack_configs:\n  - channel: '#x'`, `slack_api_url_file: ${file}`);
    expect(await createNotifiers(receiver)[0]!.notify(notifyContext([partsAlert('parts-1')]))).toEqual({ ok: true });
    expect(server.requests[0]!.path).toBe('/services/T9/B9/FROMFILE');

    writeFileSync(file, `${server.url('/services/T9/B9/ROTATED')}\n`);
    server.mode = 'permanent';
    const outcome = await createNotifiers(receiver)[0]!.notify(notifyContext([partsAlert('parts-1')]));
    expect(server.requests[1]!.path).toBe('/services/T9/B9/ROTATED');
    expect(outcome).toMatchObject({ ok: false, retry: false });
    expect(JSON.stringify(outcome)).not.toContain('ROTATED');
  });
});
