/**
 * Output paths (`--junit`, `--report`, `--out`, …) checked before anything starts: a path that cannot be written
 * would otherwise fail only after a whole scenario run or bench. Nothing is created here; a missing directory is
 * fine when it can be created (its nearest existing ancestor is a writable directory).
 */
import { accessSync, constants, mkdirSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type OutputKind = 'file' | 'dir';

/** Why `path` cannot be written as `kind`, or undefined when it can. */
export function unwritable(path: string, kind: OutputKind): string | undefined {
  if (path === '') return 'an empty path';
  const absolute = resolve(path);
  const found = look(absolute);
  if (found.kind === 'missing') return creatable(dirname(absolute));
  if (found.kind === 'problem') return found.why;
  const { stats } = found;
  if (kind === 'file' && stats.isDirectory()) return `${absolute} is a directory`;
  if (kind === 'dir' && !stats.isDirectory()) return `${absolute} is not a directory`;
  return writable(absolute, kind === 'dir');
}

/** Can `dir` exist: it does and is writable, or its nearest existing ancestor is a writable directory. */
function creatable(dir: string): string | undefined {
  let at = dir;
  for (;;) {
    const found = look(at);
    if (found.kind === 'missing') {
      const up = dirname(at);
      if (up === at) return `no existing directory above ${dir}`;
      at = up;
      continue;
    }
    if (found.kind === 'problem') return found.why;
    if (!found.stats.isDirectory()) return `${at} is not a directory`;
    return writable(at, true);
  }
}

function writable(path: string, isDir: boolean): string | undefined {
  try {
    // A directory must also be searchable to create entries in it.
    accessSync(path, isDir ? constants.W_OK | constants.X_OK : constants.W_OK);
    return undefined;
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EROFS' ? `${path} is on a read-only file system` : `${path} is not writable (${code ?? 'error'})`;
  }
}

type Look =
  | { readonly kind: 'found'; readonly stats: Stats }
  | { readonly kind: 'missing' }
  | { readonly kind: 'problem'; readonly why: string };

/** The path's stats, or that it is missing, or why it cannot be looked at (a file where a directory should be). */
function look(path: string): Look {
  try {
    return { kind: 'found', stats: statSync(path) };
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ENOTDIR') return { kind: 'problem', why: `${nearestFileAbove(path)} is not a directory` };
    return { kind: 'problem', why: `cannot look at ${path} (${code ?? 'error'})` };
  }
}

/** For ENOTDIR: the ancestor that is a file. */
function nearestFileAbove(path: string): string {
  let at = dirname(path);
  while (dirname(at) !== at) {
    try {
      if (!statSync(at).isDirectory()) return at;
    } catch {
      // ENOTDIR or ENOENT further up: keep climbing to the file that causes it
    }
    at = dirname(at);
  }
  return path;
}

/** Every flag's path checked; the first problem as `--flag PATH: why`, or undefined when all can be written. */
export function checkOutputs(
  outputs: readonly (readonly [flag: string, path: string | undefined, kind: OutputKind])[],
): string | undefined {
  for (const [flag, path, kind] of outputs) {
    if (path === undefined) continue;
    const why = unwritable(path, kind);
    if (why !== undefined) return `${flag} ${path}: cannot write there: ${why}`;
  }
  return undefined;
}

/** Writes a checked output file (its directories may not exist yet: checked as creatable, created now). */
export function writeFileCreatingDirs(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
