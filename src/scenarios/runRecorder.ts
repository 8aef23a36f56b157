import type { Logger } from 'pino';
import type { ReadModelName } from '../domain/readModels.js';
import type { CaughtUpCheck } from './caughtUpCheck.js';
import type { LiveStep } from './liveControl.js';
import { timelineEntries, type RanStep } from './runTelemetry.js';
import type { RemediationSpec } from './scenario.js';
import type { TimelineEntry } from './telemetry.js';
import type { TimedStep, TimelineContext } from './timeline.js';

/** One step of the report's timeline. */
export interface ReportedStep {
  readonly atMs: number;
  readonly label: string;
  readonly phase: string;
  readonly live: boolean;
  /** Which fault a start or end belongs to (`fault#2`, `live:broker`): pairs them into a window. */
  readonly key?: string;
}

/**
 * The one record of what happened during a run: the scenario's steps as they ran, actions taken from the
 * dashboard, and which faults are acting now. The report's timeline, the dashboard's timeline (past, active,
 * upcoming) and the caught-up check's taints all come from it.
 */
export class RunRecorder {
  private readonly ran: RanStep[] = [];
  /** Fault key → label of the faults acting now. */
  private readonly active = new Map<string, string>();
  private readonly ranTimed = new Set<TimedStep>();
  private afterWorkloadRan = 0;

  constructor(
    private readonly plan: { readonly timed: readonly TimedStep[]; readonly afterWorkload: readonly RemediationSpec[] },
    private readonly caughtUp: CaughtUpCheck,
    private readonly rebuildsOf: (m: ReadModelName) => number,
    private readonly log: Logger,
  ) {}

  /** A self-managed plug-in's crash point armed before the workload starts. */
  crashPointArmed(target: ReadModelName, point: string, times: number): void {
    this.ran.push({
      atMs: 0,
      label: `${target} crashes at crash point "${point}" (×${times})`,
      phase: 'fault-start',
      key: undefined,
      live: false,
      instant: true,
    });
  }

  /** Records a step of the scenario (timed, or a remediation after the workload), then runs it. */
  async runStep(step: TimedStep, atMs: number, ctx: TimelineContext): Promise<void> {
    this.ran.push({
      atMs,
      label: step.label,
      phase: step.phase,
      key: step.faultKey,
      live: false,
      instant: step.instant === true,
    });
    if (this.plan.timed.includes(step)) this.ranTimed.add(step);
    else this.afterWorkloadRan++;
    if (step.phase === 'fault-start' && step.faultKey && step.instant !== true)
      this.active.set(step.faultKey, step.label);
    if (step.phase === 'fault-end' && step.faultKey) this.active.delete(step.faultKey);
    for (const key of step.ends ?? []) this.active.delete(key);
    if (step.taints) this.caughtUp.taint(step.taints, this.rebuildsOf);
    this.log.info({ atMs, step: step.label }, step.phase);
    await step.run(ctx);
  }

  /** An action taken from the dashboard (already done): the seed alone no longer replays the run. */
  liveAction(step: LiveStep, atMs: number): void {
    this.ran.push({ atMs, label: step.label, phase: step.phase, key: step.key, live: true, instant: false });
    if (step.phase === 'fault-start') this.active.set(step.key, step.label);
    if (step.phase === 'fault-end') this.active.delete(step.key);
    if (step.taints) this.caughtUp.taint(step.taints, this.rebuildsOf);
    this.log.info({ atMs, step: step.label }, `${step.phase} (live)`);
  }

  isActive(faultKey: string): boolean {
    return this.active.has(faultKey);
  }

  activeFaults(): string[] {
    return [...this.active.values()];
  }

  /** What ran, for the report. */
  reportTimeline(): ReportedStep[] {
    return this.ran.map(({ atMs, label, phase, live, key }) => ({
      ...{ atMs, label, phase, live },
      ...(key === undefined ? {} : { key }),
    }));
  }

  liveActions(): number {
    return this.ran.filter((s) => s.live).length;
  }

  /** When the last step ran (0 if none did). */
  lastStepMs(): number {
    return Math.max(0, ...this.ran.map((s) => s.atMs));
  }

  /** Past, active and upcoming steps, for the dashboard. */
  dashboardTimeline(): TimelineEntry[] {
    return timelineEntries(this.ran, new Set(this.active.keys()), [
      ...this.plan.timed
        .filter((s) => !this.ranTimed.has(s))
        .map((s) => ({ atMs: s.atMs, label: s.label, phase: s.phase })),
      ...this.plan.afterWorkload
        .slice(this.afterWorkloadRan)
        .map((r) => ({ atMs: null, label: `${r.action} ${r.target}`, phase: 'remediation' as const })),
    ]);
  }
}
