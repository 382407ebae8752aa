/**
 * Seeded generators for the amtool differential test: random Alertmanager routing trees (match,
 * match_re, matchers in their spellings, continue, nesting), label sets that hit them, and
 * one-change mutations of a valid file that Alertmanager must reject (or accept) in a precise way.
 */

/** mulberry32: small, fast, and the same sequence for a seed on every machine. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** Mostly one of the first two items: routes and label sets then meet often enough to match. */
  pickCommon<T>(items: readonly T[]): T {
    return this.chance(0.65) ? items[this.int(Math.min(2, items.length))]! : this.pick(items);
  }
}

/** Label names and the values label sets draw from (a few with quotes, spaces, non-ASCII). */
export const LABEL_VALUES: Readonly<Record<string, readonly string[]>> = {
  severity: ['critical', 'warning', 'info', 'page', 'Critical'],
  team: ['portal', 'revenue', 'ops', 'sec', 'team-A', 'team-B'],
  env: ['prod', 'staging', 'dev', 'prod-eu', 'production'],
  service: ['api', 'db', 'vessel-api', 'vessel', 'parts', 'sms gateway'],
  alertname: ['DiskFull', 'PartsOrderingSystemDown', 'APIError', 'SyncFailure', 'x"y'],
  region: ['eu-1', 'us-2', 'ap', 'nordsjø', '12'],
};
const NAMES = Object.keys(LABEL_VALUES);

