import { isDeepStrictEqual } from 'node:util';
import type { ConsumerState } from '../actors/consumerStatus.js';
import { READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import type { CaughtUpDivergence } from './caughtUpCheck.js';
import { divergent, type Divergence } from './divergence.js';

/**
 * Which read model broke, and how — so a failing run points at the code to look at:
 * - `stalled`: its consumer never got to the head of the log (the reason is its last problem);
 * - `diverged`: it has its own wrong, missing, unexpected or duplicated keys (at the end, or while caught up), or
 *   its incremental view differs from a rebuild from seq 1;
 * - `followsUpstream`: its only differences are product names it copied from Products, which diverged itself;
 * - `ok`.
 * A plug-in is judged by its own model; the built-ins are judged beside it, and said to be built-in.
 */
export type ModelVerdict = 'ok' | 'stalled' | 'diverged' | 'followsUpstream';

export interface ModelAttribution {
  readonly model: ReadModelName;
  /** The model is a user's plug-in (else the built-in). */
  readonly plugin: boolean;
  readonly verdict: ModelVerdict;
  readonly detail: string;
}

export interface AttributionInput {
  readonly headSeq: number;
  readonly plugins: ReadonlySet<ReadModelName>;
  readonly models: Readonly<
    Record<
      ReadModelName,
      {
        readonly divergence: Divergence;
        readonly checkpoint: number;
        readonly state: ConsumerState;
        readonly lastProblem: string | null;
      }
    >
  >;
  readonly caughtUp: Readonly<Partial<Record<ReadModelName, CaughtUpDivergence>>>;
  /** Keys where a rebuild from seq 1 differs from the incremental view, per model compared (none when not compared). */
  readonly rebuildKeysDiffer?: Readonly<Partial<Record<ReadModelName, number>>>;
}

const buckets = (d: Divergence): string =>
  (['missing', 'wrong', 'unexpected', 'duplicated'] as const)
    .filter((b) => d[b] > 0)
    .map((b) => `${d[b]} ${b}`)
    .join(', ');

/** A summary row that differs from the expected one in product names only. */
function namesOnly(expected: unknown, actual: unknown): boolean {
  type Row = { items?: { productName?: unknown }[] };
  const strip = (row: unknown) => {
    const r = row as Row | undefined;
    return r && Array.isArray(r.items) ? { ...r, items: r.items.map((i) => ({ ...i, productName: null })) } : r;
  };
  return expected !== undefined && actual !== undefined && isDeepStrictEqual(strip(expected), strip(actual));
}

export function attribute(input: AttributionInput): ModelAttribution[] {
  const own = (m: ReadModelName): { d: Divergence; when: string } | undefined => {
    const final = input.models[m].divergence;
    if (divergent(final) > 0) return { d: final, when: 'at the end' };
    const seen = input.caughtUp[m];
    return seen
      ? { d: seen.divergence, when: `at ${seen.atMs} ms (every model at seq ${seen.headSeq}), covered up later` }
      : undefined;
  };
  return READ_MODELS.map((model): ModelAttribution => {
    const plugin = input.plugins.has(model);
    const m = input.models[model];
    if (m.checkpoint < input.headSeq) {
      const why = m.lastProblem ?? `its consumer is ${m.state}`;
      return {
        model,
        plugin,
        verdict: 'stalled',
        detail: `stalled at seq ${m.checkpoint} of ${input.headSeq} (${m.state}): ${why}`,
      };
    }
    const found = own(model);
    const rebuildDiffers = input.rebuildKeysDiffer?.[model] ?? 0;
    // Equal to the oracle when judged, yet a rebuild disagrees: something reached the view after that (a late
    // redelivery applied again), or the view depends on more than the log.
    if (!found && rebuildDiffers > 0)
      return {
        model,
        plugin,
        verdict: 'diverged',
        detail: `equal to the oracle when judged, but ${rebuildDiffers} key(s) differ from a rebuild from seq 1 afterwards`,
      };
    if (!found) return { model, plugin, verdict: 'ok', detail: 'equal to the oracle' };
    const upstreamBroke = model === 'customer-order-summary' && own('products') !== undefined;
    if (
      upstreamBroke &&
      found.d.examples.length > 0 &&
      found.d.examples.every((e) => namesOnly(e.expected, e.actual))
    ) {
      return {
        model,
        plugin,
        verdict: 'followsUpstream',
        detail: `${buckets(found.d)} ${found.when}, in product names only: it shows what Products has, and Products diverged`,
      };
    }
    return { model, plugin, verdict: 'diverged', detail: `${buckets(found.d)} ${found.when}` };
  });
}

/** One line per model that is not ok, the plug-ins' first: "customer-order-summary (plug-in): stalled at …". */
export function attributionLines(attribution: readonly ModelAttribution[]): string[] {
  return [...attribution]
    .filter((a) => a.verdict !== 'ok')
    .sort((a, b) => Number(b.plugin) - Number(a.plugin))
    .map((a) => `${a.model} (${a.plugin ? 'plug-in' : 'built-in'}): ${a.detail}`);
}
