/**
 * Where the bench writes: by default a git-ignored file, so `npm run bench` never dirties the tree, while the figures
 * the README quotes stay committed as a named baseline. Checked against git itself.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../src/bench/main.js';
import { REQUIRED_KEYS } from '../../src/bench/runBench.js';
import { repoRoot } from '../helpers/tmuxTerminal.js';

const git = (...args: string[]) => spawnSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8' });
const BASELINE = 'bench/baseline-2026-12-03.json';

describe('bench output', () => {
  it('goes by default to a git-ignored file that nothing tracks', () => {
    const args = parseBenchArgs([]);
    if ('error' in args) throw new Error(args.error);
    expect(args.out).toBe('bench/results/latest.json');
    expect(git('check-ignore', '-q', args.out).status, `${args.out} is not git-ignored`).toBe(0);
    expect(git('ls-files', '--', args.out).stdout).toBe('');
  });

  it('leaves the committed baseline the README quotes tracked, with every figure', () => {
    expect(git('ls-files', '--error-unmatch', '--', BASELINE).status, `${BASELINE} is not tracked`).toBe(0);
    expect(readFileSync(join(repoRoot, 'README.md'), 'utf8')).toContain(`(\`${BASELINE}\`)`);
    const figures = JSON.parse(readFileSync(join(repoRoot, BASELINE), 'utf8')) as Record<string, unknown>;
    expect(figures.mode).toBe('full');
    for (const key of REQUIRED_KEYS) expect(Number.isFinite(figures[key]), key).toBe(true);
  });
});
