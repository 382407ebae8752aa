/**
 * The inbox's page (GET /): the notifications kept, newest first, refreshed every 10 s. Every
 * value is HTML-escaped; acknowledge links are shown only when they are http(s) URLs.
 */
import { NOTIFICATION_KINDS, type InboxNotification, type NotificationKind } from './inbox.js';

const KIND_NAMES: Record<NotificationKind, string> = {
  slack: 'Slack',
  pagerduty: 'PagerDuty',
  sms: 'SMS',
  webhook: 'Webhook',
  email: 'E-mail',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface InboxPage {
  notifications: readonly InboxNotification[];
  /** Received since start (more than shown once the inbox is full). */
  received: number;
  capacity: number;
  kind?: NotificationKind;
  /** `127.0.0.1:9209`, when the SMTP side listens. */
  smtpAddress?: string;
}

export function renderInboxPage(page: InboxPage): string {
  const nav = [
    link('/', 'All', page.kind === undefined),
    ...NOTIFICATION_KINDS.map((k) => link(`/?kind=${k}`, KIND_NAMES[k], page.kind === k)),
  ].join(' · ');
  const rows = page.notifications.map(row).join('\n');
  const empty =
    `<p class="empty">Nothing ${page.kind === undefined ? '' : `from ${KIND_NAMES[page.kind]} `}yet. ` +
    'Watchkeeper sends here what the routes of config/alertmanager.yml deliver; it can take a minute ' +
    'after an alert fires (group_wait).</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="10">
<title>Notification inbox · Watchkeeper demo</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
.meta, footer { color: #666; font-size: .85rem; }
nav { margin: .8rem 0; }
nav a.current { font-weight: bold; color: #222; text-decoration: none; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid #ddd; }
td.time, td.kind { white-space: nowrap; }
.summary { color: #555; white-space: pre-wrap; margin-top: .2rem; max-height: 9rem; overflow: auto; }
.status { display: inline-block; padding: .05rem .45rem; border-radius: .6rem; color: #fff; font-size: .8rem; }
.status-firing { background: #c62828; }
.status-resolved { background: #2e7d32; }
.status-acknowledged { background: #1565c0; }
.status-unknown { background: #777; }
footer { margin-top: 1rem; }
code { font-size: .85em; }
</style>
</head>
<body>
<h1>Notification inbox</h1>
<p class="meta">${page.received} received since the portal started; the last ${page.capacity} are kept.
Refreshes every 10 s. JSON: <a href="/inbox">/inbox</a>.</p>
<nav>${nav}</nav>
${
  page.notifications.length === 0
    ? empty
    : `<div class="scroll"><table>
<thead><tr><th>Received (UTC)</th><th>Kind</th><th>To</th><th>Status</th><th>Notification</th><th></th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`
}
<footer>Receivers: <code>POST /slack/&lt;channel&gt;</code>, <code>POST /pagerduty/v2/enqueue</code>,
<code>POST /sms/send</code>, <code>POST /webhook/&lt;name&gt;</code>${
    page.smtpAddress === undefined ? '' : `, SMTP on <code>${escapeHtml(page.smtpAddress)}</code>`
  }.</footer>
</body>
</html>
`;
}

function link(href: string, label: string, current: boolean): string {
  return current ? `<a class="current" href="${href}">${label}</a>` : `<a href="${href}">${label}</a>`;
}

function row(n: InboxNotification): string {
  const time = n.receivedAt.replace('T', ' ').replace(/\.\d+Z$/, '');
  const ack =
    n.acknowledgeURL !== undefined && /^https?:\/\//i.test(n.acknowledgeURL)
      ? `<a href="${escapeHtml(n.acknowledgeURL)}" rel="noopener noreferrer" target="_blank">Acknowledge</a>`
      : '';
  return [
    `<tr id="n${n.id}">`,
    `<td class="time">${escapeHtml(time)}</td>`,
    `<td class="kind">${KIND_NAMES[n.kind]}</td>`,
    `<td>${escapeHtml(n.channel)}</td>`,
    `<td><span class="status status-${n.status}">${n.status}</span></td>`,
    `<td><strong>${escapeHtml(n.title)}</strong>${
      n.summary === '' ? '' : `<div class="summary">${escapeHtml(n.summary)}</div>`
    }</td>`,
    `<td>${ack}</td>`,
    '</tr>',
  ].join('');
}
