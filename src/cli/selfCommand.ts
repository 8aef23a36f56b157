/**
 * How the commands this CLI prints (replay lines, the dashboard line of `up`'s banner) name the CLI and its files,
 * so that each works when pasted as printed into the shell the user ran us from.
 */
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const ownBin = join(packageRoot, 'bin', 'cqrs-testbed');

const inside = (dir: string, root: string): boolean => {
  const r = relative(root, dir);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path; // a dangling entry on PATH: compared as is, it matches nothing
  }
}

/** A word the shell reads back unchanged. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface Invocation {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

const current = (): Invocation => ({ env: process.env, cwd: process.cwd() });

/** The user's shell directory: npm runs scripts from the package root but keeps the caller's in INIT_CWD. */
const userDir = (inv: Invocation): string => inv.env.INIT_CWD ?? inv.cwd;

/**
 * `cqrs-testbed` when that name on the user's PATH is this CLI (`npm link`, a global install); `npx cqrs-testbed`
 * inside the clone or a project that installed it (npx finds the bin there, from any subdirectory); otherwise
 * `node <path to bin>`.
 */
export function selfCommand(inv: Invocation = current()): string {
  const here = userDir(inv);
  // Under npm the PATH is npm's (it prepends node_modules/.bin dirs), not the user's: judge by the directory only.
  if (inv.env.npm_command === undefined) {
    const target = realpathOrSelf(ownBin);
    for (const dir of (inv.env.PATH ?? '').split(delimiter)) {
      if (dir === '' || !isAbsolute(dir)) continue;
      const candidate = join(dir, 'cqrs-testbed');
      if (existsSync(candidate) && realpathOrSelf(candidate) === target) return 'cqrs-testbed';
    }
  }
  if (inside(here, packageRoot) || installedAbove(here)) return 'npx cqrs-testbed';
  return `node ${shellWord(ownBin)}`;
}

/** True when `dir` or a folder above it has this CLI installed (node_modules/.bin/cqrs-testbed): npx finds it there. */
function installedAbove(dir: string): boolean {
  const target = realpathOrSelf(ownBin);
  for (let d = resolve(dir); ; d = dirname(d)) {
    const bin = join(d, 'node_modules', '.bin', 'cqrs-testbed');
    if (existsSync(bin) && realpathOrSelf(bin) === target) return true;
    if (dirname(d) === d) return false;
  }
}

/** `path` (relative to our cwd) as the user's shell reaches it: relative below their directory, absolute elsewhere. */
export function shellPath(path: string, inv: Invocation = current()): string {
  const absolute = resolve(inv.cwd, path);
  const rel = relative(userDir(inv), absolute);
  return shellWord(rel === '' ? '.' : rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel) ? absolute : rel);
}
