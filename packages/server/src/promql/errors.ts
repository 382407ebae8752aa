/** Errors raised while evaluating a query (parse errors live in parser.ts). */
export class QueryError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'QueryError';
  }
}

/** An evaluation error with Prometheus's wording (`errorType: execution`). */
export function execError(message: string): QueryError {
  return new QueryError('WK_PROMQL_EXEC', message);
}

/**
 * A query refused before evaluation because of what it asks for (an expression type a range query
 * cannot return, a bad step or time range): Prometheus rejects these when the query is created and
 * answers `errorType: bad_data` (HTTP 400), not `execution`.
 */
export function invalidQueryError(message: string): QueryError {
  return new QueryError('WK_PROMQL_INVALID_QUERY', message);
}

export class TooManySamplesError extends QueryError {
  constructor(maxSamples: number) {
    super(
      'WK_PROMQL_TOO_MANY_SAMPLES',
      `query processing would load too many samples into memory in query execution (limit ${maxSamples}); narrow the time range, the selectors or raise maxSamples`,
    );
  }
}

export class QueryTimeoutError extends QueryError {
  constructor(timeoutMs: number) {
    super('WK_PROMQL_TIMEOUT', `query timed out in expression evaluation (timeout ${timeoutMs}ms)`);
  }
}

export class QueryCanceledError extends QueryError {
  constructor() {
    super('WK_PROMQL_CANCELED', 'query was canceled in expression evaluation');
  }
}
