import type { FastifyInstance } from 'fastify';
import type { SystemPort } from '../system/systemPort.js';
import { validatePlaceOrder } from '../domain/validation.js';
import { badRequest, conflict, unavailable } from './replies.js';

export function orderRoutes(app: FastifyInstance, port: SystemPort): void {
  app.post('/orders', async (request, reply) => {
    const validated = validatePlaceOrder(request.body);
    if (!validated.ok) return badRequest(reply, validated.error);
    const outcome = await port.placeOrder(validated.value);
    switch (outcome.kind) {
      case 'placed':
        return reply.code(201).send({ orderId: outcome.orderId });
      case 'rejected':
        return conflict(reply, 'insufficient-stock', 'not enough stock for every line', {
          orderId: outcome.orderId,
          shortages: outcome.shortages,
        });
      case 'invalid':
        return badRequest(reply, outcome.errors);
      case 'busy':
      case 'unavailable':
        return unavailable(reply, outcome.message);
      default: {
        const never: never = outcome;
        throw new Error(`unknown outcome ${JSON.stringify(never)}`);
      }
    }
  });
}
