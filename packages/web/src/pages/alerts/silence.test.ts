import { describe, expect, it } from 'vitest';
import { agoTime, humanDuration, readableValue, relativeTime } from './format';
import {
  alertMatchesText,
  displayState,
  explorePathFor,
  groupByReceiver,
  groupByRouteGroup,
  groupPending,
  severityOf,
} from './grouping';
import {
  buildSilence,
  formatMatcher,
  matchersFromLabels,
  opFlags,
  silenceMatches,
  sortSilences,
  validateSilence,
} from './silence';
import { historyText, notifiedReceivers } from './incidents';
import type { AmAlert, AmAlertGroup, RuleAlert, Silence } from './types';

describe('matchersFromLabels', () => {
  it('makes one equality matcher per label, alertname first', () => {
    const ms = matchersFromLabels({ severity: 'critical', alertname: 'PartsOrderingSystemDown', job: 'parts-api' });
    expect(ms.map(formatMatcher)).toEqual([
      'alertname="PartsOrderingSystemDown"',
      'job="parts-api"',
      'severity="critical"',
    ]);
    expect(ms.every((m) => m.isEqual && !m.isRegex)).toBe(true);
  });
  it('leaves out excluded labels', () => {
    expect(matchersFromLabels({ alertname: 'A', instance: 'h:1' }, ['instance']).map((m) => m.name)).toEqual([
      'alertname',
    ]);
  });
  it('selects the alert it came from', () => {
    const labels = { alertname: 'A', job: 'x' };
    expect(silenceMatches(matchersFromLabels(labels), labels)).toBe(true);
    expect(silenceMatches(matchersFromLabels(labels), { alertname: 'A', job: 'y' })).toBe(false);
  });
});

describe('matching', () => {
  it('anchors regexes and treats missing labels as empty', () => {
    const m = { name: 'job', value: 'parts.*', ...opFlags('=~') };
    expect(silenceMatches([m], { job: 'parts-api' })).toBe(true);
    expect(silenceMatches([m], { job: 'my-parts-api' })).toBe(false);
    expect(silenceMatches([{ name: 'team', value: '', ...opFlags('=') }], {})).toBe(true);
    expect(silenceMatches([{ name: 'team', value: 'a', ...opFlags('!=') }], {})).toBe(true);
    expect(formatMatcher({ name: 'a', value: 'b', ...opFlags('!~') })).toBe('a!~"b"');
  });
});

describe('validateSilence and buildSilence', () => {
  const draft = {
    matchers: matchersFromLabels({ alertname: 'A' }),
    durationSec: 7200,
    comment: ' deploying ',
    createdBy: 'alice',
  };
  it('accepts a complete draft and builds the API body', () => {
    expect(validateSilence(draft)).toEqual([]);
    const body = buildSilence(draft, Date.UTC(2026, 0, 1, 10));
    expect(body).toEqual({
      matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }],
      startsAt: '2026-01-01T10:00:00.000Z',
      endsAt: '2026-01-01T12:00:00.000Z',
      createdBy: 'alice',
      comment: 'deploying',
    });
  });
  it('names what is missing', () => {
    const errs = validateSilence({ matchers: [], durationSec: undefined, comment: '', createdBy: '' });
    expect(errs).toHaveLength(4);
    expect(validateSilence({ ...draft, matchers: [{ name: 'a', value: '.*', ...opFlags('=~') }] })).toEqual([
      'At least one matcher must not match the empty string.',
    ]);
    expect(validateSilence({ ...draft, matchers: [{ name: 'a', value: '(', ...opFlags('=~') }] })[0]).toMatch(
      /not valid/,
    );
    expect(validateSilence({ ...draft, matchers: [{ name: '1a', value: 'x', ...opFlags('=') }] })[0]).toMatch(
      /label name/,
    );
  });
});

describe('sortSilences', () => {
  const s = (id: string, state: Silence['status']['state'], startsAt: string, endsAt: string): Silence => ({
    id,
    status: { state },
    startsAt,
    endsAt,
    updatedAt: startsAt,
    comment: '',
    createdBy: '',
    matchers: [],
  });
  it('puts active first, ending soonest, then pending, then the latest expired', () => {
    const sorted = sortSilences([
      s('e1', 'expired', '2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z'),
      s('a2', 'active', '2026-01-02T00:00:00Z', '2026-01-03T05:00:00Z'),
      s('p', 'pending', '2026-01-04T00:00:00Z', '2026-01-05T00:00:00Z'),
      s('e2', 'expired', '2026-01-01T00:00:00Z', '2026-01-01T02:00:00Z'),
      s('a1', 'active', '2026-01-02T00:00:00Z', '2026-01-03T01:00:00Z'),
    ]);
    expect(sorted.map((x) => x.id)).toEqual(['a1', 'a2', 'p', 'e2', 'e1']);
  });
});

