/**
 * A broker finding end to end, on a real nats-server: orders go through the outbox relay (rows marked sent only
 * after the publish ack), then one stored event is deleted from the stream behind everyone's back — acknowledged
 * data the broker no longer holds. The check names exactly that event, and nothing before the deletion.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledgedEvents, brokerFindings } from '../../src/scenarios/brokerFindings.js';
import { readEventLog } from '../../src/scenarios/eventLog.js';
import { EVENT_STREAM } from '../../src/transport/port.js';
import { quiesced } from '../helpers/quiescence.js';
import { addProduct, order, placeOrder, startTestSystem, type TestSystem } from '../helpers/systemHarness.js';

let t: TestSystem;
beforeAll(async () => {
  t = await startTestSystem();
  await addProduct(t.system, 'prod_abc', 'Gadget Pro', 6250, 50);
  for (let i = 0; i < 3; i++) await placeOrder(t.system, order(`cust_${i}`, [['prod_abc', 1]]));
  await quiesced(t);
});
afterAll(async () => t?.stop());

const outboxes = () => ({ orders: t.system.orderStore.outbox, inventory: t.system.inventoryStore.outbox });

describe('broker findings on a real broker', () => {
  it('none while the stream holds every acknowledged event; the one deleted afterwards is named', async () => {
    const before = await readEventLog(t.transport);
    expect(brokerFindings(acknowledgedEvents(outboxes()), before.entries)).toEqual([]);

    const lost = before.entries.find((e) => e.envelope.type === 'OrderPlaced');
    if (!lost) throw new Error('no OrderPlaced in the stream');
    const nc = await connect({ servers: t.broker.url });
    try {
      await (await jetstreamManager(nc)).streams.deleteMessage(EVENT_STREAM, lost.seq);
    } finally {
      await nc.close();
    }
    const after = await readEventLog(t.transport);
    expect(brokerFindings(acknowledgedEvents(outboxes()), after.entries)).toEqual([
      `the broker acknowledged 1 event(s) of the orders outbox that the stream does not hold (${lost.envelope.eventId}): acknowledged data lost by the broker, not by the testbed`,
    ]);
  });
});
