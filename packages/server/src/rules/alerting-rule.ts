/**
 * An alerting rule, evaluated as Prometheus 2.42's rules.AlertingRule: alerts go pending when the
 * expression returns them, fire once they have been active for `for`, keep firing for
 * `keep_firing_for` after the expression stops returning them, and are kept as resolved (and
 * resent) for 15 minutes. Each evaluation writes `ALERTS{alertstate}` and `ALERTS_FOR_STATE`.
 */
import { Labels, METRIC_NAME } from '../lib/labels.js';
import { type Expr, formatExpr } from '../promql/index.js';
import { AlertTemplate, type QueryFunc } from '../template/index.js';
import {
  type LabelPairs,
  type OutputSample,
  RuleEvalError,
  type RuleQueryFunc,
  RuleStatus,
  sortedPairs,
} from './rule.js';

export type AlertState = 'inactive' | 'pending' | 'firing';

/** How long a resolved alert is kept (and resent), as Prometheus's resolvedRetention. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

/** One alert of a rule. Times are clock milliseconds; `undefined` is Go's zero time. */
export interface Alert {
  state: AlertState;
  /** The alert's labels, `alertname` included. */
  readonly labels: Labels;
  annotations: LabelPairs;
  value: number;
  activeAtMs: number;
  firedAtMs: number | undefined;
  resolvedAtMs: number | undefined;
  lastSentAtMs: number | undefined;
  validUntilMs: number | undefined;
  keepFiringSinceMs: number | undefined;
}

export interface AlertingRuleOptions {
  readonly name: string;
  readonly expr: Expr;
  readonly holdDurationMs: number;
  readonly keepFiringForMs: number;
  /** The rule's label templates, in file order. */
  readonly labels: LabelPairs;
  readonly annotations: LabelPairs;
  readonly externalLabels: Readonly<Record<string, string>>;
  /** Prometheus's --web.external-url; undefined as in `promtool test rules`. */
  readonly externalURL?: string;
  /** Whether ALERTS samples are written from the first evaluation (false until `for` state is restored). */
  readonly restored: boolean;
}

function alertKey(labels: Labels): string {
  return labels.key;
}

/** The ALERTS/ALERTS_FOR_STATE label set: the rule's raw labels overlaid with the alert's. */
function seriesLabels(rawLabels: LabelPairs, alert: Alert, extra: Record<string, string>): Labels {
  const m = new Map<string, string>(rawLabels);
  for (const [n, v] of alert.labels) m.set(n, v);
  for (const [n, v] of Object.entries(extra)) m.set(n, v);
  return Labels.from(m);
}

export class AlertingRule {
  readonly kind = 'alerting';
  readonly name: string;
  readonly expr: Expr;
  readonly query: string;
  readonly holdDurationMs: number;
  readonly keepFiringForMs: number;
  readonly labels: LabelPairs;
  readonly annotations: LabelPairs;
  readonly status = new RuleStatus();
  /** Active alerts (pending, firing, or resolved within the retention), by label set key. */
  active = new Map<string, Alert>();
  restored: boolean;
  private readonly labelTemplates: readonly (readonly [string, AlertTemplate])[];
  private readonly annotationTemplates: readonly (readonly [string, AlertTemplate])[];
  private readonly externalLabels: Readonly<Record<string, string>>;
  private readonly externalURL: string | undefined;

  constructor(o: AlertingRuleOptions) {
    this.name = o.name;
    this.expr = o.expr;
    this.query = formatExpr(o.expr);
    this.holdDurationMs = o.holdDurationMs;
    this.keepFiringForMs = o.keepFiringForMs;
    this.labels = sortedPairs(o.labels);
    this.annotations = sortedPairs(o.annotations);
    this.labelTemplates = this.labels.map(([k, v]) => [k, new AlertTemplate(o.name, v)] as const);
    this.annotationTemplates = this.annotations.map(([k, v]) => [k, new AlertTemplate(o.name, v)] as const);
    this.externalLabels = o.externalLabels;
    this.externalURL = o.externalURL;
    this.restored = o.restored;
  }

  /** `name` + labels, as Prometheus matches rules across reloads. */
  get identity(): string {
    return `${this.name}${Labels.from(this.labels).toString()}`;
  }

