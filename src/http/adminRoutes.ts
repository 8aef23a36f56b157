import type { FastifyInstance } from 'fastify';
import { healthHttpStatus, systemHealth } from '../system/health.js';
import type { RunningSystem } from '../system/startSystem.js';
import { READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import { deadLetterView } from './deadLetterView.js';
import { methodNotAllowed, notFound } from './replies.js';

const ACTIONS = {
  stop: 'STOP',
  start: 'START',
  rebuild: 'REBUILD',
  'replay-dead-letters': 'REPLAY_DEAD_LETTERS',
} as const;

/** Health, and the remediation verbs on each consumer: what an operator (or the scenario runner) reaches for. */
export function adminRoutes(app: FastifyInstance, system: RunningSystem): void {
  app.get('/health', async (_request, reply) => {
    const health = await systemHealth(system);
    return reply.code(healthHttpStatus(health)).send(health);
  });

  app.post<{ Params: { name: string; action: string } }>('/admin/consumers/:name/:action', (request, reply) => {
    const { name, action } = request.params;
    // `dead-letters` is a resource, not a verb: read with GET.
    if (action === 'dead-letters') return methodNotAllowed(reply, request.method, request.url, ['GET', 'HEAD']);
    if (!(READ_MODELS as readonly string[]).includes(name))
      return notFound(reply, `unknown consumer ${name}; known: ${READ_MODELS.join(', ')}`);
    // Object.hasOwn, not `in`: `toString` or `constructor` must be unknown actions, not inherited ones.
    if (!Object.hasOwn(ACTIONS, action))
      return notFound(reply, `unknown action ${action}; known: ${Object.keys(ACTIONS).join(', ')}`);
    system.readModels[name as ReadModelName].consumer.send({ type: ACTIONS[action as keyof typeof ACTIONS] });
    return reply.code(202).send({ consumer: name, action });
  });

  app.get<{ Params: { name: string } }>('/admin/consumers/:name/dead-letters', (request, reply) => {
    const { name } = request.params;
    if (!(READ_MODELS as readonly string[]).includes(name)) return notFound(reply, `unknown consumer ${name}`);
    const letters = system.readModels[name as ReadModelName].store.deadLetters.list(100);
    return reply.send(letters.map(deadLetterView));
  });
}
