import { EventEmitter } from 'node:events';

/** Event map: event name → tuple of listener arguments. */
export type EventMap = Record<string, unknown[]>;

/** Where a listener's error goes: the emitter (by its class name), the event and the error. */
export type ListenerErrorReporter = (emitter: string, event: string, error: unknown) => void;

let reportListenerError: ListenerErrorReporter = (emitter, event, error) => {
  process.stderr.write(`${emitter}: listener of "${event}" threw: ${String(error)}\n`);
};

/**
 * Sets where every emitter reports its listeners' errors (the server passes its logger, once,
 * at start; a library reads no logger of its own). @default writes to stderr
 */
export function setListenerErrorReporter(reporter: ListenerErrorReporter): void {
  reportListenerError = reporter;
}

/**
 * An EventEmitter whose events and their arguments are typed.
 *
 * `safeEmit` calls listeners so that one that throws cannot break the emitter or the
 * caller: the error is handed to the `onListenerError` hook (rethrown, it would crash the
 * process on the next tick, so it is reported and swallowed instead).
 */
export class TypedEmitter<E extends EventMap> {
  readonly #emitter = new EventEmitter();

  /** Called when a listener throws. @default the reporter set by `setListenerErrorReporter` */
  onListenerError: (event: string, error: unknown) => void = (event, error) => {
    reportListenerError(this.constructor.name, event, error);
  };

  constructor() {
    this.#emitter.setMaxListeners(Infinity);
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  removeAllListeners(): this {
    this.#emitter.removeAllListeners();
    return this;
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.#emitter.listenerCount(event);
  }

  /** Calls every listener of `event`; a listener that throws does not stop the others. */
  safeEmit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    // rawListeners: once() wrappers remove themselves when called.
    const listeners = this.#emitter.rawListeners(event) as ((...a: E[K]) => void)[];
    for (const listener of listeners) {
      try {
        listener(...args);
      } catch (error) {
        this.onListenerError(event, error);
      }
    }
    return listeners.length > 0;
  }
}
