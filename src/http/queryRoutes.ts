import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SystemPort } from '../system/systemPort.js';
import { idProblem } from '../domain/validation.js';
import { TransportError } from '../transport/port.js';
import { badRequest, notFound, unavailable } from './replies.js';

/** A 400 for an id that cannot exist (the same rule the commands apply), rather than a 404 or `[]` that hides why. */
const badId = (reply: FastifyReply, field: string, id: string) => {
  const problem = idProblem(id);
  return problem === undefined ? undefined : badRequest(reply, [{ field, message: problem }]);
};

/**
 * A read model that cannot be reached (in the multi-process topology: its process is down or restarting) is a 503
 * to retry, not a 500: nothing is wrong with the request or with this server.
 */
async function orUnavailable(reply: FastifyReply, answer: () => Promise<unknown>): Promise<unknown> {
  try {
    return await answer();
  } catch (error: unknown) {
    if (error instanceof TransportError)
      return unavailable(reply, `the read model cannot be reached right now (${error.kind}); retry shortly`);
    throw error;
  }
}

/** The article's query endpoints, answered from the read models (eventually consistent by design). */
export function queryRoutes(app: FastifyInstance, port: SystemPort): void {
  app.get<{ Params: { productId: string } }>('/inventory/products/:productId', async (request, reply) => {
    const refused = badId(reply, 'productId', request.params.productId);
    if (refused) return refused;
    return orUnavailable(reply, async () => {
      const answer = await port.inventoryOf(request.params.productId);
      return answer ? reply.send(answer) : notFound(reply, `unknown product ${request.params.productId}`);
    });
  });

  app.get<{ Params: { customerId: string } }>(
    '/customer/:customerId/orders',
    async (request, reply) =>
      badId(reply, 'customerId', request.params.customerId) ??
      orUnavailable(reply, async () => reply.send(await port.ordersOfCustomer(request.params.customerId))),
  );

  app.get<{ Params: { productId: string } }>('/products/:productId', async (request, reply) => {
    const refused = badId(reply, 'productId', request.params.productId);
    if (refused) return refused;
    return orUnavailable(reply, async () => {
      const answer = await port.productOf(request.params.productId);
      return answer ? reply.send(answer) : notFound(reply, `unknown product ${request.params.productId}`);
    });
  });

  app.get('/products', async (_request, reply) =>
    orUnavailable(reply, async () => reply.send(await port.listProducts())),
  );
}
