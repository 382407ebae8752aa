import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNotifiers } from '../index.js';
import { ACK_URL, notifyContext, partsAlert } from '../testing/context.js';
import { HttpCaptureServer } from '../testing/http-capture.js';
import { receiverFromYaml } from '../testing/receiver.js';
import { pagerdutyDedupKey } from './pagerduty-notifier.js';

describe('PagerdutyNotifier', () => {
  let server: HttpCaptureServer;
  beforeAll(async () => {
    server = await HttpCaptureServer.start({ okStatus: 202, okBody: '{"status":"success"}' });
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.mode = 'ok';
  });
  afterAll(() => server.close());

  const lastBody = () => JSON.parse(server.requests.at(-1)!.body) as Record<string, unknown>;
  const v2 = (extra = '') =>
    receiverFromYaml(
      `pagerduty_configs:\n  - routing_key: RK0000000000000000000000000000001\n    url: ${server.url('/v2/enqueue')}${extra}`,
    );

  it("hashes the group key as Alertmanager's dedup key", () => {
    expect(pagerdutyDedupKey('{}:{alertname="AisFeedDown", vessel_id="IMO9321483"}')).toBe(
      '4428d9ef11a56b6d0f978828c7bc4c6fb65ebe4d48d486a78d225ef321bad83f',
    );
  });

  it('triggers, acknowledges and resolves the same PagerDuty alert', async () => {
    const n = createNotifiers(v2())[0]!;
    const ctx = notifyContext([partsAlert('parts-1')]);
    await n.notify(ctx);
    await n.notify({ ...ctx, acknowledged: true });
    await n.notify({ ...ctx, acknowledged: true, alerts: [partsAlert('parts-1', 'resolved')] });
    const bodies = server.requests.map((r) => JSON.parse(r.body) as { event_action: string; dedup_key: string });
    expect(bodies.map((b) => b.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    expect(new Set(bodies.map((b) => b.dedup_key))).toEqual(new Set([pagerdutyDedupKey(ctx.groupKey)]));
  });

  it('renders payload fields, keeps images and links with a target, and adds the acknowledge link', async () => {
    const receiver = v2(`
    severity: warning
    class: '{{ .CommonLabels.service }}'
    component: parts
    group: revenue
    details: { team: 'commerce', firing: 'overridden {{ len .Alerts.Firing }}' }
    images: [{ src: 'https://img.test/{{ .CommonLabels.service }}.png', alt: graph, href: 'https://g.test' }, { src: '', alt: dropped }]
    links: [{ href: 'https://runbooks.test/parts', text: runbook }, { href: '', text: dropped }]`);
    await createNotifiers(receiver)[0]!.notify(notifyContext([partsAlert('parts-1')], { acknowledgeURL: ACK_URL }));
    const body = lastBody();
    expect(body['payload']).toMatchObject({
      summary: '[FIRING:1] PartsOrderingSystemDown (parts-1 parts-api critical)',
      source: 'Alertmanager',
      severity: 'warning',
      class: 'parts-api',
      component: 'parts',
      group: 'revenue',
    });
    expect(Object.keys((body['payload'] as { custom_details: object }).custom_details)).toEqual([
      'firing',
      'num_firing',
      'num_resolved',
      'resolved',
      'team',
    ]);
    expect((body['payload'] as { custom_details: Record<string, string> }).custom_details['firing']).toBe(
      'overridden 1',
    );
    expect(body['images']).toEqual([{ src: 'https://img.test/parts-api.png', alt: 'graph', href: 'https://g.test' }]);
    expect(body['links']).toEqual([
      { href: 'https://runbooks.test/parts', text: 'runbook' },
      { href: ACK_URL, text: 'Acknowledge in Watchkeeper' },
    ]);
  });

  it('replaces the custom details of an event over 512 kB', async () => {
    await createNotifiers(v2())[0]!.notify(
      notifyContext([partsAlert('parts-1', 'firing', { annotations: { description: 'x'.repeat(600_000) } })]),
    );
    expect(server.requests[0]!.body.length).toBeLessThan(512_000);
    expect((lastBody()['payload'] as { custom_details: unknown }).custom_details).toEqual({
      error: 'Custom details have been removed because the original event exceeds the maximum size of 512KB',
    });
  });

  it('sends v1 events for a service_key, to the configured v1 URL', async () => {
    const receiver = receiverFromYaml(`pagerduty_configs:\n  - service_key: SK00000000000000000000000000000001`);
    const n = createNotifiers(receiver, { pagerdutyV1URL: server.url('/generic/2010-04-15/create_event.json') })[0]!;
    await n.notify(notifyContext([partsAlert('parts-1')]));
    await n.notify(notifyContext([partsAlert('parts-1', 'resolved')]));
    const [trigger, resolve] = server.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(Object.keys(trigger!)).toEqual([
      'service_key',
      'incident_key',
      'event_type',
      'description',
      'event_action',
      'payload',
      'client',
      'client_url',
      'details',
    ]);
    expect(trigger).toMatchObject({ event_type: 'trigger', event_action: '', payload: null, client: 'Alertmanager' });
    expect(resolve).toMatchObject({ event_type: 'resolve' });
    expect(resolve!['client']).toBeUndefined();
  });

  it('does not send an empty routing key (after templating), and does not retry', async () => {
    const receiver = receiverFromYaml(
      `pagerduty_configs:\n  - routing_key: '{{ .CommonLabels.nope }}'\n    url: ${server.url('/v2/enqueue')}`,
    );
    const outcome = await createNotifiers(receiver)[0]!.notify(notifyContext([partsAlert('parts-1')]));
    expect(outcome).toEqual({ ok: false, retry: false, error: 'pagerduty: routing key cannot be empty' });
    expect(server.requests).toEqual([]);
  });

  it("reports PagerDuty's 400 message and errors", async () => {
    server.mode = 'permanent';
    const outcome = await createNotifiers(v2())[0]!.notify(notifyContext([partsAlert('parts-1')]));
    expect(outcome).toMatchObject({ ok: false, retry: false });
    expect(outcome.ok || outcome.error).toMatch(/unexpected status code 400: Event object is invalid: bad request$/);
  });
});
