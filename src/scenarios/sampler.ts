import type { Logger } from 'pino';
import { sleep } from '../actors/clock.js';
import type { ConsumerState } from '../actors/consumerStatus.js';
import { perReadModel, READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import type { SampleFacts } from './convergence.js';
import { divergent, divergenceOf } from './divergence.js';
import { refreshedTelemetry, telemetrySnapshot } from './runTelemetry.js';
import type { Progress, RunOptions, Sample } from './runTypes.js';
import type { Telemetry } from './telemetry.js';
import type { RunParts } from './runParts.js';

/** Samples kept for the report: the newest, at most this many. */
const SAMPLES_KEPT = 2_000;

export interface SamplerDeps extends RunParts {
  readonly rebuildsOf: (m: ReadModelName) => number;
  readonly elapsed: () => number;
  readonly phase: () => Progress['phase'];
  readonly brokerPaused: () => boolean;
  readonly options: Pick<RunOptions, 'onTelemetry' | 'onProgress' | 'sampleEveryMs'>;
  readonly log: Logger;
}

/**
 * The oracle at the head of the log against each read model, a few times a second: divergence samples for the
 * report, the caught-up check, the dashboard's telemetry and progress lines. A tick is skipped while the last
 * sample still runs (a paused broker makes reads wait), so samples never pile up.
 */
export class Sampler {
  readonly samples: Sample[] = [];
  /** Per model, the most events it was ever behind. */
  readonly maxLag: Record<ReadModelName, number> = perReadModel(() => 0);
  private inflight: Promise<void> | undefined;
  // What the newest sample established; undefined while none has succeeded since the last failed one (the broker
  // was unreachable): an older sample says nothing about events published since, so it must not decide convergence.
  private latestFacts: SampleFacts | undefined;
  private lastTelemetry: Telemetry | undefined;
  private sampling = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SamplerDeps) {}

  start(): void {
    this.sampling = true;
    this.loop = this.tick();
  }

  /** Stops sampling and waits for the last sample. */
  async stop(): Promise<void> {
    this.sampling = false;
    await this.loop;
    await this.inflight;
  }

  latest(): SampleFacts | undefined {
    return this.latestFacts;
  }

  /** A sample that starts now (not one already under way, which may predate what the caller just checked). */
  async fresh(): Promise<void> {
    await this.inflight;
    await this.sample();
  }

  private sample(): Promise<void> {
    return (this.inflight ??= this.take().finally(() => (this.inflight = undefined)));
  }

  private async tick(): Promise<void> {
    const d = this.deps;
    while (this.sampling) {
      await sleep(d.clock, d.options.sampleEveryMs ?? 250);
      // A sample still waiting on the broker: the dashboard gets what can be read without it, marked stale.
      if (this.sampling && this.inflight && this.lastTelemetry && d.options.onTelemetry && d.system) {
        d.options.onTelemetry(
          refreshedTelemetry(this.lastTelemetry, {
            system: d.system,
            elapsedMs: d.elapsed(),
            phase: d.phase(),
            brokerPaused: d.brokerPaused(),
            counters: d.counters,
            timeline: d.recorder.dashboardTimeline(),
          }),
        );
      }
      if (this.sampling) void this.sample();
    }
  }

  private async take(): Promise<void> {
    const d = this.deps;
    try {
      const head = await d.oracle.catchUp();
      const states = d.view.readModelStates();
      const div = divergenceOf(d.oracle.state, states, d.oracle.log);
      const models = {} as Record<
        ReadModelName,
        { divergent: number; lagEvents: number; state: ConsumerState; checkpoint: number }
      >;
      for (const name of READ_MODELS) {
        const checkpoint = d.view.checkpoint(name);
        const lagEvents = Math.max(0, head - checkpoint);
        this.maxLag[name] = Math.max(this.maxLag[name], lagEvents);
        models[name] = {
          divergent: divergent(div[name]),
          lagEvents,
          state: d.view.consumer(name).state,
          checkpoint,
        };
      }
      this.latestFacts = {
        divergent: READ_MODELS.reduce((s, m) => s + models[m].divergent, 0),
        behindHead: READ_MODELS.filter((m) => models[m].checkpoint < head),
      };
      d.caughtUp.observe({
        atMs: d.elapsed(),
        headSeq: head,
        divergence: div,
        divergent,
        checkpoints: perReadModel((m) => models[m].checkpoint),
        rebuilding: (m) => models[m].state === 'rebuilding',
        rebuilds: d.rebuildsOf,
      });
      const outboxBacklog = {
        orders: d.view.orderStore.outbox.backlog(),
        inventory: d.view.inventoryStore.outbox.backlog(),
      };
      this.samples.push({ atMs: d.elapsed(), headSeq: head, outboxBacklog, models });
      if (d.options.onTelemetry && d.system) {
        this.lastTelemetry = telemetrySnapshot({
          scenario: d.scenario,
          seed: d.seed,
          system: d.system,
          elapsedMs: d.elapsed(),
          nowMs: d.clock.now(),
          phase: d.phase(),
          brokerPaused: d.brokerPaused(),
          headSeq: head,
          reference: d.oracle.state,
          states,
          log: d.oracle.log,
          counters: d.counters,
          timeline: d.recorder.dashboardTimeline(),
          firstNegative: d.oracle.firstNegative,
        });
        d.options.onTelemetry(this.lastTelemetry);
      }
      if (this.samples.length > SAMPLES_KEPT) this.samples.splice(0, this.samples.length - SAMPLES_KEPT);
      d.options.onProgress?.({
        elapsedMs: d.elapsed(),
        phase: d.phase(),
        orders: { ...d.counters },
        activeFaults: d.recorder.activeFaults(),
        lagEvents: perReadModel((m) => models[m].lagEvents),
      });
    } catch (error) {
      this.latestFacts = undefined;
      d.log.debug({ err: error }, 'sample skipped');
    }
  }
}
