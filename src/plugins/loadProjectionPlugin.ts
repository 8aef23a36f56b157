import { stat } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isReadModelName, READ_MODELS } from '../domain/readModels.js';
import type { ProjectionPlugin, ProjectionTarget } from './projectionPlugin.js';

/** The read models a plug-in may replace: every one in the registry. */
export const PROJECTION_TARGETS: readonly ProjectionTarget[] = READ_MODELS;

/** A `--projection name=path` that cannot be used; the message names the spec and what is wrong with it. */
export class ProjectionPluginError extends Error {
  override readonly name = 'ProjectionPluginError';
}

export interface LoadedPlugin {
  readonly target: ProjectionTarget;
  /** The module's absolute path. */
  readonly path: string;
  readonly plugin: ProjectionPlugin;
}

/** Where each plug-in loaded from a file came from, so a restarted consumer process can load a fresh instance. */
const sources = new WeakMap<object, { readonly path: string; readonly label: string }>();
let reloads = 0;

/** The module a plug-in was loaded from (absolute), or undefined for one built in code. */
export function pluginPath(plugin: ProjectionPlugin): string | undefined {
  return sources.get(plugin)?.path;
}

/**
 * A fresh instance of a plug-in's module, as a restarted process would load it: module-level and closure state
 * start over. ESM caches a module by URL, so a query string makes a new instance (modules it imports stay shared).
 * A plug-in built in code (not loaded from a file) is returned as it is.
 */
export async function reloadedPlugin(plugin: ProjectionPlugin): Promise<ProjectionPlugin> {
  const source = sources.get(plugin);
  if (!source) return plugin;
  const fresh = await importPlugin(source.label, source.path, plugin.target, `?process-restart=${++reloads}`);
  return fresh;
}

const isFunction = (v: unknown): boolean => typeof v === 'function';
const isStringArray = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Loads a plug-in module from `name=path` (path resolved from the current directory; `.ts` works under the CLI,
 * which runs through tsx). The module must default-export a plug-in, or export it as `projection`, whose `target`
 * is `name`. Every problem is a {@link ProjectionPluginError} with a message fit for the command line.
 */
export async function loadProjectionPlugin(spec: string, cwd: string = process.cwd()): Promise<LoadedPlugin> {
  const eq = spec.indexOf('=');
  const name = eq < 0 ? '' : spec.slice(0, eq).trim();
  const file = eq < 0 ? '' : spec.slice(eq + 1).trim();
  const fail = (message: string): never => {
    throw new ProjectionPluginError(`--projection ${spec}: ${message}`);
  };
  if (eq < 0 || name === '' || file === '')
    fail(`expected <read model>=<module path>, e.g. customer-order-summary=./my-summary.ts`);
  if (!isReadModelName(name)) fail(`unknown read model "${name}"; one of ${PROJECTION_TARGETS.join(', ')}`);
  const target = name as ProjectionTarget;
  const path = resolve(cwd, file);
  try {
    if (!(await stat(path)).isFile()) fail(`${path} is not a file`);
  } catch (error) {
    if (error instanceof ProjectionPluginError) throw error;
    fail(`no such file: ${path}`);
  }
  return { target, path, plugin: await importPlugin(`--projection ${spec}`, path, target) };
}

/**
 * Loads a plug-in module whatever read model it targets (the projection kit's `projectionKit(path)`); `path` is
 * absolute or relative to `cwd`. Problems are {@link ProjectionPluginError}s that name the file.
 */
export async function loadPluginFile(path: string | URL, cwd: string = process.cwd()): Promise<LoadedPlugin> {
  if (path instanceof URL && path.protocol !== 'file:')
    throw new ProjectionPluginError(`projection plug-in ${path.href}: expected a path or a file: URL`);
  const absolute = resolve(cwd, path instanceof URL ? fileURLToPath(path) : path);
  const label = `projection plug-in ${absolute}`;
  try {
    if (!(await stat(absolute)).isFile()) throw new ProjectionPluginError(`${label}: not a file`);
  } catch (error) {
    if (error instanceof ProjectionPluginError) throw error;
    throw new ProjectionPluginError(`${label}: no such file`);
  }
  const plugin = await importPlugin(label, absolute, undefined);
  return { target: plugin.target, path: absolute, plugin };
}

