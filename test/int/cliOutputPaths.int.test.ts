/**
 * Output paths are checked before anything starts: an unwritable `--junit`, `--report`, `--out` (or `--log-file`,
 * `--counterexamples`) is exit 2 with the reason, no broker started, nothing written — not a whole run followed by a
 * failure. A path whose directories do not exist yet is fine: they are created when the report is written.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwritable } from '../../src/process/outputPaths.js';
import { runTestbed } from '../helpers/cliProcess.js';

const failing = 'test/fixtures/scenarios/expects-a-dead-letter.yaml';

describe('output paths are checked up front', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-outputs-'));
  const aFile = join(dir, 'a-file');
  const aDir = join(dir, 'a-dir');
  /** A stand-in nats-server that records being started: "nothing started" is checkable. */
  const fakeNats = join(dir, 'fake-nats-server');
  const started = join(dir, 'nats-started');
  beforeAll(() => {
    writeFileSync(aFile, 'x');
    mkdirSync(aDir);
    writeFileSync(fakeNats, `#!/bin/sh\ntouch ${started}\nexit 1\n`);
    chmodSync(fakeNats, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [
      'run --junit under a file',
      ['run', failing, '--junit', join(aFile, 'junit.xml')],
      `--junit ${join(aFile, 'junit.xml')}: cannot write there: ${aFile} is not a directory`,
    ],
    [
      'run --junit a directory',
      ['run', failing, '--junit', aDir],
      `--junit ${aDir}: cannot write there: ${aDir} is a directory`,
    ],
    [
      'run --report a file',
      ['run', failing, '--report', aFile],
      `--report ${aFile}: cannot write there: ${aFile} is not a directory`,
    ],
    [
      'run --report below a file',
      ['run', failing, '--report', join(aFile, 'a', 'b')],
      `cannot write there: ${aFile} is not a directory`,
    ],
    [
      'check --junit under a file',
      ['check', '--runs', '1', '--junit', join(aFile, 'j.xml')],
      'cqrs-testbed check: --junit',
    ],
    [
      'check --counterexamples a file',
      ['check', '--runs', '1', '--counterexamples', aFile],
      `cqrs-testbed check: --counterexamples ${aFile}: cannot write there: ${aFile} is not a directory`,
    ],
    [
      'bench --out a directory',
      ['bench', '--quick', '--out', aDir],
      `bench: --out ${aDir}: cannot write there: ${aDir} is a directory`,
    ],
  ])('%s: exit 2, says why, starts and writes nothing', async (_name, args, message) => {
    const before = readdirSync(dir).sort();
    const r = await runTestbed(args, { NATS_SERVER_BIN: fakeNats });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe(''); // not even the check's header or the bench's progress
    expect(existsSync(started)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('missing directories are fine: created when the reports are written', async () => {
    const junit = join(dir, 'new', 'deeper', 'junit.xml');
    const report = join(dir, 'new', 'report');
    const r = await runTestbed(['run', failing, '--transport', 'sim', '--junit', junit, '--report', report]);
    expect(r.code, r.stderr).toBe(1); // the scenario's own verdict
    expect(readFileSync(junit, 'utf8')).toContain('<testsuites');
    expect(existsSync(join(report, 'expects-a-dead-letter.json'))).toBe(true);
  }, 60_000);

  it('tells a file from a directory, and a missing path from an impossible one', () => {
    expect(unwritable(join(dir, 'missing', 'x.xml'), 'file')).toBeUndefined();
    expect(unwritable(join(dir, 'missing', 'sub'), 'dir')).toBeUndefined();
    expect(unwritable(aFile, 'file')).toBeUndefined(); // overwritten, as before
    expect(unwritable(aDir, 'dir')).toBeUndefined();
    expect(unwritable(aDir, 'file')).toBe(`${aDir} is a directory`);
    expect(unwritable(aFile, 'dir')).toBe(`${aFile} is not a directory`);
    expect(unwritable(join(aFile, 'x', 'y.xml'), 'file')).toBe(`${aFile} is not a directory`);
    expect(unwritable('', 'file')).toBe('an empty path');
  });
});
