import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { RunningSystem } from '../actors/system.js';
import { adminRoutes } from './adminRoutes.js';
import { catalogRoutes } from './catalogRoutes.js';
import { orderRoutes } from './orderRoutes.js';
import { queryRoutes } from './queryRoutes.js';

export interface HttpOptions {
  readonly host?: string;
  readonly port?: number;
  /** Request bodies larger than this get 413 before any handler runs. */
  readonly bodyLimitBytes?: number;
  readonly newId?: () => string;
  readonly now?: () => string;
}

export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The HTTP API. Every client mistake gets a 4xx with a JSON body saying what is wrong, before anything is written:
 * malformed JSON 400, wrong content type 415, too large 413. A 500 means a bug here, and is logged with the error.
 */
export function buildHttpServer(system: RunningSystem, log: Logger, options: HttpOptions = {}): FastifyInstance {
  const httpLog: FastifyBaseLogger = log.child({ actor: 'http' });
  const app = Fastify({ loggerInstance: httpLog, bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES, 
    // Per-request info lines would drown the scenario logs; errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: 'internal', message: 'internal error; nothing was changed by this request if it was a command' });
    }
    return reply.code(status).send({ error: error.code ?? 'bad-request', message: error.message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not-found', message: `no route ${request.method} ${request.url}` }));
  const ids = { newId: options.newId ?? (() => randomUUID()), now: options.now ?? (() => new Date().toISOString()) };
  orderRoutes(app, system);
  catalogRoutes(app, system, ids);
  queryRoutes(app, system);
  adminRoutes(app, system);
  return app;
}

/** Starts listening; loopback unless told otherwise. Returns the base URL. */
export async function listen(app: FastifyInstance, options: HttpOptions = {}): Promise<string> {
  return app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 3000 });
}
