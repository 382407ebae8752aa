/** Errors of the write-ahead log. Every one has a stable `code`. */

export type WalErrorCode =
  /** The log was closed; open it again. */
  | 'WK_WAL_CLOSED'
  /** A write or fsync failed earlier; the log refuses further writes because what reached the disk is unknown. */
  | 'WK_WAL_FAILED'
  /** A method was called in a state where it cannot work (replay after append, checkpoint of the open segment, ...). */
  | 'WK_WAL_STATE'
  /** A record cannot be encoded (bad reference, timestamp or value array). */
  | 'WK_WAL_BAD_RECORD'
  /** Data on disk is damaged where a crash cannot explain it; see `WalCorruptError`. */
  | 'WK_WAL_CORRUPT'
  /** A segment is missing between the checkpoint or first segment and the last one. */
  | 'WK_WAL_MISSING_SEGMENT';

export class WalError extends Error {
  readonly code: WalErrorCode;

  constructor(code: WalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WalError';
    this.code = code;
  }
}

/**
 * Damage in the middle of the log: a record that fails its checksum or does not decode, followed
 * by valid records, or at the end of a segment that the same writer continued in the next segment.
 * A crash cannot produce it (a crash only tears the end of what was being written), so replay stops
 * instead of silently dropping acknowledged data.
 */
export class WalCorruptError extends WalError {
  /** The segment number (or the checkpoint's number when `inCheckpoint`). */
  readonly segment: number;
  /** Byte offset of the damaged record in its file. */
  readonly offset: number;
  readonly inCheckpoint: boolean;
  readonly file: string;

  constructor(file: string, segment: number, offset: number, inCheckpoint: boolean, detail: string) {
    super(
      'WK_WAL_CORRUPT',
      `write-ahead log ${inCheckpoint ? 'checkpoint' : 'segment'} ${file} is corrupt at byte ${offset}: ${detail}. ` +
        'Records after this point cannot be trusted; restore the directory from a backup, or truncate the file at this offset ' +
        '(and delete later segments) to accept the loss',
    );
    this.name = 'WalCorruptError';
    this.segment = segment;
    this.offset = offset;
    this.inCheckpoint = inCheckpoint;
    this.file = file;
  }
}
