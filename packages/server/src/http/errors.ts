/**
 * The single mapping from errors to HTTP status and Prometheus's error body
 * (`{"status":"error","errorType":...,"error":...}`).
 */
import type { FastifyReply } from 'fastify';
import { RestrictedSeriesError } from '../access/index.js';
import { QueryError } from '../promql/index.js';

/** A request the client must change: HTTP 400, errorType `bad_data`. */
export class BadRequestError extends Error {
  readonly code = 'WK_HTTP_BAD_DATA';
}

export function errorStatus(err: unknown): { status: number; errorType: string; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof BadRequestError) return { status: 400, errorType: 'bad_data', message };
  // A query that names restricted series, by a principal without restricted:read (access/restricted.ts).
  if (err instanceof RestrictedSeriesError) return { status: 403, errorType: 'forbidden', message };
  if (err instanceof Error && (err as { code?: string }).code === 'WK_PROMQL_PARSE') {
    return { status: 400, errorType: 'bad_data', message };
  }
  if (err instanceof QueryError) {
    switch (err.code) {
      case 'WK_PROMQL_TIMEOUT':
        return { status: 503, errorType: 'timeout', message };
      case 'WK_PROMQL_CANCELED':
        return { status: 503, errorType: 'canceled', message };
      case 'WK_PROMQL_INVALID_QUERY':
        return { status: 400, errorType: 'bad_data', message };
      default:
        return { status: 422, errorType: 'execution', message };
    }
  }
  return { status: 500, errorType: 'internal', message };
}

export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const { status, errorType, message } = errorStatus(err);
  return reply
    .code(status)
    .header('content-type', 'application/json')
    .send(JSON.stringify({ status: 'error', errorType, error: message }));
}
