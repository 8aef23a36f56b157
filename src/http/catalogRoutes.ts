import type { FastifyInstance, FastifyReply } from 'fastify';
import type { InventoryCommandOutcome } from '../actors/inventoryService.js';
import type { SystemPort } from '../system/systemPort.js';
import type { AdjustStock, CatalogCommand } from '../domain/commands.js';
import { validateAddProduct, validateAdjustStock, validateProductChange } from '../domain/validation.js';
import { badRequest, conflict, notFound, unavailable } from './replies.js';

/** Runs commands one after another; stops at the first refusal. */
async function runAll(
  port: SystemPort,
  commands: readonly (CatalogCommand | AdjustStock)[],
): Promise<InventoryCommandOutcome> {
  const events = [];
  for (const command of commands) {
    const outcome = await port.inventoryCommand(command);
    if (outcome.kind !== 'done') return outcome;
    events.push(...outcome.events);
  }
  return { kind: 'done', events };
}

function answer(reply: FastifyReply, outcome: InventoryCommandOutcome, code: number, body: object) {
  switch (outcome.kind) {
    case 'done':
      return reply.code(code).send({ ...body, eventIds: outcome.events.map((e) => e.eventId) });
    case 'not-found':
      return notFound(reply, outcome.message);
    case 'conflict':
      return conflict(reply, 'conflict', outcome.message);
    case 'unavailable':
      return unavailable(reply, outcome.message);
    default: {
      const never: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(never)}`);
    }
  }
}

/** The inventory service's own command side: manage the catalogue, adjust stock. */
export function catalogRoutes(app: FastifyInstance, port: SystemPort): void {
  app.post('/products', async (request, reply) => {
    const validated = validateAddProduct(request.body);
    if (!validated.ok) return badRequest(reply, validated.error);
    const outcome = await port.inventoryCommand(validated.value);
    return answer(reply, outcome, 201, { productId: validated.value.productId });
  });

  app.patch<{ Params: { productId: string } }>('/products/:productId', async (request, reply) => {
    const validated = validateProductChange(request.params.productId, request.body);
    if (!validated.ok) return badRequest(reply, validated.error);
    const outcome = await runAll(port, validated.value);
    return answer(reply, outcome, 200, { productId: request.params.productId });
  });

  app.post<{ Params: { productId: string } }>('/inventory/products/:productId/adjustments', async (request, reply) => {
    const validated = validateAdjustStock(request.params.productId, request.body);
    if (!validated.ok) return badRequest(reply, validated.error);
    const outcome = await port.inventoryCommand(validated.value);
    return answer(reply, outcome, 201, { productId: validated.value.productId });
  });
}
