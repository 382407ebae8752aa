/**
 * Exposition parsers: Prometheus text format 0.0.4 and OpenMetrics 1.0 text → samples, metadata and
 * issues (see README.md in ../).
 */
export { formatFromContentType, parseExposition } from './parser.js';
export type * from './types.js';
