/**
 * Fastify adapter: hooks that track every request with its route template
 * (`request.routeOptions.url`, known before any handler runs) and the SDK's endpoints as routes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { context } from '@opentelemetry/api';
import { SDK_PATHS, type EndpointResponse, type Endpoints, type SdkPath } from './endpoints.js';
import type { RequestTracker, TrackedRequest } from './request-tracker.js';

/** Any fastify instance, whatever its server, logger and type provider. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SDK instruments every fastify flavour alike
export type AnyFastifyInstance = FastifyInstance<any, any, any, any, any>;

/** Marks the SDK's own routes in their route config, so that the hooks skip them. */
const SDK_ROUTE = 'watchkeeperSdkEndpoint';

function isSdkRoute(request: FastifyRequest): boolean {
  const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
  return config?.[SDK_ROUTE] === true;
}

function send(reply: FastifyReply, response: EndpointResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body);
}

/**
 * Instruments `app` (pass the root instance, before `listen`/`ready`): the hooks apply to every
 * route, including routes of plugins registered later.
 */
export function instrumentFastify(app: AnyFastifyInstance, tracker: RequestTracker, endpoints: Endpoints): void {
  const tracked = new WeakMap<FastifyRequest, TrackedRequest>();

  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (isSdkRoute(request)) {
      done();
      return;
    }
    const route = request.is404 ? undefined : request.routeOptions.url;
    const state = tracker.start(request.raw, reply.raw, route);
    if (state === undefined) {
      done();
      return;
    }
    tracked.set(request, state);
    // The rest of the request (hooks, handler) runs with the server span active.
    context.with(state.context, done);
  });

  app.addHook('onError', (request: FastifyRequest, _reply: FastifyReply, error: Error, done: () => void) => {
    tracked.get(request)?.fail(error);
    done();
  });

  for (const path of Object.values(SDK_PATHS) as SdkPath[]) {
    app.route({
      method: 'GET',
      url: path,
      config: { [SDK_ROUTE]: true },
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const authorization = request.headers.authorization;
        return send(reply, await endpoints.handle(path, authorization));
      },
    });
  }
}
