export { createHttpServer, type HttpServerOptions } from './server.js';
export { BadRequestError, errorStatus } from './errors.js';
export type { TsdbStatus, MetricMetadataEntry, StatusApiOptions } from './status-api.js';
export type { RulesApiOptions } from './rules-api.js';
