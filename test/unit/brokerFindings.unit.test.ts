import { describe, expect, it } from 'vitest';
import { acknowledgedEvents, brokerFindings } from '../../src/scenarios/brokerFindings.js';
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
});
