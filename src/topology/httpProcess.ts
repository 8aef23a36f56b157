import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildHttpApi } from '../http/server.js';
import { portOverNats } from '../system/portOverNats.js';
import type { Transport } from '../transport/port.js';

/**
 * The HTTP process: the article's API with every command and query sent over NATS to the service that owns it.
 * `/health` is this process's own view: its broker connection (the services report through the dashboard).
 */
export function buildHttpProcess(transport: Transport, log: Logger): FastifyInstance {
  const app = buildHttpApi(portOverNats(transport), log);
  app.get('/health', async (_request, reply) => {
    const broker = transport.status();
    return reply.code(broker === 'connected' ? 200 : 503).send({
      status: broker === 'connected' ? 'ok' : 'degraded',
      topology: 'processes',
      broker,
    });
  });
  return app;
}
