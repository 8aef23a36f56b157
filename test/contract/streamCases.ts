/** Contract cases for the stream: provisioning, publishing, dedupe, reading back. */
import { expect, it } from 'vitest';
import type { StoredEvent } from '../../src/transport/port.js';
import { dec, enc, publishNamed, rejects, spec, type ContractHarness } from './contractKit.js';

export function streamCases(harness: () => ContractHarness): void {
  it('before the stream exists: publish is unavailable, reads and consumers are not-found', async () => {
    const h = harness();
    const t = h.transport;
    await rejects(h, t.publish({ subject: 'shop.early.1', msgId: 'e1', data: enc.encode('x') }), 2_000, 'unavailable');
    await rejects(h, t.streamInfo(), 2_000, 'not-found');
    await rejects(h, t.getEvent(1), 2_000, 'not-found');
    await rejects(h, t.readRange(1, 10), 2_000, 'not-found');
    await rejects(h, t.durableConsumer(spec('early')), 2_000, 'not-found');
  });

  it('provisioning twice is a no-op; changing the dedupe window keeps the messages', async () => {
    const t = harness().transport;
    await t.provisionStream();
    expect(await t.streamInfo()).toEqual({ firstSeq: 0, lastSeq: 0, messages: 0, lastTimestampMs: 0 });
    await publishNamed(t, 'prov', ['a', 'b']);
    const before = await t.streamInfo();
    await t.provisionStream();
    await t.provisionStream();
    expect(await t.streamInfo()).toEqual(before);
    await t.provisionStream({ duplicateWindowMs: 60_000 });
    expect(await t.streamInfo()).toEqual(before);
    expect((await t.readRange(1, 10)).map((e) => dec.decode(e.data))).toEqual(['a', 'b']);
    expect(await publishNamed(t, 'prov', ['c'])).toEqual([3]);
  });

  it('publish gives increasing sequences and stores exactly what was sent', async () => {
    const h = harness();
    const t = h.transport;
    await t.provisionStream();
    const t0 = h.now();
    const seqs = await publishNamed(t, 'pub', ['a', 'b', 'c', 'd']);
    expect(seqs).toEqual([1, 2, 3, 4]);
    const stored = await t.readRange(1, 10);
    expect(stored.map((e) => [e.seq, e.subject, e.msgId, dec.decode(e.data)])).toEqual([
      [1, 'shop.pub.a', 'pub-a', 'a'],
      [2, 'shop.pub.b', 'pub-b', 'b'],
      [3, 'shop.pub.c', 'pub-c', 'c'],
      [4, 'shop.pub.d', 'pub-d', 'd'],
    ]);
    for (const e of stored) expect(Math.abs(e.timestampMs - t0)).toBeLessThan(5_000);
    const stamps = stored.map((e) => e.timestampMs);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    await rejects(h, t.publish({ subject: 'elsewhere.x', msgId: 'x', data: enc.encode('') }), 1_000, 'rejected');
  });

  it('a duplicate msg id is acknowledged as a duplicate and stores nothing', async () => {
    const t = harness().transport;
    await t.provisionStream();
    const first = await t.publish({ subject: 'shop.dup.1', msgId: 'dup-1', data: enc.encode('original') });
    const before = await t.streamInfo();
    const again = await t.publish({ subject: 'shop.dup.2', msgId: 'dup-1', data: enc.encode('other') });
    expect(again).toEqual({ seq: first.seq, duplicate: true });
    expect(await t.streamInfo()).toEqual(before);
    const e = await t.getEvent(first.seq);
    expect([e?.subject, dec.decode(e?.data)]).toEqual(['shop.dup.1', 'original']);
  });

  it('a msg id is forgotten once the duplicate window has passed', async () => {
    const h = harness();
    const t = h.transport;
    await t.provisionStream({ duplicateWindowMs: 1_000 });
    const first = await t.publish({ subject: 'shop.win.1', msgId: 'win-1', data: enc.encode('1') });
    expect((await t.publish({ subject: 'shop.win.1', msgId: 'win-1', data: enc.encode('1') })).duplicate).toBe(true);
    await h.sleep(1_600);
    expect(await t.publish({ subject: 'shop.win.1', msgId: 'win-1', data: enc.encode('1') })).toEqual({
      seq: first.seq + 1,
      duplicate: false,
    });
  });

  it('readRange pages across boundaries; getEvent and streamInfo agree with it', async () => {
    const t = harness().transport;
    await t.provisionStream();
    const count = 1_205;
    for (let start = 0; start < count; start += 250) {
      const names = Array.from({ length: Math.min(250, count - start) }, (_, k) => `${start + k}`);
      await Promise.all(
        names.map((n) => t.publish({ subject: `shop.rr.${n}`, msgId: `rr-${n}`, data: enc.encode(n) })),
      );
    }
    const all = await t.readRange(1, 5_000);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: count }, (_, k) => k + 1));
    for (const e of all) expect(e.subject).toBe(`shop.rr.${dec.decode(e.data)}`);

    const pages: StoredEvent[] = [];
    for (let from = 1; ;) {
      const page = await t.readRange(from, 500);
      if (page.length === 0) break;
      pages.push(...page);
      from = (page.at(-1)?.seq ?? from) + 1;
    }
    expect(pages).toEqual(all);
    expect((await t.readRange(1_200, 100)).map((e) => e.seq)).toEqual([1_200, 1_201, 1_202, 1_203, 1_204, 1_205]);
    expect(await t.readRange(count + 1, 10)).toEqual([]);
    expect(await t.readRange(1, 0)).toEqual([]);

    expect(await t.getEvent(777)).toEqual(all[776]);
    expect(await t.getEvent(count + 1)).toBeUndefined();
    expect(await t.getEvent(0)).toBeUndefined();
    expect(await t.getEvent(1.5)).toBeUndefined();
    expect(await t.streamInfo()).toEqual({
      firstSeq: 1,
      lastSeq: count,
      messages: count,
      lastTimestampMs: all.at(-1)?.timestampMs,
    });
  });
}
