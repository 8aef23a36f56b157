/**
 * `npm run bench [-- --quick]`: runs the benches, prints a table and writes bench/results/latest.json. That dir is
 * git-ignored, so a casual run never dirties the tree; the figures the README quotes are committed separately as a
 * named baseline (bench/baseline-<date>.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../log/logger.js';
import { checkOutputs } from '../process/outputPaths.js';
import { exitOnSignals } from '../process/shutdownSignals.js';
import { sweepStaleTempDirs } from '../process/staleTempDirs.js';
import { formatTable, REQUIRED_KEYS, runBench } from './runBench.js';
import { FULL_SIZES, QUICK_SIZES } from './sizes.js';

/** Where a run writes its figures unless told otherwise: git-ignored. */
export const DEFAULT_BENCH_OUT = 'bench/results/latest.json';

export const BENCH_USAGE =
  'usage: npm run bench [-- --quick] [--out FILE]   (or: npx cqrs-testbed bench [--quick] [--out FILE])';

/** The flags `npm run bench --` takes; anything else is refused before a server starts. */
export function parseBenchArgs(argv: readonly string[]): { quick: boolean; out: string } | { error: string } {
  let quick = false;
  let out = DEFAULT_BENCH_OUT;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--out') {
      const value = argv[++i];
      if (value === undefined || value === '' || value.startsWith('--')) return { error: '--out needs a file path' };
      out = value;
    } else return { error: `unknown argument ${JSON.stringify(arg)}` };
  }
  return { quick, out };
}

export async function benchMain(argv: readonly string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if ('error' in args) {
    process.stderr.write(`bench: ${args.error}\n${BENCH_USAGE}\n`);
    return 2;
  }
  const badOutput = checkOutputs([['--out', args.out, 'file']]);
  if (badOutput !== undefined) {
    process.stderr.write(`bench: ${badOutput}\n`);
    return 2;
  }
  const { quick } = args;
  const out = resolve(args.out);
  for (const dir of await sweepStaleTempDirs(silentLogger()))
    process.stderr.write(`bench: removed ${dir}, left by a run that died\n`);
  // Nothing to drain: a signal ends the bench at once; the exit hooks stop the current phase's broker and remove
  // its temp dir (src/process/ownedTempDir.ts).
  exitOnSignals((signal) => process.stderr.write(`bench: ${signal}: interrupted, nothing written\n`));
  const results = await runBench(quick ? QUICK_SIZES : FULL_SIZES, quick ? 'quick' : 'full', (line) =>
    process.stderr.write(`bench: ${line}\n`),
  );
  process.stdout.write(`${formatTable(results)}\n`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`bench: wrote ${out} (${results.wall_s.toFixed(1)} s)\n`);
  // Written either way (for the record); a figure that could not be measured still fails the run.
  const missing = REQUIRED_KEYS.filter((k) => !Number.isFinite(results[k]));
  if (missing.length > 0) {
    process.stderr.write(`bench: no finite value for ${missing.join(', ')}\n`);
    return 1;
  }
  return 0;
}

// Run only when executed (`tsx src/bench/main.ts`), so the CLI can import benchMain without starting a bench.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
