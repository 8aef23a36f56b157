import { TransportError, type Delivery, type DurableConsumer, type Transport } from './port.js';

/**
 * One process's connection to the broker, as the fault injector can end it: once `kill()`ed, nothing the process
 * still does reaches the broker — no ack, no nak, no fetch — as when the OS kills a process with its socket. The
 * broker then redelivers whatever that process had not acknowledged, after the ack wait.
 */
export function killableConnection(transport: Transport): { readonly transport: Transport; kill(): void } {
  let dead = false;
  const alive = (what: string) => {
    if (dead) throw new TransportError('unavailable', `${what}: the process is dead`);
  };
  const silenced = (d: Delivery): Delivery => ({
    ...d,
    ack: () => (dead ? undefined : d.ack()),
    nak: (delayMs?: number) => (dead ? undefined : d.nak(delayMs)),
    term: () => (dead ? undefined : d.term()),
    working: () => (dead ? undefined : d.working()),
  });
  const consumerOf = (c: DurableConsumer): DurableConsumer => ({
    fetch: async (max, expiresMs) => {
      alive('fetch');
      const deliveries = await c.fetch(max, expiresMs);
      return deliveries.map(silenced);
    },
    info: async () => {
      alive('consumer info');
      return c.info();
    },
  });
  const wrapped: Transport = {
    ...transport,
    durableConsumer: async (spec) => {
      alive('attach');
      return consumerOf(await transport.durableConsumer(spec));
    },
    readRange: async (fromSeq, max) => {
      alive('read');
      return transport.readRange(fromSeq, max);
    },
    streamInfo: async () => {
      alive('stream info');
      return transport.streamInfo();
    },
  };
  return { transport: wrapped, kill: () => (dead = true) };
}
