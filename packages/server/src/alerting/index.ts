/**
 * Alerting: Alertmanager-compatible configuration (alertmanager.yml as Alertmanager 0.25 reads
 * it), matchers, the routing tree and time intervals. The dispatcher, inhibition, silences and
 * notifiers build on these. See README.md.
 */
export {
  AlertmanagerConfigError,
  loadAlertmanagerConfig,
  parseAlertmanagerConfig,
  type AlertmanagerConfig,
  type AlertmanagerConfigProblem,
  type InhibitRule,
  type ParseAlertmanagerConfigOptions,
} from './config/load.js';
export type { GlobalConfig, InhibitRuleConfig, RouteConfig } from './config/schema.js';
export type { HttpClientConfig, TlsConfig } from './config/http-config.js';
export type {
  DiscordConfig,
  EmailConfig,
  OpsgenieConfig,
  PagerdutyConfig,
  PushoverConfig,
  ReceiverConfig,
  SlackConfig,
  SmsConfig,
  SnsConfig,
  TelegramConfig,
  VictoropsConfig,
  WebexConfig,
  WebhookConfig,
  WechatConfig,
} from './config/receivers.js';
export type { HostPort } from './config/go-types.js';
export {
  AlertMatcher,
  MatcherParseError,
  formatMatchers,
  matchesAll,
  parseMatcher,
  parseMatchers,
  sortMatchers,
  type AlertMatchType,
  type LabelLookup,
} from './matchers.js';
export { GoRegexpError, compileGoRegexp } from './go-regexp.js';
export {
  DEFAULT_ROUTE_OPTS,
  Route,
  buildRouteTree,
  formatLabelSet,
  groupKey,
  groupLabels,
  type AlertLabels,
  type RouteOpts,
} from './route.js';
export {
  TimeInterval,
  intervalsContain,
  type InclusiveRange,
  type TimeIntervalSpec,
  type TimeOfDayRange,
} from './time-interval.js';
export { GlobPatternError, globFiles } from './config/templates.js';

// The dispatcher, silences, inhibition and the Alertmanager API's core (dispatch/, silences/, inhibit/).
export {
  GO_ZERO_TIME_MS,
  compareAlertLabels,
  formatApiTime,
  isResolvedAt,
  labelSetBefore,
  parseApiTime,
  toNotificationAlert,
  type Alert,
  type AlertSink,
  type PostableAlert,
  type SendResult,
} from './dispatch/alert.js';
export { AlertStore, type AlertChange, type AlertListener, type AlertStoreOptions } from './dispatch/alert-store.js';
export {
  Dispatcher,
  UnknownReceiverError,
  type AcknowledgeURLProvider,
  type AdHocAlert,
  needsUpdate,
  type DispatcherLog,
  type DispatcherOptions,
  type GroupSnapshot,
  type NotifierFactory,
  type NotifyReceiverOptions,
  type NotifyReceiverResult,
  type RouteGroupRef,
} from './dispatch/dispatcher.js';
export type { AlertStatus, MuteStage } from './dispatch/mute.js';
export type { IntegrationStatus } from './dispatch/integration.js';
export { createNotificationMetrics, type NotificationMetrics } from './dispatch/metrics.js';
export { NotificationLog, SqliteNflogStore, type NflogEntry } from './dispatch/nflog.js';
export { AlertingDbVersionError, openAlertingDb } from './dispatch/state-db.js';
export {
  Alertmanager,
  AlertingSetupError,
  loadTemplateFiles,
  resolvedAfterMutePolicy,
  type AlertmanagerOptions,
  type ResolvedAfterMuteSettings,
} from './dispatch/alertmanager.js';
export {
  SilenceError,
  Silences,
  compareSilences,
  silenceMatchers,
  silenceState,
  type Silence,
  type SilenceErrorCode,
  type SilenceInput,
  type SilenceMatcher,
  type SilenceState,
  type SilenceStore,
  type SilencesOptions,
} from './silences/silences.js';
export { SqliteSilenceStore } from './silences/sqlite-silence-store.js';
export { Inhibitor } from './inhibit/inhibitor.js';
export {
  DEFAULT_NOTIFICATION_TEMPLATES,
  DEFAULT_TEMPLATES_FILE,
  NotifierSetupError,
  PAGERDUTY_V1_URL,
  createNotificationTemplates,
  createNotifiers,
  pagerdutyDedupKey,
  unsupportedIntegrations,
  type IntegrationKind,
  type IntegrationNotifier,
  type Notifier,
  type NotifierDeps,
  type NotifyContext,
  type NotifyOutcome,
  type SmsGatewayRequest,
  type TemplateFile,
} from './notifiers/index.js';
export { redactConfigText } from './dispatch/redact.js';
