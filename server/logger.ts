import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/** The process logger; modules take child loggers (`logger.child({ module: 'sfu' })`). */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}
