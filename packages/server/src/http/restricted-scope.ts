/**
 * The restricted-series view of one request (access/restricted.ts): who asks (principalOf) and
 * what, for the checks, the series filter and the audit entry. Routes call `finish()` when done.
 */
import type { FastifyRequest } from 'fastify';
import type { RestrictedScope, RestrictedSeriesPolicy } from '../access/index.js';
import { principalOf } from './principal.js';

export function restrictedScope(
  policy: RestrictedSeriesPolicy,
  req: FastifyRequest,
  action: string,
  resource: string,
): RestrictedScope {
  return policy.scope(principalOf(req), { action, resource, remoteAddress: req.ip });
}
