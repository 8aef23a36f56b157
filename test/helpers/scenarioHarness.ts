/** Runs a shipped scenario file against a real nats-server and returns its report, for the scenario suites. */
import { join } from 'node:path';
import { silentLogger } from '../../src/log/logger.js';
import { formatScenarioErrors, loadScenarioFile } from '../../src/scenarios/loadScenario.js';
import { runScenario } from '../../src/scenarios/natsRig.js';
import { type ScenarioReport } from '../../src/scenarios/runTypes.js';

export const SCENARIOS_DIR = join(import.meta.dirname, '..', '..', 'scenarios');

export async function runShipped(name: string): Promise<ScenarioReport> {
  const loaded = await loadScenarioFile(join(SCENARIOS_DIR, `${name}.yaml`));
  if (!loaded.ok) throw new Error(formatScenarioErrors(loaded.error));
  return runScenario(loaded.value, { log: silentLogger() });
}

/** A failing verdict's message: every property that did not hold, with its detail and the seed to replay. */
export function explain(report: ScenarioReport): string {
  const failed = report.properties.filter((p) => !p.holds).map((p) => `${p.name}: ${p.detail}`);
  const why = [
    ...report.attribution
      .filter((a) => a.verdict !== 'ok')
      .map((a) => `${a.model}: ${a.detail} ${JSON.stringify(report.models[a.model].divergence.examples.slice(0, 2))}`),
    ...report.brokerFindings.map((f) => `broker finding: ${f}`),
  ];
  return `${report.scenario} (seed ${report.seed}) ${report.verdict}: ${failed.join(' | ') || 'all properties held'}${why.length > 0 ? ` — ${why.join(' | ')}` : ''}`;
}
