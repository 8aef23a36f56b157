import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layer order of src/, bottom to top: a folder imports only from folders below it (or from itself), so every
// arrow points down and there is no import cycle. README "Architecture" describes each folder. Moving a module to
// the wrong layer, or importing upwards, fails here with the offending import named.
const LAYERS: readonly (readonly string[])[] = [
  ['domain'], // pure: the events, commands, deciders, reference folds, the read-model registry
  ['log'],
  ['process'], // OS process bookkeeping: owned temp dirs, orphaned brokers, pid files, signals, output paths
  ['transport', 'store'], // the broker port and its two adapters; SQLite stores
  ['plugins'], // the plug-in API and its loader
  ['actors'], // the XState machines
  ['system'], // the composition root and the system's command/query port
  ['http', 'scenarios'], // the HTTP API; the scenario runner, faults, oracle and checks
  ['topology'], // the multi-process topology: each service process's part, its entry, the supervisor
  ['check'], // the property suite
  ['kit'], // the projection test kit users import as cqrs-testbed/kit
  ['ui'], // the dashboard
  ['bench'], // the benchmarks (`cqrs-testbed bench` loads them)
  ['cli'], // the command line: the top, it composes everything
  ['index.ts'], // the package's public plug-in API (`import … from 'cqrs-testbed'`)
];

const SRC = resolve(import.meta.dirname, '..', '..', 'src');
const rankOf = new Map(LAYERS.flatMap((folders, rank) => folders.map((f) => [f, rank] as const)));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Relative imports (static, re-exports and dynamic), resolved to files under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1] ?? '');
  return specs.map((spec) => {
    const base = resolve(dirname(file), spec).replace(/\.js$/, '');
    for (const candidate of [`${base}.ts`, `${base}.tsx`]) {
      try {
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not this extension
      }
    }
    throw new Error(`${relative(SRC, file)}: cannot resolve import ${spec}`);
  });
}

const folderOf = (file: string): string => relative(SRC, file).split('/')[0] ?? '';

/** `from → to` for every edge (paths relative to src/) that does not point to a lower layer or its own folder. */
function upwardOf(edges: readonly (readonly [string, string])[]): string[] {
  const top = (path: string) => path.split('/')[0] ?? '';
  return edges
    .filter(([from, to]) => top(from) !== top(to) && (rankOf.get(top(to)) ?? Infinity) >= (rankOf.get(top(from)) ?? -1))
    .map(([from, to]) => `${from} → ${to}`);
}
const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('src/ layers', () => {
  it('every folder of src/ has a layer', () => {
    const folders = new Set(files.map(folderOf).filter((f) => !f.endsWith('.ts')));
    expect([...folders].filter((f) => !rankOf.has(f))).toEqual([]);
  });

  it('every import points down (or stays in its folder)', () => {
    const edges = [...graph].flatMap(([file, imports]) =>
      imports.map((target) => [relative(SRC, file), relative(SRC, target)] as const),
    );
    expect(upwardOf(edges)).toEqual([]);
  });

  it('no import cycle between files', () => {
    // Tarjan's strongly connected components; any component of more than one file is a cycle.
    const index = new Map<string, number>(),
      low = new Map<string, number>(),
      onStack = new Set<string>(),
      stack: string[] = [];
    const cycles: string[][] = [];
    let next = 0;
    const visit = (v: string): void => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
      if (low.get(v) !== index.get(v)) return;
      const component: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
        onStack.delete(w);
        component.push(relative(SRC, w));
        if (w === v) break;
      }
      if (component.length > 1) cycles.push(component.sort());
    };
    for (const f of files) if (!index.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('the check can fail: an upward or sideways import is named, a downward one is not', () => {
    expect(
      upwardOf([
        ['system/startSystem.ts', 'actors/orderService.ts'],
        ['domain/order.ts', 'store/sqlite.ts'],
        ['http/server.ts', 'scenarios/runner.ts'],
        ['ui/components/Dashboard.tsx', 'ui/format.ts'],
      ]),
    ).toEqual(['domain/order.ts → store/sqlite.ts', 'http/server.ts → scenarios/runner.ts']);
  });
});
