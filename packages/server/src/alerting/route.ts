/**
 * The routing tree as Alertmanager 0.25's dispatcher builds and walks it (dispatch/route.go):
 * options inherited down the tree, depth-first matching with `continue`, route keys and the
 * group labels and group key of an alert on a route.
 */
import { Labels } from '../lib/labels.js';
import type { RouteConfig } from './config/schema.js';
import { goQuote, compareGoStrings } from './go-strings.js';
import { AlertMatcher, formatMatchers, matchesAll, sortMatchers, type LabelLookup } from './matchers.js';

/** The effective options of a route node (its own settings over its parent's). */
export interface RouteOpts {
  /** Name of the receiver notified for alerts that end on this node. */
  readonly receiver: string;
  /** Labels that split alerts into groups, in the order written (ignored when `groupByAll`). */
  readonly groupBy: readonly string[];
  /** `group_by: ['...']`: every label of the alert groups. */
  readonly groupByAll: boolean;
  /** Wait before the first notification of a new group. @default 30 s */
  readonly groupWaitMs: number;
  /** Wait between notifications of a group about new or changed alerts. @default 5 m */
  readonly groupIntervalMs: number;
  /** Wait before a notification is repeated unchanged. @default 4 h */
  readonly repeatIntervalMs: number;
  /** Named time intervals during which this node does not notify (not inherited). */
  readonly muteTimeIntervals: readonly string[];
  /** Named time intervals outside of which this node does not notify; empty = always (not inherited). */
  readonly activeTimeIntervals: readonly string[];
}

/** The options of the root route before its own settings apply (Alertmanager's DefaultRouteOpts). */
export const DEFAULT_ROUTE_OPTS: RouteOpts = Object.freeze({
  receiver: '',
  groupBy: Object.freeze([]),
  groupByAll: false,
  groupWaitMs: 30_000,
  groupIntervalMs: 5 * 60_000,
  repeatIntervalMs: 4 * 3_600_000,
  muteTimeIntervals: Object.freeze([]),
  activeTimeIntervals: Object.freeze([]),
});

/** An alert's labels: a Labels from lib/ or a plain record. A missing label is `''`. */
export type AlertLabels = Labels | Readonly<Record<string, string>>;

function lookup(labels: AlertLabels): LabelLookup {
  if (labels instanceof Labels) return (n) => labels.get(n);
  return (n) => (Object.hasOwn(labels, n) ? labels[n]! : '');
}

function entries(labels: AlertLabels): [string, string][] {
  return labels instanceof Labels ? [...labels] : Object.entries(labels);
}

/** One node of the routing tree. */
export class Route {
  readonly parent: Route | undefined;
  /** Position among its parent's children; -1 for the root. */
  readonly index: number;
  readonly opts: RouteOpts;
  /** All of `match`, `match_re` and `matchers`, sorted as Alertmanager sorts them. */
  readonly matchers: readonly AlertMatcher[];
  /** `continue: true`: after a match here, later siblings are tried too. */
  readonly continue: boolean;
  readonly routes: readonly Route[];
  /**
   * Alertmanager's route key: the parent's key, `/`, this node's matchers, e.g.
   * `{}/{owner="team-A"}`. Not unique: siblings with the same matchers share it.
   */
  readonly key: string;

