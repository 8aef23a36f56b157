/** The parts of the standard streams that decide whether the dashboard can run on them. */
export interface TerminalStreams {
  readonly stdin: { readonly isTTY?: boolean; readonly setRawMode?: unknown };
  readonly stdout: { readonly isTTY?: boolean };
}

/**
 * Why the live dashboard cannot work on these streams, or undefined when it can. It draws on stdout and reads its
 * keys from stdin in raw mode, so it needs both to be terminals: with stdin from /dev/null (`docker run -t` without
 * `-i`, a `</dev/null` redirection) ink would throw on mount, and with stdout in a file the frames would fill it.
 */
export function dashboardUnavailable({ stdin, stdout }: TerminalStreams): string | undefined {
  const stdinIsTerminal = stdin.isTTY === true;
  const stdoutIsTerminal = stdout.isTTY === true;
  if (!stdinIsTerminal && !stdoutIsTerminal) return 'neither stdin nor stdout is a terminal';
  if (!stdinIsTerminal) return 'stdin is not a terminal';
  if (!stdoutIsTerminal) return 'stdout is not a terminal';
  if (typeof stdin.setRawMode !== 'function') return 'stdin cannot be put in raw mode';
  return undefined;
}
