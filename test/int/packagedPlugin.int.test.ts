/**
 * The package as a plug-in author gets it: `npm pack` of this repository, unpacked into a project folder outside
 * it, where a plug-in imports only from 'cqrs-testbed' and `npx cqrs-testbed check --projection …` judges it —
 * in an ESM package, a CommonJS one, as .mts and as plain .js — its types check against the packed .d.ts, and the
 * kit (`cqrs-testbed/kit`) runs under plain Node's test runner.
 *
 * The tarball is what npm would install; its dependencies are linked from this repository's node_modules instead
 * of being downloaded (no network in CI, and better-sqlite3 would compile for a minute).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const EXAMPLE = readFileSync(join(REPO, 'examples/inventory-plugin/myInventory.ts'), 'utf8');
/** The example with its dedupe removed: every redelivery is applied again. */
const BROKEN = EXAMPLE.replace('if (firstTime === 0) return;', 'void firstTime;');

let project = '';

function run(cwd: string, command: string, args: readonly string[]) {
  // As from the user's shell in that folder: not the npm environment this test may run in (INIT_CWD would name ours).
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'INIT_CWD'),
  );
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...env, CI: '1' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}
const check = (cwd: string, spec: string, runs = 12) =>
  run(cwd, join(project, 'node_modules/.bin/cqrs-testbed'), [
    'check',
    '--projection',
    spec,
    '--runs',
    String(runs),
    '--seed',
    '7',
    '--counterexamples',
    join(project, 'reports'),
  ]);

