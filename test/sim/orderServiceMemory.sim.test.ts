import { describe, expect, it } from 'vitest';
import { startSystem } from '../../src/system/startSystem.js';
import { systemPort } from '../../src/system/systemPort.js';
import { silentLogger } from '../../src/log/logger.js';
import { drive } from '../../src/scenarios/simRig.js';
import { SimBroker } from '../../src/transport/sim/simBroker.js';
import { createSimTransport } from '../../src/transport/sim/simTransport.js';
import { VirtualClock } from '../../src/transport/sim/virtualClock.js';

// Bounded memory: the order service spawns one child actor per order; a settled one must not stay in its snapshot
// (they did, until the benchmark's RSS growth showed it: every order ever placed was kept).
describe('order service', () => {
  it('keeps no child actor once its order settled, however many orders it placed', { timeout: 60_000 }, async () => {
    const clock = new VirtualClock();
    const transport = createSimTransport(new SimBroker({ clock }));
    let n = 0;
    const newId = () => `id${++n}`;
    const system = await drive(
      clock,
      startSystem({ transport, log: silentLogger(), dataDir: ':memory:', clock, newId, maxOrdersInFlight: 1_000 }),
      60_000,
    );
    const port = systemPort(system, { newId, now: () => new Date(clock.now()).toISOString() });
    await drive(
      clock,
      port.inventoryCommand({ type: 'AddProduct', productId: 'p', name: 'P', priceCents: 100 }),
      60_000,
    );
    await drive(
      clock,
      port.inventoryCommand({ type: 'AdjustStock', productId: 'p', delta: 100_000, reason: 'stock' }),
      60_000,
    );
    const order = {
      type: 'PlaceOrder' as const,
      customerId: 'c',
      items: [{ productId: 'p', quantity: 1 }],
      shippingAddress: 'a',
    };
    const outcomes = await drive(
      clock,
      Promise.all(Array.from({ length: 600 }, () => port.placeOrder(order))),
      600_000,
    );
    expect(outcomes.filter((o) => o.kind === 'placed').length).toBe(600);
    const snapshot = system.orderService.getSnapshot();
    expect(snapshot.context.inFlight.size).toBe(0);
    // Only the service's own long-lived child (it answers the reservation reconciler) is left; no order's.
    expect(Object.values(snapshot.children).filter((child) => child?.src !== 'serveFates')).toHaveLength(0);
    expect(Object.keys(snapshot.children)).toHaveLength(1);
    await drive(clock, system.stop(), 60_000);
  });
});
