import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import type { RunningSystem } from '../system/startSystem.js';
import { systemPort, type SystemPort } from '../system/systemPort.js';
import { adminRoutes } from './adminRoutes.js';
import { catalogRoutes } from './catalogRoutes.js';
import { orderRoutes } from './orderRoutes.js';
import { queryRoutes } from './queryRoutes.js';
import { methodNotAllowed, type ErrorBody } from './replies.js';
import { RouteTable } from './routeTable.js';

export interface HttpOptions {
  readonly host?: string;
  readonly port?: number;
  /** Request bodies larger than this get 413 before any handler runs. */
  readonly bodyLimitBytes?: number;
  readonly newId?: () => string;
  readonly now?: () => string;
}

export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/** Fastify's default, made explicit because the 414 message names it. Ids are at most 64 characters anyway. */
const MAX_PARAM_LENGTH = 100;

/** Fastify's own client errors, renamed to the stable codes of our error bodies, with a message that says what to do. */
const CLIENT_ERRORS: ReadonlyMap<string, { readonly error: string; readonly message: (limitBytes: number) => string }> =
  new Map(
    Object.entries({
      FST_ERR_CTP_INVALID_JSON_BODY: {
        error: 'invalid-json',
        message: () => 'the request body is not valid JSON (or holds a __proto__ or constructor.prototype key)',
      },
      FST_ERR_CTP_EMPTY_JSON_BODY: {
        error: 'empty-body',
        message: () => 'the request body is empty; send a JSON object',
      },
      FST_ERR_CTP_INVALID_MEDIA_TYPE: {
        error: 'unsupported-media-type',
        message: () => 'send the body as JSON with content-type application/json',
      },
      FST_ERR_CTP_BODY_TOO_LARGE: {
        error: 'payload-too-large',
        message: (limit) => `the request body is larger than ${limit} bytes`,
      },
      FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
        error: 'bad-request',
        message: () => 'the request body does not match its content-length',
      },
      FST_ERR_BAD_URL: { error: 'bad-url', message: () => 'the URL has an invalid percent-encoding' },
      FST_ERR_MAX_PARAM_LENGTH: {
        error: 'uri-too-long',
        message: () => `a path segment is longer than ${MAX_PARAM_LENGTH} characters`,
      },
    }),
  );

/** One reply for every error, whether a handler threw it, body parsing raised it, or the router did (frameworkErrors). */
function replyWithError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
  bodyLimit: number,
): FastifyReply {
  const status = error.statusCode ?? 500;
  if (status < 400 || status >= 500) {
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({
      error: 'internal',
      message: 'internal error; nothing was changed by this request if it was a command',
    } satisfies ErrorBody);
  }
  const known = CLIENT_ERRORS.get(error.code);
  return reply.code(status).send({
    error: known?.error ?? 'bad-request',
    message: known?.message(bodyLimit) ?? error.message,
  } satisfies ErrorBody);
}

/**
 * The HTTP API. Every client mistake gets a 4xx with a JSON body saying what is wrong, before anything is written:
 * malformed JSON 400, wrong content type 415, too large 413; a known path with another method 405 (with `Allow`).
 * A 500 means a bug here, and is logged with the error.
 */
export function buildHttpServer(system: RunningSystem, log: Logger, options: HttpOptions = {}): FastifyInstance {
  const port = systemPort(system, {
    newId: options.newId ?? (() => randomUUID()),
    now: options.now ?? (() => new Date().toISOString()),
  });
  const app = buildHttpApi(port, log, options);
  adminRoutes(app, system);
  return app;
}

/**
 * The article's API (orders, catalogue, queries) over any SystemPort: the in-process one, or the port over NATS
 * of the multi-process topology's HTTP process (which adds its own /health). Same bodies, same errors.
 */
export function buildHttpApi(port: SystemPort, log: Logger, options: HttpOptions = {}): FastifyInstance {
  const httpLog: FastifyBaseLogger = log.child({ actor: 'http' });
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const app = Fastify({
    loggerInstance: httpLog,
    bodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Per-request info lines would drown the scenario logs; errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // Without this the router answers a bad URL or an over-long path segment itself, in another body shape.
    frameworkErrors: (error, request, reply) => {
      replyWithError(error, request, reply, bodyLimit);
    },
  });
  // Fastify parses text/plain by default and hands the handler a string; the API speaks JSON only, so that is a 415.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error: FastifyError, request, reply) => replyWithError(error, request, reply, bodyLimit));
  const routes = new RouteTable();
  app.addHook('onRoute', (route) => routes.add(route.method, route.url));
  app.setNotFoundHandler((request, reply) => {
    const allowed = routes.methodsFor(request.url);
    if (allowed.length > 0)
      return methodNotAllowed(reply, request.method, request.url.split('?')[0] ?? request.url, allowed);
    return reply
      .code(404)
      .send({ error: 'not-found', message: `no route ${request.method} ${request.url}` } satisfies ErrorBody);
  });
  orderRoutes(app, port);
  catalogRoutes(app, port);
  queryRoutes(app, port);
  return app;
}

/** Starts listening; loopback unless told otherwise. Returns the base URL. */
export async function listen(app: FastifyInstance, options: HttpOptions = {}): Promise<string> {
  return app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 3000 });
}
