import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProperties } from '../../src/check/propertySuite.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadProjectionPlugin } from '../../src/plugins/loadProjectionPlugin.js';
import type { RunOptions } from '../../src/scenarios/runner.js';

// The checker checks itself: each deliberately broken projection (test/fixtures/projections/) must be caught by the
// property suite — generated workloads × fault schedules on the simulation, no hand-picked scenario — and each
// correct one must pass the same runs. The number of generated cases it took is printed (and is the figure the
// README quotes); a fixed seed keeps it reproducible.
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'projections');
const seed = Number(process.env.CQRS_PROPERTY_SEED ?? 20_261_126);

async function runOptionsFor(target: string, fixture: string, crashPoint?: string): Promise<Partial<RunOptions>> {
  const loaded = await loadProjectionPlugin(`${target}=${join(FIXTURES, fixture)}`);
  return {
    plugins: { [loaded.target]: loaded.plugin },
    ...(crashPoint ? { crashPoints: [{ target: loaded.target, point: crashPoint, times: 2 }] } : {}),
  };
}

async function check(runs: number, runOptions: Partial<RunOptions>) {
  return checkProperties({ runs, seed, transport: 'sim', log: silentLogger(), counterexampleDir: join(process.cwd(), 'reports', 'counterexamples'), runOptions, shrink: false });
}

const broken = [
  { bug: 'non-idempotent apply under redelivery', target: 'product-inventory', fixture: 'nonIdempotentInventory.ts', violates: /noDuplicatedEffect/ },
  { bug: 'error swallowed, event acked anyway', target: 'customer-order-summary', fixture: 'swallowedErrorSummary.ts', violates: /nothingLost/ },
  { bug: 'replay-unsafe: reads Products without waiting', target: 'customer-order-summary', fixture: 'replayUnsafeSummary.ts', violates: /noWrongValues|rebuildEqualsIncremental/ },
  { bug: 'partial update lost on a crash between two writes', target: 'customer-order-summary', fixture: 'partialUpdateSummary.ts', crashPoint: 'between-writes', violates: /noWrongValues|nothingLost/ },
] as const;

const correct = [
  { name: 'self-managed inventory with its own idempotency', target: 'product-inventory', fixture: 'correctInventorySelfManaged.ts' },
  { name: 'managed summary (checkpoint committed with the view)', target: 'customer-order-summary', fixture: 'correctSummaryManaged.ts' },
  { name: 'self-managed summary, transactional and idempotent', target: 'customer-order-summary', fixture: 'correctSummarySelfManaged.ts', crashPoint: 'between-writes' },
] as const;

describe('the property suite catches broken projections', () => {
  for (const b of broken) {
    it(`catches: ${b.bug} (${b.fixture})`, { timeout: 120_000 }, async () => {
      const result = await check(200, await runOptionsFor(b.target, b.fixture, 'crashPoint' in b ? b.crashPoint : undefined));
      process.stdout.write(`broken projection ${b.fixture}: caught after ${result.runs} generated case(s) (seed ${result.seed})\n`);
      expect(result.ok, `${b.fixture} was not caught in 200 generated cases`).toBe(false);
      expect(result.failure?.message).toMatch(b.violates);
    });
  }

  for (const c of correct) {
    it(`passes: ${c.name} (${c.fixture})`, { timeout: 120_000 }, async () => {
      const result = await check(100, await runOptionsFor(c.target, c.fixture, 'crashPoint' in c ? c.crashPoint : undefined));
      expect(result.ok, result.failure ? `${result.failure.message}\n${result.failure.counterexample.file}` : '').toBe(true);
      expect(result.runs).toBe(100);
    });
  }
});
