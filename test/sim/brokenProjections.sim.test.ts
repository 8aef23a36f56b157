import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProperties } from '../../src/check/propertySuite.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadProjectionPlugin } from '../../src/plugins/loadProjectionPlugin.js';
import { type RunOptions } from '../../src/scenarios/runTypes.js';

// The checker checks itself: each deliberately broken projection (test/fixtures/projections/) must be caught by the
// property suite — generated workloads × fault schedules on the simulation, default settings, no hand-picked
// scenario and no hand-armed crash point (the suite arms the ones a plug-in declares) — and each correct one must
// pass the same runs. The number of generated cases it took is printed; the fixed seed keeps CI reproducible, and
// the correct ones also face a fresh random seed each run (`npm run sweep` does many).
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'projections');
const seed = Number(process.env.CQRS_PROPERTY_SEED ?? 20_261_126);

async function runOptionsFor(target: string, fixture: string): Promise<Partial<RunOptions>> {
  const loaded = await loadProjectionPlugin(`${target}=${join(FIXTURES, fixture)}`);
  return { plugins: { [loaded.target]: loaded.plugin } };
}

async function check(runs: number, runOptions: Partial<RunOptions>, withSeed = seed) {
  return checkProperties({
    runs,
    seed: withSeed,
    transport: 'sim',
    log: silentLogger(),
    counterexampleDir: join(process.cwd(), 'reports', 'counterexamples'),
    runOptions,
    shrink: false,
  });
}

const broken = [
  {
    bug: 'non-idempotent apply under redelivery',
    target: 'product-inventory',
    fixture: 'nonIdempotentInventory.ts',
    violates: /noDuplicatedEffect/,
  },
  {
    bug: 'error swallowed, event acked anyway',
    target: 'customer-order-summary',
    fixture: 'swallowedErrorSummary.ts',
    violates: /nothingLost/,
  },
  {
    bug: 'replay-unsafe: reads Products without waiting',
    target: 'customer-order-summary',
    fixture: 'replayUnsafeSummary.ts',
    violates: /noWrongValues|rebuildEqualsIncremental/,
  },
  {
    bug: 'partial update lost on a crash between two writes',
    target: 'customer-order-summary',
    fixture: 'partialUpdateSummary.ts',
    violates: /noWrongValues|nothingLost/,
  },
  {
    bug: 'idempotency kept in memory (lost with the process)',
    target: 'product-inventory',
    fixture: 'inMemoryDedupeInventory.ts',
    violates: /noDuplicatedEffect/,
  },
  // Off by twice a negative delta: where that equals a stretch of events applied again, the bucket says "duplicated".
  {
    bug: 'every stock adjustment taken for a restock',
    target: 'product-inventory',
    fixture: 'restockOnlyInventory.ts',
    violates: /noWrongValues|noDuplicatedEffect/,
  },
  {
    bug: 'renames applied in arrival order (a late redelivery wins)',
    target: 'products',
    fixture: 'lastArrivalProducts.ts',
    violates: /noWrongValues/,
  },
  {
    bug: 'the newest name taken to be the greatest',
    target: 'products',
    fixture: 'greatestNameProducts.ts',
    violates: /noWrongValues/,
  },
  {
    bug: 'order lines keyed by product (a product on two lines)',
    target: 'customer-order-summary',
    fixture: 'linesByProductSummary.ts',
    violates: /noWrongValues/,
  },
] as const;

const correct = [
  {
    name: 'self-managed inventory with its own idempotency',
    target: 'product-inventory',
    fixture: 'correctInventorySelfManaged.ts',
  },
  {
    name: 'managed summary (checkpoint committed with the view)',
    target: 'customer-order-summary',
    fixture: 'correctSummaryManaged.ts',
  },
  {
    name: 'self-managed summary, transactional, idempotent, late-redelivery safe',
    target: 'customer-order-summary',
    fixture: 'correctSummarySelfManaged.ts',
  },
] as const;

describe('the property suite catches broken projections', () => {
  for (const b of broken) {
    it(`catches: ${b.bug} (${b.fixture})`, { timeout: 120_000 }, async () => {
      const result = await check(200, await runOptionsFor(b.target, b.fixture));
      process.stdout.write(
        `broken projection ${b.fixture}: caught after ${result.runs} generated case(s) (seed ${result.seed})\n`,
      );
      expect(result.ok, `${b.fixture} was not caught in 200 generated cases`).toBe(false);
      expect(result.failure?.message).toMatch(b.violates);
    });
  }

  for (const c of correct) {
    it(`passes: ${c.name} (${c.fixture})`, { timeout: 120_000 }, async () => {
      const result = await check(100, await runOptionsFor(c.target, c.fixture));
      expect(result.ok, result.failure ? `${result.failure.message}\n${result.failure.counterexample.file}` : '').toBe(
        true,
      );
      expect(result.runs).toBe(100);
    });

    const fresh = Math.floor(Math.random() * 0x1_0000_0000);
    it(`passes with a fresh random seed too: ${c.fixture} (this run: ${fresh})`, { timeout: 120_000 }, async () => {
      const result = await check(50, await runOptionsFor(c.target, c.fixture), fresh);
      expect(
        result.ok,
        result.failure ? `seed ${fresh}: ${result.failure.message}\n${result.failure.counterexample.file}` : '',
      ).toBe(true);
      expect(result.runs).toBe(50);
    });
  }
});
