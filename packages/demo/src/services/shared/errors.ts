/**
 * The portal services' failures: one class with a stable `code`, and the one table that maps
 * codes to HTTP statuses (the service host's error handler is its only reader).
 */

export const ERROR_STATUS = {
  /** The body failed the contract's zod schema; `fields` says where. */
  invalid_request: 400,
  /** Well-formed but refused by a domain rule (IMO check digit, SQL-injection-like part number). */
  rejected_input: 400,
  unauthenticated: 401,
  payment_declined: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  checksum_mismatch: 422,
  /** A service this one depends on did not answer (connection refused, timeout, 5xx). */
  dependency_unavailable: 503,
  /** No database connection became free in time. */
  db_pool_timeout: 503,
  internal: 500,
} as const;

export type PortalErrorCode = keyof typeof ERROR_STATUS;

/** Field path (`records.0.photos`) → messages. */
export type FieldErrors = Record<string, string[]>;

export class PortalError extends Error {
  readonly code: PortalErrorCode;
  readonly fields: FieldErrors | undefined;
  /** The offending values by field, for the security log only (never in the answer). */
  readonly rejectedValues: Readonly<Record<string, string>> | undefined;

  constructor(
    code: PortalErrorCode,
    message: string,
    options: { fields?: FieldErrors; rejectedValues?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PortalError';
    this.code = code;
    this.fields = options.fields;
    this.rejectedValues = options.rejectedValues;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: PortalErrorCode;
  message: string;
  fields?: FieldErrors;
}

export function errorBody(err: PortalError): ErrorBody {
  return err.fields === undefined
    ? { error: err.code, message: err.message }
    : { error: err.code, message: err.message, fields: err.fields };
}
