/** What `run` shows: the dashboard or progress lines, or why the flags ask for something impossible (exit 2). */
export type UiChoice = { readonly ui: boolean } | { readonly error: string };

/**
 * The dashboard is the default only where it can work and someone watches: a terminal on stdin and stdout
 * (`unavailable` says what is missing), not CI, not --json. `--ui` where it cannot work is an error rather than a
 * silent downgrade: whoever asked for it expects keys that would not work.
 */
export function chooseUi(
  flags: { readonly ui?: boolean; readonly json: boolean },
  unavailable: string | undefined,
  inCi: boolean,
): UiChoice {
  if (flags.ui === true && flags.json)
    return { error: '--ui and --json exclude each other: --json keeps stdout for JSON lines' };
  if (flags.ui === true && unavailable !== undefined) {
    return {
      error: `--ui: the dashboard needs a terminal for its screen and its keys, and here ${unavailable}; without --ui the run prints progress lines`,
    };
  }
  return { ui: !flags.json && (flags.ui ?? (unavailable === undefined && !inCi)) };
}

/** CI as ink reads it (`CI=0` or `CI=false` is not CI): there ink would draw only the last frame anyway. */
export const inCi = (env: NodeJS.ProcessEnv): boolean => env.CI !== undefined && env.CI !== '0' && env.CI !== 'false';
