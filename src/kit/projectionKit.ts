import { isDeepStrictEqual } from 'node:util';
import { decodeEventData } from '../domain/eventSchema.js';
import type { DomainEvent } from '../domain/events.js';
import type { ReadModelName, ReadModelStates } from '../domain/readModels.js';
import { loadPluginFile } from '../plugins/loadProjectionPlugin.js';
import type { ProjectionPlugin } from '../plugins/projectionPlugin.js';
import { divergenceOf, type Divergence } from '../scenarios/divergence.js';
import { fieldDiffText } from '../scenarios/fieldDiff.js';
import { Deliveries, type DeliveryStep } from './deliveries.js';
import { simulatedRun, type SimulatedRunResult } from './simulatedRun.js';

export interface ProjectionKitOptions {
  /** Seeds the simulated broker (default 1): the same seed, the same run. */
  readonly seed?: number;
  /** The consumer's ack wait in (virtual) ms; default 2000. A lost ack's event comes back after it. */
  readonly ackWaitMs?: number;
  /** Events per fetch; default 10. */
  readonly batchSize?: number;
  /** Virtual time one step may take before the kit gives up on it; default 10 minutes. */
  readonly stepLimitMs?: number;
}

/** A plug-in, or the path (or file URL) of its module: a path lets `restart()` load a fresh instance of it. */
export type PluginSource<T extends ReadModelName = ReadModelName> = ProjectionPlugin<T> | string | URL;

/** Events published before the first step, at most this many (a bound, not a limit of the simulation). */
const MAX_GIVEN = 10_000;

/**
 * Given/when/then for a projection plug-in, on the deterministic simulation of the broker:
 *
 *     const kit = projectionKit(mySummary);
 *     await kit.given(events).when((d) => d.crashAt('between-writes').loseAcks(2).restart().rebuild()).thenMatchesOracle();
 *     const state = await kit.given(events).then((s) => assert.equal(s.size, 2));
 *
 * `given` publishes events onto the stream, `when` says what happens to the deliveries, `then` delivers everything
 * left and hands over the plug-in's model (its `readState`), or compares it with the expected value or the oracle.
 */
export function projectionKit<T extends ReadModelName = ReadModelName>(
  source: PluginSource<T>,
  options: ProjectionKitOptions = {},
): { given(events: readonly DomainEvent[]): KitScenario<T> } {
  let loaded: Promise<ProjectionPlugin<T>> | undefined;
  const plugin = () =>
    (loaded ??=
      typeof source === 'string' || source instanceof URL
        ? loadPluginFile(source).then((l) => l.plugin as ProjectionPlugin<T>)
        : Promise.resolve(source));
  return { given: (events) => new KitScenario(plugin, checkedEvents(events), [], options) };
}

/** One scenario of the kit: immutable; `when` returns a new one. */
export class KitScenario<T extends ReadModelName> {
  constructor(
    private readonly plugin: () => Promise<ProjectionPlugin<T>>,
    private readonly given: readonly DomainEvent[],
    private readonly steps: readonly DeliveryStep[],
    private readonly options: ProjectionKitOptions,
  ) {}

  /** What happens to the deliveries: `(d) => d.deliver().crashAt('between-writes').restart()` (see Deliveries). */
  when(build: (deliveries: Deliveries) => unknown): KitScenario<T> {
    const deliveries = new Deliveries();
    build(deliveries);
    return new KitScenario(this.plugin, this.given, [...this.steps, ...deliveries.steps], this.options);
  }

  /**
   * Plays the scenario and checks the plug-in's final model: against an expected value (deep equality, Maps
   * included), or with your own assertions. Resolves with the model.
   */
  async then(expected: ReadModelStates[T] | ((state: ReadModelStates[T]) => unknown)): Promise<ReadModelStates[T]> {
    const result = await this.play();
    if (typeof expected === 'function') await expected(result.state);
    else if (!isDeepStrictEqual(result.state, expected))
      throw new ProjectionKitFailure(`the model differs from the expected value${deadLetterNote(result.deadLetters)}`, {
        expected,
        actual: result.state,
      });
    return result.state;
  }

  /** Plays the scenario and compares the plug-in's model with the oracle (the reference fold of the stream). */
  async thenMatchesOracle(): Promise<ReadModelStates[T]> {
    const plugin = await this.plugin();
    const result = await this.play();
    const models = { ...modelsFromOracle(result), [plugin.target]: result.state } as unknown as Parameters<
      typeof divergenceOf
    >[1];
    const divergence = divergenceOf(result.reference, models, result.log)[plugin.target];
    if (divergentCount(divergence) > 0)
      throw new ProjectionKitFailure(
        `${plugin.target} differs from the oracle: ${describe(divergence)}${deadLetterNote(result.deadLetters)}`,
        { expected: oracleOf(result, plugin.target), actual: result.state },
      );
    return result.state;
  }

  private async play(): Promise<SimulatedRunResult<T>> {
    const plugin = await this.plugin();
    return simulatedRun(plugin, this.given, this.steps, {
      seed: this.options.seed ?? 1,
      stepLimitMs: this.options.stepLimitMs ?? 600_000,
      consumer: { ackWaitMs: this.options.ackWaitMs ?? 2_000, batchSize: this.options.batchSize ?? 10 },
    });
  }
}

/** A kit expectation that did not hold; `expected` and `actual` are there for a test runner's diff. */
export class ProjectionKitFailure extends Error {
  override readonly name = 'ProjectionKitFailure';
  readonly expected: unknown;
  readonly actual: unknown;
  constructor(message: string, values: { expected: unknown; actual: unknown }) {
    super(message);
    this.expected = values.expected;
    this.actual = values.actual;
  }
}

const divergentCount = (d: Divergence) => d.missing + d.unexpected + d.wrong + d.duplicated;

function describe(d: Divergence): string {
  const counts = `${d.missing} missing, ${d.unexpected} unexpected, ${d.wrong} wrong, ${d.duplicated} duplicated`;
  // Where both sides exist, only the fields that differ (a whole summary row compared by eye hides its one wrong name).
  const examples = d.examples.map((e) =>
    e.diff && e.diff.length > 0
      ? `\n  ${e.bucket} ${e.key}: ${e.diff.map(fieldDiffText).join('; ')}`
      : `\n  ${e.bucket} ${e.key}: expected ${show(e.expected)}, got ${show(e.actual)}`,
  );
  return `${counts}${examples.join('')}`;
}

const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
const deadLetterNote = (n: number) => (n > 0 ? ` (${n} event(s) went to the dead-letter store)` : '');

function oracleOf(result: SimulatedRunResult<ReadModelName>, target: ReadModelName): unknown {
  return modelsFromOracle(result)[target];
}

function modelsFromOracle(result: SimulatedRunResult<ReadModelName>): ReadModelStates {
  const r = result.reference;
  return { 'product-inventory': r.inventory, products: r.products, 'customer-order-summary': r.summaries };
}

function checkedEvents(events: readonly DomainEvent[]): readonly DomainEvent[] {
  const given: unknown = events; // from JavaScript callers, anything
  if (!Array.isArray(given)) throw new TypeError('given(events): expected an array of domain events');
  if (events.length > MAX_GIVEN) throw new RangeError(`given(events): at most ${MAX_GIVEN} events`);
  events.forEach((event, i) => {
    const decoded = decodeEventData(event);
    if (!decoded.ok) throw new TypeError(`given(events): event ${i} is not a valid domain event: ${decoded.error}`);
  });
  return events.slice();
}
