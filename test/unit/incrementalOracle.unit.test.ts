import { describe, expect, it } from 'vitest';
import { encodeEnvelope } from '../../src/domain/envelope.js';
import type { DomainEvent } from '../../src/domain/events.js';
import { foldLog } from '../../src/domain/projections/oracle.js';
import { readEventLog } from '../../src/scenarios/eventLog.js';
import { IncrementalOracle } from '../../src/scenarios/incrementalOracle.js';
import type { StoredEvent, Transport } from '../../src/transport/port.js';
import { envOf, orderPlaced, productAdded, stockAdjusted } from './fixtures.js';

// The oracle kept current during a run: folds each event once, in pages, and notices the first oversell.

/** A stream in memory: only readRange, which is all the oracle reads. */
function streamOf() {
  const stored: StoredEvent[] = [];
  const reads: [number, number][] = [];
  const transport: Pick<Transport, 'readRange'> = {
    readRange: (fromSeq, max) => {
      reads.push([fromSeq, max]);
      return Promise.resolve(stored.filter((e) => e.seq >= fromSeq).slice(0, max));
    },
  };
  let generation = '';
  /** Events appended after this carry ids no earlier event had (as a broker's new history would). */
  const newHistory = () => (generation = 'new_');
  const append = (...data: (DomainEvent | string)[]) => {
    for (const d of data) {
      const seq = stored.length + 1;
      const bytes =
        typeof d === 'string' ? new TextEncoder().encode(d) : encodeEnvelope(envOf(d, `evt_${generation}${seq}`));
      stored.push({ seq, subject: 's', data: bytes, timestampMs: seq, msgId: undefined });
    }
  };
  return { transport: transport as Transport, append, newHistory, reads, stored };
}

describe('IncrementalOracle', () => {
  it('folds the stream in pages, skips undecodable events, and equals the fold of the decoded log', async () => {
    const s = streamOf();
    s.append(
      productAdded('p1', 'One', 1),
      stockAdjusted('p1', 5),
      '{"not": "an envelope"',
      orderPlaced('o1', [['p1', 2]]),
      productAdded('p2', 'Two', 1),
    );
    const oracle = new IncrementalOracle(s.transport, 2);
    expect(await oracle.catchUp()).toBe(5);
    expect(s.reads).toEqual([
      [1, 2],
      [3, 2],
      [5, 2],
      [6, 2],
    ]);
    expect(oracle.undecodable.map((u) => u.seq)).toEqual([3]);
    expect(oracle.log.map((e) => e.seq)).toEqual([1, 2, 4, 5]);
    expect(oracle.state.inventory).toEqual(foldLog(oracle.log).inventory);
    expect(oracle.state.inventory.get('p1')).toBe(3);
    expect(oracle.state.lastSeq).toBe(5);
    expect(oracle.firstNegative).toBeUndefined();
  });

  it('continues where it stopped: nothing is folded twice', async () => {
    const s = streamOf();
    s.append(productAdded('p1', 'One', 1), stockAdjusted('p1', 5));
    const oracle = new IncrementalOracle(s.transport, 10);
    await oracle.catchUp();
    expect(await oracle.catchUp()).toBe(2);
    s.append(orderPlaced('o1', [['p1', 1]]), 'garbage');
    expect(await oracle.catchUp()).toBe(4);
    expect(oracle.state.inventory.get('p1')).toBe(4);
    expect(oracle.log).toHaveLength(3);
    expect(oracle.state.lastSeq).toBe(4); // an undecodable event at the head still moves the oracle's position
  });

  it('records the first time any product goes below zero, and only the first', async () => {
    const s = streamOf();
    s.append(
      productAdded('p1', 'One', 1),
      productAdded('p2', 'Two', 1),
      stockAdjusted('p1', 2),
      stockAdjusted('p2', 1),
    );
    s.append(
      orderPlaced('o1', [
        ['p1', 1],
        ['p2', 2],
      ]),
      orderPlaced('o2', [['p1', 5]]),
    );
    const oracle = new IncrementalOracle(s.transport);
    await oracle.catchUp();
    expect(oracle.firstNegative).toEqual({ seq: 5, productId: 'p2', quantity: -1 });
  });

  it('counts a negative stock adjustment as going below zero too', async () => {
    const s = streamOf();
    s.append(productAdded('p1', 'One', 1), stockAdjusted('p1', -1), stockAdjusted('p1', 3));
    const oracle = new IncrementalOracle(s.transport);
    await oracle.catchUp();
    expect(oracle.firstNegative).toEqual({ seq: 2, productId: 'p1', quantity: -1 });
  });

  it('adopt: the same history read afresh changes nothing', async () => {
    const s = streamOf();
    s.append(productAdded('p1', 'One', 1), stockAdjusted('p1', 5), 'garbage');
    const oracle = new IncrementalOracle(s.transport);
    await oracle.catchUp();
    s.append(orderPlaced('o1', [['p1', 1]])); // newer events are not a rewrite; catchUp folds them
    expect(oracle.adopt(await readEventLog(s.transport))).toBeUndefined();
    expect(oracle.rewrites).toEqual([]);
    expect(oracle.state.inventory.get('p1')).toBe(5);
  });

  it('adopt: a history the broker rewrote under the reader is reported, and the oracle starts over from the stream as it is now', async () => {
    const s = streamOf();
    s.append(productAdded('p1', 'One', 1), stockAdjusted('p1', 5), orderPlaced('o1', [['p1', 2]]));
    s.append(orderPlaced('o2', [['p1', 9]])); // read once, then discarded by the broker (seq 4)
    const oracle = new IncrementalOracle(s.transport);
    await oracle.catchUp();
    expect(oracle.firstNegative?.seq).toBe(4);
    s.stored.splice(3); // seq 4 is gone, and holds another event now, as are 5 and 6
    s.newHistory();
    s.append(stockAdjusted('p1', 1), orderPlaced('o3', [['p1', 1]]), 'garbage');
    const rewrite = oracle.adopt(await readEventLog(s.transport));
    expect(rewrite).toEqual({ fromSeq: 4, changed: 1, examples: ['seq 4: read evt_4, now evt_new_4'] });
    expect(oracle.rewrites).toEqual([rewrite]);
    expect(oracle.log.map((e) => e.envelope.data.type)).toEqual([
      'ProductAdded',
      'StockAdjusted',
      'OrderPlaced',
      'StockAdjusted',
      'OrderPlaced',
    ]);
    expect(oracle.state.inventory.get('p1')).toBe(3);
    expect(oracle.firstNegative).toBeUndefined(); // the oversell was in the discarded history only
    expect(oracle.undecodable.map((u) => u.seq)).toEqual([6]);
    expect(await oracle.catchUp()).toBe(6); // and it reads on from the new head
  });
});