/** Regexps for a label, built from its values: Go RE2 syntax that amtool accepts. */
function regexFor(rng: Rng, name: string): string {
  const v = rng.pickCommon(LABEL_VALUES[name]!);
  const w = rng.pick(LABEL_VALUES[name]!);
  const lit = v.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
  switch (rng.int(14)) {
    case 0:
      return lit;
    case 1:
      return `${lit.slice(0, 2)}.*`;
    case 2:
      return `${lit}|${w.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`)}`;
    case 3:
      return `(?i)${lit.toUpperCase()}`;
    case 4:
      return '.+';
    case 5:
      return `.*${lit.slice(-2)}`;
    case 6:
      return '[a-p]+';
    case 7:
      return '\\w+-\\d';
    case 8:
      return '[[:alpha:]]+';
    case 9:
      return `[^${lit[0] === '\\' ? 'x' : (lit[0] ?? 'x')}].*`;
    case 10:
      return `(${lit.slice(0, 1)}|x){1,3}.*`;
    case 11:
      return '';
    case 12:
      return `^${lit}$`;
    default:
      return `\\Q${v}\\E`;
  }
}

/** A YAML double-quoted string (JSON strings are valid YAML double-quoted scalars). */
function q(s: string): string {
  return JSON.stringify(s);
}

/** One matcher in Alertmanager's syntax, in one of its spellings. */
function matcherString(rng: Rng): string {
  const name = rng.pick(NAMES);
  const op = rng.pick(['=', '!=', '=~', '!~'] as const);
  const value = op === '=' || op === '!=' ? rng.pickCommon(LABEL_VALUES[name]!) : regexFor(rng, name);
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const quoted = `"${escaped}"`;
  // Unquoted values are allowed when they have no quote, comma, brace or edge space.
  const unquotedOk = /^[^",{}\s\\]+$/.test(value);
  const val = unquotedOk && rng.chance(0.3) ? value : quoted;
  const sp = rng.chance(0.2) ? ' ' : '';
  return `${name}${sp}${op}${sp}${val}`;
}

interface GenRoute {
  lines: string[];
}

/** Writes one route node (YAML block lines at `indent`), recursing into children. */
function genRoute(rng: Rng, depth: number, indent: string, receivers: readonly string[], out: GenRoute): void {
  const first = `${indent}- `;
  const pad = `${indent}  `;
  const body: string[] = [];
  const kinds = rng.int(4);
  if (kinds === 0 || (kinds === 3 && rng.chance(0.5))) {
    const n = 1 + rng.int(2);
    body.push('match:');
    for (let i = 0; i < n; i++) {
      const name = rng.pick(NAMES);
      body.push(`  ${name}: ${q(rng.pickCommon(LABEL_VALUES[name]!))}`);
    }
  }
  if (kinds === 1 || (kinds === 3 && rng.chance(0.5))) {
    const name = rng.pick(NAMES);
    body.push('match_re:', `  ${name}: ${q(regexFor(rng, name))}`);
  }
  if (kinds === 2 || (kinds === 3 && rng.chance(0.7))) {
    const n = 1 + rng.int(2);
    const items: string[] = [];
    for (let i = 0; i < n; i++) items.push(matcherString(rng));
    // Either one string per matcher, or several in one string, optionally in braces.
    const asOne = rng.chance(0.3);
    const lines = asOne ? [`${rng.chance(0.5) ? '{' : ''}${items.join(', ')}${rng.chance(0.5) ? '}' : ''}`] : items;
    body.push('matchers:', ...lines.map((l) => `  - ${q(l)}`));
  }
  if (rng.chance(0.7)) body.push(`receiver: ${rng.pick(receivers)}`);
  if (rng.chance(0.45)) body.push('continue: true');
  if (rng.chance(0.2)) body.push(`group_by: [${rng.chance(0.3) ? "'...'" : rng.pick(NAMES)}]`);
  if (rng.chance(0.15)) body.push(`group_wait: ${rng.pick(['10s', '1m', '2m30s'])}`);
  const children = depth < 3 && rng.chance(0.45) ? 1 + rng.int(3) : 0;
  if (body.length === 0) body.push(`receiver: ${rng.pick(receivers)}`);
  out.lines.push(first + body[0]!, ...body.slice(1).map((l) => pad + l));
  if (children > 0) {
    out.lines.push(`${pad}routes:`);
    for (let i = 0; i < children; i++) genRoute(rng, depth + 1, `${pad}  `, receivers, out);
  }
}

/** A random, valid alertmanager.yml with a routing tree of up to 4 levels. */
export function generateConfig(rng: Rng): string {
  const receivers = ['default', 'pager', 'slack-ops', 'email-team', 'sms-oncall', 'webhook'];
  const lines = ['route:', '  receiver: default'];
  if (rng.chance(0.5)) lines.push(`  group_by: [${NAMES.slice(0, 1 + rng.int(3)).join(', ')}]`);
  const top = 1 + rng.int(5);
  lines.push('  routes:');
  const out: GenRoute = { lines };
  for (let i = 0; i < top; i++) genRoute(rng, 1, '    ', receivers, out);
  lines.push('receivers:', ...receivers.map((r) => `  - name: ${r}`));
  return `${lines.join('\n')}\n`;
}

/** A random label set: a few names with values from the pools (sometimes empty, sometimes none). */
export function generateLabels(rng: Rng): string[] {
  const out: string[] = [];
  for (const name of NAMES) {
    if (!rng.chance(0.7)) continue;
    const value = rng.chance(0.05) ? '' : rng.pickCommon(LABEL_VALUES[name]!);
    const needsQuotes = !/^[^",\s\\]*$/.test(value) || value === '';
    out.push(needsQuotes ? `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `${name}=${value}`);
  }
  return out;
}

/**
 * One change to a valid file, each a class of error Alertmanager reports (or a change it accepts):
 * the differential test wants the same verdict and message.
 */
