import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';

// How the command line reads its flags: each parser says what is wrong with a bad value (exit 2, nothing runs).

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('must be an integer port between 0 and 65535');
  return n;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new InvalidArgumentError('must be an integer from 1 to 1000000');
  return n;
}

export function seed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new InvalidArgumentError('must be an integer from 0 to 4294967295');
  return n;
}

/**
 * check's fast-check seed: 0..4294967295 as printed. A negative one (-2147483648..-1, the signed form earlier versions
 * printed) is the same seed to fast-check, and is taken as its unsigned twin.
 */
export function checkSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < -0x8000_0000 || n > 0xffff_ffff) throw new InvalidArgumentError('must be an integer from 0 to 4294967295');
  return n >>> 0;
}

/** package.json's version: what `--version` prints. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Commander's accumulator for a repeatable option. */
export const collect = (value: string, previous: readonly string[]): string[] => [...previous, value];

/** The global --log-level if the user gave one, else `fallback` (scenario runs keep stderr quiet by default). */
export function logLevelFor(program: Command, fallback: string): string {
  return program.getOptionValueSource('logLevel') === 'default' ? fallback : program.opts<{ logLevel: string }>().logLevel;
}
