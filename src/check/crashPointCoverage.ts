import type { ScenarioReport } from '../scenarios/runTypes.js';

/**
 * Over a property suite, how often each plug-in crash point was armed and actually hit: a point the generated
 * runs never reach tests nothing, and a pass says less than it seems. Counts every run, shrinking's included.
 */
export class CrashPointCoverage {
  private runs = 0;
  private readonly points = new Map<string, { armedIn: number; hitIn: number; crashes: number }>();

  add(report: ScenarioReport): void {
    this.runs++;
    for (const plugin of report.plugins) {
      for (const c of plugin.crashPoints) {
        const key = `${plugin.target}:${c.point}`;
        const tally = this.points.get(key) ?? { armedIn: 0, hitIn: 0, crashes: 0 };
        if (c.armed > 0) tally.armedIn++;
        if (c.hit > 0) tally.hitIn++;
        tally.crashes += c.hit;
        this.points.set(key, tally);
      }
    }
  }

  /** `customer-order-summary:between-writes hit in 37 of 100 runs (armed in 52; 61 crashes)`, one per point. */
  lines(): string[] {
    return [...this.points].map(
      ([key, t]) => `${key} hit in ${t.hitIn} of ${this.runs} runs (armed in ${t.armedIn}; ${t.crashes} crashes)`,
    );
  }
}
