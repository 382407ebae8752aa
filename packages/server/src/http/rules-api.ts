/**
 * Prometheus's rule and alert endpoints: `GET /api/v1/rules` (groups with their rules, health,
 * last error, evaluation time; `type=alert|record`) and `GET /api/v1/alerts` (pending and firing
 * alerts), in Prometheus 2.42's JSON shapes so that Grafana and other tools read them unchanged.
 */
import type { FastifyInstance } from 'fastify';
import type { RestrictedScope, RestrictedSeriesPolicy } from '../access/index.js';
import {
  type Alert,
  AlertingRule,
  formatFloatLowerE,
  formatRfc3339,
  GO_ZERO_TIME,
  type LabelPairs,
  type Rule,
  type RuleGroup,
} from '../rules/index.js';
import { BadRequestError, sendError } from './errors.js';
import { restrictedScope } from './restricted-scope.js';

export interface RulesApiOptions {
  /** The rule groups to report (the rule manager's, in its order). */
  ruleGroups(): readonly RuleGroup[];
}

function pairsJson(pairs: LabelPairs | Iterable<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) out[k] = v;
  return out;
}

function timeJson(ms: number | undefined): string {
  return ms === undefined ? GO_ZERO_TIME : formatRfc3339(ms);
}

function alertJson(a: Alert): Record<string, unknown> {
  return {
    labels: pairsJson(a.labels),
    annotations: pairsJson(a.annotations),
    state: a.state,
    activeAt: formatRfc3339(a.activeAtMs),
    ...(a.keepFiringSinceMs !== undefined && { keepFiringSince: formatRfc3339(a.keepFiringSinceMs) }),
    value: formatFloatLowerE(a.value),
  };
}

/** Whether an alert of a shown rule may be shown too (its labels come from the series it read). */
function showAlert(scope: RestrictedScope, a: Alert): boolean {
  return scope.showAlert(a.labels.toRecord(), pairsJson(a.annotations));
}

function ruleJson(r: Rule, scope: RestrictedScope): Record<string, unknown> {
  const common = {
    health: r.status.health,
    ...(r.status.lastError !== undefined && { lastError: r.status.lastError.message }),
    evaluationTime: r.status.evaluationSeconds,
    lastEvaluation: timeJson(r.status.lastEvaluationMs),
  };
  if (r instanceof AlertingRule) {
    return {
      state: r.state,
      name: r.name,
      query: r.query,
      duration: r.holdDurationMs / 1000,
      keepFiringFor: r.keepFiringForMs / 1000,
      labels: pairsJson(r.labels),
      annotations: pairsJson(r.annotations),
      alerts: r
        .activeAlerts()
        .filter((a) => showAlert(scope, a))
        .map(alertJson),
      ...common,
      type: 'alerting',
    };
  }
  return {
    name: r.name,
    query: r.query,
    ...(r.labels.length > 0 && { labels: pairsJson(r.labels) }),
    ...common,
    type: 'recording',
  };
}

/** Query parameters given once or repeated (`rule_name[]=a&rule_name[]=b`). */
function list(q: Record<string, string | string[] | undefined>, name: string): string[] {
  const v = q[name] ?? q[`${name}[]`];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

const ok = (data: unknown): string => JSON.stringify({ status: 'success', data });
const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * `restricted` leaves out, for principals without `restricted:read`, the rules that read
 * restricted series (and groups left empty by that) and their alerts; it audits what it hid or
 * returned.
 */
export function registerRulesApi(
  app: FastifyInstance,
  opts: RulesApiOptions,
  restricted: RestrictedSeriesPolicy,
): void {
  app.get('/api/v1/rules', async (req, reply) => {
    const q = req.query as Record<string, string | string[] | undefined>;
    const typeParam = q['type'];
    const type = (Array.isArray(typeParam) ? typeParam[0] : typeParam)?.toLowerCase() ?? '';
    if (type !== '' && type !== 'alert' && type !== 'record') {
      return sendError(reply, new BadRequestError(`invalid query parameter type='${type}'`));
    }
    const names = new Set(list(q, 'rule_name'));
    const groupNames = new Set(list(q, 'rule_group'));
    const files = new Set(list(q, 'file'));
    const filtered = names.size > 0 || groupNames.size > 0 || files.size > 0;
    const scope = restrictedScope(restricted, req, 'rules', req.url);
    try {
      const groups = opts
        .ruleGroups()
        .filter((g) => (groupNames.size === 0 || groupNames.has(g.name)) && (files.size === 0 || files.has(g.file)))
        .map((g) => {
          const shown = g.rules.filter((r) => scope.showRule(r));
          return {
            hidden: shown.length < g.rules.length,
            name: g.name,
            file: g.file,
            rules: shown
              .filter((r) => {
                if (type === 'alert' && !(r instanceof AlertingRule)) return false;
                if (type === 'record' && r instanceof AlertingRule) return false;
                return names.size === 0 || names.has(r.name);
              })
              .map((r) => ruleJson(r, scope)),
            interval: g.intervalMs / 1000,
            limit: g.limit,
            evaluationTime: g.evaluationSeconds,
            lastEvaluation: timeJson(g.lastEvaluationMs),
          };
        })
        // Filters by name leave out the groups they empty (as newer Prometheus versions do); so
        // does hiding restricted rules.
        .filter((g) => (!filtered && !g.hidden) || g.rules.length > 0)
        .map(({ hidden: _hidden, ...g }) => g);
      return reply.headers(JSON_HEADERS).send(ok({ groups }));
    } finally {
      scope.finish();
    }
  });

  app.get('/api/v1/alerts', async (req, reply) => {
    const scope = restrictedScope(restricted, req, 'alerts', req.url);
    try {
      const alerts = opts
        .ruleGroups()
        .flatMap((g) => g.alertingRules())
        .filter((r) => scope.showRule(r))
        .flatMap((r) =>
          r
            .activeAlerts()
            .filter((a) => showAlert(scope, a))
            .map(alertJson),
        );
      return reply.headers(JSON_HEADERS).send(ok({ alerts }));
    } finally {
      scope.finish();
    }
  });
}
