import { loadProjectionPlugin, ProjectionPluginError } from '../plugins/loadProjectionPlugin.js';
import type { ProjectionPlugins } from '../plugins/projectionPlugin.js';
import type { Scenario } from './scenario.js';

/**
 * A scenario's `crashPoints` and `crashPoint` faults need a self-managed plug-in on their target that has the point (when it declares
 * its points). One line per problem; empty when the scenario can run with these plug-ins.
 */
export function crashPointProblems(scenario: Scenario, plugins: ProjectionPlugins = {}): string[] {
  const armed = [
    ...(scenario.crashPoints ?? []).map((c, i) => ({ ...c, where: `crashPoints[${i}]` })),
    ...scenario.faults.flatMap((f, i) => (f.kind === 'crashPoint' ? [{ ...f, where: `faults[${i}]` }] : [])),
  ];
  return armed.flatMap((f) => {
    const where = `${scenario.file}: ${f.where} (crashPoint ${f.target}:${f.point})`;
    const plugin = plugins[f.target];
    if (plugin?.mode !== 'self-managed')
      return [
        `${where}: crash points belong to self-managed plug-ins; run it with --projection ${f.target}=<your plug-in>`,
      ];
    if (plugin.crashPoints !== undefined && !plugin.crashPoints.includes(f.point)) {
      return [
        `${where}: the plug-in declares no crash point "${f.point}" (it declares ${plugin.crashPoints.join(', ') || 'none'})`,
      ];
    }
    return [];
  });
}

/**
 * The plug-ins one scenario runs with: those its file names (`projections`), each overridden by a `--projection`
 * for the same read model. A module that cannot be loaded is an error naming the scenario.
 */
export async function scenarioPlugins(
  scenario: Scenario,
  fromCommandLine: ProjectionPlugins = {},
): Promise<{ ok: true; plugins: ProjectionPlugins } | { ok: false; error: string }> {
  const plugins: Record<string, unknown> = { ...fromCommandLine };
  for (const [target, path] of Object.entries(scenario.projections ?? {})) {
    if (plugins[target] !== undefined) continue;
    try {
      plugins[target] = (await loadProjectionPlugin(`${target}=${path}`)).plugin;
    } catch (error) {
      if (error instanceof ProjectionPluginError)
        return { ok: false, error: `${scenario.file}: projections: ${error.message}` };
      throw error;
    }
  }
  return { ok: true, plugins: plugins };
}
