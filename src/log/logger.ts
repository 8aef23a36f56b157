import { pino, type Logger } from 'pino';

export type LogFormat = 'json' | 'pretty';

/**
 * The root logger. JSON to stderr by default, so stdout stays for what a command prints (URLs, reports, JSON
 * results); `pretty` for people. `destination` lets the dashboard send logs to a file.
 */
export function createLogger(options: { level?: string; format?: LogFormat; destination?: string } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  if (options.format === 'pretty') {
    return pino({
      level,
      transport: {
        target: 'pino-pretty',
        options: {
          destination: options.destination ?? 2,
          colorize: prettyColours(options.destination, process.stderr.isTTY, process.env),
        },
      },
    });
  }
  return pino({ level }, pino.destination({ dest: options.destination ?? 2, sync: false, mkdir: true }));
}

/**
 * Colour codes only for a person at a terminal: not in a file, not in stderr redirected to a file or a pipe (where
 * they arrive as `\x1b[32m` litter), and never with NO_COLOR set (https://no-color.org).
 */
export function prettyColours(
  destination: string | undefined,
  stderrIsTty: boolean | undefined,
  env: NodeJS.ProcessEnv,
): boolean {
  return destination === undefined && stderrIsTty === true && (env.NO_COLOR ?? '') === '';
}

/** A logger that writes nothing (tests, benchmarks). */
export const silentLogger = (): Logger => pino({ level: 'silent' });