/** Imports the module at `path` and checks its export; `target`, when given, is the read model it must replace. */
async function importPlugin(
  label: string,
  path: string,
  target: ProjectionTarget | undefined,
  query = '',
): Promise<ProjectionPlugin> {
  const fail = (message: string): never => {
    throw new ProjectionPluginError(`${label}: ${message}`);
  };
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href + query)) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ProjectionPluginError(`${label}: cannot load ${path}: ${message}${moduleFormatHint(path, message)}`, {
      cause: error,
    });
  }
  const exported = mod.default ?? mod.projection;
  if (exported === undefined) fail(`${path} has neither a default export nor an export named "projection"`);
  const problems = shapeProblems(exported);
  if (problems.length > 0) fail(`${path} does not export a projection plug-in: ${problems.join('; ')}`);
  const plugin = exported as ProjectionPlugin;
  if (target !== undefined && plugin.target !== target)
    fail(`${path} is a plug-in for "${plugin.target}", not "${target}"`);
  sources.set(plugin, { path, label });
  return plugin;
}

/** What is wrong with a would-be plug-in, one phrase per problem; empty when it has the right shape. */
export function shapeProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null)
    return [`expected an object, got ${value === null ? 'null' : typeof value}`];
  const p = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof p.target !== 'string' || !isReadModelName(p.target))
    problems.push(`target must be one of ${PROJECTION_TARGETS.join(', ')} (got ${JSON.stringify(p.target)})`);
  if (!isFunction(p.readState)) problems.push('readState(db) must be a function');
  switch (p.mode) {
    case 'managed':
      if (p.crashPoints !== undefined)
        problems.push('crashPoints belong to mode "self-managed" (a managed view has no ctx.crashPoint)');
      if (isFunction(p.view)) break;
      if (typeof p.view !== 'object' || p.view === null) {
        problems.push('a managed plug-in needs view: a ProjectionView or a function (deps) => ProjectionView');
        break;
      }
      problems.push(...viewProblems(p.view as Record<string, unknown>));
      break;
    case 'self-managed':
      for (const fn of ['setup', 'reset', 'handle'] as const)
        if (!isFunction(p[fn])) problems.push(`a self-managed plug-in needs ${fn}() (a function)`);
      if (p.tables !== undefined && !isStringArray(p.tables))
        problems.push('tables, if given, must be an array of strings');
      if (p.crashPoints !== undefined && !isStringArray(p.crashPoints))
        problems.push('crashPoints, if given, must be an array of the names handle() passes to ctx.crashPoint');
      if (p.view !== undefined)
        problems.push('view belongs to mode "managed"; a self-managed plug-in has setup/reset/handle');
      break;
    default:
      problems.push(`mode must be "managed" or "self-managed" (got ${JSON.stringify(p.mode)})`);
  }
  return problems;
}

function viewProblems(view: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof view.name !== 'string') problems.push('view.name must be a string');
  if (!isStringArray(view.tables) || (view.tables as unknown[]).length === 0)
    problems.push('view.tables must be a non-empty array of table names');
  for (const fn of ['tableDdl', 'indexDdl', 'bind'] as const)
    if (!isFunction(view[fn])) problems.push(`view.${fn} must be a function`);
  if (view.queryIndexDdl !== undefined && !isFunction(view.queryIndexDdl))
    problems.push('view.queryIndexDdl, when given, must be a function');
  return problems;
}

/** Errors of a module loaded in the format it was not written for (CommonJS vs ESM), as Node and tsx word them. */
const FORMAT_ERRORS =
  /Top-level await is currently not supported with the "cjs" output format|require\(\) (of )?ES Module|ERR_REQUIRE_(ESM|CYCLE_MODULE)|Cannot use import statement outside a module|Unexpected token 'export'/;

/**
 * When loading failed because of the module format, what decided the format and how to change it: ESM is what
 * plug-ins are written in (`import`, `export default`, top-level await), and the nearest package.json decides.
 */
export function moduleFormatHint(path: string, message: string): string {
  if (!FORMAT_ERRORS.test(message)) return '';
  if (/\.(mts|mjs)$/.test(path)) return '';
  const pkg = nearestPackageJson(dirname(path));
  const type = pkg?.type ?? 'commonjs (no "type")';
  const where = pkg ? `${pkg.file} says "type": "${type}"` : 'no package.json above it names a "type"';
  return (
    `\n  ${path} was loaded as CommonJS (${where}). Plug-ins are ES modules: add "type": "module" to ` +
    `${pkg ? pkg.file : 'a package.json in its folder'}, or rename the file to ${/\.tsx?$/.test(path) ? '.mts' : '.mjs'}.`
  );
}

function nearestPackageJson(dir: string): { file: string; type: string | undefined } | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const file = join(d, 'package.json');
    if (existsSync(file)) {
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as { type?: unknown };
        return { file, type: typeof parsed.type === 'string' ? parsed.type : undefined };
      } catch {
        return { file, type: undefined };
      }
    }
    if (dirname(d) === d) return undefined;
  }
}
