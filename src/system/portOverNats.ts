/**
 * The system's command/query port across processes: a client (`portOverNats`) whose every command and query is a
 * NATS request, and the server side (`servePortOverNats`) that answers them from a local port — so the HTTP API,
 * the order service, the inventory service and each read model can live in processes (or machines) of their own and
 * still be one SystemPort to their callers. JSON on the wire; every request is validated where it is answered.
 */
import type { InventoryCommandOutcome } from '../actors/inventoryService.js';
import type { OrderServiceOutcome } from '../actors/orderService.js';
import { idProblem, validateInventoryCommand, validatePlaceOrder } from '../domain/validation.js';
import { TransportError, type Service, type Transport } from '../transport/port.js';
import type { SystemPort } from './systemPort.js';

/** The subjects, one per verb of the port: a process serves the verbs whose data it owns. */
export const PORT_SUBJECTS = {
  placeOrder: 'rpc.port.place-order',
  inventoryCommand: 'rpc.port.inventory-command',
  inventoryOf: 'rpc.port.inventory-of',
  ordersOfCustomer: 'rpc.port.orders-of-customer',
  productOf: 'rpc.port.product-of',
  listProducts: 'rpc.port.list-products',
} as const satisfies Record<keyof SystemPort, string>;

export type PortVerb = keyof typeof PORT_SUBJECTS;

/** How long a caller waits for an answer; an order is answered within the order service's own bounds first. */
export const PORT_TIMEOUT_MS = 10_000;

type Reply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const encode = (value: unknown) => encoder.encode(JSON.stringify(value));

/** A query the far side could not answer (bad request, a failing read model): the message says why. */
export class PortQueryError extends Error {
  override readonly name = 'PortQueryError';
}

/**
 * A SystemPort whose verbs go over NATS. A command with no answer in time is `unavailable` (it may or may not have
 * been carried out: the order service decides, and the write-model check tells afterwards); a query with no answer
 * rejects with the TransportError, as a read model that cannot be reached should.
 */
export function portOverNats(transport: Transport, timeoutMs = PORT_TIMEOUT_MS): SystemPort {
  const ask = async (verb: PortVerb, body: unknown): Promise<unknown> => {
    const reply = JSON.parse(
      decoder.decode(await transport.request(PORT_SUBJECTS[verb], encode(body), timeoutMs)),
    ) as Reply;
    if (!reply.ok) throw new PortQueryError(`${verb}: ${reply.error}`);
    return reply.value;
  };
  const command = async <T>(verb: PortVerb, body: unknown): Promise<T> => {
    try {
      return (await ask(verb, body)) as T;
    } catch (error: unknown) {
      if (error instanceof TransportError)
        return {
          kind: 'unavailable',
          message: `${verb}: ${error.message} (it may or may not have been carried out)`,
        } as T;
      throw error;
    }
  };
  return {
    placeOrder: (c) => command<OrderServiceOutcome>('placeOrder', c),
    inventoryCommand: (c) => command<InventoryCommandOutcome>('inventoryCommand', c),
    inventoryOf: async (productId) => ((await ask('inventoryOf', { productId })) ?? undefined) as never,
    ordersOfCustomer: async (customerId) => (await ask('ordersOfCustomer', { customerId })) as never,
    productOf: async (productId) => ((await ask('productOf', { productId })) ?? undefined) as never,
    listProducts: async () => (await ask('listProducts', {})) as never,
  };
}

/**
 * Answers the given verbs (all by default) over NATS from `port`, which needs only those (a process serves the
 * verbs whose data it owns). Stop the returned services to stop answering.
 */
export function servePortOverNats(
  transport: Transport,
  port: Partial<SystemPort>,
  verbs: readonly PortVerb[] = Object.keys(PORT_SUBJECTS) as PortVerb[],
): Service[] {
  const missing = verbs.filter((verb) => port[verb] === undefined);
  if (missing.length > 0) throw new Error(`servePortOverNats: the port has no ${missing.join(', ')}`);
  const complete = port as SystemPort; // every verb asked for is there; the others are never called
  return verbs.map((verb) =>
    transport.serve(PORT_SUBJECTS[verb], async (data) => encode(await answer(complete, verb, data))),
  );
}

async function answer(port: SystemPort, verb: PortVerb, data: Uint8Array): Promise<Reply> {
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(data));
  } catch {
    return { ok: false, error: 'the request is not JSON' };
  }
  const field = (name: string): string | undefined => {
    const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
    return idProblem(v) === undefined ? (v as string) : undefined;
  };
  try {
    switch (verb) {
      case 'placeOrder': {
        const valid = validatePlaceOrder(body);
        return {
          ok: true,
          value: valid.ok ? await port.placeOrder(valid.value) : { kind: 'invalid', errors: valid.error },
        };
      }
      case 'inventoryCommand': {
        const valid = validateInventoryCommand(body);
        if (!valid.ok) return { ok: false, error: valid.error.map((e) => `${e.field} ${e.message}`).join('; ') };
        return { ok: true, value: await port.inventoryCommand(valid.value) };
      }
      case 'inventoryOf':
      case 'productOf': {
        const productId = field('productId');
        if (productId === undefined) return { ok: false, error: 'productId must be a valid id' };
        const value = verb === 'inventoryOf' ? await port.inventoryOf(productId) : await port.productOf(productId);
        return { ok: true, value: value ?? null };
      }
      case 'ordersOfCustomer': {
        const customerId = field('customerId');
        if (customerId === undefined) return { ok: false, error: 'customerId must be a valid id' };
        return { ok: true, value: await port.ordersOfCustomer(customerId) };
      }
      case 'listProducts':
        return { ok: true, value: await port.listProducts() };
    }
  } catch (error: unknown) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