export const MUTATIONS: readonly { name: string; apply: (yaml: string, rng: Rng) => string }[] = [
  {
    name: 'unknown field in a route',
    apply: (y) => y.replace('  receiver: default\n', '  receiver: default\n  recevier: x\n'),
  },
  { name: 'unknown top-level key', apply: (y) => `${y}inhibit: []\n` },
  { name: 'undefined receiver', apply: (y) => y.replace(/receiver: (pager|slack-ops)\n/, 'receiver: nobody\n') },
  { name: 'no root receiver', apply: (y) => y.replace('  receiver: default\n', '') },
  {
    name: 'continue on the root',
    apply: (y) => y.replace('  receiver: default\n', '  receiver: default\n  continue: true\n'),
  },
  {
    name: 'bad regexp in match_re',
    apply: (y) => y.replace('  routes:\n', '  routes:\n    - match_re: {env: "prod(("}\n'),
  },
  { name: 'bad matcher', apply: (y) => y.replace('  routes:\n', '  routes:\n    - matchers: ["env prod"]\n') },
  {
    name: 'unescaped quote in a matcher',
    apply: (y) => y.replace('  routes:\n', '  routes:\n    - matchers: [\'env="a"b"\']\n'),
  },
  {
    name: 'bad duration',
    apply: (y) => y.replace('  receiver: default\n', '  receiver: default\n  group_wait: 5 minutes\n'),
  },
  {
    name: 'zero group_interval',
    apply: (y) => y.replace('  receiver: default\n', '  receiver: default\n  group_interval: 0s\n'),
  },
  { name: 'duplicate receiver', apply: (y) => `${y}  - name: pager\n` },
  { name: 'receiver without name', apply: (y) => `${y}  - webhook_configs: [{url: "http://x"}]\n` },
  { name: 'list where a string goes', apply: (y) => y.replace('  receiver: default\n', '  receiver: [default]\n') },
  {
    name: 'map where a list goes',
    apply: (y) => y.replace(/^receivers:\n/m, 'receivers:\n  x: 1\nmute_time_intervals:\n'),
  },
  {
    name: 'bad label name in group_by',
    apply: (y) => y.replace('  receiver: default\n', '  receiver: default\n  group_by: [a-b]\n'),
  },
  {
    name: 'wildcard and names in group_by',
    apply: (y) => y.replace('  receiver: default\n', "  receiver: default\n  group_by: ['...', a]\n"),
  },
  {
    name: 'undefined time interval',
    apply: (y) =>
      y.replace('  routes:\n', '  routes:\n    - receiver: default\n      mute_time_intervals: [weekend]\n'),
  },
  {
    name: 'time interval defined and used',
    apply: (y) =>
      y.replace('  routes:\n', '  routes:\n    - receiver: default\n      active_time_intervals: [night]\n') +
      "time_intervals:\n  - name: night\n    time_intervals:\n      - times: [{start_time: '22:00', end_time: '24:00'}]\n        weekdays: ['monday:friday']\n        location: Europe/Oslo\n",
  },
  {
    name: 'bad weekday range',
    apply: (y) => `${y}time_intervals:\n  - name: w\n    time_intervals: [{weekdays: ['saturday:sunday']}]\n`,
  },
  {
    name: 'inhibit rule with bad equal label',
    apply: (y) =>
      `${y}inhibit_rules:\n  - source_matchers: [severity="critical"]\n    target_matchers: [severity="warning"]\n    equal: [alert-name]\n`,
  },
  {
    name: 'slack without api url',
    apply: (y) => y.replace('  - name: slack-ops\n', "  - name: slack-ops\n    slack_configs: [{channel: '#ops'}]\n"),
  },
  {
    name: 'email with global smarthost',
    apply: (y) =>
      `global:\n  smtp_smarthost: 'localhost:25'\n  smtp_from: wk@example.org\n${y.replace('  - name: email-team\n', '  - name: email-team\n    email_configs: [{to: team@example.org}]\n')}`,
  },
  {
    name: 'webhook with bad url',
    apply: (y) => y.replace('  - name: webhook\n', "  - name: webhook\n    webhook_configs: [{url: 'ftp://x'}]\n"),
  },
  {
    name: 'pagerduty without key',
    apply: (y) => y.replace('  - name: pager\n', '  - name: pager\n    pagerduty_configs: [{severity: critical}]\n'),
  },
  { name: 'tab indentation', apply: (y) => y.replace('  receiver: default\n', '\treceiver: default\n') },
];
