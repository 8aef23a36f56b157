/**
 * Real network partitions between the nodes of a broker cluster on one machine: packets dropped by the kernel
 * (iptables), not a simulated link. Every node runs as a user of its own, so the connections it opens can be told
 * apart from the others' even though all of them use the same loopback address: a mangle rule marks each
 * connection a node opens with the node's number (CONNMARK), and cutting a node off drops every packet to or from
 * its route port and every packet of a connection it opened — both directions. Client connections are untouched:
 * a client on the cut-off node stays connected to a node that cannot reach a quorum.
 *
 * The rules are only ever installed inside a private network namespace (the `run` command creates one,
 * src/process/privateNetwork.ts), so they cannot touch the machine's own traffic, and vanish with the run.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inPrivateNetworkNamespace } from '../process/privateNetwork.js';

const run = promisify(execFile);
const IPTABLES_TIMEOUT_MS = 10_000;

/** A node as the rules see it: the user it runs as, and the port it accepts routes on. */
export interface PartitionableNode {
  readonly uid: number;
  readonly clusterPort: number;
}

export interface NetworkPartitions {
  /** Drops every packet between node `index` and the other nodes, until heal. Idempotent. */
  isolate(index: number): Promise<void>;
  /** Lets node `index`'s packets through again. Idempotent. */
  heal(index: number): Promise<void>;
  /** Nodes cut off now. */
  readonly isolated: ReadonlySet<number>;
}

/** The first of the users the nodes of a partitionable cluster run as (n0 is this, n1 the next, …). */
export const NODE_UID_BASE = 61_000;

export class PartitionUnavailable extends Error {
  override readonly name = 'PartitionUnavailable';
}

/** What this process lacks to run nodes as other users and change packet filters, or undefined. */
export async function partitionToolsMissing(): Promise<string | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0)
    return 'a partition needs root (it runs each broker node as its own user and installs iptables rules)';
  try {
    await run('iptables', ['--version'], { timeout: IPTABLES_TIMEOUT_MS });
  } catch {
    return 'a partition needs the iptables command (Debian/Ubuntu: apt-get install -y iptables)';
  }
  return undefined;
}

/**
 * What this process lacks to cut nodes off for real, or undefined when nothing: root, the iptables command, and a
 * network namespace of its own to change the rules in.
 */
export async function partitionsUnavailableBecause(): Promise<string | undefined> {
  const missing = await partitionToolsMissing();
  if (missing !== undefined) return missing;
  if (!inPrivateNetworkNamespace())
    return 'a partition must run in a private network namespace (the run command creates one: unshare -n)';
  return undefined;
}

/**
 * Marks every connection each node opens (installed before the nodes start, so their routes carry the mark), and
 * returns the switch that cuts nodes off. Fails with PartitionUnavailable, naming what is missing.
 */
export async function preparePartitions(nodes: readonly PartitionableNode[]): Promise<NetworkPartitions> {
  const missing = await partitionsUnavailableBecause();
  if (missing !== undefined) throw new PartitionUnavailable(missing);
  for (const [i, node] of nodes.entries())
    await iptables(['-t', 'mangle', '-A', 'OUTPUT', ...opened(node), '-j', 'CONNMARK', '--set-mark', mark(i)]);
  const isolated = new Set<number>();
  const rules = (i: number): string[][] => {
    const node = nodes[i];
    if (!node) throw new RangeError(`no broker node ${i} (the cluster has ${nodes.length})`);
    const port = String(node.clusterPort);
    return [
      ['-p', 'tcp', '--dport', port, '-j', 'DROP'], // routes the others opened to it
      ['-p', 'tcp', '--sport', port, '-j', 'DROP'], // its side of those
      ['-m', 'connmark', '--mark', mark(i), '-j', 'DROP'], // routes it opened, both directions
    ];
  };
  return {
    isolated,
    async isolate(i) {
      if (isolated.has(i)) return;
      for (const rule of rules(i)) await iptables(['-I', 'OUTPUT', ...rule]);
      isolated.add(i);
    },
    async heal(i) {
      if (!isolated.has(i)) return;
      for (const rule of rules(i)) await iptables(['-D', 'OUTPUT', ...rule]);
      isolated.delete(i);
    },
  };
}

const mark = (i: number): string => String(i + 1);
/** The first packet of a connection the node opens (not its replies on connections clients opened to it). */
const opened = (node: PartitionableNode): string[] => [
  ...['-m', 'owner', '--uid-owner', String(node.uid)],
  ...['-m', 'conntrack', '--ctstate', 'NEW'],
];

async function iptables(args: readonly string[]): Promise<void> {
  try {
    await run('iptables', ['-w', ...args], { timeout: IPTABLES_TIMEOUT_MS });
  } catch (error: unknown) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new PartitionUnavailable(`iptables ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, {
      cause: error,
    });
  }
}
