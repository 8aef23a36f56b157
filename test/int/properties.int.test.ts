import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProperties } from '../../src/check/propertySuite.js';
import { silentLogger } from '../../src/log/logger.js';

// The real-NATS tier: the same generated scenarios and properties as the simulation tier, fewer of them, each on
// a private nats-server with SQLite files. A difference between the tiers is a bug in one of them.
const seed = Number(process.env.CQRS_PROPERTY_SEED ?? 20_261_126);
const runs = Number(process.env.CQRS_PROPERTY_NATS_RUNS ?? 4);

describe('property suite, real NATS tier', () => {
  it(
    `holds for ${runs} generated fault schedules on nats-server (fast-check seed ${seed})`,
    { timeout: 300_000 },
    async () => {
      const result = await checkProperties({
        runs,
        seed,
        transport: 'nats',
        log: silentLogger(),
        counterexampleDir: join(process.cwd(), 'reports', 'counterexamples'),
      });
      const why = result.failure
        ? `fast-check seed ${result.seed}, path ${result.failure.path}: ${result.failure.message}\nshrunk counterexample: ${result.failure.counterexample.file}`
        : '';
      process.stdout.write(
        `property suite (nats): seed ${result.seed}, ${result.runs} runs in ${result.durationMs} ms\n`,
      );
      expect(result.ok, why).toBe(true);
      expect(result.runs).toBe(runs);
    },
  );
});