describe('format', () => {
  it('says durations in at most two units', () => {
    expect(humanDuration(45_000)).toBe('45s');
    expect(humanDuration(125_000)).toBe('2m 5s');
    expect(humanDuration(12 * 60_000 + 5000)).toBe('12m');
    expect(humanDuration(3 * 3_600_000 + 5 * 60_000)).toBe('3h 5m');
    expect(humanDuration(2 * 86_400_000 + 4 * 3_600_000)).toBe('2d 4h');
    expect(humanDuration(-90_000)).toBe('1m 30s');
  });
  it('says times relative to now', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(relativeTime('2026-01-01T11:55:00Z', now)).toBe('5m ago');
    expect(relativeTime('2026-01-01T12:04:00Z', now)).toBe('in 4m');
    expect(relativeTime('2026-01-01T12:00:00Z', now)).toBe('now');
    expect(relativeTime('garbage', now)).toBe('garbage');
  });
});

describe('grouping', () => {
  const alert = (fp: string, labels: Record<string, string>, extra: Partial<AmAlert['status']> = {}): AmAlert => ({
    fingerprint: fp,
    labels,
    annotations: { summary: `summary of ${labels.alertname}` },
    startsAt: '2026-01-01T00:00:00Z',
    endsAt: '2026-01-01T01:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    receivers: [],
    status: { state: 'active', silencedBy: [], inhibitedBy: [], ...extra },
  });
  const down = alert('f1', { alertname: 'PartsDown', severity: 'critical', team: 'revenue' });
  const slow = alert('f2', { alertname: 'Slow', severity: 'warning' });
  const groups: AmAlertGroup[] = [
    { labels: { alertname: 'Slow' }, receiver: { name: 'slack_warnings' }, alerts: [slow] },
    { labels: { alertname: 'PartsDown' }, receiver: { name: 'pagerduty_revenue' }, alerts: [down] },
    { labels: { alertname: 'PartsDown' }, receiver: { name: 'sms_oncall' }, alerts: [down] },
    { labels: { alertname: 'Slow' }, receiver: { name: 'email_engineering' }, alerts: [slow] },
  ];
  it('merges the groups of one route group over its receivers, most severe first', () => {
    const views = groupByRouteGroup(groups);
    expect(views.map((v) => [v.labels.alertname, v.receivers, v.alerts.length, v.severity])).toEqual([
      ['PartsDown', ['pagerduty_revenue', 'sms_oncall'], 1, 'critical'],
      ['Slow', ['email_engineering', 'slack_warnings'], 1, 'warning'],
    ]);
  });
  it('puts groups that notify before those held back', () => {
    const silenced = { ...down, status: { ...down.status, state: 'suppressed' as const, silencedBy: ['s'] } };
    const views = groupByRouteGroup([
      { labels: { alertname: 'PartsDown' }, receiver: { name: 'pagerduty_revenue' }, alerts: [silenced] },
      { labels: { alertname: 'Slow' }, receiver: { name: 'slack_warnings' }, alerts: [slow] },
    ]);
    expect(views.map((v) => v.labels.alertname)).toEqual(['Slow', 'PartsDown']);
  });
  it('sections by receiver, the most severe first', () => {
    expect(groupByReceiver(groups).map((s) => s.receiver)).toEqual([
      'pagerduty_revenue',
      'sms_oncall',
      'email_engineering',
      'slack_warnings',
    ]);
  });
  it('says why an alert is held back', () => {
    expect(displayState(down)).toBe('firing');
    expect(displayState(alert('x', {}, { state: 'suppressed', silencedBy: ['s1'] }))).toBe('silenced');
    expect(displayState(alert('x', {}, { state: 'suppressed', inhibitedBy: ['f'] }))).toBe('inhibited');
    expect(displayState(alert('x', {}, { state: 'suppressed', mutedBy: ['maintenance'] }))).toBe('muted');
    expect(severityOf({ severity: 'Warning' })).toBe('warning');
    expect(severityOf({})).toBe('none');
  });
  it('filters by label text or summary', () => {
    expect(alertMatchesText(down, 'team=revenue')).toBe(true);
    expect(alertMatchesText(down, 'team="revenue"')).toBe(true);
    expect(alertMatchesText(down, 'summary of parts')).toBe(true);
    expect(alertMatchesText(down, 'billing')).toBe(false);
    expect(alertMatchesText(down, ' ')).toBe(true);
  });
});

