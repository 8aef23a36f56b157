/**
 * Broker-node faults on a real 3-node JetStream cluster (system.topology.brokers: 3): the shipped scenario kills
 * the stream leader's node under load and gets the verdict its file expects; a numbered node's kill too; and the
 * simulation, which models one broker, refuses such a scenario up front instead of running something else.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { parseScenario } from '../../src/scenarios/loadScenario.js';
import { runScenario } from '../../src/scenarios/natsRig.js';
import { InfrastructureError, type ScenarioReport } from '../../src/scenarios/runTypes.js';
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

  it('broker-rolling-restart: every node shut down cleanly in turn under load; nothing lost, nothing twice', async () => {
    const r = await runShipped('broker-rolling-restart');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.timeline.filter((t) => t.phase === 'fault-start').map((t) => t.label)).toEqual([
      'broker node: node n0 shut down (SIGTERM)',
      'broker node: node n1 shut down (SIGTERM)',
      'broker node: node n2 shut down (SIGTERM)',
    ]);
  });

  it('broker-node-partitioned: a follower cut off for real (the run command re-runs itself in a network namespace of its own); nothing lost, nothing twice', async () => {
    const cli = await runTestbed(['run', 'scenarios/broker-node-partitioned.yaml', '--json'], {}, 90_000);
    const report = JSON.parse(cli.stdout.trim().split('\n').pop() ?? '{}') as ScenarioReport;
    expect(report.verdict, explain(report)).toBe('pass');
    expect(cli.code).toBe(0);
    expect(report.timeline.map((t) => t.label)).toEqual([
      'partition: a follower cut off from the other broker nodes (packets dropped)',
      'partition healed: a follower reaches the others again',
    ]);
    expect(report.workload.placed).toBeGreaterThan(150);
  });

  it('a partition outside a network namespace of its own is refused before anything starts (exit 2, says why)', async () => {
    // As if this were the re-run, but in the machine's namespace: the rules must never land there.
    const cli = await runTestbed(['run', 'scenarios/broker-node-partitioned.yaml'], {
      CQRS_TESTBED_PRIVATE_NETWORK: '1',
      CQRS_TESTBED_OUTER_PID: String(process.pid),
    });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(
      'cannot run broker-node-partitioned: the re-run did not get a network namespace of its own',
    );
    expect(cli.stdout).toBe('');
  });

  it('the simulation skips a cluster scenario among others (saying so) and runs the rest', async () => {
    const cli = await runTestbed(
      ['run', 'scenarios/stream-leader-killed.yaml', 'scenarios/slow-consumer.yaml', '--transport', 'sim', '--json'],
      {},
      60_000,
    );
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toContain('skipped scenarios/stream-leader-killed.yaml: system.topology.brokers is 3');
    const reports = cli.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ScenarioReport);
    expect(reports.map((r) => [r.scenario, r.verdict])).toEqual([['slow-consumer', 'pass']]);
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
