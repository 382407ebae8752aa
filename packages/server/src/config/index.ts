export {
  loadConfig,
  resolveConfig,
  parseListenAddress,
  ConfigError,
  ADMIN_TOKEN_ENV,
  MIN_ADMIN_TOKEN_LENGTH,
} from './load.js';
export type {
  ResolvedConfig,
  ResolvedScrapeConfig,
  ResolvedAlertmanagerTarget,
  ResolvedAuthConfig,
  ConfigOverrides,
} from './load.js';
export type {
  AuthConfig,
  EscalationConfig,
  EscalationPolicyConfig,
  RelabelConfig,
  SuppressionRuleConfig,
} from './schema.js';
export { parseDurationMs, formatDurationMs, parseSizeBytes } from './duration.js';
