import type { FastifyReply } from 'fastify';
import type { FieldError } from '../domain/result.js';

/** Error bodies share one shape: `{ error, message, errors? }`, `error` being a stable machine-readable code. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly errors?: readonly FieldError[];
}

export const badRequest = (reply: FastifyReply, errors: readonly FieldError[]) =>
  reply.code(400).send({
    error: 'validation',
    message: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  } satisfies ErrorBody);

export const notFound = (reply: FastifyReply, message: string) =>
  reply.code(404).send({ error: 'not-found', message } satisfies ErrorBody);

export const conflict = (reply: FastifyReply, error: string, message: string, extra: object = {}) =>
  reply.code(409).send({ error, message, ...extra });

export const unavailable = (reply: FastifyReply, message: string) =>
  reply
    .code(503)
    .header('retry-after', '1')
    .send({ error: 'unavailable', message } satisfies ErrorBody);

/** A known path, another method: 405 with the methods it takes, in `Allow` (RFC 9110) and in words. */
export const methodNotAllowed = (reply: FastifyReply, method: string, path: string, allowed: readonly string[]) =>
  reply
    .code(405)
    .header('allow', allowed.join(', '))
    .send({
      error: 'method-not-allowed',
      message: `${method} is not allowed on ${path}; it takes ${allowed.join(', ')}`,
    } satisfies ErrorBody);
