/**
 * Watchkeeper's default notification templates: the names Alertmanager's configuration defaults
 * refer to (`{{ template "slack.default.title" . }}`, ...), written for Watchkeeper. For the
 * webhook, Slack and PagerDuty fields they render the same text as Alertmanager 0.25's built-in
 * default.tmpl (checked against captured Alertmanager payloads); the email body is our own short
 * HTML, and `email.default.text` and `sms.default.message` are Watchkeeper's.
 *
 * User template files are added after these, so a file that defines one of the names replaces it,
 * as it would replace Alertmanager's default.
 */
import { AlertmanagerTemplates } from '../../template/index.js';

/** The file name the defaults are registered under (errors in them name it). */
export const DEFAULT_TEMPLATES_FILE = 'watchkeeper-default.tmpl';

/** The default templates, in Go's text/template language. */
export const DEFAULT_NOTIFICATION_TEMPLATES = String.raw`{{/*
  Shared pieces. The names starting with "__" are Alertmanager's: user templates call them.
*/}}
{{- define "__alertmanager" }}Alertmanager{{ end }}

{{- define "__alertmanagerURL" -}}
  {{ .ExternalURL }}/#/alerts?receiver={{ urlquery .Receiver }}
{{- end }}

{{- /* "[FIRING:2] PartsOrderingSystemDown (parts-api critical)": status, the group's label values,
       then the labels all alerts share beyond the group's, in parentheses. */ -}}
{{- define "__subject" -}}
  [{{ toUpper .Status }}{{ if eq .Status "firing" }}:{{ len .Alerts.Firing }}{{ end }}]
  {{- " " }}{{ join " " .GroupLabels.SortedPairs.Values }}{{ " " }}
  {{- if gt (len .CommonLabels) (len .GroupLabels) -}}
    ({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ join " " .Values }}{{ end }})
  {{- end }}
{{- end }}

{{- define "__description" }}{{ end }}

{{- /* One block per alert: its labels, annotations and source, each line ending in a newline. */ -}}
{{- define "__text_alert_list" -}}
  {{ range . -}}
    Labels:{{ "\n" }}
    {{- range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}{{ "\n" }}{{ end -}}
    Annotations:{{ "\n" }}
    {{- range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}{{ "\n" }}{{ end -}}
    Source: {{ .GeneratorURL }}{{ "\n" }}
  {{- end }}
{{- end }}

{{- define "__text_alert_list_markdown" -}}
  {{ range . -}}
    Labels:{{ "\n" }}
    {{- range .Labels.SortedPairs }}  - {{ .Name }} = {{ .Value }}{{ "\n" }}{{ end -}}
    Annotations:{{ "\n" }}
    {{- range .Annotations.SortedPairs }}  - {{ .Name }} = {{ .Value }}{{ "\n" }}{{ end -}}
    Source: {{ .GeneratorURL }}{{ "\n" }}
  {{- end }}
{{- end }}

{{- /* Slack: a title linking to the alerts, the rest empty unless configured. */ -}}
{{- define "slack.default.title" }}{{ template "__subject" . }}{{ end }}
{{- define "slack.default.username" }}{{ template "__alertmanager" . }}{{ end }}
{{- define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{- define "slack.default.fallback" -}}
  {{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}
{{- end }}
{{- define "slack.default.callbackid" }}{{ end }}
{{- define "slack.default.pretext" }}{{ end }}
{{- define "slack.default.iconemoji" }}{{ end }}
{{- define "slack.default.iconurl" }}{{ end }}
{{- define "slack.default.text" }}{{ end }}
{{- define "slack.default.footer" }}{{ end }}

{{- /* PagerDuty: the subject as summary, the alert lists as custom details. */ -}}
{{- define "pagerduty.default.description" }}{{ template "__subject" . }}{{ end }}
{{- define "pagerduty.default.client" }}{{ template "__alertmanager" . }}{{ end }}
{{- define "pagerduty.default.clientURL" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{- define "pagerduty.default.instances" }}{{ template "__text_alert_list" . }}{{ end }}

{{- /* Email: the subject, a plain-text body and a short HTML body. */ -}}
{{- define "email.default.subject" }}{{ template "__subject" . }}{{ end }}

{{- define "email.default.text" -}}
  {{ template "__subject" . }}{{ "\n\n" }}
  {{- with .Alerts.Firing }}Firing ({{ len . }}):{{ "\n" }}{{ template "__text_alert_list" . }}{{ "\n" }}{{ end }}
  {{- with .Alerts.Resolved }}Resolved ({{ len . }}):{{ "\n" }}{{ template "__text_alert_list" . }}{{ "\n" }}{{ end -}}
  All alerts: {{ template "__alertmanagerURL" . }}{{ "\n" }}
{{- end }}

{{- define "__wk_email_alert" -}}
  <div style="margin:0 0 12px;padding:8px 12px;border-left:4px solid {{ if eq .Status "firing" }}#c62828{{ else }}#2e7d32{{ end }};background:#fafafa">
  {{- with .Annotations.summary }}<p style="margin:0 0 6px;font-weight:bold">{{ . }}</p>{{ end -}}
  <table style="border-collapse:collapse;font-size:13px">
  {{- range .Labels.SortedPairs }}<tr><td style="padding:1px 12px 1px 0;color:#555">{{ .Name }}</td><td>{{ .Value }}</td></tr>{{ end -}}
  </table>
  {{- range .Annotations.SortedPairs }}{{ if ne .Name "summary" }}<p style="margin:6px 0 0"><span style="color:#555">{{ .Name }}:</span> {{ .Value }}</p>{{ end }}{{ end -}}
  <p style="margin:6px 0 0;font-size:12px;color:#555">Since {{ .StartsAt.UTC.Format "2006-01-02 15:04:05 MST" }}
  {{- if eq .Status "resolved" }}, resolved {{ .EndsAt.UTC.Format "2006-01-02 15:04:05 MST" }}{{ end }}
  {{- with .GeneratorURL }} · <a href="{{ . }}">source</a>{{ end }}</p></div>{{ "\n" }}
{{- end }}

{{- define "email.default.html" -}}
<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{ template "__subject" . }}</title></head>
<body style="margin:0;padding:16px;font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#222;background:#fff">
<h2 style="margin:0 0 4px;font-size:18px;color:{{ if eq .Status "firing" }}#c62828{{ else }}#2e7d32{{ end }}">{{ template "__subject" . }}</h2>
<p style="margin:0 0 16px;color:#555">{{ len .Alerts }} alert{{ if gt (len .Alerts) 1 }}s{{ end }} for {{ range $i, $p := .GroupLabels.SortedPairs }}{{ if $i }}, {{ end }}{{ $p.Name }}={{ $p.Value }}{{ end }} · <a href="{{ template "__alertmanagerURL" . }}">view all</a></p>
{{ with .Alerts.Firing }}<h3 style="margin:16px 0 8px;font-size:15px">Firing ({{ len . }})</h3>
{{ range . }}{{ template "__wk_email_alert" . }}{{ end }}{{ end -}}
{{ with .Alerts.Resolved }}<h3 style="margin:16px 0 8px;font-size:15px">Resolved ({{ len . }})</h3>
{{ range . }}{{ template "__wk_email_alert" . }}{{ end }}{{ end -}}
<p style="margin:24px 0 0;font-size:12px;color:#888">Sent by Watchkeeper · <a href="{{ .ExternalURL }}">{{ .ExternalURL }}</a></p>
</body>
</html>
{{ end }}

{{- /* SMS: the subject alone; the notifier trims it and adds the acknowledge link. */ -}}
{{- define "sms.default.message" }}{{ template "__subject" . }}{{ end }}
`;

/** A template file for `createNotificationTemplates`. */
export interface TemplateFile {
  /** The file's base name (Go's ParseFiles names templates after it). */
  readonly name: string;
  readonly content: string;
}

/**
 * The templates notifiers render with: the defaults, then the configuration's template files (in
 * the order of `templates:`), whose definitions replace defaults of the same name.
 * @throws TemplateError when a file does not parse.
 * @example
 * const templates = createNotificationTemplates(files.map((f) => ({ name: basename(f), content: readFileSync(f, 'utf8') })));
 */
export function createNotificationTemplates(files: readonly TemplateFile[] = []): AlertmanagerTemplates {
  const t = new AlertmanagerTemplates();
  t.addFile(DEFAULT_TEMPLATES_FILE, DEFAULT_NOTIFICATION_TEMPLATES);
  for (const f of files) t.addFile(f.name, f.content);
  return t;
}
