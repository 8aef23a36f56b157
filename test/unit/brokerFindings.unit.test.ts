import { describe, expect, it } from 'vitest';
import { realClock } from '../../src/actors/clock.js';
import { acknowledgedEvents, brokerFindings, replicaFindings } from '../../src/scenarios/brokerFindings.js';
import { VirtualClock } from '../../src/transport/sim/virtualClock.js';
import type { LogEntry } from '../../src/scenarios/eventLog.js';
import { Outbox, OUTBOX_DDL } from '../../src/store/outboxStore.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { envOf, productAdded } from './fixtures.js';

// A broker finding: an event the outbox had acknowledged by the broker (marked sent only after the publish ack) that
// the stream does not hold. Unsent rows are the testbed's business (still to publish), not a finding.

function outboxWith(ids: readonly string[], sent: readonly string[]): Outbox {
  const db = openDatabase(':memory:');
  for (const ddl of OUTBOX_DDL) db.exec(ddl);
  const outbox = new Outbox(db);
  for (const id of ids) outbox.append(envOf(productAdded(`p_${id}`, 'P', 100), id));
  const rows = outbox.pending(100).filter((r) => sent.includes(r.msgId));
  outbox.markSent(
    rows.map((r) => r.id),
    '2026-12-03T00:00:00Z',
  );
  return outbox;
}

const logOfIds = (...ids: string[]): LogEntry[] =>
  ids.map((id, i) => ({ seq: i + 1, envelope: envOf(productAdded(`p_${id}`, 'P', 100), id) }));

describe('broker findings', () => {
  it('names acknowledged events missing from the stream, per outbox; unsent ones are not findings', () => {
    const orders = outboxWith(['e1', 'e2', 'e3', 'e4'], ['e1', 'e2', 'e3']);
    const inventory = outboxWith(['i1'], ['i1']);
    const acknowledged = acknowledgedEvents({ orders, inventory });
    expect(acknowledged).toEqual({ orders: ['e1', 'e2', 'e3'], inventory: ['i1'] });
    expect(brokerFindings(acknowledged, logOfIds('e1', 'i1'))).toEqual([
      'the broker acknowledged 2 event(s) of the orders outbox that the stream does not hold (e2, e3): acknowledged data lost by the broker, not by the testbed',
    ]);
    expect(brokerFindings(acknowledged, logOfIds('e1', 'e2', 'e3', 'i1'))).toEqual([]);
  });

  it('reads every acknowledged row in pages and names at most three', () => {
    const ids = Array.from({ length: 5_003 }, (_, i) => `e${i}`);
    const outbox = outboxWith([], []);
    for (const id of ids) outbox.append(envOf(productAdded(`p_${id}`, 'P', 100), id));
    for (let rows = outbox.pending(1_000); rows.length > 0; rows = outbox.pending(1_000))
      outbox.markSent(
        rows.map((r) => r.id),
        '2026-12-03T00:00:00Z',
      );
    const acknowledged = acknowledgedEvents({ orders: outbox });
    expect(acknowledged.orders).toHaveLength(5_003);
    const [finding] = brokerFindings(acknowledged, logOfIds(...ids.slice(0, 5_000)));
    expect(finding).toContain('acknowledged 3 event(s)');
    expect(brokerFindings(acknowledged, [])[0]).toMatch(/acknowledged 5003 event\(s\) .*\(e0, e1, e2, …\)/);
  });

  it('replicas: copies that reach the same end and hold the same messages and bytes are no finding', async () => {
    const same = { messages: 10, bytes: 900, lastSeq: 10 };
    const states = [
      { name: 'n0', ...same },
      { name: 'n1', ...same },
    ];
    expect(await replicaFindings(() => Promise.resolve(states), realClock)).toEqual([]);
  });

  it('replicas: a node still catching up is waited for; same end, other bytes is a split brain', async () => {
    let asked = 0;
    const states = () => {
      asked++;
      const n2 = asked < 3 ? { lastSeq: 8, messages: 8, bytes: 700 } : { lastSeq: 10, messages: 10, bytes: 880 };
      return Promise.resolve([
        { name: 'n0', messages: 10, bytes: 900, lastSeq: 10 },
        { name: 'n2', ...n2 },
      ]);
    };
    expect(await replicaFindings(states, realClock)).toEqual([
      "the stream's replicas disagree (n0 10 messages, 900 bytes, up to seq 10; n2 10 messages, 880 bytes, up to seq 10): the same sequence numbers hold different messages on different nodes — the broker's split brain, not the testbed",
    ]);
    expect(asked).toBe(3);
  });

  it('replicas: ends that never meet within the bound are a finding too', async () => {
    const clock = new VirtualClock();
    const states = [
      { name: 'n0', messages: 10, bytes: 900, lastSeq: 10 },
      { name: 'n1', messages: 7, bytes: 600, lastSeq: 7 },
    ];
    const found = replicaFindings(() => Promise.resolve(states), clock);
    await clock.advance(11_000);
    expect(await found).toEqual([
      "the stream's replicas did not reach the same end within 10 s (n0 10 messages, 900 bytes, up to seq 10; n1 7 messages, 600 bytes, up to seq 7): the broker's nodes disagree, not the testbed",
    ]);
  });
});
