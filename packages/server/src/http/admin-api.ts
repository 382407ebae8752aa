/**
 * Prometheus's admin API for data-protection requests: `POST|PUT /api/v1/admin/tsdb/delete_series`
 * with `match[]` deletes every matching series with all its data (Watchkeeper deletes whole
 * series: `start`/`end` narrower than all time are refused rather than silently widened).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Matcher } from '../lib/matcher.js';
import { parseExpr } from '../promql/index.js';
import { BadRequestError, sendError } from './errors.js';

export interface AdminApiOptions {
  enabled: boolean;
  deleteSeries(matchers: readonly Matcher[]): Promise<number>;
}

type Params = Record<string, string | string[] | undefined>;

export function registerAdminApi(app: FastifyInstance, opts: AdminApiOptions): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      if (!opts.enabled) {
        return reply
          .code(403)
          .header('content-type', 'application/json')
          .send(
            JSON.stringify({
              status: 'error',
              errorType: 'unavailable',
              error: 'admin APIs disabled (web.enable_admin_api)',
            }),
          );
      }
      const p: Params = { ...(req.query as Params), ...((req.body as Params | undefined) ?? {}) };
      const raw = p['match[]'];
      const selectors = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      if (selectors.length === 0) throw new BadRequestError('no match[] parameter provided');
      for (const bound of ['start', 'end'] as const) {
        if (p[bound] !== undefined) {
          throw new BadRequestError(`${bound} is not supported: Watchkeeper deletes whole series (omit start and end)`);
        }
      }
      for (const sel of selectors) {
        const e = parseExpr(sel);
        if (e.type !== 'VectorSelector')
          throw new BadRequestError(`invalid parameter "match[]": ${sel} is not a series selector`);
        await opts.deleteSeries(e.matchers);
      }
      return reply.code(204).send();
    } catch (err) {
      return sendError(reply, err);
    }
  };
  app.post('/api/v1/admin/tsdb/delete_series', handler);
  app.put('/api/v1/admin/tsdb/delete_series', handler);
}
