import type { FastifyInstance } from 'fastify';
import type { OrderServiceOutcome } from '../actors/orderService.js';
import type { RunningSystem } from '../system/startSystem.js';
import type { PlaceOrder } from '../domain/commands.js';
import { validatePlaceOrder } from '../domain/validation.js';
import { badRequest, conflict, unavailable } from './replies.js';

/** Sends a PlaceOrder to the order service actor and waits for its outcome (bounded by the actor's own timeouts). */
export function placeOrder(system: RunningSystem, command: PlaceOrder): Promise<OrderServiceOutcome> {
  return new Promise((resolve) => system.orderService.send({ type: 'PLACE_ORDER', command, reply: resolve }));
}

export function orderRoutes(app: FastifyInstance, system: RunningSystem): void {
  app.post('/orders', async (request, reply) => {
    const validated = validatePlaceOrder(request.body);
    if (!validated.ok) return badRequest(reply, validated.error);
    const outcome = await placeOrder(system, validated.value);
    switch (outcome.kind) {
      case 'placed':
        return reply.code(201).send({ orderId: outcome.orderId });
      case 'rejected':
        return conflict(reply, 'insufficient-stock', 'not enough stock for every line', { orderId: outcome.orderId, shortages: outcome.shortages });
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
