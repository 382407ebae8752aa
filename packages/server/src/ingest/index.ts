/**
 * ingest — everything that brings samples into storage: the scrape manager, the exposition
 * parsers, remote write. See README.md.
 */
// scrape/ and relabel/
export {
  ScrapeManager,
  type ActiveTargetInfo,
  type DroppedTargetInfo,
  type GlobalUrlOptions,
  type MetricMetadataInfo,
  type ScrapeManagerOptions,
  type TargetDiscovery,
  type TargetsFilter,
} from './scrape/manager.js';
export { ScrapeMetrics, type SampleRejectionReason, type ScrapeFailureReason } from './scrape/metrics.js';
export { type ScrapeLogger, silentLogger } from './scrape/logger.js';
export { SCRAPE_ACCEPT_HEADER } from './scrape/http.js';
export { relabel } from './relabel/relabel.js';

// remote write and exposition
export { handleRemoteWrite, type RemoteWriteMetrics, type RemoteWriteOutcome } from './remote-write-handler.js';
export { decodeWriteRequest, encodeWriteRequest, WriteDecodeError } from './remote-write/index.js';
export { parseExposition, formatFromContentType } from './exposition/index.js';
