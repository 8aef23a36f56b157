/**
 * The command as the README spells it after `npm ci`: `npx cqrs-testbed …` in the clone (npx finds the package's own
 * bin; nothing is installed from the registry), `--version`, and the spelling the CLI uses in the commands it
 * prints, each checked by running it the way it is printed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selfCommand, shellPath } from '../../src/cli/selfCommand.js';
import { runTestbed } from '../helpers/cliProcess.js';
import { repoRoot } from '../helpers/tmuxTerminal.js';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const bin = join(repoRoot, 'bin', 'cqrs-testbed');

/** A shell line run from `cwd`; npx may use only what is local (`npm_config_yes=false`: never the registry). */
function shell(line: string, cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('sh', ['-c', line], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, npm_config_yes: 'false', ...env },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the cqrs-testbed command', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'cli-install-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('--version and -V print package.json’s version and exit 0', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runTestbed([flag]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  it('npx cqrs-testbed works in the clone, from its root and from a subdirectory', () => {
    const help = shell('npx cqrs-testbed --help', repoRoot);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: cqrs-testbed \[options\] \[command\]/);
    expect(help.stdout).toMatch(/^ {2}run \[options\] <scenarios\.\.\.>/m);
    const fromSrc = shell('npx cqrs-testbed --version', join(repoRoot, 'src', 'cli'));
    expect(fromSrc.code, fromSrc.stderr).toBe(0);
    expect(fromSrc.stdout).toBe(`${version}\n`);
  }, 120_000);

  it('spells itself the way that works where it runs, and each spelling works as printed', () => {
    // In the clone, without it on PATH (after `npm ci`): npx.
    expect(selfCommand({ env: { PATH: '/usr/bin:/bin' }, cwd: join(repoRoot, 'src') })).toBe('npx cqrs-testbed');
    // Started by npm (npm start, npx): npm's PATH is not the user's, so the clone decides.
    expect(
      selfCommand({
        env: { PATH: join(repoRoot, 'node_modules', '.bin'), npm_command: 'exec', INIT_CWD: repoRoot },
        cwd: repoRoot,
      }),
    ).toBe('npx cqrs-testbed');
    // Outside the clone, not on PATH: the bin by its absolute path.
    const elsewhere = selfCommand({ env: { PATH: '/usr/bin:/bin' }, cwd: scratch });
    expect(elsewhere).toBe(`node ${bin}`);
    const outside = shell(`${elsewhere} --version`, scratch);
    expect(outside.code, outside.stderr).toBe(0);
    expect(outside.stdout).toBe(`${version}\n`);
    // On PATH as this CLI (what `npm link` does: a symlink to the bin): the bare name.
    const linkDir = join(scratch, 'bin');
    spawnSync('mkdir', ['-p', linkDir]);
    symlinkSync(bin, join(linkDir, 'cqrs-testbed'));
    const path = `${linkDir}:${process.env.PATH ?? ''}`;
    expect(selfCommand({ env: { PATH: path }, cwd: scratch })).toBe('cqrs-testbed');
    const linked = shell('cqrs-testbed --version', scratch, { PATH: path });
    expect(linked.code, linked.stderr).toBe(0);
    expect(linked.stdout).toBe(`${version}\n`);
  }, 60_000);

  it('prints file paths relative to the user’s directory, absolute outside it, quoted when needed', () => {
    expect(shellPath('reports/x.yaml', { env: {}, cwd: repoRoot })).toBe('reports/x.yaml');
    // npm runs scripts from the package root; the user typed the command in INIT_CWD.
    expect(shellPath('reports/x.yaml', { env: { INIT_CWD: join(repoRoot, 'reports') }, cwd: repoRoot })).toBe('x.yaml');
    expect(shellPath('reports/x.yaml', { env: { INIT_CWD: join(repoRoot, 'src') }, cwd: repoRoot })).toBe(
      join(repoRoot, 'reports', 'x.yaml'),
    );
    const quoted = shellPath("my reports/x's.yaml", { env: {}, cwd: '/w' });
    expect(quoted).toBe(`'my reports/x'\\''s.yaml'`);
    expect(shell(`printf %s ${quoted}`, scratch).stdout).toBe("my reports/x's.yaml");
  });
});
