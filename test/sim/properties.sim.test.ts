import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProperties } from '../../src/check/propertySuite.js';
import { silentLogger } from '../../src/log/logger.js';

// The simulation tier of the property suite: generated workloads × fault schedules (every fault kind), each run by
// the real actors on the deterministic simulation. Every property (convergence, nothing lost, no duplicated effect,
// no wrong value, write model published once, rebuild equals incremental, dead letters exactly the undecodable
// events, checkpoints monotonic, reserve mode never oversold) is checked on every one of the runs.
// CQRS_PROPERTY_SEED / CQRS_PROPERTY_RUNS override the fixed CI seed and the count.
const seed = Number(process.env.CQRS_PROPERTY_SEED ?? 20_261_126);
const runs = Number(process.env.CQRS_PROPERTY_RUNS ?? 200);

describe('property suite, simulation tier', () => {
  it(`holds for ${runs} generated fault schedules (fast-check seed ${seed})`, { timeout: 300_000 }, async () => {
    const result = await checkProperties({
      runs, seed, transport: 'sim', log: silentLogger(), counterexampleDir: join(process.cwd(), 'reports', 'counterexamples'),
    });
    const why = result.failure
      ? `fast-check seed ${result.seed}, path ${result.failure.path}: ${result.failure.message}\n` +
        `shrunk counterexample: ${result.failure.counterexample.file}\nreplay: cqrs-testbed run ${result.failure.counterexample.file} --transport sim`
      : '';
    process.stdout.write(`property suite (sim): seed ${result.seed}, ${result.runs} runs in ${result.durationMs} ms\n`);
    expect(result.ok, why).toBe(true);
    expect(result.runs).toBe(runs);
  });
});
