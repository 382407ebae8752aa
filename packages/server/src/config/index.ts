export { loadConfig, resolveConfig, parseListenAddress, ConfigError } from './load.js';
export type { ResolvedConfig, ResolvedScrapeConfig, ConfigOverrides } from './load.js';
export type { RelabelConfig } from './schema.js';
export { parseDurationMs, formatDurationMs, parseSizeBytes } from './duration.js';
