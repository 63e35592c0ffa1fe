type Listener = (...args: unknown[]) => void;

/** A minimal typed event emitter for the browser; a throwing listener does not stop the others. */
export class Emitter<E extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof E, Set<Listener>>();

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const stored = listener as unknown as Listener;
    set.add(stored);
    return () => set.delete(stored);
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        listener(...args);
      } catch (error) {
        reportError(error);
      }
    }
  }
}
