import { READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import { pluginPath } from '../plugins/loadProjectionPlugin.js';
import type { ProjectionPlugin } from '../plugins/projectionPlugin.js';
import type { FaultController } from './faultController.js';

/** A plug-in the run judged, for the report: which, from where, and what its crash points did. */
export interface PluginReport {
  readonly target: ReadModelName;
  readonly mode: 'managed' | 'self-managed';
  /** The module it was loaded from; absent for a plug-in built in code. */
  readonly module?: string;
  /** Every crash point it declares or the run armed: crashes armed, and how many happened (a point never hit tested nothing). */
  readonly crashPoints: readonly { readonly point: string; readonly armed: number; readonly hit: number }[];
}

export function pluginReports(
  pluginOf: (target: ReadModelName) => ProjectionPlugin | undefined,
  faults: FaultController,
): PluginReport[] {
  return READ_MODELS.flatMap((target) => {
    const plugin = pluginOf(target);
    if (!plugin) return [];
    const tally = faults.crashPointTally(target);
    const declared = plugin.mode === 'self-managed' ? (plugin.crashPoints ?? []) : [];
    const points = [...new Set([...declared, ...tally.keys()])];
    const module = pluginPath(plugin);
    return [
      {
        target,
        mode: plugin.mode,
        ...(module === undefined ? {} : { module }),
        crashPoints: points.map((point) => ({
          point,
          armed: tally.get(point)?.armed ?? 0,
          hit: tally.get(point)?.hit ?? 0,
        })),
      },
    ];
  });
}

/** One line per plug-in: `customer-order-summary: self-managed plug-in ./x.ts; crash point between-writes hit 2 of 2`. */
export function pluginLines(plugins: readonly PluginReport[]): string[] {
  return plugins.map((p) => {
    const points = p.crashPoints.map((c) =>
      c.armed === 0 ? `${c.point} never armed` : `${c.point} hit ${c.hit} of ${c.armed}`,
    );
    const crash = points.length > 0 ? `; crash point${points.length > 1 ? 's' : ''} ${points.join(', ')}` : '';
    return `${p.target}: ${p.mode} plug-in${p.module ? ` ${p.module}` : ''}${crash}`;
  });
}
