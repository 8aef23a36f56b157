import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProjection, ProjectionCheckFailed } from '../../src/kit/checkProjection.js';
import type { DomainEvent, OrderPlaced } from '../../src/domain/events.js';
import { projectionKit, ProjectionKitFailure } from '../../src/kit/projectionKit.js';
import correctSummary from '../fixtures/projections/correctSummarySelfManaged.js';
import nonIdempotentInventory from '../fixtures/projections/nonIdempotentInventory.js';
import partialUpdateSummary from '../fixtures/projections/partialUpdateSummary.js';

const product = (productId: string, name: string): DomainEvent => ({
  type: 'ProductAdded',
  productId,
  name,
  priceCents: 500,
});
const order = (orderId: string, customerId: string, productId: string, quantity: number): OrderPlaced => ({
  type: 'OrderPlaced',
  orderId,
  customerId,
  orderDate: '2026-12-01T10:00:00.000Z',
  shippingAddress: '1 Main St',
  items: [{ productId, quantity, unitPriceCents: 500 }],
  totalCents: 500 * quantity,
});
const history: DomainEvent[] = [
  product('p1', 'Widget'),
  product('p2', 'Gadget'),
  order('o1', 'c1', 'p1', 2),
  order('o2', 'c1', 'p2', 1),
  order('o3', 'c2', 'p1', 3),
];

describe('projection kit (given/when/then on the simulation)', () => {
  it('a correct self-managed summary survives a crash between its writes, lost acks, a restart and a rebuild', async () => {
    const state = await projectionKit(correctSummary)
      .given(history)
      .when((d) =>
        d
          .crashAt('between-writes')
          .loseAcks(2)
          .publish(order('o4', 'c2', 'p2', 1))
          .restart()
          .rebuild(),
      )
      .thenMatchesOracle();
    expect([...state.keys()].sort()).toEqual(['o1', 'o2', 'o3', 'o4']);
    expect(state.get('o3')).toMatchObject({ customerId: 'c2', totalCents: 1500 });
  });

  it('then(expected) compares the model with a value; then(fn) hands it over', async () => {
    const kit = projectionKit(correctSummary);
    const state = await kit.given(history).then((s) => expect(s.size).toBe(3));
    await kit.given(history).then(state);
    await expect(kit.given(history.slice(0, 3)).then(state)).rejects.toThrow(ProjectionKitFailure);
  });

  it('catches a partial update lost on a crash between two writes (the broken fixture), and says how', async () => {
    const failure = projectionKit(partialUpdateSummary)
      .given(history)
      .when((d) => d.crashAt('between-writes'))
      .thenMatchesOracle();
    await expect(failure).rejects.toThrow(
      /customer-order-summary differs from the oracle: 0 missing, 0 unexpected, 1 wrong/,
    );
  });

  it('catches a non-idempotent inventory when an ack is lost (the event is applied twice)', async () => {
    const failure = projectionKit(nonIdempotentInventory)
      .given([{ type: 'StockAdjusted', adjustmentId: 'a1', productId: 'p1', delta: 10, reason: 'restock' }, ...history])
      .when((d) => d.loseAcks(1))
      .thenMatchesOracle();
    await expect(failure).rejects.toThrow(/product-inventory differs from the oracle/);
  });

  it('a crash point no event reaches is an error, not a silent pass', async () => {
    const run = projectionKit(correctSummary)
      .given([product('p1', 'Widget')])
      .when((d) => d.crashAt('between-writes'))
      .thenMatchesOracle();
    await expect(run).rejects.toThrow(/crashAt\('between-writes'\): 1 crash\(es\) never happened/);
  });

  it('refuses events that are not domain events, before anything runs', () => {
    const bad = { type: 'OrderPlaced', orderId: 'o1' } as unknown as DomainEvent;
    expect(() => projectionKit(correctSummary).given([bad])).toThrow(/event 0 is not a valid domain event/);
    expect(() =>
      projectionKit(correctSummary)
        .given([])
        .when((d) => d.loseAcks(0)),
    ).toThrow(/from 1 to 100/);
  });

  it('loads a plug-in from its module path, and re-imports it on restart', async () => {
    const path = new URL('../fixtures/projections/correctSummarySelfManaged.ts', import.meta.url);
    await projectionKit(path)
      .given(history)
      .when((d) => d.restart())
      .thenMatchesOracle();
  });
});

describe('checkProjection (the property suite from a test)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cqrs-kit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const seed = Math.floor(Math.random() * 0x1_0000_0000);

  it(`passes a correct plug-in (seed ${seed})`, async () => {
    const path = new URL('../fixtures/projections/correctSummarySelfManaged.ts', import.meta.url);
    const result = await checkProjection(path, { runs: 15, seed, counterexampleDir: dir });
    expect(result).toMatchObject({ ok: true, runs: 15, seed });
    expect(result.crashPointCoverage).toEqual([
      expect.stringMatching(
        /^customer-order-summary:between-writes hit in \d+ of 15 runs \(armed in \d+; \d+ crashes\)$/,
      ),
    ]);
  });

  it('fails a broken one with the property, the counterexample file and the replay command', async () => {
    const path = new URL('../fixtures/projections/partialUpdateSummary.ts', import.meta.url);
    const failure = await checkProjection(path, { runs: 100, seed: 424242, counterexampleDir: dir }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ProjectionCheckFailed);
    const message = (failure as ProjectionCheckFailed).message;
    expect(message).toMatch(
      /customer-order-summary plug-in failed the property suite after \d+ run\(s\) \(seed 424242\)/,
    );
    expect(message).toMatch(/noWrongValues/);
    const file = (failure as ProjectionCheckFailed).result.failure?.counterexample.file ?? '';
    expect(message).toContain('replay the scenario: npx cqrs-testbed run ');
    expect(readFileSync(file, 'utf8')).toMatch(/projections:\n {2}customer-order-summary: .*partialUpdateSummary\.ts/);
  });
});
