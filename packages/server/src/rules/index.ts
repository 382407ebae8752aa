/**
 * Recording and alerting rules, as Prometheus 2.42 has them: rule files, groups evaluated on the
 * clock, alert state (pending, firing, `keep_firing_for`, resolved), ALERTS and ALERTS_FOR_STATE,
 * `for` state restored after a restart, and alerts handed to an AlertSink. Also promtool's
 * `test rules` and `check rules`. See README.md.
 */
export type { AlertSink, PostableAlert } from './alert-sink.js';
export { generatorURL, goQueryEscape, toPostableAlerts } from './alert-sink.js';
export {
  AlertmanagerSink,
  alertmanagerTargets,
  type AlertmanagerConfig,
  type AlertmanagerSinkOptions,
  type AlertmanagerTarget,
  type PostResult,
} from './alertmanager-sink.js';
export { AlertingRule, RESOLVED_RETENTION_MS, type Alert, type AlertState } from './alerting-rule.js';
export { RecordingRule } from './recording-rule.js';
export { RuleGroup, type Rule } from './group.js';
export {
  RuleLoadError,
  RuleManager,
  buildGroups,
  engineQueryFunc,
  expandRuleFiles,
  loadRuleFiles,
  type InstantQueryEngine,
  type RuleManagerOptions,
} from './manager.js';
export {
  RuleFileError,
  countRules,
  loadRuleFile,
  parseRuleText,
  type RuleDefinition,
  type RuleFile,
  type RuleGroupDefinition,
} from './rule-file.js';
export type { LabelPairs, RuleHealth, RuleQueryFunc, RuleSample } from './rule.js';
export { formatFloatLowerE, formatRfc3339, GO_ZERO_TIME } from './go-format.js';
export { checkRules, type CheckRulesOptions } from './promtool/check.js';
export { runRuleTests, type RuleTestOptions } from './promtool/test-runner.js';
export type { CommandOutput } from './promtool/output.js';
