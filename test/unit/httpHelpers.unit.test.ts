import { describe, expect, it } from 'vitest';
import { encodeEnvelope, envelop } from '../../src/domain/envelope.js';
import { deadLetterView } from '../../src/http/deadLetterView.js';
import { RouteTable } from '../../src/http/routeTable.js';
import type { DeadLetter } from '../../src/store/deadLetterStore.js';
import { NOW, orderPlaced } from './fixtures.js';

describe('RouteTable', () => {
  const routes = new RouteTable();
  routes.add('GET', '/products/:productId');
  routes.add('HEAD', '/products/:productId');
  routes.add(['PATCH'], '/products/:productId');
  routes.add('POST', '/admin/consumers/:name/:action');
  routes.add('GET', '/admin/consumers/:name/dead-letters');

  it('lists the methods of every route a path matches, sorted, a parameter matching one non-empty segment', () => {
    expect(routes.methodsFor('/products/prod_abc')).toEqual(['GET', 'HEAD', 'PATCH']);
    expect(routes.methodsFor('/products/prod_abc?x=1')).toEqual(['GET', 'HEAD', 'PATCH']);
    expect(routes.methodsFor('/admin/consumers/products/dead-letters')).toEqual(['GET', 'POST']);
    expect(routes.methodsFor('/admin/consumers/products/stop')).toEqual(['POST']);
  });

  it('matches nothing for unknown paths, an empty segment or a different depth', () => {
    expect(routes.methodsFor('/nope')).toEqual([]);
    expect(routes.methodsFor('/products/')).toEqual([]);
    expect(routes.methodsFor('/products/a/b')).toEqual([]);
  });
});

describe('deadLetterView', () => {
  const letter = (data: Uint8Array): DeadLetter => ({
    seq: 7,
    subject: 'shop.orders.placed',
    msgId: 'm',
    data,
    reason: 'handler threw',
    attempts: 3,
    parkedAt: NOW,
    replayedAt: null,
  });

  it('gives a parked envelope as the object it is, not a string of JSON', () => {
    const envelope = envelop(orderPlaced('o1', [['p1', 2]]), {
      eventId: 'evt_1',
      occurredAt: NOW,
      causationId: 'cmd_1',
    });
    const view = deadLetterView(letter(encodeEnvelope(envelope)));
    expect(view).toEqual({
      seq: 7,
      subject: 'shop.orders.placed',
      msgId: 'm',
      reason: 'handler threw',
      attempts: 3,
      parkedAt: NOW,
      replayedAt: null,
      dataFormat: 'json',
      data: JSON.parse(JSON.stringify(envelope)) as unknown,
    });
    expect(typeof view.data).toBe('object');
  });

  it('keeps a payload that is not JSON as raw text, or base64 when not UTF-8, and says which', () => {
    expect(deadLetterView(letter(new TextEncoder().encode('{"cut short"')))).toMatchObject({
      dataFormat: 'text',
      data: '{"cut short"',
    });
    expect(deadLetterView(letter(new Uint8Array([0xc3, 0x28])))).toMatchObject({ dataFormat: 'base64', data: 'wyg=' });
  });
});
