import pino, { Logger } from 'pino';

export type { Logger } from 'pino';

/** One JSON logger per process; level from LOG_LEVEL (default info). */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { app: name } });
}
