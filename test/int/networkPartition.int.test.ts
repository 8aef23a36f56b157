import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startNatsCluster } from '../../src/transport/natsCluster.js';
import { PartitionUnavailable } from '../../src/transport/networkPartition.js';

// A partition cuts a broker node off for real: iptables rules in a private network namespace, the node's packets
// dropped by the kernel. The probe runs where the run command runs a partition scenario: re-run under unshare -n.
describe('network partitions between broker nodes', () => {
  it('cut off, the stream leader loses the stream to the majority, which goes on acking; healed, it catches up', () => {
    const probe = spawnSync(
      'unshare',
      [
        '-n',
        '--',
        'sh',
        '-c',
        'ip link set lo up && exec "$@"',
        'sh',
        process.execPath,
        '--import',
        'tsx',
        'test/helpers/partitionProbe.ts',
      ],
      {
        encoding: 'utf8',
        timeout: 55_000,
        env: { ...process.env, CQRS_TESTBED_PRIVATE_NETWORK: '1', CQRS_TESTBED_OUTER_PID: String(process.pid) },
      },
    );
    expect(probe.status, `probe failed:\n${probe.stderr}`).toBe(0);
    const facts = JSON.parse(probe.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(facts.leaderDuring).not.toBe(facts.leaderBefore);
    expect(facts.viaMajority).toBe('acked');
    expect(facts.viaIsolated).toBe('TimeoutError'); // it cannot reach a quorum: nothing is acknowledged
    expect(facts.replicasAfterHeal).toBe(3);
    expect(facts.viaHealed).toBe('acked');
  }, 60_000);

  it('refuses to install rules outside a network namespace made for the run, saying why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cqrs-partition-refused-'));
    mkdirSync(join(dir, 'nats'));
    try {
      const started = startNatsCluster({ size: 3, storeDir: join(dir, 'nats'), partitionable: true });
      await expect(started).rejects.toThrow(PartitionUnavailable);
      await expect(started).rejects.toThrow(/private network namespace/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
