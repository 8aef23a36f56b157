import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import type { ReadModelName } from '../domain/readModels.js';
import type { CrashPointSpec, Scenario } from '../scenarios/scenario.js';

/** `path` as the scenario file in `dir` names a module: relative to the file, starting with ./ or ../. */
function relativeModulePath(dir: string, path: string): string {
  const rel = relative(resolve(dir), path).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** A scenario in the YAML file format (what `cqrs-testbed run` loads), with a header saying where it came from. */
export function scenarioToYaml(scenario: Scenario, header: readonly string[] = []): string {
  const { file: _file, ...body } = scenario;
  const comment = [
    '# yaml-language-server: $schema=../../scenarios/schema.json',
    ...header.map((line) => `# ${line}`),
  ].join('\n');
  return `${comment}\n${stringify(body, { lineWidth: 120 })}`;
}

export interface WrittenCounterexample {
  readonly file: string;
  readonly yaml: string;
}

/**
 * Writes a shrunk counterexample where people can find it and replay it:
 * `cqrs-testbed run <file>` (real NATS) or `cqrs-testbed run <file> --transport sim`.
 */
export function writeCounterexample(
  dir: string,
  scenario: Scenario,
  why: {
    seed: number;
    path: string;
    failure: string;
    runCommand?: (file: string) => string;
    /** The plug-ins the run had (absolute paths): recorded in the file (`projections:`), relative to it. */
    plugins?: Readonly<Partial<Record<ReadModelName, string>>>;
    /** Crash points the suite armed before every run (`--crash-point`): recorded (`crashPoints:`), so the file replays alone. */
    crashPoints?: readonly CrashPointSpec[];
  },
): WrittenCounterexample {
  mkdirSync(dir, { recursive: true });
  // Scenario names are kebab-case and short; the path is in the header comment in full.
  const name = `counterexample-${why.seed}-${createHash('sha256').update(why.path).digest('hex').slice(0, 8)}`;
  const file = join(dir, `${name}.yaml`);
  const plugins = Object.entries(why.plugins ?? {}).map(
    ([target, path]) => [target, relativeModulePath(dir, path)] as const,
  );
  const projections = { ...scenario.projections, ...Object.fromEntries(plugins) };
  const crashPoints = [...(scenario.crashPoints ?? []), ...(why.crashPoints ?? [])];
  const recorded = {
    ...scenario,
    name,
    ...(Object.keys(projections).length > 0 ? { projections } : {}),
    ...(crashPoints.length > 0 ? { crashPoints } : {}),
  };
  const yaml = scenarioToYaml(recorded, [
    `Shrunk counterexample from the property suite: fast-check seed ${why.seed}, path "${why.path}".`,
    `Failure: ${why.failure.replace(/\s+/g, ' ').slice(0, 400)}`,
    `Replay: ${why.runCommand?.(file) ?? `cqrs-testbed run ${file}`} --transport sim   (or without --transport sim, on a real nats-server)`,
  ]);
  writeFileSync(file, yaml);
  return { file, yaml };
}