/** `files` under `dir` of the project, with the package.json `pkg` (a `type` of ESM or CommonJS). */
function folder(dir: string, pkg: Record<string, unknown>, files: Record<string, string>): string {
  const at = join(project, dir);
  mkdirSync(at, { recursive: true });
  writeFileSync(join(at, 'package.json'), JSON.stringify({ name: dir, private: true, ...pkg }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(at, name), text);
  return at;
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'cqrs-package-'));
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], {
    cwd: REPO,
    encoding: 'utf8',
  });
  const tarball = join(project, packed.trim().split('\n').at(-1) ?? '');
  const installed = join(project, 'node_modules', 'cqrs-testbed');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const dep of Object.keys(manifest.dependencies)) {
    mkdirSync(dirname(join(project, 'node_modules', dep)), { recursive: true });
    symlinkSync(join(REPO, 'node_modules', dep), join(project, 'node_modules', dep), 'dir');
  }
  mkdirSync(join(project, 'node_modules', '.bin'));
  symlinkSync('../cqrs-testbed/bin/cqrs-testbed', join(project, 'node_modules', '.bin', 'cqrs-testbed'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-shop', private: true, type: 'module' }));
}, 120_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('the packed package, installed in a project of its own', () => {
  it('ships the built entry points, the CLI and its sources, and no tests', () => {
    const root = join(project, 'node_modules', 'cqrs-testbed');
    for (const f of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/kit/index.js',
      'dist/kit/index.d.ts',
      'bin/cqrs-testbed',
    ])
      expect(() => readFileSync(join(root, f)), f).not.toThrow();
    expect(() => readFileSync(join(root, 'test/int/packagedPlugin.int.test.ts'))).toThrow();
  });

  it('check --projection passes a correct plug-in and fails a broken one, in an ESM package', () => {
    const dir = folder('esm', { type: 'module' }, { 'myInventory.ts': EXAMPLE, 'broken.ts': BROKEN });
    const ok = check(dir, 'product-inventory=./myInventory.ts');
    expect(ok.out).toContain('all properties held: 12 runs');
    expect(ok.code, ok.out).toBe(0);
    const bad = check(dir, 'product-inventory=./broken.ts', 100);
    expect(bad.code, bad.out).toBe(1);
    expect(bad.out).toMatch(/noDuplicatedEffect/);
    // npx finds the installed CLI from here: the printed replay commands say so.
    expect(bad.out).toMatch(/replay the scenario: +npx cqrs-testbed run /);
  }, 240_000);

  it('loads the plug-in whatever module format its package says: CommonJS .ts, .mts, plain .js', () => {
    const withAwait = `await Promise.resolve();\n${EXAMPLE}`;
    const cjs = folder('cjs', { type: 'commonjs' }, { 'myInventory.ts': EXAMPLE, 'topLevelAwait.ts': withAwait });
    const cjsRun = check(cjs, 'product-inventory=./myInventory.ts', 3);
    expect(cjsRun.code, cjsRun.out).toBe(0);
    // What CommonJS cannot do is a clear error naming the file, what decided its format and the fix.
    const tla = check(cjs, 'product-inventory=./topLevelAwait.ts', 3);
    expect(tla.code, tla.out).toBe(2);
    expect(tla.out).toContain(
      `${cjs}/topLevelAwait.ts was loaded as CommonJS (${cjs}/package.json says "type": "commonjs")`,
    );
    expect(tla.out).toContain('add "type": "module" to');
    expect(tla.out).toContain('or rename the file to .mts');
    const mts = folder('mts', {}, { 'myInventory.mts': EXAMPLE });
    const mtsRun = check(mts, 'product-inventory=./myInventory.mts', 3);
    expect(mtsRun.code, mtsRun.out).toBe(0);
    const js = folder('js', { type: 'module' }, { 'myInventory.js': stripTypes(EXAMPLE) });
    const jsRun = check(js, 'product-inventory=./myInventory.js', 3);
    expect(jsRun.code, jsRun.out).toBe(0);
  }, 240_000);

  it('types: the plug-in checks against the packed declarations, and a mistake in it does not', () => {
    const dir = folder(
      'typed',
      { type: 'module' },
      {
        'myInventory.ts': EXAMPLE,
        'mistake.ts': EXAMPLE.replace("db.exec('DROP TABLE IF EXISTS seen');", 'db.noSuchMethod();'),
        'tsconfig.json': JSON.stringify({
          compilerOptions: {
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            target: 'ES2022',
            strict: true,
            noEmit: true,
          },
          files: ['myInventory.ts'],
        }),
      },
    );
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const good = run(dir, process.execPath, [tsc, '-p', '.']);
    expect(good.code, good.out).toBe(0);
    const bad = run(dir, process.execPath, [tsc, '--noEmit', '--strict', '--module', 'NodeNext', 'mistake.ts']);
    expect(bad.out).toMatch(/mistake\.ts.*Property 'noSuchMethod' does not exist/);
  }, 120_000);

  it('the kit runs under plain Node (node:test), from cqrs-testbed/kit', () => {
    const dir = folder(
      'kit',
      { type: 'module' },
      {
        'myInventory.js': stripTypes(EXAMPLE),
        'myInventory.test.js': [
          "import { test } from 'node:test';",
          "import { projectionKit } from 'cqrs-testbed/kit';",
          "import myInventory from './myInventory.js';",
          "const added = { type: 'ProductAdded', productId: 'p1', name: 'P', priceCents: 100 };",
          "const restock = { type: 'StockAdjusted', adjustmentId: 'a1', productId: 'p1', delta: 5, reason: 'r' };",
          "test('survives lost acks and a restart', () =>",
          '  projectionKit(myInventory).given([added, restock]).when((d) => d.loseAcks(1).restart()).thenMatchesOracle());',
          "test('fails when it should', () =>",
          '  projectionKit(myInventory).given([added, restock]).then(new Map([["p1", 6]])));',
        ].join('\n'),
      },
    );
    const r = run(dir, process.execPath, ['--test', 'myInventory.test.js']);
    expect(r.out).toMatch(/# pass 1\n# fail 1/);
    expect(r.out).toContain('the model differs from the expected value');
  }, 120_000);
});

/** The example as plain JavaScript, as a user who writes no TypeScript would have it. */
function stripTypes(source: string): string {
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  }).outputText;
}