  constructor(config: RouteConfig, parent: Route | undefined, index: number) {
    this.parent = parent;
    this.index = index;
    const base = parent ? parent.opts : DEFAULT_ROUTE_OPTS;
    const groupByNames = config.group_by.filter((l) => l !== '...');
    // Alertmanager 0.25 builds GroupBy only from names: `group_by: []` leaves the parent's setting.
    const ownGroupBy = groupByNames.length > 0;
    this.opts = Object.freeze({
      receiver: config.receiver !== '' ? config.receiver : base.receiver,
      groupBy: ownGroupBy ? Object.freeze(groupByNames) : base.groupBy,
      groupByAll: ownGroupBy ? false : config.group_by.includes('...') || base.groupByAll,
      groupWaitMs: config.group_wait ?? base.groupWaitMs,
      groupIntervalMs: config.group_interval ?? base.groupIntervalMs,
      repeatIntervalMs: config.repeat_interval ?? base.repeatIntervalMs,
      muteTimeIntervals: Object.freeze([...config.mute_time_intervals]),
      activeTimeIntervals: Object.freeze([...config.active_time_intervals]),
    });
    const matchers: AlertMatcher[] = [];
    for (const [name, value] of Object.entries(config.match)) matchers.push(AlertMatcher.create('=', name, value));
    // match_re values are printed (and so keyed) in their anchored form, as Go's Regexp.String().
    for (const [name, re] of Object.entries(config.match_re))
      matchers.push(AlertMatcher.create('=~', name, `^(?:${re})$`));
    matchers.push(...config.matchers);
    this.matchers = Object.freeze(sortMatchers(matchers));
    this.continue = config.continue;
    this.key = `${parent ? `${parent.key}/` : ''}${formatMatchers(this.matchers)}`;
    this.routes = Object.freeze(config.routes.map((c, i) => new Route(c, this, i)));
    Object.freeze(this);
  }

  /**
   * The nodes an alert ends on, in tree order: depth first, left to right; after a matching
   * child, later siblings are tried only if that child has `continue`; a node none of whose
   * children match is itself the match. Empty when this node's own matchers reject the alert.
   */
  match(labels: AlertLabels): Route[] {
    return this.matchLookup(lookup(labels));
  }

  private matchLookup(label: LabelLookup): Route[] {
    if (!matchesAll(this.matchers, label)) return [];
    const all: Route[] = [];
    for (const child of this.routes) {
      const matches = child.matchLookup(label);
      all.push(...matches);
      if (matches.length > 0 && !child.continue) break;
    }
    if (all.length === 0) all.push(this);
    return all;
  }

  /** Whether this node's own matchers accept the labels (children not considered). */
  matchesOwn(labels: AlertLabels): boolean {
    return matchesAll(this.matchers, lookup(labels));
  }

  /** A path that identifies the node in its tree: `0.2.1` (child indexes from the root; `` for the root). */
  get path(): string {
    return this.parent ? (this.parent.parent ? `${this.parent.path}.${this.index}` : String(this.index)) : '';
  }

  /** Visits this node and its descendants in depth-first order. */
  walk(visit: (route: Route) => void): void {
    visit(this);
    for (const r of this.routes) r.walk(visit);
  }
}

/** Builds the routing tree from the (validated) `route:` section. */
export function buildRouteTree(config: RouteConfig): Route {
  return new Route(config, undefined, -1);
}

/** The labels that identify an alert's group on a route: its values of `group_by` (all with `...`). */
export function groupLabels(labels: AlertLabels, opts: RouteOpts): Record<string, string> {
  const out: Record<string, string> = {};
  const wanted = new Set(opts.groupBy);
  for (const [name, value] of entries(labels)) if (opts.groupByAll || wanted.has(name)) out[name] = value;
  return out;
}

/** A label set as Prometheus's model.LabelSet prints it: `{a="1", b="2"}`. */
export function formatLabelSet(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([n, v]) => `${n}=${goQuote(v)}`);
  parts.sort(compareGoStrings);
  return `{${parts.join(', ')}}`;
}

/**
 * Alertmanager's group key of an alert on a route, `<route key>:<group labels>`, e.g.
 * `{}/{severity="critical"}:{alertname="DiskFull", cluster="c1"}`: what receivers get as
 * `groupKey` and what deduplication and PagerDuty's dedup_key derive from.
 */
export function groupKey(route: Route, labels: AlertLabels): string {
  return `${route.key}:${formatLabelSet(groupLabels(labels, route.opts))}`;
}
