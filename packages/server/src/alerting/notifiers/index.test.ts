import { describe, expect, it } from 'vitest';
import { NotifierSetupError, createNotifiers, unsupportedIntegrations } from './index.js';
import { receiverFromYaml } from './testing/receiver.js';

const ALL = `
webhook_configs: [{ url: 'http://h.test/a' }, { url: 'http://h.test/b', send_resolved: false }]
email_configs: [{ to: a@x.test, smarthost: 'smtp.test:25', from: w@x.test }]
pagerduty_configs: [{ routing_key: rk }]
slack_configs: [{ api_url: 'http://s.test/x' }]
sms_configs: [{ url: 'http://sms.test/send', to: ['+4712345678'] }]
opsgenie_configs: [{ api_key: k }]
`;

describe('createNotifiers', () => {
  it("builds one notifier per integration in Alertmanager's order, with the configs' send_resolved", () => {
    const notifiers = createNotifiers(receiverFromYaml(ALL));
    expect(notifiers.map((n) => [n.kind, n.index, n.sendResolved])).toEqual([
      ['webhook', 0, true],
      ['webhook', 1, false],
      ['email', 0, false],
      ['pagerduty', 0, true],
      ['slack', 0, false],
      ['sms', 0, true],
    ]);
  });

  it('names the integrations it does not deliver', () => {
    expect(unsupportedIntegrations(receiverFromYaml(ALL))).toEqual(['opsgenie_configs']);
    expect(unsupportedIntegrations(receiverFromYaml('webhook_configs: [{ url: "http://h.test/" }]'))).toEqual([]);
  });

  it.each([
    [
      'oauth2',
      `slack_configs:\n  - api_url: http://s.test/x\n    http_config:\n      oauth2: { client_id: c, client_secret: s, token_url: 'http://t.test/' }`,
      'At receiver "r" slack_configs.0.http_config.oauth2: OAuth 2.0 is not supported',
    ],
    [
      'proxy_url',
      `webhook_configs:\n  - url: http://h.test/\n    http_config: { proxy_url: 'http://proxy.test:3128' }`,
      'At receiver "r" webhook_configs.0.http_config.proxy_url: HTTP proxies are not supported',
    ],
  ])('refuses %s at setup', (_name, yaml, message) => {
    const build = () => createNotifiers(receiverFromYaml(yaml));
    expect(build).toThrow(NotifierSetupError);
    expect(build).toThrow(message);
  });
});
