import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SystemPort } from '../system/systemPort.js';
import { idProblem } from '../domain/validation.js';
import { badRequest, notFound } from './replies.js';

/** A 400 for an id that cannot exist (the same rule the commands apply), rather than a 404 or `[]` that hides why. */
const badId = (reply: FastifyReply, field: string, id: string) => {
  const problem = idProblem(id);
  return problem === undefined ? undefined : badRequest(reply, [{ field, message: problem }]);
};

/** The article's query endpoints, answered from the read models (eventually consistent by design). */
export function queryRoutes(app: FastifyInstance, port: SystemPort): void {
  app.get<{ Params: { productId: string } }>('/inventory/products/:productId', async (request, reply) => {
    const refused = badId(reply, 'productId', request.params.productId);
    if (refused) return refused;
    const answer = await port.inventoryOf(request.params.productId);
    return answer ? reply.send(answer) : notFound(reply, `unknown product ${request.params.productId}`);
  });

  app.get<{ Params: { customerId: string } }>(
    '/customer/:customerId/orders',
    async (request, reply) =>
      badId(reply, 'customerId', request.params.customerId) ??
      reply.send(await port.ordersOfCustomer(request.params.customerId)),
  );

  app.get<{ Params: { productId: string } }>('/products/:productId', async (request, reply) => {
    const refused = badId(reply, 'productId', request.params.productId);
    if (refused) return refused;
    const answer = await port.productOf(request.params.productId);
    return answer ? reply.send(answer) : notFound(reply, `unknown product ${request.params.productId}`);
  });

  app.get('/products', async (_request, reply) => reply.send(await port.listProducts()));
}
