import { connectJetStream } from '../../src/transport/jetstream/jetstreamTransport.js';
import { defineTransportContract } from '../contract/transportContract.js';
import { startTestBroker } from '../helpers/natsHarness.js';

defineTransportContract('nats-server', async () => {
  const broker = await startTestBroker();
  const transport = await connectJetStream({ servers: broker.url, name: 'contract' }).catch(async (err: unknown) => {
    await broker.stop();
    throw err;
  });
  return {
    transport,
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    stopBroker: () => broker.server.stop(),
    startBroker: () => broker.server.restart(),
    pauseBroker: () => Promise.resolve(broker.server.pause()),
    resumeBroker: () => Promise.resolve(broker.server.resume()),
    close: async () => {
      try {
        await transport.close();
      } finally {
        await broker.stop();
      }
    },
  };
});
