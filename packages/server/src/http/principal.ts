/**
 * Who sent a request, as the auth hook (http/auth.ts) found it. Every route reads the principal
 * through `principalOf`, never from headers or cookies itself.
 */
import type { FastifyRequest } from 'fastify';
import { ANONYMOUS, type Principal } from '../access/index.js';

const PRINCIPAL = Symbol('watchkeeper.principal');

type WithPrincipal = FastifyRequest & { [PRINCIPAL]?: Principal };

export function setPrincipal(req: FastifyRequest, principal: Principal): void {
  (req as WithPrincipal)[PRINCIPAL] = principal;
}

/** The request's principal; `ANONYMOUS` when no auth hook ran or nothing was sent. */
export function principalOf(req: FastifyRequest): Principal {
  return (req as WithPrincipal)[PRINCIPAL] ?? ANONYMOUS;
}
