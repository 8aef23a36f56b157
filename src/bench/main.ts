/**
 * `npm run bench [-- --quick]`: runs the benches, prints a table and writes bench/results.json (the one tracked
 * result; anything else a run leaves goes under bench/results/, which git ignores).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatTable, runBench } from './runBench.js';
import { FULL_SIZES, QUICK_SIZES } from './sizes.js';

export async function benchMain(argv: readonly string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const outIndex = argv.indexOf('--out');
  const out = resolve(outIndex >= 0 ? (argv[outIndex + 1] ?? 'bench/results.json') : 'bench/results.json');
  const results = await runBench(quick ? QUICK_SIZES : FULL_SIZES, quick ? 'quick' : 'full', (line) => process.stderr.write(`bench: ${line}\n`));
  process.stdout.write(`${formatTable(results)}\n`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`bench: wrote ${out} (${results.wall_s.toFixed(1)} s)\n`);
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
