/**
 * The transport contract: the same cases against every implementation of the port (a real nats-server and the
 * deterministic simulation), so the simulation cannot drift from the real broker unnoticed. Each case gets a fresh
 * harness (a fresh broker); cases that need the stream provision it themselves.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { ContractHarness } from './contractKit.js';
import { consumerCases } from './consumerCases.js';
import { serviceFaultCases } from './serviceFaultCases.js';
import { streamCases } from './streamCases.js';

export type { ContractHarness } from './contractKit.js';

export function defineTransportContract(name: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`transport contract: ${name}`, () => {
    let current: ContractHarness | undefined;
    const harness = (): ContractHarness => {
      if (current === undefined) throw new Error('no harness: beforeEach did not run');
      return current;
    };
    beforeEach(async () => {
      current = await makeHarness();
    });
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });
    describe('stream', () => streamCases(harness));
    describe('durable consumers', () => consumerCases(harness));
    describe('request/reply and faults', () => serviceFaultCases(harness));
  });
}
