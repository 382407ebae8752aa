/** Incidents in words: who was notified, what the history says. */
import type { Incident, IncidentHistoryEntry } from './types';

/**
 * Who was told of the incident: the receivers its levels notified, and those a level left to their
 * routes (the routing tree pages them; the level does not page them twice).
 */
export function notifiedReceivers(inc: Pick<Incident, 'notified' | 'history'>): {
  receiver: string;
  level: number;
  at: string;
  routed: boolean;
}[] {
  const out = inc.notified.map((n) => ({ ...n, routed: false }));
  for (const h of inc.history) {
    if (h.kind !== 'escalated' || !h.routed) continue;
    for (const r of h.routed) {
      if (!out.some((o) => o.receiver === r && o.level === (h.level ?? 0))) {
        out.push({ receiver: r, level: h.level ?? 0, at: h.at, routed: true });
      }
    }
  }
  return out.sort((a, b) => a.level - b.level || Date.parse(a.at) - Date.parse(b.at));
}

/** One history entry in words. */
export function historyText(h: IncidentHistoryEntry): string {
  const level = h.level !== undefined ? `level ${h.level}${h.cycle ? ` (repeat ${h.cycle})` : ''}` : '';
  const list = (xs: string[] | undefined) => (xs && xs.length > 0 ? xs.join(', ') : '');
  switch (h.kind) {
    case 'opened':
      return 'Incident opened';
    case 'alert_firing':
      return `Alert firing${h.fingerprint ? ` (${h.fingerprint.slice(0, 8)})` : ''}`;
    case 'alert_resolved':
      return `Alert resolved${h.fingerprint ? ` (${h.fingerprint.slice(0, 8)})` : ''}`;
    case 'escalated': {
      const parts = [`Escalated to ${level}`];
      if (list(h.receivers)) parts.push(`notified ${list(h.receivers)}`);
      if (list(h.routed)) parts.push(`left to routes: ${list(h.routed)}`);
      return parts.join('; ');
    }
    case 'level_skipped':
      return `Skipped ${level}${h.detail ? `: ${h.detail}` : ''}`;
    case 'notify_failed':
      return `Notification to ${h.receiver ?? '?'} failed${h.detail ? `: ${h.detail}` : ''}`;
    case 'acknowledged':
      return `Acknowledged by ${h.by ?? '?'}${h.via ? ` (${h.via})` : ''}${h.detail ? `: ${h.detail}` : ''}`;
    case 'pagerduty_acknowledge':
      return `PagerDuty told of the acknowledgement${h.receiver ? ` (${h.receiver})` : ''}`;
    case 'pagerduty_acknowledge_failed':
      return `Telling PagerDuty failed${h.detail ? `: ${h.detail}` : ''}`;
    case 'resolved':
      return 'Resolved';
    case 'resolved_notice_failed':
      return `Resolved notice to ${h.receiver ?? '?'} failed${h.detail ? `: ${h.detail}` : ''}`;
    case 'policy_missing':
      return `Escalation policy missing${h.detail ? `: ${h.detail}` : ''}`;
    default:
      return [h.kind, level, h.detail].filter(Boolean).join(' ');
  }
}
