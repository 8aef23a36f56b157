import type { Scenario } from '../scenarios/scenario.js';
import { needsPartitions } from '../scenarios/natsRig.js';
import {
  inPrivateNetworkNamespace,
  isPrivateNetworkRerun,
  outerCommandPid,
  privateNetworkUnavailableBecause,
  rerunInPrivateNetwork,
} from '../process/privateNetwork.js';
import { partitionToolsMissing } from '../transport/networkPartition.js';

/**
 * Scenarios that cut broker nodes off (a `partition` fault) run in a network namespace of their own: this command
 * runs itself again there and returns its exit code; undefined when it runs here (no partition, or it is that
 * re-run). What is missing for it (root, iptables, unshare) is an exit-2 error before anything starts.
 */
export async function runElsewhereForPartitions(scenarios: readonly Scenario[]): Promise<number | undefined> {
  const cutting = scenarios.filter(needsPartitions);
  if (cutting.length === 0 || inPrivateNetworkNamespace()) return undefined;
  const missing = isPrivateNetworkRerun()
    ? 'the re-run did not get a network namespace of its own'
    : ((await partitionToolsMissing()) ?? privateNetworkUnavailableBecause());
  if (missing !== undefined) {
    process.stderr.write(`cannot run ${cutting.map((s) => s.name).join(', ')}: ${missing}\n`);
    return 2;
  }
  return rerunInPrivateNetwork();
}

const OUTER_CHECK_MS = 1_000;

/** In a re-run: calls `gone` once the command that re-ran this one has died (killed outright); else nothing. */
export function whenOuterCommandGone(gone: () => void): () => void {
  const outer = outerCommandPid();
  if (outer === undefined) return () => undefined;
  const timer = setInterval(() => {
    try {
      process.kill(outer, 0);
    } catch {
      clearInterval(timer);
      gone();
    }
  }, OUTER_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
