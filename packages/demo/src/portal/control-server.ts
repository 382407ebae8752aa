/**
 * The portal's control server (127.0.0.1, not part of the portal, no telemetry): the fault API of
 * contract.ts for the simulator and tests — POST /faults, GET /faults, DELETE /faults/:id — and
 * GET / listing where everything listens.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { FaultRequest } from '../contract.js';
import { faultView, type FaultController } from './faults.js';

export function createControlServer(faults: FaultController, urls: () => Record<string, string>): FastifyInstance {
  const app = Fastify({ logger: false });

  app.get('/', async () => ({ portal: urls() }));
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.post('/faults', async (request, reply) => {
    const parsed = FaultRequest.safeParse(request.body);
    if (!parsed.success) {
      const fields: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) (fields[issue.path.join('.') || '(root)'] ??= []).push(issue.message);
      return reply.code(400).send({ error: 'invalid_request', message: 'Invalid fault', fields });
    }
    const fault = await faults.inject(parsed.data);
    return reply.code(204).header('location', `/faults/${fault.id}`).send();
  });

  app.get('/faults', async () => ({ active: faults.list().map(faultView) }));

  app.delete<{ Params: { id: string } }>('/faults/:id', async (request, reply) => {
    const cleared = await faults.clear(request.params.id);
    if (!cleared) return reply.code(404).send({ error: 'not_found', message: `No active fault ${request.params.id}` });
    return reply.code(204).send();
  });

  return app;
}
