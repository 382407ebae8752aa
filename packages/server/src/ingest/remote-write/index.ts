/**
 * Remote write 1.0: decoding (snappy block + `prometheus.WriteRequest` protobuf) and encoding
 * (see README.md).
 */
export { decodeWriteRequest, decodeWriteRequestProto } from './decode.js';
export { encodeWriteRequest, encodeWriteRequestProto } from './encode.js';
export { WriteDecodeError, type WriteDecodeErrorCode } from './errors.js';
export type * from './types.js';
