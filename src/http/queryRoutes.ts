import type { FastifyInstance } from 'fastify';
import type { RunningSystem } from '../actors/system.js';
import { inventoryOf, listProducts, ordersOfCustomer, productOf } from '../store/queries.js';
import { notFound } from './replies.js';

/** The article's query endpoints, answered from the read models (eventually consistent by design). */
export function queryRoutes(app: FastifyInstance, system: RunningSystem): void {
  app.get<{ Params: { productId: string } }>('/inventory/products/:productId', (request, reply) => {
    const answer = inventoryOf(system.queries.inventory, request.params.productId);
    return answer ? reply.send(answer) : notFound(reply, `unknown product ${request.params.productId}`);
  });

  app.get<{ Params: { customerId: string } }>('/customer/:customerId/orders', (request, reply) =>
    reply.send(ordersOfCustomer(system.queries.summary, request.params.customerId)),
  );

  app.get<{ Params: { productId: string } }>('/products/:productId', (request, reply) => {
    const answer = productOf(system.queries.products, request.params.productId);
    return answer ? reply.send(answer) : notFound(reply, `unknown product ${request.params.productId}`);
  });

  app.get('/products', (_request, reply) => reply.send(listProducts(system.queries.products)));
}