  /**
   * Evaluates at `tsMs`; returns the ALERTS and ALERTS_FOR_STATE samples to write. Rejects with
   * the query's error, or with Prometheus's messages for duplicate label sets and the limit.
   */
  async eval(tsMs: number, query: RuleQueryFunc, limit: number, queryOffsetMs = 0): Promise<OutputSample[]> {
    const queryTimeMs = tsMs - queryOffsetMs;
    const result = await query(this.expr, queryTimeMs);
    const templateQuery: QueryFunc = async (text) =>
      (await query(text, queryTimeMs)).map((s) => ({ labels: s.labels.toRecord(), value: s.v }));

    const fresh = new Map<string, Alert>();
    for (const smpl of result) {
      const data = {
        labels: smpl.labels.toRecord(),
        externalLabels: this.externalLabels,
        externalURL: this.externalURL,
        value: smpl.v,
      };
      const env = { query: templateQuery, externalURL: this.externalURL };
      const expand = async (t: AlertTemplate): Promise<string> => (await t.expand(data, env)).text;

      const m = new Map<string, string>(smpl.labels.without(METRIC_NAME));
      for (const [k, t] of this.labelTemplates) {
        const v = await expand(t);
        if (v === '') m.delete(k);
        else m.set(k, v);
      }
      m.set('alertname', this.name);
      const annotations: [string, string][] = [];
      for (const [k, t] of this.annotationTemplates) annotations.push([k, await expand(t)]);

      const labels = Labels.from(m);
      const key = alertKey(labels);
      if (fresh.has(key)) {
        const err = new RuleEvalError('vector contains metrics with the same labelset after applying alert labels');
        this.status.setError(err);
        throw err;
      }
      fresh.set(key, {
        state: 'pending',
        labels,
        annotations,
        value: smpl.v,
        activeAtMs: tsMs,
        firedAtMs: undefined,
        resolvedAtMs: undefined,
        lastSentAtMs: undefined,
        validUntilMs: undefined,
        keepFiringSinceMs: undefined,
      });
    }

    for (const [key, a] of fresh) {
      const existing = this.active.get(key);
      if (existing && existing.state !== 'inactive') {
        existing.value = a.value;
        existing.annotations = a.annotations;
        continue;
      }
      this.active.set(key, a);
    }

    const out: OutputSample[] = [];
    let numActivePending = 0;
    for (const [key, a] of [...this.active]) {
      if (!fresh.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && this.keepFiringForMs > 0) {
          if (a.keepFiringSinceMs === undefined) a.keepFiringSinceMs = tsMs;
          if (tsMs - a.keepFiringSinceMs < this.keepFiringForMs) keepFiring = true;
        }
        // A resolved alert is kept for the retention so that it is sent as resolved.
        if (a.state === 'pending' || (a.resolvedAtMs !== undefined && tsMs - a.resolvedAtMs > RESOLVED_RETENTION_MS)) {
          this.active.delete(key);
        }
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAtMs = tsMs;
        }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSinceMs = undefined;
      }
      numActivePending++;
      if (a.state === 'pending' && tsMs - a.activeAtMs >= this.holdDurationMs) {
        a.state = 'firing';
        a.firedAtMs = tsMs;
      }
      if (this.restored) {
        out.push({
          labels: seriesLabels(this.labels, a, { [METRIC_NAME]: 'ALERTS', alertstate: a.state }),
          timestampMs: tsMs,
          v: 1,
        });
        out.push({
          labels: this.forStateLabels(a),
          timestampMs: tsMs,
          v: Math.floor(a.activeAtMs / 1000),
        });
      }
    }

    if (limit > 0 && numActivePending > limit) {
      this.active = new Map();
      throw new RuleEvalError(`exceeded limit of ${limit} with ${numActivePending} alerts`);
    }
    return out;
  }

  /** The label set of the alert's ALERTS_FOR_STATE series. */
  forStateLabels(a: Alert): Labels {
    return seriesLabels(this.labels, a, { [METRIC_NAME]: 'ALERTS_FOR_STATE' });
  }

  /**
   * Alerts to send at `tsMs` (Prometheus's sendAlerts): firing alerts every `resendDelayMs`,
   * resolved ones once when they resolve and then every `resendDelayMs` while kept. Marks them
   * sent, valid until `tsMs + 4 × max(intervalMs, resendDelayMs)`; returns copies.
   */
  alertsToSend(tsMs: number, resendDelayMs: number, intervalMs: number): Alert[] {
    const out: Alert[] = [];
    for (const a of this.active.values()) {
      if (!needsSending(a, tsMs, resendDelayMs)) continue;
      a.lastSentAtMs = tsMs;
      a.validUntilMs = tsMs + 4 * Math.max(resendDelayMs, intervalMs);
      out.push({ ...a });
    }
    return out;
  }

  /** Alerts that are pending or firing (Prometheus's ActiveAlerts: not resolved). */
  activeAlerts(): Alert[] {
    return [...this.active.values()].filter((a) => a.resolvedAtMs === undefined).map((a) => ({ ...a }));
  }

  /** The rule's state for the API: the most severe state of its alerts. */
  get state(): AlertState {
    let s: AlertState = 'inactive';
    for (const a of this.active.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') s = 'pending';
    }
    return s;
  }

  /** Whether another rule is the same (for reloads: unchanged groups keep running). */
  equals(o: AlertingRule): boolean {
    return (
      this.name === o.name &&
      this.query === o.query &&
      this.holdDurationMs === o.holdDurationMs &&
      this.keepFiringForMs === o.keepFiringForMs &&
      JSON.stringify(this.labels) === JSON.stringify(o.labels) &&
      JSON.stringify(this.annotations) === JSON.stringify(o.annotations)
    );
  }
}

function needsSending(a: Alert, tsMs: number, resendDelayMs: number): boolean {
  if (a.state === 'pending') return false;
  if (a.resolvedAtMs !== undefined && (a.lastSentAtMs === undefined || a.resolvedAtMs > a.lastSentAtMs)) return true;
  return a.lastSentAtMs === undefined || a.lastSentAtMs + resendDelayMs < tsMs;
}
