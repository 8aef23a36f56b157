import { READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import type { CrashPointSpec } from '../scenarios/runner.js';
import type { Scenario } from '../scenarios/scenario.js';
import { loadProjectionPlugin, ProjectionPluginError } from './loadProjectionPlugin.js';
import type { ProjectionPlugins } from './projectionPlugin.js';

/** What `--projection` and `--crash-point` add to a run, or why they cannot be used (exit code 2, nothing runs). */
export type PluginRunOptions =
  | { readonly ok: true; readonly plugins?: ProjectionPlugins; readonly crashPoints?: readonly CrashPointSpec[]; readonly banner: readonly string[] }
  | { readonly ok: false; readonly error: string };

const CRASH_POINT_TIMES_MAX = 1_000;

/** `target:point[:times]` (times 1 by default). */
export function parseCrashPoint(spec: string): CrashPointSpec | string {
  const [target = '', point = '', times = '1', ...rest] = spec.split(':');
  if (!(READ_MODELS as readonly string[]).includes(target)) return `--crash-point ${spec}: unknown read model "${target}"; one of ${READ_MODELS.join(', ')}`;
  if (point === '' || rest.length > 0) return `--crash-point ${spec}: expected <read model>:<crash point name>[:<times>]`;
  const n = Number(times);
  if (!Number.isInteger(n) || n < 1 || n > CRASH_POINT_TIMES_MAX) return `--crash-point ${spec}: times must be an integer from 1 to ${CRASH_POINT_TIMES_MAX}`;
  return { target: target as ReadModelName, point, times: n };
}

/** Loads every `--projection` module and parses every `--crash-point`, before any scenario runs. */
export async function pluginRunOptions(options: {
  readonly projections?: readonly string[];
  readonly crashPoints?: readonly string[];
  readonly transport?: 'nats' | 'sim';
}): Promise<PluginRunOptions> {
  const projections = options.projections ?? [];
  const crashSpecs = options.crashPoints ?? [];
  if (projections.length === 0 && crashSpecs.length === 0) return { ok: true, banner: [] };
  const plugins: Record<string, unknown> = {};
  const banner: string[] = [];
  for (const spec of projections) {
    try {
      const loaded = await loadProjectionPlugin(spec);
      if (plugins[loaded.target] !== undefined) return { ok: false, error: `--projection ${spec}: ${loaded.target} is already replaced by an earlier --projection` };
      plugins[loaded.target] = loaded.plugin;
      banner.push(`projection ${loaded.target}: ${loaded.plugin.mode} plug-in ${loaded.path}`);
    } catch (error) {
      if (error instanceof ProjectionPluginError) return { ok: false, error: error.message };
      throw error;
    }
  }
  const crashPoints: CrashPointSpec[] = [];
  for (const spec of crashSpecs) {
    const parsed = parseCrashPoint(spec);
    if (typeof parsed === 'string') return { ok: false, error: parsed };
    const plugin = (plugins as ProjectionPlugins)[parsed.target];
    if (plugin?.mode !== 'self-managed') return { ok: false, error: `--crash-point ${spec}: crash points belong to self-managed plug-ins; ${parsed.target} has none (add --projection ${parsed.target}=…)` };
    crashPoints.push(parsed);
    banner.push(`crash point ${parsed.target}:${parsed.point} armed ×${parsed.times}`);
  }
  return { ok: true, plugins, ...(crashPoints.length > 0 ? { crashPoints } : {}), banner };
}

/**
 * A scenario's `crashPoint` faults need a self-managed plug-in on their target that has the point (when it declares
 * its points). One line per problem; empty when the scenario can run with these plug-ins.
 */
export function crashPointProblems(scenario: Scenario, plugins: ProjectionPlugins = {}): string[] {
  return scenario.faults.flatMap((f, i) => {
    if (f.kind !== 'crashPoint') return [];
    const where = `${scenario.file}: faults[${i}] (crashPoint ${f.target}:${f.point})`;
    const plugin = plugins[f.target];
    if (plugin?.mode !== 'self-managed') return [`${where}: crash points belong to self-managed plug-ins; run it with --projection ${f.target}=<your plug-in>`];
    if (plugin.crashPoints !== undefined && !plugin.crashPoints.includes(f.point)) {
      return [`${where}: the plug-in declares no crash point "${f.point}" (it declares ${plugin.crashPoints.join(', ') || 'none'})`];
    }
    return [];
  });
}

/**
 * The plug-ins one scenario runs with: those its file names (`projections`), each overridden by a `--projection`
 * for the same read model. A module that cannot be loaded is an error naming the scenario.
 */
export async function scenarioPlugins(scenario: Scenario, fromCommandLine: ProjectionPlugins = {}): Promise<{ ok: true; plugins: ProjectionPlugins } | { ok: false; error: string }> {
  const plugins: Record<string, unknown> = { ...fromCommandLine };
  for (const [target, path] of Object.entries(scenario.projections ?? {})) {
    if (plugins[target] !== undefined) continue;
    try {
      plugins[target] = (await loadProjectionPlugin(`${target}=${path}`)).plugin;
    } catch (error) {
      if (error instanceof ProjectionPluginError) return { ok: false, error: `${scenario.file}: projections: ${error.message}` };
      throw error;
    }
  }
  return { ok: true, plugins: plugins };
}
