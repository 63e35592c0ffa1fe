import { pino } from 'pino';
import type { Logger } from 'pino';
import { setListenerErrorReporter } from '../sfu/index.ts';

export type { Logger };

/** The process logger; modules take child loggers (`logger.child({ module: 'sfu' })`). */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}

/**
 * Sends the errors of every typed emitter's listeners (the server's and sfu's) to `logger`
 * instead of stderr. Once per process, at start (the last call wins).
 */
export function logListenerErrors(logger: Logger): void {
  const log = logger.child({ module: 'events' });
  setListenerErrorReporter((emitter, event, error) =>
    log.error({ err: error, emitter, event }, 'event listener threw'),
  );
}
