import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';
import { TransportError, type BrokerStatus } from '../port.js';

/**
 * Turns a NATS client error into a TransportError so no NATS error type leaves the adapter. Errors that are not about
 * the broker (invalid arguments: our bugs) are returned unchanged.
 */
export function toTransportError(err: unknown, what: string, status: BrokerStatus): unknown {
  if (err instanceof TransportError) return err;
  if (err instanceof TimeoutError) {
    // Timed out while we know the link is down: that is an outage, not a slow broker.
    const kind = status === 'connected' ? 'timeout' : 'unavailable';
    return new TransportError(kind, `${what}: no answer in time (broker ${status})`, { cause: err });
  }
  if (err instanceof JetStreamApiError) {
    const notFound = err.code === JetStreamApiCodes.StreamNotFound || err.code === JetStreamApiCodes.ConsumerNotFound;
    return new TransportError(notFound ? 'not-found' : 'rejected', `${what}: ${err.message}`, { cause: err });
  }
  if (
    err instanceof ClosedConnectionError ||
    err instanceof DrainingConnectionError ||
    err instanceof ConnectionError ||
    (err instanceof RequestError && err.isNoResponders()) ||
    // JetStreamNotEnabled is not exported; the client raises it on 503 (JetStream not answering).
    (err instanceof Error && err.name === 'JetStreamNotEnabled')
  ) {
    return new TransportError('unavailable', `${what}: ${err.message}`, { cause: err });
  }
  return err;
}
