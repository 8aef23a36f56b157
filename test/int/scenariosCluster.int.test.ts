/**
 * Broker-node faults on a real 3-node JetStream cluster (system.topology.brokers: 3): the shipped scenario kills
 * the stream leader's node under load and gets the verdict its file expects; a numbered node's kill too; and the
 * simulation, which models one broker, refuses such a scenario up front instead of running something else.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { parseScenario } from '../../src/scenarios/loadScenario.js';
import { runScenario } from '../../src/scenarios/natsRig.js';
import { InfrastructureError } from '../../src/scenarios/runTypes.js';
import { runScenarioSim } from '../../src/scenarios/simRig.js';
import { runTestbed } from '../helpers/cliProcess.js';
import { explain, runShipped } from '../helpers/scenarioHarness.js';

const nodeKill = (node: string) => `
name: node-kill
description: A numbered node killed.
teaches: Losing a follower or the leader loses nothing.
system:
  topology: {brokers: 3}
workload: {durationMs: 4000, ordersPerSecond: 20, initialStock: {min: 1000, max: 1000}}
faults:
  - {kind: brokerNodeKill, atMs: 1000, node: ${node}, restartAfterMs: 1500}
expect:
  - {property: converges, withinMs: 15000}
  - property: nothingLost
  - property: writeModelPublishedOnce
  - property: noDuplicatedEffect
`;

describe('broker cluster faults on real nats-server nodes', { timeout: 120_000 }, () => {
  it('stream-leader-killed: the leader node killed under load; nothing lost, nothing twice, every model converges', async () => {
    const r = await runShipped('stream-leader-killed');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.timeline.map((t) => t.label)).toEqual([
      'broker node: the stream leader killed (SIGKILL)',
      'broker node: the stream leader restarted',
    ]);
    expect(r.workload.placed).toBeGreaterThan(150);
  });

  it('a numbered node killed (node 2) passes the same properties', async () => {
    const parsed = parseScenario(nodeKill('2'), 'node-kill.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    const r = await runScenario(parsed.value, { log: silentLogger() });
    expect(r.verdict, explain(r)).toBe('pass');
  });

  it('the simulation refuses a cluster scenario, in code and on the command line (exit 2, nothing runs)', async () => {
    const parsed = parseScenario(nodeKill('leader'), 'node-kill.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    await expect(runScenarioSim(parsed.value, { log: silentLogger() })).rejects.toThrow(InfrastructureError);
    const cli = await runTestbed(['run', 'scenarios/stream-leader-killed.yaml', '--transport', 'sim']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('the simulation models one broker: run it on real brokers (without --transport sim)');
    expect(cli.stdout).toBe('');
  });
});
