/**
 * Process faults on the multi-process topology (system.topology.processes): every service its own OS process, the
 * runner driving them over NATS. Each shipped scenario kills or freezes a real process — SIGKILL right after a
 * consumer's commit, SIGKILL inside an order between its reservation and its commit, SIGSTOP past the ack wait —
 * and must get the verdict its file expects: nothing lost, nothing applied twice, every model converged.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { loadScenarioFile, parseScenario } from '../../src/scenarios/loadScenario.js';
import type { ScenarioReport } from '../../src/scenarios/runTypes.js';
import { runScenarioOnProcesses } from '../../src/topology/processesRig.js';
import { serviceProcessesOf } from '../helpers/processTable.js';
import { runTestbed } from '../helpers/cliProcess.js';
import { explain } from '../helpers/scenarioHarness.js';

async function runOnProcesses(name: string): Promise<ScenarioReport> {
  const loaded = await loadScenarioFile(`scenarios/${name}.yaml`);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return runScenarioOnProcesses(loaded.value, { log: silentLogger() });
}

const faultLabels = (r: ScenarioReport) => r.timeline.map((t) => t.label);

describe('process faults on service processes', { timeout: 90_000 }, () => {
  it('projection-process-killed: the summary process SIGKILLed between commit and ack; redelivered, applied once', async () => {
    const r = await runOnProcesses('projection-process-killed');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(faultLabels(r)).toEqual([
      'summary process killed (SIGKILL) after its next commit',
      'summary process started again',
    ]);
    // The batch it had committed but not acked came back to the fresh process.
    expect(r.models['customer-order-summary'].redeliveries).toBeGreaterThan(0);
    expect(r.workload.placed).toBeGreaterThan(80);
    expect(serviceProcessesOf(process.pid)).toEqual([]); // every service process stopped with the run
  });

  it('order-service-killed-mid-order: the orders process SIGKILLed inside an order (reserve mode); no stock stranded', async () => {
    const r = await runOnProcesses('order-service-killed-mid-order');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(faultLabels(r)).toEqual([
      'orders process killed (SIGKILL) inside its next order',
      'orders process started again',
    ]);
    expect(r.properties.find((p) => p.name === 'noStrandedReservations')?.holds).toBe(true);
    expect(r.workload.placed).toBeGreaterThan(50);
  });

  it('process-frozen-past-ack-wait: Products frozen 5 s with a 2 s ack wait; the redelivered batch changes nothing', async () => {
    const r = await runOnProcesses('process-frozen-past-ack-wait');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(faultLabels(r)).toEqual(['products process frozen (SIGSTOP)', 'products process continued (SIGCONT)']);
    expect(r.models.products.maxLagEvents).toBeGreaterThan(50); // it really stood still under load
  });

  it('processes-on-a-cluster: four service processes and the stream leader’s node killed in turn under load; nothing lost', async () => {
    const r = await runOnProcesses('processes-on-a-cluster');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.timeline.filter((t) => t.phase === 'fault-start').map((t) => t.label)).toEqual([
      'inventory process killed (SIGKILL)',
      'products process killed (SIGKILL)',
      'broker node: the stream leader killed (SIGKILL)',
      'summary process killed (SIGKILL) after its next commit',
      'orders process killed (SIGKILL)',
    ]);
    expect(r.workload.placed).toBeGreaterThan(100);
    expect(r.workload.unavailable).toBeGreaterThan(0); // refused (503) while the orders process was down, never half-taken
  });

  it('refuses what acts inside a service on this topology, and process faults without it (exit 2, one line each)', async () => {
    const parsed = parseScenario(
      `name: mixed
description: d
teaches: t
system: {topology: {processes: true}}
workload: {durationMs: 3000, ordersPerSecond: 10}
faults:
  - {kind: consumerOutage, atMs: 1000, target: products, durationMs: 500}
  - {kind: processKill, atMs: 1000, target: orders, when: afterCommit, restartAfterMs: 500}
expect: [{property: nothingLost}, {property: rebuildEqualsIncremental}]
`,
      'mixed.yaml',
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.map((e) => `${e.path}: ${e.message}`)).toEqual([
      'faults[0]: a consumerOutage acts inside a service, and with system.topology.processes the services run in processes of their own: use a process, broker or poisonEvent fault, or drop processes',
      'faults[1].when: afterCommit strikes after a consumer’s commit, and the orders process runs none',
      'expect[1]: rebuildEqualsIncremental rebuilds inside a service: not with system.topology.processes',
    ]);
    const sim = await runTestbed(['run', 'scenarios/projection-process-killed.yaml', '--transport', 'sim']);
    expect(sim.code).toBe(2);
    expect(sim.stderr).toContain('the simulation runs every service in one process');
  });
});
