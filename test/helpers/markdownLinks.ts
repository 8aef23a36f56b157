/**
 * What a README may point at, checked without a network: relative links and repository paths must stay inside the
 * repository and exist, and `#anchors` must name a heading. A clone of the repository is all a reader has.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, relative } from 'node:path';

export interface LinkProblem {
  readonly line: number;
  readonly target: string;
  readonly problem: string;
}

/** GitHub's heading anchors: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The top-level directories whose paths the README names in backticks (checked to exist like links). */
const REPO_DIRS = ['src/', 'scenarios/', 'test/', 'bench/', 'bin/', '.ci/', 'scripts/'];

/** Directories the repository ignores (`bench/results/`): named in the README as scratch space, absent in a clone. */
function ignoredDirs(root: string): string[] {
  const gitignore = join(root, '.gitignore');
  if (!existsSync(gitignore)) return [];
  return readFileSync(gitignore, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.endsWith('/') && !l.startsWith('#'));
}

function leavesRepo(target: string, root: string): boolean {
  if (isAbsolute(target)) return true;
  const rel = relative(root, normalize(join(root, target)));
  return rel.startsWith('..') || isAbsolute(rel);
}

/**
 * Every problem with the links and paths in `markdown` (the text of `root`/README.md): a link or path leaving the
 * repository (`../`, an absolute or `file:` path), a relative link to a file that does not exist, a `#anchor` no
 * heading has, a backticked repository path (`src/…`) that does not exist. Web links (`http(s):`, `mailto:`) are
 * not followed.
 */
export function linkProblems(markdown: string, root: string): LinkProblem[] {
  const problems: LinkProblem[] = [];
  const ignored = ignoredDirs(root);
  const lines = markdown.split('\n');
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of lines) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!fenced && heading?.[1] !== undefined) anchors.add(headingSlug(heading[1]));
  }
  fenced = false;
  lines.forEach((text, i) => {
    const line = i + 1;
    if (/^\s*```/.test(text)) fenced = !fenced;
    // Anywhere, code blocks included: a path that climbs out of the repository or starts at a machine's root.
    for (const m of text.matchAll(
      /(?:^|[\s(['"`=<])((?:\.\.\/|\/(?:work|home|tmp|Users)\/|file:\/\/)[^\s)\]'"`>]*)/g,
    )) {
      if (m[1] !== undefined) problems.push({ line, target: m[1], problem: 'leaves the repository' });
    }
    if (fenced) return;
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1] ?? '';
      if (/^(https?|mailto):/.test(target)) continue;
      if (target.startsWith('#')) {
        if (!anchors.has(target.slice(1))) problems.push({ line, target, problem: 'no heading has this anchor' });
        continue;
      }
      const path = decodeURIComponent(target.split('#')[0] ?? '');
      if (leavesRepo(path, root)) problems.push({ line, target, problem: 'leaves the repository' });
      else if (!existsSync(join(root, path)))
        problems.push({ line, target, problem: 'no such file in the repository' });
    }
    for (const m of text.matchAll(/`([^`\s]+)`/g)) {
      const path = m[1] ?? '';
      if (
        !REPO_DIRS.some((d) => path.startsWith(d)) ||
        ignored.some((d) => path.startsWith(d)) ||
        /[*<>{}…|]|\bN\b|[A-Z]{3,}/.test(path)
      )
        continue;
      if (!existsSync(join(root, path)))
        problems.push({ line, target: path, problem: 'no such file in the repository' });
    }
  });
  return problems;
}
