import { SimBroker } from '../../src/transport/sim/simBroker.js';
import { createSimTransport } from '../../src/transport/sim/simTransport.js';
import { defineTransportContract } from '../contract/transportContract.js';

defineTransportContract('deterministic simulation', () => {
  const broker = new SimBroker();
  const transport = createSimTransport(broker, { name: 'contract' });
  return Promise.resolve({
    transport,
    sleep: (ms: number) => broker.clock.advance(ms),
    now: () => broker.clock.now(),
    stopBroker: () => Promise.resolve(broker.down()),
    startBroker: () => Promise.resolve(broker.up()),
    pauseBroker: () => Promise.resolve(broker.pause()),
    resumeBroker: () => Promise.resolve(broker.resume()),
    close: () => transport.close(),
  });
});
