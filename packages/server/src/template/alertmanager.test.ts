/** Alertmanager 0.25's notification templates: functions and data model. */
import { describe, expect, it } from 'vitest';
import { AlertmanagerTemplates, labelsFingerprint, notificationData, type NotificationAlert } from './index.js';

const alert = (
  instance: string,
  status: 'firing' | 'resolved',
  extra: Record<string, string> = {},
): NotificationAlert => ({
  status,
  labels: { alertname: 'DiskFull', cluster: 'c1', instance, ...extra },
  annotations: { summary: `disk ${instance} full`, runbook: 'http://runbooks/disk' },
  startsAtMs: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
  endsAtMs: status === 'resolved' ? Date.UTC(2024, 0, 2, 4, 0, 0) : undefined,
  generatorURL: 'http://prom/graph',
});

const data = notificationData({
  receiver: 'team.ops',
  groupLabels: { alertname: 'DiskFull' },
  alerts: [alert('a', 'firing', { severity: 'warning' }), alert('b', 'resolved', { severity: 'warning' })],
  externalURL: 'http://am:9093',
});

function render(text: string): string {
  const r = new AlertmanagerTemplates().executeText(text, data);
  if (!r.ok) throw r.error;
  return r.text;
}

describe('notificationData', () => {
  it('computes status, common labels and annotations as Alertmanager does', () => {
    expect(render('{{ .Status }} {{ .Receiver }} {{ .CommonLabels.SortedPairs }}')).toBe(
      'firing team\\.ops [{alertname DiskFull} {cluster c1} {severity warning}]',
    );
    expect(render('{{ .CommonAnnotations }}')).toBe('map[runbook:http://runbooks/disk]');
  });

  it('splits firing and resolved alerts', () => {
    expect(
      render(
        '{{ len .Alerts.Firing }}/{{ len .Alerts.Resolved }} {{ range .Alerts.Firing }}{{ .Labels.instance }}{{ end }}',
      ),
    ).toBe('1/1 a');
  });

  it("gives times Go's formatting, and a zero EndsAt to firing alerts", () => {
    expect(render('{{ range .Alerts }}{{ .StartsAt }}|{{ .EndsAt }}|{{ .EndsAt.IsZero }};{{ end }}')).toBe(
      '2024-01-02 03:04:05.678 +0000 UTC|0001-01-01 00:00:00 +0000 UTC|true;2024-01-02 03:04:05.678 +0000 UTC|2024-01-02 04:00:00 +0000 UTC|false;',
    );
    expect(render('{{ (index .Alerts 0).StartsAt.Format "Mon, 02 Jan 2006 15:04:05 MST" }}')).toBe(
      'Tue, 02 Jan 2024 03:04:05 UTC',
    );
  });

  it('fingerprints labels as Alertmanager does', () => {
    expect(labelsFingerprint({})).toBe('cbf29ce484222325');
    expect(render('{{ (index .Alerts 0).Fingerprint }}')).toBe(
      labelsFingerprint(alert('a', 'firing', { severity: 'warning' }).labels),
    );
  });
});

describe('Alertmanager functions and KV methods', () => {
  it('renders the default subject', () => {
    const subject =
      '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.SortedPairs.Values | join " " }} {{ if gt (len .CommonLabels) (len .GroupLabels) }}({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }}){{ end }}';
    expect(render(subject)).toBe('[FIRING:1] DiskFull (c1 warning)');
  });

  it('title lower-cases the rest of each word (x/text/cases), unlike Prometheus', () => {
    expect(render('{{ "aa bb CC foo.bar" | title }}')).toBe('Aa Bb Cc Foo.bar');
  });

  it('has no humanize functions', () => {
    const r = new AlertmanagerTemplates().executeText('{{ humanize 1 }}', data);
    expect(r.ok ? r.text : r.error.message).toBe('template: :1: function "humanize" not defined');
  });

  it('uses defined templates from files', () => {
    const t = new AlertmanagerTemplates();
    t.addFile(
      'custom.tmpl',
      '{{ define "x.title" }}{{ .CommonLabels.alertname }} on {{ .CommonLabels.cluster }}{{ end }}',
    );
    const r = t.executeText('{{ template "x.title" . }}', data);
    expect(r).toEqual({ ok: true, text: 'DiskFull on c1' });
    expect(t.executeText('', data)).toEqual({ ok: true, text: '' });
  });

  it('escapes in HTML mode', () => {
    const r = new AlertmanagerTemplates().executeHtml('<p>{{ "<b>" }}{{ "<i>" | safeHtml }}</p>', data);
    expect(r).toEqual({ ok: true, text: '<p>&lt;b&gt;<i></p>' });
  });
});
