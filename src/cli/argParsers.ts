import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';

// How the command line reads its flags: each parser says what is wrong with a bad value (exit 2, nothing runs).

/** A parser for an integer from `min` to `max`; anything else is refused with `message`. */
function integerIn(min: number, max: number, message: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(message);
    return n;
  };
}

export const port = integerIn(0, 65_535, 'must be an integer port between 0 and 65535');
export const positiveInt = integerIn(1, 1_000_000, 'must be an integer from 1 to 1000000');
export const seed = integerIn(0, 0xffff_ffff, 'must be an integer from 0 to 4294967295');

/**
 * check's fast-check seed: 0..4294967295 as printed. A negative one (-2147483648..-1, the signed form earlier versions
 * printed) is the same seed to fast-check, and is taken as its unsigned twin.
 */
const signedOrUnsignedSeed = integerIn(-0x8000_0000, 0xffff_ffff, 'must be an integer from 0 to 4294967295');
export const checkSeed = (value: string): number => signedOrUnsignedSeed(value) >>> 0;

/** package.json's version: what `--version` prints. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
}

/** Commander's accumulator for a repeatable option. */
export const collect = (value: string, previous: readonly string[]): string[] => [...previous, value];

/** The global --log-level if the user gave one, else `fallback` (scenario runs keep stderr quiet by default). */
export function logLevelFor(program: Command, fallback: string): string {
  return program.getOptionValueSource('logLevel') === 'default'
    ? fallback
    : program.opts<{ logLevel: string }>().logLevel;
}

/** `--brokers`: one broker, or a cluster with an odd number of nodes (a majority must survive a loss). */
export function brokerCount(value: string): number {
  const n = Number(value);
  if (value !== String(n) || ![1, 3, 5].includes(n)) throw new InvalidArgumentError('1, 3 or 5 broker nodes');
  return n;
}
