import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertmanagerConfigError, loadAlertmanagerConfig, parseAlertmanagerConfig } from '../index.js';

const MINIMAL = 'route:\n  receiver: default\nreceivers:\n  - name: default\n';

function rejects(yaml: string): AlertmanagerConfigError {
  try {
    parseAlertmanagerConfig(yaml, { file: 'test.yml' });
  } catch (err) {
    expect(err).toBeInstanceOf(AlertmanagerConfigError);
    return err as AlertmanagerConfigError;
  }
  return expect.unreachable('the configuration should have been rejected');
}

describe('parseAlertmanagerConfig', () => {
  it("applies Alertmanager's defaults and freezes the result", () => {
    const c = parseAlertmanagerConfig(MINIMAL);
    expect(c.global).toMatchObject({
      resolve_timeout: 300_000,
      smtp_hello: 'localhost',
      smtp_require_tls: true,
      pagerduty_url: 'https://events.pagerduty.com/v2/enqueue',
      http_config: { follow_redirects: true, enable_http2: true },
    });
    expect(c.routeTree.opts).toMatchObject({ receiver: 'default', groupWaitMs: 30_000, groupIntervalMs: 300_000 });
    expect(c.routeTree.opts.repeatIntervalMs).toBe(4 * 3_600_000);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.receivers[0])).toBe(true);
  });

  it('pushes the global settings into receivers as Alertmanager does', () => {
    const c = parseAlertmanagerConfig(
      `global:
  smtp_smarthost: 'mail:25'
  smtp_from: wk@example.org
  slack_api_url: https://hooks.slack.com/services/x
  opsgenie_api_key: k
  http_config: {basic_auth: {username: u, password: p}}
route: {receiver: all}
receivers:
  - name: all
    email_configs: [{to: ops@example.org}, {to: x@example.org, from: other@example.org, smarthost: 'other:587'}]
    slack_configs: [{channel: '#ops'}]
    opsgenie_configs: [{api_url: 'https://api.eu.opsgenie.com'}]
    webhook_configs: [{url: 'http://hook:8080/x', max_alerts: 10}]
    pagerduty_configs: [{routing_key: r, details: {team: portal}}]
`,
    );
    const r = c.receiversByName.get('all')!;
    expect(r.email_configs[0]).toMatchObject({
      smarthost: { host: 'mail', port: '25' },
      from: 'wk@example.org',
      require_tls: true,
    });
    expect(r.email_configs[1]).toMatchObject({ smarthost: { host: 'other', port: '587' }, from: 'other@example.org' });
    expect(r.slack_configs[0]!.api_url).toBe('https://hooks.slack.com/services/x');
    expect(r.slack_configs[0]!.send_resolved).toBe(false);
    expect(r.opsgenie_configs[0]).toMatchObject({ api_url: 'https://api.eu.opsgenie.com/', api_key: 'k' });
    expect(r.webhook_configs[0]).toMatchObject({ url: 'http://hook:8080/x', max_alerts: 10, send_resolved: true });
    expect(r.webhook_configs[0]!.http_config?.basic_auth).toEqual({ username: 'u', password: 'p', password_file: '' });
    expect(r.pagerduty_configs[0]!.url).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(r.pagerduty_configs[0]!.details).toMatchObject({ team: 'portal', num_firing: '{{ .Alerts.Firing | len }}' });
  });

  it('reads the sms_configs extension', () => {
    const c = parseAlertmanagerConfig(
      `${MINIMAL}  - name: sms\n    sms_configs: [{url: 'https://sms.example/api/send', to: ['+4712345678']}]\n`,
    );
    expect(c.receiversByName.get('sms')!.sms_configs[0]).toMatchObject({
      url: 'https://sms.example/api/send',
      to: ['+4712345678'],
      send_resolved: true,
      message: '{{ template "sms.default.message" . }}',
    });
    expect(rejects(`${MINIMAL}  - name: sms\n    sms_configs: [{url: 'https://sms.example'}]\n`).amtoolMessage).toBe(
      'missing to numbers in SMS config',
    );
  });

  it('builds inhibition rules and time intervals', () => {
    const c = parseAlertmanagerConfig(
      `${MINIMAL}inhibit_rules:
  - source_match: {severity: critical}
    target_match_re: {severity: 'warning|info'}
    equal: [cluster]
time_intervals:
  - name: sunday-maintenance
    time_intervals: [{weekdays: [sunday], times: [{start_time: '02:00', end_time: '04:00'}], location: Europe/Oslo}]
`,
    );
    const rule = c.inhibitRules[0]!;
    expect(rule.sourceMatchers.map(String)).toEqual(['severity="critical"']);
    expect(rule.targetMatchers.map(String)).toEqual(['severity=~"^(?:warning|info)$"']);
    expect(rule.targetMatchers[0]!.matches('info')).toBe(true);
    expect(rule.equal).toEqual(['cluster']);
    const [interval] = c.timeIntervals.get('sunday-maintenance')!;
    // Sunday 2026-03-01 02:30 in Oslo is 01:30 UTC.
    expect(interval!.containsTime(Date.UTC(2026, 2, 1, 1, 30))).toBe(true);
    expect(interval!.containsTime(Date.UTC(2026, 2, 1, 3, 30))).toBe(false);
  });

  it("names the path of the first error, with Alertmanager's message", () => {
    const e = rejects('route:\n  receiver: a\n  routes:\n    - receiver: b\nreceivers: [{name: a}]\n');
    expect(e.amtoolMessage).toBe('undefined receiver "b" used in route');
    expect(e.problems).toEqual([{ path: 'route.routes.0.receiver', message: 'undefined receiver "b" used in route' }]);
    expect(e.message).toMatch(
      /^test\.yml: invalid Alertmanager configuration:\n {2}At route\.routes\.0\.receiver: undefined/,
    );
    expect(
      rejects('route: {receiver: a, routes: [{match_re: {env: "("}}]}\nreceivers: [{name: a}]\n').problems[0],
    ).toEqual({
      path: 'route.routes.0.match_re.env',
      message: 'error parsing regexp: missing closing ): `^(?:()$`',
    });
  });

  it('reports all type errors together, with their lines, as yaml.v2', () => {
    const e = rejects('route:\n  receiver: a\n  recevier: b\n  continue: maybe\nreceivers: {name: a}\n');
    expect(e.amtoolMessage).toBe(
      'yaml: unmarshal errors:\n' +
        '  line 3: field recevier not found in type config.plain\n' +
        '  line 4: cannot unmarshal !!str `maybe` into bool\n' +
        '  line 5: cannot unmarshal !!map into []*config.Receiver',
    );
    expect(e.problems.map((p) => [p.path, p.line])).toEqual([
      ['route', 3],
      ['route.continue', 4],
      ['receivers', 5],
    ]);
  });

  it("keeps Alertmanager 0.25's quirks", () => {
    const c = parseAlertmanagerConfig(
      `route:
  receiver: a
  group_by: [cluster]
  routes:
    - {receiver: a, group_by: [], mute_time_intervals: [night], routes: [{receiver: a}]}
receivers: [{name: a}]
mute_time_intervals: [{name: night, time_intervals: [{times: [{start_time: '00:00', end_time: '06:00'}]}]}]
`,
    );
    const child = c.routeTree.routes[0]!;
    // `group_by: []` does not override the parent (fixed in 0.31); time intervals are not inherited.
    expect(child.opts.groupBy).toEqual(['cluster']);
    expect(child.opts.muteTimeIntervals).toEqual(['night']);
    expect(child.routes[0]!.opts.muteTimeIntervals).toEqual([]);
    expect(rejects('route: {receiver: a, group_by: ["...", a]}\nreceivers: [{name: a}]\n').amtoolMessage).toBe(
      'cannot have wildcard group_by (`...`) and other other labels at the same time',
    );
  });

  it('rejects what Load rejects outside the YAML decoder', () => {
    expect(rejects('').amtoolMessage).toBe('no route provided in config');
    expect(rejects('receivers: []\n').amtoolMessage).toBe('no routes provided');
    expect(rejects('route: {receiver: a, continue: true}\nreceivers: [{name: a}]\n').amtoolMessage).toBe(
      'cannot have continue in root route',
    );
  });

  it('resolves templates and HTTP client files against the file folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-am-'));
    const file = join(dir, 'alertmanager.yml');
    writeFileSync(
      file,
      `templates: ['templates/*.tmpl', '/abs/x.tmpl']
route: {receiver: a}
receivers:
  - name: a
    webhook_configs: [{url: 'http://x', http_config: {bearer_token_file: token, tls_config: {ca_file: ca.pem}}}]
`,
    );
    const c = loadAlertmanagerConfig(file);
    expect(c.templates).toEqual([join(dir, 'templates/*.tmpl'), '/abs/x.tmpl']);
    const http = c.receivers[0]!.webhook_configs[0]!.http_config!;
    expect(http.authorization).toEqual({ type: 'Bearer', credentials: '', credentials_file: join(dir, 'token') });
    expect(http.tls_config.ca_file).toBe(join(dir, 'ca.pem'));
    expect(() => loadAlertmanagerConfig(join(dir, 'missing.yml'))).toThrow(
      `open ${join(dir, 'missing.yml')}: no such file or directory`,
    );
  });
});
