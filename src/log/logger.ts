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
      transport: { target: 'pino-pretty', options: { destination: options.destination ?? 2, colorize: options.destination === undefined } },
    });
  }
  return pino({ level }, pino.destination({ dest: options.destination ?? 2, sync: false, mkdir: true }));
}

/** A logger that writes nothing (tests, benchmarks). */
export const silentLogger = (): Logger => pino({ level: 'silent' });
