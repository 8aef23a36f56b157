import { READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import { loadProjectionPlugin, ProjectionPluginError } from '../plugins/loadProjectionPlugin.js';
import type { ProjectionPlugins } from '../plugins/projectionPlugin.js';
import { type CrashPointSpec } from '../scenarios/runTypes.js';

/** What `--projection` and `--crash-point` add to a run, or why they cannot be used (exit code 2, nothing runs). */
export type PluginRunOptions =
  | {
      readonly ok: true;
      readonly plugins?: ProjectionPlugins;
      readonly crashPoints?: readonly CrashPointSpec[];
      readonly banner: readonly string[];
      /** Where each plug-in was loaded from (absolute), for replay commands and counterexample files. */
      readonly pluginPaths?: Readonly<Partial<Record<ReadModelName, string>>>;
    }
  | { readonly ok: false; readonly error: string };

const CRASH_POINT_TIMES_MAX = 1_000;

/** `target:point[:times]` (times 1 by default). */
export function parseCrashPoint(spec: string): CrashPointSpec | string {
  const [target = '', point = '', times = '1', ...rest] = spec.split(':');
  if (!(READ_MODELS as readonly string[]).includes(target))
    return `--crash-point ${spec}: unknown read model "${target}"; one of ${READ_MODELS.join(', ')}`;
  if (point === '' || rest.length > 0)
    return `--crash-point ${spec}: expected <read model>:<crash point name>[:<times>]`;
  const n = Number(times);
  if (!Number.isInteger(n) || n < 1 || n > CRASH_POINT_TIMES_MAX)
    return `--crash-point ${spec}: times must be an integer from 1 to ${CRASH_POINT_TIMES_MAX}`;
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
  const pluginPaths: Partial<Record<ReadModelName, string>> = {};
  const banner: string[] = [];
  for (const spec of projections) {
    try {
      const loaded = await loadProjectionPlugin(spec);
      if (plugins[loaded.target] !== undefined)
        return {
          ok: false,
          error: `--projection ${spec}: ${loaded.target} is already replaced by an earlier --projection`,
        };
      plugins[loaded.target] = loaded.plugin;
      pluginPaths[loaded.target] = loaded.path;
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
    if (plugin?.mode !== 'self-managed')
      return {
        ok: false,
        error: `--crash-point ${spec}: crash points belong to self-managed plug-ins; ${parsed.target} has none (add --projection ${parsed.target}=…)`,
      };
    crashPoints.push(parsed);
    banner.push(`crash point ${parsed.target}:${parsed.point} armed ×${parsed.times}`);
  }
  return { ok: true, plugins, pluginPaths, ...(crashPoints.length > 0 ? { crashPoints } : {}), banner };
}
