import { describe, expect, it } from 'vitest';
import type { NotificationAlert } from '../../template/index.js';
import { createNotificationTemplates } from './default-templates.js';
import { templateData } from './render.js';
import { notifyContext, partsAlert } from './testing/context.js';

interface TemplateCase {
  readonly name: string;
  readonly template: string;
  readonly alerts: readonly NotificationAlert[];
  readonly groupLabels?: Readonly<Record<string, string>>;
  readonly receiver?: string;
  readonly want: string;
}

const templates = createNotificationTemplates();
const firing2 = [partsAlert('parts-1'), partsAlert('parts-2')];

const CASES: TemplateCase[] = [
  {
    name: 'subject: count of firing alerts, group values, shared labels beyond the group',
    template: '{{ template "__subject" . }}',
    alerts: firing2,
    want: '[FIRING:2] PartsOrderingSystemDown (parts-api critical)',
  },
  {
    name: 'subject: resolved has no count',
    template: '{{ template "__subject" . }}',
    alerts: [partsAlert('parts-1', 'resolved')],
    want: '[RESOLVED] PartsOrderingSystemDown (parts-1 parts-api critical)',
  },
  {
    name: "subject: nothing beyond the group leaves Alertmanager's trailing space",
    template: '{{ template "__subject" . }}',
    alerts: [partsAlert('parts-1')],
    groupLabels: {
      alertname: 'PartsOrderingSystemDown',
      instance: 'parts-1',
      service: 'parts-api',
      severity: 'critical',
    },
    want: '[FIRING:1] PartsOrderingSystemDown parts-1 parts-api critical ',
  },
  {
    name: 'subject: a mixed group is firing and counts only the firing alerts',
    template: '{{ template "email.default.subject" . }}',
    alerts: [partsAlert('parts-1'), partsAlert('parts-2', 'resolved')],
    want: '[FIRING:1] PartsOrderingSystemDown (parts-api critical)',
  },
  {
    name: 'the link to the alerts quotes the receiver (QuoteMeta, then urlquery)',
    template: '{{ template "slack.default.titlelink" . }}',
    alerts: firing2,
    receiver: 'team a+b',
    want: 'http://watchkeeper.test:9800/#/alerts?receiver=team+a%5C%2Bb',
  },
  {
    name: 'Slack fallback: title | link',
    template: '{{ template "slack.default.fallback" . }}',
    alerts: [partsAlert('parts-1')],
    want: '[FIRING:1] PartsOrderingSystemDown (parts-1 parts-api critical) | http://watchkeeper.test:9800/#/alerts?receiver=revenue-critical',
  },
  {
    name: 'empty Slack defaults',
    template:
      '{{ template "slack.default.pretext" . }}{{ template "slack.default.text" . }}{{ template "slack.default.footer" . }}' +
      '{{ template "slack.default.callbackid" . }}{{ template "slack.default.iconemoji" . }}{{ template "slack.default.iconurl" . }}',
    alerts: firing2,
    want: '',
  },
  {
    name: 'PagerDuty instances: one block per alert',
    template: '{{ template "pagerduty.default.instances" .Alerts.Firing }}',
    alerts: [partsAlert('parts-1', 'firing', { annotations: {}, generatorURL: '' })],
    want:
      'Labels:\n - alertname = PartsOrderingSystemDown\n - instance = parts-1\n - service = parts-api\n - severity = critical\n' +
      'Annotations:\nSource: \n',
  },
  {
    name: 'SMS: the subject',
    template: '{{ template "sms.default.message" . }}',
    alerts: firing2,
    want: '[FIRING:2] PartsOrderingSystemDown (parts-api critical)',
  },
  {
    name: 'email text: subject, firing and resolved lists, link',
    template: '{{ template "email.default.text" . }}',
    alerts: [
      partsAlert('parts-1', 'firing', { annotations: {}, generatorURL: 'http://p' }),
      partsAlert('parts-2', 'resolved', { annotations: { summary: 'gone' }, generatorURL: '' }),
    ],
    want: [
      '[FIRING:1] PartsOrderingSystemDown (parts-api critical)',
      '',
      'Firing (1):',
      'Labels:',
      ' - alertname = PartsOrderingSystemDown',
      ' - instance = parts-1',
      ' - service = parts-api',
      ' - severity = critical',
      'Annotations:',
      'Source: http://p',
      '',
      'Resolved (1):',
      'Labels:',
      ' - alertname = PartsOrderingSystemDown',
      ' - instance = parts-2',
      ' - service = parts-api',
      ' - severity = critical',
      'Annotations:',
      ' - summary = gone',
      'Source: ',
      '',
      'All alerts: http://watchkeeper.test:9800/#/alerts?receiver=revenue-critical',
      '',
    ].join('\n'),
  },
];

describe('default notification templates', () => {
  it.each(CASES)('$name', (c) => {
    const ctx = notifyContext(c.alerts, {
      ...(c.groupLabels && { groupLabels: c.groupLabels }),
      ...(c.receiver !== undefined && { receiver: c.receiver }),
    });
    const r = templates.executeText(c.template, templateData(ctx, c.alerts));
    expect(r.ok ? r.text : r.error.message).toBe(c.want);
  });

  it('renders the HTML email with escaped values, both sections and the times', () => {
    const alerts = [
      partsAlert('parts-<1>', 'firing', { annotations: { summary: 'a & b', runbook_url: 'https://rb/x?a=1&b=2' } }),
      partsAlert('parts-2', 'resolved'),
    ];
    const r = templates.executeHtml(
      '{{ template "email.default.html" . }}',
      templateData(notifyContext(alerts), alerts),
    );
    expect(r.ok).toBe(true);
    const html = r.ok ? r.text : '';
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<title>[FIRING:1] PartsOrderingSystemDown (parts-api critical)</title>');
    expect(html).toContain('Firing (1)');
    expect(html).toContain('Resolved (1)');
    expect(html).toContain('parts-&lt;1&gt;');
    expect(html).toContain('a &amp; b');
    expect(html).toContain('https://rb/x?a=1&amp;b=2');
    expect(html).toContain('Since 2026-11-29 02:28:00 UTC');
    expect(html).toContain('resolved 2026-11-29 02:29:59 UTC');
    expect(html).not.toContain('parts-<1>');
  });

  it('lets a template file replace a default, as Alertmanager lets it replace default.tmpl', () => {
    const custom = createNotificationTemplates([
      { name: 'custom.tmpl', content: '{{ define "slack.default.title" }}custom {{ .Status }}{{ end }}' },
    ]);
    const r = custom.executeText(
      '{{ template "slack.default.title" . }} / {{ template "__subject" . }}',
      templateData(notifyContext(firing2), firing2),
    );
    expect(r.ok && r.text).toBe('custom firing / [FIRING:2] PartsOrderingSystemDown (parts-api critical)');
  });
});