describe('groupPending', () => {
  const pending = (labels: Record<string, string>, activeAt: string): RuleAlert => ({
    labels,
    annotations: {},
    state: 'pending',
    activeAt,
    value: '0',
  });
  it('groups by alert name with the labels they share', () => {
    const groups = groupPending([
      pending({ alertname: 'Low', severity: 'info', company: 'a', job: 'auth' }, '2026-01-01T00:01:00Z'),
      pending({ alertname: 'Low', severity: 'info', company: 'b', job: 'auth' }, '2026-01-01T00:00:00Z'),
      pending({ alertname: 'Slow', severity: 'warning' }, '2026-01-01T00:00:00Z'),
      { ...pending({ alertname: 'Firing' }, '2026-01-01T00:00:00Z'), state: 'firing' },
    ]);
    expect(groups.map((g) => [g.alertname, g.alerts.length, g.severity])).toEqual([
      ['Slow', 1, 'warning'],
      ['Low', 2, 'info'],
    ]);
    expect(groups[1]!.common).toEqual({ alertname: 'Low', severity: 'info', job: 'auth' });
    expect(groups[1]!.alerts[0]!.labels.company).toBe('b'); // oldest first
  });
});

describe('explorePathFor', () => {
  it("opens a rule's generator URL in Explore", () => {
    expect(explorePathFor('http://127.0.0.1:9800/graph?g0.expr=up%7Bjob%3D%22parts-api%22%7D+%3D%3D+0&g0.tab=1')).toBe(
      '/explore?query=up%7Bjob%3D%22parts-api%22%7D+%3D%3D+0&range=1h',
    );
    expect(explorePathFor('https://grafana.example/d/abc')).toBeUndefined();
    expect(explorePathFor(undefined)).toBeUndefined();
  });
});

describe('notifiedReceivers', () => {
  it('adds the receivers a level left to their routes', () => {
    const out = notifiedReceivers({
      notified: [{ receiver: 'sms_secondary', level: 2, at: '2026-01-01T00:05:00Z' }],
      history: [
        { at: '2026-01-01T00:00:00Z', kind: 'opened' },
        { at: '2026-01-01T00:00:00Z', kind: 'escalated', level: 1, routed: ['pagerduty', 'sms_oncall'] },
        { at: '2026-01-01T00:05:00Z', kind: 'escalated', level: 2, receivers: ['sms_secondary'] },
      ],
    });
    expect(out.map((n) => [n.level, n.receiver, n.routed])).toEqual([
      [1, 'pagerduty', true],
      [1, 'sms_oncall', true],
      [2, 'sms_secondary', false],
    ]);
  });
});

describe('historyText', () => {
  it('says what happened', () => {
    expect(historyText({ at: '', kind: 'escalated', level: 2, receivers: ['a', 'b'] })).toBe(
      'Escalated to level 2; notified a, b',
    );
    expect(historyText({ at: '', kind: 'acknowledged', by: 'alice', via: 'api' })).toBe('Acknowledged by alice (api)');
    expect(historyText({ at: '', kind: 'level_skipped', level: 3, detail: 'all alerts silenced' })).toBe(
      'Skipped level 3: all alerts silenced',
    );
    expect(historyText({ at: '', kind: 'something_new', detail: 'x' })).toBe('something_new x');
  });
});

describe('readableValue', () => {
  it('shortens values from the rules API', () => {
    expect(readableValue('4.091539486491337e+00')).toBe('4.092');
    expect(readableValue('1.2519893272583765e-02')).toBe('0.01252');
    expect(readableValue('0e+00')).toBe('0');
    expect(readableValue('1e+00')).toBe('1');
    expect(readableValue('123456')).toBe('123500');
    expect(readableValue('5e-07')).toBe('5e-7');
    expect(readableValue('NaN')).toBe('NaN');
    expect(readableValue('+Inf')).toBe('+Inf');
  });
});

describe('agoTime', () => {
  it('never says a past event is in the future', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(agoTime('2026-01-01T11:58:00Z', now)).toBe('2m ago');
    expect(agoTime('2026-01-01T12:00:03Z', now)).toBe('just now');
    expect(agoTime('2026-01-01T12:00:40Z', now)).toBe('just now');
  });
});
