/**
 * Why a remote write body could not be decoded at all. The HTTP layer answers 400 with the message;
 * problems of single series are `WriteIssue`s instead, so the valid series still get written.
 */
export type WriteDecodeErrorCode =
  /** The snappy block is corrupt (bad header, copy before the start, truncated, wrong length). */
  | 'WK_REMOTE_WRITE_SNAPPY'
  /** The decompressed body would exceed `maxDecompressedBytes`; checked before allocating it. */
  | 'WK_REMOTE_WRITE_TOO_LARGE'
  /** The protobuf `WriteRequest` is truncated or malformed (bad varint, length, wire type). */
  | 'WK_REMOTE_WRITE_PROTOBUF';

export class WriteDecodeError extends Error {
  readonly code: WriteDecodeErrorCode;
  /**
   * Where it went wrong: a byte offset into the compressed body for `WK_REMOTE_WRITE_SNAPPY`, into
   * the decompressed protobuf for `WK_REMOTE_WRITE_PROTOBUF`, 0 for `WK_REMOTE_WRITE_TOO_LARGE`.
   */
  readonly offset: number;
  /** The protobuf field number being read, when the error is inside a field. */
  readonly field: number | undefined;

  constructor(code: WriteDecodeErrorCode, message: string, where: { offset: number; field?: number; cause?: unknown }) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'WriteDecodeError';
    this.code = code;
    this.offset = where.offset;
    this.field = where.field;
  }
}
