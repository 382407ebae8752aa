export { loadConfig, resolveConfig, parseListenAddress, ConfigError } from './load.js';
export type { ResolvedConfig, ResolvedScrapeConfig, ResolvedAlertmanagerTarget, ConfigOverrides } from './load.js';
export type { EscalationConfig, EscalationPolicyConfig, RelabelConfig, SuppressionRuleConfig } from './schema.js';
export { parseDurationMs, formatDurationMs, parseSizeBytes } from './duration.js';
